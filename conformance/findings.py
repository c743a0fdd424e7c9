"""Findings: the target does not do what a requirement says. Kept apart from tool errors."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

from conformance.client.exchange import Exchange
from conformance.requirements import Requirement

__all__ = ["Finding", "FindingLog", "Observation"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One requirement not met: what was expected, what came back, and the exchange."""

    requirement: Requirement
    expected: str
    got: str
    exchange: Exchange | None = None

    @property
    def fails_run(self) -> bool:
        return self.requirement.level.fails_run

    def render(self) -> str:
        req = self.requirement
        lines = [
            f"{req.id} [{req.level.value}, {req.source}]: {req.statement}",
            f"  expected: {self.expected}",
            f"  got:      {self.got}",
        ]
        if self.exchange is not None:
            lines.append(f"  exchange: {self.exchange.summary()}")
            lines.append(f"  replay:   {self.exchange.curl()}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "requirement": self.requirement.id,
            "level": self.requirement.level.value,
            "source": self.requirement.source,
            "expected": self.expected,
            "got": self.got,
            "exchange": self.exchange.seq if self.exchange else None,
        }


@dataclass(frozen=True, slots=True)
class Observation:
    """A requirement the test checked and saw hold, in full or in part, or could not check.

    `partial`: checked only in part (a window of a token's life, a search that found nothing
    in N examples); the note says what was covered.
    """

    requirement: Requirement
    status: Literal["passed", "partial", "skipped"]
    note: str = ""


@dataclass
class FindingLog:
    """Everything one test learned: findings, observations, and its exchanges."""

    findings: list[Finding] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    stopped: str | None = None  # why the scenario could not run to its end
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, finding: Finding) -> None:
        with self._lock:
            if finding not in self.findings:
                self.findings.append(finding)

    def extend(self, findings: list[Finding]) -> None:
        for finding in findings:
            self.add(finding)

    def held(self, requirement: Requirement, note: str = "") -> None:
        with self._lock:
            self.observations.append(Observation(requirement, "passed", note))

    def partial(self, requirement: Requirement, covered: str) -> None:
        """Checked in part only; `covered` says what was seen (no violation in that part)."""
        with self._lock:
            self.observations.append(Observation(requirement, "partial", covered))

    def not_checked(self, requirement: Requirement, reason: str) -> None:
        with self._lock:
            self.observations.append(Observation(requirement, "skipped", reason))

    def __getstate__(self) -> dict[str, object]:
        # An xdist worker hands its logs to the controller; a lock does not travel.
        return {name: value for name, value in vars(self).items() if name != "_lock"}

    def __setstate__(self, state: dict[str, object]) -> None:
        vars(self).update(state)
        self._lock = threading.Lock()

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.fails_run]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.fails_run]
