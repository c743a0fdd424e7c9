"""Refusals at the token endpoint (RFC 6749 §3.2, §4.3.2, §5.2)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from conformance.checks.expectations import expect_refused, outcome
from conformance.client import Exchange
from conformance.client.client import basic_authorization
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc6749
from conformance.scenarios.token.client_auth_cases import second_client
from conformance.scenarios.token.repeated_parameter import repeated_refused
from conformance.strategies.model import MADE_UP

requirement = pytest.mark.requirement


# RFC 6749 Appendix B: parameter values are UTF-8; nothing bounds their length. Wrong
# credentials are still wrong when they are not ASCII or are long. Those two go to an unknown
# user, so that a live account's failed-login counter is not spent on them.
CREDENTIAL_CASES = [
    "wrong password",
    "unknown user",
    "empty password",
    "non-ASCII credentials",
    "long password",
]


@requirement(rfc6749.WRONG_CREDENTIALS, rfc6749.ERROR_RESPONSE)
@applies(grant_password=True)
@pytest.mark.parametrize("case", CREDENTIAL_CASES)
def test_wrong_resource_owner_credentials_are_refused(conformance: Scenario, case: str) -> None:
    client = conformance.client
    real = client.credentials
    overrides = {
        "wrong password": {"password": real.password + "x"},
        "unknown user": {"username": "conformance-no-such-user-" + real.username},
        "empty password": {"password": ""},
        "non-ASCII credentials": {
            "username": "conformance-n\u00f6-such-\u00fcser",
            "password": real.password + "\u00e9\u00df\u2603",
        },
        "long password": {"username": "conformance-no-such-user", "password": real.password + "x" * 256},
    }[case]
    # RFC 6749 §3.2: an empty parameter counts as omitted, so invalid_request is right too; a
    # server may likewise judge unusual input malformed rather than wrong.
    codes = (
        {"invalid_grant"}
        if case in ("wrong password", "unknown user")
        else {"invalid_grant", "invalid_request"}
    )
    exchange = client.password_grant(f"token: password grant, {case}", expect_token=False, **overrides)
    conformance.expect(
        expect_refused(exchange, rfc6749.WRONG_CREDENTIALS, codes, f"a {case}"), rfc6749.WRONG_CREDENTIALS
    )


@requirement(rfc6749.MISSING_PARAMETER, rfc6749.ERROR_RESPONSE)
@applies(grant_password=True)
@pytest.mark.parametrize("missing", ["username", "password"])
def test_missing_parameter_is_invalid_request(conformance: Scenario, missing: str) -> None:
    client = conformance.client
    exchange = client.token_request(
        client.password_params(omit=[missing]), purpose=f"token: password grant without {missing}"
    )
    conformance.expect(
        expect_refused(
            exchange, rfc6749.MISSING_PARAMETER, {"invalid_request"}, f"a request without {missing}"
        ),
        rfc6749.MISSING_PARAMETER,
    )


@requirement(rfc6749.MISSING_GRANT_TYPE, rfc6749.ERROR_RESPONSE)
def test_missing_grant_type_is_invalid_request(conformance: Scenario) -> None:
    client = conformance.client
    # The documented request of the grant the run uses, less grant_type.
    params = [p for p in client.issuing_params() if p[0] != "grant_type"]
    exchange = client.token_request(params, purpose="token: request without grant_type")
    conformance.expect(
        expect_refused(
            exchange, rfc6749.MISSING_GRANT_TYPE, {"invalid_request"}, "a request without grant_type"
        ),
        rfc6749.MISSING_GRANT_TYPE,
    )


@requirement(rfc6749.UNSUPPORTED_GRANT, rfc6749.ERROR_RESPONSE)
def test_unknown_grant_type_is_unsupported(conformance: Scenario) -> None:
    client = conformance.client
    params = [
        (k, "urn:conformance:no-such-grant" if k == "grant_type" else v) for k, v in client.issuing_params()
    ]
    exchange = client.token_request(params, purpose="token: unknown grant_type")
    conformance.expect(
        expect_refused(
            exchange, rfc6749.UNSUPPORTED_GRANT, {"unsupported_grant_type"}, "an unknown grant_type"
        ),
        rfc6749.UNSUPPORTED_GRANT,
    )


def _answer(exchange: Exchange) -> str:
    """What a token request got, as far as RFC 6749 §3.2 compares two: a token, or the refusal's code."""
    if exchange.issued_token is not None:
        return "a token"
    return f"refused with {exchange.error_code}" if exchange.error_code else outcome(exchange)


