"""One registry: names to items, each registered once, looked up with a did-you-mean hint.

The requirement catalogue, the exchange checks, the defects and the benign variants are each a
`Registry`. Its items are registered as the modules that declare them load; a registry that
names the package that declares its items (`load`) imports that package before it answers, so
what it holds never depends on what else happened to be imported first. A closed catalogue is
frozen once its package has loaded: a later registration is a bug, not an extension.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["Registry", "closest"]

T = TypeVar("T")


def closest(name: str, known: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The known name nearest to `name` (a did-you-mean hint), if one is near enough."""
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return found[0] if found else None


def _unknown(kind: str) -> Callable[[str, str], Exception]:
    def error(name: str, hint: str) -> Exception:
        return LookupError(f"no {kind} named {name!r}{hint}")

    return error


class Registry(Generic[T]):
    """Every registered item of one kind ("defect", "requirement"), by name, in registration order.

    `unknown(name, hint)` builds the error for a name not registered; `hint` is
    "; did you mean 'x'?" or "".
    """

    def __init__(
        self,
        kind: str,
        *,
        load: str | None = None,
        unknown: Callable[[str, str], Exception] | None = None,
    ) -> None:
        self.kind = kind
        self._load = load
        self._unknown = unknown or _unknown(kind)
        self._items: dict[str, T] = {}
        self._frozen = False

    def register(self, name: str, item: T) -> T:
        if self._frozen:
            raise ValueError(f"{self.kind} {name} registered after the {self.kind} registry was frozen")
        if name in self._items:
            raise ValueError(f"{self.kind} {name} registered twice")
        self._items[name] = item
        return item

    def freeze(self) -> None:
        """No more registrations: everything of this kind is known."""
        self._frozen = True

    @property
    def frozen(self) -> bool:
        return self._frozen

    def _loaded(self) -> dict[str, T]:
        if self._load is not None and not self._frozen:
            importlib.import_module(self._load)  # a no-op once loaded (or while it loads)
        return self._items

    def get(self, name: str) -> T:
        items = self._loaded()
        found = items.get(name)
        if found is None:
            near = closest(name, items)
            raise self._unknown(name, f"; did you mean {near!r}?" if near else "")
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._loaded()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._loaded()))

    def __len__(self) -> int:
        return len(self._loaded())

    def all(self) -> dict[str, T]:
        return dict(self._loaded())

    def values(self) -> list[T]:
        return list(self._loaded().values())
