"""Races under real concurrency: threads over the in-process transport, and over HTTP against a
served emulator (its TokenStore's lock must hold either way)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile
from conformance.selftest import SELFTEST_PROFILE_DIR
from tests.conftest import SuiteRun

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
def test_races_in_process(
    run_suite: Callable[..., SuiteRun], profile: str, defect: str, requirement: str
) -> None:
    assert run_suite(profile, *RACES).ret == 0
    caught = run_suite(profile, *RACES, "--conformance-defect", defect)
    assert caught.ret == 1 and requirement in caught.failed_requirements(), caught.output


@pytest.mark.parametrize("defect", [None, "accepts-used-refresh-token"])
def test_one_refresh_token_at_once_over_http(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, defect: str | None
) -> None:
    profile = load_profile(ASSUMED)
    settings = profile.emulator
    for name, value in (
        ("CLIENT_ID", settings.client_id),
        ("CLIENT_SECRET", settings.client_secret),
        ("USERNAME", settings.username),
        ("PASSWORD", settings.password),
    ):
        monkeypatch.setenv(f"CONFORMANCE_{name}", value)
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