@requirement(rfc6749.EMPTY_PARAMETER)
def test_empty_scope_is_treated_as_omitted(conformance: Scenario, grant: str) -> None:
    """RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were omitted
    from the request." `scope=` must get what the request without scope gets."""
    client = conformance.client
    purpose = f"token: {grant} grant without scope"
    # Where the documented request carries no scope it is the request without one.
    omitted = (
        conformance.documented_request(purpose)
        if conformance.profile.scope_value is None
        else client.grant_request(grant, purpose, scope=None)
    )
    conformance.skip_unless_allowed(omitted, rfc6749.EMPTY_PARAMETER)
    conformance.stop_if_overloaded(omitted)
    empty = client.grant_request(grant, f"token: {grant} grant with scope= (no value)", scope="")
    findings = []
    if _answer(empty) != _answer(omitted) and omitted.status is not None and empty.status is not None:
        findings.append(
            Finding(
                rfc6749.EMPTY_PARAMETER,
                f"the answer to the request without scope (#{omitted.seq}: {_answer(omitted)})",
                outcome(empty),
                empty,
            )
        )
    conformance.expect(findings, rfc6749.EMPTY_PARAMETER, "scope= is answered as no scope")


@requirement(rfc6749.ERROR_RESPONSE, rfc6749.POST_ONLY)
def test_get_at_the_token_endpoint_is_refused(conformance: Scenario, grant: str) -> None:
    """RFC 6749 §3.2: token requests are POSTs. A GET is refused with 405 or an RFC 6749 error,
    never served, never a server error (the exchange checks judge the refusal). Only made-up
    credentials go in its query (a URL is a place access logs keep): a client that authenticates
    by HTTP Basic asks for a client credentials token with its real header, which shows whether a
    GET is served; otherwise a refusal is all that can be seen."""
    client = conformance.client
    real = client.credentials.client
    by_header = (
        grant == "client_credentials" and conformance.profile.client_auth == "basic" and real is not None
    )
    params = [("grant_type", grant)]
    headers: list[tuple[str, str | bytes]] = []
    if by_header:
        assert real is not None
        headers.append(("Authorization", basic_authorization(real.client_id, real.client_secret)))
        params += [("scope", conformance.profile.scope_value)] if conformance.profile.scope_value else []
    else:
        if grant == "password":
            params += [("username", MADE_UP["username"]), ("password", MADE_UP["password"])]
        params += [("client_id", MADE_UP["client_id"]), ("client_secret", MADE_UP["client_secret"])]
    what = "real Basic credentials" if by_header else "made-up credentials"
    exchange = client.send_raw(
        "GET",
        f"{conformance.profile.token_path}?{urlencode(params)}",
        kind="token",
        purpose=f"token: a GET, {grant} grant, with {what}",
        headers=headers,
        grant_type=grant,
    )
    findings = []
    if exchange.issued_token is not None:
        expected = f"a refusal of a GET ({what}): token requests are POSTs"
        findings.append(Finding(rfc6749.POST_ONLY, expected, outcome(exchange), exchange))
    conformance.expect([], rfc6749.ERROR_RESPONSE)  # the exchange checks judge the refusal's form
    if findings or by_header:
        conformance.expect(findings, rfc6749.POST_ONLY)
    else:
        conformance.log.partial(
            rfc6749.POST_ONLY,
            f"a GET with made-up credentials issued no token ({outcome(exchange)}); one with real "
            "credentials was not sent (no real credential goes in a URL)",
        )


