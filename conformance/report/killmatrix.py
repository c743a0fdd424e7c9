"""The kill matrix: how self-test runs become verdicts, the totals, and the printed matrix.

Three measures, each against the conformant run of the same profile (the baseline):

* **Kills.** A defect is killed when its run fails a requirement (MUST or provider
  documentation), or, for a defect against a SHOULD-level requirement, warns on one the
  conformant run did not warn on, or when the target stopped answering and the run said so
  (exit 2, "the target did not answer": no statement is proven false by silence, but a user
  sees the run fail); otherwise it survives.
* **Blame.** A defect declares the requirements it breaks (`violates`). Any other requirement
  its run fails, or newly warns on, that the conformant run did not is *spurious blame*: a
  verdict on a requirement with no deviation behind it.
* **False alarms.** A benign variant (behaviour the RFCs allow, as real servers show it) passes
  when its run fails no requirement, warns on none the conformant run did not, and completes
  (exit 0, no requirement left "not established").

A run is *incomplete* when its results.json says so (tests that failed with no finding behind
them leave their requirements "not established"); the matrix shows it on every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.report.model import Status, verdicts_of
from conformance.report.results import NOT_ESTABLISHED, TARGET_SILENT

__all__ = ["Matrix", "Row", "RunResult", "VariantRow", "judge", "judge_variant", "read_results", "render"]


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
    variant: str | None = None
    incomplete: tuple[str, ...] = ()  # why: "test: cause", as results.json lists them
    not_established: tuple[str, ...] = ()  # requirement ids left "not established"
    # Every requirement's status (id, status): what a defect left unchanged is compared by it.
    statuses: tuple[tuple[str, str], ...] = ()


def read_results(document: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    """(failed, warned, incomplete causes, not-established ids) from a results.json document."""
    verdicts = verdicts_of(document)
    failed = tuple(v.id for v in verdicts if v.status is Status.FAILED)
    warned = tuple(v.id for v in verdicts if v.status is Status.WARNED)
    not_established = tuple(v.id for v in verdicts if v.message.startswith(NOT_ESTABLISHED))
    causes: list[str] = []
    listed = document.get("incomplete")
    if isinstance(listed, list):
        for entry in listed:
            if isinstance(entry, dict):
                causes.append(f"{entry.get('test', '?')}: {entry.get('cause', '?')}")
            else:
                causes.append(str(entry))
    # Requirements left "not established" by a search stopped at its counterexample do not make a
    # run incomplete; results.json's own verdict does.
    if not causes and document.get("complete") is False:
        causes.append("results.json says the run is incomplete")
    return failed, warned, tuple(causes), not_established


@dataclass(frozen=True, slots=True)
class Row:
    """One defect against one profile."""

    profile: str
    defect: str
    area: str
    summary: str
    expected: tuple[str, ...]
    status: str  # killed | survived | error
    by: str | None  # failure | warning | no answer (how it was killed)
    caught_by: tuple[str, ...]  # the requirements failed, then those newly warned on
    warned: tuple[str, ...]  # of caught_by, the ones warned on (not warned on when conformant)
    precise: bool  # caught (also) by a requirement the defect names
    seconds: float
    error: str | None = None
    spurious: tuple[str, ...] = ()  # blamed, not named by the defect, not failed when conformant
    incomplete: tuple[str, ...] = ()
    # Requirements not named by the defect whose status differs from the conformant run's: what
    # a deviation hid or changed beyond what it breaks ("id: before -> after").
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VariantRow:
    """One benign variant against one profile."""

    profile: str
    variant: str
    summary: str
    allowed_by: str
    status: str  # passed | false alarm | incomplete | error
    failed: tuple[str, ...]  # requirements the run failed
    warned: tuple[str, ...]  # requirements warned on that the conformant run did not warn on
    exit_code: int
    seconds: float
    error: str | None = None
    incomplete: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class Matrix:
    jobs: int
    wall_seconds: float
    baselines: list[RunResult] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    variant_rows: list[VariantRow] = field(default_factory=list)

    @property
    def false_failures(self) -> int:
        return sum(
            len(b.failed) + (1 if b.error or (b.exit_code and not b.failed) else 0) for b in self.baselines
        )

    @property
    def incomplete_baselines(self) -> list[RunResult]:
        return [b for b in self.baselines if b.incomplete or b.not_established]

    @property
    def killed(self) -> int:
        return sum(1 for r in self.rows if r.status == "killed")

    @property
    def survivors(self) -> list[Row]:
        return [r for r in self.rows if r.status != "killed"]

    @property
    def false_alarms(self) -> list[VariantRow]:
        return [v for v in self.variant_rows if not v.passed]

    @property
    def spurious_blame(self) -> int:
        return sum(len(r.spurious) for r in self.rows)

    @property
    def ok(self) -> bool:
        return (
            not self.survivors
            and self.false_failures == 0
            and not self.incomplete_baselines
            and not self.false_alarms
            and self.spurious_blame == 0
        )

    def totals(self) -> dict[str, Any]:
        per_profile = {
            b.profile: {
                "defects": sum(1 for r in self.rows if r.profile == b.profile),
                "killed": sum(1 for r in self.rows if r.profile == b.profile and r.status == "killed"),
                "false_failures": len(b.failed),
                "variants": sum(1 for v in self.variant_rows if v.profile == b.profile),
                "variants_passed": sum(1 for v in self.variant_rows if v.profile == b.profile and v.passed),
            }
            for b in self.baselines
        }
        runs, variant_runs = len(self.rows), len(self.variant_rows)
        passed = variant_runs - len(self.false_alarms)
        return {
            "profiles": per_profile,
            "defect_runs": runs,
            "distinct_defects": len({r.defect for r in self.rows}),
            "killed": self.killed,
            "killed_by_warning": sum(1 for r in self.rows if r.by == "warning"),
            "survived": [f"{r.profile}:{r.defect}" for r in self.survivors],
            "mutation_score": round(self.killed / runs, 4) if runs else 1.0,
            # Killed by a requirement, but not one the defect names (a silent target names none).
            "imprecise": sum(
                1 for r in self.rows if r.status == "killed" and r.by != "no answer" and not r.precise
            ),
            "killed_by_no_answer": sum(1 for r in self.rows if r.by == "no answer"),
            "spurious_blame": self.spurious_blame,
            "spurious_by_defect": {
                f"{r.profile}:{r.defect}": list(r.spurious) for r in self.rows if r.spurious
            },
            # Informational: a defect that stops issuance rightly leaves much unchecked.
            "changed_by_defect": {f"{r.profile}:{r.defect}": list(r.changed) for r in self.rows if r.changed},
            "variant_runs": variant_runs,
            "distinct_variants": len({v.variant for v in self.variant_rows}),
            "variants_passed": passed,
            "benign_pass_rate": round(passed / variant_runs, 4) if variant_runs else 1.0,
            "false_alarms": {
                f"{v.profile}:{v.variant}": [*v.failed, *(f"{i} (warned)" for i in v.warned)] or [v.status]
                for v in self.false_alarms
            },
            "incomplete_runs": self._incomplete_names(),
            "false_failures": self.false_failures,
            "wall_seconds": round(self.wall_seconds, 1),
            "jobs": self.jobs,
        }

    def _incomplete_names(self) -> list[str]:
        names = [f"{b.profile}:conformant" for b in self.incomplete_baselines]
        names += [f"{r.profile}:{r.defect}" for r in self.rows if r.incomplete]
        names += [f"{v.profile}:{v.variant}" for v in self.variant_rows if v.incomplete]
        return names

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals(),
            "conformant": [asdict(b) for b in self.baselines],
            "defects": [asdict(r) for r in self.rows],
            "variants": [asdict(v) for v in self.variant_rows],
        }


def judge(profile: str, defect_name: str, run: RunResult, baseline: RunResult) -> Row:
    """Killed by a failure; or, for a defect against a SHOULD, by a warning the conformant run lacks.

    Whatever it is killed by, every failure or new warning on a requirement the defect does not
    name, and the conformant run did not fail, is spurious blame.
    """
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
    elif run.exit_code == 2 and any(TARGET_SILENT in cause for cause in run.incomplete):
        status, by = "killed", "no answer"
    else:
        status, by = "survived", None
    named, conformant = set(found.violates), set(baseline.failed)
    spurious = tuple(i for i in caught if i not in named and i not in conformant)
    before, after = dict(baseline.statuses), dict(run.statuses)
    changed = tuple(
        f"{i}: {before[i]} -> {after[i]}"
        for i in before
        if i in after and i not in named and before[i] != after[i]
    )
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
        precise=bool(named & set(caught)),
        seconds=round(run.seconds, 2),
        error=run.error,
        spurious=spurious,
        incomplete=run.incomplete,
        changed=changed,
    )


def judge_variant(profile: str, variant_name: str, run: RunResult, baseline: RunResult) -> VariantRow:
    """Passed only when the run failed nothing, warned on nothing new, and completed."""
    from conformance.emulator.variants import get_variant

    found = get_variant(variant_name)
    new_warnings = tuple(sorted(set(run.warned) - set(baseline.warned)))
    incomplete = run.incomplete or tuple(f"{i}: {NOT_ESTABLISHED}" for i in run.not_established)
    if run.error is not None:
        status = "error"
    elif run.failed or new_warnings or (run.exit_code != 0 and not incomplete):
        status = "false alarm"
    elif incomplete or run.exit_code != 0:
        status = "incomplete"
    else:
        status = "passed"
    return VariantRow(
        profile=profile,
        variant=found.name,
        summary=found.summary,
        allowed_by=found.allowed_by,
        status=status,
        failed=tuple(sorted(run.failed)),
        warned=new_warnings,
        exit_code=run.exit_code,
        seconds=round(run.seconds, 2),
        error=run.error,
        incomplete=incomplete,
    )


def _ids(ids: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" +{len(ids) - limit}" if len(ids) > limit else "") if ids else "-"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole if whole else 100:.1f}%"


def _defect_line(row: Row, width: int) -> str:
    result = {"killed": "killed", "survived": "SURVIVED", "error": "ERROR"}[row.status]
    if row.by in ("warning", "no answer"):
        result = f"killed ({row.by})"
    if row.error:
        detail = row.error
    else:
        hits = sorted(row.caught_by, key=lambda i: i not in row.expected)  # expected ones first
        caught = [f"{i} (warned)" if i in row.warned else i for i in hits]
        detail = f"by {_ids(caught)}; expected {_ids(row.expected)}"
        if row.by == "no answer":
            detail = f"{TARGET_SILENT}: the run stopped incomplete (exit 2); declared {_ids(row.expected)}"
        elif row.status == "killed" and not row.precise:
            detail += " (caught by another requirement)"
    if row.spurious:
        shown = [f"{i} (warned)" if i in row.warned else i for i in row.spurious]
        detail += f"; SPURIOUS BLAME {_ids(shown, 8)}"
    if row.incomplete:
        detail += f"; incomplete ({_plural(len(row.incomplete), 'test')} not established)"
    return f"  {row.defect:<{width}}  {result:<16}  {row.seconds:6.2f} s  {detail}"


def _variant_line(row: VariantRow, width: int) -> str:
    result = {"passed": "passed", "false alarm": "FALSE ALARM", "incomplete": "INCOMPLETE"}.get(
        row.status, "ERROR"
    )
    if row.error:
        detail = row.error
    elif row.status == "passed":
        detail = row.summary
    else:
        blamed = [*row.failed, *(f"{i} (warned)" for i in row.warned)]
        detail = f"blamed {_ids(blamed, 8)}" if blamed else f"exit {row.exit_code}"
        if row.incomplete:
            detail += f"; not established: {_ids(row.incomplete, 2)}"
    return f"  {row.profile:<12} {row.variant:<{width}}  {result:<11}  {row.seconds:6.2f} s  {detail}"


def render(matrix: Matrix) -> str:
    """The matrix as text: one block per profile, the benign variants, then the totals."""
    lines = [
        f"conformance selftest: the suite against {len(matrix.rows)} defect runs and "
        f"{len(matrix.variant_rows)} benign variant runs on {_plural(len(matrix.baselines), 'profile')}, "
        f"{_plural(matrix.jobs, 'job')}",
        "",
    ]
    width = max((len(r.defect) for r in matrix.rows), default=20)
    for baseline in matrix.baselines:
        verdict = "0 failures"
        if baseline.error:
            verdict = f"ERROR {baseline.error}"
        elif baseline.failed:
            verdict = f"FALSE FAILURES {_ids(baseline.failed, 8)}"
        if baseline.incomplete or baseline.not_established:
            verdict += f", INCOMPLETE {_ids(baseline.not_established or baseline.incomplete, 4)}"
        lines.append(
            f"{baseline.profile}: conformant emulator {verdict} "
            f"({len(baseline.warned)} warnings, {baseline.seconds:.2f} s)"
        )
        lines += [_defect_line(r, width) for r in matrix.rows if r.profile == baseline.profile]
        lines.append("")
    if matrix.variant_rows:
        lines.append("benign variants (what the RFCs allow; each must fail nothing and warn on nothing new):")
        vwidth = max(len(v.variant) for v in matrix.variant_rows)
        lines += [_variant_line(v, vwidth) for v in matrix.variant_rows]
        lines.append("")
    totals = matrix.totals()
    for name, counts in totals["profiles"].items():
        lines.append(
            f"{name}: {counts['killed']}/{counts['defects']} defects killed, "
            f"{counts['variants_passed']}/{counts['variants']} benign variants passed"
        )
    lines.append(
        f"mutation score {_percent(totals['killed'], totals['defect_runs'])} "
        f"({totals['distinct_defects']} distinct defects, {totals['killed_by_warning']} killed by a "
        f"SHOULD warning, {totals['killed_by_no_answer']} by the run stopping without an answer, "
        f"{totals['imprecise']} caught by another requirement than expected); "
        f"false failures on the conformant emulator: {totals['false_failures']}"
    )
    spurious_runs = len(totals["spurious_by_defect"])
    lines.append(
        f"benign pass rate {_percent(totals['variants_passed'], totals['variant_runs'])} "
        f"({totals['distinct_variants']} distinct variants); spurious blame: {totals['spurious_blame']} "
        f"(in {_plural(spurious_runs, 'defect run')}); incomplete runs: {len(totals['incomplete_runs'])}; "
        f"wall time {totals['wall_seconds']:.1f} s with {totals['jobs']} jobs"
    )
    if matrix.survivors:
        lines.append("survivors: " + ", ".join(totals["survived"]))
    if matrix.false_alarms:
        lines.append("false alarms: " + ", ".join(totals["false_alarms"]))
    if totals["spurious_by_defect"]:
        lines.append(
            "spurious blame: "
            + "; ".join(f"{k} -> {', '.join(v)}" for k, v in totals["spurious_by_defect"].items())
        )
    if totals["incomplete_runs"]:
        lines.append("incomplete: " + ", ".join(totals["incomplete_runs"]))
    return "\n".join(lines) + "\n"
