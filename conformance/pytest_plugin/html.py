"""pytest-html's side of the HTML report: the hooks that fill its title, environment, summary and rows."""

from __future__ import annotations

import html
from typing import Any

import pytest

from conformance.engine.run import ConformanceRun
from conformance.engine.search import EXAMPLES, LIVE_EXAMPLES
from conformance.pytest_plugin.stash import RESULTS
from conformance.report.html_report import (
    EXCHANGES_SECTION,
    FINDING_LINE,
    SummaryPage,
    requirement_anchor,
)

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
        page = SummaryPage(self.run.redactor.scrub, self.run.profile, self._row_ids)
        prefix.extend(page.render(self.config.stash[RESULTS], self.run))


def _hypothesis_option(config: pytest.Config, name: str) -> object:
    try:
        return config.getoption(name)
    except ValueError:  # the hypothesis plugin is not loaded
        return None
