"""Token revocation (RFC 7009), where the profile names a revocation endpoint.

Every token the suite revokes (and every access token a refresh token's revocation may take with
it) leaves the ledger first: its refusal afterwards is the point, not an early death.
"""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_refused, outcome
from conformance.client import ClientCredentials, Exchange
from conformance.client.endpoints import introspect, revoke, without_token
from conformance.engine.findings import Finding
from conformance.engine.scenario import IssuedToken, Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements import Requirement
from conformance.requirements.rfc import rfc7009
from conformance.scenarios.token.never_issued import NEVER_ISSUED, UNKNOWN_HINT

requirement = pytest.mark.requirement


def _with_refresh(conformance: Scenario) -> IssuedToken:
    return conformance.token_with_refresh("token: a pair whose refresh token to revoke")


def _revoke_ok(conformance: Scenario, exchange: Exchange, what: str) -> bool:
    """RFC 7009 §2.2: HTTP 200 (the body, if any, is ignored). True when the revocation was not
    refused: another success status (204) fails §2.2 but is no refusal, so what follows is checked."""
    if exchange.status == 200:
        conformance.log.held(rfc7009.REVOKE_OK)
        return True
    conformance.expect([Finding(rfc7009.REVOKE_OK, f"HTTP 200 for {what}", outcome(exchange), exchange)])
    return exchange.ok


def _forget_grant(conformance: Scenario, token: IssuedToken) -> None:
    """The refresh token's revocation may revoke its access token too (RFC 7009 §2.1)."""
    conformance.ledger.forget(token.access_token)


@requirement(rfc7009.REVOKE_OK, rfc7009.REVOKES)
@applies(refresh=True, revocation=True)
def test_a_revoked_refresh_token_is_refused_by_the_refresh_grant(conformance: Scenario) -> None:
    token = _with_refresh(conformance)
    assert token.refresh_token is not None
    _forget_grant(conformance, token)
    answer = revoke(
        conformance.client, token.refresh_token, "revocation: refresh token", hint="refresh_token"
    )
    if not _revoke_ok(conformance, answer, "the revocation of a valid refresh token"):
        return
    used = conformance.client.refresh_grant(
        token.refresh_token, "token: refresh with a revoked refresh token", expect_token=False
    )
    conformance.expect(
        expect_refused(used, rfc7009.REVOKES, {"invalid_grant"}, "a revoked refresh token"), rfc7009.REVOKES
    )


def _revoked_with_wrong_hint(conformance: Scenario, token: str, kind: str, hint: str) -> bool:
    """Revoke `token` (`kind`) with a `token_type_hint` that does not fit; False, saying why the
    hint's check is not made, when the revocation is refused."""
    what = f"{kind} hinted as {hint.replace('_', ' ')}"
    answer = revoke(conformance.client, token, f"revocation: {what}", hint=hint)
    if not answer.ok:
        conformance.log.not_checked(rfc7009.HINT_SEARCH, f"the revocation was refused: {outcome(answer)}")
        return False
    _revoke_ok(conformance, answer, f"the revocation of {what}")
    return True


@requirement(rfc7009.HINT_SEARCH)
@applies(refresh=True, revocation=True)
def test_a_wrong_hint_does_not_stop_a_refresh_tokens_revocation(conformance: Scenario, grant: str) -> None:
    token = _with_refresh(conformance)
    assert token.refresh_token is not None
    _forget_grant(conformance, token)
    if not _revoked_with_wrong_hint(conformance, token.refresh_token, "a refresh token", "access_token"):
        return
    used = conformance.client.refresh_grant(
        token.refresh_token, "token: refresh with a revoked refresh token", expect_token=False
    )
    conformance.expect(
        expect_refused(
            used,
            rfc7009.HINT_SEARCH,
            {"invalid_grant"},
            "a refresh token revoked with token_type_hint=access_token",
        ),
        rfc7009.HINT_SEARCH,
    )


