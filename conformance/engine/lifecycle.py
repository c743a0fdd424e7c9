"""The profile's prediction of a token's life: when the resource must accept it, when it must
refuse it, when a refresh token must work, and when the documentation leaves it open.

Pure data and rules, no HTTP: the stateful scenario (test_lifecycle) plays the client's moves
and compares each answer with `Model.access` or `Model.refresh`. The timing rules are the
ledger's, the functions of `conformance.engine.liveness`, judged on the span of the issuing exchange
and of the call:

* accepted while even its oldest possible age is short of its shortest stated lifetime less
  ALLOWANCE, refused once even its youngest possible age is past its longest plus ALLOWANCE; in
  between, under one reading or the other or too close to call, either answer is allowed;
* a later token request invalidates it where the profile says so, leaves it valid where the
  profile says that, and otherwise either answer is allowed;
* once a refresh has replaced its pair, it is refused or lives on as the profile's
  `revokes_replaced_access_token` says, and otherwise either answer is allowed;
* a refresh token works while the access token issued with it is within its life (the
  documents refresh expired access tokens, so later refreshes are not judged either way); once
  rotated out, it is refused or still works as the profile's `used_refresh_token` says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from conformance.engine.liveness import (
    ALLOWANCE,
    ALLOWANCE_WHY,
    Age,
    Span,
    acceptance_is_late,
    refusal_is_early,
    seconds,
    stated_lifetimes,
)
from conformance.profile import Profile
from conformance.requirements import Requirement, provider
from conformance.requirements.rfc import rfc6749, rfc6750, rfc9700

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
    issued: Span  # the span of the exchange that issued the access token
    lifetimes: tuple[float, ...]
    later_issuances: int = 0
    refresh_issued: Span = Span.at(0.0)
    refresh_used: bool = False  # rotated out: a refresh with it returned a new refresh token
    replaced: bool = False  # a refresh with its refresh token issued a new pair
    refresh_dead: bool = False  # refused once where that was allowed: no longer predicted
    parent: str | None = field(default=None, repr=False)  # the refresh token whose use issued it
    # A refresh token it descends from was presented again once rotated out: the server may have
    # revoked it (RFC 9700 §4.14.2), its refresh token and, as OAuth 2.1 has it, its access token.
    line_replayed: bool = False


class Model:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.held: list[Held] = []
        self._count = 0

    # -- bookkeeping ---------------------------------------------------------------------
    def issue(self, access: str, body: dict[str, object], issued: Span, via: Held | None = None) -> Held:
        """Record a new pair issued within `issued`; `via` is the pair whose refresh token was used."""
        for earlier in self.held:
            # The pair a refresh replaces is judged by the refresh rule, not the invalidation one.
            if via is None or earlier.refresh != via.refresh:
                earlier.later_issuances += 1
        if via is not None:
            for earlier in self.held:
                if earlier.refresh == via.refresh:
                    earlier.replaced = True
        self._count += 1
        refresh = body.get("refresh_token")
        refresh_token = refresh if isinstance(refresh, str) and refresh else None
        refresh_name = f"R{self._count}" if refresh_token else None
        refresh_issued = issued
        if via is not None and refresh_token is None:
            # RFC 6749 §6: no new refresh token, the old one stays the one to use.
            refresh_token, refresh_name, refresh_issued = (
                via.refresh,
                via.refresh_name,
                via.refresh_issued,
            )
        elif via is not None and refresh_token != via.refresh:
            self._rotated(via.refresh)
        held = Held(
            f"A{self._count}",
            access,
            refresh_token,
            refresh_name,
            issued,
            stated_lifetimes(self.profile, body.get("expires_in")),
            refresh_issued=refresh_issued,
            parent=via.refresh if via is not None else None,
        )
        self.held.append(held)
        return held

    def replayed(self, held: Held) -> None:
        """`held`'s refresh token, rotated out, was presented again: what its use issued, and
        what that issued in turn, is no longer predicted (RFC 9700 §4.14.2)."""
        line, seen = [held.refresh], set()
        while line:
            refresh = line.pop()
            if refresh is None or refresh in seen:
                continue
            seen.add(refresh)
            for other in self.held:
                if other.parent == refresh and other.refresh != refresh:
                    other.line_replayed = True
                    line.append(other.refresh)
                elif other.parent == refresh:
                    other.line_replayed = True  # no rotation: the same refresh token goes on

    def _rotated(self, refresh: str | None) -> None:
        for held in self.held:
            if held.refresh == refresh:
                held.refresh_used = True

    def refresh_refused(self, held: Held) -> None:
        for other in self.held:
            if other.refresh == held.refresh:
                other.refresh_dead = True

    # -- predictions ---------------------------------------------------------------------
    def access(self, held: Held, used: Span) -> Prediction:
        """Must the resource accept `held`'s access token in a call made within `used`?"""
        age = Age.between(held.issued, used)
        lifetimes = held.lifetimes
        rule = self.profile.invalidates_earlier
        source = self.profile.source_of("invalidation")
        if acceptance_is_late(age, lifetimes):
            why = f"expired: {age} old, stated lifetime {seconds(max(lifetimes))} ({ALLOWANCE_WHY})"
            return Prediction(Verdict.REFUSE, why, rfc6749.LIFETIME_AS_STATED)
        if held.line_replayed:
            why = "a refresh token it descends from was presented again: the server may revoke the line"
            return Prediction(Verdict.UNJUDGED, why, rfc9700.REUSE_REVOKES)
        replaced = self.profile.refresh.revokes_replaced_access_token
        refresh_source = self.profile.refresh.source
        if held.replaced and replaced is True:
            why = f"a refresh replaced its pair, and revokes the access token it replaces ({refresh_source})"
            return Prediction(Verdict.REFUSE, why, provider.REFRESHED_ACCESS_TOKEN)
        if held.replaced and replaced is not False:
            why = f"a refresh replaced its pair; the documentation is silent on it ({refresh_source})"
            return Prediction(Verdict.UNJUDGED, why, provider.REFRESHED_ACCESS_TOKEN)
        if held.later_issuances and rule is True:
            why = f"a later token request invalidates it ({source})"
            return Prediction(Verdict.REFUSE, why, provider.INVALIDATES_EARLIER)
        if held.replaced and lifetimes and refusal_is_early(age, lifetimes):
            # The refresh rule is the more particular: it says what became of this very token.
            why = (
                f"within its stated lifetime ({age} old); a refresh leaves the access token it "
                f"replaced valid ({refresh_source})"
            )
            return Prediction(Verdict.ACCEPT, why, provider.REFRESHED_ACCESS_TOKEN)
        if lifetimes and not refusal_is_early(age, lifetimes):
            return Prediction(
                Verdict.UNJUDGED,
                f"{age} old: within {ALLOWANCE:g} s of a reading of its lifetime, or past it",
                rfc6749.LIFETIME_AS_STATED,
            )
        if held.later_issuances and rule is not False:
            why = f"a later token was issued; the documentation is silent on invalidation ({source})"
            return Prediction(Verdict.UNJUDGED, why, provider.INVALIDATES_EARLIER)
        if not lifetimes and age.high > ALLOWANCE:
            # No usable expires_in: its life is not stated, so time passed judges nothing.
            return Prediction(
                Verdict.UNJUDGED, f"{age} old, and no lifetime was stated", rfc6749.LIFETIME_AS_STATED
            )
        life = f"within its stated lifetime ({age} old)" if lifetimes else f"{age} old"
        if held.later_issuances:
            return Prediction(
                Verdict.ACCEPT, f"{life}; later tokens leave it valid ({source})", provider.KEEPS_EARLIER
            )
        if held.replaced:
            why = f"{life}; a refresh leaves the access token it replaced valid ({refresh_source})"
            return Prediction(Verdict.ACCEPT, why, provider.REFRESHED_ACCESS_TOKEN)
        requirement = (
            rfc6749.LIFETIME_AS_STATED if age.high > 0 and lifetimes else rfc6750.ACCEPTS_VALID_TOKEN
        )
        return Prediction(Verdict.ACCEPT, life, requirement)

    def refresh(self, held: Held, used: Span) -> Prediction:
        """Must a refresh with `held`'s refresh token, sent within `used`, work?"""
        if held.refresh_dead:
            return Prediction(Verdict.UNJUDGED, "refused once already", rfc6749.REFRESH_WORKS)
        if held.line_replayed and not held.refresh_used:
            why = "a refresh token it descends from was presented again: the server may revoke it"
            return Prediction(Verdict.UNJUDGED, why, rfc9700.REUSE_REVOKES)
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
        age = Age.between(held.refresh_issued, used)
        if held.lifetimes:
            # Within the life of the access token issued with it, it must work.
            if refusal_is_early(age, held.lifetimes):
                return Prediction(Verdict.ACCEPT, f"unused, {age} old", rfc6749.REFRESH_WORKS)
            return Prediction(
                Verdict.UNJUDGED,
                f"unused, {age} old: its own lifetime is not documented",
                rfc6749.REFRESH_WORKS,
            )
        verdict = Verdict.ACCEPT if age.high == 0 else Verdict.UNJUDGED
        return Prediction(verdict, f"unused, {age} old", rfc6749.REFRESH_WORKS)

    def step(self, kind: str, now: float) -> tuple[float, str]:
        """Seconds to advance for one of STEPS, aimed at the newest token's age."""
        newest = self.held[-1] if self.held else None
        lifetimes = newest.lifetimes if newest and newest.lifetimes else self._documented()
        if kind == "a second" or not lifetimes:
            return 1.0, "a second"
        shortest, longest = min(lifetimes), max(lifetimes)
        if kind == "half its life":
            return max(1.0, shortest / 2), kind
        # Inside: the oldest it can be (from its request) stays a second clear of early death;
        # past: the youngest it can be (from its answer) is a second beyond late acceptance.
        targets = {
            "to just inside its life": (shortest - ALLOWANCE - 1, newest.issued.sent if newest else now),
            "to just past its life": (shortest + ALLOWANCE + 1, newest.issued.answered if newest else now),
            "to past every reading of its life": (
                longest + ALLOWANCE + 1,
                newest.issued.answered if newest else now,
            ),
        }
        target, origin = targets[kind]
        return max(1.0, target - (now - origin)), kind

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
