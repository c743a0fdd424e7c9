"""What defects and benign variants share: a named way to bend the emulator, and its registry.

A defect bends the emulator into a deviation, a variant into behaviour the RFCs allow; both
are looked up by name (with a did-you-mean hint), filtered by the profiles they apply to, and
applied in turn to one emulator.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from conformance.errors import UsageError
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.app import Emulator

__all__ = ["Applies", "Bend", "Registry", "any_profile"]

Applies = Callable[[Profile], bool]
Bend = Callable[["Emulator"], None]


def any_profile(profile: Profile) -> bool:
    return True


class _Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def applies(self) -> Applies: ...

    @property
    def apply(self) -> Bend: ...


T = TypeVar("T", bound=_Named)


class Registry(Generic[T]):
    """Every registered bend of one kind ("defect", "variant"), in registration order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def add(self, entry: T) -> None:
        if entry.name in self._entries:
            raise ValueError(f"{self.kind} {entry.name} registered twice")
        self._entries[entry.name] = entry

    def all(self) -> dict[str, T]:
        return dict(self._entries)

    def applicable(self, profile: Profile) -> list[T]:
        return [e for e in self._entries.values() if e.applies(profile)]

    def get(self, name: str) -> T:
        found = self._entries.get(name)
        if found is None:
            close = difflib.get_close_matches(name, self._entries, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"no {self.kind} named {name!r}{hint} (see `conformance selftest`)")
        return found

    def apply(self, names: Iterable[str], emulator: Emulator) -> None:
        for name in names:
            self.get(name).apply(emulator)
