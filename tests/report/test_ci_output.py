"""Under GitHub Actions: a job summary and one `::error` workflow command per failed requirement."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conformance.redaction import Redactor
from conformance.report.ci_output import error_commands, escape_data, escape_property
from tests.conftest import SuiteRun

DEFECT = ("--conformance-defect", "accepts-wrong-client-secret", "-k", "client_must_authenticate")


def test_a_failing_run_annotates_and_summarises(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = run_suite("tourpaq", *DEFECT)
    assert run.ret == 1, run.output
    commands = [line for line in run.result.stdout.lines if line.startswith("::")]
    statement = next(
        r["statement"] for r in run.results["requirements"] if r["id"] == "RFC6749-4.3-client-auth"
    )
    assert commands == [
        "::error title=RFC6749-4.3-client-auth::[MUST, RFC 6749 §4.3.2, §2.3.1, §5.2] "
        f"{statement.rstrip('.')}: expected refusal of wrong client secret with error invalid_client; "
        "got HTTP 200, an access token"
    ]
    text = summary.read_text()
    assert text.startswith("earlier step\n## conformance: tourpaq against http://emulator.conformance")
    assert "### Failed requirements (1)" in text
    assert "| `RFC6749-4.3-client-auth` | MUST |" in text
    assert "got HTTP 200, an access token" in text
    counts = run.results["summary"]["requirements"]
    assert f"| {counts['passed']} | {counts['partial']} | {counts['failed']} |" in text


def test_outside_github_actions_nothing_is_written(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = run_suite("tourpaq", *DEFECT)
    assert run.ret == 1
    assert not summary.exists()
    assert "::error" not in run.result.stdout.str()


def test_an_unreachable_target_is_annotated(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    run = run_suite("daysoutguide", "--conformance-url", "http://127.0.0.1:9", emulate=False)
    assert run.ret == 2
    assert (
        "::error title=conformance daysoutguide%3A the run could not be completed::"
        "cannot reach http://127.0.0.1:9%3A connection refused"
    ) not in run.result.stdout.lines  # the message is data: ':' stays as it is
    assert (
        "::error title=conformance daysoutguide%3A the run could not be completed::"
        "cannot reach http://127.0.0.1:9: connection refused"
    ) in run.result.stdout.lines
    assert "**The run could not be completed:** cannot reach http://127.0.0.1:9" in summary.read_text()
    assert "secret-password" not in summary.read_text()


def test_escaping_follows_the_runner() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"


def _fake_run(redactor: Redactor) -> Any:
    return SimpleNamespace(
        redactor=redactor, unreachable=None, stopped=None, profile=SimpleNamespace(name="tourpaq")
    )


def test_annotations_are_redacted_and_one_line() -> None:
    redactor = Redactor()
    redactor.add("s3cr3t-value", "client_secret")
    row = {
        "id": "RFC6749-4.3-client-auth",
        "level": "MUST",
        "source": "RFC 6749 §2.3.1",
        "statement": "refuse a wrong secret",
        "status": "failed",
        "message": "expected refusal; got HTTP 200 for\nsecret s3cr3t-value",
    }
    (command,) = error_commands([row], _fake_run(redactor))
    assert "s3cr3t-value" not in command
    assert "\n" not in command and "%0A" in command
    assert command.startswith("::error title=RFC6749-4.3-client-auth::[MUST, RFC 6749 §2.3.1] ")


def test_a_baselined_failure_is_a_notice_not_an_error(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text("- requirement: RFC6749-4.3-client-auth\n  reason: legacy clients, TICKET-7\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = run_suite("tourpaq", *DEFECT, "--conformance-baseline", str(baseline))
    assert run.ret == 0, run.output
    commands = [line for line in run.result.stdout.lines if line.startswith("::")]
    assert len(commands) == 1 and commands[0].startswith(
        "::notice title=RFC6749-4.3-client-auth::accepted by the baseline (legacy clients, TICKET-7): "
    )
    text = summary.read_text()
    assert "### Accepted by the baseline (1)" in text and "Failed requirements" not in text
