"""The defect registry: `@defect` registers a function as a named deviation of the emulator.

A defect bends the emulator's `Behaviour` (a switch, a request hook or a response hook); its
area is the name of the module that registers it. The package's `__init__` imports every area
module, so importing `conformance.emulator.defects` registers all of them.
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
    """Register the decorated function as the defect `name`."""
    ids = tuple(violates)
    for requirement_id in ids:
        get_requirement(requirement_id)  # a typo fails at import, not in a report
    if not ids:
        raise ValueError(f"defect {name} names no requirement it violates")

    def register(func: Bend) -> Bend:
        area = func.__module__.rsplit(".", 1)[-1]
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
