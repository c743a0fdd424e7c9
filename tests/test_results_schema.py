"""results.json is a contract: schemas/results.schema.json describes it, and every run validates.

tests/conftest.py switches validation on for every run the project's tests make (results.json
is checked against the schema as it is written; a violation fails that run). These tests check
the fields themselves, the runs that write the least usual documents, and that the check bites.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.profile import load_profile
from conformance.redaction import Redactor
from conformance.report.results import VALIDATE_ENV, ResultsCollector, profile_hash
from conformance.schemas import violations
from tests.conftest import SuiteRun

ONE_TEST = "test_token_response_is_as_documented"
ONE_CASE = f"{ONE_TEST}[password]"


def test_the_project_tests_validate_every_results_json() -> None:
    assert os.environ.get(VALIDATE_ENV)


def test_a_failing_run_states_tool_time_profile_settings_and_evidence(
    run_suite: Callable[..., SuiteRun],
) -> None:
    run = run_suite(
        "tourpaq", "--conformance-defect", "wrong-token-type", "--conformance-examples", "3", "-k", ONE_TEST
    )
    document = run.results
    assert violations("results", document) == []
    assert document["tool"] == {"name": "conformance", "version": importlib.metadata.version("conformance")}
    started = datetime.datetime.fromisoformat(document["started"])
    assert started.utcoffset() == datetime.timedelta(0)
    assert document["duration_s"] >= 0
    assert document["profile_hash"] == profile_hash(load_profile("tourpaq"))
    settings = document["settings"]
    assert settings["defects"] == ["wrong-token-type"] and settings["examples"] == 3
    assert settings["emulate"] is True and settings["expiry_wait"] == 0.0
    row = next(r for r in document["requirements"] if r["id"] == "RFC6749-5.1-token-type")
    assert row["status"] == "failed"
    assert row["tests"] == [next(t for t in row["tests"] if t.endswith(ONE_CASE))]
    (evidence,) = row["evidence"]
    assert evidence["expected"] == "token_type 'bearer' in any letter case"
    assert evidence["got"] == "token_type 'JWT'"
    assert evidence["exchange"] == 1 and evidence["test"].endswith(ONE_CASE)
    assert evidence["status"] == 200
    # The in-process emulator cannot be reached by curl: the finding replays by re-running its test.
    assert (
        evidence["replay"] == f"conformance replay {run.report_dir / 'results.json'} RFC6749-5.1-token-type"
    )
    assert evidence["request"].startswith("curl -sS -i -X POST http://emulator.conformance/api/token")
    # The request names the environment variables the credentials come from, never their values.
    emulator = load_profile("tourpaq").emulator
    assert emulator.password not in evidence["request"]
    assert '--data-urlencode "password=$CONFORMANCE_PASSWORD"' in evidence["request"]
    assert document["baseline"] is None
    passed = next(r for r in document["requirements"] if r["status"] == "passed")
    assert passed["evidence"] == []


def test_a_hypothesis_seed_given_is_recorded(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("tourpaq", "--hypothesis-seed", "1234", "-k", ONE_TEST)
    assert run.results["settings"]["seed"] == 1234


def test_dry_run_and_unreachable_documents_are_valid(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    dry = run_suite(
        "tourpaq",
        "--conformance-url",
        "https://api.example.com",
        "--conformance-dry-run",
        "-k",
        ONE_TEST,
        emulate=False,
    )
    assert violations("results", dry.results) == [] and dry.results["settings"]["dry_run"] is True
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    silent = run_suite("daysoutguide", "--conformance-url", "http://127.0.0.1:9", emulate=False)
    assert silent.ret == 2
    assert violations("results", silent.results) == [] and silent.results["error"]
    assert silent.results["settings"]["max_requests"] is None  # loopback: no polite default


def test_a_document_breaking_the_schema_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Drifted(ResultsCollector):
        def document(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            document = super().document(*args, **kwargs)
            document["requirements"][0]["status"] = "maybe"
            return document

    collector = Drifted("tourpaq", "http://emulator.conformance")
    summary = {"requests": 0, "token_requests": 0, "exit_code": 0}
    with pytest.raises(AssertionError, match="results.json breaks its schema at requirements/0/status"):
        collector.write(tmp_path / "results.json", Redactor(), **summary)
    assert not (tmp_path / "results.json").exists()
    monkeypatch.delenv(VALIDATE_ENV)
    collector.write(tmp_path / "results.json", Redactor(), **summary)
    assert json.loads((tmp_path / "results.json").read_text())["requirements"][0]["status"] == "maybe"


def test_profile_hash_follows_content_not_path(tmp_path: Path) -> None:
    by_name = load_profile("tourpaq")
    by_path = load_profile(by_name.origin)
    assert profile_hash(by_name) == profile_hash(by_path)
    changed = tmp_path / "mine.yaml"
    changed.write_text(f"name: tourpaq\nextends: {by_name.origin}\ntoken_endpoint: {{path: /v2/token}}\n")
    assert profile_hash(load_profile(str(changed))) != profile_hash(by_name)
