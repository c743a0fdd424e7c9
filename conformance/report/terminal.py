"""The terminal's part of a run: its failures, one block per cause, and the conformance summary.

Pure functions from a run's results to the lines pytest's terminal reporter writes; the plugin
only hands them over (`pytest_plugin.hooks.pytest_terminal_summary`).

One cause, one block: the terminal's failures, each cause shown once.

A defect that fails one requirement in 17 tests is one deviation. pytest would print 17 failure
blocks, each with every exchange its test made (a search makes hundreds): thousands of lines in
which the one cause is hard to find. Before pytest prints its FAILURES section, each failed
test's findings are folded: the first test that shows a cause prints its finding with the
exchange that shows it and "also seen in N other tests"; the later ones print one line per
cause that points back. Only the terminal is folded: junit.xml, report.html and results.json keep every
finding of every test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from conformance.report import baseline
from conformance.report.model import Status
from conformance.report.results import FOLLOWS, NOT_ESTABLISHED, count_statuses
from conformance.report.verdict import run_verdict
from conformance.requirements import all_requirements

if TYPE_CHECKING:
    from conformance.engine.run import ConformanceRun
    from conformance.report.results import ResultsCollector

__all__ = [
    "EXCHANGES_SECTION",
    "Block",
    "Line",
    "Section",
    "attach",
    "fold",
    "summary_sections",
    "tokens_issued",
]

EXCHANGES_SECTION = "conformance exchanges"


class Block(NamedTuple):
    """One finding of a failed test, rendered (already redacted)."""

    requirement: str
    text: str
    exchange: str  # the exchange that shows it, rendered; "" when it has none


def attach(report: Any, blocks: Sequence[Block]) -> None:
    """Keep a failed test's findings on its report (plain lists: they travel from xdist workers)."""
    report.conformance_headline = str(report.longrepr).split("\n", 1)[0]
    report.conformance_blocks = [list(block) for block in blocks]


def fold(reports: Sequence[Any]) -> None:
    """Rewrite the failed reports' longrepr and sections, in the order pytest prints them: a test
    that shows a cause first keeps its whole failure (a search's transcript and seed with it),
    told where else the cause shows; a test whose every cause was shown above points back."""
    folded = [r for r in reports if getattr(r, "conformance_blocks", None)]
    seen_in = Counter(
        requirement for r in folded for requirement in {Block(*b).requirement for b in r.conformance_blocks}
    )
    first: dict[str, str] = {}  # requirement -> the test whose block shows it
    for report in folded:
        blocks = [Block(*b) for b in report.conformance_blocks]
        new = [b for b in blocks if first.setdefault(b.requirement, report.nodeid) == report.nodeid]
        exchanges = list(dict.fromkeys(b.exchange for b in new if b.exchange))
        if new:
            notes = [
                f"{requirement}: also seen in {seen_in[requirement] - 1} other test"
                + ("s" if seen_in[requirement] > 2 else "")
                for requirement in dict.fromkeys(b.requirement for b in new)
                if seen_in[requirement] > 1
            ]
            notes += [
                f"{requirement}: the cause shown above, by {first[requirement]}"
                for requirement in dict.fromkeys(b.requirement for b in blocks if b not in new)
            ]
            report.longrepr = "\n\n".join([str(report.longrepr), *(["\n".join(notes)] if notes else [])])
        else:
            pointers = [
                f"{requirement}: the cause shown above, by {first[requirement]}"
                for requirement in dict.fromkeys(b.requirement for b in blocks)
            ]
            report.longrepr = "\n\n".join([report.conformance_headline, "\n".join(pointers)])
        sections = [(title, text) for title, text in report.sections if title != EXCHANGES_SECTION]
        if exchanges:
            title = (
                "conformance: the exchange that shows it"
                if len(exchanges) == 1
                else ("conformance: the exchanges that show them")
            )
            sections.append((title, "\n\n".join(exchanges)))
        report.sections = sections


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    colour: str | None = None  # "red", "yellow", "green": as pytest's terminal writer names them


@dataclass(slots=True)
class Section:
    """A titled part of the summary, as pytest's terminal writer heads one."""

    title: str
    lines: list[Line] = field(default_factory=list)

    def add(self, text: str, colour: str | None = None) -> None:
        self.lines.append(Line(text, colour))


def tokens_issued(run: ConformanceRun) -> str:
    unasked = run.tokens_issued - run.tokens_asked
    refused = f" ({unasked} to requests the server must refuse)" if unasked else ""
    return f"{run.tokens_issued} tokens issued{refused}"


