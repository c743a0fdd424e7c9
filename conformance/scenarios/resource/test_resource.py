"""The Bearer-protected resource (RFC 6750 §2.1, §3, the profile's documented refusal)."""

from __future__ import annotations

import secrets

import pytest

from conformance.checks.challenge import parse_challenges
from conformance.checks.expectations import expect_accepted, expect_rejected, outcome
from conformance.client import Exchange
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.profile import UNSPECIFIED
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6750

requirement = pytest.mark.requirement


@requirement(rfc6750.ACCEPTS_VALID_TOKEN)
@applies(resource=True)
def test_fresh_token_is_accepted(conformance: Scenario, grant: str) -> None:
    token = conformance.obtain_token(f"token: {grant} grant, to call the resource with")
    exchange = conformance.client.call_resource(token.access_token, "resource: fresh access token")
    conformance.expect(
        expect_accepted(exchange, rfc6750.ACCEPTS_VALID_TOKEN, "a fresh access token"),
        rfc6750.ACCEPTS_VALID_TOKEN,
    )


REFUSALS = {
    "no token": {},
    "malformed token": {"authorization": "Bearer !!not a token!!"},
    "unknown token": {"token": secrets.token_urlsafe(32)},
    "wrong scheme": {"authorization": "Token " + secrets.token_urlsafe(32)},
}


@requirement(
    rfc6750.REJECTS_BAD_TOKEN,
    rfc6750.CHALLENGE,
    rfc6750.REALM_ONCE,
    rfc6750.INVALID_TOKEN_STATUS,
    rfc6750.INVALID_TOKEN_CODE,
    rfc6750.NO_ERROR_WITHOUT_CREDENTIALS,
    provider.REJECTION_STATUS,
    provider.REJECTION_CHALLENGE,
    provider.REJECTION_BODY,
)
@applies(resource=True)
@pytest.mark.parametrize("case", list(REFUSALS))
def test_unusable_credentials_are_refused(conformance: Scenario, case: str) -> None:
    rejection = conformance.profile.resource.rejection
    if rejection.status == UNSPECIFIED:
        conformance.log.not_checked(
            provider.REJECTION_STATUS, f"status unspecified ({conformance.profile.resource.source})"
        )
    if rejection.body_schema is None:
        conformance.log.not_checked(
            provider.REJECTION_BODY, f"body unspecified ({conformance.profile.resource.source})"
        )
    if rejection.www_authenticate is None:
        conformance.log.not_checked(
            provider.REJECTION_CHALLENGE, f"challenge unspecified ({conformance.profile.resource.source})"
        )
    exchange = conformance.client.call_resource(
        REFUSALS[case].get("token"),
        f"resource: {case}",
        authorization=REFUSALS[case].get("authorization"),
    )
    conformance.expect(
        expect_rejected(exchange, rfc6750.REJECTS_BAD_TOKEN, f"a request with {case}"),
        rfc6750.REJECTS_BAD_TOKEN,
    )
    _not_judged_by_this_refusal(conformance, exchange, case)


def _not_judged_by_this_refusal(conformance: Scenario, exchange: Exchange, case: str) -> None:
    """What a refusal says nothing of: statements about a challenge's attributes ("when present")
    where it carries no Bearer challenge, and about an invalid token where none was presented."""
    log = conformance.log
    bearer = [
        c
        for c in parse_challenges(exchange.headers_named("www-authenticate"))
        if c.scheme.lower() == "bearer"
    ]
    if not bearer:
        why = f"not applicable: the refusal of a request with {case} carries no Bearer challenge"
        log.not_checked(rfc6750.REALM_ONCE, why)
        log.not_checked(rfc6750.NO_ERROR_WITHOUT_CREDENTIALS, why)
    if case != "no token":
        log.not_checked(
            rfc6750.NO_ERROR_WITHOUT_CREDENTIALS, f"not applicable: a request with {case} has credentials"
        )
    if case != "unknown token":
        why = f"not applicable: a request with {case} presents no well-formed Bearer token"
        log.not_checked(rfc6750.INVALID_TOKEN_STATUS, why)
        log.not_checked(rfc6750.INVALID_TOKEN_CODE, why)


@requirement(rfc6750.ONE_TOKEN_METHOD)
@applies(resource=True)
def test_a_token_by_two_methods_is_refused(conformance: Scenario) -> None:
    """RFC 6750 §3.1 invalid_request: a request that "uses more than one method for including an
    access token". The query carries a made-up token, never the real one: a URL is a place logs
    keep (RFC 6750 §5.3), and a server that reads both refuses it all the same."""
    token = conformance.obtain_token("token: to present by two methods at once")
    client = conformance.client
    path = client.target.resource_path
    assert path is not None
    exchange = client.send_raw(
        conformance.profile.resource.method,
        f"{path}{'&' if '?' in path else '?'}access_token={secrets.token_urlsafe(24)}",
        kind="resource",
        purpose="resource: a token in the Authorization header and another in the query",
        headers=[("Authorization", f"Bearer {token.access_token}")],
        token=token.access_token,
        malformed=True,
    )
    findings = []
    challenges = parse_challenges(exchange.headers_named("www-authenticate"))
    said = {c.param("error") for c in challenges if c.scheme.lower() == "bearer"}
    if isinstance(exchange.json, dict):
        said.add(exchange.json.get("error"))
    if exchange.status != 400 or "invalid_request" not in said:
        # §3.1: invalid_request, HTTP 400, for a request that "uses more than one method for
        # including an access token"; a refusal as an invalid token reads only one of them.
        findings.append(
            Finding(
                rfc6750.ONE_TOKEN_METHOD,
                'HTTP 400, error="invalid_request" (challenge or body): the token came by two methods',
                outcome(exchange)
                + (f", challenge error {sorted(e for e in said if e)}" if any(said) else ""),
                exchange,
            )
        )
    conformance.expect(findings, rfc6750.ONE_TOKEN_METHOD)
