"""When a token must still work and when it must not: RFC 6749 §5.1 timing, from evidence.

The run never knows a token's exact age at the server. It knows when the issuing request was
sent and when its answer came in (the server created the token in between), and the same for
every later use of it; so at a use the token's age lies in
`[use sent - issue answered, use answered - issue sent]`. The rules judge that interval,
never a point:

* a refusal is early death when even its upper bound is below the stated lifetime less
  ALLOWANCE;
* an acceptance is late when even its lower bound is above the stated lifetime plus ALLOWANCE.

ALLOWANCE is the one fixed slack: a server that stores whole-second timestamps kills a token
up to a second before `issued_at + expires_in`, and one that states `lifetime - 1` or rounds
lets it live up to a second after. Under several readings of `expires_in` (units) early death
is judged against the shortest reading, late acceptance against the longest.

The ledger and the lifecycle model both judge by these functions and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.client.exchange import Exchange
from conformance.profile import Profile
from conformance.profile.model import UNIT_FACTORS

__all__ = [
    "ALLOWANCE",
    "ALLOWANCE_WHY",
    "Age",
    "Span",
    "acceptance_is_late",
    "describe_acceptance",
    "describe_refusal",
    "refusal_is_early",
    "seconds",
    "stated_lifetimes",
]

ALLOWANCE = 1.0  # seconds: whole-second clocks at the server, in either direction
ALLOWANCE_WHY = f"{ALLOWANCE:g} s allowed for whole-second clocks"


@dataclass(frozen=True, slots=True)
class Span:
    """When something happened at the server, as far as the run can tell: between the
    moment the request was sent and the moment its answer was in (the run's clock)."""

    sent: float
    answered: float

    @classmethod
    def at(cls, moment: float) -> Span:
        return cls(moment, moment)

    @classmethod
    def of(cls, exchange: Exchange) -> Span:
        # A hand-made exchange has no finished_at: its elapsed time (real) bounds it, which can
        # only widen the span, and a wider span only ever judges less.
        answered = exchange.finished_at
        if answered is None:
            answered = exchange.started_at + exchange.elapsed
        return cls(exchange.started_at, max(answered, exchange.started_at))


@dataclass(frozen=True, slots=True)
class Age:
    """A token's age at the server when it was used: between `low` and `high` seconds."""

    low: float
    high: float

    @classmethod
    def between(cls, issued: Span, used: Span) -> Age:
        return cls(max(0.0, used.sent - issued.answered), max(0.0, used.answered - issued.sent))

    def __str__(self) -> str:
        low, high = f"{self.low:.2f}", f"{self.high:.2f}"
        return f"{low} s" if low == high else f"{low}-{high} s"


def stated_lifetimes(profile: Profile, expires_in: object) -> tuple[float, ...]:
    """The lifetime `expires_in` states, in seconds, under each reading the profile allows.

    A profile that does not document `expires_in` still has a unit: RFC 6749 §5.1's seconds,
    inherited from the generic profile.
    """
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        return ()
    return tuple(expires_in * UNIT_FACTORS[unit] for unit in profile.expiry.readings)


def refusal_is_early(age: Age, lifetimes: tuple[float, ...]) -> bool:
    """A refusal now would be early death: even the oldest the token can be is short of its
    shortest stated lifetime by more than ALLOWANCE. False when no lifetime is stated."""
    return bool(lifetimes) and age.high < min(lifetimes) - ALLOWANCE


def acceptance_is_late(age: Age, lifetimes: tuple[float, ...]) -> bool:
    """An acceptance now would be late: even the youngest the token can be is past its
    longest stated lifetime by more than ALLOWANCE. False when no lifetime is stated."""
    return bool(lifetimes) and age.low > max(lifetimes) + ALLOWANCE


def seconds(value: float) -> str:
    """A stated lifetime for a message: `1799 s`, `86399 s (24.0 h)`, `86.399 s`."""
    text = f"{value:.6g} s"
    return f"{text} ({value / 3600:.1f} h)" if value >= 3600 else text


def _stated(lifetimes: tuple[float, ...], pick: str) -> str:
    if len(lifetimes) < 2:
        return seconds(lifetimes[0])
    value = min(lifetimes) if pick == "shortest" else max(lifetimes)
    return f"{seconds(value)} (the {pick} reading of expires_in)"


def describe_refusal(age: Age, lifetimes: tuple[float, ...]) -> str:
    """`refused at an age of 1.12-1.15 s; stated 3 s; 1 s allowed for whole-second clocks`."""
    return f"refused at an age of {age}; stated {_stated(lifetimes, 'shortest')}; {ALLOWANCE_WHY}"


def describe_acceptance(age: Age, lifetimes: tuple[float, ...]) -> str:
    """`accepted at an age of 4.02-4.05 s; stated 3 s; 1 s allowed for whole-second clocks`."""
    return f"accepted at an age of {age}; stated {_stated(lifetimes, 'longest')}; {ALLOWANCE_WHY}"