def summary_sections(
    results: ResultsCollector, run: ConformanceRun, *, worker: bool = False
) -> list[Section]:
    """The conformance summary after pytest's own: what warned, what failed, what follows from a
    failure, what was checked in part, what could not be established, the baseline's verdicts,
    then the verdict and the counts. Every line that quotes an answer, a profile or a baseline has
    passed the run's redactor. An xdist worker leaves the verdict to the controller."""
    scrub = run.redactor.scrub
    rows = results.requirement_statuses()
    sections: list[Section] = []

    def listed(title: str, texts: list[str]) -> None:
        if texts:
            sections.append(Section(title, [Line(scrub(text)) for text in texts]))

    listed(
        "conformance warnings (SHOULD / INFO: the run does not fail on these)",
        [
            f"{r['id']} [{r['level']}, {r['source']}]: {r['message']}"
            for r in rows
            if r["status"] == Status.WARNED
        ],
    )
    listed(
        "conformance failures (MUST / provider documentation)",
        [
            f"{r['id']} [{r['level']}, {r['source']}]: {r['message']}"
            + (f" (in {len(r['tests'])} tests)" if len(r["tests"]) > 1 else "")
            for r in results.blocking_failures(rows)  # a failure the baseline accepts is listed there
        ],
    )
    listed(
        "conformance: not established, following from a failure above",
        [
            f"{r['id']} [{r['level']}]: {r['message']}"
            for r in rows
            if r["status"] == Status.SKIPPED and r["message"].startswith(FOLLOWS)
        ],
    )
    listed(
        "conformance: checked in part only",
        [f"{r['id']} [{r['level']}]: {r['message']}" for r in rows if r["status"] == Status.PARTIAL],
    )
    incomplete = results.incomplete
    listed(
        f"conformance: {NOT_ESTABLISHED} (no finding: these fail no requirement; the run is incomplete)",
        [f"{entry['test']}: {entry['cause']}" for entry in incomplete],
    )
    if run.settings.dry_run:
        sections.append(_requests_listed(results))
    if results.baseline is not None:
        sections.append(_baseline_section(results, rows, scrub))
    summary = Section("conformance summary")
    sections.append(summary)
    if not worker:
        verdict = run_verdict(results, run, rows)
        colour = {"fail": "red", "incomplete": "yellow", "pass": "green"}.get(verdict.word)
        summary.add(scrub(f"conformance: {verdict.line}"), colour)
    if run.unreachable is not None:
        summary.add(f"conformance: {run.unreachable}; no scenario was run", "red")
    if run.stopped is not None:
        summary.add(f"conformance: {run.stopped}", "red")
    if incomplete:
        summary.add(
            f"conformance: the run is incomplete: {len(incomplete)} test(s) could not establish "
            "their requirements (see above)",
            "red",
        )
    summary.add(_counts_line(results, run, rows))
    if results.baseline is not None and not run.settings.dry_run:
        unaccepted = [r["id"] for r in results.blocking_failures(rows)]
        verdicts = results.baseline_verdicts(rows)
        summary.add(
            baseline.verdict_line(verdicts, unaccepted, results.strict_baseline),
            "red" if results.fails_run(rows) else None,
        )
    if run.settings.report_dir is not None:
        summary.add(f"results: {run.settings.report_dir / 'results.json'}")
    return sections


def _counts_line(results: ResultsCollector, run: ConformanceRun, rows: list[dict[str, Any]]) -> str:
    if run.settings.dry_run:
        return (
            f"dry run of profile {run.profile.name} for {run.target.description}: nothing was sent, "
            f"no requirement judged ({len(all_requirements())} not run); "
            f"{run.request_count} requests listed ({run.token_request_count} token requests, "
            f"{run.tokens_issued} tokens issued by a server behaving as documented)"
        )
    counts = count_statuses(rows)
    accepted = sum(1 for v in results.baseline_verdicts(rows) if v["verdict"] == baseline.ACCEPTED)
    known = f" ({accepted} accepted by the baseline)" if accepted else ""
    return (
        f"profile {run.profile.name} against {run.target.description}: "
        f"{counts['passed']} requirements passed, {counts['partial']} partial, "
        f"{counts['failed']} failed{known}, {counts['warned']} warned, {counts['skipped']} skipped "
        f"(of {len(all_requirements())}); {run.request_count} requests, "
        f"{run.token_request_count} token requests, {tokens_issued(run)}"
    )


def _baseline_section(results: ResultsCollector, rows: list[dict[str, Any]], scrub: Any) -> Section:
    """The baseline's verdict on each of its entries."""
    assert results.baseline is not None
    verdicts = results.baseline_verdicts(rows)
    names = (baseline.ACCEPTED, baseline.FIXED, baseline.EXPIRED, baseline.NOT_CHECKED)
    counts = {name: sum(1 for v in verdicts if v["verdict"] == name) for name in names}
    section = Section(
        f"conformance baseline {results.baseline.path}: "
        + ", ".join(f"{n} {name}" for name, n in counts.items())
    )
    for text, failing in baseline.summary_lines(verdicts, results.strict_baseline):
        section.add(scrub(text), "red" if failing else None)
    return section


def _requests_listed(results: ResultsCollector) -> Section:
    """--dry-run: each scenario and the requests it would send to a server behaving as documented."""
    section = Section("conformance dry run: the requests each scenario would send")
    for record in results.tests.values():
        exchanges = record.log.exchanges if record.log else []
        section.add(
            f"{record.nodeid}: {len(exchanges)} requests"
            if exchanges
            else f"{record.nodeid}: none ({record.outcome}: {record.message})"
        )
        for exchange in exchanges:
            section.add(f"    {exchange.method} {exchange.url}    # {exchange.purpose}")
    return section