@requirement(rfc7009.HINT_SEARCH)
@applies(revocation="access", resource_or_introspection=True)
def test_a_wrong_hint_does_not_stop_an_access_tokens_revocation(conformance: Scenario, grant: str) -> None:
    """RFC 7009 §2.1: a hint that does not fit makes the server search its other token types."""
    token = conformance.obtain_token(f"token: {grant} grant, an access token to revoke")
    conformance.ledger.forget(token.access_token)
    if not _revoked_with_wrong_hint(conformance, token.access_token, "an access token", "refresh_token"):
        return
    found = _still_works(conformance, token, "an access token revoked with token_type_hint=refresh_token")
    # A server that does not revoke access tokens at all (RFC7009-2.1-revokes-access) does not here.
    conformance.expect([f.following(rfc7009.REVOKES_ACCESS) for f in found], rfc7009.HINT_SEARCH)


def _still_works(
    conformance: Scenario, token: IssuedToken, what: str, requirement_: Requirement = rfc7009.HINT_SEARCH
) -> list[Finding]:
    """A finding when `token`'s access token is still accepted at the resource, or active at
    introspection where there is no resource."""
    client = conformance.client
    if client.target.resource_path is not None:
        used = client.call_resource(token.access_token, f"resource: {what}")
        if used.status is None or not 400 <= used.status < 500:
            return [Finding(requirement_, f"a refusal of {what}", outcome(used), used)]
        return []
    seen = introspect(client, token.access_token, f"introspection: {what}")
    if isinstance(seen.json, dict) and seen.json.get("active") is True:
        return [Finding(requirement_, f"{what} no longer active", "introspection says active: true", seen)]
    return []


@requirement(rfc7009.UNKNOWN_HINT)
@applies(revocation="access", resource_or_introspection=True)
def test_an_unknown_hint_is_ignored_or_refused(conformance: Scenario, grant: str) -> None:
    """RFC 7009 §2.1: the server MAY ignore the hint; §2.2.1: unsupported_token_type. An unknown
    hint is ignored (HTTP 200, the token revoked: django-oauth-toolkit) or refused (HTTP 400
    unsupported_token_type: Authlib; or invalid_request): both readings pass. A 200 that leaves the
    token working does not, nor any other answer."""
    token = conformance.obtain_token(f"token: {grant} grant, an access token to revoke with an unknown hint")
    conformance.ledger.forget(token.access_token)
    answer = revoke(
        conformance.client,
        token.access_token,
        "revocation: access token, token_type_hint of an unknown type",
        hint=UNKNOWN_HINT,
    )
    requirement_ = rfc7009.UNKNOWN_HINT
    if answer.status == 400 and answer.error_code in ("unsupported_token_type", "invalid_request"):
        conformance.expect([], requirement_, f"the hint refused ({answer.error_code})")
        return
    if answer.status != 200:
        expected = "HTTP 200 (the hint ignored), or HTTP 400 unsupported_token_type (the hint refused)"
        conformance.expect([Finding(requirement_, expected, outcome(answer), answer)])
        return
    found = _still_works(
        conformance, token, "an access token revoked with a token_type_hint of an unknown type", requirement_
    )
    # A server that does not revoke access tokens at all (RFC7009-2.1-revokes-access) does not here.
    conformance.expect([f.following(rfc7009.REVOKES_ACCESS) for f in found], requirement_)


