"""Profile fields of issue 11, points 1-3: grants.client_credentials, client_auth.methods (one
source of truth with client_auth.style) and scope.unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.errors import ProfileError
from conformance.profile import UNSPECIFIED, load_profile


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_methods_are_derived_from_the_style_of_existing_profiles() -> None:
    assert load_profile("tourpaq").client_auth_methods == ("client_secret_basic",)
    assert load_profile("daysoutguide").client_auth_methods == ("none",)
    assert load_profile("rfc6749").client_auth_methods == ("client_secret_basic",)


def test_machine_profile_offers_only_client_credentials() -> None:
    machine = load_profile("machine")
    assert machine.grant_client_credentials is True
    assert machine.grant_password is False
    assert machine.client_auth_methods == ("client_secret_basic", "client_secret_post")
    assert machine.client_auth == "basic"  # the first listed method is the suite's default
    assert (machine.scope_value, machine.scope_unknown) == ("read", "refused")


def test_seed_profiles_leave_the_new_fields_unspecified() -> None:
    for name in ("tourpaq", "daysoutguide"):
        profile = load_profile(name)
        assert profile.grant_client_credentials == UNSPECIFIED
        assert profile.scope_unknown == UNSPECIFIED


def test_listed_methods_replace_an_inherited_style(tmp_path: Path) -> None:
    ref = _write(
        tmp_path,
        "postonly",
        "name: postonly\nextends: tourpaq\nclient_auth:\n  methods: [client_secret_post]\n",
    )
    profile = load_profile(ref)
    assert profile.client_auth == "body"
    assert profile.client_auth_methods == ("client_secret_post",)


def test_a_style_replaces_inherited_methods(tmp_path: Path) -> None:
    ref = _write(tmp_path, "bodyonly", "name: bodyonly\nextends: machine\nclient_auth:\n  style: body\n")
    profile = load_profile(ref)
    assert profile.client_auth_methods == ("client_secret_post",)
    assert profile.client_auth == "body"


def test_schema_refuses_an_unknown_method(tmp_path: Path) -> None:
    ref = _write(tmp_path, "jwt", "name: jwt\nextends: machine\nclient_auth:\n  methods: [private_key_jwt]\n")
    with pytest.raises(ProfileError, match="client_auth.methods"):
        load_profile(ref)


def test_schema_refuses_an_unknown_scope_rule(tmp_path: Path) -> None:
    ref = _write(tmp_path, "odd", "name: odd\nextends: machine\nscope:\n  unknown: sometimes\n")
    with pytest.raises(ProfileError, match="scope.unknown"):
        load_profile(ref)
