"""Issuing tokens: each grant's documented request, the response, uniqueness (RFC 6749 §4.3, §4.4,
§5.1, §10.10). What is not about one grant runs through every grant the run can use."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_issued
from conformance.checks.token_sample import judge_issuances
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749, rfc9700

requirement = pytest.mark.requirement


@requirement(rfc6749.PASSWORD_GRANT_ISSUES, rfc9700.PASSWORD_GRANT_DEPRECATED)
@applies(grant_password=True)
def test_password_grant_issues_a_token(conformance: Scenario) -> None:
    conformance.grant = "password"
    token = conformance.obtain_token()
    conformance.expect(
        [
            Finding(
                rfc9700.PASSWORD_GRANT_DEPRECATED,
                "no resource owner password credentials grant (RFC 9700 §2.4, OAuth 2.1)",
                "the provider issues tokens by the password grant",
                token.exchange,
            )
        ]
    )


@requirement(
    rfc6749.SUCCESS_JSON,
    rfc6749.TOKEN_TYPE,
    rfc6749.EXPIRES_IN_TYPE,
    rfc6749.NO_STORE,
    rfc6749.PRAGMA_NO_CACHE,
    rfc6749.ACCESS_TOKEN_CHARSET,
    rfc6749.REFRESH_TOKEN_CHARSET,
    provider.DOCUMENTED_FIELDS,
)
def test_token_response_is_as_documented(conformance: Scenario, grant: str) -> None:
    # The exchange checks judge the response (conformance.checks.token_response); what they judge
    # only when a member is present says so when it never was.
    token = conformance.obtain_token(f"token: {grant} grant, the response")
    body = token.exchange.json
    assert isinstance(body, dict)
    for member, judged in (
        ("expires_in", rfc6749.EXPIRES_IN_TYPE),
        ("refresh_token", rfc6749.REFRESH_TOKEN_CHARSET),
    ):
        if member not in body:
            conformance.log.not_checked(
                judged, f"not applicable: no {member} in the {grant} grant's response"
            )


@requirement(rfc6749.TOKENS_UNIQUE, rfc6749.TOKENS_UNGUESSABLE, rfc6749.TOKENS_160_BITS)
def test_each_issuance_is_unique(conformance: Scenario, grant: str) -> None:
    if conformance.settings.frugal:
        # Its sample of every token the run obtained compares them all, at no extra token.
        for judged in (rfc6749.TOKENS_UNIQUE, rfc6749.TOKENS_UNGUESSABLE, rfc6749.TOKENS_160_BITS):
            conformance.log.not_checked(
                judged,
                "a run that counts its tokens judges this on its sample of every token it obtained "
                "(test_issued_tokens_are_unique_and_unguessable)",
            )
        return
    tokens = [conformance.obtain_token(f"token: issuance {n} of 3") for n in (1, 2, 3)]
    # The one RFC 6749 §10.10 judge (conformance.checks.token_sample), as every layer calls it.
    judge_issuances([t.exchange for t in tokens]).record(conformance.log)


@requirement(rfc6749.UNKNOWN_PARAMETER_IGNORED)
def test_unknown_parameter_is_ignored(conformance: Scenario, grant: str) -> None:
    client = conformance.client
    # The control: were the plain request refused too, the extra parameter would prove nothing.
    conformance.obtain_token(f"token: {grant} grant, the control without the extra parameter")
    exchange = client.grant_request(
        grant,
        f"token: {grant} grant with an unrecognized parameter",
        extra=[("conformance_probe", "ignored")],
    )
    conformance.expect(
        expect_issued(exchange, rfc6749.UNKNOWN_PARAMETER_IGNORED, "a request with an extra parameter"),
        rfc6749.UNKNOWN_PARAMETER_IGNORED,
    )
