"""junit.xml as CI systems read it: named after the run, requirements as properties, a one-line
verdict, an error for a run that could not be completed, valid against the JUnit schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from conformance.engine.findings import Finding
from conformance.report.junit import INCOMPLETE_TESTCASE, failure_headline, requirement_properties
from conformance.requirements.rfc import rfc6749
from tests.conftest import SuiteRun

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent.parent / "data" / "junit.xsd")))
# As `conformance run` writes it (see cli.pytest_arguments): captured output in the testcases.
JUNIT_AS_THE_CLI = ("-o", "junit_logging=all")
# Scenarios that pass, skip and (with a defect) fail, in a few seconds.
SOME = ("-k", "client_must_authenticate or token_issuance or expiry")


def _junit(run: SuiteRun) -> ET.Element:
    path = run.report_dir / "junit.xml"
    document = etree.parse(str(path))
    assert SCHEMA.validate(document), SCHEMA.error_log
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    testcases = suite.findall("testcase")
    # Never 0 tests, and the counts a CI system shows agree with the testcases it lists.
    assert int(suite.get("tests", "0")) == len(testcases) > 0
    assert int(suite.get("errors", "0")) == sum(1 for t in testcases if t.find("error") is not None)
    assert int(suite.get("failures", "0")) == sum(1 for t in testcases if t.find("failure") is not None)
    return suite


def _properties(testcase: ET.Element) -> list[tuple[str | None, str | None]]:
    return [(p.get("name"), p.get("value")) for p in testcase.iter("property")]


def test_a_passing_run(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("daysoutguide", *SOME, *JUNIT_AS_THE_CLI, reports=True)
    assert run.ret == 0, run.output
    suite = _junit(run)
    assert suite.get("name") == "conformance daysoutguide @ emulator.conformance"
    testcases = suite.findall("testcase")
    assert {t.get("classname", "").split(".")[0] for t in testcases} == {"daysoutguide@emulator_conformance"}
    unique = next(t for t in testcases if t.get("name") == "test_each_issuance_is_unique[password]")
    properties = _properties(unique)
    # Its marker's requirements, in order, each followed by its level and source.
    assert properties[0::3] == [
        ("requirement", r.id)
        for r in (rfc6749.TOKENS_UNIQUE, rfc6749.TOKENS_UNGUESSABLE, rfc6749.TOKENS_160_BITS)
    ]
    assert properties[1::3] == [("level", "MUST"), ("level", "MUST"), ("level", "SHOULD")]
    assert properties[2::3] == [("source", "RFC 6749 §10.10")] * 3
    assert any(t.find("skipped") is not None for t in testcases)


def test_a_failing_run_names_the_requirement_and_what_came_back(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite(
        "tourpaq",
        "--conformance-defect",
        "accepts-wrong-client-secret",
        *SOME,
        *JUNIT_AS_THE_CLI,
        reports=True,
    )
    assert run.ret == 1, run.output
    suite = _junit(run)
    assert suite.get("name") == "conformance tourpaq @ emulator.conformance"
    failed = next(t for t in suite.iter("testcase") if t.find("failure") is not None)
    failure = failed.find("failure")
    assert failure is not None
    assert failure.get("message") == "RFC6749-4.3-client-auth [MUST]: got HTTP 200, an access token"
    assert "expected: refusal of wrong client secret" in (failure.text or "")
    properties = _properties(failed)
    index = properties.index(("requirement", "RFC6749-4.3-client-auth"))
    assert properties[index + 1 : index + 3] == [
        ("level", "MUST"),
        ("source", "RFC 6749 §4.3.2, §2.3.1, §5.2"),
    ]


def test_a_failure_the_baseline_accepts_is_skipped_saying_so(
    run_suite: Callable[..., SuiteRun], tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text("- requirement: RFC6749-4.3-client-auth\n  reason: legacy clients, TICKET-7\n")
    run = run_suite(
        "tourpaq",
        *("--conformance-defect", "accepts-wrong-client-secret", "--conformance-baseline", str(baseline)),
        *SOME,
        *JUNIT_AS_THE_CLI,
        reports=True,
    )
    assert run.ret == 0, run.output
    suite = _junit(run)
    assert suite.get("failures") == "0"
    accepted = [t for t in suite.iter("testcase") if ("failed", "RFC6749-4.3-client-auth") in _properties(t)]
    # Any secret accepted: a wrong one and an empty one, each a case of its own.
    assert len(accepted) == 2
    for case in accepted:
        skipped = case.find("skipped")
        assert skipped is not None
        assert (
            skipped.get("message")
            == "accepted by the baseline: RFC6749-4.3-client-auth (legacy clients, TICKET-7)"
        )
        assert "got:      HTTP 200, an access token" in (skipped.text or "")


def test_two_profiles_runs_do_not_share_classes(run_suite: Callable[..., SuiteRun], tmp_path: Path) -> None:
    classes = []
    for profile in ("tourpaq", "daysoutguide"):
        run = run_suite(profile, "-k", "token_issuance", *JUNIT_AS_THE_CLI, reports=True)
        classes.append({t.get("classname") for t in _junit(run).iter("testcase")})
    assert classes[0] and classes[1] and not classes[0] & classes[1]


def test_an_unreachable_target_is_an_error_not_zero_tests(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    run = run_suite(
        "daysoutguide",
        "--conformance-url",
        "http://127.0.0.1:9",
        *JUNIT_AS_THE_CLI,
        emulate=False,
        reports=True,
    )
    assert run.ret == 2, run.output
    suite = _junit(run)
    assert suite.get("name") == "conformance daysoutguide @ 127.0.0.1:9"
    (testcase,) = suite.findall("testcase")
    assert testcase.get("name") == INCOMPLETE_TESTCASE
    error = testcase.find("error")
    assert error is not None
    assert error.get("message") == "cannot reach http://127.0.0.1:9: connection refused"
    assert "secret-password" not in (run.report_dir / "junit.xml").read_text()


def test_a_spent_budget_is_an_error_too(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("tourpaq", "--conformance-max-requests", "3", *SOME, *JUNIT_AS_THE_CLI, reports=True)
    assert run.ret == 2, run.output
    errors = [t for t in _junit(run).iter("testcase") if t.find("error") is not None]
    assert [t.get("name") for t in errors] == [INCOMPLETE_TESTCASE]
    error = errors[0].find("error")
    assert error is not None and "budget" in (error.get("message") or "")


@pytest.mark.slow
def test_a_test_without_a_finding_is_an_error_not_a_failure(
    run_suite: Callable[..., SuiteRun], slow_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFORMANCE_USERNAME", "someone")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "secret-password")
    run = run_suite(
        "daysoutguide",
        *("--conformance-url", slow_server, "--conformance-resource-path", "/protected"),
        *("--conformance-timeout", "0.3", "-k", "test_fresh_token_is_accepted"),
        *JUNIT_AS_THE_CLI,
        emulate=False,
        reports=True,
    )
    assert run.ret == 2, run.output
    suite = _junit(run)
    assert suite.get("failures") == "0"
    # The scenario runs through each grant: the password grant's case met the hung server.
    testcase = next(t for t in suite.findall("testcase") if (t.get("name") or "").endswith("[password]"))
    error = testcase.find("error")
    assert error is not None and error.get("type") == "conformance.not-established"
    assert (error.get("message") or "").startswith("not established (the target did not answer")


def test_a_suite_name_the_user_chose_is_kept(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite(
        "tourpaq",
        "-k",
        "token_issuance",
        "-o",
        "junit_suite_name=mine",
        "--junitprefix",
        "ours",
        reports=True,
    )
    suite = _junit(run)
    assert suite.get("name") == "mine"
    assert {t.get("classname", "").split(".")[0] for t in suite.iter("testcase")} == {"ours"}


def test_the_headline_is_one_line_naming_the_first_requirement() -> None:
    findings = [
        Finding(rfc6749.NO_STORE, "Cache-Control: no-store", "no Cache-Control\n   header"),
        Finding(rfc6749.WRONG_CREDENTIALS, "HTTP 400", "HTTP 200"),
        Finding(rfc6749.WRONG_CREDENTIALS, "HTTP 400", "HTTP 201"),
    ]
    assert (
        failure_headline(findings) == f"{rfc6749.NO_STORE.id} [MUST]: got no Cache-Control header (+2 more)"
    )
    assert failure_headline(findings[1:2]) == f"{rfc6749.WRONG_CREDENTIALS.id} [MUST]: got HTTP 200"
    assert "\n" not in failure_headline([Finding(rfc6749.NO_STORE, "x", "y" * 1000)])


def test_properties_name_each_requirement_once_with_level_and_source() -> None:
    ids = [rfc6749.NO_STORE.id, rfc6749.WRONG_CREDENTIALS.id, rfc6749.NO_STORE.id]
    assert requirement_properties(ids) == [
        ("requirement", rfc6749.NO_STORE.id),
        ("level", rfc6749.NO_STORE.level.value),
        ("source", rfc6749.NO_STORE.source),
        ("requirement", rfc6749.WRONG_CREDENTIALS.id),
        ("level", rfc6749.WRONG_CREDENTIALS.level.value),
        ("source", rfc6749.WRONG_CREDENTIALS.source),
    ]


def test_the_schema_rejects_what_ci_systems_cannot_read() -> None:
    """The schema is no rubber stamp: a testcase without a classname, or with two outcomes, fails it."""
    valid = (
        '<testsuites><testsuite name="s" tests="1" failures="0" errors="1">'
        '<testcase classname="c" name="t"><error message="m">x</error></testcase></testsuite></testsuites>'
    )
    assert SCHEMA.validate(etree.fromstring(valid))
    for invalid in (
        valid.replace('classname="c" ', ""),
        valid.replace("</error>", '</error><failure message="n"/>'),
        valid.replace('tests="1"', 'tests="one"'),
    ):
        assert not SCHEMA.validate(etree.fromstring(invalid)), invalid
