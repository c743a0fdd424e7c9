"""`conformance diff OLD.json NEW.json`: what changed between two runs.

Requirement by requirement: newly failed (exit 1), fixed, another change of status, the same
status with other evidence (its message), and requirements added to or removed from the
catalogue between the two versions of the tool. Plain text for a terminal, markdown (a table)
for a pull-request comment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import UsageError

__all__ = ["RunDiff", "diff_results", "load_results"]

FAILING = ("failed",)


def load_results(path: Path) -> dict[str, Any]:
    """A results.json document, or one `UsageError` line saying why `path` is not one."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UsageError(f"{path}: not a results.json (not JSON)") from None
    rows = document.get("requirements") if isinstance(document, dict) else None
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("status"), str)
        for r in rows
    ):
        raise UsageError(f"{path}: not a results.json (no requirements with id and status)")
    return document  # type: ignore[no-any-return]


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
            lines.append(f"| {title} | `{rid}` | {before} | {after} | {_cell(new_message)} |")
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Markdown table cells: one line, no pipe."""
    return " ".join(text.split()).replace("|", "\\|")


def diff_results(old: dict[str, Any], new: dict[str, Any]) -> RunDiff:
    before = {r["id"]: r for r in old["requirements"]}
    after = {r["id"]: r for r in new["requirements"]}
    result = RunDiff(old, new)
    for rid, row in after.items():
        status, message = row["status"], row.get("message", "")
        previous = before.get(rid)
        if previous is None:
            entry = (rid, "-", status, "", message)
            (result.newly_failed if status in FAILING else result.added).append(entry)
            continue
        was, old_message = previous["status"], previous.get("message", "")
        entry = (rid, was, status, old_message, message)
        if status in FAILING and was not in FAILING:
            result.newly_failed.append(entry)
        elif was in ("failed", "warned") and status == "passed":
            result.fixed.append(entry)
        elif was != status:
            result.changed_status.append(entry)
        elif message != old_message:
            result.changed_evidence.append(entry)
    for rid, row in before.items():
        if rid not in after:
            result.removed.append((rid, row["status"], "-", row.get("message", ""), ""))
    return result
