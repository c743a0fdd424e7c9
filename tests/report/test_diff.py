"""`conformance diff OLD.json NEW.json`: what changed, exit 1 on a new failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.report.diff import diff_results


def _document(*rows: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "profile": "tourpaq",
        "target": "https://staging.example.com",
        "requirements": [{"id": rid, "status": status, "message": message} for rid, status, message in rows],
    }


OLD = _document(
    ("RFC6749-5.1-no-store", "passed", ""),
    ("RFC6749-5.1-token-type", "failed", "expected bearer; got JWT"),
    ("RFC6749-5.1-pragma", "warned", "expected Pragma: no-cache; got none"),
    ("RFC6749-5.1-expires-in", "passed", ""),
    ("DOC-rejection-status", "failed", "expected 401; got 403"),
    ("RFC6749-4.3-old", "passed", ""),
)
NEW = _document(
    ("RFC6749-5.1-no-store", "failed", "expected no-store; got no-cache | private"),
    ("RFC6749-5.1-token-type", "passed", ""),
    ("RFC6749-5.1-pragma", "skipped", "not exercised by this run"),
    ("RFC6749-5.1-expires-in", "passed", ""),
    ("DOC-rejection-status", "failed", "expected 401; got 404"),
    ("RFC9700-2.4-new", "warned", "password grant"),
)


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_each_kind_of_change_is_found() -> None:
    result = diff_results(OLD, NEW)
    ids = {title: [row[0] for row in rows] for title, rows in result.sections()}
    assert ids == {
        "newly failed": ["RFC6749-5.1-no-store"],
        "fixed": ["RFC6749-5.1-token-type"],
        "changed status": ["RFC6749-5.1-pragma"],
        "changed evidence": ["DOC-rejection-status"],
        "added to the catalogue": ["RFC9700-2.4-new"],
        "removed from the catalogue": ["RFC6749-4.3-old"],
    }
    assert result.exit_code == 1
    assert diff_results(NEW, NEW).exit_code == 0
    # Fixed is not a new failure: the reverse direction has one new failure, token-type.
    assert [row[0] for row in diff_results(NEW, OLD).newly_failed] == ["RFC6749-5.1-token-type"]


def test_text_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _write(tmp_path, "old.json", OLD), _write(tmp_path, "new.json", NEW)
    assert main(["diff", str(old), str(new)]) == 1
    text = capsys.readouterr().out
    assert "newly failed:\n  RFC6749-5.1-no-store: passed -> failed\n    now: expected no-store" in text
    assert "    was: expected 401; got 403\n    now: expected 401; got 404" in text

    assert main(["diff", str(old), str(new), "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert markdown.startswith("### conformance: **1 new failure**")
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    assert table[0] == "| change | requirement | before | after | evidence now |"
    assert len(table) == 2 + 6
    # A pipe in the evidence would split the cell.
    assert (
        "| newly failed | `RFC6749-5.1-no-store` | passed | failed | "
        "expected no-store; got no-cache \\| private |" in table
    )

    assert main(["diff", str(new), str(new), "--format", "markdown"]) == 0
    assert "no new failure" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("not json", "not a results.json (not JSON)"),
        ('{"requirements": [{"id": "X"}]}', "not a results.json (no requirements with id and status)"),
        ("[1, 2]", "not a results.json (no requirements with id and status)"),
    ],
)
def test_usage_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    good = _write(tmp_path, "good.json", OLD)
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    assert main(["diff", str(good), str(bad)]) == 4
    err = capsys.readouterr().err
    assert err == f"conformance: error: {bad}: {message}\n"


def test_diff_of_two_real_runs(run_suite: Any, tmp_path: Path) -> None:
    """The runs' own results.json: one defect switched on is a new failure, switched off a fix."""
    one_test = "test_token_response_is_as_documented"
    # Each run rewrites the same reports/results.json: keep each document as it was.
    clean = run_suite("tourpaq", "-k", one_test).results
    clean_path = _write(tmp_path, "clean.json", clean)
    broken = run_suite("tourpaq", "--conformance-defect", "wrong-token-type", "-k", one_test).results
    broken_path = _write(tmp_path, "broken.json", broken)
    assert [row[0] for row in diff_results(clean, broken).newly_failed] == ["RFC6749-5.1-token-type"]
    assert main(["diff", str(clean_path), str(broken_path)]) == 1
    assert main(["diff", str(broken_path), str(clean_path)]) == 0
    assert [row[0] for row in diff_results(broken, clean).fixed] == ["RFC6749-5.1-token-type"]
