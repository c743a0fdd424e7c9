"""Client authentication at the token endpoint (RFC 6749 §2.3, §2.3.1, §4.3.2, §5.2): it is
required, each documented method works, HTTP Basic encodes its credentials as the RFC says, and a
request may authenticate one way only. Only the first scenario is about one grant; the others run
through every grant the run can use."""

from __future__ import annotations

import base64

import pytest

from conformance.checks.expectations import (
    DOCUMENTED_REFUSED,
    expect_issued,
    expect_refused,
    outcome,
    without_rfc_code,
)
from conformance.client import ClientCredentials, Exchange
from conformance.credentials import changed_by_form_encoding
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.profile.model import CLIENT_AUTH_METHODS, ClientAuthMethod
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc6749, rfc9110
from conformance.scenarios.token.client_auth_cases import CASES, client_auth_attempt, wrong_secret
from conformance.scenarios.token.repeated_parameter import repeated_refused
from conformance.strategies.model import MADE_UP

requirement = pytest.mark.requirement


@requirement(rfc6749.CLIENT_AUTH_REQUIRED, rfc6749.ERROR_RESPONSE, rfc6749.INVALID_CLIENT_401)
@applies(client_auth=True, grant_password=True)
@pytest.mark.parametrize("case", CASES)
def test_client_must_authenticate(conformance: Scenario, case: str) -> None:
    exchange = client_auth_attempt(conformance, case, conformance.client.password_params(), "password grant")
    conformance.expect(
        expect_refused(exchange, rfc6749.CLIENT_AUTH_REQUIRED, {"invalid_client"}, case),
        rfc6749.CLIENT_AUTH_REQUIRED,
    )


def _by_method(conformance: Scenario, method: ClientAuthMethod, purpose: str) -> Exchange:
    """The documented request with the client authenticated by `method`: where that is the
    profile's own method, the documented request itself (in a frugal run, one already answered)."""
    if method == CLIENT_AUTH_METHODS[conformance.profile.client_auth]:
        return conformance.documented_request(purpose)
    return conformance.client.grant_request(conformance.grant, purpose, method=method)


@requirement(rfc6749.BASIC_SUPPORTED)
@applies(auth_method="client_secret_basic")
def test_basic_client_authentication_is_supported(conformance: Scenario, grant: str) -> None:
    exchange = _by_method(conformance, "client_secret_basic", f"token: {grant} grant, HTTP Basic")
    conformance.skip_unless_allowed(exchange, rfc6749.BASIC_SUPPORTED)
    conformance.expect(
        expect_issued(exchange, rfc6749.BASIC_SUPPORTED, "HTTP Basic client authentication"),
        rfc6749.BASIC_SUPPORTED,
    )


@requirement(rfc6749.LISTED_AUTH_METHODS)
@pytest.mark.parametrize(
    "method",
    [
        pytest.param("client_secret_basic", marks=applies(auth_method="client_secret_basic")),
        pytest.param("client_secret_post", marks=applies(auth_method="client_secret_post")),
    ],
)
def test_each_documented_method_authenticates(conformance: Scenario, grant: str, method: str) -> None:
    exchange = _by_method(
        conformance,
        "client_secret_basic" if method == "client_secret_basic" else "client_secret_post",
        f"token: {grant} grant, {method}",
    )
    conformance.skip_unless_allowed(exchange, rfc6749.LISTED_AUTH_METHODS)
    source = conformance.profile.source_of("client_auth")
    conformance.expect(
        expect_issued(exchange, rfc6749.LISTED_AUTH_METHODS, f"{method}, a documented method ({source})"),
        rfc6749.LISTED_AUTH_METHODS,
    )


@requirement(rfc6749.LISTED_AUTH_METHODS, rfc6749.ERROR_RESPONSE)
@applies(client_auth=True, auth_method_unlisted="client_secret_post")
def test_body_credentials_refused_where_not_documented(conformance: Scenario, grant: str) -> None:
    # Only the body: a server must not take a secret where its documentation says it does not
    # read one. Basic is never asked to be refused: RFC 6749 §2.3.1 makes it a MUST.
    exchange = conformance.client.grant_request(
        grant,
        f"token: {grant} grant, client_secret_post (not documented)",
        method="client_secret_post",
        expect_token=False,
    )
    found = expect_refused(
        exchange,
        rfc6749.LISTED_AUTH_METHODS,
        {"invalid_client", "invalid_request"},
        "client credentials in the body, which the documentation does not list",
    )
    # A server that serves requests with no client authentication at all serves this one too.
    requires_auth = (rfc6749.CLIENT_AUTH_REQUIRED, rfc6749.CC_CLIENT_AUTH)
    conformance.expect([f.following(*requires_auth) for f in found], rfc6749.LISTED_AUTH_METHODS)


