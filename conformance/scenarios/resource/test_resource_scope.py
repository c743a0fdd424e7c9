"""The scope a protected resource requires (RFC 6750 §3.1 insufficient_scope; the profile's
resource.required_scope): a token granted without it is refused, one granted with it served."""

from __future__ import annotations

import pytest

from conformance.checks.challenge import parse_challenges
from conformance.checks.expectations import expect_issued, outcome
from conformance.client.exchange import Exchange
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749, rfc6750

requirement = pytest.mark.requirement


def _granted(conformance: Scenario, scope: str, what: str) -> str:
    """An access token from the client credentials grant asked for `scope`, or the scenario stops."""
    exchange = conformance.client.client_credentials_grant(f"token: client credentials, {what}", scope=scope)
    found = expect_issued(exchange, rfc6749.CC_ISSUES, f"scope {scope!r}")
    conformance.expect(found, rfc6749.CC_ISSUES)
    if found:
        conformance.stop(f"no token {what}: {outcome(exchange)}")
    return conformance.issued(exchange).access_token


def _insufficient_scope(refused: Exchange) -> list[Finding]:
    """RFC 6750 §3.1: HTTP 403 and error="insufficient_scope" in the Bearer challenge."""
    challenges = parse_challenges(refused.headers_named("www-authenticate"))
    bearer = [c for c in challenges if c.scheme.lower() == "bearer"]
    if refused.status == 403 and any(c.param("error") == "insufficient_scope" for c in bearer):
        return []
    challenge = " | ".join(refused.headers_named("www-authenticate")) or "no WWW-Authenticate header"
    return [
        Finding(
            rfc6750.INSUFFICIENT_SCOPE,
            'HTTP 403 with WWW-Authenticate: Bearer error="insufficient_scope"',
            f"HTTP {refused.status}, {challenge}",
            refused,
        )
    ]


@requirement(
    provider.REQUIRED_SCOPE,
    rfc6750.INSUFFICIENT_SCOPE,
    rfc6750.CHALLENGE,
    rfc6750.REALM_ONCE,
    rfc6749.CC_ISSUES,
)
@applies(client_credentials=True, resource=True, resource_scope=True)
def test_the_resource_serves_only_tokens_granted_its_scope(conformance: Scenario) -> None:
    resource = conformance.profile.resource
    required = resource.required_scope
    assert required is not None  # applies(resource_scope=True)
    without = " ".join(s for s in (conformance.profile.scope_value or "").split() if s != required)
    lacking = _granted(conformance, without, f"scope {without!r} without {required!r}")
    # Refused for its scope, not its lifetime or validity: neither the ledger nor the invalid
    # token checks judge this refusal; this scenario does.
    conformance.ledger.forget(lacking)
    refused = conformance.client.call_resource(
        lacking, f"resource: a token without scope {required!r}", lacks_required_scope=True
    )
    documented: list[Finding] = []
    if refused.status is None or not 400 <= refused.status < 500:
        documented.append(
            Finding(
                provider.REQUIRED_SCOPE,
                f"a 4xx refusal of a token granted {without!r}, without {required!r} ({resource.source})",
                outcome(refused),
                refused,
            )
        )
        conformance.log.not_checked(rfc6750.INSUFFICIENT_SCOPE, f"no refusal to judge: {outcome(refused)}")
    else:
        conformance.expect(_insufficient_scope(refused), rfc6750.INSUFFICIENT_SCOPE)
    granted = _granted(conformance, required, f"scope {required!r}")
    served = conformance.client.call_resource(granted, f"resource: a token granted scope {required!r}")
    if not served.ok:
        documented.append(
            Finding(
                provider.REQUIRED_SCOPE,
                f"HTTP 2xx for a token granted {required!r} ({resource.source})",
                outcome(served),
                served,
            )
        )
    conformance.expect(documented, provider.REQUIRED_SCOPE)
