"""The Bearer-protected resource (RFC 6750 §2.1, §3, the profile's documented refusal)."""

from __future__ import annotations

import secrets

import pytest

from conformance.checks.expectations import expect_accepted, expect_rejected
from conformance.markers import applies
from conformance.profile import UNSPECIFIED
from conformance.requirements import provider, rfc6750
from conformance.scenario import Scenario

requirement = pytest.mark.requirement


@requirement(rfc6750.ACCEPTS_VALID_TOKEN)
@applies(resource=True)
def test_fresh_token_is_accepted(conformance: Scenario) -> None:
    token = conformance.obtain_token()
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
