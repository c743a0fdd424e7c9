"""Whether a new token request invalidates earlier tokens, as the profile documents."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_accepted, expect_rejected
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6750

requirement = pytest.mark.requirement


@requirement(
    provider.INVALIDATES_EARLIER,
    provider.KEEPS_EARLIER,
    rfc6750.REJECTS_BAD_TOKEN,
    rfc6750.ACCEPTS_VALID_TOKEN,
)
@applies(invalidation=True, resource=True)
def test_new_token_request_and_earlier_tokens(conformance: Scenario) -> None:
    profile = conformance.profile
    rule = profile.invalidates_earlier
    client = conformance.client
    earlier = conformance.obtain_token("token: first token")
    before = client.call_resource(earlier.access_token, "resource: first token, before a new request")
    if not conformance.expect(expect_accepted(before, rfc6750.ACCEPTS_VALID_TOKEN, "a fresh access token")):
        conformance.stop("the first token was refused before any new token request")
    later = conformance.obtain_token("token: second token", fresh=True)
    after = client.call_resource(earlier.access_token, "resource: first token, after a new request")
    latest = client.call_resource(later.access_token, "resource: second token")
    conformance.expect(
        expect_accepted(latest, rfc6750.ACCEPTS_VALID_TOKEN, "the newest access token"),
        rfc6750.ACCEPTS_VALID_TOKEN,
    )
    source = profile.source_of("invalidation")
    # One rule applies; the other requirement this test carries is not judged by it.
    if rule is True:
        conformance.log.not_checked(
            provider.KEEPS_EARLIER, f"a new token invalidates earlier ones ({source})"
        )
    else:
        conformance.log.not_checked(provider.INVALIDATES_EARLIER, f"earlier tokens stay valid ({source})")
    if rule is True:
        # The ledger reports an accepted earlier token; this records that the rule held.
        if after.status is not None and 400 <= after.status < 500:
            conformance.log.held(provider.INVALIDATES_EARLIER, f"earlier token refused ({source})")
            conformance.expect(
                expect_rejected(after, rfc6750.REJECTS_BAD_TOKEN, "an invalidated token"),
                rfc6750.REJECTS_BAD_TOKEN,
            )
    else:
        conformance.expect(
            expect_accepted(after, provider.KEEPS_EARLIER, f"the earlier token ({source})"),
            provider.KEEPS_EARLIER,
        )
