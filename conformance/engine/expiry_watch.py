"""Watching a token die: checks scheduled so that its stated end is bracketed tightly.

Under each reading of `expires_in` (lifetime L) the watch asks two questions, in the terms of
`conformance.engine.liveness`:

* Does the token live until L - ALLOWANCE? Checks close in on that limit, each halving the
  distance left, and the last is sent so that its upper age bound lands just under the limit
  (clear of it by twice the longest exchange seen, at least MIN_MARGIN). Any refusal on the way
  is early death; a token that dies earlier than the limit by more than that margin is refused
  by the last check at the latest. The earlier checks say when it died, and keep the bracket
  tight when the last check takes longer than expected.
* Is it refused after L + ALLOWANCE? One check whose lower age bound is just past that limit.

A reading the wait budget does not cover is watched up to the budget only: the result says
what was covered. Cost per reading: about log2(L / (2 * margin)) + 2 requests: 8 for a 3 s
token on the emulator, 15 for a 1799 s token against a server answering in 50 ms, 1 when the
budget covers only a window of the lifetime. Against the emulator the clock is moved, so the
checks cost no waiting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.client import ConformanceClient, Exchange
from conformance.clock import Clock
from conformance.engine.liveness import ALLOWANCE, Age, Span, seconds

__all__ = ["MIN_MARGIN", "Sighting", "Watcher"]

MIN_MARGIN = 0.02  # seconds a check keeps clear of a limit when exchanges take no time at all


@dataclass(frozen=True, slots=True)
class Sighting:
    """One use of the watched token: how old it was (bounds) and what the resource said."""

    age: Age
    exchange: Exchange

    @property
    def accepted(self) -> bool:
        return self.exchange.ok

    @property
    def refused(self) -> bool:
        return self.exchange.status is not None and 400 <= self.exchange.status < 500


@dataclass
class Watcher:
    """Uses of one token, at ages measured from its issuing exchange, within `budget` seconds."""

    client: ConformanceClient
    clock: Clock
    token: str = field(repr=False)
    issued: Exchange
    budget: float
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return Span.of(self.issued)

    @property
    def margin(self) -> float:
        """How far ahead of a limit a check is sent: twice the longest exchange seen so far."""
        widths = [self.span.answered - self.span.sent]
        widths += [s.age.high - s.age.low - widths[0] for s in self.sightings]
        return max(MIN_MARGIN, 2 * max(widths))

    @property
    def age_now(self) -> float:
        """The token's age by the request that issued it (an upper bound)."""
        return self.clock.now() - self.span.sent

    @property
    def last_alive(self) -> Sighting | None:
        return next((s for s in reversed(self.sightings) if s.accepted), None)

    def look(self, at: float, purpose: str) -> Sighting:
        """Use the token once `at` seconds have passed since its request was sent."""
        delay = self.span.sent + at - self.clock.now()
        if delay > 0:
            self.clock.advance(delay)
        exchange = self.client.call_resource(self.token, purpose)
        sighting = Sighting(Age.between(self.span, Span.of(exchange)), exchange)
        self.sightings.append(sighting)
        return sighting

    def approach(self, lifetime: float, label: str) -> Sighting | None:
        """Checks closing in on `lifetime - ALLOWANCE`, within the budget, until one is not
        accepted; that one, or None when every check was accepted."""
        limit = lifetime - ALLOWANCE
        while True:
            now = self.age_now
            final = min(limit - self.margin, self.budget)
            if final <= now:
                return None
            last = final == self.budget or final - now <= 2 * self.margin
            at = final if last else now + (final - now) / 2
            sighting = self.look(at, f"resource: token at {at:.2f} s, before {seconds(limit)} ({label})")
            if not sighting.accepted:
                return sighting
            if last:
                return None

    def after(self, lifetime: float, label: str) -> Sighting | None:
        """One check whose lower age bound is just past `lifetime + ALLOWANCE`; None when that
        is beyond the budget."""
        span = self.span
        at = lifetime + ALLOWANCE + (span.answered - span.sent) + MIN_MARGIN
        if at > self.budget:
            return None
        return self.look(
            at, f"resource: token at {at:.2f} s, after {seconds(lifetime + ALLOWANCE)} ({label})"
        )

    def reached(self, lifetime: float) -> bool:
        """Whether the token was seen alive as close to `lifetime - ALLOWANCE` as the schedule
        aims (or that limit is too close to its issuance to aim at): the early side of that
        lifetime was watched in full."""
        alive = self.last_alive
        return lifetime - ALLOWANCE - 2 * self.margin <= (alive.age.high if alive is not None else 0.0)
