"""How tokens are issued, learned with or without metadata: every client authentication method
that works (Basic first), the client credentials grant beside the password grant or alone, and a
grant the server keeps from this client learned as offered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.client import ClientCredentials
from conformance.credentials import Credentials
from tests.probe.emulated import NO_METADATA, learned, probe, profile_file

BOTH_METHODS = "extends: tourpaq\nclient_auth: {methods: [client_secret_post, client_secret_basic]}\n"


def test_every_method_that_issues_a_token_is_listed_basic_first(tmp_path: Path) -> None:
    server = profile_file(tmp_path, BOTH_METHODS)
    result = probe(server, token_path=server.token_path)
    # The server lists the body first; the draft keeps Basic first, the suite's default.
    assert result.draft.value("client_auth.methods") == ["client_secret_basic", "client_secret_post"]
    profile = learned(result, tmp_path)
    assert profile.client_auth == "basic"
    assert profile.client_auth_methods == ("client_secret_basic", "client_secret_post")
    how = result.draft.facts["client_auth.methods"].how
    assert "HTTP Basic issued a token (#4 HTTP 200)" in how
    assert "client_id/client_secret in the body issued a token (#5 HTTP 200)" in how


def test_a_method_the_server_refuses_is_left_out_and_said(tmp_path: Path) -> None:
    tourpaq = profile_file(tmp_path, "extends: tourpaq\n")
    result = probe(tourpaq, token_path=tourpaq.token_path)
    assert result.draft.value("client_auth.methods") == ["client_secret_basic"]
    assert "body in body: #5 HTTP 401 invalid_client" in result.draft.facts["client_auth.methods"].how


@pytest.mark.parametrize(
    ("grants", "value", "said"),
    [
        ("grants: {client_credentials: true}\n", True, "the client credentials grant issued a token (#6"),
        ("", False, "refused as an unsupported grant type: #6 HTTP 400 unsupported_grant_type"),
    ],
)
def test_without_metadata_the_client_credentials_grant_is_tried_beside_the_password_grant(
    tmp_path: Path, grants: str, value: object, said: str
) -> None:
    server = profile_file(tmp_path, f"extends: tourpaq\n{grants}")
    result = probe(server, token_path=server.token_path)
    assert "metadata.authorization_server" not in result.draft.facts  # none published
    assert result.draft.value("grants.client_credentials") is value
    assert said in result.draft.facts["grants.client_credentials"].how
    assert learned(result, tmp_path).grant_client_credentials is value


def test_a_client_pair_alone_learns_the_grant_without_metadata(tmp_path: Path) -> None:
    server = profile_file(tmp_path, "extends: machine\n" + NO_METADATA)
    result = probe(server, user=False, token_path="/token")
    profile = learned(result, tmp_path)
    assert profile.client_auth_methods == ("client_secret_basic", "client_secret_post")
    assert (profile.grant_client_credentials, profile.parameter_location) == (True, "body")
    # Not tried, and no metadata to say: the password grant is left to the reviewer.
    assert profile.grant_password == "unspecified"
    assert "not tried: CONFORMANCE_USERNAME and CONFORMANCE_PASSWORD are not set" in result.text


@pytest.mark.parametrize(
    ("base", "because"),
    [
        (str(SELFTEST_PROFILE_DIR / "tourpaq-services.yaml"), "metadata grant_types_supported"),
        ("tourpaq", "unauthorized_client, not unsupported_grant_type"),
    ],
    ids=["metadata", "no-metadata"],
)
def test_a_grant_refused_to_this_client_is_offered_and_blocks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base: str, because: str
) -> None:
    # The probe's client is registered, but not for the client credentials grant: the server
    # answers unauthorized_client, which says the grant exists for other clients.
    server = profile_file(tmp_path, f"extends: {base}\ngrants: {{client_credentials: true}}\n")
    known = server.emulator
    restricted = ClientCredentials(known.restricted_client_id, known.restricted_client_secret)
    # The emulator's second client is allowed neither issuing grant: this one lets it use the
    # password grant, as a client registered for that grant alone is.
    result = probe(
        server, client=restricted, token_path=server.token_path, defects=["password-grant-any-client"]
    )
    how = result.draft.facts["grants.client_credentials"].how
    assert re.fullmatch(
        rf"offered \({re.escape(because)}\), not to this client: #\d+ HTTP 400 unauthorized_client", how
    )
    profile = learned(result, tmp_path)
    assert profile.grant_client_credentials is True
    # The run starts with the probe's own environment: nothing learned is a usage error.
    for name, value in (
        ("CLIENT_ID", restricted.client_id),
        ("CLIENT_SECRET", restricted.client_secret),
        ("USERNAME", known.username),
        ("PASSWORD", known.password),
    ):
        monkeypatch.setenv(f"CONFORMANCE_{name}", value)
    assert Credentials.from_environment(profile).client == restricted
