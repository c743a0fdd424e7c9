"""Bad input gets one clear message naming the cause: never a traceback or INTERNALERROR."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from conformance.emulator.server import serve
from tests.conftest import SuiteRun


def _clean(output: str) -> None:
    assert "Traceback" not in output
    assert "INTERNALERROR" not in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "name: x\nextends: tourpaq\nclient_auth:\n  styl: basic\n",
            "field client_auth: unknown field 'styl' (did you mean 'style'?)",
        ),
        (
            "name: x\nextends: tourpaq\nexpiry:\n  unit: minutes\n",
            "field expiry.unit: 'minutes' is not one of ['seconds', 'milliseconds']",
        ),
        ("name: x\nextends: tourpaq\nexpiry: [\n", "not valid YAML"),
        ("name: x\nextends: tourpak\n", "field extends: no profile named 'tourpak'"),
        ("- just\n- a list\n", "a profile is a mapping of fields"),
    ],
)
def test_malformed_profile(
    run_suite: Callable[..., SuiteRun], pytester: pytest.Pytester, content: str, message: str
) -> None:
    path = pytester.path / "broken.yaml"
    path.write_text(content)
    run = run_suite(str(path))
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert f"conformance: {path}" in run.output
    assert message in run.output
    _clean(run.output)


def test_scenarios_without_a_profile_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--pyargs", "conformance.scenarios", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "the scenarios need a profile and a target" in result.stderr.str()


def test_unreachable_url(run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    run = run_suite("daysoutguide", "--conformance-url", "http://127.0.0.1:9", emulate=False)
    assert run.ret == 2
    assert (
        "conformance: cannot reach http://127.0.0.1:9: connection refused; no scenario was run" in run.output
    )
    assert run.results["error"] == "cannot reach http://127.0.0.1:9: connection refused"
    _clean(run.output)


def test_missing_credentials_for_a_live_target(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "CONFORMANCE_CLIENT_ID",
        "CONFORMANCE_CLIENT_SECRET",
        "CONFORMANCE_USERNAME",
        "CONFORMANCE_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    run = run_suite("tourpaq", "--conformance-url", "http://127.0.0.1:9", emulate=False)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        "set CONFORMANCE_USERNAME, CONFORMANCE_PASSWORD, CONFORMANCE_CLIENT_ID, CONFORMANCE_CLIENT_SECRET"
        in run.output
    )
    _clean(run.output)


@pytest.fixture
def html_server() -> Iterator[str]:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse("<html><body><h1>Service Unavailable</h1></body></html>", status_code=200)

    app = Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST"])])
    with serve(app) as url:
        yield url


@pytest.mark.slow
def test_token_endpoint_answering_html(
    run_suite: Callable[..., SuiteRun], html_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    run = run_suite(
        "daysoutguide",
        "--conformance-url",
        html_server,
        "--conformance-resource-path",
        "/protected",
        emulate=False,
    )
    assert run.ret == 1
    assert "RFC6749-5.1-json" in run.failed_requirements()
    assert "scenario stopped: could not obtain a token to test with: HTTP 200, body is not JSON" in run.output
    assert "Content-Type text/html" in run.output
    _clean(run.output)


def _against_the_hung_server(
    run_suite: Callable[..., SuiteRun], slow_server: str, monkeypatch: pytest.MonkeyPatch, *args: str
) -> SuiteRun:
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    run = run_suite(
        "daysoutguide",
        "--conformance-url",
        slow_server,
        "--conformance-resource-path",
        "/protected",
        "--conformance-timeout",
        "0.3",
        *args,
        emulate=False,
    )
    # No answer proves no statement false: the run is incomplete (2), not failed (1).
    assert run.ret == 2, run.output
    assert run.results["summary"]["requirements"]["failed"] == 0
    assert "secret-password" not in run.output
    return run


@pytest.mark.slow
def test_hung_token_endpoint_is_a_clear_failure(
    run_suite: Callable[..., SuiteRun], slow_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _against_the_hung_server(run_suite, slow_server, monkeypatch, "-k", "test_fresh_token_is_accepted")
    assert (
        "the target did not answer: #1 token: password grant, to call the resource with: POST" in run.output
    )
    assert "no response (timed out after 0.3 s (ReadTimeout))" in run.output
    assert "the run is incomplete" in run.output
    results = json.loads((run.report_dir / "results.json").read_text())
    assert results["complete"] is False
    assert results["incomplete"][0]["cause"].startswith("the target did not answer")
    _clean(run.output)


@pytest.mark.slow
def test_a_target_that_stops_answering_is_left_alone(
    run_suite: Callable[..., SuiteRun], slow_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every token request hangs: after three tests in a row without an answer the run stops,
    # instead of waiting out the timeout in every remaining test against the server.
    run = _against_the_hung_server(run_suite, slow_server, monkeypatch)
    assert "3 tests in a row ended without an answer; the run stopped after 3 requests" in run.output
    assert run.results["summary"]["requests"] == 3
