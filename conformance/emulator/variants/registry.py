"""The registry of benign variants, the decorator that fills it, and what the areas share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.emulator.behaviour import Reply, ResponseHook
from conformance.emulator.bends import Applies, Bend, Registry, any_profile
from conformance.errors import UsageError
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.app import Emulator

__all__ = [
    "FORM",
    "Variant",
    "applicable_variants",
    "apply_variants",
    "basic_client_auth",
    "client_credentials",
    "form_body",
    "get_variant",
    "headers_of",
    "issues_refresh",
    "refusal_body_undocumented",
    "requires_switch",
    "variant",
    "variants",
]


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    summary: str
    allowed_by: str  # the RFC section that allows it, and why
    seen_in: str  # servers and frameworks that behave so
    applies: Applies
    apply: Bend


_REGISTRY: Registry[Variant] = Registry("variant")


FORM = "application/x-www-form-urlencoded"


def variant(
    name: str, summary: str, *, allowed_by: str, seen_in: str, applies: Applies = any_profile
) -> Callable[[Bend], Bend]:
    """Register the decorated function as the benign variant `name`."""
    if not allowed_by.strip() or "RFC" not in allowed_by:
        raise ValueError(f"variant {name} names no RFC section that allows it")

    def register(func: Bend) -> Bend:
        _REGISTRY.add(Variant(name, summary, allowed_by, seen_in, applies, func))
        return func

    return register


def variants() -> dict[str, Variant]:
    """Every registered variant by name, in registration order."""
    return _REGISTRY.all()


def applicable_variants(profile: Profile) -> list[Variant]:
    return _REGISTRY.applicable(profile)


def get_variant(name: str) -> Variant:
    return _REGISTRY.get(name)


def apply_variants(names: Iterable[str], emulator: Emulator) -> None:
    _REGISTRY.apply(names, emulator)


# -- profile predicates -------------------------------------------------------------------------
def basic_client_auth(profile: Profile) -> bool:
    return profile.client_auth == "basic"


def form_body(profile: Profile) -> bool:
    return profile.parameter_location == "body"


def issues_refresh(profile: Profile) -> bool:
    return profile.refresh.supported is True and profile.refresh.issues_refresh_token is not False


def refusal_body_undocumented(profile: Profile) -> bool:
    """Only a JSON object is documented for the resource's refusal, not its members."""
    rejection = profile.resource.rejection
    return rejection.body_example is None and rejection.body_schema in (None, "json-object")


def requires_switch(emulator: Emulator, name: str) -> None:
    """A variant built on a Behaviour switch another part of the emulator provides."""
    if not hasattr(emulator.behaviour, name):
        raise UsageError(f"this emulator has no Behaviour.{name}: the variant cannot be switched on")
    setattr(emulator.behaviour, name, True)


def headers_of(kind: str, change: Callable[[int, dict[str, str]], dict[str, str]]) -> ResponseHook:
    def hook(seen: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if seen == kind:
            headers = change(status, dict(headers))
        return status, headers, payload

    return hook


def client_credentials(profile: Profile) -> bool:
    return profile.grant_client_credentials is True and profile.client_auth != "none"
