"""The revocation, introspection, metadata and access_token sections: validated, loaded, and
absent (None: the provider has none) where a profile does not have them."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.errors import ProfileError
from conformance.profile import load_profile
from conformance.profile.model import AccessToken, Introspection, Metadata, Revocation


def test_the_sections_load_with_their_sources() -> None:
    profile = load_profile(str(SELFTEST_PROFILE_DIR / "tourpaq-services.yaml"))
    assert profile.revocation == Revocation("/api/revoke", True, True, "self-test assumption (RFC 7009 §2.1)")
    assert profile.introspection == Introspection(
        "/api/introspect", ("client_id", "exp", "sub"), "self-test assumption (RFC 7662 §2.2)"
    )
    assert profile.metadata == Metadata(
        "/.well-known/oauth-authorization-server",
        "/.well-known/oauth-protected-resource",
        "self-test assumption (RFC 8414 §3, RFC 9728 §3)",
    )
    assert profile.access_token == AccessToken("jwt", "self-test assumption (RFC 9068)")


@pytest.mark.parametrize("name", ["tourpaq", "daysoutguide", "rfc6749"])
def test_absent_sections_mean_the_provider_has_none(name: str) -> None:
    profile = load_profile(name)
    assert (profile.revocation, profile.introspection, profile.metadata, profile.access_token) == (None,) * 4


def test_unspecified_revocation_rules_default_to_unspecified(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: p\nextends: tourpaq\nrevocation:\n  path: /revoke\n")
    revocation = load_profile(str(path)).revocation
    assert revocation == Revocation("/revoke", "unspecified", "unspecified", "unspecified")


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "revocation:\n  path: /revoke\n  revokes_acess_tokens: true\n",
            "did you mean 'revokes_access_tokens'",
        ),
        ("introspection:\n  members: [exp]\n", "field introspection.path: missing"),
        ("metadata:\n  authorization_server: well-known\n", "field metadata.authorization_server"),
        ("access_token:\n  format: paseto\n", "field access_token.format"),
    ],
)
def test_a_bad_section_is_one_line_naming_the_field(tmp_path: Path, section: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: p\nextends: tourpaq\n" + section)
    with pytest.raises(ProfileError, match=message.replace(".", r"\.")):
        load_profile(str(path))
