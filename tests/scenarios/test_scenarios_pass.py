"""The full suite passes against each seed profile's conformant emulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import SuiteRun

# What each profile leaves open (its documents are silent, or say the opposite): a clean run
# must not read as having checked it.
OPEN = {
    "tourpaq": {"DOC-invalidates-earlier", "DOC-keeps-earlier", "DOC-no-refresh", "RFC9700-4.14.2-rotation"},
    "daysoutguide": {
        "DOC-keeps-earlier",
        "DOC-refresh-new-pair",
        "RFC6749-6-refresh",
        "DOC-rejection-status",
    },
    "rfc6749": {
        "DOC-invalidates-earlier",
        "DOC-keeps-earlier",
        "DOC-rejection-challenge",
        "DOC-rejection-body",
    },
}


@pytest.mark.parametrize("profile", ["tourpaq", "daysoutguide", "rfc6749"])
def test_conformant_emulator_passes(run_suite: Callable[..., SuiteRun], profile: str) -> None:
    run = run_suite(profile)
    assert run.ret == 0, run.output
    assert run.failed_requirements() == set()
    summary = run.results["summary"]
    assert summary["tests"]["failed"] == 0
    assert summary["requests"] > summary["token_requests"] > 0
    assert run.results["complete"] is True
    for requirement_id in OPEN[profile]:
        assert run.status(requirement_id) == "skipped", requirement_id


@pytest.mark.slow
def test_days_out_guide_unit_contradiction_is_resolved(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("daysoutguide")
    row = next(r for r in run.results["requirements"] if r["id"] == "DOC-expires-in-unit")
    assert row["status"] == "passed"
    assert "reads as seconds" in row["message"]
    assert "documented unit milliseconds does not fit" in row["message"]


@pytest.mark.slow
def test_days_out_guide_in_milliseconds_also_fits(
    run_suite: Callable[..., SuiteRun], pytester: pytest.Pytester
) -> None:
    profile = pytester.makefile(
        ".yaml",
        dog_ms="""
        name: dogms
        extends: daysoutguide
        emulator:
          expires_in_unit: milliseconds
    """,
    )
    run = run_suite(str(profile))
    assert run.ret == 0, run.output
    row = next(r for r in run.results["requirements"] if r["id"] == "DOC-expires-in-unit")
    assert "reads as milliseconds" in row["message"]
