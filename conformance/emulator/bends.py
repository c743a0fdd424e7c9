"""Defects and benign variants: named ways to bend the emulator, their registries and decorators.

A defect bends the emulator into a deviation, a variant into behaviour the RFCs allow. Both
bend a narrow interface, `Bendable`: the profile, clock and credentials to read, and the
`Behaviour` (of the token endpoint and of the services) to change: a switch, a request or
response hook, the token factory, an ASGI layer in front of the app. Neither reaches into the
emulator's store or replaces its methods.

`@defect` and `@variant` register into `DEFECTS` and `VARIANTS` (one `conformance.registry.
Registry` each); a registry loads its package (`conformance.emulator.defects`, `...variants`),
whose area modules declare every entry, before it answers. The emulator applies the names it
is given with `bend`, without importing either package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from conformance.clock import Clock
from conformance.credentials import Credentials
from conformance.emulator.behaviour import Behaviour, Reply, ResponseHook
from conformance.errors import UsageError
from conformance.profile import Profile
from conformance.registry import Registry
from conformance.requirements import get as get_requirement

if TYPE_CHECKING:
    from conformance.emulator.services import Services

__all__ = [
    "DEFECTS",
    "EXEMPT",
    "FORM",
    "VARIANTS",
    "Applies",
    "Bend",
    "Bendable",
    "Defect",
    "Variant",
    "any_profile",
    "basic_client_auth",
    "bend",
    "client_credentials",
    "defect",
    "form_body",
    "headers_of",
    "issues_refresh",
    "refusal_body_undocumented",
    "requires_switch",
    "variant",
]


class Bendable(Protocol):
    """What a defect or a variant may touch of an emulator."""

    @property
    def profile(self) -> Profile: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def credentials(self) -> Credentials: ...

    @property
    def behaviour(self) -> Behaviour: ...

    @property
    def services(self) -> Services: ...  # its `behaviour` is the one to bend


Applies = Callable[[Profile], bool]
Bend = Callable[[Bendable], None]


def any_profile(profile: Profile) -> bool:
    return True


def _unknown(kind: str) -> Callable[[str, str], Exception]:
    def error(name: str, hint: str) -> Exception:
        return UsageError(f"no {kind} named {name!r}{hint} (see `conformance selftest`)")

    return error


# -- defects --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Defect:
    name: str
    summary: str
    violates: tuple[str, ...]
    applies: Applies
    apply: Bend
    area: str
    slow: bool = False  # stalls past the client timeout: the self-test starts these first


# Open: a defect declared outside the package (the README's example) registers too.
DEFECTS: Registry[Defect] = Registry(
    "defect", load="conformance.emulator.defects", unknown=_unknown("defect")
)

# Requirements no defect can break, each with the reason; every other requirement is named by
# some defect's `violates` (tests/emulator/test_defects.py) and killed by it in the matrix.
EXEMPT: dict[str, str] = {
    "RFC9700-2.4-password-grant": "an advisory on the profile, not a behaviour: it is raised because "
    "the profile offers the password grant, which every emulator of a password-grant profile does; "
    "no deviation of the server adds or removes it",
}


def defect(
    name: str,
    summary: str,
    violates: Iterable[str],
    applies: Applies = any_profile,
    *,
    slow: bool = False,
) -> Callable[[Bend], Bend]:
    """Register the decorated function as the defect `name`; its area is its module's name."""
    ids = tuple(violates)
    for requirement_id in ids:
        get_requirement(requirement_id)  # a typo fails at import, not in a report
    if not ids:
        raise ValueError(f"defect {name} names no requirement it violates")

    def register(func: Bend) -> Bend:
        area = func.__module__.rsplit(".", 1)[-1]
        DEFECTS.register(name, Defect(name, summary, ids, applies, func, area, slow))
        return func

    return register


# -- benign variants ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    summary: str
    allowed_by: str  # the RFC section that allows it, and why
    seen_in: str  # servers and frameworks that behave so
    applies: Applies
    apply: Bend


VARIANTS: Registry[Variant] = Registry(
    "variant", load="conformance.emulator.variants", unknown=_unknown("variant")
)


def variant(
    name: str, summary: str, *, allowed_by: str, seen_in: str, applies: Applies = any_profile
) -> Callable[[Bend], Bend]:
    """Register the decorated function as the benign variant `name`."""
    if not allowed_by.strip() or "RFC" not in allowed_by:
        raise ValueError(f"variant {name} names no RFC section that allows it")

    def register(func: Bend) -> Bend:
        VARIANTS.register(name, Variant(name, summary, allowed_by, seen_in, applies, func))
        return func

    return register


# -- the seam the emulator calls ------------------------------------------------------------------
def bend(emulator: Bendable, *, variants: Iterable[str] = (), defects: Iterable[str] = ()) -> None:
    """Apply the named variants, then the named defects: a defect switched on with a variant
    bends the varied server. Every name is looked up before any is applied."""
    chosen = [VARIANTS.get(n).apply for n in variants] + [DEFECTS.get(n).apply for n in defects]
    for apply in chosen:
        apply(emulator)


# -- what the areas share -------------------------------------------------------------------------
FORM = "application/x-www-form-urlencoded"


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


def client_credentials(profile: Profile) -> bool:
    return profile.grant_client_credentials is True and profile.client_auth != "none"


def requires_switch(emulator: Bendable, name: str) -> None:
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
