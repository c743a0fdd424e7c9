"""Races under real concurrency: threads over the in-process transport, and over HTTP against a
served emulator (its TokenStore's lock must hold either way)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance.checks.token_sample import Issuances
from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.client import Exchange
from conformance.clock import SystemClock
from conformance.emulator import Emulator, app
from conformance.emulator.server import serve
from conformance.emulator.state import TokenStore
from conformance.profile import load_profile
from tests.conftest import SuiteRun, emulated_client, use_emulator_credentials

ASSUMED = str(SELFTEST_PROFILE_DIR / "tourpaq-assumed.yaml")  # used refresh tokens are refused
RACES = ("-k", "test_races")


@pytest.mark.parametrize(
    ("profile", "defect", "requirement"),
    [
        (ASSUMED, "accepts-used-refresh-token", "RFC9700-4.14.2-rotation"),
        ("daysoutguide", "keeps-earlier-tokens", "DOC-invalidates-earlier"),
        (ASSUMED, "invalidates-earlier-tokens", "DOC-keeps-earlier"),
    ],
)
@pytest.mark.slow
def test_races_in_process(
    run_suite: Callable[..., SuiteRun], profile: str, defect: str, requirement: str
) -> None:
    assert run_suite(profile, *RACES).ret == 0
    caught = run_suite(profile, *RACES, "--conformance-defect", defect)
    assert caught.ret == 1 and requirement in caught.failed_requirements(), caught.output


@pytest.mark.parametrize("defect", [None, "accepts-used-refresh-token"])
@pytest.mark.slow
def test_one_refresh_token_at_once_over_http(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, defect: str | None
) -> None:
    profile = load_profile(ASSUMED)
    use_emulator_credentials(monkeypatch, profile)
    emulator = Emulator(profile, clock=SystemClock(show_countdown=False), defects=[defect] if defect else [])
    with serve(emulator.app) as url:
        run = run_suite(ASSUMED, *RACES, "--conformance-url", url, emulate=False)
    if defect is None:
        assert run.ret == 0, run.output
        row = next(r for r in run.results["requirements"] if r["id"] == "RFC9700-4.14.2-rotation")
        assert row["status"] == "passed" and "8 at once" in row["message"]
    else:
        assert run.ret == 1 and "RFC9700-4.14.2-rotation" in run.failed_requirements(), run.output
        assert "concurrent refreshes with one refresh token" in run.output


# -- judged by credentials: a grace period for concurrent refreshes is no defect ----------------
GRACE = ("--conformance-variant", "refresh-grace-pair")


def test_concurrent_refreshes_share_one_pair_on_the_grace_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "GRACE_HOLD", 1.0)  # ample time for every thread to arrive
    client, _ = emulated_client(load_profile(ASSUMED), variants=["refresh-grace-pair"])
    rt = client.password_grant("token").json["refresh_token"]
    barrier = threading.Barrier(4)

    def refresh(n: int) -> Exchange:
        barrier.wait()
        return client.refresh_grant(rt, f"token: refresh {n}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(refresh, range(4)))
    assert {(e.status, e.json["access_token"], e.json["refresh_token"]) for e in answers} == {
        (200, answers[0].json["access_token"], answers[0].json["refresh_token"])
    }
    issuances = Issuances()
    assert [f for e in client.exchanges for f in issuances.observe(e)] == []
    late = client.refresh_grant(rt, "token: once the race is over")
    assert (late.status, late.error_code) == (400, "invalid_grant")


@pytest.mark.parametrize("profile", ["tourpaq", ASSUMED])
@pytest.mark.slow
def test_the_grace_variant_passes_every_layer(run_suite: Callable[..., SuiteRun], profile: str) -> None:
    run = run_suite(profile, *GRACE)
    assert run.ret == 0, run.output
    assert run.failed_requirements() == set()
    if profile == ASSUMED:
        row = next(r for r in run.results["requirements"] if r["id"] == "RFC9700-4.14.2-rotation")
        assert row["status"] == "passed" and "refused once used" in row["message"], row
        assert "test_one_refresh_token_presented_at_once" in " ".join(row["tests"])


@pytest.mark.parametrize("defect", ["accepts-used-refresh-token", "repeated-tokens"])
@pytest.mark.slow
def test_the_grace_variant_hides_no_defect(run_suite: Callable[..., SuiteRun], defect: str) -> None:
    expected = {
        "accepts-used-refresh-token": "RFC9700-4.14.2-rotation",
        "repeated-tokens": "RFC6749-10.10-unique",
    }
    run = run_suite(ASSUMED, *GRACE, "--conformance-defect", defect)
    assert run.ret == 1 and expected[defect] in run.failed_requirements(), run.output


@pytest.mark.slow
def test_a_used_refresh_token_answering_its_pair_forever_fails_rotation(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The grace period never closes: the same pair again at once is no verdict, but after any
    # grace period a deployed server uses it is one.
    monkeypatch.setattr(TokenStore, "close_grace", lambda self, token: None)
    run = run_suite(ASSUMED, *GRACE, "-k", "test_one_refresh_token_presented_at_once")
    assert run.ret == 1
    assert "RFC9700-4.14.2-rotation" in run.failed_requirements(), run.output
    assert "refused once any grace period is over" in run.output
    assert "60 s later (past any grace period)" in run.output


@pytest.mark.slow
def test_over_http_the_pair_again_is_checked_only_in_part(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A live clock is not moved past a grace period: the same pair again is reported as partly
    # checked (no second pair), never as passed. Delivered again to the same refresh token, it is
    # the one issuance re-delivered, not a second one (RFC 6749 §10.10 holds).
    monkeypatch.setattr(TokenStore, "close_grace", lambda self, token: None)
    profile = load_profile(ASSUMED)
    use_emulator_credentials(monkeypatch, profile)
    emulator = Emulator(profile, clock=SystemClock(show_countdown=False), variants=["refresh-grace-pair"])
    with serve(emulator.app) as url:
        run = run_suite(
            ASSUMED, "-k", "test_one_refresh_token_presented_at_once", "--conformance-url", url, emulate=False
        )
    assert run.status("RFC9700-4.14.2-rotation") == "partial", run.output
    row = next(r for r in run.results["requirements"] if r["id"] == "RFC9700-4.14.2-rotation")
    assert "returned the pair it had bought" in row["message"] and "not watched" in row["message"]
    assert run.failed_requirements() == set()
