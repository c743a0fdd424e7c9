"""Output CI systems read natively: junit.xml everywhere, and under GitHub Actions a job
summary and one `::error` annotation per failed requirement.

GitLab needs nothing beyond junit.xml (`artifacts:reports:junit`); GitHub Actions has no junit
reader of its own, so the run writes markdown to `$GITHUB_STEP_SUMMARY` and workflow commands
to stdout (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).
Every text passes the run's redactor first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conformance.engine.run import ConformanceRun
from conformance.report.baseline import ACCEPTED, FIXED, FIXED_HINT
from conformance.report.model import Status, markdown_cell
from conformance.report.results import NOT_ESTABLISHED, ResultsCollector, count_statuses

__all__ = [
    "error_commands",
    "escape_data",
    "escape_property",
    "step_summary",
]


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
        out += [f"**The run could not be completed:** {markdown_cell(reason)}", ""]
    verdicts = results.baseline_verdicts(rows)
    accepted = {v["requirement"]: v for v in verdicts if v["verdict"] == ACCEPTED}
    failed = results.blocking_failures(rows)
    sections = (
        (failed, "Failed requirements", "expected / got"),
        ([r for r in rows if r["id"] in accepted], "Accepted by the baseline", "expected / got"),
        ([r for r in rows if r["status"] == Status.PARTIAL], "Checked in part only", "what was covered"),
    )
    for chosen, title, column in sections:
        if chosen:
            out += [f"### {title} ({len(chosen)})", "", f"| requirement | level | source | {column} |"]
            out.append("|---|---|---|---|")
            cell = markdown_cell
            out += [
                f"| `{r['id']}` | {r['level']} | {cell(r['source'])} | {cell(r['message'])} |" for r in chosen
            ]
            out.append("")
    fixed = [v for v in verdicts if v["verdict"] == FIXED]
    if fixed:
        out += [f"### Baselined, now holding: {FIXED_HINT} ({len(fixed)})", ""]
        out += [f"- `{v['requirement']}` (baseline reason: {markdown_cell(v['reason'])})" for v in fixed]
        out.append("")
    incomplete = results.incomplete
    if incomplete:
        out += [f"### Tests that could not establish their requirements ({NOT_ESTABLISHED})", ""]
        out += [f"- `{entry['test']}`: {markdown_cell(entry['cause'] or '')}" for entry in incomplete]
        out.append("")
    return run.redactor.scrub("\n".join(out) + "\n")
