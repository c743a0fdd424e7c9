"""The refresh token grant (RFC 6749 §6, RFC 9700 §4.14), or its documented absence."""

from __future__ import annotations

import secrets

import pytest

from conformance.checks.expectations import expect_accepted, expect_issued, expect_refused, outcome
from conformance.client import Exchange
from conformance.engine.findings import Finding
from conformance.engine.scenario import IssuedToken, Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749, rfc6750, rfc9700
from conformance.scenarios.lifecycle.used_refresh_token import present_again
from conformance.scenarios.token.client_auth_cases import CASES, client_auth_attempt, second_client
from conformance.scenarios.token.repeated_parameter import repeated_refused

requirement = pytest.mark.requirement


def _token_with_refresh(conformance: Scenario) -> IssuedToken:
    return conformance.token_with_refresh("token: a pair to refresh")


@requirement(
    rfc6749.REFRESH_WORKS,
    provider.REFRESH_NEW_PAIR,
    rfc6750.ACCEPTS_VALID_TOKEN,
    provider.REFRESHED_ACCESS_TOKEN,
)
@applies(refresh=True)
def test_refresh_returns_a_new_pair(conformance: Scenario) -> None:
    first = _token_with_refresh(conformance)
    assert first.refresh_token is not None
    exchange = conformance.client.refresh_grant(first.refresh_token, "token: refresh grant")
    if not conformance.expect(
        expect_issued(exchange, rfc6749.REFRESH_WORKS, "a valid refresh token"), rfc6749.REFRESH_WORKS
    ):
        return
    second = conformance.issued(exchange)
    findings = []
    if second.access_token == first.access_token:
        findings.append(
            Finding(provider.REFRESH_NEW_PAIR, "a new access token", "the same access token again", exchange)
        )
    if conformance.profile.refresh.rotation is True and second.refresh_token in (None, first.refresh_token):
        got = "no refresh_token" if second.refresh_token is None else "the same refresh token again"
        findings.append(
            Finding(
                provider.REFRESH_NEW_PAIR,
                f"a new refresh token ({conformance.profile.refresh.source})",
                got,
                exchange,
            )
        )
    conformance.expect(findings, provider.REFRESH_NEW_PAIR)
    if conformance.client.target.resource_path is not None:
        used = conformance.client.call_resource(second.access_token, "resource: refreshed access token")
        conformance.expect(
            expect_accepted(used, rfc6750.ACCEPTS_VALID_TOKEN, "a refreshed access token"),
            rfc6750.ACCEPTS_VALID_TOKEN,
        )
        _judge_the_replaced_access_token(conformance, first)
    else:
        conformance.log.not_checked(provider.REFRESHED_ACCESS_TOKEN, "no protected resource to present it to")


def _judge_the_replaced_access_token(conformance: Scenario, first: IssuedToken) -> None:
    """The access token of the pair a refresh replaced: refused or still served, as the profile's
    `refresh.revokes_replaced_access_token` says (RFC 6749 §6 allows either)."""
    refresh = conformance.profile.refresh
    rule = refresh.revokes_replaced_access_token
    if rule not in (True, False):
        why = (
            f"the profile does not say what a refresh does to the access token it replaces ({refresh.source})"
        )
        conformance.log.not_checked(provider.REFRESHED_ACCESS_TOKEN, why)
        return
    old = conformance.client.call_resource(
        first.access_token, "resource: the access token a refresh replaced"
    )
    kept = old.ok
    findings = []
    if kept == rule:
        expected = "a refusal" if rule else "HTTP 2xx: it lives out its lifetime"
        findings.append(
            Finding(
                provider.REFRESHED_ACCESS_TOKEN,
                f"{expected} for the access token a refresh replaced ({refresh.source})",
                outcome(old),
                old,
            )
        )
    conformance.expect(findings, provider.REFRESHED_ACCESS_TOKEN)


@requirement(rfc6749.REFRESH_UNKNOWN_TOKEN, rfc6749.ERROR_RESPONSE)
@applies(refresh=True)
def test_unknown_refresh_token_is_refused(conformance: Scenario) -> None:
    exchange = conformance.client.refresh_grant(
        secrets.token_hex(16), "token: refresh with an unknown refresh token", expect_token=False
    )
    conformance.skip_unless_allowed(exchange, rfc6749.REFRESH_UNKNOWN_TOKEN)
    conformance.expect(
        expect_refused(
            exchange, rfc6749.REFRESH_UNKNOWN_TOKEN, {"invalid_grant"}, "an unknown refresh token"
        ),
        rfc6749.REFRESH_UNKNOWN_TOKEN,
    )


