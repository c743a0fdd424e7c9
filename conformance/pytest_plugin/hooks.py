"""The pytest plugin (entry point `pytest11`): hooks only.

Without --conformance-profile (or its ini key) the plugin only registers its options,
marker and fixtures, and stays out of the way of the project it is installed in.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance.config.safety import is_loopback, plan
from conformance.config.settings import RunSettings, add_options
from conformance.engine import search
from conformance.engine.findings import Finding, FindingLog
from conformance.engine.progress import SearchProgress
from conformance.engine.run import ConformanceRun
from conformance.engine.scenario import ScenarioStopped
from conformance.errors import (
    BudgetExhausted,
    ConformanceError,
    SuiteError,
    TargetError,
    TargetUnreachable,
    TokenBudgetSpent,
    UsageError,
)
from conformance.pytest_plugin import distributed
from conformance.pytest_plugin.ci import register_ci_hooks
from conformance.pytest_plugin.junit import junit_path
from conformance.pytest_plugin.markers import requirement_ids
from conformance.pytest_plugin.stash import LOG, PROGRESS, RESULTS, RUN, SERIAL, SETTINGS
from conformance.registry import closest
from conformance.report import baseline, terminal
from conformance.report.junit import failure_headline
from conformance.report.results import (
    NOT_ESTABLISHED,
    TARGET_SILENT,
    ResultsCollector,
    TestRecord,
    rerun_of,
)
from conformance.report.verdict import exit_status
from conformance.requirements.links import label

pytest_plugins = ["conformance.pytest_plugin.fixtures", "conformance.pytest_plugin.markers"]

SCENARIO_PACKAGE = "conformance.scenarios"
_HYPOTHESIS_HOME: list[Path] = []  # where hypothesis kept its files before each run, to restore
_HYPOTHESIS_SCRATCH: list[str] = []  # where each run has it keep them instead
SILENT_TESTS = 3  # tests in a row whose target did not answer: the run stops


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
    # Before hypothesis' own pytest_configure loads the profile `--hypothesis-profile` names.
    search.register_profiles()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requirement(*requirements): the catalogue requirements it checks (see `conformance requirements`)",
    )
    config.addinivalue_line(
        "markers",
        "spends_tokens(order=1, share=True, draws_on_run=False): obtains tokens no other scenario "
        "can borrow; a run with a token budget runs it after the others (lower order first), with "
        "at most a third of the tokens left (share), and last if it draws on every token the run obtained",
    )
    try:
        settings = RunSettings.from_config(config)
        config.stash[SETTINGS] = settings
        if settings is None:
            return
        run = ConformanceRun(distributed.share_budget(settings, config))
        serial = distributed.keep_serial(config, run)
        if settings.live and not is_loopback(run.target.base_url) and not settings.confirmed:
            raise UsageError(
                plan(run.profile, settings) + "\nrefusing to start without confirmation: pass "
                "--conformance-yes (`conformance run` asks on a terminal, or takes --yes)"
            )
    except ConformanceError as exc:
        raise pytest.UsageError(f"conformance: {exc}") from None
    config.stash[RUN] = run
    config.stash[SERIAL] = serial
    config.stash[PROGRESS] = SearchProgress.for_run(config, settings, distributed.is_worker(config))
    _keep_hypothesis_files_with_the_reports(settings)
    try:
        config.stash[RESULTS] = ResultsCollector.for_run(run, config.getoption("hypothesis_seed", None))
    except ConformanceError as exc:
        raise pytest.UsageError(f"conformance: {exc}") from None
    if config.pluginmanager.hasplugin("html"):
        from conformance.pytest_plugin.html import HtmlReportHooks

        config.pluginmanager.register(HtmlReportHooks(run, config), "conformance-html-report")
    register_ci_hooks(run, config)
    if config.pluginmanager.hasplugin("xdist") and not distributed.is_worker(config):
        config.pluginmanager.register(distributed.ControllerHooks(config), "conformance-xdist-controller")


def _keep_hypothesis_files_with_the_reports(settings: RunSettings) -> None:
    """Hypothesis keeps files under `.hypothesis/` in the working directory (its constants cache;
    an example database, where a settings profile asks for one). A run keeps them in a scratch
    directory of its own, removed when it ends: what was run before, or elsewhere, never changes
    its verdicts."""
    from hypothesis import configuration

    _HYPOTHESIS_HOME.append(configuration.storage_directory(intent_to_write=False).home_directory)
    _HYPOTHESIS_SCRATCH.append(tempfile.mkdtemp(prefix="conformance-hypothesis-"))
    configuration.set_hypothesis_home_dir(_HYPOTHESIS_SCRATCH[-1])


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(RUN, None)
    if run is None:
        return []
    wait = run.settings.expiry_wait
    serial = config.stash.get(SERIAL, None)
    return [
        f"conformance: profile {run.profile.name} ({run.profile.origin})",
        f"conformance: target {run.target.description}, resource "
        f"{run.target.resource_path or '(none)'}, expiry wait {wait:g} s",
        f"conformance: every search seeded from --seed {run.settings.seed} (the same examples every run)",
        *([serial] if serial else []),
        *([_assumptions_line(run)] if run.profile.assumes else []),
    ]


def _assumptions_line(run: ConformanceRun) -> str:
    """What a profile of a client's assumptions is checked against, said before the results."""
    profile = run.profile
    sections = ", ".join(sorted(profile.assumed_sections)) or "none of its sections"
    head = (
        f"conformance: profile {profile.name} records a client's assumptions about {profile.assumes} "
        f"({sections}): their requirements read ASSUMPTION"
    )
    if run.settings.emulate:
        return (
            f"{head}; --emulate emulates the assumptions themselves, so they hold by construction: "
            f"to check them against {profile.assumes} as documented, serve it (`conformance emulate "
            f"--profile {profile.assumes}`) and run with --url"
        )
    return f"{head}, checked against {run.target.description}"


