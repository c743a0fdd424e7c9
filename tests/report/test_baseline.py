"""Baselines: accepted deviations pass a run, fixed ones are named, expired ones count again."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from conformance.cli import main
from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.errors import UsageError
from conformance.profile import load_profile
from conformance.report.baseline import ACCEPTED, EXPIRED, FIXED, NOT_CHECKED, baseline_yaml, load_baseline
from conformance.report.model import load_results
from conformance.schemas import violations
from tests.conftest import SuiteRun

# Two defects that fail different MUST requirements, both seen by one cheap scenario.
TOKEN_TYPE = ("wrong-token-type", "RFC6749-5.1-token-type")
NO_STORE = ("cache-control-no-cache", "RFC6749-5.1-no-store")
ONE_TEST = "test_token_response_is_as_documented"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "baselines.md"


def _write(path: Path, entries: list[dict[str, str]]) -> Path:
    path.write_text(yaml.safe_dump(entries, sort_keys=False))
    return path


def test_an_entry_is_accepted_fixed_expired_or_not_checked(tmp_path: Path) -> None:
    path = tmp_path / "baseline.yaml"
    # An unquoted date, as people write it: YAML reads it as a date, the schema as its text.
    path.write_text(
        "- {requirement: RFC6749-5.1-token-type, reason: vendor ticket 12}\n"
        "- {requirement: RFC6749-5.1-no-store, reason: CDN, until: 2026-01-31, link: https://t.example/1}\n"
        "- {requirement: RFC6749-5.1-pragma, reason: legacy}\n"
        "- {requirement: RFC6750-3.1-invalid-token, reason: not yet checked}\n"
    )
    baseline = load_baseline(path)
    assert baseline.entries[1].until == datetime.date(2026, 1, 31)
    rows = [
        {"id": "RFC6749-5.1-token-type", "status": "failed", "message": "got JWT"},
        {"id": "RFC6749-5.1-no-store", "status": "failed", "message": "got no-cache"},
        {"id": "RFC6749-5.1-pragma", "status": "passed", "message": ""},
        {"id": "RFC6750-3.1-invalid-token", "status": "skipped", "message": "no resource"},
    ]
    in_time = {v["requirement"]: v["verdict"] for v in baseline.verdicts(rows, datetime.date(2026, 1, 31))}
    assert in_time == {
        "RFC6749-5.1-token-type": ACCEPTED,
        "RFC6749-5.1-no-store": ACCEPTED,  # `until` is the last day it holds
        "RFC6749-5.1-pragma": FIXED,
        "RFC6750-3.1-invalid-token": NOT_CHECKED,
    }
    late = baseline.verdicts(rows, datetime.date(2026, 2, 1))
    assert late[1]["verdict"] == EXPIRED
    assert "expired on 2026-01-31" in late[1]["note"]
    assert late[2]["note"] == "fixed: remove it from the baseline"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {requirement: RFC6749-5.1-token-typ, reason: x}\n", "did you mean RFC6749-5.1-token-type?"),
        (
            "- {requirement: RFC6749-5.1-token-type}\n",
            "entry 1 (RFC6749-5.1-token-type): no field 'reason' (every entry needs requirement and reason)",
        ),
        (
            "- {requirement: RFC6749-5.1-token-type, reason: x, until: next week}\n",
            "entry 1 (RFC6749-5.1-token-type), field 'until': 'next week' is not a date YYYY-MM-DD",
        ),
        (
            "- {requirement: RFC6749-5.1-token-type, reason: x}\n"
            "- {requirement: RFC6749-5.1-no-store, reasn: y}\n",
            "entry 2 (RFC6749-5.1-no-store): unknown field 'reasn' (did you mean 'reason'?); "
            "the fields are requirement, reason, until, link",
        ),
        (
            "- {requirement: RFC6749-5.1-token-type, reason: x}\n"
            "- {requirement: RFC6749-5.1-token-type, reason: y}\n",
            "listed twice",
        ),
        ("- {requirement: RFC6749-5.1-token-type, reason: ''}\n", "field 'reason' is empty"),
        ("- {requirement: [a, b], reason: x}\n", "entry 1, field 'requirement': expected text, got a list"),
        ("- RFC6749-5.1-token-type\n", "entry 1 is text: each entry is a mapping"),
        ("requirement: RFC6749-5.1-token-type\n", "a baseline is a list of entries, not a mapping"),
    ],
)
def test_a_bad_baseline_is_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "baseline.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as raised:
        load_baseline(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)
    assert "{" not in str(raised.value)  # the entry named, never the parsed YAML dumped


def test_conformance_run_refuses_an_unknown_requirement_before_sending_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = _write(tmp_path / "b.yaml", [{"requirement": "RFC6749-9.9-nothing", "reason": "x"}])
    code = main(["run", "--profile", "tourpaq", "--emulate", "--baseline", str(baseline)])
    err = capsys.readouterr().err
    assert code == 4
    assert err.count("\n") == 1 and "unknown requirement id 'RFC6749-9.9-nothing'" in err


def test_under_plain_pytest_an_unknown_requirement_is_a_usage_error(
    run_suite: Callable[..., SuiteRun], tmp_path: Path
) -> None:
    baseline = _write(tmp_path / "b.yaml", [{"requirement": "DOC-nothing", "reason": "x"}])
    run = run_suite("tourpaq", "--conformance-baseline", str(baseline), "-k", ONE_TEST)
    assert run.ret == 4
    assert "unknown requirement id 'DOC-nothing'" in run.output


def test_strict_baseline_without_a_baseline_is_a_usage_error(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("tourpaq", "--conformance-strict-baseline", "-k", ONE_TEST)
    assert run.ret == 4
    assert "--conformance-strict-baseline needs --conformance-baseline FILE" in run.output


def test_baseline_command_accepts_failures_not_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = {
        "profile": "tourpaq",
        "target": "https://staging.example.com",
        "started": "2026-11-30T12:00:00Z",
        "requirements": [
            {"id": "RFC6749-5.1-no-store", "status": "failed", "message": "expected no-store; got no-cache"},
            {"id": "RFC6749-5.1-pragma", "status": "warned", "message": "expected Pragma; got none"},
            {"id": "RFC6749-5.1-token-type", "status": "passed", "message": ""},
        ],
    }
    results = tmp_path / "results.json"
    results.write_text(json.dumps(document))
    assert main(["baseline", str(results)]) == 0
    printed = capsys.readouterr().out
    assert printed == baseline_yaml(load_results(results))
    entries = yaml.safe_load(printed)
    assert entries == [{"requirement": "RFC6749-5.1-no-store", "reason": "expected no-store; got no-cache"}]
    assert not violations("baseline", entries)
    assert main(["baseline", str(results), "--output", str(tmp_path / "out" / "baseline.yaml")]) == 0
    assert load_baseline(tmp_path / "out" / "baseline.yaml").entries[0].requirement == "RFC6749-5.1-no-store"


def test_baseline_command_refuses_what_is_not_a_results_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.json").write_text('{"profile": "tourpaq"}')
    assert main(["baseline", str(tmp_path / "x.json")]) == 4
    assert "not a results.json" in capsys.readouterr().err


def test_an_expired_acceptance_fails_the_run_again(
    run_suite: Callable[..., SuiteRun], tmp_path: Path
) -> None:
    baseline = _write(
        tmp_path / "b.yaml",
        [{"requirement": TOKEN_TYPE[1], "reason": "vendor ticket 12", "until": "2020-01-01"}],
    )
    run = run_suite(
        "tourpaq",
        "--conformance-defect",
        TOKEN_TYPE[0],
        "--conformance-baseline",
        str(baseline),
        "-k",
        ONE_TEST,
    )
    assert run.ret == 1
    assert f"{TOKEN_TYPE[1]}: the acceptance expired on 2020-01-01" in run.output
    assert run.results["baseline"]["unaccepted_failures"] == [TOKEN_TYPE[1]]


@pytest.fixture
def served_defects(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The Tourpaq emulator with the given defects, over real HTTP on the real clock."""
    profile = load_profile("tourpaq")
    settings = profile.emulator
    for name, value in (
        ("CONFORMANCE_USERNAME", settings.username),
        ("CONFORMANCE_PASSWORD", settings.password),
        ("CONFORMANCE_CLIENT_ID", settings.client_id),
        ("CONFORMANCE_CLIENT_SECRET", settings.client_secret),
    ):
        monkeypatch.setenv(name, value)
    emulator = Emulator(profile, clock=SystemClock(show_countdown=False), defects=request.param)
    with serve(emulator.app) as url:
        yield url


