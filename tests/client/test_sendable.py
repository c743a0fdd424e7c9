"""Every request the suite generates can be sent, whatever the token or the credentials
(issue 8, point 1); one the HTTP library refuses is a bug of the suite, never the target's.

Requests go through httpx's own network transport over httpcore's mock network: they are
serialised by h11 byte for byte as for a live server (the in-process transport would pass on
what h11 refuses, such as a header value ending in a space), and answered `200 {}`.
"""

from __future__ import annotations

import dataclasses
import string

import httpcore
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conformance.client.client as client_module
from conformance.client import (
    ClientCredentials,
    ConformanceClient,
    Credentials,
    Exchange,
    InProcessASGITransport,
    Target,
)
from conformance.clock import ManualClock
from conformance.emulator import Emulator
from conformance.errors import SuiteError, TargetError
from conformance.profile import Profile, load_profile
from conformance.redaction import Redactor
from conformance.strategies import RequestCase, move_catalogue, token_requests
from conformance.strategies.auth import bearer_moves

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
SETTINGS = settings(
    max_examples=40, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
# RFC 6749 Appendix A.12: access-token = 1*VSCHAR (%x20-7E), so spaces, '=', '"' and the like.
VSCHAR = "".join(chr(c) for c in range(0x20, 0x7F))


class WireTransport(httpx.BaseTransport):
    """httpx's network transport, its connection pool on a mock network that answers `200 {}`."""

    def __init__(self) -> None:
        self.sent = 0
        self._transport = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # A fresh mock connection for each request, answering once.
        self._transport._pool = httpcore.ConnectionPool(network_backend=httpcore.MockBackend([ANSWER]))
        response = self._transport.handle_request(request)
        content = response.read()
        self.sent += 1
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )


def _profiles() -> list[Profile]:
    tourpaq, dog, generic = load_profile("tourpaq"), load_profile("daysoutguide"), load_profile("rfc6749")
    return [
        tourpaq,  # Basic, form body
        dog,  # no client authentication, query string
        dataclasses.replace(generic, client_auth="body"),  # client credentials in the body
        dataclasses.replace(tourpaq, parameter_location="query"),  # Basic, query string
    ]


PROFILES = _profiles()
# Any text but the empty string: non-ASCII, ':', '%', '+', '=', blanks, control characters.
texts = st.text(min_size=1, max_size=24)
credentials = st.builds(
    lambda client_id, secret, user, password: (ClientCredentials(client_id, secret), user, password),
    texts,
    texts,
    texts,
    texts,
)
tokens = st.one_of(
    st.text(alphabet=VSCHAR, min_size=1, max_size=48),
    st.text(alphabet=string.ascii_letters + string.digits + "-._~+/", min_size=1, max_size=6).map(
        lambda t: t + "=="
    ),
)


def _client(profile: Profile, creds: Credentials) -> tuple[ConformanceClient, WireTransport]:
    wire = WireTransport()
    client = ConformanceClient(
        profile,
        Target("http://wire.test", False, "/protected"),
        creds,
        Redactor(),
        ManualClock(),
        transport=wire,
    )
    return client, wire


@pytest.mark.parametrize(
    "profile", PROFILES, ids=lambda p: f"{p.name}-{p.client_auth}-{p.parameter_location}"
)
@pytest.mark.slow
def test_every_generated_token_request_is_sendable(profile: Profile) -> None:
    @SETTINGS
    @given(credentials, st.data())
    def check(drawn: tuple[ClientCredentials, str, str], data: st.DataObject) -> None:
        client_credentials, user, password = drawn
        creds = Credentials(client_credentials if profile.client_auth != "none" else None, user, password)
        client, wire = _client(profile, creds)
        try:
            cases = [RequestCase((move,)) for move in move_catalogue(profile, creds)]
            cases.append(data.draw(token_requests(profile, creds)))
            for case in cases:
                # As RequestCase.send sends it (without teaching the redactor each near miss).
                built = case.build(profile, creds)
                client.send_raw(  # raises SuiteError if the library refused it
                    profile.token_method,
                    built.target,
                    kind="token",
                    purpose=repr(case),
                    headers=built.headers,
                    content=built.content,
                )
            assert wire.sent == len(cases) == client.request_count
        finally:
            client.close()

    check()


@given(tokens)
@SETTINGS
def test_every_generated_bearer_request_is_sendable(token: str) -> None:
    """As the property layer sends them: the header and query each move makes of the token."""
    profile = load_profile("tourpaq")
    client, wire = _client(profile, Credentials.for_emulator(profile))
    try:
        moves = bearer_moves()
        for move in moves:
            header = move.header(token)
            query = move.query(token) if move.query else ""
            client.send_raw(
                "GET",
                "/protected" + (f"?{query}" if query else ""),
                kind="resource",
                purpose=f"resource: generated: {move.what}",
                headers=[("Authorization", header)] if header is not None else [],
            )
        assert wire.sent == len(moves)
    finally:
        client.close()


