"""A finding a vendor can act on: every one replays from what the run printed, and says if it did.

The acceptance test serves an emulator with a defect over HTTP, runs the suite against it, and
runs each finding's `replay` (its curl line, or its `conformance replay` command) in a shell
that has the run's environment: each must show the status the finding reports.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile

CLI = [sys.executable, "-m", "conformance.cli"]
WRONG_SECRET = "lifecycle/test_refresh.py::test_refresh_requires_client_authentication[wrong client secret]"


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=env or dict(os.environ), capture_output=True, text=True, timeout=300
    )


def _results(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _environment(profile_name: str) -> dict[str, str]:
    """This environment with the served emulator's credentials, as a user would export them, and
    the `conformance` command on its PATH, as an installation puts it."""
    known = load_profile(profile_name).emulator
    return {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "CONFORMANCE_USERNAME": known.username,
        "CONFORMANCE_PASSWORD": known.password,
        "CONFORMANCE_CLIENT_ID": known.client_id,
        "CONFORMANCE_CLIENT_SECRET": known.client_secret,
    }


def test_a_finding_that_needs_earlier_exchanges_replays_with_fresh_tokens(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    run = _cli(
        "run", "--profile", "tourpaq", "--emulate", "--defect", "refresh-accepts-wrong-secret",
        "--report-dir", str(reports), "--", "test_refresh.py",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout[-3000:]
    results = reports / "results.json"
    (evidence, *_) = next(r for r in _results(results)["requirements"] if r["id"] == "RFC6749-6-client-auth")[
        "evidence"
    ]
    # The refresh token came from an earlier exchange: the finding replays by its command.
    command = f"conformance replay {results} RFC6749-6-client-auth"
    assert evidence["replay"] == command and f"replay:   {command}" in run.stdout
    assert "refresh_token=<refresh_token" in evidence["request"]

    replay = _cli("replay", str(results), "RFC6749-6-client-auth", cwd=tmp_path)
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert f"shown by {WRONG_SECRET} (exchange #{evidence['exchange']}: HTTP 200)" in replay.stdout
    assert "reproduced: RFC6749-6-client-auth failed: HTTP 200, as in the run" in replay.stdout
    assert _results(reports / "replay" / "results.json")["summary"]["tests"]["failed"] == 1  # that test alone
    assert _results(results)["summary"]["tests"]["failed"] >= 1  # the run's own reports untouched

    # Once the server is fixed, the same command says so, and exits 0.
    document = _results(results)
    document["settings"]["defects"] = []
    results.write_text(json.dumps(document), encoding="utf-8")
    fixed = _cli("replay", str(results), f"#{evidence['exchange']}", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "not reproduced: RFC6749-6-client-auth is passed in the replay" in fixed.stdout


def test_node_ids_of_the_summary_paste_back_and_last_failed_reruns(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    common = ["run", "--profile", "tourpaq", "--emulate", "--defect", "accepts-wrong-client-secret"]
    common += ["--report-dir", str(reports)]
    first = _cli(*common, "--", "test_refresh.py", "test_client_auth.py", cwd=tmp_path)
    assert first.returncode == 1
    failed = re.findall(r"^FAILED (\S+\[[^\]]*\]|\S+)", first.stdout, re.MULTILINE)
    assert WRONG_SECRET in failed and len(failed) >= 2

    pasted = _cli(*common, "--", WRONG_SECRET, cwd=tmp_path)
    assert pasted.returncode == 1
    assert re.search(r"1 failed, \d+ deselected", pasted.stdout), pasted.stdout[-2000:]

    # pytest's cache beside the reports: the failures not passed since, the two runs' together.
    again = _cli(*common, "--", "--lf", cwd=tmp_path)
    assert f"run-last-failure: rerun previous {len(failed)} failures" in again.stdout
    assert re.search(rf"{len(failed)} failed, \d+ deselected", again.stdout), again.stdout[-2000:]

    unknown = _cli(
        *common, "--", "lifecycle/test_refresh.py::test_refresh_requires_client_auth", cwd=tmp_path
    )
    assert unknown.returncode == 4 and unknown.stdout == ""  # said before pytest starts
    assert unknown.stderr == (
        "conformance: error: no scenario has the node id "
        "'lifecycle/test_refresh.py::test_refresh_requires_client_auth' "
        "(did you mean lifecycle/test_refresh.py::test_refresh_requires_client_authentication?)\n"
    )
    # A parametrization is known once pytest collects: the run names the close one.
    typo = _cli(*common, "--", "lifecycle/test_refresh.py::test_refresh_returns_a_new_pair[x]", cwd=tmp_path)
    assert typo.returncode == 4
    assert typo.stderr == (
        "conformance: error: no scenario has the node id "
        "'lifecycle/test_refresh.py::test_refresh_returns_a_new_pair[x]' "
        "(did you mean 'lifecycle/test_refresh.py::test_refresh_returns_a_new_pair'?)\n"
    )


@pytest.mark.parametrize(
    ("finding", "message"),
    [
        ("RFC6749-6-client-aut", "no requirement RFC6749-6-client-aut (did you mean RFC6749-6-client-auth?)"),
        ("RFC6749-5.1-no-store", "RFC6749-5.1-no-store is passed, with no finding to replay"),
        ("#99", "no finding shows exchange #99 (findings show #7)"),
        ("#seven", "'#seven': an exchange is #N, a number (as the report shows it)"),
    ],
)
def test_a_replay_of_nothing_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], finding: str, message: str
) -> None:
    results = tmp_path / "results.json"
    rows = [
        {"id": "RFC6749-6-client-auth", "status": "failed", "evidence": [{"test": "t", "exchange": 7}]},
        {"id": "RFC6749-5.1-no-store", "status": "passed", "evidence": []},
    ]
    results.write_text(json.dumps({"profile": "tourpaq", "target": "x", "requirements": rows}))
    assert main(["replay", str(results), finding]) == 4
    err = capsys.readouterr().err
    assert err.strip().endswith(message) and len(err.strip().splitlines()) == 1


# Defects whose findings need earlier exchanges (tokens, invalidation) and stand alone (client
# authentication, near misses, generated requests), on a body profile and a query-string one.
SERVED = [
    ("tourpaq", "accepts-wrong-client-secret"),
    ("tourpaq", "resource-accepts-any-token"),
    ("daysoutguide", "keeps-earlier-tokens"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("profile_name", "defect"), SERVED, ids=[f"{p}-{d}" for p, d in SERVED])
def test_every_finding_of_a_served_run_reproduces_from_its_printed_replay(
    tmp_path: Path, profile_name: str, defect: str
) -> None:
    env = _environment(profile_name)
    emulator = Emulator(load_profile(profile_name), clock=SystemClock(show_countdown=False), defects=[defect])
    with serve(emulator.app) as url:
        reports = tmp_path / "reports"
        run = _cli(
            "run", "--profile", profile_name, "--url", url, "--resource-path", "/protected",
            "--report-dir", str(reports), cwd=tmp_path, env=env,
        )  # fmt: skip
        assert run.returncode == 1, run.stdout[-3000:]
        findings = [
            (row["id"], evidence)
            for row in _results(reports / "results.json")["requirements"]
            for evidence in row["evidence"]
        ]
        kinds = {evidence["replay"].split()[1] for _, evidence in findings}
        for requirement, evidence in findings:
            replayed = subprocess.run(
                ["sh", "-c", evidence["replay"]], env=env, cwd=tmp_path, capture_output=True, text=True
            )
            if evidence["replay"].startswith("curl "):
                status = re.match(r"HTTP/[\d.]+ (\d+)", replayed.stdout)
                assert status is not None, (requirement, evidence["replay"], replayed.stderr)
                assert int(status.group(1)) == evidence["status"], (requirement, evidence["replay"])
            else:
                assert replayed.returncode == 1, (requirement, replayed.stdout, replayed.stderr)
                assert f"HTTP {evidence['status']}, as in the run" in replayed.stdout, replayed.stdout
        assert len(findings) >= 2
    if defect == "accepts-wrong-client-secret":
        assert kinds == {"-sS", "replay"}  # curl lines, and replays of a refresh token's sequence
