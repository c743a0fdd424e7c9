"""pytest-html additions: a title naming profile and target, and the requirement verdicts.

Registered only when pytest-html is loaded (see `plugin.pytest_configure`).
"""

from __future__ import annotations

import html
from typing import Any

import pytest

from conformance.run import ConformanceRun
from conformance.stash import RESULTS

__all__ = ["HtmlReportHooks"]

_COLOURS = {"failed": "#c62828", "warned": "#ef6c00", "passed": "#2e7d32", "skipped": "#616161"}


class HtmlReportHooks:
    def __init__(self, run: ConformanceRun, config: pytest.Config) -> None:
        self.run = run
        self.config = config

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"Conformance: {self.run.profile.title} against {self.run.target.description}"

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        rows = self.config.stash[RESULTS].requirement_statuses()
        counts = {s: sum(1 for r in rows if r["status"] == s) for s in _COLOURS}
        client = self.run.client
        prefix.append(
            "<p><strong>Requirements:</strong> "
            + ", ".join(f'<span style="color:{_COLOURS[s]}">{n} {s}</span>' for s, n in counts.items())
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
            for r in sorted(rows, key=lambda r: ("failed", "warned", "passed", "skipped").index(r["status"]))
        )
        prefix.append(
            "<details open><summary><strong>Requirement verdicts</strong></summary>"
            '<table id="requirements"><tr><th>id</th><th>level</th><th>status</th><th>source</th>'
            f"<th>message</th></tr>{cells}</table></details>"
        )
