"""pytest-html's side of the HTML report: the hooks that fill its title, environment, summary and rows."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

import pytest

from conformance.engine.run import ConformanceRun
from conformance.engine.search import EXAMPLES, LIVE_EXAMPLES
from conformance.pytest_plugin.stash import RESULTS
from conformance.report.baseline import ACCEPTED
from conformance.report.html_report import (
    ACCEPTED_COLOUR,
    BASELINE_COLOURS,
    EXCHANGES_SECTION,
    FINDING_LINE,
    FOLD_PAST,
    LAYOUT,
    STATUS_COLOURS,
    STATUS_ORDER,
    VERDICT_COLOURS,
    requirement_anchor,
    row_href,
    settled_contradictions,
    source_link_html,
)
from conformance.report.model import STATUSES, Status
from conformance.report.results import NOT_ESTABLISHED, count_statuses
from conformance.report.verdict import run_verdict
from conformance.requirements import get
from conformance.requirements.links import cited_documents, profile_section, source_links

__all__ = ["HtmlReportHooks"]


class HtmlReportHooks:
    def __init__(self, run: ConformanceRun, config: pytest.Config) -> None:
        self.run = run
        self.config = config
        self._row_ids: dict[str, str] = {}  # node id -> the id of the row that shows its outcome

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"Conformance: {self.run.profile.title} against {self.run.target.description}"

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """The run's settings in pytest-html's Environment table (read at its own sessionstart)."""
        try:
            from pytest_metadata.plugin import metadata_key
        except ImportError:  # pragma: no cover - pytest-html depends on pytest-metadata
            return
        metadata = session.config.stash.get(metadata_key, None)
        if metadata is not None:
            metadata.update(self.environment())

    def environment(self) -> dict[str, str]:
        settings, profile, scrub = self.run.settings, self.run.profile, self.run.redactor.scrub
        seed = _hypothesis_option(self.config, "hypothesis_seed")
        examples = settings.examples
        table = EXAMPLES if settings.emulate else LIVE_EXAMPLES
        rows = {
            "Conformance profile": f"{profile.name} ({profile.origin})",
            "Target": self.run.target.description,
            "Resource path": self.run.target.resource_path or "(none)",
            "Expiry wait": f"{settings.expiry_wait:g} s"
            + ("" if settings.expiry_wait else " (checks that need real time to pass skip)"),
            "Timeout": f"{settings.timeout:g} s per request",
            "Budget": f"max requests {settings.max_requests or 'unlimited'}, "
            f"max rate {f'{settings.max_rps:g} requests/s' if settings.max_rps else 'unlimited'}",
            "Examples": f"{examples} per search"
            if examples
            else "per search kind: " + ", ".join(f"{k} {v}" for k, v in table.items()),
            "Seed": str(seed) if seed not in (None, "") else "per test, printed with each search",
        }
        if settings.defects:
            rows["Emulator defects"] = ", ".join(settings.defects)
        if settings.variants:
            rows["Emulator variants"] = ", ".join(settings.variants)
        return {key: scrub(value) for key, value in rows.items()}

    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        # The row pytest-html keeps for a test: its call, or a setup/teardown that did not pass.
        if report.when == "call" or (report.when in ("setup", "teardown") and not report.passed):
            test_id = report.nodeid if report.when == "call" else f"{report.nodeid}::{report.when}"
            if report.nodeid not in self._row_ids or report.failed:
                self._row_ids[report.nodeid] = test_id

    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        """`data` is the row's log, one entry per part: rewritten in place."""
        if (
            report.skipped
            and isinstance(report.longrepr, (tuple, list))
            and len(report.longrepr) == 3
            and data
        ):
            # A skip's longrepr is (path, line, "Skipped: reason"): show the reason, not the tuple.
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            data[0] = html.escape(self.run.redactor.scrub(f"skipped: {reason}")) + "\n"
        if any(e.get("format_type") == "html" for e in getattr(report, "extras", [])):
            # Shown folded in the row's extras; the log keeps the findings.
            header = f"{' ' + EXCHANGES_SECTION + ' ':-^80}"
            data[:] = [entry for entry in data if not entry.startswith(header)]
        data[:] = [
            FINDING_LINE.sub(lambda m: f'<a href="#{requirement_anchor(m.group(1))}">{m.group(1)}</a>', entry)
            for entry in data
        ]

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        results = self.config.stash[RESULTS]
        rows = results.requirement_statuses()
        counts = count_statuses(rows)
        scrub = self.run.redactor.scrub
        contradictions = settled_contradictions(self.run.profile, rows)
        baseline = results.baseline_verdicts(rows)
        verdict = run_verdict(results, self.run, rows)
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
            + f" (of {len(rows)}); {self.run.request_count} requests, "
            f"{self.run.token_request_count} token requests, {self.run.tokens_issued} tokens issued.</p>"
        )
        if self.run.unreachable:
            prefix.append(
                f"<p><strong>{html.escape(scrub(self.run.unreachable))}</strong>; no scenario was run.</p>"
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

    @staticmethod
    def _count(status: str, count: int, accepted: int) -> str:
        """One status's count; failures the baseline accepts are not shown as a failing run's."""
        if status == Status.FAILED and accepted and accepted == count:
            return f'<span style="color:{ACCEPTED_COLOUR}">{count} failed (accepted by the baseline)</span>'
        return f'<span style="color:{STATUS_COLOURS[status]}">{count} {status}</span>'

    def _findings(self, rows: list[dict[str, Any]], accepted: set[str]) -> str:
        """What the verdict rests on, before anything else: the failed requirements the baseline
        does not accept, then the warned, then the accepted ones."""
        scrub = self.run.redactor.scrub
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
        row = self._row_ids.get(nodeid)
        if row is None:  # no row in this report (deselected, or run elsewhere)
            return f"<code>{name}</code>"
        return f'<a href="{html.escape(row_href(row))}"><small><code>{name}</code></small></a>'

    def _source_cell(self, requirement_id: str) -> str:
        requirement = get(requirement_id)
        links = source_links(requirement, self.run.profile)
        cell = ", ".join(source_link_html(link) for link in links)
        section = profile_section(requirement)
        if section is not None:
            documents = cited_documents(self.run.profile, self.run.profile.source_of(section))
            if documents:
                cell += "<br><small>" + "; ".join(html.escape(d) for d in documents) + "</small>"
        return cell

    def _verdicts_table(self, rows: list[dict[str, Any]], baselined: dict[str, str]) -> str:
        scrub = self.run.redactor.scrub

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
        scrub = self.run.redactor.scrub
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
        scrub = self.run.redactor.scrub
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


def _hypothesis_option(config: pytest.Config, name: str) -> object:
    try:
        return config.getoption(name)
    except ValueError:  # the hypothesis plugin is not loaded
        return None
