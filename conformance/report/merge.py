"""`conformance merge RESULTS.json... --report-dir DIR`: many runs, one overview.

A CI matrix runs the suite once per deployment (regions, tenants, staging and production);
this command reads each run's results.json and writes into DIR:

* `merged.json`: the runs, and the table deployment x requirement (each requirement's status
  per run, with its message);
* `overview.html`: that table as one static, self-contained page;
* `junit.xml`: one testsuite per run, one testcase per requirement, so a CI system shows every
  deployment's verdicts side by side.

Exit code: 1 when a run has a failure that fails it (its baseline's `unaccepted_failures`; with
no baseline, every failure at a level that fails a run), 2 when a run is incomplete and none
failed, else 0; a missing or invalid results.json is a usage error (exit 4).

Every text comes from results.json files, which the runs wrote through their Redactor: nothing
here sees a credential. Each is still escaped, for the HTML and the XML alike.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.report.html_report import STATUS_COLOURS
from conformance.report.junit import INCOMPLETE_TESTCASE
from conformance.report.model import RequirementVerdict, Status, load_results, one_line
from conformance.report.results import tool_version

__all__ = ["MergedRun", "junit_xml", "merge", "overview_html"]

_MESSAGE_WIDTH = 500  # junit's message attribute: CI systems show it on one line
_ACCEPTED_COLOUR = "#ef6c00"  # as html_report's baseline "accepted"


@dataclass
class MergedRun:
    name: str  # "<profile> @ <target>", made unique among the runs merged
    path: Path
    document: dict[str, Any]
    verdicts: tuple[RequirementVerdict, ...]

    def verdict(self, requirement_id: str) -> RequirementVerdict | None:
        return next((v for v in self.verdicts if v.id == requirement_id), None)

    @property
    def complete(self) -> bool:
        return bool(self.document["complete"])

    def blocking_failures(self) -> list[str]:
        """The failed requirements that fail this run, as the run itself decided them."""
        baseline = self.document["baseline"]
        if baseline is not None:
            return list(baseline["unaccepted_failures"])
        levels = self.document["summary"]["levels"]
        return [v.id for v in self.verdicts if v.status is Status.FAILED and levels.get(v.level, True)]

    def accepted(self) -> set[str]:
        """Failed requirements the run's baseline accepts: not failures of the merged overview."""
        blocking = set(self.blocking_failures())
        return {v.id for v in self.verdicts if v.status is Status.FAILED and v.id not in blocking}

    @property
    def exit_code(self) -> int:
        if self.blocking_failures():
            return 1
        return 0 if self.complete else 2


def merge(paths: list[Path]) -> list[MergedRun]:
    runs: list[MergedRun] = []
    for path in paths:
        # Valid against the schema: the overview reads the summary, the baseline block, the levels.
        results = load_results(path, validate=True)
        document = results.document
        name = f"{document['profile']} @ {document['target']}"
        if any(run.name == name for run in runs):
            # Two matrix cells against the same profile and target (say, other settings): the
            # file tells them apart, where a column name would otherwise hide one of them.
            name = f"{name} ({path})"
        runs.append(MergedRun(name, Path(path), document, results.verdicts))
    return runs


def exit_code(runs: list[MergedRun]) -> int:
    codes = {run.exit_code for run in runs}
    return 1 if 1 in codes else 2 if 2 in codes else 0


def _catalogue(runs: list[MergedRun]) -> list[RequirementVerdict]:
    """Every requirement of any run, in the order the runs list them (catalogue order); runs
    of two versions of the tool may not know the same requirements."""
    rows: dict[str, RequirementVerdict] = {}
    for run in runs:
        for verdict in run.verdicts:
            rows.setdefault(verdict.id, verdict)
    return list(rows.values())


def merged_document(runs: list[MergedRun]) -> dict[str, Any]:
    table = []
    for requirement in _catalogue(runs):
        statuses: dict[str, str | None] = {}
        messages: dict[str, str] = {}
        for run in runs:
            row = run.verdict(requirement.id)
            statuses[run.name] = None if row is None else row.status.value
            if row is not None and row.message:
                messages[run.name] = row.message
        table.append(
            {
                "id": requirement.id,
                "level": requirement.level,
                "source": requirement.source,
                "statement": requirement.statement,
                "statuses": statuses,
                "messages": messages,
            }
        )
    return {
        "tool": {"name": "conformance", "version": tool_version()},
        "exit_code": exit_code(runs),
        "runs": [
            {
                "name": run.name,
                "file": str(run.path),
                "profile": run.document["profile"],
                "target": run.document["target"],
                "started": run.document["started"],
                "complete": run.complete,
                "error": run.document["error"],
                "exit_code": run.exit_code,
                "counts": run.document["summary"]["requirements"],
                "unaccepted_failures": run.blocking_failures(),
                "accepted_failures": sorted(run.accepted()),
            }
            for run in runs
        ],
        "requirements": table,
    }


