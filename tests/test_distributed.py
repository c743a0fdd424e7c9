"""The scenarios under pytest-xdist report what a serial run reports.

Each worker hands its records, its redactor's secrets and its request counts to the controller
(conformance.distributed); a live target whose scenarios must not interleave is not spread at
all. Compared here: results.json (every requirement's status, message and evidence), junit.xml
(every testcase, its outcome and properties) and the HTML report's verdict table, serial
against two workers, on runs that pass and runs that fail.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest

from conformance.distributed import share_budget
from conformance.redaction import Redactor
from conformance.settings import RunSettings
from tests.conftest import SuiteRun

_EXCHANGE_NUMBER = re.compile(r"#\d+")
# An issued token's label carries its fingerprint; the emulator's tokens are random in every run.
_TOKEN_LABEL = re.compile(r"(<[a-z_]+(?: |\+|%20))[0-9a-f]{8}>")
_SCHEMATHESIS_CASE = re.compile(r"(x-schemathesis-testcaseid: )\w+")  # random in every run


def _unnumbered(text: str) -> str:
    text = _SCHEMATHESIS_CASE.sub(r"\1…", _EXCHANGE_NUMBER.sub("#N", text))
    return _TOKEN_LABEL.sub(r"\1…>", text)


def _same_content(value: Any, key: str = "") -> Any:
    """results.json without what differs between any two runs: times, tokens, schemathesis'
    case ids, and exchange numbers (each process numbers the exchanges it sends; a serial run
    numbers them all)."""
    if isinstance(value, dict):
        return {k: _same_content(v, k) for k, v in value.items() if k not in {"started", "duration_s"}}
    if isinstance(value, list):
        return [_same_content(v) for v in value]
    if key == "exchange" and isinstance(value, int):
        return "N"
    return _unnumbered(value) if isinstance(value, str) else value


def _testcases(run: SuiteRun) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
    root = ET.parse(run.report_dir / "junit.xml").getroot()
    cases = []
    for case in root.iter("testcase"):
        verdicts = [child.tag for child in case if child.tag in {"failure", "error", "skipped"}]
        outcome = verdicts[0] if verdicts else "passed"
        properties = tuple(sorted((p.get("name", ""), p.get("value", "")) for p in case.iter("property")))
        cases.append((case.get("classname", ""), case.get("name", ""), outcome, properties))
    return sorted(cases)


def _verdict_table(run: SuiteRun) -> str:
    page = (run.report_dir / "report.html").read_text(encoding="utf-8")
    table = page[page.index('id="requirements"') :]
    return _unnumbered(table[: table.index("</table>")])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("profile", "defects"),
    [
        ("tourpaq", ()),
        ("daysoutguide", ()),
        # Failures with evidence, a SHOULD warning, and a search's counterexample.
        ("tourpaq", ("wrong-token-type", "cache-control-no-cache", "500-on-non-ascii")),
        ("daysoutguide", ("keeps-earlier-tokens",)),
    ],
)
def test_two_workers_report_what_one_process_reports(
    run_suite: Callable[..., SuiteRun], profile: str, defects: tuple[str, ...]
) -> None:
    options = [arg for defect in defects for arg in ("--conformance-defect", defect)]
    serial = run_suite(profile, *options, reports=True)
    serial_results = serial.results
    (serial.report_dir / "results.json").rename(serial.report_dir.parent / "serial.json")
    serial_cases, serial_table = _testcases(serial), _verdict_table(serial)

    distributed = run_suite(profile, *options, "-n", "2", reports=True)

    assert "2 workers" in distributed.output  # it really was spread
    assert distributed.ret == serial.ret == (1 if defects else 0), distributed.output[-2000:]
    assert bool(serial.failed_requirements()) == bool(defects)
    expected = _same_content(serial_results)
    got = _same_content(distributed.results)
    for name in expected.keys() - {"requirements"}:
        assert got[name] == expected[name], name
    for row, serial_row in zip(got["requirements"], expected["requirements"], strict=True):
        assert row == serial_row
    assert _testcases(distributed) == serial_cases
    assert _verdict_table(distributed) == serial_table


def test_a_worker_takes_its_share_of_the_budget() -> None:
    settings = RunSettings(
        profile="tourpaq",
        url="https://api.example.com",
        emulate=False,
        resource_path=None,
        expiry_wait=0.0,
        report_dir=None,
        timeout=10.0,
        defects=(),
        lifetime=None,
        max_requests=301,
        max_rps=5.0,
    )

    class Worker:
        workerinput = {"workercount": 2}

    shared = share_budget(settings, Worker())  # type: ignore[arg-type]
    assert (shared.max_requests, shared.max_rps) == (151, 2.5)
    assert share_budget(settings, object()) is settings  # type: ignore[arg-type]


def test_the_controller_masks_what_a_worker_learnt() -> None:
    """The controller writes the reports: it must know the tokens issued to its workers."""
    worker, controller = Redactor(), Redactor()
    worker.add_credentials("client-Qw12", "secret-Er34/+", "user-Ty56", "pw Ui78&=")
    label = worker.add_token("tok_Op90As12Df34Gh56Jk78", "access_token")
    text = "Bearer tok_Op90As12Df34Gh56Jk78 for user-Ty56 with pw+Ui78%26%3D"
    assert controller.scrub(text) == text
    controller.absorb(worker.known())
    assert controller.scrub(text) == f"Bearer {label} for <username> with <password>"
