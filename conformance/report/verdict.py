"""The verdict of a run in one word and its reason: what every report says first.

The same rules as the exit code (docs/reference/cli.md, *Exit codes*): `fail` (1) when a MUST or provider-
documented requirement fails and no baseline accepts it (or, under --strict-baseline, a baselined
one now holds); `incomplete` (2) when nothing fails but the run could not establish everything;
`pass` (0) otherwise, deviations a baseline accepts included. A dry run judges nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.report.baseline import ACCEPTED, FIXED
from conformance.report.model import Status

if TYPE_CHECKING:
    from conformance.engine.run import ConformanceRun
    from conformance.report.results import ResultsCollector

__all__ = ["COLOURS", "FAILED_EXIT", "INCOMPLETE_EXIT", "Verdict", "exit_status", "run_verdict"]

COLOURS = {"fail": "#c62828", "incomplete": "#ef6c00", "pass": "#2e7d32", "dry run": "#616161"}


@dataclass(frozen=True, slots=True)
class Verdict:
    word: str  # "pass", "fail", "incomplete" or "dry run"
    reason: str

    @property
    def line(self) -> str:
        return f"{self.word.upper()}: {self.reason}"


def _ids(rows: list[dict[str, Any]], limit: int = 6) -> str:
    ids = [r["id"] if isinstance(r, dict) else str(r) for r in rows]
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def run_verdict(results: ResultsCollector, run: ConformanceRun, rows: list[dict[str, Any]]) -> Verdict:
    if run.settings.dry_run:
        return Verdict("dry run", "nothing was sent, no requirement judged: the requests are listed")
    blocking = results.blocking_failures(rows)
    if blocking:
        fails = "fails" if len(blocking) == 1 else "fail"
        return Verdict("fail", f"{_plural(len(blocking), 'requirement')} {fails}: {_ids(blocking)}")
    baseline = results.baseline_verdicts(rows)
    if results.fails_run(rows):
        fixed = [v["requirement"] for v in baseline if v["verdict"] == FIXED]
        return Verdict("fail", f"--strict-baseline: now holding, remove from the baseline: {_ids(fixed)}")
    if run.unreachable is not None:
        return Verdict("incomplete", f"{run.unreachable}; no scenario was run")
    if run.stopped is not None:
        return Verdict("incomplete", run.stopped)
    if results.incomplete:
        first = results.incomplete[0]
        return Verdict(
            "incomplete",
            f"{_plural(len(results.incomplete), 'test')} could not establish their requirements "
            f"(the first: {first['cause']}); nothing seen fails one",
        )
    parts = ["every MUST-level and provider-documented requirement that was checked holds"]
    accepted = [v for v in baseline if v["verdict"] == ACCEPTED]
    if accepted:
        parts.append(f"{_plural(len(accepted), 'known deviation')} accepted by the baseline")
    warned = [r for r in rows if r["status"] == Status.WARNED]
    if warned:
        parts.append(f"{_plural(len(warned), 'warning')} (SHOULD, advisories)")
    return Verdict("pass", "; ".join(parts))


FAILED_EXIT = 1  # as pytest's own TESTS_FAILED
INCOMPLETE_EXIT = 2  # as pytest's INTERRUPTED: the run could not be completed


def exit_status(results: ResultsCollector, run: ConformanceRun, pytest_status: int) -> int:
    """The run's exit code, by the rules of its verdict; pytest's own where they say nothing (a
    dry run judges nothing; a usage error or a crash of the suite stays pytest's)."""
    if run.settings.dry_run:
        return pytest_status
    if results.fails_run():
        return FAILED_EXIT
    if run.unreachable is not None or run.stopped is not None or results.incomplete:
        # Could not be completed: nothing proven wrong, but not everything established either.
        return INCOMPLETE_EXIT
    if results.baseline is not None and pytest_status == FAILED_EXIT:
        # Every test failed on findings the baseline accepts: the run passes.
        return 0
    return pytest_status
