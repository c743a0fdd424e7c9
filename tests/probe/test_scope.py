"""Scope: learned from RFC 9728 and RFC 8414 scopes_supported, from a token response's scope and
from a 403 insufficient_scope challenge, so that the suite's scope checks have one to ask for."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.probe.metadata import Advertised
from conformance.probe.scope import advertised_scopes, scope_tokens
from tests.probe.emulated import NO_METADATA, learned, probe, profile_file


def test_the_resource_metadata_scopes_come_first(tmp_path: Path) -> None:
    # The authorization server lists read and write; the resource's own document (RFC 9728,
    # served by the metadata-extra-members variant) lists read: the client asks for that.
    server = profile_file(tmp_path, "extends: machine\nscope: {value: read write}\n")
    result = probe(server, user=False, variants=["metadata-extra-members"])
    assert result.draft.value("scope.value") == "read"
    assert result.draft.facts["scope.value"].how.startswith("RFC 9728 scopes_supported lists read; asked")


def test_the_server_metadata_scopes_are_asked_for(tmp_path: Path) -> None:
    server = profile_file(tmp_path, "extends: machine\nscope: {value: read write}\n")
    result = probe(server, user=False)
    assert learned(result, tmp_path).scope_value == "read write"
    assert "RFC 8414 scopes_supported lists read write; asked for it: #5 HTTP 200" in result.text


def test_openid_connect_scopes_are_not_asked_for() -> None:
    # They ask for claims about a user, not for access to a resource (OpenID Connect Core §5.4).
    only_oidc = Advertised(server_metadata="/m", server_scopes=["openid", "offline_access"])
    assert advertised_scopes(only_oidc) == ([], "")
    mixed = Advertised(server_metadata="/m", server_scopes=["openid", "read"], resource_scopes=[])
    assert advertised_scopes(mixed) == (["read"], "RFC 8414 scopes_supported")
    assert scope_tokens('read "bad" write read') == ["read", "write"]  # RFC 6749 §3.3 tokens, once


def test_a_token_response_scope_is_evidence_without_metadata(tmp_path: Path) -> None:
    server = profile_file(tmp_path, "extends: machine\n" + NO_METADATA)
    result = probe(server, user=False, token_path="/token")
    assert result.draft.value("scope.value") == "read"
    assert "granted when no scope was asked (#3 HTTP 200)" in result.draft.facts["scope.value"].how


def test_an_insufficient_scope_challenge_names_the_scope_the_resource_needs(tmp_path: Path) -> None:
    # The metadata lists read; a token granted read is refused with 403 and
    # WWW-Authenticate: Bearer error="insufficient_scope", scope="write".
    server = profile_file(
        tmp_path,
        "extends: machine\nscope: {value: read}\n"
        "resource: {path: /api/reports, method: GET, required_scope: write}\n",
    )
    result = probe(server, user=False, resource_path="/api/reports")
    profile = learned(result, tmp_path)
    assert (profile.scope_value, profile.resource.required_scope) == ("read write", "write")
    how = result.draft.facts["resource.required_scope"].how
    assert how.startswith("a token without it was refused for its scope (#") and "HTTP 403" in how
    # The rest was learned with a token the resource serves.
    assert profile.resource.rejection.status == 401


@pytest.mark.parametrize(
    ("rule", "said"), [("refused", "invalid_scope"), ("ignored", "the scope returned names read")]
)
def test_what_an_unknown_scope_gets_is_learned(tmp_path: Path, rule: str, said: str) -> None:
    server = profile_file(tmp_path, f"extends: machine\nscope: {{value: read, unknown: {rule}}}\n")
    result = probe(server, user=False)
    assert learned(result, tmp_path).scope_unknown == rule
    assert said in result.draft.facts["scope.unknown"].how


def test_no_scope_named_anywhere_says_so(tmp_path: Path) -> None:
    tourpaq = profile_file(tmp_path, "extends: tourpaq\n")
    result = probe(tourpaq, token_path=tourpaq.token_path)
    assert result.draft.value("scope.value") is None
    assert "no scope is named" in result.draft.facts["scope.value"].how