@requirement(rfc7009.REVOKE_OK, rfc7009.REVOKES_ACCESS, rfc7009.UNSUPPORTED_TOKEN_TYPE)
@applies(revocation="access", resource=True)
def test_a_revoked_access_token_is_refused_by_the_resource(conformance: Scenario) -> None:
    token = conformance.obtain_token()
    conformance.ledger.forget(token.access_token)
    answer = revoke(conformance.client, token.access_token, "revocation: access token", hint="access_token")
    if not answer.ok and answer.status is not None and 400 <= answer.status < 500 and answer.error_code:
        # §2.2.1: a server that does not revoke access tokens says so with unsupported_token_type.
        if answer.error_code == "unsupported_token_type":
            conformance.expect(
                [Finding(rfc7009.REVOKES_ACCESS, "the access token revoked", outcome(answer), answer)],
            )
            conformance.log.held(rfc7009.UNSUPPORTED_TOKEN_TYPE)
        else:
            expected = "HTTP 200, or error unsupported_token_type where access tokens cannot be revoked"
            conformance.expect([Finding(rfc7009.UNSUPPORTED_TOKEN_TYPE, expected, outcome(answer), answer)])
        return
    if not _revoke_ok(conformance, answer, "the revocation of a valid access token"):
        return
    used = conformance.client.call_resource(token.access_token, "resource: revoked access token")
    findings = []
    if used.status is None or not 400 <= used.status < 500:
        findings.append(
            Finding(rfc7009.REVOKES_ACCESS, "a refusal of the revoked access token", outcome(used), used)
        )
    conformance.expect(findings, rfc7009.REVOKES_ACCESS)


@requirement(rfc7009.REVOKES_ACCESS)
@applies(revocation="access", introspection=True)
def test_a_revoked_access_token_is_inactive_at_introspection(conformance: Scenario) -> None:
    """Where there is no resource to present it to, the server's own introspection says whether
    the revocation took (RFC 7662 §2.2: a revoked token is not active)."""
    token = conformance.obtain_token()
    conformance.ledger.forget(token.access_token)
    answer = revoke(conformance.client, token.access_token, "revocation: access token", hint="access_token")
    if not answer.ok:
        conformance.log.not_checked(rfc7009.REVOKES_ACCESS, f"the revocation was refused: {outcome(answer)}")
        return
    _revoke_ok(conformance, answer, "the revocation of a valid access token")
    seen = introspect(conformance.client, token.access_token, "introspection: revoked access token")
    findings = []
    if isinstance(seen.json, dict) and seen.json.get("active") is True:
        expected = "the revoked access token no longer active"
        findings.append(Finding(rfc7009.REVOKES_ACCESS, expected, "introspection says active: true", seen))
    conformance.expect(findings, rfc7009.REVOKES_ACCESS)


@requirement(rfc7009.UNSUPPORTED_TOKEN_TYPE)
@applies(revocation="access_unsupported")
def test_an_unrevocable_access_token_is_refused_as_unsupported(conformance: Scenario) -> None:
    token = conformance.obtain_token()
    answer = revoke(conformance.client, token.access_token, "revocation: access token", hint="access_token")
    revocation = conformance.profile.revocation
    assert revocation is not None
    findings = []
    if answer.status != 400 or answer.error_code != "unsupported_token_type":
        expected = f"HTTP 400 unsupported_token_type: access tokens cannot be revoked ({revocation.source})"
        findings.append(Finding(rfc7009.UNSUPPORTED_TOKEN_TYPE, expected, outcome(answer), answer))
    conformance.expect(findings, rfc7009.UNSUPPORTED_TOKEN_TYPE)


@requirement(rfc7009.REFRESH_REVOKES_ACCESS)
@applies(refresh=True, revocation="access_with_refresh", resource=True)
def test_revoking_a_refresh_token_revokes_its_access_token(conformance: Scenario) -> None:
    token = _with_refresh(conformance)
    assert token.refresh_token is not None
    _forget_grant(conformance, token)
    answer = revoke(
        conformance.client, token.refresh_token, "revocation: refresh token", hint="refresh_token"
    )
    if not answer.ok:
        conformance.log.not_checked(
            rfc7009.REFRESH_REVOKES_ACCESS, f"the revocation was refused: {outcome(answer)}"
        )
        return
    _revoke_ok(conformance, answer, "the revocation of a valid refresh token")
    used = conformance.client.call_resource(
        token.access_token, "resource: access token of a revoked refresh token"
    )
    findings = []
    if used.status is None or not 400 <= used.status < 500:
        revocation = conformance.profile.revocation
        assert revocation is not None
        expected = f"a refusal: its refresh token was revoked ({revocation.source})"
        findings.append(Finding(rfc7009.REFRESH_REVOKES_ACCESS, expected, outcome(used), used))
    conformance.expect(findings, rfc7009.REFRESH_REVOKES_ACCESS)


