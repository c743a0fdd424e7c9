"""CI systems' pytest side: under GitHub Actions, error annotations and the job summary when the run ends."""

from __future__ import annotations

import os
from typing import Any

import pytest

from conformance.engine.run import ConformanceRun
from conformance.pytest_plugin.stash import RESULTS
from conformance.report.ci_output import error_commands, step_summary

__all__ = ["GithubActionsHooks", "register_ci_hooks"]


def register_ci_hooks(run: ConformanceRun, config: pytest.Config) -> None:
    """Called by the plugin once the run is configured."""
    from conformance.pytest_plugin.junit import JunitHooks

    if config.getoption("xmlpath", None):
        config.pluginmanager.register(JunitHooks(run, config), "conformance-junit")
    if os.environ.get("GITHUB_ACTIONS") == "true" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(GithubActionsHooks(run, config), "conformance-github")


class GithubActionsHooks:
    """Registered by the plugin under GITHUB_ACTIONS=true (on the controller, not xdist workers)."""

    def __init__(self, run: ConformanceRun, config: pytest.Config) -> None:
        self.run = run
        self.config = config

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.run.settings.dry_run:
            return
        results = self.config.stash[RESULTS]
        rows = results.requirement_statuses()
        verdicts = results.baseline_verdicts(rows)
        for line in error_commands(
            results.blocking_failures(rows), self.run, verdicts, results.strict_baseline
        ):
            terminalreporter.write_line(line)
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(step_summary(results, self.run, rows))