@requirement(rfc6749.ONE_AUTH_METHOD, rfc6749.ERROR_RESPONSE)
@applies(client_auth=True)
def test_two_client_authentication_methods_are_refused(conformance: Scenario, grant: str) -> None:
    real = conformance.client.credentials.client
    assert real is not None
    # The right credentials both ways: only using two methods at once is wrong (§2.3, §5.2).
    exchange = _basic_and_body(conformance, grant, "Basic and body credentials", real, real)
    conformance.skip_unless_allowed(exchange, rfc6749.ONE_AUTH_METHOD)
    conformance.expect(
        expect_refused(exchange, rfc6749.ONE_AUTH_METHOD, {"invalid_request"}, "two authentication methods"),
        rfc6749.ONE_AUTH_METHOD,
    )


@requirement(rfc6749.ONE_AUTH_METHOD, rfc6749.ERROR_RESPONSE)
@applies(client_auth=True)
def test_basic_and_body_naming_two_clients_are_refused(conformance: Scenario, grant: str) -> None:
    """HTTP Basic for the client, the body naming another: whoever the server believes, the
    request must be refused with an RFC 6749 §5.2 code (invalid_request or invalid_client), never a
    server error or a code of its own (the exchange checks judge the refusal's form)."""
    credentials = conformance.client.credentials
    other = credentials.restricted_client or ClientCredentials(MADE_UP["client_id"], MADE_UP["client_secret"])
    what = "Basic for the client, the body naming another client"
    exchange = _basic_and_body(conformance, grant, what, credentials.client, other)
    findings = []
    if exchange.issued_token is not None:
        expected = "a refusal: Basic credentials of one client and body credentials of another"
        findings.append(Finding(rfc6749.ONE_AUTH_METHOD, expected, outcome(exchange), exchange))
    conformance.expect(findings, rfc6749.ONE_AUTH_METHOD)


@requirement(rfc6749.FAILED_BASIC, rfc6749.ERROR_RESPONSE, rfc6749.INVALID_CLIENT_401)
@applies(client_auth=True)
def test_failed_basic_authentication_is_not_passed_over(conformance: Scenario, grant: str) -> None:
    """A wrong secret in the Basic header, the right one in the body: RFC 6749 §5.2 has the server
    answer the client that authenticated by the header with 401 invalid_client."""
    real = conformance.client.credentials.client
    assert real is not None
    wrong = ClientCredentials(real.client_id, wrong_secret(real.client_secret))
    what = "a wrong secret by Basic, the right one in the body"
    exchange = _basic_and_body(conformance, grant, what, wrong, real)
    conformance.skip_unless_allowed(exchange, rfc6749.FAILED_BASIC)
    conformance.expect(
        expect_refused(
            exchange,
            rfc6749.FAILED_BASIC,
            # invalid_request too: the request also uses two methods (RFC 6749 §5.2).
            {"invalid_client", "invalid_request"},
            "a failed Basic authentication, whatever the body carries",
        ),
        rfc6749.FAILED_BASIC,
    )


def _basic_and_body(
    conformance: Scenario,
    grant: str,
    what: str,
    basic: ClientCredentials | None,
    body: ClientCredentials,
) -> Exchange:
    """The documented request of `grant`, `basic` in an HTTP Basic header and `body` in the body."""
    return conformance.client.grant_request(
        grant,
        f"token: {grant} grant, {what}",
        extra=[("client_id", body.client_id), ("client_secret", body.client_secret)],
        expect_token=False,
        client=basic,
        method="client_secret_basic",
    )


@requirement(rfc6749.BASIC_FORM_ENCODED)
@applies(auth_method="client_secret_basic")
def test_basic_credentials_are_form_encoded(conformance: Scenario, grant: str) -> None:
    client = conformance.client
    real = client.credentials.client
    assert real is not None
    if not changed_by_form_encoding(real.client_id, real.client_secret):
        reason = (
            "not applicable: the client id and secret hold no character form encoding changes "
            "(run with a client whose secret has one: +, /, % or a space)"
        )
        conformance.log.not_checked(rfc6749.BASIC_FORM_ENCODED, reason)
        pytest.skip(reason)
    encoded = client.grant_request(
        grant, f"token: {grant} grant, Basic credentials form-encoded (RFC 6749 §2.3.1)"
    )
    conformance.skip_unless_allowed(encoded, rfc6749.BASIC_FORM_ENCODED)
    if encoded.issued_token is not None:
        conformance.expect([], rfc6749.BASIC_FORM_ENCODED, "the form-encoded id and secret authenticate")
        return
    raw = "Basic " + base64.b64encode(f"{real.client_id}:{real.client_secret}".encode()).decode("ascii")
    purpose = f"token: {grant} grant, Basic credentials not form-encoded"
    client.token_budget.ensure(purpose)  # a server that does not form-decode issues a token to it
    unencoded = client.token_request(
        client.issuing_params(grant=grant),
        purpose=purpose,
        client=None,
        headers={"Authorization": raw},
        asks_token=True,
    )
    if unencoded.issued_token is None:
        conformance.stop(
            f"neither form of the Basic credentials authenticates ({outcome(encoded)}; {outcome(unencoded)})"
        )
    conformance.expect(
        [
            Finding(
                rfc6749.BASIC_FORM_ENCODED,
                "a token for the form-encoded client id and secret (RFC 6749 §2.3.1)",
                f"{outcome(encoded)}; the same credentials not form-encoded get a token (#{unencoded.seq})",
                encoded,
            )
        ]
    )


