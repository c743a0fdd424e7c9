"""The results model: `Status`, a row read back, and the one loader of results.json."""

from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import UsageError
from conformance.report.model import (
    STATUSES,
    RequirementVerdict,
    Results,
    Status,
    load_results,
    markdown_cell,
    one_line,
    verdicts_of,
)
from conformance.report.results import ResultsCollector, count_statuses
from conformance.schemas import load_schema, violations


def _document() -> dict[str, Any]:
    """A whole, valid results.json of a run that checked nothing: every requirement skipped."""
    collector = ResultsCollector("tourpaq", "https://staging.example.com")
    document = collector.document(requests=0, token_requests=0, exit_code=0)
    return json.loads(json.dumps(document))  # type: ignore[no-any-return]


def _write(tmp_path: Path, content: str | dict[str, Any]) -> Path:
    path = tmp_path / "results.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_the_statuses_are_the_schemas() -> None:
    defs = load_schema("results")["$defs"]
    assert [s.value for s in Status] == defs["status"]["enum"]
    assert list(STATUSES) == defs["status_counts"]["required"]
    assert all(isinstance(s, str) and s == s.value for s in Status)  # a StrEnum: "failed" == FAILED


def test_a_requirements_status_is_the_strongest_verdict() -> None:
    ranked = sorted(Status, key=lambda s: s.rank, reverse=True)
    assert ranked == [Status.FAILED, Status.WARNED, Status.PASSED, Status.PARTIAL, Status.SKIPPED]
    assert {s for s in Status if s.deviates} == {Status.FAILED, Status.WARNED}


def test_rows_hold_statuses_that_dump_as_plain_strings() -> None:
    rows = ResultsCollector("tourpaq", "x", dry_run=True).requirement_statuses()
    assert {type(r["status"]) for r in rows} == {Status}
    assert json.dumps(rows[0]["status"]) == '"skipped"'
    assert {type(k) for k in count_statuses(rows)} == {str}
    assert not violations("results", _document())


def test_a_valid_results_json_reads_back_as_frozen_verdicts(tmp_path: Path) -> None:
    document = _document()
    results = load_results(_write(tmp_path, document), validate=True)
    assert isinstance(results, Results)
    assert results.document == document
    assert len(results.verdicts) == len(document["requirements"])
    first = results.verdicts[0]
    row = document["requirements"][0]
    assert first == RequirementVerdict(
        id=row["id"],
        status=Status.SKIPPED,
        message="not exercised by this run",
        level=row["level"],
        source=row["source"],
        statement=row["statement"],
    )
    assert results.verdict(row["id"]) is first
    assert results.verdict("NO-SUCH-ID") is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.status = Status.PASSED  # type: ignore[misc]


def test_without_validation_an_id_and_a_status_are_enough(tmp_path: Path) -> None:
    """`conformance diff` compares runs of two versions of the tool: their schemas may differ."""
    minimal = {"requirements": [{"id": "X", "status": "failed", "message": "expected a; got b"}]}
    results = load_results(_write(tmp_path, minimal))
    assert results.verdicts == (RequirementVerdict("X", Status.FAILED, "expected a; got b"),)
    assert verdicts_of(minimal) == results.verdicts


@pytest.mark.parametrize(
    ("content", "validate", "message"),
    [
        (None, False, "no such file"),
        ("not json", False, "not a results.json (not JSON)"),
        ("[1, 2]", False, "not a results.json (no requirements with id and status)"),
        ('{"requirements": [{"id": "X"}]}', False, "not a results.json (no requirements with id and status)"),
        (
            '{"requirements": [{"id": "X", "status": "broken"}]}',
            False,
            "not a results.json (requirement X: status 'broken' is none of "
            "passed, partial, failed, warned, skipped)",
        ),
        (
            '{"requirements": [{"id": "X", "status": "failed"}]}',
            True,
            "not a valid results.json (the document: 'tool' is a required property)",
        ),
    ],
)
def test_a_bad_file_is_one_usage_line_naming_it(
    tmp_path: Path, content: str | None, validate: bool, message: str
) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_results(path, validate=validate)
    assert str(raised.value) == f"{path}: {message}"


def test_a_schema_violation_names_where(tmp_path: Path) -> None:
    document = _document()
    document["requirements"][0]["status"] = "broken"
    path = _write(tmp_path, document)
    with pytest.raises(UsageError) as raised:
        load_results(path, validate=True)
    assert str(raised.value).startswith(
        f"{path}: not a valid results.json (requirements/0/status: 'broken' is not"
    )
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "module",
    [
        "conformance.cli.diff",
        "conformance.cli.baseline",
        "conformance.cli.replay",
        "conformance.cli.selftest",
        "conformance.config.forecast",
        "conformance.report.merge",
    ],
)
def test_every_reader_of_results_json_reads_it_through_the_one_loader(module: str) -> None:
    assert importlib.import_module(module).load_results is load_results


def test_one_line_and_a_markdown_cell() -> None:
    assert one_line("a\n  b\tc", 10) == "a b c"
    assert one_line("x" * 20, 10) == "x" * 9 + "…"
    assert markdown_cell("expected no-store;\ngot a | b") == "expected no-store; got a \\| b"
    assert markdown_cell(None) == "None"
