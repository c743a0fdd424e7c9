"""JWT access tokens (RFC 9068), where the profile says access tokens are JWTs.

The token is judged by its header and claims and never shown: findings name claims and numbers.
"""

from __future__ import annotations

import pytest

from conformance.checks.services import decode_jwt, jwt_findings
from conformance.client.endpoints import fetch_metadata
from conformance.engine.findings import Finding
from conformance.engine.liveness import stated_lifetimes
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc9068

requirement = pytest.mark.requirement


def _issuer_findings(conformance: Scenario, iss: object) -> list[Finding]:
    """RFC 9068 §4: iss exactly matches the issuer identifier obtained during discovery."""
    metadata = conformance.profile.metadata
    if metadata is None or metadata.authorization_server is None or not isinstance(iss, str):
        return []
    exchange = fetch_metadata(conformance.client, metadata.authorization_server, "metadata: the issuer")
    issuer = exchange.json.get("issuer") if isinstance(exchange.json, dict) else None
    if not isinstance(issuer, str) or issuer.rstrip("/") == iss.rstrip("/"):
        return []  # no issuer to compare with: RFC 8414's own scenario says so
    return [Finding(rfc9068.CLAIMS, f"iss {issuer} (the metadata's issuer)", f"iss {iss}", exchange)]


@requirement(rfc9068.CLAIMS, rfc9068.EXP_CONSISTENT)
@applies(jwt=True)
def test_the_access_token_is_an_rfc9068_jwt(conformance: Scenario) -> None:
    token = conformance.obtain_token()
    client = conformance.client.credentials.client
    stated = stated_lifetimes(conformance.profile, token.expires_in)
    findings = jwt_findings(token.access_token, client.client_id if client else None, stated, token.exchange)
    decoded = decode_jwt(token.access_token)
    if not isinstance(decoded, str):
        findings += _issuer_findings(conformance, decoded[1].get("iss"))
    conformance.expect([f for f in findings if f.requirement == rfc9068.CLAIMS], rfc9068.CLAIMS)
    timed = not isinstance(decoded, str) and {"exp", "iat"} <= set(decoded[1])
    if not stated or not timed:
        why = "the token response states no lifetime" if not stated else "the token has no exp and iat"
        conformance.log.not_checked(rfc9068.EXP_CONSISTENT, why)
        return
    exp = [f for f in findings if f.requirement == rfc9068.EXP_CONSISTENT]
    conformance.expect(exp, rfc9068.EXP_CONSISTENT)
