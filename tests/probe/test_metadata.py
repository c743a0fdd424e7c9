"""`conformance probe --url BASE`: where the server publishes RFC 8414 metadata, the endpoints
come from it (and the draft says so); where it does not, --token-path is needed as before."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conformance.cli import USAGE_ERROR, main
from conformance.cli.probe import plan
from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.client import ClientCredentials, Credentials, InProcessASGITransport
from conformance.clock import ManualClock
from conformance.emulator import Emulator
from conformance.errors import UsageError
from conformance.probe import ProbeResult, ProbeSettings, learn_profile
from conformance.profile import Profile, load_profile

SERVICES = str(SELFTEST_PROFILE_DIR / "tourpaq-services.yaml")


def _probe(profile: Profile, token_path: str | None) -> ProbeResult:
    known = profile.emulator
    credentials = Credentials(
        ClientCredentials(known.client_id, known.client_secret), known.username, known.password
    )
    clock = ManualClock()
    emulator = Emulator(profile, clock=clock, credentials=credentials)
    return learn_profile(
        ProbeSettings(
            url="http://emulator.probe", token_path=token_path, resource_path=profile.resource.path
        ),
        credentials,
        say=lambda line: None,
        transport=InProcessASGITransport(emulator.app),
        clock=clock,
    )


def test_the_endpoints_are_learned_from_the_metadata_alone(tmp_path: Path) -> None:
    result = _probe(load_profile(SERVICES), None)
    assert (
        "conformance probe: learned from metadata: token endpoint /api/token, revocation /api/revoke, "
        in ("\n".join(result.lines))
    )
    assert "# learned from metadata: token_endpoint (RFC 8414 §2)\n  path: /api/token" in result.text
    path = tmp_path / "draft.yaml"
    path.write_text(result.text)
    learned = load_profile(str(path))
    assert learned.token_path == "/api/token"
    assert "  #1 HTTP 200  metadata: authorization server (RFC 8414)" in result.lines
    assert learned.revocation is not None and learned.revocation.path == "/api/revoke"
    assert learned.introspection is not None and learned.introspection.path == "/api/introspect"
    assert learned.metadata is not None
    assert learned.metadata.authorization_server == "/.well-known/oauth-authorization-server"
    assert learned.metadata.protected_resource == "/.well-known/oauth-protected-resource"
    # The experiments still ran against the learned token endpoint.
    assert (learned.client_auth, learned.grant_password, learned.refresh.supported) == ("basic", True, True)
    # Its access tokens are RFC 9068 JWTs: the draft says so.
    assert learned.access_token is not None and learned.access_token.format == "jwt"


def test_without_metadata_the_probe_needs_the_token_path() -> None:
    tourpaq = load_profile("tourpaq")
    with pytest.raises(UsageError, match="publishes no RFC 8414 metadata .*: pass --token-path"):
        _probe(tourpaq, None)
    result = _probe(tourpaq, tourpaq.token_path)
    assert "given with --token-path" in result.text
    data = yaml.safe_load(result.text)
    assert not {"metadata", "revocation", "introspection"} & set(data)


def test_the_command_line_no_longer_requires_the_token_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in (("USERNAME", "u"), ("PASSWORD", "p")):
        monkeypatch.setenv(f"CONFORMANCE_{name}", value)
    # Nothing listens there: the metadata request finds no server (exit 2), not a usage error.
    assert main(["probe", "--url", "http://127.0.0.1:9"]) == 2
    assert "metadata: authorization server (RFC 8414)" in capsys.readouterr().err
    assert main(["probe", "--url", "ftp://x"]) == USAGE_ERROR


def test_a_client_credentials_server_is_learned_from_its_metadata_alone(tmp_path: Path) -> None:
    # Acceptance: no user credentials, no --token-path: the metadata names the endpoints, one
    # client credentials grant per advertised method shows which work.
    machine = load_profile("machine")
    known = machine.emulator
    credentials = Credentials(ClientCredentials(known.client_id, known.client_secret), "", "")
    clock = ManualClock()
    emulator = Emulator(machine, clock=clock, credentials=credentials)
    result = learn_profile(
        ProbeSettings(url="http://emulator.probe", token_path=None),
        credentials,
        say=lambda line: None,
        transport=InProcessASGITransport(emulator.app),
        clock=clock,
    )
    path = tmp_path / "machine.yaml"
    path.write_text(result.text)
    learned = load_profile(str(path))
    assert learned.token_path == machine.token_path
    assert learned.client_auth_methods == machine.client_auth_methods
    assert (learned.grant_password, learned.refresh.supported, learned.grant_client_credentials) == (
        False,
        False,
        True,
    )
    assert learned.revocation is not None and machine.revocation is not None
    assert learned.revocation.path == machine.revocation.path
    assert learned.introspection is not None and machine.introspection is not None
    assert learned.introspection.path == machine.introspection.path
    assert learned.metadata is not None and machine.metadata is not None
    assert learned.metadata.authorization_server == machine.metadata.authorization_server
    assert learned.metadata.protected_resource == machine.metadata.protected_resource
    # One grant per advertised method, the advertised scope asked for, an unknown scope, a made-up
    # refresh token: five token requests, the secret in none of the output.
    assert result.token_requests == 5 and known.client_secret not in result.text + "\n".join(result.lines)
    assert learned.access_token is None  # opaque tokens: nothing written


def test_without_user_credentials_a_server_without_the_grant_is_not_probed() -> None:
    services = load_profile(SERVICES)
    known = services.emulator
    credentials = Credentials(ClientCredentials(known.client_id, known.client_secret), "", "")
    with pytest.raises(UsageError, match="set CONFORMANCE_USERNAME and CONFORMANCE_PASSWORD: without them"):
        learn_profile(
            ProbeSettings(url="http://emulator.probe", token_path=None),
            credentials,
            say=lambda line: None,
            transport=InProcessASGITransport(Emulator(services, credentials=credentials).app),
        )


def test_a_client_pair_alone_is_enough_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("USERNAME", "PASSWORD"):
        monkeypatch.delenv(f"CONFORMANCE_{name}", raising=False)
    monkeypatch.setenv("CONFORMANCE_CLIENT_ID", "probe-client")
    monkeypatch.setenv("CONFORMANCE_CLIENT_SECRET", "probe-secret")
    # Not a usage error: the metadata request goes out (nothing listens there: exit 2).
    assert main(["probe", "--url", "http://127.0.0.1:9"]) == 2
    monkeypatch.delenv("CONFORMANCE_CLIENT_SECRET")
    assert main(["probe", "--url", "http://127.0.0.1:9"]) == USAGE_ERROR
    assert "set CONFORMANCE_USERNAME, CONFORMANCE_PASSWORD" in capsys.readouterr().err


def test_the_plan_for_a_client_pair_alone_says_what_it_will_send() -> None:
    settings = ProbeSettings(url="https://auth.example.com", token_path=None)
    text = plan(settings, True, has_user=False)
    assert "client credentials grant, one per client authentication method" in text
    assert "only those the metadata advertises, where it publishes any" in text
    # Side effects said before any request: the search beside the token endpoint, a revocation.
    assert "at most 8 paths beside the token endpoint" in text and "revokes one access token" in text
    assert "CONFORMANCE_USERNAME" not in text
    assert "CONFORMANCE_USERNAME" in plan(settings, True)
    assert "one token by the client credentials grant" in plan(settings, True)
