"""pytest-html additions: a report a person can navigate.

* the title names profile and target; the environment table the run's settings;
* the requirement verdicts: each id anchored (`#req-ID`), linked to its source (the RFC's own
  section anchor, or the profile's citation for `DOC-*`) and to the rows of the tests that
  judged it; its statement beside the verdict;
* the baseline's verdict on each entry (accepted, fixed: remove it, expired, not checked);
* "Documentation settled by evidence": each contradiction the profile records, with what the
  run found;
* each test row: its exchanges inline in a `<details>` (never a `data:` link, which browsers
  refuse to open as a page), requirement ids in its failure linked back to the verdicts, and a
  skip's reason as text.

Registered only when pytest-html is loaded (see `plugin.pytest_configure`). Every text written
passes the run's redactor.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from conformance.profile import Profile
from conformance.report.baseline import ACCEPTED
from conformance.report.model import STATUSES, Status
from conformance.report.results import NOT_ESTABLISHED, count_statuses
from conformance.report.verdict import COLOURS, run_verdict
from conformance.requirements import get, provider
from conformance.requirements.links import SourceLink, cited_documents, profile_section, source_links

if TYPE_CHECKING:
    from conformance.engine.run import ConformanceRun
    from conformance.report.results import ResultsCollector

__all__ = ["SummaryPage", "exchanges_html", "requirement_anchor", "settled_contradictions"]

STATUS_COLOURS = {
    Status.FAILED.value: "#c62828",
    Status.WARNED.value: "#ef6c00",
    Status.PARTIAL.value: "#1565c0",
    Status.PASSED.value: "#2e7d32",
    Status.SKIPPED.value: "#616161",
}
STATUS_ORDER = (Status.FAILED, Status.WARNED, Status.PARTIAL, Status.PASSED, Status.SKIPPED)
ACCEPTED_COLOUR = "#ef6c00"  # a failure the baseline accepts: known, not failing the run
BASELINE_COLOURS = {"accepted": ACCEPTED_COLOUR, "fixed": "#2e7d32", "expired": "#c62828"}
EXCHANGES_SECTION = "conformance exchanges"
FOLD_PAST = 3  # a requirement's tests shown before the rest fold
VERDICT_COLOURS = COLOURS
# pytest-html's page, led by the verdict and fitting a 1,400-pixel window: the summary (the
# verdict, then what it rests on, then every requirement) before the environment table and the
# tests; long ids, URLs and curl lines wrap instead of widening the page.
LAYOUT = """
body { display: flex; flex-direction: column; }
body > p:first-of-type { order: 5; }
.summary { order: 1; } #environment-header, #environment { order: 2; }
#results-table { order: 3; } footer { order: 6; }
.summary__data > h2:first-child { display: none; }
#conformance-verdict { color: #fff; font-size: 20px; padding: 10px 14px; margin: 0 0 8px; }
#conformance-findings h3 { margin: 8px 0 2px; font-size: 15px; }
.summary table, #results-table { width: 100%; }
td, th, li { overflow-wrap: break-word; }
code, a, .logwrapper .log, pre { overflow-wrap: anywhere; }
#requirements { table-layout: fixed; }
#requirements th:nth-child(1) { width: 15%; } #requirements th:nth-child(2) { width: 8%; }
#requirements th:nth-child(3) { width: 5%; } #requirements th:nth-child(4) { width: 15%; }
#requirements th:nth-child(7) { width: 17%; }
#requirements td:first-child code { overflow-wrap: normal; word-break: normal; }
"""
# A finding's first line in a failure: "RFC6749-5.1-expires-in [MUST, ...]".
FINDING_LINE = re.compile(r"^((?:RFC\d+|DOC)-[\w.-]+)(?= \[)", re.MULTILINE)
# Which requirement's verdict settles a contradiction the profile records, by its field.
SETTLED_BY = {"expiry.unit": provider.EXPIRES_IN_UNIT.id}
_READING = re.compile(r"reads as (\w+)")


def requirement_anchor(requirement_id: str) -> str:
    return f"req-{requirement_id}"


def exchanges_html(text: str) -> str:
    """The (already redacted) exchanges of a test, folded: each exchange ends in one line, its
    `replay:` (a curl line that runs as printed) or its `request:` (one that needs earlier ones)."""
    count = sum(1 for line in text.splitlines() if line.startswith(("replay: ", "request: ")))
    return (
        f'<details class="conformance-exchanges"><summary>exchanges ({count})</summary>'
        f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre></details>'
    )


def settled_contradictions(profile: Profile, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each contradiction of the profile, with what this run found (`found` empty: not weighed)."""
    by_id = {r["id"]: r for r in rows}
    entries = []
    for contradiction in profile.contradictions:
        found = verdict = ""
        row = by_id.get(SETTLED_BY.get(contradiction.field, ""))
        if row is not None and row["status"] in (Status.PASSED, Status.PARTIAL) and row["message"]:
            found = row["message"]
            reading = _READING.search(found)
            if contradiction.field == "expiry.unit" and reading is not None:
                claimed, counted = profile.expiry.unit, reading.group(1)
                verdict = (
                    f"the document says {claimed}; the service counts {counted}"
                    if counted != claimed
                    else f"the document's {claimed} holds: the service counts {counted}"
                )
        elif row is not None and Status(row["status"]).deviates:
            found, verdict = row["message"], f"{row['id']} {row['status']}"
        entries.append(
            {
                "field": contradiction.field,
                "claim": contradiction.claim,
                "evidence": contradiction.evidence,
                "source": contradiction.source,
                "found": found,
                "verdict": verdict,
            }
        )
    return entries


