"""Output CI systems read natively: junit.xml everywhere, and under GitHub Actions a job
summary and one `::error` annotation per failed requirement.

GitLab needs nothing beyond junit.xml (`artifacts:reports:junit`); GitHub Actions has no junit
reader of its own, so the run writes markdown to `$GITHUB_STEP_SUMMARY` and workflow commands
to stdout (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).
Every text passes the run's redactor first.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pytest

from conformance.baseline import ACCEPTED, FIXED, FIXED_HINT
from conformance.results import NOT_ESTABLISHED, ResultsCollector, count_statuses
from conformance.run import ConformanceRun
from conformance.stash import RESULTS

__all__ = [
    "GithubActionsHooks",
    "error_commands",
    "escape_data",
    "escape_property",
    "register_ci_hooks",
    "step_summary",
]


def register_ci_hooks(run: ConformanceRun, config: pytest.Config) -> None:
    """Called by the plugin once the run is configured."""
    from conformance.junit import JunitHooks

    if config.getoption("xmlpath", None):
        config.pluginmanager.register(JunitHooks(run, config), "conformance-junit")
    if os.environ.get("GITHUB_ACTIONS") == "true" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(GithubActionsHooks(run, config), "conformance-github")


def escape_data(text: str) -> str:
    """A workflow command's message: GitHub's runner decodes exactly these."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (`title=`): ':' and ',' separate properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, title: str, message: str) -> str:
    return f"::{kind} title={escape_property(title)}::{escape_data(message)}"


def error_commands(
    failed: list[dict[str, Any]],
    run: ConformanceRun,
    verdicts: Sequence[dict[str, Any]] = (),
    strict: bool = False,
) -> list[str]:
    """One `::error` per failed requirement (the baseline's accepted ones excepted), and one for a
    run that could not be completed; a baselined requirement now fixed is a warning, an error
    under --strict-baseline, an accepted one a notice."""
    scrub = run.redactor.scrub
    lines = [
        _command(
            "error",
            scrub(row["id"]),
            scrub(f"[{row['level']}, {row['source']}] {row['statement'].rstrip('.')}: {row['message']}"),
        )
        for row in failed
    ]
    for verdict in verdicts:
        if verdict["verdict"] == FIXED:
            lines.append(_command("error" if strict else "warning", verdict["requirement"], FIXED_HINT))
        elif verdict["verdict"] == ACCEPTED:
            message = f"accepted by the baseline ({verdict['reason']}): {verdict['message']}"
            lines.append(_command("notice", verdict["requirement"], scrub(message)))
    reason = run.unreachable or run.stopped
    if reason is not None:
        title = f"conformance {run.profile.name}: the run could not be completed"
        lines.append(_command("error", title, scrub(reason)))
    return lines


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def step_summary(results: ResultsCollector, run: ConformanceRun, rows: list[dict[str, Any]]) -> str:
    """The job summary: counts by status, then what failed, what was partial, what is unknown."""
    counts = count_statuses(rows)
    out = [
        f"## conformance: {run.profile.name} against {run.target.description}",
        "",
        "| " + " | ".join(counts) + " |",
        "|" + "---|" * len(counts),
        "| " + " | ".join(str(n) for n in counts.values()) + " |",
        "",
    ]
    reason = run.unreachable or run.stopped
    if reason is not None:
        out += [f"**The run could not be completed:** {_cell(reason)}", ""]
    verdicts = results.baseline_verdicts(rows)
    accepted = {v["requirement"]: v for v in verdicts if v["verdict"] == ACCEPTED}
    failed = results.blocking_failures(rows)
    sections = (
        (failed, "Failed requirements", "expected / got"),
        ([r for r in rows if r["id"] in accepted], "Accepted by the baseline", "expected / got"),
        ([r for r in rows if r["status"] == "partial"], "Checked in part only", "what was covered"),
    )
    for chosen, title, column in sections:
        if chosen:
            out += [f"### {title} ({len(chosen)})", "", f"| requirement | level | source | {column} |"]
            out.append("|---|---|---|---|")
            out += [
                f"| `{r['id']}` | {r['level']} | {_cell(r['source'])} | {_cell(r['message'])} |"
                for r in chosen
            ]
            out.append("")
    fixed = [v for v in verdicts if v["verdict"] == FIXED]
    if fixed:
        out += [f"### Baselined, now holding: {FIXED_HINT} ({len(fixed)})", ""]
        out += [f"- `{v['requirement']}` (baseline reason: {_cell(v['reason'])})" for v in fixed]
        out.append("")
    incomplete = results.incomplete
    if incomplete:
        out += [f"### Tests that could not establish their requirements ({NOT_ESTABLISHED})", ""]
        out += [f"- `{entry['test']}`: {_cell(entry['cause'] or '')}" for entry in incomplete]
        out.append("")
    return run.redactor.scrub("\n".join(out) + "\n")


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
