"""pytest-html additions: a title naming profile and target, and the requirement verdicts.

Registered only when pytest-html is loaded (see `plugin.pytest_configure`).
"""

from __future__ import annotations

import html
from typing import Any

import pytest

from conformance.results import NOT_ESTABLISHED, STATUSES, count_statuses
from conformance.run import ConformanceRun
from conformance.stash import RESULTS

__all__ = ["HtmlReportHooks"]

_COLOURS = {
    "failed": "#c62828",
    "warned": "#ef6c00",
    "partial": "#1565c0",
    "passed": "#2e7d32",
    "skipped": "#616161",
}
_ORDER = ("failed", "warned", "partial", "passed", "skipped")


class HtmlReportHooks:
    def __init__(self, run: ConformanceRun, config: pytest.Config) -> None:
        self.run = run
        self.config = config

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"Conformance: {self.run.profile.title} against {self.run.target.description}"

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        results = self.config.stash[RESULTS]
        rows = results.requirement_statuses()
        counts = count_statuses(rows)
        client = self.run.client
        prefix.append(
            "<p><strong>Requirements:</strong> "
            + ", ".join(f'<span style="color:{_COLOURS[s]}">{counts[s]} {s}</span>' for s in STATUSES)
            + f" (of {len(rows)}); {client.request_count} requests, "
            f"{client.token_request_count} token requests.</p>"
        )
        if self.run.unreachable:
            prefix.append(
                f"<p><strong>{html.escape(self.run.unreachable)}</strong>; no scenario was run.</p>"
            )
        cells = "".join(
            f"<tr><td><code>{html.escape(r['id'])}</code></td><td>{r['level']}</td>"
            f'<td style="color:{_COLOURS[r["status"]]}">{r["status"]}</td>'
            f"<td>{html.escape(r['source'])}</td>"
            f"<td>{html.escape(self.run.redactor.scrub(r['message']))}</td></tr>"
            for r in sorted(rows, key=lambda r: _ORDER.index(r["status"]))
        )
        if results.incomplete:
            scrub = self.run.redactor.scrub
            items = "".join(
                f"<li><code>{html.escape(e['test'])}</code>: {html.escape(scrub(e['cause']))}</li>"
                for e in results.incomplete
            )
            prefix.append(
                f"<p><strong>The run is incomplete:</strong> {len(results.incomplete)} test(s) could not "
                f"establish their requirements ({NOT_ESTABLISHED}; no requirement is failed by them)."
                f"</p><ul>{items}</ul>"
            )
        prefix.append(
            "<details open><summary><strong>Requirement verdicts</strong></summary>"
            '<table id="requirements"><tr><th>id</th><th>level</th><th>status</th><th>source</th>'
            f"<th>message</th></tr>{cells}</table></details>"
        )
