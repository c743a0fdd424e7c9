"""Scope at the token endpoint (RFC 6749 §3.3, §5.1, §5.2): an unknown scope is refused or
ignored as the documentation says, and a narrowed grant says what it granted. Through every grant
the run can use."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from conformance.checks.expectations import expect_issued, expect_refused, outcome
from conformance.client import Exchange
from conformance.client.client import basic_authorization
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc6749

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


def _answer(exchange: Exchange) -> str:
    """A token, or the refusal's error code: what two encodings of one request are compared by."""
    if exchange.issued_token is not None:
        return "a token"
    return f"refused with {exchange.error_code}" if exchange.error_code else outcome(exchange)


def _with_spaces_as_percent_20(conformance: Scenario, grant: str, purpose: str) -> Exchange:
    """The documented request of `grant`, its spaces encoded %20 (not '+'), sent as is."""
    client = conformance.client
    params = client.issuing_params(grant=grant)
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    real = client.credentials.client
    if real is not None and conformance.profile.client_auth == "basic":
        headers.append(("Authorization", basic_authorization(real.client_id, real.client_secret)))
    elif real is not None:
        params += [("client_id", real.client_id), ("client_secret", real.client_secret)]
    body = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)
    client.token_budget.ensure(purpose)
    return client.send_raw(
        "POST",
        conformance.profile.token_path,
        kind="token",
        purpose=purpose,
        headers=headers,
        content=body.encode("ascii"),
        grant_type=grant,
        asks_token=True,
    )


@requirement(rfc6749.SCOPE_ENCODING)
@applies(scope_unknown="refused", scope_values=2, form_body=True)
def test_scope_values_are_form_decoded(conformance: Scenario, grant: str) -> None:
    """RFC 6749 Appendix B: the form body's '+' is a space and '%2B' a '+'. The documented request
    (its scope values joined by '+') is answered as the same request with '%20'; 'read%2Bwrite'
    is one unknown scope, refused as unknown scopes are (§3.3), not the two scopes it would be if
    '%2B' were read as a space."""
    known = (conformance.profile.scope_value or "").split()
    requirement_ = rfc6749.SCOPE_ENCODING
    client = conformance.client
    plus = conformance.documented_request(f"token: {grant} grant, scope values joined by '+'")
    conformance.skip_unless_allowed(plus, requirement_)
    conformance.stop_if_overloaded(plus)
    findings = []
    percent = _with_spaces_as_percent_20(conformance, grant, f"token: {grant} grant, spaces sent as %20")
    if plus.status is not None and percent.status is not None and _answer(plus) != _answer(percent):
        expected = f"the answer to the same request with '+' for spaces (#{plus.seq}: {_answer(plus)})"
        findings.append(Finding(requirement_, expected, outcome(percent), percent))
    joined = "+".join(known[:2])
    literal = client.grant_request(
        grant, f"token: {grant} grant, the one scope {joined!r} (sent %2B)", scope=joined, expect_token=False
    )
    if literal.issued_token is not None:
        # A server that grants unknown scopes at all (RFC6749-3.3-invalid-scope) grants this one too.
        found = [
            Finding(
                requirement_,
                f"a refusal (invalid_scope) of the one unknown scope {joined!r}: not {known[0]!r} and "
                f"{known[1]!r}",
                outcome(literal),
                literal,
            ).following(rfc6749.INVALID_SCOPE)
        ]
        findings += found
    else:
        findings += expect_refused(
            literal, requirement_, {"invalid_scope"}, f"the one unknown scope {joined!r}"
        )
    conformance.expect(findings, requirement_)