def pytest_sessionstart(session: pytest.Session) -> None:
    run = session.config.stash.get(RUN, None)
    if run is None:
        return
    try:
        run.preflight()
    except TargetUnreachable as exc:
        # No scenario runs; the reports are still written and say why.
        run.unreachable = str(exc)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash.get(RUN, None)
    if run is not None:
        _keep_selected(config, items, run.settings.select)
        _in_module_name_order(items)
        if run.unreachable is not None and items:
            config.hook.pytest_deselected(items=list(items))
            items.clear()
        if run.settings.frugal:
            # What every scenario needs is bought first; what spends many tokens gets what is left,
            # and a sample of the run's tokens is taken when they have all been issued.
            items.sort(key=_token_appetite)
        return
    if any(item.nodeid.startswith("conformance/scenarios") or _is_scenario(item) for item in items):
        raise pytest.UsageError(
            "conformance: the scenarios need a profile and a target: "
            "--conformance-profile NAME (--conformance-url URL | --conformance-emulate)"
        )


def _in_module_name_order(items: list[pytest.Item]) -> None:
    """The scenarios run in the order of their modules' names, whichever area folder holds them:
    the order in which a run's evidence builds up (the tokens it lends, the answers it reuses) is
    that of the scenarios, not of the package's tree. Other tests keep their places."""
    slots = [i for i, item in enumerate(items) if _is_scenario(item)]
    ordered = sorted((items[i] for i in slots), key=lambda item: item.path.name)
    for i, item in zip(slots, ordered, strict=True):
        items[i] = item


def _is_scenario(item: pytest.Item) -> bool:
    return isinstance(item, pytest.Function) and getattr(item.module, "__name__", "").startswith(
        SCENARIO_PACKAGE + "."
    )


