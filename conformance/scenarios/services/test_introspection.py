"""Token introspection (RFC 7662), where the profile names an introspection endpoint.

Introspection answers pass the run's redaction like every response: the token they describe,
and the credentials they may repeat (a username as `sub`), are masked in every report.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

import pytest

from conformance.checks.expectations import outcome
from conformance.checks.services import exp_member_findings, introspection_active
from conformance.client import ClientCredentials, Exchange
from conformance.client.endpoints import introspect, revoke, without_token
from conformance.engine.findings import Finding
from conformance.engine.liveness import stated_lifetimes
from conformance.engine.scenario import IssuedToken, Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc7662
from conformance.scenarios.token.client_auth_cases import wrong_secret
from conformance.scenarios.token.never_issued import NEVER_ISSUED, UNKNOWN_HINT

requirement = pytest.mark.requirement
_VSCHAR = re.compile(r"[\x20-\x7e]+")  # RFC 6749 §A.12: what an access token is made of
# Introspection members that describe the resource owner (RFC 7662 §2.2).
OWNER_MEMBERS = ("username", "sub")


def _issued_at(conformance: Scenario, token: IssuedToken) -> float | None:
    """When the server made the token, by its own clock where it says (Date), else the suite's
    (the emulator shares the suite's clock); the exp check allows a second either way."""
    date = token.exchange.header("date")
    if date is not None:
        try:
            return parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return None
    if conformance.settings.emulate:
        return token.exchange.started_at
    return None


def _expect_inactive(conformance: Scenario, answer: Exchange, what: str) -> None:
    active = introspection_active(answer)
    findings = []
    if active is not False:
        got = "active: true" if active is True else str(active)
        findings.append(Finding(rfc7662.INACTIVE, f"HTTP 200 with active: false for {what}", got, answer))
        conformance.expect(findings, rfc7662.INACTIVE)
        conformance.log.not_checked(rfc7662.INACTIVE_ONLY, f"not said to be inactive: {got}")
        return
    conformance.expect([], rfc7662.INACTIVE)
    assert isinstance(answer.json, dict)
    # §2.2: SHOULD NOT say more of an inactive token (why it is inactive, whose it was).
    more = sorted(set(answer.json) - {"active"})
    if more:
        findings.append(
            Finding(
                rfc7662.INACTIVE_ONLY,
                f"active: false and nothing else for {what}",
                f"also {', '.join(more)}",
                answer,
            )
        )
    conformance.expect(findings, rfc7662.INACTIVE_ONLY)


@requirement(rfc7662.ACTIVE, rfc7662.EXP, provider.INTROSPECTION_MEMBERS)
@applies(introspection=True)
def test_a_live_token_is_active(conformance: Scenario) -> None:
    token = conformance.obtain_token()
    if not _VSCHAR.fullmatch(token.access_token):
        # Not a token a client could present (RFC 6749 §A.12 judges it); nothing to introspect.
        for unchecked in (rfc7662.ACTIVE, rfc7662.EXP, provider.INTROSPECTION_MEMBERS):
            conformance.log.not_checked(unchecked, "the access token is not 1*VSCHAR (RFC 6749 §A.12)")
        return
    answer = introspect(conformance.client, token.access_token, "introspection: live access token")
    active = introspection_active(answer)
    if active is not True:
        got = "active: false" if active is False else str(active)
        conformance.expect(
            [Finding(rfc7662.ACTIVE, "HTTP 200 with active: true for a live access token", got, answer)]
        )
        return
    conformance.log.held(rfc7662.ACTIVE)
    assert isinstance(answer.json, dict)
    introspection = conformance.profile.introspection
    assert introspection is not None
    if introspection.members:
        promised_now = introspection.members
        if conformance.grant == "client_credentials":
            # RFC 7662 §2.2: username (and, usually, sub) name the resource owner who authorized
            # the token: a client credentials token has none.
            promised_now = tuple(m for m in promised_now if m not in OWNER_MEMBERS)
        missing = [m for m in promised_now if m not in answer.json]
        promised = f"the members {', '.join(introspection.members)} ({introspection.source})"
        conformance.expect(
            [Finding(provider.INTROSPECTION_MEMBERS, promised, f"no {', '.join(missing)}", answer)]
            if missing
            else [],
            provider.INTROSPECTION_MEMBERS,
        )
    else:
        conformance.log.not_checked(provider.INTROSPECTION_MEMBERS, "the profile promises no members")
    stated = stated_lifetimes(conformance.profile, token.expires_in)
    findings = exp_member_findings(answer.json, _issued_at(conformance, token), stated, answer)
    if "exp" not in answer.json:
        conformance.log.not_checked(rfc7662.EXP, "the answer carries no exp (it is optional)")
    else:
        conformance.expect(findings, rfc7662.EXP)


@requirement(rfc7662.INACTIVE, rfc7662.INACTIVE_ONLY)
@applies(introspection=True)
@pytest.mark.parametrize("shape", list(NEVER_ISSUED))
def test_an_unknown_token_is_inactive(conformance: Scenario, shape: str) -> None:
    """RFC 7662 §2.2: a token that "does not exist on this server" is active: false, whatever it
    looks like (a server that issues only opaque tokens is still asked about a JWT-shaped one)."""
    what = f"a token never issued ({shape})"
    answer = introspect(conformance.client, NEVER_ISSUED[shape](), f"introspection: {what}")
    _expect_inactive(conformance, answer, what)


@requirement(rfc7662.INACTIVE, rfc7662.INACTIVE_ONLY)
@applies(introspection=True)
def test_an_expired_token_is_inactive(conformance: Scenario) -> None:
    token = conformance.aging_token("token: a token to let expire")
    stated = stated_lifetimes(conformance.profile, token.expires_in)
    conformance.requires(bool(stated), "the token response states no lifetime to wait out")
    lifetime = max(stated)
    needed = conformance.wait_for_age(token, lifetime + 2)
    conformance.requires(
        needed <= conformance.wait_budget,
        f"watching a {lifetime:.6g} s token expire needs --expiry-wait {needed:.6g}",
    )
    conformance.ledger.forget(token.access_token)  # it is presented only to the introspection endpoint
    conformance.wait_until_older_than(token, lifetime + 2)  # past the stated lifetime and the allowance
    answer = introspect(conformance.client, token.access_token, "introspection: expired access token")
    exp = (
        answer.json.get("exp")
        if isinstance(answer.json, dict) and answer.json.get("active") is True
        else None
    )
    if isinstance(exp, int) and not isinstance(exp, bool) and exp + 2 > conformance.clock.now():
        # The server says the token lives longer than expires_in stated: that is RFC 6749 §5.1's
        # and exp's business (judged elsewhere); here, whether it is inactive once its own exp passed.
        later = exp + 2 - conformance.clock.now()
        conformance.requires(later <= conformance.wait_budget - needed, "its exp is beyond the wait budget")
        conformance.clock.advance(later)
        answer = introspect(
            conformance.client, token.access_token, "introspection: access token past its exp"
        )
    _expect_inactive(conformance, answer, "an access token past its stated lifetime and its exp")


@requirement(rfc7662.INACTIVE, rfc7662.INACTIVE_ONLY)
@applies(introspection=True, revocation="access", resource=True)
def test_a_revoked_token_is_inactive(conformance: Scenario) -> None:
    token = conformance.obtain_token()
    conformance.ledger.forget(token.access_token)
    revoked = revoke(conformance.client, token.access_token, "revocation: access token", hint="access_token")
    used = conformance.client.call_resource(token.access_token, "resource: revoked access token")
    if not revoked.ok or used.ok:
        # Judged only once the resource shows the revocation took: RFC 7009 judges the rest.
        conformance.log.not_checked(
            rfc7662.INACTIVE, f"the revocation did not take ({outcome(revoked)}; resource {outcome(used)})"
        )
        return
    answer = introspect(conformance.client, token.access_token, "introspection: revoked access token")
    _expect_inactive(conformance, answer, "a revoked access token")


@requirement(rfc7662.CALLER_AUTH, rfc7662.CALLER_REFUSED_401)
@applies(introspection=True, client_auth=True)
def test_introspection_requires_the_caller_to_authenticate(conformance: Scenario) -> None:
    token = conformance.obtain_token()
    findings = []
    real = conformance.client.credentials.client
    assert real is not None
    for case, credentials in (
        ("no client authentication", None),
        ("a wrong client secret", ClientCredentials(real.client_id, wrong_secret(real.client_secret))),
    ):
        answer = introspect(
            conformance.client, token.access_token, f"introspection: {case}", credentials=credentials
        )
        if answer.ok and isinstance(answer.json, dict) and answer.json.get("active") is True:
            expected = "a refusal (HTTP 401), or nothing about the token"
            findings.append(
                Finding(rfc7662.CALLER_AUTH, expected, f"{outcome(answer)}: active: true", answer)
            )
        if credentials is not None and answer.status is not None and not answer.ok and answer.status != 401:
            # §2.3: invalid client credentials are answered 401, as RFC 6749 §5.2 describes.
            expected = "HTTP 401 for a caller whose client credentials are invalid (RFC 7662 §2.3)"
            findings.append(Finding(rfc7662.CALLER_REFUSED_401, expected, outcome(answer), answer))
    conformance.expect(findings)
    for requirement_ in (rfc7662.CALLER_AUTH, rfc7662.CALLER_REFUSED_401):
        if not any(f.requirement == requirement_ for f in findings):
            conformance.log.held(requirement_)


@requirement(rfc7662.TOKEN_REQUIRED)
@applies(introspection=True)
def test_an_introspection_without_a_token_is_invalid_request(conformance: Scenario) -> None:
    answer = without_token(conformance.client, "introspection", "introspection: no token parameter")
    findings = []
    if answer.status != 400 or answer.error_code != "invalid_request":
        expected = "HTTP 400 invalid_request for an introspection request without token"
        findings.append(Finding(rfc7662.TOKEN_REQUIRED, expected, outcome(answer), answer))
    conformance.expect(findings, rfc7662.TOKEN_REQUIRED)


@requirement(rfc7662.UNKNOWN_HINT)
@applies(introspection=True)
def test_an_unknown_hint_does_not_make_a_live_token_inactive(conformance: Scenario) -> None:
    """RFC 7662 §2.1: a hint only says where to look first. An unknown one is ignored (the live
    token is active: true) or refused as Authlib and oauthlib do (400 unsupported_token_type, or
    invalid_request): both readings pass; calling the live token inactive does not."""
    token = conformance.obtain_token("token: a live token to introspect with an unknown hint")
    if not _VSCHAR.fullmatch(token.access_token):
        # Not a token a client could present (RFC 6749 §A.12 judges it); nothing to introspect.
        conformance.log.not_checked(rfc7662.UNKNOWN_HINT, "the access token is not 1*VSCHAR (RFC 6749 §A.12)")
        return
    answer = introspect(
        conformance.client,
        token.access_token,
        "introspection: live access token, token_type_hint of an unknown type",
        hint=UNKNOWN_HINT,
    )
    findings = []
    refused = answer.status == 400 and answer.error_code in ("unsupported_token_type", "invalid_request")
    if not refused and introspection_active(answer) is not True:
        expected = (
            "HTTP 200 with active: true (the hint ignored), or HTTP 400 unsupported_token_type or "
            "invalid_request (the hint refused)"
        )
        active = introspection_active(answer)
        got = f"{outcome(answer)}: active: false" if active is False else f"{outcome(answer)}: {active}"
        # A server that says no live token is active (RFC7662-2.2-active) says it here too.
        findings.append(Finding(rfc7662.UNKNOWN_HINT, expected, got, answer).following(rfc7662.ACTIVE))
    conformance.expect(findings, rfc7662.UNKNOWN_HINT)