def test_the_query_carries_the_token_itself() -> None:
    """'+', '&' and '=' in a token survive the query string (RFC 6750 §2.3: form-encoded)."""
    from urllib.parse import parse_qs, urlsplit

    token = "a+b&c=d/e f"
    for move in bearer_moves():
        if move.query is not None:
            query = httpx.URL("http://x/p?" + move.query(token)).query.decode()
            assert parse_qs(urlsplit("?" + query).query)["access_token"] == [token], move


def test_the_wire_transport_refuses_what_h11_refuses() -> None:
    """The property tests above could fail: a header ending in a space does not get through."""
    with httpx.Client(transport=WireTransport(), base_url="http://wire.test") as http:
        with pytest.raises(httpx.LocalProtocolError):
            http.get("/protected", headers={"Authorization": "Bearer abcd "})


def test_the_old_space_move_was_unsendable() -> None:
    """A token of 5 characters or fewer with a space after the fifth ends in a blank."""
    token = "abcde"
    with httpx.Client(transport=WireTransport(), base_url="http://wire.test") as http:
        with pytest.raises(httpx.LocalProtocolError):
            http.get("/protected", headers={"Authorization": f"Bearer {token[:5]} {token[5:]}"})
    space = next(m for m in bearer_moves() if m.what == "the token with a space inside")
    header = space.header(token)
    assert header is not None and header.startswith("Bearer ab") and " " in header[len("Bearer ") :]
    assert header == header.strip()


def _unsendable_call(client: ConformanceClient) -> None:
    client.send_raw(
        "GET",
        "/protected",
        kind="resource",
        purpose="resource: a header ending in a space",
        headers=[("Authorization", "Bearer secret-token-value ")],
    )


def test_a_refused_request_is_a_suite_error_over_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx raises LocalProtocolError (a TransportError): the client says it is its own bug."""
    monkeypatch.setattr(client_module, "_unsendable", lambda request: None)  # reach the library
    profile = load_profile("tourpaq")
    client, wire = _client(profile, Credentials.for_emulator(profile))
    seen: list[Exchange] = []
    client.listeners.append(seen.append)
    with pytest.raises(SuiteError) as caught:
        _unsendable_call(client)
    client.close()
    assert not isinstance(caught.value, TargetError)
    message = str(caught.value)
    assert "resource: a header ending in a space" in message and "bug of the suite" in message
    assert "begins or ends with a blank" in message
    assert "secret-token-value" not in message
    assert wire.sent == 0 and client.request_count == 0
    [exchange] = seen  # recorded, with its error, and the credential masked
    assert exchange.status is None and not exchange.sent and exchange.error
    assert "secret-token-value" not in exchange.render()


def test_a_refused_request_is_a_suite_error_in_process() -> None:
    """The in-process transport would pass it on: the client refuses it as a live run would."""
    profile = load_profile("tourpaq")
    emulator = Emulator(profile)
    client = ConformanceClient(
        profile,
        Target("http://emulator.test", True, "/protected"),
        Credentials.for_emulator(profile),
        Redactor(),
        ManualClock(),
        transport=InProcessASGITransport(emulator.app),
    )
    try:
        with pytest.raises(SuiteError, match="bug of the suite"):
            _unsendable_call(client)
        assert emulator.requests_served == 0
        assert client.exchanges[-1].error is not None
    finally:
        client.close()


def test_an_unbuildable_request_is_a_suite_error() -> None:
    profile = load_profile("daysoutguide")
    client, wire = _client(profile, Credentials.for_emulator(profile))
    try:
        with pytest.raises(SuiteError, match="bug of the suite"):
            client.send_raw("GET", "/protected", kind="resource", purpose="p", headers=[("X-\u00e9", "v")])
        with pytest.raises(SuiteError, match="bug of the suite"):
            client.call_resource(
                None, "resource: non-ASCII text header", authorization="Bearer \u00e9t\u00e9"
            )
        assert wire.sent == 0 and [e.sent for e in client.exchanges] == [False, False]
    finally:
        client.close()


def test_a_token_outside_vschar_is_not_called_a_bug_of_the_suite() -> None:
    """A token with a line break (RFC 6749 §A.12 forbids it) cannot be presented at all: the
    requirement under test is not established, and the message says whose token it was."""
    profile = load_profile("tourpaq")
    client, wire = _client(profile, Credentials.for_emulator(profile))
    try:
        with pytest.raises(SuiteError) as caught:
            client.call_resource("issued-token\nwith-a-line-break", "resource: the issued token")
    finally:
        client.close()
    message = str(caught.value)
    assert "outside RFC 6749 §A.12 VSCHAR" in message and "bug of the suite" not in message
    assert "with-a-line-break" not in message and wire.sent == 0
