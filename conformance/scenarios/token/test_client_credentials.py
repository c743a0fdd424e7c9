"""The client credentials grant (RFC 6749 §4.4): it issues a token to an authenticated client, and
only to a client allowed it. What is not about this grant alone (client authentication methods,
scope, the token response) is in the scenarios that run through every grant."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_refused
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc6749
from conformance.scenarios.token.client_auth_cases import CASES, client_auth_attempt, second_client

requirement = pytest.mark.requirement


@requirement(rfc6749.CC_ISSUES, rfc6749.CC_NO_REFRESH_TOKEN)
@applies(client_credentials=True)
def test_client_credentials_grant_issues_an_access_token(conformance: Scenario) -> None:
    conformance.grant = "client_credentials"
    exchange = conformance.obtain_token("token: client credentials grant").exchange
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
    restricted = second_client(conformance, "without the client credentials grant")
    exchange = conformance.client.client_credentials_grant(
        "token: client credentials grant, a client not allowed it", client=restricted, expect_token=False
    )
    found = expect_refused(
        exchange, rfc6749.CC_UNAUTHORIZED_CLIENT, {"unauthorized_client"}, "a client without the grant"
    )
    # A server that does not tell its clients apart (RFC6749-4.4-client-auth) serves this one too;
    # a refusal with another code is this requirement's own.
    if exchange.issued_token is not None:
        found = [f.following(rfc6749.CC_CLIENT_AUTH) for f in found]
    conformance.expect(found, rfc6749.CC_UNAUTHORIZED_CLIENT)