@requirement(rfc6749.CLIENT_AUTH_REQUIRED, rfc6749.CC_CLIENT_AUTH, rfc9110.UNAUTHORIZED_CHALLENGE)
@applies(auth_method="client_secret_post")
def test_a_wrong_secret_in_the_body_is_refused(conformance: Scenario, grant: str) -> None:
    """The body's client credentials checked as the header's are (RFC 6749 §2.3.1, §5.2): a wrong
    secret is invalid_client; a 401 carries a challenge (RFC 9110 §15.5.2)."""
    client = conformance.client
    real = client.credentials.client
    assert real is not None
    exchange = client.grant_request(
        grant,
        f"token: {grant} grant, a wrong client secret in the body",
        client=ClientCredentials(real.client_id, wrong_secret(real.client_secret)),
        method="client_secret_post",
        expect_token=False,
    )
    requirement_ = rfc6749.CLIENT_AUTH_REQUIRED if grant == "password" else rfc6749.CC_CLIENT_AUTH
    other = rfc6749.CC_CLIENT_AUTH if grant == "password" else rfc6749.CLIENT_AUTH_REQUIRED
    conformance.skip_unless_allowed(exchange, requirement_)
    conformance.log.not_checked(other, f"not applicable to the {grant} grant")
    conformance.expect(
        expect_refused(exchange, requirement_, {"invalid_client"}, "a wrong client secret in the body"),
        requirement_,
    )


@requirement(rfc6749.REPEATED_PARAMETER)
@applies(auth_method="client_secret_post")
def test_a_repeated_client_secret_is_invalid_request(conformance: Scenario, grant: str) -> None:
    """RFC 6749 §3.2: no parameter repeats (§5.2 invalid_request). client_secret in the body twice:
    the right value both times, then a wrong value and the right one in both orders (a server that
    keeps the first value, or the last, authenticates one of them)."""
    client = conformance.client
    real = client.credentials.client
    assert real is not None
    wrong = wrong_secret(real.client_secret)
    findings = []
    for case, values in (
        ("the right one twice", (real.client_secret, real.client_secret)),
        ("the right one last", (wrong, real.client_secret)),
        ("the right one first", (real.client_secret, wrong)),
    ):
        params = [*client.issuing_params(grant=grant), ("client_id", real.client_id)]
        params += [("client_secret", value) for value in values]
        purpose = f"token: {grant} grant, client_secret sent twice, {case}"
        client.token_budget.ensure(purpose)  # a server that reads the right one issues a token
        exchange = client.token_request(params, purpose=purpose, client=None, asks_token=True)
        conformance.skip_unless_allowed(exchange, rfc6749.REPEATED_PARAMETER)
        conformance.stop_if_overloaded(exchange)
        findings += repeated_refused(exchange, "client_secret", case)
    conformance.expect(findings, rfc6749.REPEATED_PARAMETER)


@requirement(rfc6749.CREDENTIALS_NOT_IN_URI)
@applies(client_auth=True)
def test_client_credentials_in_the_query_are_not_read(conformance: Scenario, grant: str) -> None:
    """RFC 6749 §2.3.1: client credentials "MUST NOT be included in the request URI". The documented
    request, the client authenticated as documented, with a made-up client_id and client_secret in
    the query (never a real secret in a URL): served as documented, or refused as a whole
    (invalid_request); the made-up pair taken for the client's (invalid_client) is the deviation."""
    client = conformance.client
    purpose = f"token: {grant} grant, a made-up client_id and client_secret in the query"
    client.token_budget.ensure(purpose)  # served as documented, it issues a token
    exchange = client.token_request(
        client.issuing_params(grant=grant),
        purpose=purpose,
        query=[("client_id", MADE_UP["client_id"]), ("client_secret", MADE_UP["client_secret"])],
        asks_token=True,
    )
    requirement_ = rfc6749.CREDENTIALS_NOT_IN_URI
    conformance.skip_unless_allowed(exchange, requirement_)
    conformance.stop_if_overloaded(exchange)
    if exchange.issued_token is not None or exchange.error_code == "invalid_request":
        conformance.expect([], requirement_)
        return
    expected = "the request served as documented (the query ignored), or refused as a whole (invalid_request)"
    finding = Finding(requirement_, expected, outcome(exchange), exchange)
    # The documented request refused, or refused with a server error, says nothing of the query.
    conformance.expect([without_rfc_code(finding).following(*DOCUMENTED_REFUSED)])
