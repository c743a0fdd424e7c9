"""Each deviation named by issue 2 makes the run fail and names the right requirement."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.engine.search import LIVE
from tests.conftest import SuiteRun

CASES = [
    ("tourpaq", "no-token-type", "RFC6749-5.1-token-type"),
    ("daysoutguide", "no-token-type", "RFC6749-5.1-token-type"),
    ("tourpaq", "expires-in-string", "RFC6749-5.1-expires-in"),
    ("daysoutguide", "expires-in-string", "RFC6749-5.1-expires-in"),
    ("tourpaq", "token-outlives-expiry", "RFC6749-5.1-lifetime"),
    ("daysoutguide", "token-outlives-expiry", "DOC-expires-in-unit"),
    ("daysoutguide", "token-outlives-expiry", "RFC6749-5.1-lifetime"),
    ("tourpaq", "token-outlives-expiry", "DOC-expires-in-unit"),
    ("tourpaq", "accepts-wrong-password", "RFC6749-4.3-invalid-grant"),
    ("daysoutguide", "accepts-wrong-password", "RFC6749-4.3-invalid-grant"),
    ("daysoutguide", "keeps-earlier-tokens", "DOC-invalidates-earlier"),
]


@pytest.mark.parametrize(("profile", "defect", "requirement"), CASES)
@pytest.mark.slow
def test_deviation_fails_the_run(
    run_suite: Callable[..., SuiteRun], profile: str, defect: str, requirement: str
) -> None:
    # Searches on the live budget (no shrinking): the scripted scenarios name these deviations,
    # and a search that meets one would spend seconds shrinking what they already show.
    run = run_suite(profile, "--conformance-defect", defect, "--hypothesis-profile", LIVE)
    assert run.ret == 1, run.output
    assert requirement in run.failed_requirements()
    assert requirement in run.output  # the terminal names it too
    assert "Traceback" not in run.output


def test_failure_explains_itself(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("tourpaq", "--conformance-defect", "expires-in-string")
    output = run.output
    assert "RFC6749-5.1-expires-in [MUST, RFC 6749 §5.1, Appendix A.14]" in output
    assert "expected: expires_in: type 'integer'" in output
    assert "got:      expires_in is '1799' (str)" in output
    # Sent to the in-process emulator: the request to read, and the command that replays it.
    assert "request:  curl -sS -i -X POST http://emulator.conformance/api/token" in output
    assert "replay:   conformance replay " in output
