"""Token lifetime: the unit of expires_in, the documented lifespan, and real expiry.

Against the emulator the clock is moved; against a live target the suite waits in real time,
within --expiry-wait. Each reading of expires_in is tested from the shortest up, by the rules
of `conformance.engine.liveness` on the ages the run measured: the token must live until that
reading's lifetime less ALLOWANCE and be refused once it is past it by more than ALLOWANCE
(`conformance.engine.expiry_watch` schedules the checks). When the documentation contradicts itself,
the reading the evidence supports is reported; the run fails only when no reading fits.

expires_in is checked whenever the token response carries it, documented or not: RFC 6749
§5.1 defines it, in seconds (the unit every profile inherits from the generic one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from conformance.engine.expiry_watch import Sighting, Watcher
from conformance.engine.findings import Finding
from conformance.engine.liveness import (
    ALLOWANCE,
    ALLOWANCE_WHY,
    describe_refusal,
    refusal_is_early,
    seconds,
)
from conformance.engine.scenario import IssuedToken, Scenario
from conformance.profile.model import UNIT_FACTORS
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749, rfc6750

requirement = pytest.mark.requirement


@dataclass(frozen=True, slots=True)
class _Watched:
    """What watching the token showed."""

    kept: str | None = None  # the reading whose lifetime the token kept, its end bracketed
    evidence: str = ""  # the bracket, when a reading was kept
    covered: str | None = None  # what was covered, when the watch could not be completed
    died_early: bool = False  # refused before a reading ran out: its life, not its unit, is at fault


def _readings(conformance: Scenario, expires_in: int) -> list[tuple[str, float]]:
    units = conformance.profile.expiry.readings
    return sorted(((u, expires_in * UNIT_FACTORS[u]) for u in units), key=lambda r: r[1])


def _bracket(alive: Sighting | None, dead: Sighting) -> str:
    seen = f"alive at an age of {alive.age}, " if alive is not None else ""
    return f"{seen}refused at {dead.age}"


def _watched_part(watcher: Watcher, lifetime: float, unit: str) -> str:
    last = watcher.sightings[-1].age.high if watcher.sightings else 0.0
    span = min(watcher.budget, last)
    return f"watched {round(span, 2):g} s of a {seconds(lifetime)} lifetime ({unit})"


def _observe(conformance: Scenario, token: IssuedToken, readings: list[tuple[str, float]]) -> _Watched:
    """Watch the token against each reading, from the shortest up."""
    watcher = Watcher(
        conformance.client, conformance.clock, token.access_token, token.exchange, conformance.wait_budget
    )
    outlived: str | None = None
    for unit, lifetime in readings:
        label = f"{unit}: {seconds(lifetime)}"
        ended = watcher.approach(lifetime, label)
        if ended is not None and not ended.refused:
            return _Watched(
                covered=f"{_watched_part(watcher, lifetime, unit)}; then {ended.exchange.summary()}"
            )
        if ended is not None and refusal_is_early(ended.age, (lifetime,)):
            if outlived is not None:
                # The ledger forgives a refusal after the shortest reading; this one came after
                # the token had outlived that reading, so no reading is left to explain it.
                conformance.expect(
                    [
                        Finding(
                            rfc6749.LIFETIME_AS_STATED,
                            f"a lifetime matching one reading of expires_in: it outlived the {outlived} "
                            f"reading, so acceptance until {seconds(lifetime)} ({unit}) less the "
                            f"{ALLOWANCE_WHY}",
                            f"HTTP {ended.exchange.status}: {describe_refusal(ended.age, (lifetime,))}",
                            ended.exchange,
                        )
                    ]
                )
            return _Watched(died_early=True)  # the ledger reports it against the shortest reading
        if ended is not None:
            # Refused by the check closest to the limit, which took longer than planned: dead
            # within the allowance, as stated.
            return _Watched(unit, _bracket(watcher.last_alive, ended))
        if not watcher.reached(lifetime):
            return _Watched(covered=f"{_watched_part(watcher, lifetime, unit)}: no violation in that window")
        after = watcher.after(lifetime, label)
        if after is None:
            alive = watcher.last_alive
            assert alive is not None
            return _Watched(
                covered=f"{_watched_part(watcher, lifetime, unit)}: alive at an age of {alive.age}, "
                f"no violation in that window; its end not watched (--expiry-wait)"
            )
        if after.refused:
            return _Watched(unit, _bracket(watcher.last_alive, after))
        if not after.accepted:
            return _Watched(
                covered=f"{_watched_part(watcher, lifetime, unit)}; then {after.exchange.summary()}"
            )
        outlived = unit  # late under this reading: the ledger reports it if it is the longest
    return _Watched()


@requirement(
    rfc6749.LIFETIME_AS_STATED,
    provider.EXPIRES_IN_UNIT,
    provider.NOMINAL_LIFETIME,
    rfc6750.SHORT_LIVED,
    rfc6750.REJECTS_BAD_TOKEN,
)
def test_token_lives_as_long_as_expires_in_says(conformance: Scenario, grant: str) -> None:
    profile, expiry = conformance.profile, conformance.profile.expiry
    documented = "expires_in" in profile.response_fields
    token = conformance.obtain_token(f"token: {grant} grant, a token to watch expire")
    expires_in = token.expires_in
    if isinstance(expires_in, str) and expires_in.isdigit() and int(expires_in) > 0:
        # A number sent as a string fails RFC6749-5.1-expires-in, once; the lifetime it states is
        # still read, so that what else the token does is judged on its own evidence.
        expires_in = int(expires_in)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
        if documented:
            conformance.stop(f"expires_in is not a positive integer ({expires_in!r}): no lifetime to check")
        conformance.requires(
            False,
            f"the token response carries no expires_in ({expires_in!r}), and the documentation "
            f"promises none ({profile.source_of('token_response')}): no stated lifetime to check",
        )
    readings = _readings(conformance, expires_in)
    watched = _Watched()
    can_watch = conformance.wait_budget > 0
    if conformance.client.target.resource_path is not None and can_watch:
        watched = _observe(conformance, token, readings)
        if watched.kept is not None:
            lifetime = dict(readings)[watched.kept]
            conformance.log.held(
                rfc6749.LIFETIME_AS_STATED,
                f"expired as stated ({seconds(lifetime)}, {watched.kept}): {watched.evidence}; "
                f"{ALLOWANCE_WHY}",
            )
            conformance.log.held(rfc6750.REJECTS_BAD_TOKEN, "expired token refused")
        elif watched.covered is not None:
            conformance.log.partial(rfc6749.LIFETIME_AS_STATED, watched.covered)
        elif watched.died_early:
            # Cut short, the lifetime says nothing of the unit: RFC6749-5.1-lifetime carries it.
            conformance.log.not_checked(
                provider.EXPIRES_IN_UNIT, "the token died before its stated lifetime: no unit to read"
            )
        elif documented:
            span = ", ".join(f"{u}: {seconds(s)}" for u, s in readings)
            conformance.expect(
                [
                    Finding(
                        provider.EXPIRES_IN_UNIT,
                        f"a lifetime matching one reading of expires_in {expires_in} ({span})",
                        "the token's real lifetime matches none (see the exchanges)",
                        token.exchange,
                    )
                ]
            )
    else:
        why = (
            "no protected resource to test with"
            if conformance.client.target.resource_path is None
            else "--expiry-wait is 0 on a live target"
        )
        conformance.log.not_checked(rfc6749.LIFETIME_AS_STATED, f"real expiry not watched: {why}")

    observed = watched.kept
    nominal = expiry.nominal_lifetime
    if observed is not None:
        reading, evidence = observed, "the observed lifetime"
    elif isinstance(nominal, int):
        reading = min(readings, key=lambda r: abs(math.log(r[1] / nominal)))[0]
        evidence = f"the documented lifespan of {seconds(nominal)} (lifetime not observed)"
    else:
        reading, evidence = expiry.unit, "the documented unit (nothing to weigh it against)"
    if _lifetime_failed(conformance, watched):
        # What the documentation's figures say is not weighed against a lifetime that failed. Only
        # the lifetime's own evidence counts: another finding (a missing header, say) is no reason.
        conformance.log.stopped = "the observed lifetime failed: the documented figures were not weighed"
        return
    lifetime = dict(readings)[reading]
    if documented:
        _judge_documentation(conformance, token, expires_in, reading, evidence, lifetime)
    else:
        why = f"expires_in is not documented ({profile.source_of('token_response')})"
        conformance.log.not_checked(provider.EXPIRES_IN_UNIT, why)
        conformance.log.not_checked(provider.NOMINAL_LIFETIME, why)
    if lifetime > 3600:
        conformance.expect(
            [
                Finding(
                    rfc6750.SHORT_LIVED,
                    "a lifetime of one hour or less",
                    f"{seconds(lifetime)}",
                    token.exchange,
                )
            ]
        )
    else:
        conformance.log.held(rfc6750.SHORT_LIVED)


def _lifetime_failed(conformance: Scenario, watched: _Watched) -> bool:
    """Whether watching the token showed its lifetime wrong (early death, or no reading fits)."""
    lifetime = (rfc6749.LIFETIME_AS_STATED.id, provider.EXPIRES_IN_UNIT.id)
    return watched.died_early or any(f.requirement.id in lifetime for f in conformance.log.failures)


def _judge_documentation(
    conformance: Scenario, token: IssuedToken, expires_in: int, reading: str, evidence: str, lifetime: float
) -> None:
    expiry = conformance.profile.expiry
    contradiction = conformance.profile.contradiction_for("expiry.unit")
    note = f"expires_in {expires_in} reads as {reading}, from {evidence}"
    if reading != expiry.unit:
        note += f"; the documented unit {expiry.unit} does not fit"
        if contradiction is not None:
            note += f" (the documentation contradicts itself: {contradiction.evidence})"
    conformance.log.held(provider.EXPIRES_IN_UNIT, note)
    nominal = expiry.nominal_lifetime
    # The documented lifespan is a round figure; expires_in may state it a second short.
    if isinstance(nominal, int) and abs(lifetime - nominal) > ALLOWANCE:
        conformance.expect(
            [
                Finding(
                    provider.NOMINAL_LIFETIME,
                    f"a lifetime of {seconds(nominal)} ({expiry.source})",
                    f"expires_in {expires_in} = {seconds(lifetime)} read as {reading}",
                    token.exchange,
                )
            ]
        )
    else:
        conformance.log.held(provider.NOMINAL_LIFETIME, note)