def _run_cli(url: str, report_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "run",
            "--profile",
            "tourpaq",
            "--url",
            url,
            "--resource-path",
            "/protected",
            "--report-dir",
            str(report_dir),
            *options,
            "--",
            "-k",
            ONE_TEST,
        ],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=report_dir.parent,
    )


def _failures_section(output: str) -> str:
    match = re.search(r"= conformance failures [^\n]*\n(.*?)\n=", output, re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize("served_defects", [[TOKEN_TYPE[0], NO_STORE[0]]], indirect=True)
@pytest.mark.slow
def test_acceptance_a_served_deviation_baselined_passes_the_other_fails(
    served_defects: str, tmp_path: Path
) -> None:
    one = _write(tmp_path / "one.yaml", [{"requirement": TOKEN_TYPE[1], "reason": "vendor ticket 12"}])
    run = _run_cli(served_defects, tmp_path / "one", "--baseline", str(one))
    assert run.returncode == 1, run.stdout[-3000:]
    assert _failures_section(run.stdout).startswith(NO_STORE[1])
    assert TOKEN_TYPE[1] not in _failures_section(run.stdout)
    assert f"{TOKEN_TYPE[1]}: accepted (vendor ticket 12)" in run.stdout
    assert f"1 failure accepted by the baseline; not accepted: {NO_STORE[1]}\n" in run.stdout
    results = json.loads((tmp_path / "one" / "results.json").read_text())
    assert results["baseline"]["unaccepted_failures"] == [NO_STORE[1]]

    both = _write(
        tmp_path / "both.yaml",
        [
            {"requirement": TOKEN_TYPE[1], "reason": "vendor ticket 12"},
            {"requirement": NO_STORE[1], "reason": "CDN"},
        ],
    )
    run = _run_cli(served_defects, tmp_path / "both", "--baseline", str(both))
    assert run.returncode == 0, run.stdout[-3000:]
    assert "2 accepted, 0 fixed" in run.stdout
    assert "2 failures accepted by the baseline; no other failure\n" in run.stdout
    results = json.loads((tmp_path / "both" / "results.json").read_text())
    assert results["summary"]["exit_code"] == 0 and results["summary"]["must_failures"] == 2


@pytest.mark.parametrize("served_defects", [[TOKEN_TYPE[0]]], indirect=True)
@pytest.mark.slow
def test_acceptance_a_fixed_deviation_fails_a_strict_baseline(served_defects: str, tmp_path: Path) -> None:
    both = _write(
        tmp_path / "both.yaml",
        [
            {"requirement": TOKEN_TYPE[1], "reason": "vendor ticket 12"},
            {"requirement": NO_STORE[1], "reason": "CDN"},
        ],
    )
    run = _run_cli(served_defects, tmp_path / "strict", "--baseline", str(both), "--strict-baseline")
    assert run.returncode == 1, run.stdout[-3000:]
    assert f"{NO_STORE[1]}: fixed: remove it from the baseline" in run.stdout
    assert f"fixed (--strict-baseline fails the run): {NO_STORE[1]}\n" in run.stdout
    results = json.loads((tmp_path / "strict" / "results.json").read_text())
    verdicts = {e["requirement"]: e["verdict"] for e in results["baseline"]["entries"]}
    assert verdicts == {TOKEN_TYPE[1]: ACCEPTED, NO_STORE[1]: FIXED}
    # Without --strict-baseline a fix is good news, not a failure.
    run = _run_cli(served_defects, tmp_path / "lenient", "--baseline", str(both))
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"{NO_STORE[1]}: fixed: remove it from the baseline" in run.stdout


def test_the_guide_baseline_examples_load(tmp_path: Path) -> None:
    blocks = re.findall(r'```yaml title="baseline.yaml"\n(.*?)```', GUIDE.read_text(encoding="utf-8"), re.S)
    assert blocks, f"{GUIDE.name} shows a baseline"
    for block in blocks:
        (tmp_path / "baseline.yaml").write_text(block)
        assert load_baseline(tmp_path / "baseline.yaml").entries
