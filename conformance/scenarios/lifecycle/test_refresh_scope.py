"""The refresh grant's scope rules (RFC 6749 §6), where the documentation says scope is enforced:
no scope beyond the original, the original kept when none is asked for, a narrower one served."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_issued, expect_refused, outcome
from conformance.client import Exchange
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc6749

requirement = pytest.mark.requirement


@requirement(rfc6749.REFRESH_SCOPE, rfc6749.ERROR_RESPONSE)
@applies(refresh=True, scope_enforced=True)
def test_refresh_asking_for_more_scope_is_refused(conformance: Scenario) -> None:
    """RFC 6749 §6: "The requested scope MUST NOT include any scope not originally granted". A
    token granted the profile's first scope is refreshed asking for more: refused invalid_scope
    (§5.2), or granted no more than the original, its scope member saying so (§5.1)."""
    client = conformance.client
    returning = [g for g in client.issuing_grants if g in conformance.profile.refresh.issued_by]
    conformance.requires(
        bool(returning), "no grant the run can use returns a refresh token (refresh.issued_by)"
    )
    grant = returning[0]
    known = (conformance.profile.scope_value or "").split()
    original = known[0]
    wider = " ".join(known) if len(known) > 1 else f"{original} conformance-unknown-scope"
    issued = client.grant_request(grant, f"token: {grant} grant, scope {original!r} only", scope=original)
    conformance.skip_unless_allowed(issued, rfc6749.REFRESH_SCOPE)
    if not conformance.expect(expect_issued(issued, rfc6749.ISSUES_BY_GRANT[grant], f"scope {original!r}")):
        conformance.stop(f"no token to refresh: {outcome(issued)}")
    token = conformance.issued(issued)
    conformance.requires(token.refresh_token is not None, f"the {grant} grant returned no refresh token")
    assert token.refresh_token is not None
    params = [("grant_type", "refresh_token"), ("scope", wider), ("refresh_token", token.refresh_token)]
    answer = client.token_request(params, purpose=f"token: refresh asking for {wider!r}")
    findings: list[Finding] = []
    what = f"a refresh asking for {wider!r}, beyond the original {original!r}"
    if answer.issued_token is None:
        findings = expect_refused(answer, rfc6749.REFRESH_SCOPE, {"invalid_scope"}, what)
    else:
        body = answer.json
        assert isinstance(body, dict)
        granted = body.get("scope") if isinstance(body.get("scope"), str) else wider
        beyond = sorted(set(str(granted).split()) - {original})
        if beyond:
            said = f"scope {body['scope']!r}" if "scope" in body else "no scope member: the scope asked for"
            findings.append(
                Finding(
                    rfc6749.REFRESH_SCOPE,
                    f"invalid_scope, or a token for {original!r} at most ({what})",
                    f"{outcome(answer)}, {said}",
                    answer,
                )
            )
    conformance.expect(findings, rfc6749.REFRESH_SCOPE)


def _granted(answer: Exchange, asked: str) -> str:
    """The scope a token answer grants: its scope member, else the scope asked for (§5.1)."""
    body = answer.json
    said = body.get("scope") if isinstance(body, dict) else None
    return said if isinstance(said, str) else asked


@requirement(rfc6749.REFRESH_SCOPE_KEPT)
@applies(refresh=True, scope_enforced=True)
def test_a_refresh_keeps_the_original_scope_or_narrows_it(conformance: Scenario) -> None:
    """RFC 6749 §6: the scope of a refresh "if omitted is treated as equal to the scope originally
    granted"; a scope within the original one is the client's to ask for (§3.3: what is granted
    otherwise than asked is said in the scope member, §5.1)."""
    requirement_ = rfc6749.REFRESH_SCOPE_KEPT
    token = conformance.token_with_refresh("token: a pair whose scope a refresh keeps")
    assert token.refresh_token is not None
    client = conformance.client
    original = _granted(token.exchange, conformance.profile.scope_value or "")
    purpose = "token: refresh without a scope parameter"
    client.token_budget.ensure(purpose)
    kept = client.token_request(
        client.refresh_params(token.refresh_token, omit=("scope",)), purpose=purpose, asks_token=True
    )
    conformance.skip_unless_allowed(kept, requirement_)
    conformance.stop_if_overloaded(kept)
    what = f"a refresh without scope (the original scope {original!r})"
    refused = expect_issued(kept, requirement_, what)
    if refused:
        # A server whose refreshes fail altogether shows that by its documented refresh.
        conformance.expect([f.following(rfc6749.REFRESH_WORKS) for f in refused])
        return
    findings = []
    if set(_granted(kept, original).split()) != set(original.split()):
        expected = f"the original scope {original!r}, or no scope member (RFC 6749 §6: the same scope)"
        findings.append(Finding(requirement_, expected, f"scope {_granted(kept, original)!r}", kept))
    known = original.split()
    if len(known) < 2:
        conformance.expect(findings)
        if not findings:
            conformance.log.partial(
                requirement_, f"the scope was kept; the original scope {original!r} has no narrower part"
            )
        return
    narrower = known[0]
    issued = conformance.issued(kept)
    next_refresh = issued.refresh_token or token.refresh_token  # the rotated one, where it rotates
    purpose = f"token: refresh asking for {narrower!r}, part of the original {original!r}"
    client.token_budget.ensure(purpose)
    params = [("grant_type", "refresh_token"), ("scope", narrower), ("refresh_token", next_refresh)]
    narrowed = client.token_request(params, purpose=purpose, asks_token=True)
    findings += expect_issued(
        narrowed, requirement_, f"a refresh asking for {narrower!r}, within {original!r}"
    )
    if narrowed.issued_token is not None:
        beyond = sorted(set(_granted(narrowed, narrower).split()) - set(known))
        if beyond:
            expected = f"no scope beyond the original {original!r}"
            findings.append(
                Finding(requirement_, expected, f"scope {_granted(narrowed, narrower)!r}", narrowed)
            )
    conformance.expect(findings, requirement_)
