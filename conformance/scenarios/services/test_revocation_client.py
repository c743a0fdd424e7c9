"""RFC 7009 §2.1: the server "verifies whether the token was issued to the client making the
revocation request": another client's request leaves the token working."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import outcome
from conformance.checks.services import introspection_active
from conformance.client.endpoints import introspect, revoke
from conformance.client.exchange import Exchange
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc7009
from conformance.scenarios.token.client_auth_cases import second_client

requirement = pytest.mark.requirement


@requirement(rfc7009.ISSUED_TO_CLIENT)
@applies(client_auth=True, revocation="access", resource_or_introspection=True)
def test_another_client_cannot_revoke_a_token(conformance: Scenario) -> None:
    other = second_client(conformance)
    resource_path = conformance.client.target.resource_path
    token = conformance.obtain_token().access_token
    # Should the server wrongly revoke it, its refusal says nothing about its lifetime.
    conformance.ledger.forget(token)
    # It must work before, or its working after says nothing (a token not yet honoured, say).
    works, _, seen = _works(conformance, token, resource_path, "before another client's revocation")
    if works is not True:
        conformance.log.not_checked(rfc7009.ISSUED_TO_CLIENT, f"the token did not work to begin with: {seen}")
        return
    # Any answer will do (a refusal, or 200 as for an invalid token, §2.2): what matters is that
    # nothing was revoked.
    answer = revoke(
        conformance.client,
        token,
        "revocation: another client's access token",
        hint="access_token",
        credentials=other,
    )
    works, used, seen = _works(conformance, token, resource_path, "after another client's revocation")
    if works is None:
        conformance.log.not_checked(rfc7009.ISSUED_TO_CLIENT, f"introspection did not say: {seen}")
        return
    expected = f"the token still working after another client's revocation request ({outcome(answer)})"
    findings = [] if works else [Finding(rfc7009.ISSUED_TO_CLIENT, expected, seen, used)]
    conformance.expect(findings, rfc7009.ISSUED_TO_CLIENT)


def _works(
    conformance: Scenario, token: str, resource_path: str | None, when: str
) -> tuple[bool | None, Exchange, str]:
    """Whether `token` works: served by the resource, or else active at introspection (None:
    introspection did not say), with the exchange and what it showed."""
    if resource_path is not None:
        used = conformance.client.call_resource(token, f"resource: {when}")
        return used.ok, used, outcome(used)
    seen = introspect(conformance.client, token, f"introspection: {when}")
    active = introspection_active(seen)
    if isinstance(active, str):
        return None, seen, active
    return active, seen, f"active: {str(active).lower()}"
