"""Faults of a live target, each from a small fault server on loopback: the user sees one
clear message or a clear failure of the scenario that hit it, and the three reports exist.
Nothing is retried: a transient fault is reported as one."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Callable, Iterator

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile
from tests.conftest import SuiteRun

LIVE = ["--conformance-resource-path", "/protected"]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_profile("daysoutguide").emulator
    monkeypatch.setenv("CONFORMANCE_USERNAME", settings.username)
    monkeypatch.setenv("CONFORMANCE_PASSWORD", settings.password)


def _serve_app(handler: Callable[[Request], object]) -> Iterator[str]:
    app = Starlette(routes=[Route("/{path:path}", handler, methods=["GET", "POST"])])
    with serve(app) as url:
        yield url


def _clean(run: SuiteRun) -> None:
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output
    run.assert_reports_written()


def test_connection_refused(run_suite: Callable[..., SuiteRun]) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = run_suite(
        "daysoutguide", "--conformance-url", f"http://127.0.0.1:{port}", *LIVE, emulate=False, reports=True
    )
    assert run.ret == 2
    assert (
        f"conformance: cannot reach http://127.0.0.1:{port}: connection refused; no scenario was run"
        in run.output
    )
    _clean(run)


def test_dns_failure(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite(
        "daysoutguide",
        "--conformance-url",
        "https://no-such-host.invalid",
        "--conformance-yes",
        *LIVE,
        emulate=False,
        reports=True,
    )
    assert run.ret == 2
    assert (
        "cannot reach https://no-such-host.invalid: host name 'no-such-host.invalid' does not resolve"
        in run.output
    )
    _clean(run)


@pytest.fixture
def plain_http_server() -> Iterator[str]:
    yield from _serve_app(lambda request: JSONResponse({}))


@pytest.mark.slow
def test_tls_error(run_suite: Callable[..., SuiteRun], plain_http_server: str) -> None:
    url = plain_http_server.replace("http://", "https://")
    run = run_suite("daysoutguide", "--conformance-url", url, *LIVE, emulate=False, reports=True)
    assert run.ret == 2
    assert f"conformance: cannot reach {url}: TLS handshake failed" in run.output
    _clean(run)


@pytest.fixture
def reset_mid_body() -> Iterator[str]:
    """Headers promise 400 bytes; 20 arrive; then the connection closes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
                    b'{"access_token": "ab'
                )

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    server.close()


def test_reset_mid_body(run_suite: Callable[..., SuiteRun], reset_mid_body: str) -> None:
    run = run_suite("daysoutguide", "--conformance-url", reset_mid_body, *LIVE, emulate=False, reports=True)
    # A broken answer proves no statement false: the run is incomplete, not failed.
    assert run.ret == 2
    assert "the target did not answer: #1 token: " in run.output
    assert (
        "no response (RemoteProtocolError: peer closed connection without sending complete message body"
        in run.output
    )
    _clean(run)


@pytest.fixture
def html_503() -> Iterator[str]:
    def page(request: Request) -> Response:
        return HTMLResponse(
            "<html><body><h1>503 Service Unavailable</h1></body></html>",
            status_code=503,
            headers={"Retry-After": "30"},
        )

    yield from _serve_app(page)


@pytest.mark.slow
def test_5xx_with_html_and_retry_after(run_suite: Callable[..., SuiteRun], html_503: str) -> None:
    run = run_suite("daysoutguide", "--conformance-url", html_503, *LIVE, emulate=False, reports=True)
    assert run.ret == 1
    out = run.output
    assert (
        "scenario stopped: could not obtain a token to test with: HTTP 503, "
        "body is not JSON (JSONDecodeError), Retry-After: 30 (the suite does not retry)"
    ) in out
    assert "got:      HTTP 503; Content-Type text/html; charset=utf-8; body is not JSON" in out
    tests = run.results["summary"]["tests"]
    assert run.results["summary"]["requests"] == tests["passed"] + tests["failed"]  # one each, no retry
    _clean(run)


@pytest.fixture
def sometimes_slow() -> Iterator[str]:
    """The daysoutguide emulator, except that every third request takes 1.5 s."""
    emulator = Emulator(load_profile("daysoutguide"), clock=SystemClock(show_countdown=False))
    counter = itertools.count(1)

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] == "http" and next(counter) % 3 == 0:
            await anyio.sleep(1.5)
        await emulator.app(scope, receive, send)

    with serve(app) as url:
        yield url


@pytest.mark.slow
def test_token_endpoint_slow_only_sometimes(run_suite: Callable[..., SuiteRun], sometimes_slow: str) -> None:
    run = run_suite(
        "daysoutguide",
        "--conformance-url",
        sometimes_slow,
        *LIVE,
        "--conformance-timeout",
        "0.5",
        "-k",
        "token_errors",
        emulate=False,
        reports=True,
    )
    assert run.ret == 2
    out = run.output
    assert "timed out after 0.5 s (ReadTimeout)" in out
    summary = run.results["summary"]["tests"]
    assert summary["passed"] >= 3 and summary["failed"] >= 1  # the others ran, and passed
    # The tests that met a timeout blame nothing: they are listed as not established.
    assert run.results["summary"]["requirements"]["failed"] == 0
    assert len(run.results["incomplete"]) == summary["failed"]
    assert all("timed out" in entry["cause"] for entry in run.results["incomplete"])
    _clean(run)
