"""Profiles: built-ins load by name, `extends` merges field by field, errors name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.config.resources import builtin_profile_names
from conformance.errors import ProfileError
from conformance.profile import UNSPECIFIED, load_profile


def test_builtin_profiles_are_found_by_name() -> None:
    assert builtin_profile_names() == ["daysoutguide", "machine", "rfc6749", "tourpaq"]


def test_tourpaq_records_its_documents() -> None:
    profile = load_profile("tourpaq")
    assert (profile.token_path, profile.client_auth, profile.parameter_location) == (
        "/api/token",
        "basic",
        "body",
    )
    assert profile.scope_value == "read"
    assert profile.refresh.supported is True and profile.refresh.rotation is True
    assert profile.refresh.used_refresh_token == UNSPECIFIED
    assert profile.invalidates_earlier == UNSPECIFIED
    assert profile.expiry.unit == "seconds" and profile.expiry.nominal_lifetime == 1800
    assert "000 §Request token" in profile.source_of("client_auth")
    assert profile.contradiction_for("client_auth") is not None


def test_days_out_guide_records_its_contradiction() -> None:
    profile = load_profile("daysoutguide")
    assert profile.expiry.readings == ("milliseconds", "seconds")
    assert profile.invalidates_earlier is True
    assert profile.refresh.supported is False
    assert profile.resource.path is None
    contradiction = profile.contradiction_for("expiry.unit")
    assert contradiction is not None and "86399" in contradiction.evidence


def test_extends_overrides_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nextends: tourpaq\ninvalidation:\n  new_token_invalidates_earlier: false\n")
    profile = load_profile(str(path))
    assert profile.invalidates_earlier is False
    assert profile.token_path == "/api/token"  # inherited
    assert profile.source_of("invalidation") == "000, 001 (silent)"  # section merged, source kept


def test_extends_a_sibling_file(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("name: base\nextends: daysoutguide\nresource:\n  path: /x\n")
    (tmp_path / "leaf.yaml").write_text("name: leaf\nextends: base.yaml\n")
    assert load_profile(str(tmp_path / "leaf.yaml")).resource.path == "/x"


def test_circular_extends(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nextends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n")
    with pytest.raises(ProfileError, match="field extends: circular chain"):
        load_profile(str(tmp_path / "a.yaml"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "name: x\nextends: tourpaq\ntoken_endpoint:\n  path: api/token\n",
            "field token_endpoint.path: 'api/token' does not match '^/'",
        ),
        (
            "name: x\nextends: tourpaq\nrefresh:\n  rotation: maybe\n",
            "field refresh.rotation: 'maybe' is not one of",
        ),
        ("name: x\nextends: tourpaq\nexpirey: {}\n", "unknown field 'expirey' (did you mean 'expiry'?)"),
        ("name: X Y\n", "field name: 'X Y' does not match"),
        ("title: no name\n", "field (top level): 'name' is a required property"),
        ("name: lonely\n", ": missing (set it here or in the profile it extends)"),
    ],
)
def test_invalid_profile_names_file_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_builtin_suggests_a_name() -> None:
    with pytest.raises(ProfileError, match="did you mean 'tourpaq'"):
        load_profile("tourpak")


def test_missing_file() -> None:
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile("/nonexistent/profile.yaml")
