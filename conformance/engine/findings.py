"""Findings: the target does not do what a requirement says. Kept apart from tool errors.

One cause is blamed once. A finding may say which other requirements' failure would explain it
(`follows_from`): a refusal of a request the server could not read is the answer to a request
missing its parameters; a refusal that names no RFC 6749 error code cannot name the right one.
When one of those fails by evidence of its own, the finding is reported as following from it
(`explained_by`), not as a failure of its own. Within one exchange, what an exchange check says of
an answer's form (its challenge, status or error body: `judges="form"`) follows from a finding
that the exchange should not have been refused at all (`judges="outcome"`): see `attribute`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from conformance.client.exchange import Exchange
from conformance.requirements import Requirement

__all__ = ["Explanations", "Finding", "FindingLog", "Judges", "Observation", "attribute"]

# What a finding judges of its exchange: "outcome", the request should have succeeded and did not;
# "form", how an answer looks (an exchange check's audit); "" anything else.
Judges = Literal["outcome", "form", ""]


@dataclass(frozen=True, slots=True)
class Finding:
    """One requirement not met: what was expected, what came back, and the exchange."""

    requirement: Requirement
    expected: str
    got: str
    exchange: Exchange | None = None
    # The causes whose failure (by evidence of their own) would explain this finding: a
    # requirement id, or `ID#tag` for one kind of finding on it (`tag`).
    follows_from: tuple[str, ...] = ()
    judges: Judges = ""
    # Which finding of its requirement this is, for findings that follow from it alone: the
    # documented request refused ("documented") is a cause narrower than any failure of 4.3-issue.
    tag: str = ""

    @property
    def fails_run(self) -> bool:
        return self.requirement.level.fails_run

    def render(self, rerun: str | None = None, label: tuple[str, str] | None = None) -> str:
        """The finding for a person: requirement, expected, got, the exchange, and how to see it
        again. `rerun`: the `conformance replay` command of this finding, where the run wrote a
        results.json. A request that stands alone replays with its curl line; one that needs
        earlier exchanges (a token they issued) shows its request, and replays by `rerun`.
        `label`: (level, source) as the run shows them (a client's assumption), if not the
        catalogue's."""
        req = self.requirement
        level, source = label or (req.level.value, req.source)
        lines = [
            f"{req.id} [{level}, {source}]: {req.statement}",
            f"  expected: {self.expected}",
            f"  got:      {self.got}",
        ]
        exchange = self.exchange
        if exchange is not None:
            lines.append(f"  exchange: {exchange.summary()}")
            if exchange.standalone:
                lines.append(f"  replay:   {exchange.replay}")
            else:
                why = exchange.replay_blocked or "its request was not recorded whole"
                lines.append(f"  request:  {exchange.curl()}")
                if rerun is None:
                    lines.append(f"  replay:   not as one line ({why}): write reports to replay it")
                else:
                    lines.append(f"  replay:   {rerun}  # not as one line: {why}")
                    rerun = None
        if rerun is not None:
            lines.append(f"  rerun:    {rerun}")
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

    @property
    def causes(self) -> tuple[str, ...]:
        """The causes this finding establishes, when nothing explains it."""
        rid = self.requirement.id
        return (rid, f"{rid}#{self.tag}") if self.tag else (rid,)

    def following(self, *causes: Requirement | str) -> Finding:
        """This finding, explained should any of `causes` (requirements, or `ID#tag` causes)
        fail by evidence of its own."""
        keys = [c.id if isinstance(c, Requirement) else c for c in causes]
        new = tuple(k for k in keys if k not in self.follows_from and k.split("#")[0] != self.requirement.id)
        return replace(self, follows_from=self.follows_from + new)


def attribute(findings: Iterable[Finding]) -> list[Finding]:
    """`findings` with what each exchange's outcome explains: on an exchange that should not have
    been refused, the judgements of the refusal's form follow from that outcome's requirement
    (a valid token refused is one deviation, not also a challenge that lacks invalid_token)."""
    findings = list(findings)
    outcomes: dict[int, list[str]] = {}
    for finding in findings:
        if finding.judges == "outcome" and finding.exchange is not None:
            outcomes.setdefault(id(finding.exchange), []).append(finding.requirement.id)
    if not outcomes:
        return findings
    return [
        finding.following(*outcomes[id(finding.exchange)])
        if finding.judges == "form" and finding.exchange is not None and id(finding.exchange) in outcomes
        else finding
        for finding in findings
    ]


class Explanations:
    """Which findings of a run follow from another failure, through any chain of causes.

    A finding follows from a cause that fails: the cause's own findings may follow from another
    in turn (a changed request refused as the documented one is, the documented one refused
    because the server does not form-decode Basic credentials), and the finding is reported as
    following from the root: a cause that fails by evidence of its own. Of causes that only
    explain each other, one stands: a shown deviation never vanishes in a loop. A cause may be a
    SHOULD where the requirement presupposes it (a server that does not revoke access tokens, as
    RFC 7009 lets it, owes no search for them whatever the hint).
    """

    def __init__(self, findings: Iterable[Finding]) -> None:
        self._by_cause: dict[str, list[Finding]] = {}
        for finding in findings:
            for cause in finding.causes:
                self._by_cause.setdefault(cause, []).append(finding)
        self._standing = self._ground()

    def _live(self, finding: Finding) -> list[str]:
        """The causes that can explain `finding`: those with findings of their own."""
        return [cause for cause in finding.follows_from if cause in self._by_cause]

    def _ground(self) -> set[str]:
        """The causes that fail by evidence of their own: one of their findings nothing explains.
        Where causes only explain each other, the first by id stands (the same every run)."""
        standing = {c for c, found in self._by_cause.items() if any(not self._live(f) for f in found)}
        while True:
            resolved = set(standing)
            grown = True
            while grown:
                grown = False
                for cause, found in self._by_cause.items():
                    if cause not in resolved and all(
                        any(c in resolved for c in self._live(f)) for f in found
                    ):
                        resolved.add(cause)
                        grown = True
            left = set(self._by_cause) - resolved
            if not left:
                return standing
            standing.add(min(left))

    def _root(self, cause: str, visiting: frozenset[str]) -> str | None:
        """The requirement id at the root of `cause`'s failure, not through `visiting`."""
        if cause in self._standing:
            return cause.split("#")[0]
        for finding in self._by_cause.get(cause, []):
            for deeper in self._live(finding):
                if deeper not in visiting:
                    root = self._root(deeper, visiting | {cause})
                    if root is not None:
                        return root
        return None

    def explained_by(self, finding: Finding) -> str | None:
        """The requirement, failing by evidence of its own, that explains `finding`, if any."""
        own = frozenset(finding.causes)
        for cause in self._live(finding):
            root = self._root(cause, own)
            if root is not None and root != finding.requirement.id:
                return root
        return None


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