@requirement(rfc6749.REPEATED_PARAMETER, rfc6749.ERROR_RESPONSE)
def test_a_repeated_grant_type_is_invalid_request(conformance: Scenario, grant: str) -> None:
    """RFC 6749 §3.2: parameters MUST NOT repeat; §5.2: invalid_request. grant_type sent twice: with
    the documented value both times, then with another value before or after it (a server that
    keeps the first value, or the last, issues a token to one of them). No credential is changed, so
    no failed login is spent."""
    client = conformance.client
    findings = []
    for case, other in (
        ("the documented value twice", ("grant_type", grant)),
        ("the documented value last", ("grant_type", "urn:conformance:other-grant")),
        ("the documented value first", ("grant_type", "urn:conformance:other-grant")),
    ):
        params = client.issuing_params(grant=grant)
        at = next(i for i, (k, _) in enumerate(params) if k == "grant_type")
        params.insert(at if case.endswith("last") else at + 1, other)
        exchange = client.token_request(
            params, purpose=f"token: {grant} grant, grant_type sent twice, {case}"
        )
        conformance.skip_unless_allowed(exchange, rfc6749.REPEATED_PARAMETER)
        conformance.stop_if_overloaded(exchange)
        findings += repeated_refused(exchange, "grant_type", case)
    conformance.expect(findings, rfc6749.REPEATED_PARAMETER)


@requirement(rfc6749.STRUCTURED_PARAMETER, rfc6749.ERROR_RESPONSE)
def test_a_bracketed_parameter_is_ignored_or_refused(conformance: Scenario, grant: str) -> None:
    """Frameworks that build objects from bracketed names (Rails, Express's qs, PHP) read
    `scope[a]=b` as a scope that is an object and `grant_type[]=x` as an array: a flat reader
    ignores such names (RFC 6749 §3.2), a structured one refuses the value (§5.2 invalid_request).
    Neither serves grant_type[] as grant_type, nor fails with a server error."""
    client = conformance.client
    requirement_ = rfc6749.STRUCTURED_PARAMETER
    findings = []
    # The documented request, plus scope[a]=b: served as documented, or refused.
    extra = client.grant_request(grant, f"token: {grant} grant, and scope[a]=b", extra=[("scope[a]", "b")])
    conformance.skip_unless_allowed(extra, requirement_)
    conformance.stop_if_overloaded(extra)
    if extra.issued_token is None:
        codes = {"invalid_request", "invalid_scope"}
        findings += expect_refused(extra, requirement_, codes, "scope[a]=b")
    # The documented request with grant_type[] for grant_type: no grant_type to serve.
    params = [("grant_type[]" if k == "grant_type" else k, v) for k, v in client.issuing_params(grant=grant)]
    array = client.token_request(params, purpose=f"token: {grant} grant, sent as grant_type[]={grant}")
    conformance.stop_if_overloaded(array)
    codes = {"invalid_request", "unsupported_grant_type"}
    findings += expect_refused(array, requirement_, codes, f"grant_type[]={grant} without grant_type")
    conformance.expect(findings, requirement_)


@requirement(rfc6749.PASSWORD_UNAUTHORIZED_CLIENT, rfc6749.ERROR_RESPONSE)
@applies(grant_password=True, client_auth=True)
def test_a_client_not_allowed_the_password_grant_is_unauthorized(conformance: Scenario) -> None:
    """RFC 6749 §5.2 unauthorized_client: the second client (allowed neither the password nor the
    client credentials grant) asks for a token with the resource owner's credentials."""
    other = second_client(conformance, "without the password grant")
    exchange = conformance.client.grant_request(
        "password", "token: password grant, a client not allowed it", client=other, expect_token=False
    )
    requirement_ = rfc6749.PASSWORD_UNAUTHORIZED_CLIENT
    if exchange.error_code == "invalid_client":
        reason = f"the second client did not authenticate ({outcome(exchange)}): check its credentials"
        conformance.log.not_checked(requirement_, reason)
        return
    found = expect_refused(exchange, requirement_, {"unauthorized_client"}, "a client without the grant")
    # A server that does not tell its clients apart (RFC6749-4.3-client-auth) serves this one too.
    if exchange.issued_token is not None:
        found = [f.following(rfc6749.CLIENT_AUTH_REQUIRED) for f in found]
    conformance.expect(found, requirement_)