@requirement(rfc7009.REVOKE_OK)
@applies(revocation=True)
@pytest.mark.parametrize("shape", list(NEVER_ISSUED))
def test_revoking_an_unknown_token_is_answered_200(conformance: Scenario, shape: str) -> None:
    answer = revoke(conformance.client, NEVER_ISSUED[shape](), f"revocation: a token never issued ({shape})")
    _revoke_ok(conformance, answer, "the revocation of an unknown token (RFC 7009 §2.2: invalid tokens too)")


@requirement(rfc7009.CLIENT_AUTH, rfc7009.INVALID_CLIENT_401)
@applies(revocation=True, client_auth=True)
@pytest.mark.parametrize("case", ["no client authentication", "a wrong client secret"])
def test_revocation_requires_client_authentication(conformance: Scenario, case: str) -> None:
    """RFC 7009 §2.1: the client authenticates; §2.2.1: a failed one is refused as RFC 6749 §5.2
    says, HTTP 401 with a Basic challenge where it authenticated by HTTP Basic (the exchange check
    judges that)."""
    if case == "no client authentication" or conformance.profile.client_auth != "basic":
        why = (
            "no HTTP authentication is sent"
            if case == "no client authentication"
            else "clients authenticate in the body"
        )
        conformance.log.not_checked(rfc7009.INVALID_CLIENT_401, f"not applicable: {why}")
    token = conformance.obtain_token()
    registered = conformance.client.credentials.client
    assert registered is not None
    wrong = ClientCredentials(registered.client_id, "conformance-made-up-secret")
    credentials = None if case == "no client authentication" else wrong
    # Whether it "revokes nothing" is judged only of a token the resource accepted beforehand.
    usable = (
        conformance.client.target.resource_path is not None
        and conformance.client.call_resource(
            token.access_token, "resource: access token before a revocation without valid credentials"
        ).ok
    )
    answer = revoke(
        conformance.client,
        token.access_token,
        f"revocation: access token with {case}",
        credentials=credentials,
    )
    findings = expect_refused(answer, rfc7009.CLIENT_AUTH, {"invalid_client"}, f"a revocation with {case}")
    if not findings and usable:
        # "... and revokes nothing": the token it named still works.
        used = conformance.client.call_resource(
            token.access_token, "resource: access token after a refused revocation"
        )
        if not used.ok:
            expected = "the access token still accepted: the revocation was refused"
            findings.append(Finding(rfc7009.CLIENT_AUTH, expected, outcome(used), used))
    conformance.expect(findings, rfc7009.CLIENT_AUTH)


@requirement(rfc7009.TOKEN_REQUIRED)
@applies(revocation=True)
def test_a_revocation_without_a_token_is_invalid_request(conformance: Scenario) -> None:
    answer = without_token(conformance.client, "revocation", "revocation: no token parameter")
    conformance.expect(
        _invalid_request(answer, rfc7009.TOKEN_REQUIRED, "a revocation request without token"),
        rfc7009.TOKEN_REQUIRED,
    )


def _invalid_request(answer: Exchange, requirement_: Requirement, what: str) -> list[Finding]:
    """RFC 6749 §5.2, as RFC 7009 §2.2.1 and RFC 7662 §2.3 use it: a request missing a required
    parameter is HTTP 400 invalid_request."""
    if answer.status == 400 and answer.error_code == "invalid_request":
        return []
    return [Finding(requirement_, f"HTTP 400 invalid_request for {what}", outcome(answer), answer)]
