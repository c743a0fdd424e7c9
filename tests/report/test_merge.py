"""`conformance merge`: the results of many real runs in one overview (JSON, HTML, junit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from conformance.cli import main

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent.parent / "data" / "junit.xsd")))
PRAGMA = "RFC6749-5.1-pragma"
EMULATOR = "tourpaq @ http://emulator.conformance (in-process emulator)"


def _conformance(*argv: str, env: dict[str, str] | None = None) -> None:
    code = "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))"
    subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, check=False, timeout=120
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Four real runs of the issuance scenarios: clean, broken, broken but baselined, unreachable."""
    root = tmp_path_factory.mktemp("runs")

    def run(name: str, *argv: str, env: dict[str, str] | None = None) -> Path:
        _conformance(
            "run",
            "--profile",
            "tourpaq",
            *argv,
            "--report-dir",
            str(root / name),
            "--",
            "-k",
            "issuance",
            "-n",
            "0",
            env=env,
        )
        path = root / name / "results.json"
        assert path.is_file(), name
        return path

    clean = run("clean", "--emulate")
    broken = run("broken", "--emulate", "--defect", "no-pragma")
    baseline = root / "baseline.yaml"
    with baseline.open("w", encoding="utf-8") as out:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))",
                "baseline",
                str(broken),
            ],
            stdout=out,
            check=True,
        )
    accepted = run("accepted", "--emulate", "--defect", "no-pragma", "--baseline", str(baseline))
    # Credentials the profile needs to start; nothing answers on port 9, so nothing is sent.
    env = dict(
        os.environ,
        CONFORMANCE_USERNAME="u",
        CONFORMANCE_PASSWORD="p",
        CONFORMANCE_CLIENT_ID="c",
        CONFORMANCE_CLIENT_SECRET="s",
    )
    unreachable = run("unreachable", "--url", "http://127.0.0.1:9", "--allow-insecure-http", env=env)
    return {"clean": clean, "broken": broken, "accepted": accepted, "unreachable": unreachable}


def _merge(tmp_path: Path, *paths: Path) -> tuple[int, dict[str, Any], etree._Element, str]:
    out = tmp_path / "merged"
    code = main(["merge", *map(str, paths), "--report-dir", str(out)])
    junit = etree.parse(str(out / "junit.xml")).getroot()
    assert SCHEMA.validate(junit), SCHEMA.error_log
    document = json.loads((out / "merged.json").read_text(encoding="utf-8"))
    return code, document, junit, (out / "overview.html").read_text(encoding="utf-8")


def _testcase(junit: etree._Element, suite_index: int, requirement: str) -> etree._Element:
    suite = junit.findall("testsuite")[suite_index]
    (case,) = [c for c in suite.iter("testcase") if c.get("name") == requirement]
    return case


def test_a_failed_deployment_fails_the_merge(runs: dict[str, Path], tmp_path: Path) -> None:
    code, document, junit, page = _merge(tmp_path, runs["clean"], runs["broken"])
    assert code == 1 and document["exit_code"] == 1
    names = [r["name"] for r in document["runs"]]
    # Same profile and target: the second column is told apart by its file.
    assert names == [EMULATOR, f"{EMULATOR} ({runs['broken']})"]
    assert [r["exit_code"] for r in document["runs"]] == [0, 1]
    (pragma,) = [r for r in document["requirements"] if r["id"] == PRAGMA]
    assert pragma["statuses"] == {names[0]: "passed", names[1]: "failed"}
    assert "Pragma" in pragma["messages"][names[1]]
    # Every requirement of the catalogue is a row, with a status per run.
    assert len(document["requirements"]) == len(json.loads(runs["clean"].read_text())["requirements"])
    assert all(set(r["statuses"]) == set(names) for r in document["requirements"])

    suites = junit.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"conformance {n}" for n in names]
    assert [s.get("failures") for s in suites] == ["0", "1"]
    failed = _testcase(junit, 1, PRAGMA)
    assert "Pragma" in failed.find("failure").get("message")
    properties = [(p.get("name"), p.get("value")) for p in failed.iter("property")]
    assert properties[0] == ("requirement", PRAGMA) and properties[1] == ("level", "MUST")
    assert properties[2][0] == "source" and properties[2][1]
    assert _testcase(junit, 0, PRAGMA).find("failure") is None
    skipped = [c for c in suites[0].iter("testcase") if c.find("skipped") is not None]
    assert len(skipped) == int(suites[0].get("skipped")) > 0

    assert '<td class="failed" style="color:#c62828" title="' in page
    assert '<td class="passed" style="color:#2e7d32">passed</td>' in page


def test_a_failure_the_baseline_accepts_does_not_fail_it(runs: dict[str, Path], tmp_path: Path) -> None:
    code, document, junit, page = _merge(tmp_path, runs["clean"], runs["accepted"])
    assert code == 0
    assert document["runs"][1]["accepted_failures"] == [PRAGMA]
    case = _testcase(junit, 1, PRAGMA)
    assert case.find("failure") is None
    assert case.find("skipped").get("message").startswith("accepted by the baseline")
    assert "failed (accepted)" in page


def test_an_incomplete_run_exits_2_unless_another_failed(runs: dict[str, Path], tmp_path: Path) -> None:
    code, document, junit, _ = _merge(tmp_path, runs["clean"], runs["unreachable"])
    assert code == 2
    assert document["runs"][1]["complete"] is False and "cannot reach" in document["runs"][1]["error"]
    (error,) = junit.findall("testsuite")[1].iter("error")
    assert "cannot reach" in error.get("message")
    assert _merge(tmp_path / "b", runs["broken"], runs["unreachable"])[0] == 1


def test_html_and_xml_escape_what_the_runs_say(runs: dict[str, Path], tmp_path: Path) -> None:
    document = json.loads(runs["broken"].read_text(encoding="utf-8"))
    hostile = '<script>alert("x")</script> & more'
    for row in document["requirements"]:
        if row["id"] == PRAGMA:
            row["message"] = hostile
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document), encoding="utf-8")
    _, _, junit, page = _merge(tmp_path, edited)
    assert "<script>" not in page
    assert 'title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"' in page
    assert _testcase(junit, 0, PRAGMA).find("failure").get("message") == hostile


@pytest.mark.parametrize("breakage", ["missing", "not json", "schema"])
def test_a_bad_input_is_one_usage_line_naming_it(
    breakage: str, runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    if breakage == "not json":
        bad.write_text("{", encoding="utf-8")
    elif breakage == "schema":
        document = json.loads(runs["clean"].read_text(encoding="utf-8"))
        del document["complete"]
        bad.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "merged"
    assert main(["merge", str(runs["clean"]), str(bad), "--report-dir", str(out)]) == 4
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(bad) in error
    assert not out.exists()  # every input is checked before anything is written