def _token_appetite(item: pytest.Item) -> tuple[int, int]:
    """Where a frugal run puts the test: (0, 0) the scenarios that borrow the run's tokens; (1,
    order) those that obtain tokens nobody can borrow, by `order`; (2, 0) last, what draws on
    every token the run obtained."""
    marker = item.get_closest_marker("spends_tokens")
    if marker is None:
        return (0, 0)
    if marker.kwargs.get("draws_on_run"):
        return (2, 0)
    return (1, int(marker.kwargs.get("order", 1)))


def _takes_a_share(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("spends_tokens")
    return marker is not None and not marker.kwargs.get("draws_on_run") and marker.kwargs.get("share", True)


def _keep_selected(config: pytest.Config, items: list[pytest.Item], wanted: tuple[str, ...]) -> None:
    """Only the tests named by node id (`--conformance-select`, or node ids after `conformance
    run ... --`): a test, every parametrization of a function, or a module."""
    if not wanted:
        return

    def chosen(nodeid: str, selection: str) -> bool:
        # `test_refresh.py::x`, `lifecycle/test_refresh.py::x` and the whole path all name it.
        path, _, rest = nodeid.partition("::")
        parts = path.split("/")
        tails = ["/".join(parts[i:]) + (f"::{rest}" if rest else "") for i in range(len(parts))]
        return any(t == selection or t.startswith((selection + "::", selection + "[")) for t in tails)

    for selection in wanted:
        if not any(chosen(item.nodeid, selection) for item in items):
            near = closest(selection, [item.nodeid for item in items], cutoff=0.5)
            hint = f" (did you mean {near!r}?)" if near else ""
            raise pytest.UsageError(f"conformance: no scenario has the node id {selection!r}{hint}")
    deselected = [item for item in items if not any(chosen(item.nodeid, s) for s in wanted)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def _failure_text(
    log: FindingLog | None, headline: str | None = None, run: ConformanceRun | None = None
) -> str:
    parts = [headline] if headline else []
    if log is not None:
        parts += [_render(run, finding) for finding in log.failures]
    return "\n\n".join(parts)


def _render(run: ConformanceRun | None, finding: Finding) -> str:
    """A finding as the run shows it: its replay command, and a client's assumption labelled so."""
    if run is None:
        return finding.render()
    rerun = rerun_of(run.settings.report_dir, finding.requirement.id)
    return finding.render(rerun, label(finding.requirement, run.profile))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    log = item.stash.get(LOG, None)
    run: ConformanceRun | None = item.config.stash.get(RUN, None)
    try:
        if run is not None and _takes_a_share(item):
            with run.client.token_budget.share():
                result = yield
        else:
            result = yield
    except BudgetExhausted as exc:
        run = item.config.stash[RUN]
        run.stopped = f"{exc}; the run stopped after {run.request_count} requests"
        item.session.shouldstop = f"conformance: {run.stopped}"
        if log is not None:
            log.stopped = str(exc)
        raise pytest.skip.Exception(f"not established: {exc}") from None
    except TokenBudgetSpent as exc:
        # The run goes on: what this test saw stands, what it needed another token for is not checked.
        if log is not None and log.failures:
            raise pytest.fail.Exception(
                _failure_text(log, failure_headline(log.failures), run), pytrace=False
            ) from None
        raise pytest.skip.Exception(f"not checked: {exc}") from None
    except (ScenarioStopped, TargetError, SuiteError) as exc:
        if isinstance(exc, TargetError):
            kind = TARGET_SILENT
            _count_silence(item, run)
        else:
            kind = (
                "scenario stopped"
                if isinstance(exc, ScenarioStopped)
                else "error of the suite, not of the target"
            )
            if run is not None:
                run.unanswered = 0
        if log is not None:
            log.stopped = f"{kind}: {exc}"
        headline = f"{kind}: {exc}"
        if log is None or not log.failures:
            headline = f"{NOT_ESTABLISHED} ({headline}): no requirement is failed by this test"
        raise pytest.fail.Exception(_failure_text(log, headline, run), pytrace=False) from None
    if run is not None:
        run.unanswered = 0
    if log is not None and log.failures:
        raise pytest.fail.Exception(_failure_text(log, failure_headline(log.failures), run), pytrace=False)
    return result


def _count_silence(item: pytest.Item, run: ConformanceRun | None) -> None:
    """A target that stopped answering is left alone: every further test would only wait out
    its timeout against it (someone's production server, perhaps)."""
    if run is None:
        return
    run.unanswered += 1
    if run.unanswered >= SILENT_TESTS:
        run.stopped = (
            f"{TARGET_SILENT}: {run.unanswered} tests in a row ended without an answer; the run "
            f"stopped after {run.request_count} requests"
        )
        item.session.shouldstop = f"conformance: {run.stopped}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    run = item.config.stash.get(RUN, None)
    if run is None:
        return report
    scrub = run.redactor.scrub
    if report.longrepr is not None and report.failed:
        report.longrepr = scrub(str(report.longrepr))
    report.sections = [(title, scrub(content)) for title, content in report.sections]
    log = item.stash.get(LOG, None)
    if report.when == "call" and log is not None:
        # junit.xml writes the teardown report's user properties, taken from the item.
        item.user_properties.extend(
            ("conformance_warning", scrub(f"{f.requirement}: expected {f.expected}; got {f.got}"))
            for f in log.warnings
        )
        if log.warnings:
            report.sections.append(
                (
                    "conformance warnings",
                    scrub("\n\n".join(_render(run, f) for f in log.warnings)),
                )
            )
        if log.exchanges:
            exchanges = scrub("\n\n".join(e.render() for e in log.exchanges))
            report.sections.append((terminal.EXCHANGES_SECTION, exchanges))
            _attach_html(item.config, report, exchanges)
    if (
        report.when == "call"
        or (report.when == "setup" and not report.passed)
        or (report.when == "teardown" and report.failed)
    ):
        message, not_established = "", None
        if report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2]).removeprefix("Skipped: ")
        elif report.failed:
            message = scrub(str(report.longrepr)).splitlines()[0] if report.longrepr else ""
            if log is None or not log.failures:
                not_established = scrub(_cause(log, call))
        ids = requirement_ids(item)
        item.config.stash[RESULTS].add(
            TestRecord(item.nodeid, report.outcome, ids, log, message, not_established)
        )
    if report.when == "call" and report.failed and log is not None and log.failures:
        terminal.attach(report, [_block(run, f) for f in log.failures])
        _accept_if_baselined(report, item.config.stash[RESULTS], log)
    return report


