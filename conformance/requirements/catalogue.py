"""The requirement record and the registry every check names its requirement from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from conformance.registry import Registry
from conformance.requirements.peers import PeerTest

__all__ = ["REQUIREMENTS", "Level", "Requirement", "all_requirements", "get", "register"]


class Level(StrEnum):
    """How much a requirement weighs: MUST and PROVIDER fail a run, SHOULD and INFO warn."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    PROVIDER = "PROVIDER-DOC"
    INFO = "INFO"

    @property
    def fails_run(self) -> bool:
        return self in (Level.MUST, Level.PROVIDER)


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    level: Level
    source: str
    statement: str
    # The tests of other servers' suites that assert the same behaviour (repository and test).
    peers: tuple[PeerTest, ...] = ()

    def __str__(self) -> str:
        return f"{self.id} [{self.level.value}, {self.source}]"


# Filled by the modules of `conformance.requirements`, which freezes it once they have loaded.
REQUIREMENTS: Registry[Requirement] = Registry(
    "requirement",
    load="conformance.requirements",
    unknown=lambda id, hint: KeyError(f"unknown requirement id {id!r}"),
)


def register(
    id: str, level: Level, source: str, statement: str, peers: Iterable[PeerTest] = ()
) -> Requirement:
    return REQUIREMENTS.register(id, Requirement(id, level, source, statement, tuple(peers)))


def get(id: str) -> Requirement:
    return REQUIREMENTS.get(id)


def all_requirements() -> list[Requirement]:
    return REQUIREMENTS.values()
