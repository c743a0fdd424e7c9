"""A run from the command line says what is wrong before it asks anything, and an unreachable
target in one line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.cli.run import scenario_selection
from conformance.errors import UsageError
from conformance.profile import load_profile
from tests.conftest import use_emulator_credentials


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A terminal that would answer yes: every question asked is recorded."""
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)

    def answer(prompt: str = "") -> str:
        asked.append(prompt)
        return "n"

    monkeypatch.setattr("builtins.input", answer)
    return asked


@pytest.mark.parametrize(
    ("url", "unset", "message"),
    [
        (
            "http://api.example.com",
            None,
            "refusing to send credentials over plain http:// to api.example.com",
        ),
        (
            "https://api.example.com",
            "CONFORMANCE_PASSWORD",
            "profile tourpaq needs credentials in the environment: set CONFORMANCE_PASSWORD",
        ),
    ],
    ids=["plain http to another host", "missing credentials"],
)
def test_a_usage_error_comes_before_the_question(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    at_a_terminal: list[str],
    url: str,
    unset: str | None,
    message: str,
) -> None:
    use_emulator_credentials(monkeypatch, load_profile("tourpaq"))
    if unset:
        monkeypatch.delenv(unset)
    assert main(["run", "--profile", "tourpaq", "--url", url]) == 4
    err = capsys.readouterr().err
    assert at_a_terminal == []  # nobody was asked
    assert err.startswith(f"conformance: error: {message}") and err.count("\n") == 1, err
    assert "Proceed" not in err and "is about to test" not in err


def test_a_usable_live_run_is_asked_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], at_a_terminal: list[str]
) -> None:
    use_emulator_credentials(monkeypatch, load_profile("tourpaq"))
    assert main(["run", "--profile", "tourpaq", "--url", "https://api.example.com"]) == 4
    assert at_a_terminal == ["Proceed? [y/N] "]
    assert capsys.readouterr().err.endswith("conformance: error: not confirmed; nothing was sent\n")


def test_an_unreachable_target_is_one_line_and_the_reports_say_why(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        known = load_profile("tourpaq").emulator
        env = {**os.environ, "CONFORMANCE_USERNAME": known.username, "CONFORMANCE_PASSWORD": known.password}
        env |= {"CONFORMANCE_CLIENT_ID": known.client_id, "CONFORMANCE_CLIENT_SECRET": known.client_secret}
        completed = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--profile", "tourpaq", "--url", url]
            + ["--report-dir", "reports"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert completed.returncode == 2
    assert completed.stdout == ""  # no pytest header, no empty session
    assert completed.stderr == (
        f"conformance: error: cannot reach {url}: connection refused; "
        "no scenario was run (reports in reports)\n"
    )
    results = json.loads((tmp_path / "reports" / "results.json").read_text())
    assert results["error"] == f"cannot reach {url}: connection refused"
    assert (tmp_path / "reports" / "junit.xml").is_file()


def test_an_argument_pytest_does_not_know_is_one_line_in_the_common_format(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", "--profile", "tourpaq", "--emulate"]
        + ["--report-dir", "reports", "--", "--no-such-pytest-option"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 4
    assert completed.stderr == (
        "conformance: error: unrecognized arguments: --no-such-pytest-option (given to pytest after --)\n"
    )


@pytest.mark.parametrize(
    "node_id",
    [
        "lifecycle/test_refresh.py::test_refresh_returns_a_new_pair",  # as the summary prints it
        "test_refresh.py::test_refresh_returns_a_new_pair",  # the module's name alone, as before areas
        "lifecycle/test_refresh.py",
    ],
)
def test_a_node_id_of_the_summary_selects_its_scenario(node_id: str) -> None:
    assert scenario_selection(["-x", node_id]) == (["-x"], [node_id])


def test_a_scenario_module_in_another_area_is_not_found() -> None:
    with pytest.raises(UsageError, match="no scenario module token/test_refresh.py"):
        scenario_selection(["token/test_refresh.py::test_refresh_returns_a_new_pair"])
