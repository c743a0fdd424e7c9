"""`conformance selftest`: the suite tested by the emulator's defects and benign variants.

The emulator is the reference implementation of a profile: the whole suite against it must
pass (a failure there is a false alarm), against it with any one defect switched on the suite
must notice (a defect it misses survives) and blame only what the defect breaks, and against
it with any one benign variant (behaviour the RFCs allow, as real servers show it) the suite
must again pass. Each run is the ordinary scenario suite under pytest, in a worker process,
reading the run's results.json like any tool would:

    pytest --pyargs conformance.scenarios --conformance-profile P --conformance-emulate
           [--conformance-defect D | --conformance-variant V] --conformance-timeout 2
           --conformance-report-dir DIR

How a run becomes a verdict (kills, spurious blame, false alarms) is `conformance.report.killmatrix`.
Runs are independent, so they spread over processes and the matrix is the same whatever the
number of jobs.
"""

from __future__ import annotations

import contextlib
import dataclasses
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

from conformance.config import arguments
from conformance.errors import UsageError
from conformance.report.killmatrix import Matrix, RunResult, judge, judge_variant, read_results, render
from conformance.report.model import load_results

__all__ = [
    "HOST_VARIANTS",
    "SELFTEST_EXAMPLES",
    "SELFTEST_PROFILE_DIR",
    "SELFTEST_TIMEOUT",
    "Subject",
    "add_arguments",
    "main",
    "run_suite",
    "selftest",
    "subjects",
    "variants_for",
]

# The client timeout of every self-test run: stalling defects must exceed it (hooks.STALL_SECONDS).
SELFTEST_TIMEOUT = 2.0
# Examples per property-based search in a self-test run: the matrix is 130-odd suite runs, and
# the scripted scenarios must kill every defect on their own; the searches still run, seeded.
SELFTEST_EXAMPLES = 10
SEED_PROFILES = ("tourpaq", "daysoutguide")
# Built-in profiles beyond the seeds, each with the defects and variants of its parts.
BUILTIN_PROFILES = ("machine",)
SELFTEST_PROFILE_DIR = Path(__file__).resolve().parent.parent / "selftest_profiles"
# Profiles that exist only to host defects their parent cannot: name -> parent.
_HOSTS = {
    "tourpaq-assumed": "tourpaq",
    "tourpaq-services": "tourpaq",
    "tourpaq-scoped": "tourpaq",
    "machine-basic": "machine",
    "machine-post": "machine",
    "machine-scoped": "machine",
}
# What a self-test without --profile runs.
DEFAULT_PROFILES = (*SEED_PROFILES, *BUILTIN_PROFILES, *_HOSTS)
# A host runs the benign variants its parent cannot, and of its parent's variants those whose
# verdict the host's claims can change: the ones that bend what the checks it switches on read.
# The rest would repeat, on a profile that judges them alike, a run the parent already made.
HOST_VARIANTS: dict[str, tuple[str, ...]] = {
    # A used refresh token is refused (RFC 9700 §4.14.2, RFC 6749 §6 invalid_grant), a second
    # login keeps the first token: concurrent refreshes answered with one pair, the refusal's
    # error body bent, and a clock that lets tokens die up to a second early.
    "tourpaq-assumed": (
        "refresh-grace-pair",
        "error-body-extras",
        "error-description-absent",
        "whole-second-expiry",
    ),
    # Revocation, introspection, metadata and JWT access tokens: exp against expires_in (one
    # second either way), every JSON answer's media type, and a revoked token's refusal read
    # through bent challenges.
    "tourpaq-services": (
        "expires-in-exact",
        "whole-second-expiry",
        "json-media-type-lowercase",
        "challenge-without-realm",
        "several-challenges",
    ),
    # Basic only, unknown scopes ignored (so the granted scope is said): the scope always
    # returned, Keycloak's members (a scope among them), and a request without client
    # authentication refused with 400.
    "machine-basic": (
        "scope-always-returned",
        "scope-returned-reordered",
        "token-response-extras-keycloak",
        "missing-client-auth-400",
    ),
    # client_secret_post only: refusals of a failed client in the body.
    "machine-post": ("invalid-client-400-body",),
    # A resource requiring a scope: its 403 insufficient_scope read through bent challenges and
    # bodies, and the scope always returned.
    "machine-scoped": (
        "challenge-error-description",
        "challenge-without-realm",
        "several-challenges",
        "resource-refusal-spring-body",
        "scope-always-returned",
        "scope-returned-reordered",
    ),
    # Scopes enforced on the password and refresh grants: refreshes that take the access token
    # they replace with them.
    "tourpaq-scoped": ("refresh-revokes-replaced-access",),
}


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

    chosen = list(names) or list(DEFAULT_PROFILES)
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


def variants_for(subject: Subject, only: Sequence[str]) -> list[str]:
    """The benign variants a profile runs: those that apply to it.

    A host profile's claims (a used refresh token is dead, a second login keeps the first)
    switch on checks its parent skips, and a variant must pass those as well (the same pair to
    concurrent refreshes, against a profile that rejects used refresh tokens). A host runs the
    variants its parent cannot and those HOST_VARIANTS names; a variant named on the command line
    runs on every profile it applies to, hosts included.
    """
    from conformance.emulator.variants import applicable_variants, get_variant
    from conformance.profile import load_profile

    names = [v.name for v in applicable_variants(load_profile(subject.ref))]
    if only:
        wanted = {get_variant(n).name for n in only}
        return [n for n in names if n in wanted]
    if subject.parent is not None:
        parents = {v.name for v in applicable_variants(load_profile(subject.parent))}
        meets = set(HOST_VARIANTS.get(subject.name, ()))
        names = [n for n in names if n not in parents or n in meets]
    return names


