"""The profile's prediction of a token's life: when the resource must accept it, when it must
refuse it, when a refresh token must work, and when the documentation leaves it open.

Pure data and rules, no HTTP: the stateful scenario (test_lifecycle) plays the client's moves
and compares each answer with `Model.access` or `Model.refresh`. The rules are the ledger's
(`conformance.ledger`), with the same tolerance for clocks and networks:

* accepted until its shortest stated lifetime (less the tolerance), refused after its longest
  (plus it); in between, under one reading or the other, either answer is allowed;
* a later token request invalidates it where the profile says so, leaves it valid where the
  profile says that, and otherwise either answer is allowed;
* a refresh token works while the access token issued with it is within its life (the
  documents refresh expired access tokens, so later refreshes are not judged either way); once
  rotated out, it is refused or still works as the profile's `used_refresh_token` says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from conformance.ledger import stated_lifetimes, tolerance
from conformance.profile import Profile
from conformance.requirements import Requirement, provider, rfc6749, rfc6750, rfc9700

__all__ = ["STEPS", "Held", "Model", "Prediction", "Verdict"]


class Verdict(Enum):
    ACCEPT = "accepted"
    REFUSE = "refused"
    UNJUDGED = "either"


@dataclass(frozen=True, slots=True)
class Prediction:
    verdict: Verdict
    why: str
    requirement: Requirement

    def fits(self, accepted: bool) -> bool:
        if self.verdict is Verdict.UNJUDGED:
            return True
        return accepted == (self.verdict is Verdict.ACCEPT)


@dataclass
class Held:
    """A token pair the client holds, named for the transcript (A1 and R1, A2 and R2, ...)."""

    name: str
    access: str = field(repr=False)
    refresh: str | None = field(repr=False)
    refresh_name: str | None
    issued_at: float
    lifetimes: tuple[float, ...]
    later_issuances: int = 0
    refresh_issued_at: float = 0.0
    refresh_used: bool = False  # rotated out: a refresh with it returned a new refresh token
    refresh_dead: bool = False  # refused once where that was allowed: no longer predicted


class Model:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.held: list[Held] = []
        self._count = 0

    # -- bookkeeping ---------------------------------------------------------------------
    def issue(self, access: str, body: dict[str, object], now: float, via: Held | None = None) -> Held:
        """Record a new pair; `via` is the pair whose refresh token was used."""
        for earlier in self.held:
            earlier.later_issuances += 1
        self._count += 1
        refresh = body.get("refresh_token")
        refresh_token = refresh if isinstance(refresh, str) and refresh else None
        refresh_name = f"R{self._count}" if refresh_token else None
        refresh_issued_at = now
        if via is not None and refresh_token is None:
            # RFC 6749 §6: no new refresh token, the old one stays the one to use.
            refresh_token, refresh_name, refresh_issued_at = (
                via.refresh,
                via.refresh_name,
                via.refresh_issued_at,
            )
        elif via is not None and refresh_token != via.refresh:
            self._rotated(via.refresh)
        held = Held(
            f"A{self._count}",
            access,
            refresh_token,
            refresh_name,
            now,
            stated_lifetimes(self.profile, body.get("expires_in")),
            refresh_issued_at=refresh_issued_at,
        )
        self.held.append(held)
        return held

    def _rotated(self, refresh: str | None) -> None:
        for held in self.held:
            if held.refresh == refresh:
                held.refresh_used = True

    def refresh_refused(self, held: Held) -> None:
        for other in self.held:
            if other.refresh == held.refresh:
                other.refresh_dead = True

    # -- predictions ---------------------------------------------------------------------
    def access(self, held: Held, now: float) -> Prediction:
        """Must the resource accept `held`'s access token now?"""
        age = now - held.issued_at
        rule = self.profile.invalidates_earlier
        source = self.profile.source_of("invalidation")
        if held.lifetimes:
            longest, shortest = max(held.lifetimes), min(held.lifetimes)
            if age > longest + tolerance(longest):
                slack = tolerance(longest)
                why = f"expired: {age:g} s old, stated lifetime {longest:g} s (tolerance {slack:g} s)"
                return Prediction(Verdict.REFUSE, why, rfc6749.LIFETIME_AS_STATED)
        if held.later_issuances and rule is True:
            why = f"a later token request invalidates it ({source})"
            return Prediction(Verdict.REFUSE, why, provider.INVALIDATES_EARLIER)
        if held.lifetimes and age >= shortest - tolerance(shortest):
            return Prediction(
                Verdict.UNJUDGED,
                f"{age:g} s old: near or past a reading of its lifetime",
                rfc6749.LIFETIME_AS_STATED,
            )
        if held.later_issuances and rule is not False:
            why = f"a later token was issued; the documentation is silent on invalidation ({source})"
            return Prediction(Verdict.UNJUDGED, why, provider.INVALIDATES_EARLIER)
        life = f"within its stated lifetime ({age:g} s old)" if held.lifetimes else f"{age:g} s old"
        if held.later_issuances:
            return Prediction(
                Verdict.ACCEPT, f"{life}; later tokens leave it valid ({source})", provider.KEEPS_EARLIER
            )
        requirement = (
            rfc6749.LIFETIME_AS_STATED if age > 0 and held.lifetimes else rfc6750.ACCEPTS_VALID_TOKEN
        )
        return Prediction(Verdict.ACCEPT, life, requirement)

    def refresh(self, held: Held, now: float) -> Prediction:
        """Must a refresh with `held`'s refresh token work now?"""
        if held.refresh_dead:
            return Prediction(Verdict.UNJUDGED, "refused once already", rfc6749.REFRESH_WORKS)
        if held.refresh_used:
            rule = self.profile.refresh.used_refresh_token
            source = self.profile.refresh.source
            if rule == "rejected":
                return Prediction(
                    Verdict.REFUSE,
                    f"rotated out, and a used refresh token is refused ({source})",
                    rfc9700.USED_REFRESH_TOKEN_REJECTED,
                )
            if rule == "accepted":
                return Prediction(
                    Verdict.ACCEPT,
                    f"rotated out, but a used refresh token still works ({source})",
                    rfc9700.USED_REFRESH_TOKEN_REJECTED,
                )
            return Prediction(
                Verdict.UNJUDGED,
                "rotated out; the documentation is silent on reuse",
                rfc9700.USED_REFRESH_TOKEN_REJECTED,
            )
        age = now - held.refresh_issued_at
        if held.lifetimes:
            shortest = min(held.lifetimes)
            if age < shortest - tolerance(shortest):
                return Prediction(Verdict.ACCEPT, f"unused, {age:g} s old", rfc6749.REFRESH_WORKS)
            return Prediction(
                Verdict.UNJUDGED,
                f"unused, {age:g} s old: its own lifetime is not documented",
                rfc6749.REFRESH_WORKS,
            )
        verdict = Verdict.ACCEPT if age == 0 else Verdict.UNJUDGED
        return Prediction(verdict, f"unused, {age:g} s old", rfc6749.REFRESH_WORKS)

    def step(self, kind: str, now: float) -> tuple[float, str]:
        """Seconds to advance for one of STEPS, aimed at the newest token's age."""
        newest = self.held[-1] if self.held else None
        lifetimes = newest.lifetimes if newest and newest.lifetimes else self._documented()
        if kind == "a second" or not lifetimes:
            return 1.0, "a second"
        shortest, longest = min(lifetimes), max(lifetimes)
        targets = {
            "half its life": shortest / 2,
            "to just inside its life": shortest - 2 * tolerance(shortest),
            "to just past its life": shortest + tolerance(shortest) + 1,
            "to past every reading of its life": longest + tolerance(longest) + 1,
        }
        age = now - newest.issued_at if newest else 0.0
        seconds = max(1.0, targets[kind] - age) if kind != "half its life" else max(1.0, targets[kind])
        return seconds, kind

    def _documented(self) -> tuple[float, ...]:
        example = self.profile.expiry.example_expires_in
        if example:
            return stated_lifetimes(self.profile, example)
        nominal = self.profile.expiry.nominal_lifetime
        return (float(nominal),) if isinstance(nominal, int) else ()


# The most telling first: hypothesis tries the first more often, and shrinks towards it.
STEPS = (
    "to just past its life",
    "to past every reading of its life",
    "to just inside its life",
    "half its life",
    "a second",
)
