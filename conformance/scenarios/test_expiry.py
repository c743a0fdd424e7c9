"""Token lifetime: the unit of expires_in, the documented lifespan, and real expiry.

Against the emulator the clock is moved; against a live target the suite waits in real time,
within --expiry-wait. Each documented reading of expires_in is tested from the shortest up:
the token must live until that reading's lifetime and die right after it, or that reading is
false. When the documentation contradicts itself, the reading the evidence supports is
reported; the run fails only when no reading fits.
"""

from __future__ import annotations

import math

import pytest

from conformance.findings import Finding
from conformance.ledger import tolerance
from conformance.profile.model import UNIT_FACTORS
from conformance.requirements import provider, rfc6749, rfc6750
from conformance.scenario import IssuedToken, Scenario

requirement = pytest.mark.requirement


def _describe(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds:g} s ({seconds / 3600:.1f} h)"
    return f"{seconds:g} s"


def _readings(conformance: Scenario, expires_in: int) -> list[tuple[str, float]]:
    units = conformance.profile.expiry.readings
    return sorted(((u, expires_in * UNIT_FACTORS[u]) for u in units), key=lambda r: r[1])


def _observe(
    conformance: Scenario, token: IssuedToken, readings: list[tuple[str, float]]
) -> tuple[str | None, bool]:
    """Watch the token against each reading: (the unit whose lifetime it kept, or None;
    whether every reading could be watched within the budget)."""
    clock, client = conformance.clock, conformance.client
    issued_at = token.exchange.started_at
    budget = conformance.wait_budget

    def wait_until(age: float) -> None:
        delay = issued_at + age - clock.now()
        if delay > 0:
            clock.advance(delay)

    outlived: str | None = None
    for unit, lifetime in readings:
        slack = tolerance(lifetime)
        if lifetime + slack > budget:
            wait_until(budget)
            alive = client.call_resource(
                token.access_token, f"resource: token after {budget:g} s (expiry wait)"
            )
            if alive.ok:
                conformance.log.not_checked(
                    rfc6749.LIFETIME_AS_STATED,
                    f"stayed valid for the {budget:g} s of --expiry-wait; the {unit} reading "
                    f"({_describe(lifetime)}) is longer",
                )
            return None, False
        wait_until(max(0.0, lifetime - slack))
        before = client.call_resource(
            token.access_token, f"resource: token just before {_describe(lifetime)} ({unit})"
        )
        if not before.ok:
            if outlived is not None:
                # The ledger forgives a refusal after the shortest reading; this one came after
                # the token had outlived that reading, so no reading is left to explain it.
                conformance.expect(
                    [
                        Finding(
                            rfc6749.LIFETIME_AS_STATED,
                            f"a lifetime matching one reading of expires_in: it outlived the {outlived} "
                            f"reading, so acceptance until {_describe(lifetime)} ({unit})",
                            f"HTTP {before.status}: refused before {_describe(lifetime)}",
                            before,
                        )
                    ]
                )
            return None, True  # died early; the ledger reports it against the shortest reading
        wait_until(lifetime + slack)
        after = client.call_resource(
            token.access_token, f"resource: token just after {_describe(lifetime)} ({unit})"
        )
        if after.status is not None and 400 <= after.status < 500:
            return unit, True
        if after.ok:
            outlived = unit
    return None, True


@requirement(
    rfc6749.LIFETIME_AS_STATED.id,
    provider.EXPIRES_IN_UNIT.id,
    provider.NOMINAL_LIFETIME.id,
    rfc6750.SHORT_LIVED.id,
    rfc6750.REJECTS_BAD_TOKEN.id,
)
def test_token_lives_as_long_as_expires_in_says(conformance: Scenario) -> None:
    profile, expiry = conformance.profile, conformance.profile.expiry
    conformance.requires(
        "expires_in" in profile.response_fields,
        f"expires_in is not documented ({profile.source_of('token_response')})",
    )
    token = conformance.obtain_token("token: token to watch expire")
    expires_in = token.expires_in
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
        conformance.stop(f"expires_in is not a positive integer ({expires_in!r}): no lifetime to check")
    readings = _readings(conformance, expires_in)
    observed: str | None = None
    can_watch = conformance.wait_budget > 0
    if conformance.client.target.resource_path is not None and can_watch:
        observed, watched_all = _observe(conformance, token, readings)
        if observed is None and watched_all:
            span = ", ".join(f"{u}: {_describe(s)}" for u, s in readings)
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
        elif observed is not None:
            conformance.log.held(
                rfc6749.LIFETIME_AS_STATED, f"expired at {_describe(dict(readings)[observed])} as stated"
            )
            conformance.log.held(rfc6750.REJECTS_BAD_TOKEN, "expired token refused")
    else:
        why = (
            "no protected resource to test with"
            if conformance.client.target.resource_path is None
            else "--expiry-wait is 0 on a live target"
        )
        conformance.log.not_checked(rfc6749.LIFETIME_AS_STATED, f"real expiry not watched: {why}")

    nominal = expiry.nominal_lifetime
    if observed is not None:
        reading, evidence = observed, "the observed lifetime"
    elif isinstance(nominal, int):
        reading = min(readings, key=lambda r: abs(math.log(r[1] / nominal)))[0]
        evidence = f"the documented lifespan of {_describe(nominal)} (lifetime not observed)"
    else:
        reading, evidence = expiry.unit, "the documented unit (nothing to weigh it against)"
    if conformance.log.failures:
        return
    contradiction = profile.contradiction_for("expiry.unit")
    note = f"expires_in {expires_in} reads as {reading}, from {evidence}"
    if reading != expiry.unit:
        note += f"; the documented unit {expiry.unit} does not fit"
        if contradiction is not None:
            note += f" (the documentation contradicts itself: {contradiction.evidence})"
    conformance.log.held(provider.EXPIRES_IN_UNIT, note)
    lifetime = dict(readings)[reading]
    if isinstance(nominal, int) and abs(lifetime - nominal) > tolerance(nominal):
        conformance.expect(
            [
                Finding(
                    provider.NOMINAL_LIFETIME,
                    f"a lifetime of {_describe(nominal)} ({expiry.source})",
                    f"expires_in {expires_in} = {_describe(lifetime)} read as {reading}",
                    token.exchange,
                )
            ]
        )
    else:
        conformance.log.held(provider.NOMINAL_LIFETIME, note)
    if lifetime > 3600:
        conformance.expect(
            [
                Finding(
                    rfc6750.SHORT_LIVED,
                    "a lifetime of one hour or less",
                    f"{_describe(lifetime)}",
                    token.exchange,
                )
            ]
        )
    else:
        conformance.log.held(rfc6750.SHORT_LIVED)