# -- one run ----------------------------------------------------------------------------------
def run_suite(
    profile_ref: str,
    defect: str | None,
    timeout: float = SELFTEST_TIMEOUT,
    variant: str | None = None,
) -> RunResult:
    """The scenario suite against the emulator of `profile_ref` with `defect` or `variant`.

    Neither: the conformant emulator. In-process pytest: call it in a process of its own (the
    self-test's workers do).
    """
    import pytest

    report_dir = Path(tempfile.mkdtemp(prefix="conformance-selftest-"))
    values = {
        "profile": profile_ref,
        "emulate": True,
        "timeout": timeout,
        "report-dir": report_dir,
        "defect": [defect] if defect is not None else [],
        "variant": [variant] if variant is not None else [],
        "examples": SELFTEST_EXAMPLES,
    }
    argv = arguments.suite_argv(values, quiet=True, rootdir=report_dir, extra=_search_budget())
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
                variant,
            )
        results = load_results(results_file)
    finally:
        shutil.rmtree(report_dir, ignore_errors=True)
    failed, warned, incomplete, not_established = read_results(results.document)
    statuses = tuple((v.id, v.status.value) for v in results.verdicts)
    return RunResult(
        profile_ref,
        defect,
        exit_code,
        failed,
        warned,
        seconds,
        None,
        variant,
        incomplete,
        not_established,
        statuses,
    )


def _slow(defect: str | None) -> bool:
    from conformance.emulator.defects import get_defect

    return defect is not None and get_defect(defect).slow


def _search_budget() -> list[str]:
    """Small, seeded property searches that stop at the first counterexample.

    A self-test run asks whether the suite notices a defect, not for its minimal example:
    shrinking would spend hundreds of requests per defect. The settings profile the property
    layer uses for live targets (few examples, no shrinking, seeded) is exactly that; the number
    of examples is SELFTEST_EXAMPLES.
    """
    from conformance.engine.search import LIVE

    return ["--hypothesis-profile", LIVE]


def _warm_up() -> None:
    """Import pytest and its plugins before the first timed run, so run times compare.

    Then freeze what the imports made: the garbage collector no longer walks those objects in
    every run (pytest collects twice at the end of each session), a seventh of a run's time.
    """
    import gc
    from importlib.metadata import entry_points

    import pytest  # noqa: F401

    import conformance.pytest_plugin.hooks  # noqa: F401

    for plugin in entry_points(group="pytest11"):
        with contextlib.suppress(Exception):
            plugin.load()
    gc.freeze()


Task = tuple[str, str | None, float, str | None]  # profile, defect, timeout, variant


def _task(task: Task) -> RunResult:
    return run_suite(*task)


def selftest(
    profiles: Sequence[str] = (),
    *,
    jobs: int | None = None,
    defects: Sequence[str] = (),
    timeout: float = SELFTEST_TIMEOUT,
    variants: Sequence[str] = (),
) -> Matrix:
    """The conformant emulator, every applicable defect and benign variant of every profile.

    Naming defects (or variants) narrows the matrix to them: naming only defects runs no
    variant, naming only variants runs no defect.
    """
    run_defects = bool(defects) or not variants
    run_variants = bool(variants) or not defects
    plan = [
        (
            subject,
            _defects_for(subject, defects) if run_defects else [],
            variants_for(subject, variants) if run_variants else [],
        )
        for subject in subjects(profiles)
    ]
    tasks: list[Task] = []
    for subject, names, varied in plan:
        tasks.append((subject.ref, None, timeout, None))
        tasks += [(subject.ref, name, timeout, None) for name in names]
        tasks += [(subject.ref, None, timeout, name) for name in varied]
    jobs = max(1, jobs or os.cpu_count() or 1)
    # Stalling defects take seconds each: start them first so they overlap the quick ones.
    order = sorted(range(len(tasks)), key=lambda i: not _slow(tasks[i][1]))
    began = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_warm_up) as pool:
        futures = {i: pool.submit(_task, tasks[i]) for i in order}
        results = iter([futures[i].result() for i in range(len(tasks))])
    matrix = Matrix(jobs=jobs, wall_seconds=time.perf_counter() - began)
    for subject, names, varied in plan:
        baseline = _named(next(results), subject.name)
        matrix.baselines.append(baseline)
        matrix.rows += [judge(subject.name, name, next(results), baseline) for name in names]
        matrix.variant_rows += [judge_variant(subject.name, name, next(results), baseline) for name in varied]
    return matrix


def _named(run: RunResult, name: str) -> RunResult:
    return dataclasses.replace(run, profile=name, seconds=round(run.seconds, 2))


def check_jobs(jobs: int | None) -> int | None:
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: at least 1")
    return jobs


def main(args: Any) -> int:
    """`conformance selftest`: exit 0 only when every defect dies, blames only what it breaks, and
    every benign variant passes."""
    matrix = selftest(
        args.profile or (),
        jobs=check_jobs(args.jobs),
        defects=args.defect or (),
        variants=args.variant or (),
    )
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
        help=f"only this profile (repeatable; default: {', '.join(DEFAULT_PROFILES)})",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the matrix as JSON")
    arguments.add_arguments(parser, "selftest")  # --jobs, --defect, --variant
