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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import UsageError
from conformance.killmatrix import Matrix, RunResult, judge, render

__all__ = [
    "SELFTEST_EXAMPLES",
    "SELFTEST_PROFILE_DIR",
    "SELFTEST_TIMEOUT",
    "Subject",
    "add_arguments",
    "command",
    "run_suite",
    "selftest",
    "subjects",
]

# The client timeout of every self-test run: stalling defects must exceed it (hooks.STALL_SECONDS).
SELFTEST_TIMEOUT = 2.0
# Examples per property-based search in a self-test run: the matrix is 130-odd suite runs, and
# the scripted scenarios must kill every defect on their own; the searches still run, seeded.
SELFTEST_EXAMPLES = 10
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
    argv += _search_budget()
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


def _search_budget() -> list[str]:
    """Small, seeded property searches that stop at the first counterexample.

    A self-test run asks whether the suite notices a defect, not for its minimal example:
    shrinking would spend hundreds of requests per defect. The settings profile the property
    layer uses for live targets (few examples, no shrinking, seeded) is exactly that.
    """
    from conformance.settings import OPTIONS

    argv: list[str] = []
    if any(option[0] == "examples" for option in OPTIONS):
        argv += ["--conformance-examples", str(SELFTEST_EXAMPLES)]
    try:
        from conformance.search import LIVE
    except ImportError:  # no property layer
        return argv
    return [*argv, "--hypothesis-profile", LIVE]


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
        matrix.rows += [judge(subject.name, name, next(results), baseline) for name in names]
    return matrix


def _named(run: RunResult, name: str) -> RunResult:
    return RunResult(
        name, run.defect, run.exit_code, run.failed, run.warned, round(run.seconds, 2), run.error
    )


def check_jobs(jobs: int | None) -> int | None:
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: at least 1")
    return jobs


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
