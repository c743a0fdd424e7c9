"""A run with a token budget obtains no more tokens than it may, and judges as a run without one.

Each profile's emulator answers as its documents say (in process, its state kept from one test
to the next, as a live server's is). A budget never makes a run incomplete: what a test could
not buy a token for is `partial` or `not checked`, saying that the budget is why. On Days Out
Guide, where every token logs the account's other sessions out, the verdicts are the same as a
run that obtains tokens freely; a defect is caught as it is without a budget.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.clock import SystemClock
from conformance.config.forecast import forecast
from conformance.config.options import LIVE_MAX_REQUESTS
from conformance.config.safety import plan
from conformance.config.settings import live_token_budget
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile
from tests.conftest import SuiteRun, settings_for, use_emulator_credentials

STATUS_RANK = {"skipped": 0, "partial": 1, "passed": 2, "warned": 3, "failed": 4}


def _statuses(run: SuiteRun) -> dict[str, tuple[str, str]]:
    return {r["id"]: (r["status"], r["message"]) for r in run.results["requirements"]}


@pytest.fixture(scope="module")
def unlimited() -> dict[str, dict[str, tuple[str, str]]]:
    return {}  # profile -> the statuses of its run without a token budget (filled on first use)


@pytest.mark.parametrize("profile", ["tourpaq", "daysoutguide", "machine"])
@pytest.mark.parametrize("tokens", [3, 10])
def test_the_token_budget_holds_and_what_it_cuts_says_so(
    run_suite: Callable[..., SuiteRun],
    unlimited: dict[str, dict[str, tuple[str, str]]],
    profile: str,
    tokens: int,
) -> None:
    if profile not in unlimited:
        free = run_suite(profile)
        assert free.ret == 0, free.output
        unlimited[profile] = _statuses(free)
    run = run_suite(profile, "--conformance-max-tokens", str(tokens))
    assert run.ret == 0, run.output  # never incomplete, never a false failure
    summary = run.results["summary"]
    # A conforming server issues a token to no request it must refuse: every token was asked for.
    assert 0 < summary["tokens_asked"] == summary["tokens_issued"] <= tokens, summary
    assert summary["not_established"] == 0
    for requirement_id, (status, message) in _statuses(run).items():
        before, _ = unlimited[profile][requirement_id]
        if STATUS_RANK[status] < STATUS_RANK[before]:
            # Less was judged than without a budget: the budget says so, and nothing is made up.
            assert any(why in message for why in ("--max-tokens", "token budget", "key cases only")), (
                requirement_id,
                before,
                message,
            )


def test_an_invalidating_profile_is_judged_as_before_on_its_live_budget(
    run_suite: Callable[..., SuiteRun],
) -> None:
    """Days Out Guide on the live default of tokens: every requirement as without a budget, or
    partial saying the budget is why."""
    tokens = live_token_budget("daysoutguide")
    # Each run's results read at once: the next run writes the same report directory.
    free = {r["id"]: r["status"] for r in run_suite("daysoutguide").results["requirements"]}
    frugal = run_suite("daysoutguide", "--conformance-max-tokens", str(tokens)).results
    for row in frugal["requirements"]:
        if row["status"] != free[row["id"]]:
            assert row["status"] == "partial" and free[row["id"]] == "passed", row
            assert "token budget" in row["message"] or "--max-tokens" in row["message"], row
    assert frugal["summary"]["tokens_asked"] <= tokens


@pytest.mark.parametrize(
    ("profile", "defect", "requirement"),
    [
        ("daysoutguide", "keeps-earlier-tokens", "DOC-invalidates-earlier"),
        ("tourpaq", "refresh-not-rotated", "DOC-refresh-new-pair"),
        ("tourpaq", "refresh-token-any-client", "RFC6749-6-client-binding"),
        # The expired pair is the oldest the run holds: its wait overlapped the other scenarios.
        ("tourpaq", "expired-token-accepted-after-refresh", "RFC6749-5.1-lifetime"),
    ],
)
def test_a_defect_is_caught_on_a_budget(
    run_suite: Callable[..., SuiteRun], profile: str, defect: str, requirement: str
) -> None:
    run = run_suite(profile, "--conformance-max-tokens", "10", "--conformance-defect", defect)
    assert run.ret == 1, run.output
    assert run.status(requirement) in ("failed", "warned"), run.output
    assert run.results["summary"]["tokens_asked"] <= 10


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["daysoutguide", "tourpaq"])
def test_the_plan_counts_what_the_run_then_sends(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    """The plan a person confirms before a live run, its figures from the run's own dry run,
    against what the run then sends to a server that behaves as documented: within 10 %."""
    spec = load_profile(profile)
    use_emulator_credentials(monkeypatch, spec)
    with serve(Emulator(spec, clock=SystemClock(show_countdown=False)).app) as url:
        settings = settings_for(
            profile,
            url=url,
            emulate=False,
            resource_path="/protected",
            max_requests=LIVE_MAX_REQUESTS,
            max_tokens=live_token_budget(profile),
        )
        expected = forecast(settings)
        assert expected is not None
        plan_text = plan(spec, settings, expected)
        run = run_suite(
            profile,
            "--conformance-resource-path=/protected",
            f"--conformance-max-requests={LIVE_MAX_REQUESTS}",
            f"--conformance-max-tokens={live_token_budget(profile)}",
            url=url,
        ).results["summary"]
    assert (
        f"sends {expected.requests} requests ({expected.token_requests} to the token endpoint)" in plan_text
    )
    assert f"obtains {expected.tokens_issued} access tokens" in plan_text
    for key, predicted in (
        ("requests", expected.requests),
        ("token_requests", expected.token_requests),
        ("tokens_issued", expected.tokens_issued),
    ):
        assert abs(run[key] - predicted) <= 0.1 * run[key], (key, predicted, run[key])
    # At the live defaults the run keeps at least a third of its request budget.
    assert run["requests"] <= LIVE_MAX_REQUESTS * 2 / 3
    assert run["tokens_asked"] <= live_token_budget(profile)


@pytest.mark.slow
def test_overlapped_waits_judge_an_invalidating_profile_as_waiting_in_turn(
    run_suite: Callable[..., SuiteRun], pytester: pytest.Pytester
) -> None:
    """Tourpaq with refresh and introspection, where a new token invalidates the earlier ones: the
    scenarios that let a token expire take the run's oldest (frugal) or a fresh one each (not):
    the same verdicts."""
    profile = pytester.path / "invalidating.yaml"
    profile.write_text(
        "name: invalidating\nextends: tourpaq\ninvalidation:\n  new_token_invalidates_earlier: true\n"
        "  source: a test profile\n",
        encoding="utf-8",
    )
    free = run_suite(str(profile)).results
    # A budget that never binds: only the lending and the overlapped waits differ.
    frugal = run_suite(str(profile), "--conformance-max-tokens", "100").results
    assert free["summary"]["exit_code"] == 0, free["summary"]
    assert {r["id"]: r["status"] for r in frugal["requirements"]} == {
        r["id"]: r["status"] for r in free["requirements"]
    }
