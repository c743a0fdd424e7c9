"""The client credentials grant (RFC 6749 §4.4), client authentication methods (§2.3) and scope
(§3.3, §5.1)."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_issued, expect_refused, outcome
from conformance.findings import Finding
from conformance.markers import applies
from conformance.requirements import rfc6749
from conformance.scenario import Scenario
from conformance.scenarios.client_auth_cases import CASES, client_auth_attempt

requirement = pytest.mark.requirement

# A scope no server knows: what §3.3 lets a server refuse (invalid_scope) or ignore.
UNKNOWN_SCOPE = "conformance-unknown-scope"


@requirement(
    rfc6749.CC_ISSUES,
    rfc6749.CC_NO_REFRESH_TOKEN,
    rfc6749.SUCCESS_JSON,
    rfc6749.TOKEN_TYPE,
    rfc6749.NO_STORE,
    rfc6749.PRAGMA_NO_CACHE,
    rfc6749.ACCESS_TOKEN_CHARSET,
)
@applies(client_credentials=True)
def test_client_credentials_grant_issues_an_access_token(conformance: Scenario) -> None:
    exchange = conformance.client.client_credentials_grant("token: client credentials grant")
    found = expect_issued(exchange, rfc6749.CC_ISSUES, "an authenticated client")
    conformance.expect(found, rfc6749.CC_ISSUES)
    if found:
        conformance.stop(f"no token to look at: {outcome(exchange)}")
    body = exchange.json
    assert isinstance(body, dict)
    findings = []
    if "refresh_token" in body:
        # §4.4.3: the client can always ask again with its own credentials.
        findings.append(
            Finding(
                rfc6749.CC_NO_REFRESH_TOKEN,
                "no refresh_token in a client credentials token response (RFC 6749 §4.4.3)",
                "a refresh_token",
                exchange,
            )
        )
    conformance.expect(findings, rfc6749.CC_NO_REFRESH_TOKEN)


@requirement(rfc6749.CC_CLIENT_AUTH, rfc6749.ERROR_RESPONSE, rfc6749.INVALID_CLIENT_401)
@applies(client_credentials=True)
@pytest.mark.parametrize("case", CASES)
def test_client_credentials_grant_requires_client_authentication(conformance: Scenario, case: str) -> None:
    params = conformance.client.client_credentials_params()
    exchange = client_auth_attempt(conformance, case, params, "client credentials grant")
    conformance.expect(
        expect_refused(exchange, rfc6749.CC_CLIENT_AUTH, {"invalid_client"}, case), rfc6749.CC_CLIENT_AUTH
    )


@requirement(rfc6749.CC_UNAUTHORIZED_CLIENT, rfc6749.ERROR_RESPONSE)
@applies(client_credentials=True)
def test_client_not_allowed_the_grant_is_unauthorized(conformance: Scenario) -> None:
    restricted = conformance.client.credentials.restricted_client
    # A client registered without the grant is a fact of the deployment, not of its documentation.
    conformance.requires(
        restricted is not None,
        "no client without the client credentials grant is known "
        "(set CONFORMANCE_RESTRICTED_CLIENT_ID and CONFORMANCE_RESTRICTED_CLIENT_SECRET)",
    )
    exchange = conformance.client.client_credentials_grant(
        "token: client credentials grant, a client not allowed it", client=restricted
    )
    conformance.expect(
        expect_refused(
            exchange, rfc6749.CC_UNAUTHORIZED_CLIENT, {"unauthorized_client"}, "a client without the grant"
        ),
        rfc6749.CC_UNAUTHORIZED_CLIENT,
    )


@requirement(rfc6749.ONE_AUTH_METHOD, rfc6749.ERROR_RESPONSE)
@applies(client_credentials=True)
def test_two_client_authentication_methods_are_refused(conformance: Scenario) -> None:
    client = conformance.client
    real = client.credentials.client
    assert real is not None
    # The right credentials both ways: only using two methods at once is wrong (§2.3, §5.2).
    params = client.client_credentials_params() + [
        ("client_id", real.client_id),
        ("client_secret", real.client_secret),
    ]
    exchange = client.token_request(
        params, purpose="token: client credentials, Basic and body credentials", method="client_secret_basic"
    )
    conformance.expect(
        expect_refused(exchange, rfc6749.ONE_AUTH_METHOD, {"invalid_request"}, "two authentication methods"),
        rfc6749.ONE_AUTH_METHOD,
    )


@requirement(rfc6749.BASIC_SUPPORTED)
@applies(client_credentials=True, auth_method="client_secret_basic")
def test_basic_client_authentication_is_supported(conformance: Scenario) -> None:
    exchange = conformance.client.client_credentials_grant(
        "token: client credentials, HTTP Basic", method="client_secret_basic"
    )
    conformance.expect(
        expect_issued(exchange, rfc6749.BASIC_SUPPORTED, "HTTP Basic client authentication"),
        rfc6749.BASIC_SUPPORTED,
    )


@requirement(rfc6749.LISTED_AUTH_METHODS)
@applies(client_credentials=True)
@pytest.mark.parametrize(
    "method",
    [
        pytest.param("client_secret_basic", marks=applies(auth_method="client_secret_basic")),
        pytest.param("client_secret_post", marks=applies(auth_method="client_secret_post")),
    ],
)
def test_each_documented_method_authenticates(conformance: Scenario, method: str) -> None:
    exchange = conformance.client.client_credentials_grant(
        f"token: client credentials, {method}",
        method="client_secret_basic" if method == "client_secret_basic" else "client_secret_post",
    )
    source = conformance.profile.source_of("client_auth")
    conformance.expect(
        expect_issued(exchange, rfc6749.LISTED_AUTH_METHODS, f"{method}, a documented method ({source})"),
        rfc6749.LISTED_AUTH_METHODS,
    )


@requirement(rfc6749.LISTED_AUTH_METHODS, rfc6749.ERROR_RESPONSE)
@applies(client_credentials=True, auth_method_unlisted="client_secret_post")
def test_body_credentials_refused_where_not_documented(conformance: Scenario) -> None:
    # Only the body: a server must not take a secret where its documentation says it does not
    # read one. Basic is never asked to be refused: RFC 6749 §2.3.1 makes it a MUST.
    exchange = conformance.client.client_credentials_grant(
        "token: client credentials, client_secret_post (not documented)", method="client_secret_post"
    )
    conformance.expect(
        expect_refused(
            exchange,
            rfc6749.LISTED_AUTH_METHODS,
            {"invalid_client", "invalid_request"},
            "client credentials in the body, which the documentation does not list",
        ),
        rfc6749.LISTED_AUTH_METHODS,
    )


def _with_unknown(conformance: Scenario) -> str:
    known = conformance.profile.scope_value
    assert known is not None  # applies(scope_unknown=...) names a known scope
    return f"{known} {UNKNOWN_SCOPE}"


@requirement(rfc6749.INVALID_SCOPE, rfc6749.ERROR_RESPONSE)
@applies(client_credentials=True, scope_unknown="refused")
def test_unknown_scope_is_invalid_scope(conformance: Scenario) -> None:
    exchange = conformance.client.client_credentials_grant(
        "token: client credentials, an unknown scope", scope=_with_unknown(conformance)
    )
    conformance.expect(
        expect_refused(exchange, rfc6749.INVALID_SCOPE, {"invalid_scope"}, "an unknown scope"),
        rfc6749.INVALID_SCOPE,
    )


@requirement(rfc6749.SCOPE_RETURNED, rfc6749.CC_ISSUES)
@applies(client_credentials=True, scope_unknown="ignored")
def test_narrowed_scope_is_returned(conformance: Scenario) -> None:
    requested = _with_unknown(conformance)
    exchange = conformance.client.client_credentials_grant(
        "token: client credentials, a known and an unknown scope", scope=requested
    )
    found = expect_issued(exchange, rfc6749.CC_ISSUES, f"{requested!r} (unknown scopes ignored)")
    conformance.expect(found, rfc6749.CC_ISSUES)
    if found:
        conformance.stop(f"no token to look at: {outcome(exchange)}")
    body = exchange.json
    assert isinstance(body, dict)
    granted = body.get("scope")
    findings = []
    # The unknown scope cannot have been granted, so the granted scope differs from the request.
    if not isinstance(granted, str) or UNKNOWN_SCOPE in granted.split():
        findings.append(
            Finding(
                rfc6749.SCOPE_RETURNED,
                f"scope naming what was granted of {requested!r}, without {UNKNOWN_SCOPE}",
                f"scope {granted!r}" if "scope" in body else "no scope member",
                exchange,
            )
        )
    conformance.expect(findings, rfc6749.SCOPE_RETURNED)
