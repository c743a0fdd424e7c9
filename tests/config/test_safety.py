"""Live safety: budget, rate, plain HTTP, confirmation and dry runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.client.budget import RequestBudget
from conformance.errors import BudgetExhausted
from tests.conftest import SuiteRun


def test_budget_counts_and_refuses() -> None:
    budget = RequestBudget(max_requests=2)
    budget.acquire()
    budget.acquire()
    with pytest.raises(BudgetExhausted, match="budget of 2 requests is spent"):
        budget.acquire()


def test_rate_limit_spaces_requests() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    budget = RequestBudget(max_rps=4, monotonic=lambda: now[0], sleep=sleep)
    for _ in range(5):
        budget.acquire()
    assert slept == pytest.approx([0.25, 0.25, 0.25, 0.25])


def test_spent_budget_ends_the_run_with_reports(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("tourpaq", "--conformance-max-requests", "5")
    assert run.ret == pytest.ExitCode.INTERRUPTED
    assert "the request budget of 5 requests is spent" in run.output
    assert run.results["summary"]["requests"] == 5
    assert "budget of 5 requests is spent" in run.results["error"]
    assert "Traceback" not in run.output


def test_plain_http_to_a_remote_host_is_refused(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    run = run_suite("daysoutguide", "--conformance-url", "http://api.example.com", emulate=False)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "refusing to send credentials over plain http:// to api.example.com" in run.output


def test_live_target_needs_confirmation(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    run = run_suite("daysoutguide", "--conformance-url", "https://api.example.com", emulate=False)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "every other client using these credentials will be logged out" in run.output
    assert "at most 300 requests in all, token requests included, at most 5 per second" in run.output
    assert "refusing to start without confirmation: pass --conformance-yes" in run.output


def test_cli_refuses_without_terminal_or_yes(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "CONFORMANCE_USERNAME": "someone",
        "CONFORMANCE_PASSWORD": "secret-password",
    }
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "run",
            "--profile",
            "daysoutguide",
            "--url",
            "https://api.example.com",
        ],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
        timeout=60,
    )
    assert completed.returncode == 4
    assert "every other client using these credentials will be logged out" in completed.stderr
    assert "no terminal to confirm on: pass --yes" in completed.stderr
    assert not (tmp_path / "reports").exists()


def test_dry_run_sends_nothing_and_lists_requests(run_suite: Callable[..., SuiteRun]) -> None:
    # Port 9 refuses connections: any request sent would fail the run.
    run = run_suite(
        "tourpaq", "--conformance-url", "http://127.0.0.1:9", "--conformance-dry-run", emulate=False
    )
    assert run.ret == 0, run.output
    assert "conformance dry run: the requests each scenario would send" in run.output
    assert "POST http://127.0.0.1:9/api/token    # token: password grant" in run.output
    assert run.results["dry_run"] is True
