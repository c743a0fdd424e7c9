"""`conformance selftest`: the suite tested by the emulator's defect catalogue (the kill matrix).

The emulator is the reference implementation of a profile: the whole suite against it must
pass (a failure there is a false alarm), and against it with any one defect switched on the
suite must notice (a defect it misses survives). Each run is the ordinary scenario suite
under pytest, in a worker process, reading the run's results.json like any tool would:

    pytest --pyargs conformance.scenarios --conformance-profile P --conformance-emulate
           --conformance-defect D --conformance-timeout 2 --conformance-report-dir DIR

A defect is killed when its run fails a requirement, or, for a defect against a SHOULD-level
requirement, warns on one the conformant run did not warn on. The matrix also says whether
the catch came by a requirement the defect names (a note on the suite's precision, not a
failure). Runs are independent, so they spread over processes and the matrix is the same
whatever the number of jobs.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import UsageError

__all__ = [
    "SELFTEST_PROFILE_DIR",
    "SELFTEST_TIMEOUT",
    "Matrix",
    "Row",
    "RunResult",
    "Subject",
    "judge",
    "run_suite",
    "selftest",
    "subjects",
]

# The client timeout of every self-test run: stalling defects must exceed it (hooks.STALL_SECONDS).
SELFTEST_TIMEOUT = 2.0
SEED_PROFILES = ("tourpaq", "daysoutguide")
SELFTEST_PROFILE_DIR = Path(__file__).resolve().parent / "selftest_profiles"
# Profiles that exist only to host defects their parent cannot: name -> parent.
_HOSTS = {"tourpaq-assumed": "tourpaq"}
_PYTEST_INI = Path(__file__).resolve().parent / "_pytest.ini"


@dataclass(frozen=True, slots=True)
class Subject:
    """One profile the self-test runs, and which of its applicable defects it runs."""

    ref: str  # as given to --conformance-profile: a built-in name or a path
    name: str
    parent: str | None = None  # a host profile runs only the defects `parent` cannot host


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
    caught_by: tuple[str, ...]
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


# -- which profiles, which defects ------------------------------------------------------------
def subjects(names: Sequence[str] = ()) -> list[Subject]:
    """The profiles to run: the seeds and the self-test host profiles, or the ones named."""
    from conformance.profile import load_profile

    chosen = list(names) or [*SEED_PROFILES, *_HOSTS]
    found = []
    for name in chosen:
        host = SELFTEST_PROFILE_DIR / f"{name}.yaml"
        ref = str(host) if host.is_file() else name
        profile = load_profile(ref)
        found.append(Subject(ref, profile.name, _HOSTS.get(profile.name)))
    return found


def _defects_for(subject: Subject, only: Sequence[str]) -> list[str]:
    from conformance.emulator.defects import applicable, get_defect
    from conformance.profile import load_profile

    names = [d.name for d in applicable(load_profile(subject.ref))]
    if subject.parent is not None:
        hosted = {d.name for d in applicable(load_profile(subject.parent))}
        names = [n for n in names if n not in hosted]
    if only:
        wanted = {get_defect(n).name for n in only}
        names = [n for n in names if n in wanted]
    return names


# -- one run ----------------------------------------------------------------------------------
def run_suite(profile_ref: str, defect: str | None, timeout: float = SELFTEST_TIMEOUT) -> RunResult:
    """The scenario suite against the emulator of `profile_ref` with `defect` (None: conformant).

    In-process pytest: call it in a process of its own (the self-test's workers do).
    """
    import pytest

    report_dir = Path(tempfile.mkdtemp(prefix="conformance-selftest-"))
    argv = [
        "--pyargs",
        "conformance.scenarios",
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        str(_PYTEST_INI),
        "--rootdir",
        str(report_dir),
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "--conformance-profile",
        profile_ref,
        "--conformance-emulate",
        "--conformance-timeout",
        str(timeout),
        "--conformance-report-dir",
        str(report_dir),
    ]
    if defect is not None:
        argv += ["--conformance-defect", defect]
    output = io.StringIO()
    began = time.perf_counter()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            exit_code = int(pytest.main(argv))
        seconds = time.perf_counter() - began
        results_file = report_dir / "results.json"
        if not results_file.is_file():
            tail = output.getvalue().strip().splitlines()[-3:]
            return RunResult(
                profile_ref,
                defect,
                exit_code,
                (),
                (),
                seconds,
                f"no results.json (exit {exit_code}): {' | '.join(tail)}",
            )
        rows = json.loads(results_file.read_text(encoding="utf-8"))["requirements"]
    finally:
        shutil.rmtree(report_dir, ignore_errors=True)
    failed = tuple(r["id"] for r in rows if r["status"] == "failed")
    warned = tuple(r["id"] for r in rows if r["status"] == "warned")
    return RunResult(profile_ref, defect, exit_code, failed, warned, seconds)


def _slow(defect: str | None) -> bool:
    from conformance.emulator.defects import get_defect

    return defect is not None and get_defect(defect).slow


def _warm_up() -> None:
    """Import pytest and its plugins before the first timed run, so run times compare."""
    from importlib.metadata import entry_points

    import pytest  # noqa: F401

    import conformance.plugin  # noqa: F401

    for plugin in entry_points(group="pytest11"):
        with contextlib.suppress(Exception):
            plugin.load()


def _task(task: tuple[str, str | None, float]) -> RunResult:
    return run_suite(*task)


# -- the matrix -------------------------------------------------------------------------------
def judge(subject: Subject, defect_name: str, run: RunResult, baseline: RunResult) -> Row:
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
        profile=subject.name,
        defect=found.name,
        area=found.area,
        summary=found.summary,
        expected=found.violates,
        status=status,
        by=by,
        caught_by=caught,
        precise=bool(set(found.violates) & set(caught)),
        seconds=round(run.seconds, 2),
        error=run.error,
    )


def selftest(
    profiles: Sequence[str] = (),
    *,
    jobs: int | None = None,
    defects: Sequence[str] = (),
    timeout: float = SELFTEST_TIMEOUT,
) -> Matrix:
    """Run the conformant emulator and every applicable defect of every profile; the matrix."""
    plan = [(subject, _defects_for(subject, defects)) for subject in subjects(profiles)]
    tasks = [(subject.ref, name, timeout) for subject, names in plan for name in (None, *names)]
    jobs = max(1, jobs or os.cpu_count() or 1)
    # Stalling defects take seconds each: start them first so they overlap the quick ones.
    order = sorted(range(len(tasks)), key=lambda i: not _slow(tasks[i][1]))
    began = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_warm_up) as pool:
        futures = {i: pool.submit(_task, tasks[i]) for i in order}
        results = iter([futures[i].result() for i in range(len(tasks))])
    matrix = Matrix(jobs=jobs, wall_seconds=time.perf_counter() - began)
    for subject, names in plan:
        baseline = _named(next(results), subject.name)
        matrix.baselines.append(baseline)
        matrix.rows += [judge(subject, name, next(results), baseline) for name in names]
    return matrix


def _named(run: RunResult, name: str) -> RunResult:
    return RunResult(
        name, run.defect, run.exit_code, run.failed, run.warned, round(run.seconds, 2), run.error
    )


def check_jobs(jobs: int | None) -> int | None:
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: at least 1")
    return jobs


# -- output -----------------------------------------------------------------------------------
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
                result = "warned"
            note = "" if row.precise or row.status != "killed" else f"  (expected {_ids(row.expected)})"
            detail = row.error if row.error else _ids(row.caught_by)
            lines.append(f"  {row.defect:<{width}}  {result:<8}  {row.seconds:6.2f} s  {detail}{note}")
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


def command(args: Any) -> int:
    """The `conformance selftest` handler: exit 0 only when every defect dies and nothing false fails."""
    matrix = selftest(args.profile or (), jobs=check_jobs(args.jobs), defects=args.defect or ())
    print(render(matrix), end="")
    if args.json is not None:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(matrix.to_dict(), indent=2) + "\n", encoding="utf-8")
    return 0 if matrix.ok else 1


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--profile",
        action="append",
        metavar="NAME",
        help="only this profile (repeatable; default: tourpaq, daysoutguide, tourpaq-assumed)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the matrix as JSON")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: CPU count)")
    parser.add_argument("--defect", action="append", metavar="NAME", help="only this defect (repeatable)")