def _block(run: ConformanceRun, finding: Finding) -> terminal.Block:
    scrub = run.redactor.scrub
    exchange = scrub(finding.exchange.render()) if finding.exchange is not None else ""
    return terminal.Block(finding.requirement.id, scrub(_render(run, finding)), exchange)


def _accept_if_baselined(report: pytest.TestReport, results: ResultsCollector, log: FindingLog) -> None:
    """A test that failed only deviations the baseline accepts reads as one that passed with a
    known deviation: skipped, "accepted by the baseline: ID (reason)", its findings kept beside
    (results.json still records the test as failed: the requirement fails, and is accepted)."""
    if results.baseline is None:
        return
    reasons = baseline.accepted_reasons(
        results.baseline, (f.requirement.id for f in log.failures), results.today
    )
    if reasons is None:
        return
    findings = str(report.longrepr)
    path, line, _ = report.location
    report.outcome = "skipped"
    # The findings after the first line: junit.xml's <skipped> keeps them as its text.
    report.longrepr = (path, (line or 0) + 1, f"Skipped: {baseline.ACCEPTED_PREFIX}{reasons}\n\n{findings}")


def _cause(log: FindingLog | None, call: pytest.CallInfo[None]) -> str:
    """Why a test failed when no finding fails it: the suite's own error, said as such."""
    if log is not None and log.stopped:
        return log.stopped
    excinfo = call.excinfo
    if excinfo is None:
        return "the test failed with no finding"
    if isinstance(excinfo.value, pytest.fail.Exception):
        lines = str(excinfo.value).strip().splitlines()
        return lines[0] if lines else "the test failed with no finding"
    return f"error of the suite, not of the target: {excinfo.typename}: {excinfo.value}"


