"""The checks each real server's test module makes (`test_<server>.py`), written once.

A module holds one server (so `--dist loadfile` gives each server its own worker) and a
module-scoped `ServerRuns`: the server is built once, each leg runs once against a fresh server,
and the tests of the module share those runs:

* the leg's verdicts are its expectations, no more and no fewer (`judge_leg`);
* each listed deviation's curl line, run against a fresh server, shows it;
* `conformance probe` learns the server, the learned profile runs unedited (no usage error) and
  judges as the hand-written one does wherever both judge (`judge_probe`);
* the documentation's matrix rows for the server (docs/explanation/real-servers.md) are what its
  runs produce.

Every failure names the server, the leg, the requirement, the evidence and what to do.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from conformance.client.budget import TOKEN_BUDGET_OPTION
from conformance.config.options import LIVE_MAX_TOKENS
from tests.realservers.expectations import FAILING, failing, judge_leg, judge_probe, load_expectations, redact
from tests.realservers.matrix import PAGE, page_rows, row
from tests.realservers.runs import LegRun, ServerRuns, reproduce
from tests.realservers.servers import RealServer, missing_tools

__all__ = [
    "RUNS_ENV",
    "check_curl_lines",
    "check_docs_rows",
    "check_probe",
    "check_verdicts",
    "server_runs",
]

# Where the runs are kept: a folder of your choosing (then read back by
# `python -m tests.realservers.matrix --runs DIR`), else the session's temporary folder.
RUNS_ENV = "CONFORMANCE_REALSERVERS_RUNS"
# Exit codes of a run that did its job: every requirement judged or skipped with a reason.
FINISHED = (0, 1)


def server_runs(server: RealServer, tmp_path_factory: pytest.TempPathFactory) -> ServerRuns:
    """The module's runs of `server`; the module's tests skip, saying why, where it cannot run."""
    why = missing_tools(server)
    if why is not None:
        pytest.skip(f"{server.name}: {why}")
    configured = os.environ.get(RUNS_ENV)
    folder = Path(configured) if configured else tmp_path_factory.mktemp("realservers")
    return ServerRuns(server, folder)


def _finished(run: LegRun, what: str) -> None:
    if run.exit_code not in FINISHED:
        pytest.fail(
            f"{run.server.name}, {what}: `conformance run` exited {run.exit_code} (0 or 1 expected: 2 is an "
            f"incomplete run, 4 a usage error); reports in {run.folder}. Its output ends:\n{run.tail()}",
            pytrace=False,
        )


def check_verdicts(runs: ServerRuns, leg: str) -> None:
    """The leg's failed and warned requirements are exactly those its expectations list."""
    run = runs.leg(leg)
    _finished(run, f"leg {leg}")
    expectations = load_expectations(runs.server)
    problems = judge_leg(run.results, expectations.leg(leg), runs.server.name, leg, expectations.path)
    if problems:
        pytest.fail(
            "\n\n".join(redact(p, runs.server) for p in problems) + f"\n\n(reports: {run.folder})",
            pytrace=False,
        )


def check_frugal(runs: ServerRuns, leg: str) -> None:
    """On a budget of tokens (a live target's default) the leg raises no false alarm: every failure
    and warning is a listed deviation, a listed one it no longer names says the budget is why,
    and the run asks for no more tokens than the budget."""
    run = runs.frugal(leg)
    _finished(run, f"leg {leg} on a token budget")
    expectations = load_expectations(runs.server)
    expected = expectations.leg(leg)
    results = run.results
    by_id = {r["id"]: r for r in results["requirements"]}
    problems = [
        f"{rid} {found['status']} on a token budget, and {expectations.path} does not list it: the "
        f"token budget (lending, ordering) raised a false alarm: {found['message']}"
        for rid, found in sorted(failing(results).items())
        if rid not in expected.deviations
    ]
    problems += [
        f"{rid} (listed: {deviation.behaviour}) reads {by_id[rid]['status']} on a token budget without "
        f"saying the budget is why: {by_id[rid]['message']!r}"
        for rid, deviation in sorted(expected.deviations.items())
        if not deviation.timing
        and rid in by_id
        and by_id[rid]["status"] not in FAILING
        and TOKEN_BUDGET_OPTION not in by_id[rid]["message"]
    ]
    asked = results["summary"]["tokens_asked"]
    if asked > LIVE_MAX_TOKENS:
        problems.append(f"the run asked for {asked} tokens on a budget of {LIVE_MAX_TOKENS}")
    if problems:
        where = f"{runs.server.name}, leg {leg}"
        pytest.fail(
            "\n\n".join(redact(f"{where}: {p}", runs.server) for p in problems)
            + f"\n\n(reports: {run.folder})",
            pytrace=False,
        )


def check_curl_lines(runs: ServerRuns, leg: str) -> None:
    """Each deviation the leg lists is shown by its curl line against a fresh server."""
    expectations = load_expectations(runs.server)
    deviations = list(expectations.leg(leg).deviations.values())
    if not deviations:
        return
    outcomes = reproduce(runs.server, runs.built, runs.server.leg(leg), deviations)
    problems = [
        f"{runs.server.name}, leg {leg}: {o.deviation.requirement}: the curl line no longer shows the "
        f"deviation ({o.deviation.behaviour}): its output does not match `shows` /{o.deviation.shows}/.\n"
        f"  curl: {o.deviation.curl}\n  exit {o.exit_code}; output:\n    "
        + "\n    ".join(o.output.splitlines()[:30])
        + f"\n  Fix the line in {expectations.path}, or, where the server no longer deviates, remove "
        "the entry."
        for o in outcomes
        if not o.shown and not o.deviation.timing
    ]
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def check_probe(runs: ServerRuns) -> None:
    """The probe learns a profile; the suite runs it unedited; it judges as the hand-written one."""
    server = runs.server
    probed = server.probed_leg.name
    probe = runs.probe()
    if probe.run is None:
        pytest.fail(
            f"{server.name}: `conformance probe` (leg {probed}'s credentials) exited {probe.exit_code} "
            f"and wrote no profile. Its output:\n{probe.output}",
            pytrace=False,
        )
    _finished(probe.run, f"the learned profile {probe.learned} (leg {probed}'s credentials)")
    expectations = load_expectations(server)
    problems = judge_probe(
        runs.leg(probed).results,
        probe.run.results,
        expectations.probe_differs,
        f"{server.name}, leg {probed} against its learned profile ({probe.learned})",
        expectations.path,
    )
    if problems:
        pytest.fail("\n\n".join(redact(p, server) for p in problems), pytrace=False)


def check_docs_rows(runs: ServerRuns) -> None:
    """The documentation's matrix rows for the server are those its runs produce."""
    server = runs.server
    expectations = load_expectations(server)
    produced = [
        row(server, leg.name, runs.leg(leg.name).results, expectations.leg(leg.name)).line
        for leg in server.legs
    ]
    written = page_rows(PAGE.read_text(encoding="utf-8"))
    present = [written.get((server.name, leg.name), f"(no row for leg {leg.name})") for leg in server.legs]
    if present != produced:
        page = PAGE.relative_to(PAGE.parents[2]).as_posix()
        diff = "\n".join(difflib.unified_diff(present, produced, page, "these runs", lineterm=""))
        pytest.fail(
            f"{server.name}: {page}'s matrix is not what the runs produce:\n{diff}\n"
            f"Regenerate it: `{RUNS_ENV}=DIR python -m pytest -m slow tests/realservers` then "
            "`python -m tests.realservers.matrix --runs DIR --docs` (or the command alone: it runs "
            "every leg).",
            pytrace=False,
        )
