"""A token's real lifetime, watched in real time, and what it says about the unit of expires_in.

The documentation of a provider may say milliseconds where the server means seconds (Days Out
Guide does); only watching a token die settles it. The probe polls the protected resource at
ages spread geometrically over `--expiry-wait` (the same relative precision at every age, with
few requests), plus the exact ages at which the suite itself would judge each reading: just
after `lifetime + ALLOWANCE` (`conformance.engine.liveness`), so a token still accepted there rules
that reading out the way the suite would. The judgement is a pure function of what was seen,
tested without waiting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from conformance.client import ConformanceClient
from conformance.client.exchange import Exchange
from conformance.engine.liveness import ALLOWANCE
from conformance.profile.model import UNIT_FACTORS

__all__ = ["Reading", "Watch", "judge", "schedule", "still_young", "watch"]

Unit = Literal["seconds", "milliseconds"]
UNITS: tuple[Unit, ...] = ("seconds", "milliseconds")
FIRST_POLL = 0.25  # seconds after issuance: the first look, which also shows the token works
MIN_GAP = 0.1  # polls closer than this add nothing
JUST_AFTER = 0.05  # a poll for "after lifetime + ALLOWANCE" goes this much later


@dataclass(frozen=True, slots=True)
class Watch:
    """Ages (seconds since the token request began) at which the resource answered."""

    last_accepted: float | None
    first_refused: float | None
    waited: float
    polls: int
    broken: str | None = None  # why the watch proves nothing (a 5xx, a redirect)


@dataclass(frozen=True, slots=True)
class Reading:
    unit: Unit
    alternatives: tuple[str, ...]
    verified: bool
    how: str
    nominal: int | Literal["unspecified"]
    nominal_how: str


def _readings(expires_in: object) -> dict[str, float]:
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        return {}
    return {unit: float(expires_in) * UNIT_FACTORS[unit] for unit in UNITS}


def schedule(expires_in: object, wait: float, polls: int) -> list[float]:
    """Poll ages within `wait`: geometric from FIRST_POLL, plus just after each reading's limit."""
    if wait <= 0 or polls <= 0:
        return []
    critical: set[float] = set()
    for lifetime in _readings(expires_in).values():
        slack = ALLOWANCE + JUST_AFTER
        critical |= {round(age, 3) for age in (lifetime - slack, lifetime + slack) if 0 < age <= wait}
    first = min(FIRST_POLL, wait)
    geometric = max(2, polls - len(critical))
    ratio = (wait / first) ** (1 / (geometric - 1)) if wait > first else 1.0
    kept = sorted(critical)
    for age in (round(first * ratio**k, 3) for k in range(geometric)):
        if age <= wait and all(abs(age - other) >= MIN_GAP for other in kept):
            kept.append(age)
            kept.sort()
    return kept[:polls]


def watch(client: ConformanceClient, token: str, issued: Exchange, ages: list[float]) -> Watch:
    """Call the resource with `token` at each age until it is refused; no retries."""
    clock = client.clock
    last_accepted: float | None = None
    for count, age in enumerate(ages, start=1):
        delay = issued.started_at + age - clock.now()
        if delay > 0:
            clock.advance(delay)
        exchange = client.call_resource(token, f"resource: the watched token at {age:.2f} s")
        seen = exchange.started_at - issued.started_at
        if exchange.ok:
            last_accepted = seen
            continue
        if exchange.status is not None and 400 <= exchange.status < 500:
            return Watch(last_accepted, seen, seen, count)
        return Watch(last_accepted, None, seen, count, f"#{exchange.seq} answered HTTP {exchange.status}")
    return Watch(last_accepted, None, ages[-1] if ages else 0.0, len(ages))


def still_young(issued: Exchange, now: float) -> bool:
    """Whether a token is within the first half of the life its expires_in states (read as
    seconds, the longer reading): a refusal of it then says something other than expiry."""
    body = issued.json
    expires_in = body.get("expires_in") if isinstance(body, dict) else None
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        return True  # no stated life: nothing says it ran out
    return now - issued.started_at <= expires_in / 2


