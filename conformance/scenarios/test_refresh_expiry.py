"""A refresh issues a new access token; it must not bring an expired one back (RFC 6749 §5.1, §6).

Servers that keep a per-account session and extend it on refresh sometimes extend every
token of the account with it. The scenario lets a token expire under every documented
reading of expires_in, refreshes, and presents the expired token again: the ledger and the
resource expectation both report an acceptance.
"""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_issued, expect_rejected
from conformance.ledger import stated_lifetimes, tolerance
from conformance.requirements import rfc6749, rfc6750
from conformance.scenario import Scenario

requirement = pytest.mark.requirement


@requirement(rfc6749.LIFETIME_AS_STATED.id, rfc6750.REJECTS_BAD_TOKEN.id)
def test_refresh_does_not_revive_an_expired_token(conformance: Scenario) -> None:
    profile = conformance.profile
    conformance.documented(profile.refresh.supported, "grants.refresh_token", "grants")
    conformance.requires(
        profile.refresh.supported is True, f"no refresh grant ({profile.source_of('grants')})"
    )
    conformance.requires_resource()
    token = conformance.obtain_token("token: token to let expire")
    conformance.requires(token.refresh_token is not None, "no refresh token issued (reported elsewhere)")
    lifetimes = stated_lifetimes(profile, token.expires_in)
    conformance.requires(bool(lifetimes), f"no usable expires_in ({token.expires_in!r}, reported elsewhere)")
    longest = max(lifetimes)
    dead_at = longest + tolerance(longest) + 1.0
    budget = conformance.wait_budget
    conformance.requires(
        dead_at <= budget, f"the token's stated life ({longest:g} s) is beyond --expiry-wait ({budget:g} s)"
    )
    delay = token.exchange.started_at + dead_at - conformance.clock.now()
    if delay > 0:
        conformance.clock.advance(delay)
    client = conformance.client
    expired = client.call_resource(token.access_token, "resource: token past its stated lifetime")
    if not conformance.expect(expect_rejected(expired, rfc6750.REJECTS_BAD_TOKEN, "an expired token")):
        return  # the ledger has reported the acceptance too
    assert token.refresh_token is not None
    refreshed = client.refresh_grant(token.refresh_token, "token: refresh after the access token expired")
    if expect_issued(refreshed, rfc6749.REFRESH_WORKS, "a refresh token after its access token expired"):
        # RFC 6749 does not say how long a refresh token lives: nothing to judge here.
        conformance.log.not_checked(
            rfc6750.REJECTS_BAD_TOKEN, "the refresh token did not outlive the access token"
        )
        return
    again = client.call_resource(token.access_token, "resource: the expired token after a refresh")
    conformance.expect(
        expect_rejected(again, rfc6750.REJECTS_BAD_TOKEN, "an expired token, after a refresh of its account"),
        rfc6750.REJECTS_BAD_TOKEN,
    )