@requirement(rfc6749.REFRESH_CLIENT_AUTH, rfc6749.ERROR_RESPONSE, rfc6749.INVALID_CLIENT_401)
@applies(refresh=True, client_auth=True)
@pytest.mark.parametrize("case", [c for c in CASES if c != "unknown client"])
def test_refresh_requires_client_authentication(conformance: Scenario, case: str) -> None:
    token = _token_with_refresh(conformance)
    assert token.refresh_token is not None
    params = conformance.client.refresh_params(token.refresh_token)
    exchange = client_auth_attempt(conformance, case, params, "refresh grant")
    conformance.expect(
        expect_refused(exchange, rfc6749.REFRESH_CLIENT_AUTH, {"invalid_client"}, f"a refresh with {case}"),
        rfc6749.REFRESH_CLIENT_AUTH,
    )


@requirement(rfc9700.USED_REFRESH_TOKEN_REJECTED, rfc6749.REFRESH_USED_TOKEN_CODE, rfc9700.REUSE_REVOKES)
@applies(refresh=True, used_refresh_token=True)
def test_used_refresh_token_follows_the_rotation_rule(conformance: Scenario) -> None:
    rule = conformance.profile.refresh.used_refresh_token
    token = _token_with_refresh(conformance)
    assert token.refresh_token is not None
    first = conformance.client.refresh_grant(token.refresh_token, "token: first use of a refresh token")
    if not conformance.expect(expect_issued(first, rfc6749.REFRESH_WORKS, "a valid refresh token")):
        conformance.stop("the first refresh failed, so reuse cannot be tested")
    requirement_ = rfc9700.USED_REFRESH_TOKEN_REJECTED
    if rule == "rejected":
        # Judged by credentials: the pair it already bought, again, is no second pair.
        ended = present_again(
            conformance, token.refresh_token, [first], "second use of the same refresh token"
        )
        if ended is not None:
            conformance.expect([], requirement_, f"used refresh token {rule}: {ended}")
            _judge_reuse_detection(conformance, conformance.issued(first))
        else:
            conformance.log.not_checked(rfc9700.REUSE_REVOKES, "the used refresh token was not seen refused")
        return
    conformance.log.not_checked(rfc6749.REFRESH_USED_TOKEN_CODE, f"used refresh tokens stay usable ({rule})")
    conformance.log.not_checked(rfc9700.REUSE_REVOKES, f"used refresh tokens stay usable ({rule})")
    again = conformance.client.refresh_grant(
        token.refresh_token, "token: second use of the same refresh token", expect_token=False
    )
    source = conformance.profile.refresh.source
    findings = expect_issued(again, requirement_, f"a refresh token the profile says stays usable ({source})")
    conformance.expect(findings, requirement_, f"used refresh token {rule}")


def _judge_reuse_detection(conformance: Scenario, successor: IssuedToken) -> None:
    """RFC 9700 §4.14.2: the used refresh token came back, so the refresh token its use issued is
    revoked: one of its two holders is an attacker, and the server cannot tell which."""
    refresh = conformance.profile.refresh
    if refresh.reuse_detection is False:
        why = f"not applicable: the documentation says reuse is not detected ({refresh.source})"
        conformance.log.not_checked(rfc9700.REUSE_REVOKES, why)
        return
    if successor.refresh_token is None:
        conformance.log.not_checked(rfc9700.REUSE_REVOKES, "the refresh issued no new refresh token")
        return
    after = conformance.client.refresh_grant(
        successor.refresh_token,
        "token: the refresh token a replayed one had issued",
        expect_token=False,
    )
    findings = []
    if after.issued_token is not None:
        expected = "a refusal (invalid_grant): the refresh token it issued was presented again"
        findings.append(Finding(rfc9700.REUSE_REVOKES, expected, outcome(after), after))
    conformance.expect(findings, rfc9700.REUSE_REVOKES)


@requirement(provider.REFRESH_NOT_OFFERED, rfc6749.ERROR_RESPONSE)
@applies(refresh=False)
def test_refresh_grant_refused_where_not_offered(conformance: Scenario) -> None:
    exchange = conformance.client.refresh_grant(
        secrets.token_hex(16), "token: refresh grant on a provider without it", expect_token=False
    )
    # The documentation only says the grant is not offered: it issues nothing. How the refusal
    # is answered (its status, its error code) is RFC 6749 §5.2's to judge, as for every error.
    findings = []
    if exchange.issued_token is not None:
        expected = f"no token for the refresh_token grant ({conformance.profile.source_of('grants')})"
        findings.append(Finding(provider.REFRESH_NOT_OFFERED, expected, outcome(exchange), exchange))
    conformance.expect(findings, provider.REFRESH_NOT_OFFERED)


def _answer(exchange: Exchange) -> str:
    """A token, or the refusal's error code: what RFC 6749 §3.2 compares."""
    if exchange.issued_token is not None:
        return "a token"
    return f"refused with {exchange.error_code}" if exchange.error_code else outcome(exchange)


