"""The emulator's client credentials grant (RFC 6749 §4.4), client authentication methods (§2.3)
and scope (§3.3, §5.1), as the machine profile says; and the defects of that area."""

from __future__ import annotations

import pytest

from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.client import ClientCredentials, ConformanceClient
from tests.conftest import MakeEmulated

MACHINE = "machine"


def _both_methods(client: ConformanceClient) -> list[tuple[str, str]]:
    real = client.credentials.client
    assert real is not None
    return [
        *client.client_credentials_params(),
        ("client_id", real.client_id),
        ("client_secret", real.client_secret),
    ]


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_each_listed_method_gets_a_token_without_refresh_token(emulated: MakeEmulated, method: str) -> None:
    client, _ = emulated(MACHINE)
    exchange = client.client_credentials_grant("token", method=method)  # type: ignore[arg-type]
    assert exchange.status == 200 and isinstance(exchange.json, dict)
    assert exchange.json["access_token"] and "refresh_token" not in exchange.json  # §4.4.3
    # The request asked for exactly the scope granted: no scope member is needed (§5.1).
    assert "scope" not in exchange.json


def test_no_client_authentication_is_invalid_client(emulated: MakeEmulated) -> None:
    client, _ = emulated(MACHINE)
    exchange = client.client_credentials_grant("token", client=None)
    assert (exchange.status, exchange.error_code) == (401, "invalid_client")


def test_the_restricted_client_is_unauthorized(emulated: MakeEmulated) -> None:
    client, _ = emulated(MACHINE)
    restricted = client.credentials.restricted_client
    assert restricted is not None
    exchange = client.client_credentials_grant("token", client=restricted)
    assert (exchange.status, exchange.error_code) == (400, "unauthorized_client")
    wrong = client.client_credentials_grant(
        "token", client=ClientCredentials(restricted.client_id, "nope-nope")
    )
    assert wrong.error_code == "invalid_client"


def test_two_methods_in_one_request_are_invalid_request(emulated: MakeEmulated) -> None:
    client, _ = emulated(MACHINE)
    exchange = client.token_request(_both_methods(client), purpose="both", method="client_secret_basic")
    assert (exchange.status, exchange.error_code) == (400, "invalid_request")


def test_an_unlisted_method_is_refused(emulated: MakeEmulated) -> None:
    client, _ = emulated(str(SELFTEST_PROFILE_DIR / "machine-basic.yaml"))
    exchange = client.client_credentials_grant("token", method="client_secret_post")
    assert exchange.error_code == "invalid_client"


def test_unknown_scope_refused_or_ignored_as_the_profile_says(emulated: MakeEmulated) -> None:
    client, _ = emulated(MACHINE)
    refused = client.client_credentials_grant("token", scope="read conformance-unknown")
    assert (refused.status, refused.error_code) == (400, "invalid_scope")
    client, _ = emulated(str(SELFTEST_PROFILE_DIR / "machine-basic.yaml"))
    narrowed = client.client_credentials_grant("token", scope="read conformance-unknown")
    assert narrowed.status == 200 and isinstance(narrowed.json, dict)
    assert narrowed.json["scope"] == "read"  # granted differs from requested: returned (§5.1)


def test_profiles_without_the_grant_refuse_it(emulated: MakeEmulated) -> None:
    client, _ = emulated("tourpaq")
    assert client.client_credentials_grant("token").error_code == "unsupported_grant_type"


def test_a_second_client_owns_none_of_the_first_ones_refresh_tokens(emulated: MakeEmulated) -> None:
    """Every emulator with client authentication has a second client (RFC 6749 §6: a refresh token
    is bound to its client): it may not use the first client's refresh token."""
    client, _ = emulated("tourpaq")
    other = client.credentials.restricted_client
    assert other is not None
    pair = client.password_grant("token").json
    assert isinstance(pair, dict)
    stolen = client.refresh_grant(
        pair["refresh_token"], "token: another client's refresh token", client=other
    )
    assert stolen.error_code == "invalid_grant"
    assert client.refresh_grant(pair["refresh_token"], "token: its own").issued_token is not None


