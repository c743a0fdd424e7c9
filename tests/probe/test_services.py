"""Revocation and introspection endpoints the metadata does not name, found at the usual places
beside the token endpoint (each try said), and whether revoking an access token takes it out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.probe import ProbeResult
from conformance.probe.services import PLACES, candidates
from tests.probe.emulated import NO_METADATA, learned, probe, profile_file

# A machine-to-machine server with no metadata, its endpoints where node-oidc-provider and
# Keycloak put them: neither is the first place looked at.
HIDDEN = (
    "extends: machine\n"
    + NO_METADATA
    + "revocation: {path: /token/revocation}\nintrospection: {path: /token/introspect}\n"
)


def _prose(result: ProbeResult) -> str:
    """The draft with its wrapped comments joined back into one line each."""
    return re.sub(r"\n *# ", " ", result.text)


def test_the_places_follow_the_token_path() -> None:
    assert candidates("/o/token/", "revocation") == [
        "/o/revoke/",
        "/o/revoke_token/",
        "/o/token/revocation/",
        "/o/token/revoke/",
        "/o/revocation/",
    ]
    assert candidates("/token", "introspection") == [
        "/introspect",
        "/token/introspect",
        "/token/introspection",
    ]
    assert candidates("/oauth2/token", "revocation")[0] == "/oauth2/revoke"  # Spring, Hydra
    # Short: each place is a request against someone's server.
    assert sum(len(p) for p in PLACES.values()) <= 8


def test_endpoints_are_found_beside_the_token_endpoint_and_each_try_said(tmp_path: Path) -> None:
    server = profile_file(tmp_path, HIDDEN)
    result = probe(server, user=False, token_path="/token")
    profile = learned(result, tmp_path)
    assert profile.metadata is None or profile.metadata.authorization_server is None
    assert profile.revocation is not None and profile.revocation.path == "/token/revocation"
    assert profile.introspection is not None and profile.introspection.path == "/token/introspect"
    prose = _prose(result)
    assert re.search(
        r"looked for revocation at /revoke \(#\d+ HTTP 405\), /revoke_token \(#\d+ HTTP 405\), "
        r"found at /token/revocation \(#\d+ HTTP 200\)",
        prose,
    ), prose
    assert re.search(
        r"looked for introspection at /introspect \(#\d+ HTTP 405\), found at /token/introspect "
        r"\(#\d+ HTTP 200\): \{\"active\": false\}",
        prose,
    ), prose
    looked = [line for line in result.lines if "(looking for the endpoint)" in line]
    assert len(looked) == 5  # three places for revocation, two for introspection: then found
    # What a live token shows: the members of an active answer, and that revoking it works.
    assert set(profile.introspection.members) >= {"client_id", "exp"}
    assert profile.revocation.revokes_access_tokens is True
    assert result.requests <= 40


def test_no_endpoint_found_is_said_and_none_written(tmp_path: Path) -> None:
    tourpaq = profile_file(tmp_path, "extends: tourpaq\n")
    result = probe(tourpaq, token_path=tourpaq.token_path)
    profile = learned(result, tmp_path)
    assert profile.revocation is None and profile.introspection is None
    prose = _prose(result)
    assert "No RFC 7009 revocation endpoint found: looked at /api/revoke (#" in prose
    assert "No RFC 7662 introspection endpoint found: looked at /api/introspect (#" in prose


def test_without_a_client_pair_nothing_is_looked_for(tmp_path: Path) -> None:
    # RFC 7009 §2.1 and RFC 7662 §2.1 authenticate the caller: every place would refuse.
    daysoutguide = profile_file(tmp_path, "extends: daysoutguide\n")
    result = probe(daysoutguide, with_client=False, token_path=daysoutguide.token_path)
    assert not [line for line in result.lines if "(looking for the endpoint)" in line]
    assert "RFC 7009 revocation: not looked for (no CONFORMANCE_CLIENT_ID" in _prose(result)


@pytest.mark.parametrize(
    ("bend", "defects", "resource_path", "value", "said"),
    [
        ("", (), "/protected", True, r"then refused at the resource \(#\d+ HTTP 401"),
        ("", (), None, True, r"then inactive at introspection \(#\d+ HTTP 200\)"),
        (
            "revocation: {revokes_access_tokens: false}\n",
            (),
            "/protected",
            False,
            r"refused as unsupported: #\d+ HTTP 400 unsupported_token_type",
        ),
        ("", ("revocation-keeps-access-token",), "/protected", "unspecified", r"the suite judges it"),
    ],
    ids=["revoked", "seen-by-introspection", "unsupported", "kept"],
)
def test_revoking_an_access_token_is_tried(
    tmp_path: Path,
    bend: str,
    defects: tuple[str, ...],
    resource_path: str | None,
    value: object,
    said: str,
) -> None:
    server = profile_file(tmp_path, HIDDEN + bend)
    result = probe(server, user=False, token_path="/token", resource_path=resource_path, defects=defects)
    assert result.draft.value("revocation.revokes_access_tokens") == value
    assert re.search(said, result.draft.facts["revocation.revokes_access_tokens"].how)
