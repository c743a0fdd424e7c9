"""The expiry watch catches early death at any fraction of a token's life, on the emulator's
moved clock (no waiting), and lets whole-second clocks and `lifetime - 1` pass."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from starlette.requests import Request

from conformance.client import ConformanceClient
from conformance.emulator import Emulator
from conformance.emulator.behaviour import Reply
from conformance.engine.expiry_watch import Watcher
from conformance.engine.findings import Finding
from conformance.engine.ledger import TokenLedger
from conformance.engine.liveness import ALLOWANCE
from conformance.profile import load_profile
from tests.conftest import SuiteRun, emulated_client

LIFETIME = 1800.0  # the Tourpaq emulator's; it states expires_in 1799
STATED = 1799.0


def _watched(**behaviour: Any) -> tuple[Watcher, list[Finding], Emulator]:
    """A fresh Tourpaq token under a watcher, with a ledger judging every exchange."""
    profile = load_profile("tourpaq")
    client, emulator = emulated_client(profile)
    for name, value in behaviour.items():
        setattr(emulator.behaviour, name, value)
    ledger = TokenLedger(profile, client.clock)
    findings: list[Finding] = []
    client.listeners.append(lambda exchange: findings.extend(ledger.observe(exchange)))
    return _watch(client, emulator, findings)


def _watch(
    client: ConformanceClient, emulator: Emulator, findings: list[Finding]
) -> tuple[Watcher, list[Finding], Emulator]:
    issued = client.password_grant("token: to watch")
    token = issued.json["access_token"]
    return Watcher(client, client.clock, token, issued, math.inf), findings, emulator


def _ids(findings: list[Finding]) -> list[str]:
    return [f.requirement.id for f in findings]


@pytest.mark.parametrize(
    "dies_at",
    [
        0.1 * LIFETIME,
        0.5 * LIFETIME,
        0.9 * LIFETIME,
        0.99 * LIFETIME,
        STATED - ALLOWANCE - 0.05,  # early by 50 ms more than the allowance
    ],
)
def test_early_death_is_caught_wherever_it_happens(dies_at: float) -> None:
    watcher, findings, _ = _watched(real_lifetime_factor=dies_at / LIFETIME)
    refused = watcher.approach(STATED, "seconds")
    assert refused is not None and refused.refused
    assert _ids(findings) == ["RFC6749-5.1-lifetime"]
    assert "refused at an age of" in findings[0].got and "stated 1799 s" in findings[0].got
    # Closing in by halves: a couple of dozen requests at most for a 30-minute token.
    assert len(watcher.sightings) <= 20


@pytest.mark.parametrize("dies_at", [STATED - ALLOWANCE + 0.05, STATED, LIFETIME])
def test_death_within_the_allowance_passes(dies_at: float) -> None:
    watcher, findings, _ = _watched(real_lifetime_factor=dies_at / LIFETIME)
    assert watcher.approach(STATED, "seconds") is None
    after = watcher.after(STATED, "seconds")
    assert after is not None and after.refused
    assert findings == []


def test_a_token_outliving_its_life_by_more_than_the_allowance_is_late() -> None:
    watcher, findings, _ = _watched(real_lifetime_factor=(STATED + ALLOWANCE + 0.05) / LIFETIME)
    assert watcher.approach(STATED, "seconds") is None
    after = watcher.after(STATED, "seconds")
    assert after is not None and after.accepted
    assert _ids(findings) == ["RFC6749-5.1-lifetime"]
    assert "accepted at an age of" in findings[0].got


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.49, 0.99])
def test_whole_second_expiry_passes(fraction: float) -> None:
    profile = load_profile("tourpaq")
    client, emulator = emulated_client(profile)
    emulator.behaviour.expiry_whole_seconds = True
    client.clock.advance(fraction)  # issued further into a second: it dies that much earlier
    ledger = TokenLedger(profile, client.clock)
    findings: list[Finding] = []
    client.listeners.append(lambda exchange: findings.extend(ledger.observe(exchange)))
    watcher, _, _ = _watch(client, emulator, findings)
    assert watcher.issued.json["expires_in"] == LIFETIME  # it states its whole lifetime
    assert watcher.approach(LIFETIME, "seconds") is None
    after = watcher.after(LIFETIME, "seconds")
    assert after is not None and after.refused
    assert findings == []


def test_whole_second_expiry_does_kill_early() -> None:
    """The switch bites from the first token: the moved clock starts half past a second."""
    profile = load_profile("tourpaq")
    client, emulator = emulated_client(profile)
    emulator.behaviour.expiry_whole_seconds = True
    issued = client.password_grant("token")
    assert issued.started_at % 1 == 0.5
    client.clock.advance(LIFETIME - 0.4)  # alive by issued_at + lifetime, dead by its whole second
    assert client.call_resource(issued.json["access_token"], "resource").status == 401


def test_slow_exchanges_widen_the_margin_and_still_catch_early_death() -> None:
    """Each exchange takes 50 ms on the moved clock: the last check keeps clear of the limit."""
    profile = load_profile("tourpaq")
    client, emulator = emulated_client(profile)
    emulator.behaviour.real_lifetime_factor = (STATED - ALLOWANCE - 0.15) / LIFETIME

    async def takes_time(kind: str, request: Request, pairs: list[tuple[str, str]]) -> Reply | None:
        client.clock.advance(0.05)  # the request travels to the server
        return None

    emulator.behaviour.request_hooks.append(takes_time)
    ledger = TokenLedger(profile, client.clock)
    findings: list[Finding] = []
    client.listeners.append(lambda exchange: findings.extend(ledger.observe(exchange)))
    watcher, _, _ = _watch(client, emulator, findings)
    assert watcher.margin == pytest.approx(0.1)
    refused = watcher.approach(STATED, "seconds")
    assert refused is not None and refused.age.high < STATED - ALLOWANCE
    assert _ids(findings) == ["RFC6749-5.1-lifetime"]


def test_a_lifetime_within_the_allowance_has_no_early_side_to_watch() -> None:
    """expires_in 2 read as milliseconds: nothing can be early, only late."""
    watcher, _, _ = _watched()
    assert watcher.approach(0.002, "milliseconds") is None and watcher.sightings == []
    assert watcher.reached(0.002)
    after = watcher.after(0.002, "milliseconds")
    assert after is not None and after.accepted and after.age.low > 0.002 + ALLOWANCE


def test_a_budget_short_of_the_lifetime_costs_one_look() -> None:
    watcher, findings, _ = _watched()
    watcher.budget = 6.0
    assert watcher.approach(STATED, "seconds") is None
    assert [round(s.age.high, 2) for s in watcher.sightings] == [6.0]
    assert not watcher.reached(STATED) and watcher.after(STATED, "seconds") is None
    assert findings == []


def test_an_undocumented_expires_in_is_still_checked(run_suite: Callable[..., SuiteRun]) -> None:
    """The generic profile does not document expires_in; its emulator sends it all the same."""
    conformant = run_suite("rfc6749", "-k", "test_token_lives_as_long_as_expires_in_says")
    assert conformant.status("RFC6749-5.1-lifetime") == "passed"
    dies_early = run_suite(
        "rfc6749",
        "--conformance-defect",
        "token-dies-early",
        "-k",
        "test_token_lives_as_long_as_expires_in_says",
    )
    assert dies_early.status("RFC6749-5.1-lifetime") == "failed"
