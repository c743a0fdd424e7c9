"""Every verdict is evidence: a requirement fails only by a finding that names it.

A test that fails for any other reason (an error of the suite, a request the suite could not
send, a target that stopped answering) leaves its requirements "not established", names the
cause, and makes the run incomplete (exit 2). A dry run establishes nothing. `partial` is its
own status, counted apart from `passed`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.config.arguments import suite_argv
from conformance.engine.findings import FindingLog
from conformance.report.results import ResultsCollector
from conformance.report.results import TestRecord as Record
from conformance.requirements import all_requirements
from conformance.requirements.rfc import rfc6749, rfc6750

RUN = suite_argv({"profile": "tourpaq", "emulate": True}, scenarios=None)  # the test's own scenario


def _results(pytester: pytest.Pytester) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / "out" / "results.json").read_text())
    return data


def _row(results: dict[str, Any], requirement_id: str) -> dict[str, Any]:
    return next(r for r in results["requirements"] if r["id"] == requirement_id)


@pytest.mark.parametrize(
    ("raised", "cause"),
    [
        ('raise KeyError("a bug in a check")', "error of the suite, not of the target: KeyError"),
        (
            'raise SuiteError("#3 resource: header value the HTTP library refused")',
            "error of the suite, not of the target: #3 resource",
        ),
    ],
)
def test_a_failure_without_a_finding_blames_no_requirement(
    pytester: pytest.Pytester, raised: str, cause: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest
        from conformance.errors import SuiteError
        from conformance.requirements.rfc import rfc6750

        @pytest.mark.requirement(rfc6750.ACCEPTS_VALID_TOKEN.id, rfc6750.REJECTS_BAD_TOKEN.id)
        def test_scenario_with_a_bug(conformance):
            conformance.obtain_token()
            {raised}
        """
    )
    result = pytester.runpytest_inprocess(*RUN, "--conformance-report-dir", "out")
    assert result.ret == 2, result.stdout.str()  # incomplete, not failed
    results = _results(pytester)
    assert results["summary"]["requirements"]["failed"] == 0
    assert results["complete"] is False
    for requirement_id in (rfc6750.ACCEPTS_VALID_TOKEN.id, rfc6750.REJECTS_BAD_TOKEN.id):
        row = _row(results, requirement_id)
        assert row["status"] == "skipped"
        assert row["message"].startswith("not established: ") and cause in row["message"]
    [entry] = results["incomplete"]
    assert entry["test"].endswith("::test_scenario_with_a_bug") and cause in entry["cause"]
    out = result.stdout.str()
    assert "the run is incomplete: 1 test(s) could not establish their requirements" in out
    # The token obtained before the error was evidence of the password grant working.
    assert _row(results, rfc6749.PASSWORD_GRANT_ISSUES.id)["status"] == "passed"


