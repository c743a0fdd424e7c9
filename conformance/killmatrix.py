"""The kill matrix: how a self-test run becomes a verdict, the totals, and the printed matrix.

A defect is killed when its run fails a requirement (MUST or provider documentation), or,
for a defect against a SHOULD-level requirement, warns on one the conformant run did not
warn on; otherwise it survives. Whether the catch came by a requirement the defect names is
kept as a note on the suite's precision, never a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Matrix", "Row", "RunResult", "judge", "render"]


@dataclass(frozen=True, slots=True)
class RunResult:
    """One suite run, as its results.json tells it."""

    profile: str
    defect: str | None
    exit_code: int
    failed: tuple[str, ...]
    warned: tuple[str, ...]
    seconds: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One defect against one profile."""

    profile: str
    defect: str
    area: str
    summary: str
    expected: tuple[str, ...]
    status: str  # killed | survived | error
    by: str | None  # failure | warning (how it was killed)
    caught_by: tuple[str, ...]  # the requirements failed, then those newly warned on
    warned: tuple[str, ...]  # of caught_by, the ones warned on (not warned on when conformant)
    precise: bool  # caught (also) by a requirement the defect names
    seconds: float
    error: str | None = None


@dataclass
class Matrix:
    jobs: int
    wall_seconds: float
    baselines: list[RunResult] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def false_failures(self) -> int:
        return sum(
            len(b.failed) + (1 if b.error or (b.exit_code and not b.failed) else 0) for b in self.baselines
        )

    @property
    def killed(self) -> int:
        return sum(1 for r in self.rows if r.status == "killed")

    @property
    def survivors(self) -> list[Row]:
        return [r for r in self.rows if r.status != "killed"]

    @property
    def ok(self) -> bool:
        return not self.survivors and self.false_failures == 0

    def totals(self) -> dict[str, Any]:
        per_profile = {
            b.profile: {
                "defects": sum(1 for r in self.rows if r.profile == b.profile),
                "killed": sum(1 for r in self.rows if r.profile == b.profile and r.status == "killed"),
                "false_failures": len(b.failed),
            }
            for b in self.baselines
        }
        runs = len(self.rows)
        return {
            "profiles": per_profile,
            "defect_runs": runs,
            "distinct_defects": len({r.defect for r in self.rows}),
            "killed": self.killed,
            "killed_by_warning": sum(1 for r in self.rows if r.by == "warning"),
            "survived": [f"{r.profile}:{r.defect}" for r in self.survivors],
            "mutation_score": round(self.killed / runs, 4) if runs else 1.0,
            "imprecise": sum(1 for r in self.rows if r.status == "killed" and not r.precise),
            "false_failures": self.false_failures,
            "wall_seconds": round(self.wall_seconds, 1),
            "jobs": self.jobs,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals(),
            "conformant": [asdict(b) for b in self.baselines],
            "defects": [asdict(r) for r in self.rows],
        }


def judge(profile: str, defect_name: str, run: RunResult, baseline: RunResult) -> Row:
    """Killed by a failure; or, for a defect against a SHOULD, by a warning the conformant run lacks."""
    from conformance.emulator.defects import get_defect
    from conformance.requirements import get

    found = get_defect(defect_name)
    new_warnings = sorted(set(run.warned) - set(baseline.warned))
    caught = (*sorted(run.failed), *new_warnings)
    against_should = any(not get(i).level.fails_run for i in found.violates)
    if run.error is not None:
        status, by = "error", None
    elif run.failed:
        status, by = "killed", "failure"
    elif new_warnings and against_should:
        status, by = "killed", "warning"
    else:
        status, by = "survived", None
    return Row(
        profile=profile,
        defect=found.name,
        area=found.area,
        summary=found.summary,
        expected=found.violates,
        status=status,
        by=by,
        caught_by=caught,
        warned=tuple(new_warnings),
        precise=bool(set(found.violates) & set(caught)),
        seconds=round(run.seconds, 2),
        error=run.error,
    )


def _ids(ids: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" +{len(ids) - limit}" if len(ids) > limit else "") if ids else "-"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render(matrix: Matrix) -> str:
    """The kill matrix as text: one block per profile, one line per defect, then the totals."""
    lines = [
        f"conformance selftest: the suite against {len(matrix.rows)} defect runs on "
        f"{_plural(len(matrix.baselines), 'profile')}, {_plural(matrix.jobs, 'job')}",
        "",
    ]
    width = max((len(r.defect) for r in matrix.rows), default=20)
    for baseline in matrix.baselines:
        verdict = "0 failures"
        if baseline.error:
            verdict = f"ERROR {baseline.error}"
        elif baseline.failed:
            verdict = f"FALSE FAILURES {_ids(baseline.failed, 8)}"
        lines.append(
            f"{baseline.profile}: conformant emulator {verdict} "
            f"({len(baseline.warned)} warnings, {baseline.seconds:.2f} s)"
        )
        for row in (r for r in matrix.rows if r.profile == baseline.profile):
            result = {"killed": "killed", "survived": "SURVIVED", "error": "ERROR"}[row.status]
            if row.by == "warning":
                result = "killed (warning)"
            if row.error:
                detail = row.error
            else:
                hits = sorted(row.caught_by, key=lambda i: i not in row.expected)  # expected ones first
                caught = [f"{i} (warned)" if i in row.warned else i for i in hits]
                detail = f"by {_ids(caught)}; expected {_ids(row.expected)}"
                if row.status == "killed" and not row.precise:
                    detail += " (caught by another requirement)"
            lines.append(f"  {row.defect:<{width}}  {result:<16}  {row.seconds:6.2f} s  {detail}")
        lines.append("")
    totals = matrix.totals()
    for name, counts in totals["profiles"].items():
        lines.append(f"{name}: {counts['killed']}/{counts['defects']} defects killed")
    score = totals["mutation_score"] * 100
    lines.append(
        f"mutation score {totals['killed']}/{totals['defect_runs']} = {score:.1f}% "
        f"({totals['distinct_defects']} distinct defects, {totals['killed_by_warning']} killed by a "
        f"SHOULD warning, {totals['imprecise']} caught by another requirement than expected); "
        f"false failures on the conformant emulator: {totals['false_failures']}; "
        f"wall time {totals['wall_seconds']:.1f} s with {totals['jobs']} jobs"
    )
    if matrix.survivors:
        lines.append("survivors: " + ", ".join(totals["survived"]))
    return "\n".join(lines) + "\n"
