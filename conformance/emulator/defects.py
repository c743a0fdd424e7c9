"""Defects: named deviations a real provider could plausibly ship, switchable one at a time.

A defect is one decorated function that bends the emulator's `Behaviour` (a switch, a
request hook or a response hook). Adding one is one entry in one of the area modules:

    @defect("no-pragma", "token responses carry Cache-Control: no-store but no Pragma",
            violates=["RFC6749-5.1-pragma"])
    def _no_pragma(emulator: Emulator) -> None:
        emulator.behaviour.response_hooks.append(on_token_success(...))

`violates` names the requirements the suite should fail (or, for SHOULD-level ones, warn)
on; `applies` says which profiles the deviation means something for (a refresh defect on a
provider without refresh is no defect). The self-test (`conformance selftest`) switches each
on in turn and checks that the suite notices.

The areas: `defects_response` (the token response), `defects_lifetime` (expiry and token
values), `defects_client` (client and resource owner authentication), `defects_errors`
(refusals and request handling), `defects_refresh` (refresh and invalidation),
`defects_resource` (the protected resource).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.emulator.bends import Applies, Bend, Registry, any_profile
from conformance.profile import Profile
from conformance.requirements import get as get_requirement

if TYPE_CHECKING:
    from conformance.emulator.app import Emulator

__all__ = [
    "EXEMPT",
    "Defect",
    "applicable",
    "apply_defects",
    "catalogue",
    "defect",
    "get_defect",
]


@dataclass(frozen=True, slots=True)
class Defect:
    name: str
    summary: str
    violates: tuple[str, ...]
    applies: Applies
    apply: Bend
    area: str
    slow: bool = False  # stalls past the client timeout: the self-test starts these first


_CATALOGUE: Registry[Defect] = Registry("defect")

# Requirements no defect can break, each with the reason; every other requirement is named by
# some defect's `violates` (tests/test_defects.py) and killed by it in the matrix.
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
    """Register the decorated function as the defect `name`."""
    ids = tuple(violates)
    for requirement_id in ids:
        get_requirement(requirement_id)  # a typo fails at import, not in a report
    if not ids:
        raise ValueError(f"defect {name} names no requirement it violates")

    def register(func: Bend) -> Bend:
        area = func.__module__.rsplit(".", 1)[-1].removeprefix("defects_")
        _CATALOGUE.add(Defect(name, summary, ids, applies, func, area, slow))
        return func

    return register


def catalogue() -> dict[str, Defect]:
    """Every registered defect by name, in registration order."""
    return _CATALOGUE.all()


def applicable(profile: Profile) -> list[Defect]:
    return _CATALOGUE.applicable(profile)


def get_defect(name: str) -> Defect:
    return _CATALOGUE.get(name)


def apply_defects(names: Iterable[str], emulator: Emulator) -> None:
    _CATALOGUE.apply(names, emulator)


# The areas register themselves on import; they need `defect` above, hence the late import.
from conformance.emulator import (  # noqa: E402
    defects_client,
    defects_errors,
    defects_lifetime,
    defects_refresh,
    defects_resource,
    defects_response,
)

_AREAS = (
    defects_response,
    defects_lifetime,
    defects_client,
    defects_errors,
    defects_refresh,
    defects_resource,
)
