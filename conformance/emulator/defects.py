"""Defects: named deviations a real provider could plausibly ship, switchable one at a time.

A defect is one decorated function that bends the emulator's `Behaviour` (or wraps its
responses). Adding one is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.errors import UsageError
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.app import Emulator

__all__ = ["Defect", "apply_defects", "catalogue", "defect"]


@dataclass(frozen=True, slots=True)
class Defect:
    name: str
    summary: str
    violates: tuple[str, ...]
    applies: Callable[[Profile], bool]
    apply: Callable[[Emulator], None]


_CATALOGUE: dict[str, Defect] = {}


def defect(
    name: str, summary: str, violates: Iterable[str],
    applies: Callable[[Profile], bool] = lambda profile: True,
) -> Callable[[Callable[[Emulator], None]], Callable[[Emulator], None]]:
    def register(func: Callable[[Emulator], None]) -> Callable[[Emulator], None]:
        if name in _CATALOGUE:
            raise ValueError(f"defect {name} registered twice")
        _CATALOGUE[name] = Defect(name, summary, tuple(violates), applies, func)
        return func
    return register


def catalogue() -> dict[str, Defect]:
    return dict(_CATALOGUE)


def apply_defects(names: Iterable[str], emulator: Emulator) -> None:
    for name in names:
        found = _CATALOGUE.get(name)
        if found is None:
            import difflib
            close = difflib.get_close_matches(name, _CATALOGUE, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"no defect named {name!r}{hint}")
        found.apply(emulator)


def _token_payload(transform: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Any:
        if kind == "token" and status == 200 and isinstance(payload, dict):
            payload = transform(dict(payload))
        return status, headers, payload
    return hook


def _has_refresh(profile: Profile) -> bool:
    return profile.refresh.supported is True


@defect("no-token-type", "the token response omits token_type", ["RFC6749-5.1-json"])
def _no_token_type(emulator: Emulator) -> None:
    emulator.behaviour.response_hooks.append(
        _token_payload(lambda p: {k: v for k, v in p.items() if k != "token_type"})
    )


@defect("expires-in-string", 'expires_in sent as a JSON string ("1799")', ["RFC6749-5.1-expires-in"])
def _expires_in_string(emulator: Emulator) -> None:
    emulator.behaviour.response_hooks.append(
        _token_payload(lambda p: {**p, "expires_in": str(p["expires_in"])})
    )


@defect("token-outlives-expiry", "tokens stay valid for twice their stated lifetime",
        ["RFC6749-5.1-lifetime"])
def _token_outlives_expiry(emulator: Emulator) -> None:
    emulator.behaviour.real_lifetime_factor = 2.0


@defect("accepts-wrong-password", "any password is accepted for a known user",
        ["RFC6749-4.3-invalid-grant"])
def _accepts_wrong_password(emulator: Emulator) -> None:
    emulator.behaviour.check_password = False


@defect("keeps-earlier-tokens", "a new token request leaves earlier tokens valid",
        ["DOC-invalidates-earlier"], applies=lambda p: p.invalidates_earlier is True)
def _keeps_earlier_tokens(emulator: Emulator) -> None:
    emulator.behaviour.invalidate_earlier = False


@defect("refresh-not-rotated", "refresh returns no new refresh token",
        ["DOC-refresh-new-pair"], applies=lambda p: _has_refresh(p) and p.refresh.rotation is True)
def _refresh_not_rotated(emulator: Emulator) -> None:
    emulator.behaviour.rotation = False