def source_link_html(link: SourceLink) -> str:
    text = html.escape(link.text)
    if link.url is None:
        return text
    return f'<a href="{html.escape(link.url)}" target="_blank" rel="noopener">{text}</a>'


def row_href(test_id: str) -> str:
    # pytest-html gives each test's <tbody> the test id as its id.
    return "#" + quote(test_id, safe="/:")


@dataclass(frozen=True, slots=True)
class SummaryPage:
    """The report's summary, led by the verdict: what it rests on, the counts, the baseline's
    verdicts, every requirement with its source and tests, and the documentation the run
    settled. `row_ids` maps a test's node id to the id of its row in the tests table."""

    scrub: Callable[[str], str]
    profile: Profile
    row_ids: Mapping[str, str]

    def render(self, results: ResultsCollector, run: ConformanceRun) -> list[str]:
        """What goes before pytest-html's own tables, in the order a reader needs it."""
        prefix: list[str] = []
        rows = results.requirement_statuses()
        counts = count_statuses(rows)
        scrub = self.scrub
        contradictions = settled_contradictions(self.profile, rows)
        baseline = results.baseline_verdicts(rows)
        verdict = run_verdict(results, run, rows)
        prefix.append(f"<style>{LAYOUT}</style>")
        prefix.append(
            f'<div id="conformance-verdict" class="verdict-{verdict.word.replace(" ", "-")}" '
            f'style="background:{VERDICT_COLOURS[verdict.word]}"><strong>{verdict.word.upper()}</strong>: '
            f"{html.escape(scrub(verdict.reason))}</div>"
        )
        accepted = {v["requirement"] for v in baseline if v["verdict"] == ACCEPTED}
        prefix.append(self._findings(rows, accepted))
        nav = ['<a href="#requirements">Requirement verdicts</a>']
        if results.baseline is not None:
            nav.append('<a href="#baseline">Baseline</a>')
        if contradictions:
            nav.append('<a href="#settled">Documentation settled by evidence</a>')
        nav.append('<a href="#results-table">Tests</a>')
        prefix.append(f'<p class="conformance-nav">Go to: {" · ".join(nav)}</p>')
        prefix.append(
            "<p><strong>Requirements:</strong> "
            + ", ".join(self._count(s, counts[s], len(accepted)) for s in STATUSES)
            + f" (of {len(rows)}); {run.request_count} requests, "
            f"{run.token_request_count} token requests, {run.tokens_issued} tokens issued.</p>"
        )
        if run.unreachable:
            prefix.append(
                f"<p><strong>{html.escape(scrub(run.unreachable))}</strong>; no scenario was run.</p>"
            )
        if results.incomplete:
            items = "".join(
                f"<li>{self._test_link(e['test'])}: {html.escape(scrub(e['cause']))}</li>"
                for e in results.incomplete
            )
            prefix.append(
                f"<p><strong>The run is incomplete:</strong> {len(results.incomplete)} test(s) could not "
                f"establish their requirements ({NOT_ESTABLISHED}; no requirement is failed by them)."
                f"</p><ul>{items}</ul>"
            )
        if results.baseline is not None:
            prefix.append(self._baseline(baseline, results.baseline.path, results.strict_baseline))
        prefix.append(self._verdicts_table(rows, {v["requirement"]: v["verdict"] for v in baseline}))
        if contradictions:
            prefix.append(self._contradictions(contradictions))
        return prefix

    @staticmethod
    def _count(status: str, count: int, accepted: int) -> str:
        """One status's count; failures the baseline accepts are not shown as a failing run's."""
        if status == Status.FAILED and accepted and accepted == count:
            return f'<span style="color:{ACCEPTED_COLOUR}">{count} failed (accepted by the baseline)</span>'
        return f'<span style="color:{STATUS_COLOURS[status]}">{count} {status}</span>'

    def _findings(self, rows: list[dict[str, Any]], accepted: set[str]) -> str:
        """What the verdict rests on, before anything else: the failed requirements the baseline
        does not accept, then the warned, then the accepted ones."""
        scrub = self.scrub
        groups = [
            ("Failed", [r for r in rows if r["status"] == Status.FAILED and r["id"] not in accepted]),
            ("Warned (the run does not fail on these)", [r for r in rows if r["status"] == Status.WARNED]),
            (
                "Accepted by the baseline",
                [r for r in rows if r["status"] == Status.FAILED and r["id"] in accepted],
            ),
        ]
        parts = []
        for title, chosen in groups:
            if not chosen:
                continue
            items = "".join(
                f'<li><a href="#{requirement_anchor(r["id"])}"><code>{html.escape(r["id"])}</code></a> '
                f"[{html.escape(r['level'])}]: {html.escape(scrub(r['message']))}"
                + (f" <small>(in {len(r['tests'])} tests)</small>" if len(r["tests"]) > 1 else "")
                + "</li>"
                for r in chosen
            )
            parts.append(f"<h3>{title}</h3><ul>{items}</ul>")
        return f'<div id="conformance-findings">{"".join(parts)}</div>' if parts else ""

    def _tests_cell(self, tests: list[str]) -> str:
        """The tests that judged a requirement: three, the rest folded."""
        links = [self._test_link(t) for t in tests]
        if len(links) <= FOLD_PAST:
            return "<br>".join(links)
        rest = "<br>".join(links[FOLD_PAST:])
        return (
            "<br>".join(links[:FOLD_PAST])
            + f"<details><summary>{len(links) - FOLD_PAST} more</summary>{rest}</details>"
        )

    def _test_link(self, nodeid: str) -> str:
        name = html.escape(nodeid.rsplit("/", 1)[-1])
        row = self.row_ids.get(nodeid)
        if row is None:  # no row in this report (deselected, or run elsewhere)
            return f"<code>{name}</code>"
        return f'<a href="{html.escape(row_href(row))}"><small><code>{name}</code></small></a>'

    def _source_cell(self, requirement_id: str) -> str:
        requirement = get(requirement_id)
        links = source_links(requirement, self.profile)
        cell = ", ".join(source_link_html(link) for link in links)
        section = profile_section(requirement)
        if section is not None:
            documents = cited_documents(self.profile, self.profile.source_of(section))
            if documents:
                cell += "<br><small>" + "; ".join(html.escape(d) for d in documents) + "</small>"
        return cell

    def _verdicts_table(self, rows: list[dict[str, Any]], baselined: dict[str, str]) -> str:
        scrub = self.scrub

        def colour(r: dict[str, Any]) -> str:
            return ACCEPTED_COLOUR if baselined.get(r["id"]) == ACCEPTED else STATUS_COLOURS[r["status"]]

        cells = "".join(
            f'<tr id="{requirement_anchor(r["id"])}"><td><a href="#{requirement_anchor(r["id"])}">'
            f"<code>{html.escape(r['id'])}</code></a></td><td>{r['level']}</td>"
            f'<td style="color:{colour(r)}">'
            f"{r['status']}"
            + (
                f'<br><small><a href="#baseline">baseline: {html.escape(baselined[r["id"]])}</a></small>'
                if r["id"] in baselined
                else ""
            )
            + "</td>"
            f"<td>{self._source_cell(r['id'])}</td>"
            f"<td>{html.escape(r['statement'])}</td>"
            f"<td>{html.escape(scrub(r['message']))}</td>"
            f"<td>{self._tests_cell(r['tests'])}</td></tr>"
            for r in sorted(rows, key=lambda r: STATUS_ORDER.index(r["status"]))
        )
        return (
            "<details open><summary><strong>Requirement verdicts</strong></summary>"
            '<table id="requirements"><tr><th>id</th><th>level</th><th>status</th><th>source</th>'
            f"<th>requirement</th><th>verdict</th><th>tests</th></tr>{cells}</table></details>"
        )

    def _baseline(self, verdicts: list[dict[str, Any]], path: str, strict: bool) -> str:
        """Each baseline entry's verdict: accepted, fixed (remove it), expired, or not checked."""
        scrub = self.scrub
        cells = []
        for v in verdicts:
            link = v.get("link") or ""
            shown = (
                f'<a href="{html.escape(link)}" target="_blank" rel="noopener">{html.escape(link)}</a>'
                if link.startswith(("https://", "http://"))
                else html.escape(link)
            )
            cells.append(
                f'<tr><td><a href="#{requirement_anchor(v["requirement"])}"><code>'
                f"{html.escape(v['requirement'])}</code></a></td>"
                f'<td style="color:{BASELINE_COLOURS.get(v["verdict"], "#616161")}">'
                f"{html.escape(v['verdict'])}</td><td>{html.escape(scrub(v['note']))}</td>"
                f"<td>{html.escape(scrub(v['reason']))}</td><td>{html.escape(v.get('until') or '')}</td>"
                f"<td>{shown}</td></tr>"
            )
        counts = Counter(v["verdict"] for v in verdicts)
        tally = ", ".join(f"{n} {verdict}" for verdict, n in counts.items()) or "no entries"
        return (
            f'<details open id="baseline"><summary><strong>Baseline</strong> {html.escape(path)}'
            f"{' (strict: a fixed entry fails the run)' if strict else ''}: {html.escape(tally)}</summary>"
            "<table><tr><th>requirement</th><th>verdict</th><th>what it means</th><th>reason</th>"
            f"<th>until</th><th>link</th></tr>{''.join(cells)}</table></details>"
        )

    def _contradictions(self, entries: list[dict[str, str]]) -> str:
        scrub = self.scrub
        items = []
        for e in entries:
            found = (f"<br><strong>{html.escape(e['verdict'])}</strong>" if e["verdict"] else "") + (
                f"<br>what the run found: {html.escape(scrub(e['found']))}"
                if e["found"]
                else "<br>not settled by this run: no verdict weighs it"
            )
            # The document's own words may quote its example credentials: the run's, at times.
            items.append(
                f"<li><code>{html.escape(e['field'])}</code> ({html.escape(scrub(e['source']))}): the "
                f"document says “{html.escape(scrub(e['claim']))}”, yet {html.escape(scrub(e['evidence']))}"
                f"{found}</li>"
            )
        return (
            '<details open id="settled"><summary><strong>Documentation settled by evidence</strong>'
            f"</summary><ul>{''.join(items)}</ul></details>"
        )
