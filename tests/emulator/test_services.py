"""The emulator's revocation (RFC 7009), introspection (RFC 7662), metadata (RFC 8414, RFC 9728)
and JWT access tokens (RFC 9068): served where the profile has the section, and as it says."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.checks.services import decode_jwt
from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.client import ClientCredentials, ConformanceClient
from conformance.client.endpoints import fetch_metadata, introspect, revoke
from conformance.emulator import Emulator
from conformance.profile import Profile, load_profile
from tests.conftest import emulated_client

SERVICES = str(SELFTEST_PROFILE_DIR / "tourpaq-services.yaml")


@pytest.fixture
def services() -> Profile:
    return load_profile(SERVICES)


@pytest.fixture
def emulated(services: Profile) -> Iterator[tuple[ConformanceClient, Emulator]]:
    client, emulator = emulated_client(services)
    yield client, emulator
    client.close()


def _token(client: ConformanceClient) -> dict[str, str]:
    exchange = client.password_grant("token")
    assert exchange.status == 200 and isinstance(exchange.json, dict)
    return exchange.json


def test_revocation_answers_200_and_the_tokens_are_refused(
    emulated: tuple[ConformanceClient, Emulator],
) -> None:
    client, _ = emulated
    token = _token(client)
    assert revoke(client, "never-issued", "unknown").status == 200
    assert revoke(client, token["refresh_token"], "refresh", hint="access_token").status == 200
    assert client.refresh_grant(token["refresh_token"], "refresh").error_code == "invalid_grant"
    # The profile says revoking a refresh token revokes its access tokens (RFC 7009 §2.1).
    assert client.call_resource(token["access_token"], "resource").status == 401
    second = _token(client)
    assert revoke(client, second["access_token"], "access").status == 200
    assert client.call_resource(second["access_token"], "resource").status == 401
    assert client.refresh_grant(second["refresh_token"], "refresh").status == 200


def test_revocation_and_introspection_authenticate_the_client(
    emulated: tuple[ConformanceClient, Emulator],
) -> None:
    client, _ = emulated
    token = _token(client)
    registered = client.credentials.client
    assert registered is not None
    wrong = ClientCredentials(registered.client_id, "wrong")
    for credentials in (None, wrong):
        refused = revoke(client, token["access_token"], "revocation", credentials=credentials)
        assert (refused.status, refused.error_code) == (401, "invalid_client")
        assert (
            introspect(client, token["access_token"], "introspection", credentials=credentials).status == 401
        )
    assert client.call_resource(token["access_token"], "resource").status == 200


def test_introspection_says_active_with_members_then_inactive(
    emulated: tuple[ConformanceClient, Emulator],
) -> None:
    client, emulator = emulated
    token = _token(client)
    live = introspect(client, token["access_token"], "live").json
    assert isinstance(live, dict) and live["active"] is True
    assert {"client_id", "exp", "iat", "sub"} <= set(live)
    assert live["exp"] - live["iat"] == emulator.behaviour.lifetime
    assert introspect(client, "never-issued", "unknown").json == {"active": False}
    emulator.clock.advance(emulator.behaviour.lifetime + 1)
    assert introspect(client, token["access_token"], "expired").json == {"active": False}


def test_metadata_is_generated_from_the_profile(emulated: tuple[ConformanceClient, Emulator]) -> None:
    client, _ = emulated
    server = fetch_metadata(client, "/.well-known/oauth-authorization-server", "server").json
    assert isinstance(server, dict)
    assert server["issuer"] == "http://emulator.test"
    assert server["token_endpoint"] == "http://emulator.test/api/token"
    assert server["revocation_endpoint"] == "http://emulator.test/api/revoke"
    assert server["introspection_endpoint"] == "http://emulator.test/api/introspect"
    assert server["grant_types_supported"] == ["password", "refresh_token"]
    assert server["token_endpoint_auth_methods_supported"] == ["client_secret_basic"]
    resource = fetch_metadata(client, "/.well-known/oauth-protected-resource", "resource").json
    assert resource == {
        "resource": "http://emulator.test",
        "bearer_methods_supported": ["header"],
        "authorization_servers": ["http://emulator.test"],
    }


def test_access_tokens_are_rfc9068_jwts(emulated: tuple[ConformanceClient, Emulator]) -> None:
    client, _ = emulated
    token = _token(client)
    decoded = decode_jwt(token["access_token"])
    assert not isinstance(decoded, str)
    header, claims = decoded
    assert header["typ"] == "at+jwt" and header["alg"] == "HS256"
    assert {"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} <= set(claims)
    assert claims["client_id"] == "booking.tourpaq.dk"
    # iss is the issuer the metadata names: the origin the token request came to.
    assert claims["iss"] == claims["aud"] == "http://emulator.test"
    assert client.call_resource(token["access_token"], "resource").status == 200


def test_a_profile_without_the_sections_serves_none_of_them() -> None:
    profile = load_profile("tourpaq")
    assert (profile.revocation, profile.introspection, profile.metadata, profile.access_token) == (None,) * 4
    client, _ = emulated_client(profile)
    try:
        token = _token(client)
        assert decode_jwt(token["access_token"]) == (
            "not a JWS compact serialization (1 dot-separated parts, 3 expected)"
        )
        # The catch-all protected resource answers instead: no metadata is published.
        assert fetch_metadata(client, "/.well-known/oauth-authorization-server", "server").status == 401
    finally:
        client.close()


def test_the_service_endpoints_keep_their_own_client_checks() -> None:
    # A token endpoint that accepts a wrong secret (a defect of its grant checks) does not make
    # the revocation endpoint accept one: each endpoint's defects are its own.
    client, _ = emulated_client(load_profile(SERVICES), defects=["accepts-wrong-client-secret"])
    try:
        token = _token(client)
        registered = client.credentials.client
        assert registered is not None
        wrong = ClientCredentials(registered.client_id, "wrong")
        assert revoke(client, token["access_token"], "revocation", credentials=wrong).status == 401
        # Introspection answers from the authorization server's store: replication lag at the
        # resource does not make a fresh token inactive there.
        lagging, _ = emulated_client(load_profile(SERVICES), defects=["replication-lag"])
        fresh = _token(lagging)
        assert introspect(lagging, fresh["access_token"], "introspection").json["active"] is True
        lagging.close()
    finally:
        client.close()