def overview_html(runs: list[MergedRun]) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(run.name)}</th>" for run in runs)
    verdicts = "".join(
        f"<td>{'failed' if run.exit_code == 1 else 'incomplete' if run.exit_code == 2 else 'passed'}"
        + (f' <span title="{esc(run.document["error"])}">(why)</span>' if run.document["error"] else "")
        + "</td>"
        for run in runs
    )
    body = []
    for requirement in _catalogue(runs):
        cells = []
        for run in runs:
            row = run.verdict(requirement.id)
            if row is None:
                cells.append('<td class="none">—</td>')
                continue
            status = row.status
            accepted = status is Status.FAILED and row.id in run.accepted()
            colour = _ACCEPTED_COLOUR if accepted else STATUS_COLOURS.get(status, "#000")
            label = "failed (accepted)" if accepted else status
            title = f' title="{esc(row.message)}"' if status is Status.FAILED and row.message else ""
            cells.append(f'<td class="{esc(status)}" style="color:{colour}"{title}>{esc(label)}</td>')
        body.append(
            f'<tr id="req-{esc(requirement.id)}"><th>{esc(requirement.id)}</th>'
            f"<td>{esc(requirement.level)}</td><td>{esc(requirement.statement)}</td>{''.join(cells)}</tr>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>conformance: merged overview</title><style>"
        "body{font-family:sans-serif}table{border-collapse:collapse}"
        "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
        "td[title]{cursor:help;text-decoration:underline dotted}"
        "</style></head><body>\n"
        f"<h1>conformance: {len(runs)} runs</h1>\n<table>\n"
        f"<thead><tr><th>requirement</th><th>level</th><th>statement</th>{head}</tr>\n"
        f'<tr><th colspan="3">run</th>{verdicts}</tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody></table>\n</body></html>\n"
    )


def _classname(run: MergedRun) -> str:
    # Jenkins reads a classname's dots as packages; each run is one class of its own.
    return "".join(c if c.isalnum() or c in "_-@" else "_" for c in run.name.replace(" @ ", "@"))


def junit_xml(runs: list[MergedRun]) -> bytes:
    root = ET.Element("testsuites", name="conformance merge")
    for run in runs:
        suite = ET.SubElement(root, "testsuite", name=f"conformance {run.name}")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        accepted = run.accepted()
        for row in run.verdicts:
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=_classname(run), name=row.id, time="0")
            properties = ET.SubElement(case, "properties")
            for name, value in (("requirement", row.id), ("level", row.level), ("source", row.source)):
                ET.SubElement(properties, "property", name=name, value=value)
            message = one_line(row.message, _MESSAGE_WIDTH)
            if row.status is Status.FAILED and row.id in accepted:
                counts["skipped"] += 1
                ET.SubElement(
                    case,
                    "skipped",
                    type="conformance.accepted",
                    message=f"accepted by the baseline: {message}",
                )
            elif row.status is Status.FAILED:
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", message=message)
                failure.text = row.message
            elif row.status is Status.SKIPPED:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=message)
        if not run.complete:
            # As the run's own junit.xml: an incomplete run is an error a CI system counts.
            counts["tests"] += 1
            counts["errors"] += 1
            case = ET.SubElement(
                suite, "testcase", classname=_classname(run), name=INCOMPLETE_TESTCASE, time="0"
            )
            reason = run.document["error"] or f"{len(run.document['incomplete'])} test(s) not established"
            message = one_line(reason, _MESSAGE_WIDTH)
            ET.SubElement(case, "error", type="conformance.incomplete", message=message)
        for attribute, count in counts.items():
            suite.set(attribute, str(count))
    for attribute in ("tests", "failures", "errors"):
        root.set(attribute, str(sum(int(s.get(attribute, "0")) for s in root)))
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
