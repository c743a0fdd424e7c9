"""Scope at the token endpoint (RFC 6749 §3.3, §5.1, §5.2): an unknown scope is refused or
ignored as the documentation says, and a narrowed grant says what it granted. Through every grant
the run can use."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_issued, expect_refused, outcome
from conformance.findings import Finding
from conformance.markers import applies
from conformance.requirements import rfc6749
from conformance.scenario import Scenario

requirement = pytest.mark.requirement

# A scope no server knows: what §3.3 lets a server refuse (invalid_scope) or ignore.
UNKNOWN_SCOPE = "conformance-unknown-scope"


def _with_unknown(conformance: Scenario) -> str:
    known = conformance.profile.scope_value
    assert known is not None  # applies(scope_unknown=...) names a known scope
    return f"{known} {UNKNOWN_SCOPE}"


@requirement(rfc6749.INVALID_SCOPE, rfc6749.ERROR_RESPONSE)
@applies(scope_unknown="refused")
def test_unknown_scope_is_invalid_scope(conformance: Scenario, grant: str) -> None:
    exchange = conformance.client.grant_request(
        grant,
        f"token: {grant} grant, an unknown scope",
        scope=_with_unknown(conformance),
        expect_token=False,
    )
    conformance.skip_unless_allowed(exchange, rfc6749.INVALID_SCOPE)
    conformance.expect(
        expect_refused(exchange, rfc6749.INVALID_SCOPE, {"invalid_scope"}, "an unknown scope"),
        rfc6749.INVALID_SCOPE,
    )


@requirement(rfc6749.SCOPE_RETURNED)
@applies(scope_unknown="ignored")
@pytest.mark.parametrize("asked", ["a known and an unknown scope", "an unknown scope only"])
def test_narrowed_scope_is_returned(conformance: Scenario, grant: str, asked: str) -> None:
    """RFC 6749 §5.1: scope is REQUIRED when the granted scope differs from the requested one. An
    unknown scope cannot have been granted, so the answer names what was (a refusal is allowed too:
    §3.3 lets a server fail a request it cannot serve)."""
    requested = _with_unknown(conformance) if asked.startswith("a known") else UNKNOWN_SCOPE
    exchange = conformance.client.grant_request(
        grant, f"token: {grant} grant, a known and an unknown scope", scope=requested
    )
    conformance.skip_unless_allowed(exchange, rfc6749.SCOPE_RETURNED)
    if exchange.error_code == "invalid_scope" and asked == "an unknown scope only":
        conformance.log.not_checked(rfc6749.SCOPE_RETURNED, f"the request was refused: {outcome(exchange)}")
        return
    issue = rfc6749.ISSUES_BY_GRANT[grant]
    found = expect_issued(exchange, issue, f"{requested!r} (unknown scopes ignored)")
    conformance.expect(found)
    if found:
        conformance.stop(f"no token to look at: {outcome(exchange)}")
    body = exchange.json
    assert isinstance(body, dict)
    granted = body.get("scope")
    findings = []
    # The unknown scope cannot have been granted, so the granted scope differs from the request.
    if not isinstance(granted, str) or UNKNOWN_SCOPE in granted.split():
        findings.append(
            Finding(
                rfc6749.SCOPE_RETURNED,
                f"scope naming what was granted of {requested!r}, without {UNKNOWN_SCOPE}",
                f"scope {granted!r}" if "scope" in body else "no scope member",
                exchange,
            )
        )
    conformance.expect(findings, rfc6749.SCOPE_RETURNED)
