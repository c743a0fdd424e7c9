"""The property layer alone (scripted scenarios deselected) passes against each conformant
emulator and catches each deviation issue 4 names, the shrunk example in the report."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import SuiteRun

PROPERTY_MODULES = ("test_properties", "test_lifecycle", "test_races", "test_schemathesis")
PROPERTY_LAYER = ("-k", " or ".join(PROPERTY_MODULES), "--hypothesis-profile", "conformance-ci")


def _only_property_tests(run: SuiteRun) -> None:
    ran = {test for row in run.results["requirements"] for test in row["tests"]}
    assert ran, run.output
    assert all(any(f"{module}.py" in test for module in PROPERTY_MODULES) for test in ran), ran


@pytest.mark.parametrize("profile", ["tourpaq", "daysoutguide"])
def test_property_layer_passes_against_the_conformant_emulator(
    run_suite: Callable[..., SuiteRun], profile: str
) -> None:
    # Its time is measured in benchmarks/suite_time.py, never asserted here.
    run = run_suite(profile, *PROPERTY_LAYER)
    assert run.ret == 0, run.output
    assert run.failed_requirements() == set()
    _only_property_tests(run)


CAUGHT = [
    ("tourpaq", "500-on-non-ascii", "RFC6749-5.2-error"),
    ("daysoutguide", "500-on-non-ascii", "RFC6749-5.2-error"),
    ("tourpaq", "500-on-long-parameter", "RFC6749-5.2-error"),
    ("tourpaq", "accepts-near-miss-secret", "RFC6749-4.3-client-auth"),
    ("tourpaq", "expired-token-accepted-after-refresh", "RFC6749-5.1-lifetime"),
    ("daysoutguide", "keeps-earlier-tokens", "DOC-invalidates-earlier"),
    ("tourpaq", "sequential-tokens", "RFC6749-10.10-guessing"),
    ("daysoutguide", "sequential-tokens", "RFC6749-10.10-guessing"),
]


@pytest.mark.parametrize(("profile", "defect", "requirement"), CAUGHT)
@pytest.mark.slow
def test_property_layer_alone_catches(
    run_suite: Callable[..., SuiteRun], profile: str, defect: str, requirement: str
) -> None:
    run = run_suite(profile, "--conformance-defect", defect, *PROPERTY_LAYER, reports=True)
    assert run.ret == 1, run.output
    assert requirement in run.failed_requirements(), run.output
    _only_property_tests(run)
    assert "Traceback" not in run.output
    if defect != "sequential-tokens":  # a sample statistic, not a search: nothing to shrink
        report = (run.report_dir / "report.html").read_text(encoding="utf-8")
        assert "minimal example:" in report and "minimal example:" in run.output
        assert "--hypothesis-seed" in report


def test_shrunk_lifecycle_transcript(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("daysoutguide", "--conformance-defect", "keeps-earlier-tokens", "-k", "test_lifecycle")
    out = run.output
    assert "token lifecycle: 1 counterexample" in out
    assert "1. request a token -> HTTP 200: A1 (expires_in 86399)" in out
    assert "expected refused: a later token request invalidates it (003" in out


def test_same_seed_same_counterexample(run_suite: Callable[..., SuiteRun]) -> None:
    args = ("--conformance-defect", "accepts-near-miss-secret", "-k", "test_properties")
    first = run_suite(
        "tourpaq", *args, "--hypothesis-profile", "conformance-dev", "--hypothesis-seed", "12345"
    )
    second = run_suite(
        "tourpaq", *args, "--hypothesis-profile", "conformance-dev", "--hypothesis-seed", "12345"
    )

    def minimal(run: SuiteRun) -> str:
        return run.output.split("minimal example:", 1)[1].split("\n\n", 1)[0]

    assert "seed 12345: replay the run with the same `--seed`" in first.output
    assert "`--hypothesis-seed 12345`" in first.output
    assert minimal(first) == minimal(second)
