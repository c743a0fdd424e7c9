"""JWT access tokens (RFC 9068), where the profile says access tokens are JWTs.

The token is judged by its header and claims and never shown: findings name claims and numbers.
"""

from __future__ import annotations

import pytest

from conformance.checks.services import decode_jwt, jwt_findings
from conformance.liveness import stated_lifetimes
from conformance.markers import applies
from conformance.requirements import rfc9068
from conformance.scenario import Scenario

requirement = pytest.mark.requirement


@requirement(rfc9068.CLAIMS, rfc9068.EXP_CONSISTENT)
@applies(jwt=True)
def test_the_access_token_is_an_rfc9068_jwt(conformance: Scenario) -> None:
    token = conformance.obtain_token()
    client = conformance.client.credentials.client
    stated = stated_lifetimes(conformance.profile, token.expires_in)
    findings = jwt_findings(token.access_token, client.client_id if client else None, stated, token.exchange)
    conformance.expect([f for f in findings if f.requirement == rfc9068.CLAIMS], rfc9068.CLAIMS)
    decoded = decode_jwt(token.access_token)
    timed = not isinstance(decoded, str) and {"exp", "iat"} <= set(decoded[1])
    if not stated or not timed:
        why = "the token response states no lifetime" if not stated else "the token has no exp and iat"
        conformance.log.not_checked(rfc9068.EXP_CONSISTENT, why)
        return
    exp = [f for f in findings if f.requirement == rfc9068.EXP_CONSISTENT]
    conformance.expect(exp, rfc9068.EXP_CONSISTENT)