def test_a_finding_fails_its_requirement_and_only_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from conformance.engine.findings import Finding
        from conformance.requirements.rfc import rfc6750

        @pytest.mark.requirement(rfc6750.ACCEPTS_VALID_TOKEN.id, rfc6750.REJECTS_BAD_TOKEN.id)
        def test_scenario_with_a_finding(conformance):
            token = conformance.obtain_token()
            conformance.expect(
                [Finding(rfc6750.ACCEPTS_VALID_TOKEN, "HTTP 200", "HTTP 401", token.exchange)]
            )
        """
    )
    result = pytester.runpytest_inprocess(*RUN, "--conformance-report-dir", "out")
    assert result.ret == 1
    results = _results(pytester)
    assert results["complete"] is True and results["incomplete"] == []
    assert _row(results, rfc6750.ACCEPTS_VALID_TOKEN.id)["status"] == "failed"
    # It ran to its end: the other requirement it carries was checked.
    assert _row(results, rfc6750.REJECTS_BAD_TOKEN.id)["status"] == "passed"


def test_a_dry_run_passes_nothing(pytester: pytest.Pytester) -> None:
    dry = {"profile": "tourpaq", "url": "https://auth.example.test", "dry-run": True, "report-dir": "out"}
    result = pytester.runpytest_inprocess(*suite_argv(dry, extra=["-k", "issuance"]))
    assert result.ret == 0, result.stdout.str()
    results = _results(pytester)
    counts = results["summary"]["requirements"]
    assert counts["passed"] == counts["partial"] == counts["failed"] == counts["warned"] == 0
    assert counts["skipped"] == len(all_requirements())
    assert all(r["message"].startswith("not run") for r in results["requirements"])
    assert results["complete"] is False
    out = result.stdout.str()
    assert "nothing was sent, no requirement judged" in out and "requirements passed" not in out


def test_an_unknown_requirement_id_fails_collection(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requirement("RFC6749-5.1-no-such-thing")
        def test_typo(conformance):
            pass
        """
    )
    result = pytester.runpytest_inprocess(*RUN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown requirement id 'RFC6749-5.1-no-such-thing'" in result.stderr.str()


def _collector(*records: Record) -> ResultsCollector:
    collector = ResultsCollector("tourpaq", "emulator")
    for record in records:
        collector.add(record)
    return collector


def test_partial_is_its_own_status_and_a_full_check_outweighs_it() -> None:
    watched = FindingLog()
    watched.partial(rfc6749.LIFETIME_AS_STATED, "watched 6 s of a 1799 s lifetime: no violation")
    lifetime = rfc6749.LIFETIME_AS_STATED.id
    only_part = _collector(Record("t::watch", "passed", (lifetime,), watched))
    row = next(r for r in only_part.requirement_statuses() if r["id"] == lifetime)
    assert (row["status"], row["message"]) == ("partial", "watched 6 s of a 1799 s lifetime: no violation")
    document = only_part.document(requests=1, token_requests=1, exit_code=0)
    assert document["summary"]["requirements"]["partial"] == 1
    assert document["summary"]["requirements"]["passed"] == 0

    full = FindingLog()
    full.held(rfc6749.LIFETIME_AS_STATED, "expired at 3 s as stated")
    both = _collector(
        Record("t::watch", "passed", (lifetime,), watched),
        Record("t::full", "passed", (lifetime,), full),
    )
    row = next(r for r in both.requirement_statuses() if r["id"] == lifetime)
    assert row["status"] == "passed" and row["tests"] == ["t::full"]


def test_a_stopped_scenario_leaves_the_rest_not_established() -> None:
    log = FindingLog()
    log.stopped = "scenario stopped: the password grant issued no refresh token"
    ids = (rfc6749.REFRESH_WORKS.id,)
    collector = _collector(Record("t::refresh", "failed", ids, log, "x", not_established=log.stopped))
    row = next(r for r in collector.requirement_statuses() if r["id"] == ids[0])
    assert row["status"] == "skipped"
    assert row["message"] == f"not established: {log.stopped}"
    assert collector.incomplete == [{"test": "t::refresh", "cause": log.stopped}]


def test_statuses_are_documented() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "explanation" / "verdicts.md").read_text()
    for status in ("`passed`", "`partial`", "`failed`", "`warned`", "`skipped`", "not established"):
        assert status in page, status


_MOVING_TARGET = """
import pytest
from hypothesis import strategies as st
from conformance.engine.counterexample import Search
from conformance.engine.findings import Finding
from conformance.requirements.rfc import rfc6749, rfc6750

answers = []

@pytest.mark.requirement(rfc6750.ACCEPTS_VALID_TOKEN.id, rfc6749.PASSWORD_GRANT_ISSUES.id)
def test_a_target_whose_state_moves_on(conformance, request):
    search = Search.for_test(
        conformance, request, "scope", "moving target", rfc6749.PASSWORD_GRANT_ISSUES
    )

    def check(value, example):
        exchange = conformance.client.password_grant("token: password grant")
        example.note(f"request a token with {value} -> HTTP {exchange.status}")
        answers.append(value)
        if len(answers) == 1:  # only the first time: a replay sees nothing wrong
            example.expect([Finding(rfc6750.ACCEPTS_VALID_TOKEN, "HTTP 200", "HTTP 401", exchange)])

    search.run_given(st.integers(0, 3), check)
"""


def test_a_search_whose_replay_differs_reports_what_it_saw_first(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_MOVING_TARGET)
    result = pytester.runpytest_inprocess(*RUN, "--conformance-report-dir", "out")
    out = result.stdout.str()
    assert result.ret == 1, out
    assert "0 counterexamples" not in out
    assert "moving target: 1 counterexample (the target answered differently when the example was" in out
    assert "request a token with" in out  # the transcript
    assert "--hypothesis-seed" in out  # the seed to replay it
    results = _results(pytester)
    row = _row(results, rfc6750.ACCEPTS_VALID_TOKEN.id)
    assert (row["status"], row["message"]) == ("failed", "expected HTTP 200; got HTTP 401")
    # The search's own requirement held in what it saw, but the search stopped early.
    assert _row(results, rfc6749.PASSWORD_GRANT_ISSUES.id)["status"] in ("partial", "passed")
