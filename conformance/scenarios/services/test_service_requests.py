"""How revocation (RFC 7009) and introspection (RFC 7662) requests may come: by POST only, with
one client authentication method at a time. Each request carries a made-up token: whether it was
served shows in its status (a revocation of an unknown token is answered 200, an introspection of
one 200 with active: false), so no token the run holds is spent."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import outcome
from conformance.client import ClientCredentials
from conformance.client.endpoints import service_request
from conformance.client.exchange import ExchangeKind
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc6749, rfc7009, rfc7662
from conformance.scenarios.token.never_issued import NEVER_ISSUED
from conformance.strategies.model import MADE_UP

requirement = pytest.mark.requirement

ENDPOINTS = [
    pytest.param("revocation", marks=applies(revocation=True)),
    pytest.param("introspection", marks=applies(introspection=True)),
]


def _kind(endpoint: str) -> ExchangeKind:
    return "revocation" if endpoint == "revocation" else "introspection"


@requirement(rfc6749.POST_ONLY)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_get_is_refused(conformance: Scenario, endpoint: str) -> None:
    """RFC 7009 §2.1, RFC 7662 §2.1: requests are POSTs. A GET with a made-up token in its query
    (and the client's real HTTP Basic header, never a secret in the URL) is refused, not served."""
    client = conformance.client
    real = client.credentials.client
    by_header = conformance.profile.client_auth == "basic" and real is not None
    made_up = NEVER_ISSUED["opaque"]()
    query = (
        []
        if by_header or real is None
        else [("client_id", MADE_UP["client_id"]), ("client_secret", MADE_UP["client_secret"])]
    )
    answer = service_request(
        client,
        _kind(endpoint),
        [("token", made_up)],
        f"{endpoint}: a GET with a made-up token",
        method="GET",
        basic=real if by_header else None,
        query=query,
    )
    if answer.ok:
        expected = f"a refusal of a GET (405, or 400 invalid_request): {endpoint} requests are POSTs"
        conformance.expect([Finding(rfc6749.POST_ONLY, expected, outcome(answer), answer)])
    elif by_header or real is None:
        conformance.expect([], rfc6749.POST_ONLY)
    else:
        conformance.log.partial(
            rfc6749.POST_ONLY,
            f"a GET with made-up client credentials was refused ({outcome(answer)}); one with the real "
            "ones was not sent (no secret goes in a URL)",
        )


@requirement(rfc6749.ONE_AUTH_METHOD)
@applies(client_auth=True)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_two_client_authentication_methods_are_refused(conformance: Scenario, endpoint: str) -> None:
    """RFC 6749 §2.3, §5.2, as RFC 7009 §2.1 and RFC 7662 §2.1 take client authentication over:
    HTTP Basic and body credentials together are invalid_request; Basic for the client with the
    body naming another client is never served as either."""
    client = conformance.client
    real = client.credentials.client
    assert real is not None
    other = client.credentials.restricted_client or ClientCredentials(
        MADE_UP["client_id"], MADE_UP["client_secret"]
    )
    findings = []
    for case, body, codes in (
        ("the client's credentials by Basic and in the body", real, {"invalid_request"}),
        (
            "Basic for the client, the body naming another client",
            other,
            {"invalid_request", "invalid_client"},
        ),
    ):
        answer = service_request(
            client,
            _kind(endpoint),
            [("token", NEVER_ISSUED["opaque"]())],
            f"{endpoint}: a made-up token, {case}",
            basic=real,
            body=body,
        )
        if answer.status is None or answer.status >= 500 or answer.ok or answer.error_code not in codes:
            expected = f"a refusal ({' or '.join(sorted(codes))}) of {case}"
            finding = Finding(rfc6749.ONE_AUTH_METHOD, expected, outcome(answer), answer)
            # An endpoint that authenticates no client at all serves this request too.
            authenticates = rfc7009.CLIENT_AUTH if endpoint == "revocation" else rfc7662.CALLER_AUTH
            findings.append(finding.following(authenticates) if answer.ok else finding)
    conformance.expect(findings, rfc6749.ONE_AUTH_METHOD)


@requirement(rfc6749.CREDENTIALS_NOT_IN_URI)
@applies(client_auth=True)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_client_credentials_in_the_query_are_not_read(conformance: Scenario, endpoint: str) -> None:
    """RFC 6749 §2.3.1 (RFC 7009 §2.1, RFC 7662 §2.1 authenticate clients alike): the client
    authenticated as documented, a made-up client_id and client_secret in the query are not the
    client's. Served (200), or refused as a whole (400 invalid_request, as oauthlib refuses any
    query); taken for the client's, invalid_client."""
    client = conformance.client
    real = client.credentials.client
    assert real is not None
    by_header = conformance.profile.client_auth == "basic"
    answer = service_request(
        client,
        _kind(endpoint),
        [("token", NEVER_ISSUED["opaque"]())],
        f"{endpoint}: a made-up token, a made-up client_id and client_secret in the query",
        basic=real if by_header else None,
        body=None if by_header else real,
        query=[("client_id", MADE_UP["client_id"]), ("client_secret", MADE_UP["client_secret"])],
    )
    findings = []
    if not answer.ok and answer.error_code != "invalid_request":
        expected = "HTTP 200 (the query ignored), or 400 invalid_request (the request refused as a whole)"
        findings.append(Finding(rfc6749.CREDENTIALS_NOT_IN_URI, expected, outcome(answer), answer))
    conformance.expect(findings, rfc6749.CREDENTIALS_NOT_IN_URI)
