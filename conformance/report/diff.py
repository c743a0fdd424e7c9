"""`conformance diff OLD.json NEW.json`: what changed between two runs.

Requirement by requirement: newly failed (exit 1), fixed, another change of status, the same
status with other evidence (its message), and requirements added to or removed from the
catalogue between the two versions of the tool. Plain text for a terminal, markdown (a table)
for a pull-request comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.report.model import Status, markdown_cell, verdicts_of

__all__ = ["RunDiff", "diff_results"]


@dataclass
class RunDiff:
    old: dict[str, Any]
    new: dict[str, Any]
    # (id, old status, new status, old message, new message)
    newly_failed: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    fixed: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    changed_status: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    changed_evidence: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    added: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    removed: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.newly_failed else 0

    def sections(self) -> list[tuple[str, list[tuple[str, str, str, str, str]]]]:
        return [
            ("newly failed", self.newly_failed),
            ("fixed", self.fixed),
            ("changed status", self.changed_status),
            ("changed evidence", self.changed_evidence),
            ("added to the catalogue", self.added),
            ("removed from the catalogue", self.removed),
        ]

    def headline(self) -> str:
        counts = ", ".join(f"{len(rows)} {title}" for title, rows in self.sections())
        return (
            f"{self.old.get('profile')} @ {self.old.get('target')} -> "
            f"{self.new.get('profile')} @ {self.new.get('target')}: {counts}"
        )

    def text(self) -> str:
        lines = [self.headline()]
        for title, rows in self.sections():
            if not rows:
                continue
            lines.append(f"\n{title}:")
            for rid, before, after, old_message, new_message in rows:
                lines.append(f"  {rid}: {before} -> {after}")
                if old_message and old_message != new_message:
                    lines.append(f"    was: {old_message}")
                if new_message:
                    lines.append(f"    now: {new_message}")
        if not any(rows for _, rows in self.sections()):
            lines.append("no requirement changed")
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        verdict = (
            f"**{len(self.newly_failed)} new failure{'s' if len(self.newly_failed) != 1 else ''}**"
            if self.newly_failed
            else "no new failure"
        )
        lines = [f"### conformance: {verdict}", "", self.headline(), ""]
        changes = [(title, row) for title, rows in self.sections() for row in rows]
        if not changes:
            return "\n".join([*lines, "No requirement changed."]) + "\n"
        lines += ["| change | requirement | before | after | evidence now |", "|---|---|---|---|---|"]
        for title, (rid, before, after, _old, new_message) in changes:
            lines.append(f"| {title} | `{rid}` | {before} | {after} | {markdown_cell(new_message)} |")
        return "\n".join(lines) + "\n"


def diff_results(old: dict[str, Any], new: dict[str, Any]) -> RunDiff:
    before = {v.id: v for v in verdicts_of(old)}
    after = {v.id: v for v in verdicts_of(new)}
    result = RunDiff(old, new)
    for rid, verdict in after.items():
        status, message = verdict.status, verdict.message
        previous = before.get(rid)
        if previous is None:
            entry = (rid, "-", status.value, "", message)
            (result.newly_failed if status is Status.FAILED else result.added).append(entry)
            continue
        was, old_message = previous.status, previous.message
        entry = (rid, was.value, status.value, old_message, message)
        if status is Status.FAILED and was is not Status.FAILED:
            result.newly_failed.append(entry)
        elif was.deviates and status is Status.PASSED:
            result.fixed.append(entry)
        elif was != status:
            result.changed_status.append(entry)
        elif message != old_message:
            result.changed_evidence.append(entry)
    for rid, verdict in before.items():
        if rid not in after:
            result.removed.append((rid, verdict.status.value, "-", verdict.message, ""))
    return result
