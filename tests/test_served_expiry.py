"""Real expiry over real HTTP: short-lived tokens, watched in real time within --expiry-wait.

An emulator served on loopback with a token lifetime of a few seconds, bent one way per case,
and the expiry scenario run against it as against a live target. A token that dies early by
more than the allowance fails RFC6749-5.1-lifetime wherever in its life it dies; one whose
expiry is kept in whole seconds passes; a wait shorter than the lifetime is partial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile
from tests.conftest import SuiteRun

pytestmark = pytest.mark.slow

STATED = 3  # expires_in in every case: early death is a refusal before 2 s


@dataclass(frozen=True)
class Case:
    behaviour: dict[str, Any]
    status: str
    message: str  # how RFC6749-5.1-lifetime's message starts
    lifetime: float = STATED + 1  # the emulator's: it states one second less
    wait: float = STATED + 3
    contains: tuple[str, ...] = field(default=())


def _dies_at(seconds: float) -> Case:
    return Case(
        {"real_lifetime_factor": seconds / (STATED + 1)},
        "failed",
        "expected acceptance until the stated lifetime of 3 s less the 1 s allowed for whole-second clocks",
        contains=("refused at an age of", "stated 3 s"),
    )


CASES = {
    # 10 % and 50 % of the stated life, and 1.3 s short of it: 0.3 s past the allowance.
    "dies at 10 %": _dies_at(0.3),
    "dies at 50 %": _dies_at(1.5),
    "dies 1.3 s early": _dies_at(1.7),
    # States all 3 s of its life, dies up to a second before: allowed.
    "whole seconds": Case(
        {"expiry_whole_seconds": True},
        "passed",
        "expired as stated (3 s, seconds): alive at",
        lifetime=STATED,
    ),
    "wait short of the lifetime": Case(
        {}, "partial", "watched 1 s of a 3 s lifetime (seconds): no violation in that window", wait=1
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_real_expiry_over_http(
    case: Case, run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = load_profile("tourpaq")
    for name in ("username", "password", "client_id", "client_secret"):
        monkeypatch.setenv(f"CONFORMANCE_{name.upper()}", getattr(profile.emulator, name))
    emulator = Emulator(profile, clock=SystemClock(show_countdown=False), lifetime=case.lifetime)
    for name, value in case.behaviour.items():
        setattr(emulator.behaviour, name, value)
    with serve(emulator.app) as url:
        run = run_suite(
            "tourpaq",
            "--conformance-url",
            url,
            "--conformance-resource-path",
            "/protected",
            "--conformance-expiry-wait",
            str(case.wait),
            "-k",
            "test_token_lives_as_long_as_expires_in_says",
            emulate=False,
        )
    row = next(r for r in run.results["requirements"] if r["id"] == "RFC6749-5.1-lifetime")
    assert (row["status"], row["message"][: len(case.message)]) == (case.status, case.message), run.output
    assert all(part in row["message"] for part in case.contains), row["message"]