@pytest.mark.parametrize(
    ("defect", "request_kind", "outcome"),
    [
        ("client-credentials-refresh-token", "plain", "refresh_token"),
        ("client-credentials-without-client-auth", "no-auth", 200),
        ("client-credentials-any-secret", "wrong-secret", 200),
        ("client-credentials-any-client", "restricted", 200),
        ("unauthorized-client-as-invalid-grant", "restricted", "invalid_grant"),
        ("two-client-auth-methods-accepted", "both", 200),
        ("basic-client-auth-refused", "plain", "invalid_client"),
        ("post-client-auth-refused", "post", "invalid_client"),
        ("unknown-scope-granted", "unknown-scope", 200),
        ("unknown-scope-invalid-request", "unknown-scope", "invalid_request"),
        ("client-credentials-unsupported", "plain", "unsupported_grant_type"),
    ],
)
def test_each_defect_does_what_it_says(
    emulated: MakeEmulated, defect: str, request_kind: str, outcome: object
) -> None:
    client, _ = emulated(MACHINE, defects=[defect])
    real = client.credentials.client
    assert real is not None
    if request_kind == "both":
        exchange = client.token_request(_both_methods(client), purpose="both", method="client_secret_basic")
    else:
        chosen = {
            "no-auth": None,
            "wrong-secret": ClientCredentials(real.client_id, real.client_secret + "x"),
            "restricted": client.credentials.restricted_client,
        }.get(request_kind, real)
        exchange = client.client_credentials_grant(
            "token",
            client=chosen,
            method="client_secret_post" if request_kind == "post" else "client_secret_basic",
            scope="read conformance-unknown" if request_kind == "unknown-scope" else "read",
        )
    if outcome == "refresh_token":
        assert isinstance(exchange.json, dict) and "refresh_token" in exchange.json
    elif isinstance(outcome, int):
        assert exchange.status == outcome
    else:
        assert exchange.error_code == outcome


@pytest.mark.parametrize(
    ("defect", "scope"),
    [("narrowed-scope-not-returned", None), ("requested-scope-echoed", "read conformance-unknown")],
)
def test_scope_defects_say_the_wrong_scope(emulated: MakeEmulated, defect: str, scope: str | None) -> None:
    client, _ = emulated(str(SELFTEST_PROFILE_DIR / "machine-basic.yaml"), defects=[defect])
    exchange = client.client_credentials_grant("token", scope="read conformance-unknown")
    assert exchange.status == 200 and isinstance(exchange.json, dict)
    assert exchange.json.get("scope") == scope


def test_unlisted_post_accepted_defect(emulated: MakeEmulated) -> None:
    client, _ = emulated(str(SELFTEST_PROFILE_DIR / "machine-basic.yaml"), defects=["unlisted-post-accepted"])
    assert client.client_credentials_grant("token", method="client_secret_post").status == 200


def test_scope_always_returned_variant(emulated: MakeEmulated) -> None:
    client, _ = emulated(MACHINE, variants=["scope-always-returned"])
    exchange = client.client_credentials_grant("token")
    assert isinstance(exchange.json, dict) and exchange.json["scope"] == "read"


def test_basic_accepted_though_unlisted_variant(emulated: MakeEmulated) -> None:
    post_only = str(SELFTEST_PROFILE_DIR / "machine-post.yaml")
    plain, _ = emulated(post_only)
    assert (
        plain.client_credentials_grant("token", method="client_secret_basic").error_code == "invalid_client"
    )
    varied, _ = emulated(post_only, variants=["basic-accepted-though-unlisted"])
    assert varied.client_credentials_grant("token", method="client_secret_basic").status == 200


def test_invalid_client_400_body_variant(emulated: MakeEmulated) -> None:
    post_only = str(SELFTEST_PROFILE_DIR / "machine-post.yaml")
    client, _ = emulated(post_only, variants=["invalid-client-400-body"])
    real = client.credentials.client
    assert real is not None
    wrong = client.client_credentials_grant("token", client=ClientCredentials(real.client_id, "wrong-secret"))
    assert (wrong.status, wrong.error_code, wrong.header("www-authenticate")) == (400, "invalid_client", None)
    assert client.client_credentials_grant("token").status == 200