def _attach_html(config: pytest.Config, report: pytest.TestReport, text: str) -> None:
    if not config.pluginmanager.hasplugin("html"):
        return
    from pytest_html import extras

    from conformance.report.html_report import exchanges_html

    # Inline and folded: browsers refuse to open a `data:` link (pytest-html's text extra) as a page.
    report.extras = [*getattr(report, "extras", []), extras.html(exchanges_html(text))]  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(
    terminalreporter: Any, exitstatus: int, config: pytest.Config
) -> Generator[None, None, None]:
    # Around pytest's own summary, so that the requirements come last, after its list of
    # failed tests: a run is read by its requirements, one line for one cause. Its failures are
    # folded first: one block per cause.
    if config.stash.get(RUN, None) is not None:
        terminal.fold(terminalreporter.stats.get("failed", []))
    try:
        yield
    finally:
        _conformance_summary(terminalreporter, config)


def _conformance_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(RUN, None)
    if run is None:
        return
    worker = distributed.is_worker(config)
    for section in terminal.summary_sections(config.stash[RESULTS], run, worker=worker):
        terminalreporter.section(section.title)
        for line in section.lines:
            terminalreporter.line(line.text, **({line.colour: True} if line.colour else {}))


def _scrub_written(config: pytest.Config, run: ConformanceRun) -> None:
    """Every byte of the pages other plugins wrote passes the redactor once more, whatever its
    origin (a profile's text that quotes the provider's example credentials, a test name): what
    the suite hands them is scrubbed already, what they add of their own is not. Labels go in
    escaped: `<password>` is text, not a tag."""
    for path in (config.getoption("htmlpath", None), junit_path(config)):
        if not path or not Path(path).is_file():
            continue
        text = Path(path).read_text(encoding="utf-8")
        scrubbed = run.redactor.scrub(text, escape=html.escape)
        if scrubbed != text:
            Path(path).write_text(scrubbed, encoding="utf-8")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run = session.config.stash.get(RUN, None)
    if run is None:
        return
    results = session.config.stash[RESULTS]
    if distributed.is_worker(session.config):
        distributed.hand_over(session.config, run, results)  # the controller reports for the run
        return
    status = exit_status(results, run, exitstatus)
    if status != exitstatus:
        session.exitstatus = exitstatus = pytest.ExitCode(status)
    if run.settings.report_dir is not None:
        session.config.stash[RESULTS].write(
            run.settings.report_dir / "results.json",
            run.redactor,
            requests=run.request_count,
            token_requests=run.token_request_count,
            tokens_issued=run.tokens_issued,
            tokens_asked=run.tokens_asked,
            exit_code=int(exitstatus),
            error=run.unreachable or run.stopped,
            dry_run=run.settings.dry_run,
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN, None)
    if run is not None and not distributed.is_worker(config):
        _scrub_written(config, run)
    if run is not None:
        run.close()
    if run is not None and _HYPOTHESIS_HOME:
        from hypothesis import configuration

        configuration.set_hypothesis_home_dir(_HYPOTHESIS_HOME.pop())  # as it was before the run
        shutil.rmtree(_HYPOTHESIS_SCRATCH.pop(), ignore_errors=True)


__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_report_header",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_sessionfinish",
    "pytest_sessionstart",
    "pytest_terminal_summary",
    "pytest_unconfigure",
    "RunSettings",
]