@requirement(rfc6749.EMPTY_PARAMETER)
@applies(refresh=True)
def test_empty_refresh_token_is_treated_as_omitted(conformance: Scenario) -> None:
    """RFC 6749 §3.2: `refresh_token=` is a refresh without a refresh token (invalid_request),
    not an invalid one."""
    client = conformance.client
    omitted = client.token_request(
        [("grant_type", "refresh_token")] + [p for p in client.refresh_params("") if p[0] == "scope"],
        purpose="token: refresh grant without refresh_token",
    )
    conformance.skip_unless_allowed(omitted, rfc6749.EMPTY_PARAMETER)
    conformance.stop_if_overloaded(omitted)
    empty = client.refresh_grant(
        "", "token: refresh grant with refresh_token= (no value)", expect_token=False
    )
    findings = []
    if omitted.status is not None and empty.status is not None and _answer(empty) != _answer(omitted):
        findings.append(
            Finding(
                rfc6749.EMPTY_PARAMETER,
                f"the answer to the refresh without refresh_token (#{omitted.seq}: {_answer(omitted)})",
                outcome(empty),
                empty,
            )
        )
    conformance.expect(findings, rfc6749.EMPTY_PARAMETER, "refresh_token= is answered as none")


@requirement(rfc6749.REFRESH_MISSING_TOKEN, rfc6749.ERROR_RESPONSE)
@applies(refresh=True)
def test_a_refresh_without_refresh_token_is_invalid_request(conformance: Scenario) -> None:
    """RFC 6749 §6: refresh_token is REQUIRED; §5.2: a request "missing a required parameter" is
    invalid_request (not invalid_grant: there is no grant to judge)."""
    client = conformance.client
    exchange = client.token_request(
        client.refresh_params("", omit=("refresh_token",)),
        purpose="token: refresh grant without refresh_token",
    )
    conformance.skip_unless_allowed(exchange, rfc6749.REFRESH_MISSING_TOKEN)
    conformance.expect(
        expect_refused(
            exchange, rfc6749.REFRESH_MISSING_TOKEN, {"invalid_request"}, "a refresh without refresh_token"
        ),
        rfc6749.REFRESH_MISSING_TOKEN,
    )


@requirement(rfc6749.REPEATED_PARAMETER)
@applies(refresh=True)
def test_a_repeated_refresh_token_is_invalid_request(conformance: Scenario) -> None:
    """RFC 6749 §3.2: parameters MUST NOT repeat (§5.2 invalid_request). A made-up refresh token
    and the real one, in both orders: a server that keeps the first or the last value issues a
    token for one of them; then (the real one unused) the real one twice."""
    token = _token_with_refresh(conformance)
    assert token.refresh_token is not None
    client = conformance.client
    made_up = secrets.token_hex(16)
    findings = []
    for case, (first, last) in (
        ("the real one last", (made_up, token.refresh_token)),
        ("the real one first", (token.refresh_token, made_up)),
        ("the real one twice", (token.refresh_token, token.refresh_token)),
    ):
        params = client.refresh_params(first) + [("refresh_token", last)]
        exchange = client.token_request(params, purpose=f"token: refresh_token sent twice, {case}")
        conformance.stop_if_overloaded(exchange)
        findings += repeated_refused(exchange, "refresh_token", case)
        if exchange.issued_token is not None:
            break  # the real refresh token is used up
    conformance.expect(findings, rfc6749.REPEATED_PARAMETER)


@requirement(rfc6749.REFRESH_CLIENT_BINDING)
@applies(refresh=True, client_auth=True)
def test_a_refresh_token_of_another_client_is_refused(conformance: Scenario) -> None:
    """RFC 6749 §6: the server MUST "ensure that the refresh token was issued to the
    authenticated client" (§10.4: refresh tokens are bound to their client)."""
    other = second_client(conformance)
    token = _token_with_refresh(conformance)
    assert token.refresh_token is not None
    answer = conformance.client.refresh_grant(
        token.refresh_token,
        "token: refresh with the first client's refresh token, as another client",
        client=other,
        expect_token=False,
    )
    if answer.error_code == "invalid_client":
        reason = f"the second client did not authenticate ({outcome(answer)}): check its credentials"
        conformance.log.not_checked(rfc6749.REFRESH_CLIENT_BINDING, reason)
        return
    found = expect_refused(
        answer,
        rfc6749.REFRESH_CLIENT_BINDING,
        {"invalid_grant", "unauthorized_client"},
        "another client's refresh token",
    )
    # A server that authenticates no client, or takes any refresh token, cannot bind one to
    # its client: that cause is blamed where it is shown, not here again.
    causes = (rfc6749.REFRESH_CLIENT_AUTH, rfc6749.CLIENT_AUTH_REQUIRED, rfc6749.REFRESH_UNKNOWN_TOKEN)
    conformance.expect([f.following(*causes) for f in found], rfc6749.REFRESH_CLIENT_BINDING)