def _fit(lifetime: float, seen: Watch) -> str | None:
    """Why a reading is ruled out by what was seen, or None when it fits (the suite's allowance)."""
    slack = ALLOWANCE
    if seen.last_accepted is not None and seen.last_accepted > lifetime + slack:
        return f"still accepted at {seen.last_accepted:.2f} s"
    if seen.first_refused is not None and seen.first_refused < lifetime - slack:
        return f"already refused at {seen.first_refused:.2f} s"
    return None


def _span(seconds: float) -> str:
    return f"{seconds:g} s" if seconds < 3600 else f"{seconds:g} s ({seconds / 3600:.1f} h)"


def judge(expires_in: object, seen: Watch | None, why_unwatched: str = "") -> Reading:
    """The unit of expires_in and the real lifetime that the observations support."""
    readings = _readings(expires_in)
    observed: float | None = None
    if seen is not None and seen.broken is None and seen.first_refused is not None:
        low = seen.last_accepted or 0.0
        observed = (low + seen.first_refused) / 2
    if seen is not None and seen.broken is None:
        lived = (
            f"accepted until {seen.last_accepted:.2f} s, refused at {seen.first_refused:.2f} s"
            if seen.first_refused is not None and seen.last_accepted is not None
            else f"refused at the first look, {seen.first_refused:.2f} s"
            if seen.first_refused is not None
            else f"still accepted after the whole wait of {seen.waited:.2f} s"
        )
    else:
        lived = why_unwatched or (seen.broken if seen is not None and seen.broken else "not watched")

    unit: Unit = "seconds"
    alternatives: tuple[str, ...] = ()
    verified = False
    if not readings:
        how = f"no usable expires_in ({expires_in!r}): RFC 6749 §5.1 seconds, unverified; token {lived}"
    elif seen is None or seen.broken is not None:
        alternatives = ("milliseconds",)
        how = (
            f"UNVERIFIED: expires_in {expires_in} read as seconds (RFC 6749 §5.1); "
            f"the token's real lifetime was not observed ({lived})"
        )
    else:
        ruled_out = {u: _fit(life, seen) for u, life in readings.items()}
        fitting = [u for u in UNITS if ruled_out[u] is None]
        against = "; ".join(
            f"{u} ({_span(readings[u])}) ruled out: {why}" for u, why in ruled_out.items() if why
        )
        if len(fitting) == 1:
            unit, alternatives, verified = fitting[0], (), True
            how = f"expires_in {expires_in} is {_span(readings[unit])} as {unit}; token {lived}; {against}"
        elif fitting:
            # Both fit: the one nearer the observed lifetime, or RFC 6749's seconds if it outlived the wait.
            if observed is not None:
                unit = min(fitting, key=lambda u: abs(math.log(readings[u] / max(observed, 1e-6))))
            alternatives, verified = tuple(u for u in fitting if u != unit), False
            how = f"UNDECIDED: token {lived}; expires_in {expires_in} fits both readings within tolerance"
        else:
            target = observed if observed is not None else seen.waited
            unit = min(UNITS, key=lambda u: abs(math.log(readings[u] / max(target, 1e-6))))
            how = (
                f"NEITHER READING FITS: token {lived}; {against}; the suite will report it "
                f"(written as the closer reading, {unit})"
            )

    if observed is not None:
        assert seen is not None and seen.first_refused is not None
        nominal: int | Literal["unspecified"] = max(1, round(observed))
        nominal_how = (
            f"observed: accepted at {seen.last_accepted or 0.0:.2f} s, refused at {seen.first_refused:.2f} s"
        )
    elif readings:
        nominal = max(1, round(readings[unit]))
        nominal_how = f"expires_in {expires_in} read as {unit}, not observed to run out"
    else:
        nominal, nominal_how = "unspecified", "no expires_in and no observed expiry"
    return Reading(unit, alternatives, verified, how, nominal, nominal_how)
