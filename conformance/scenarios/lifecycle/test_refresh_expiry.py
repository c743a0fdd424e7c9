"""A refresh issues a new access token; it must not bring an expired one back (RFC 6749 §5.1, §6).

Servers that keep a per-account session and extend it on refresh sometimes extend every
token of the account with it. The scenario lets a token expire under every documented
reading of expires_in, refreshes, and presents the expired token again: the ledger and the
resource expectation both report an acceptance.
"""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_issued, expect_rejected
from conformance.engine.expiry_watch import Watcher
from conformance.engine.liveness import ALLOWANCE_WHY, seconds, stated_lifetimes
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc6749, rfc6750

requirement = pytest.mark.requirement


@requirement(rfc6749.LIFETIME_AS_STATED, rfc6750.REJECTS_BAD_TOKEN)
@applies(refresh=True, resource=True)
def test_refresh_does_not_revive_an_expired_token(conformance: Scenario) -> None:
    profile = conformance.profile
    token = conformance.aging_token("token: token to let expire", with_refresh=True)
    lifetimes = stated_lifetimes(profile, token.expires_in)
    conformance.requires(bool(lifetimes), f"no usable expires_in ({token.expires_in!r}, reported elsewhere)")
    longest = max(lifetimes)
    budget = conformance.wait_budget
    watcher = Watcher(conformance.client, conformance.clock, token.access_token, token.exchange, budget)
    # Past the longest reading by more than the allowance, even at its youngest possible age.
    past = watcher.after(longest, "its longest stated lifetime")
    conformance.requires(
        past is not None,
        f"the token's stated life ({seconds(longest)}) and the allowance are beyond --expiry-wait "
        f"({budget:g} s)",
    )
    assert past is not None
    expired = past.exchange
    if not conformance.expect(expect_rejected(expired, rfc6750.REJECTS_BAD_TOKEN, "an expired token")):
        return  # the ledger has reported the acceptance too
    # One look past its end, none before it: the rest of the lifetime is test_expiry's.
    conformance.log.partial(
        rfc6749.LIFETIME_AS_STATED,
        f"refused at an age of {past.age}, past its stated {seconds(longest)} ({ALLOWANCE_WHY})",
    )
    client = conformance.client
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
