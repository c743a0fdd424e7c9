"""Baselines: the deviations a deployment is known to have, accepted for now.

A real server has a few accepted deviations; without a baseline every run of it fails forever
and a new regression hides among them. A baseline (YAML, schemas/baseline.schema.json) lists
them, each with its reason and optionally the last day it holds (`until`) and a link. Against a
run's requirement rows each entry gets one verdict:

* `accepted`: still failing (or warned), and the acceptance holds: it does not fail the run;
* `expired`: still failing, but past its `until` date: its failure fails the run again;
* `fixed`: the requirement now holds: remove the entry (fails the run under --strict-baseline,
  so that a baseline never silently hides a future regression of what was fixed);
* `not checked`: this run did not establish the requirement either way (skipped, partial).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.errors import UsageError
from conformance.registry import closest
from conformance.report.model import Results, Status
from conformance.requirements import all_requirements, get
from conformance.schemas import SchemaViolation, load_schema, violations

__all__ = [
    "ACCEPTED",
    "ACCEPTED_PREFIX",
    "EXPIRED",
    "FIXED",
    "NOT_CHECKED",
    "Baseline",
    "BaselineEntry",
    "accepted_reasons",
    "baseline_yaml",
    "load_baseline",
    "summary_lines",
    "verdict_line",
]

ACCEPTED = "accepted"
EXPIRED = "expired"
FIXED = "fixed"
NOT_CHECKED = "not checked"
FIXED_HINT = "fixed: remove it from the baseline"
# How a test that failed only accepted deviations reads, skipped, everywhere a test is listed.
ACCEPTED_PREFIX = "accepted by the baseline: "


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    requirement: str
    reason: str
    until: datetime.date | None = None
    link: str | None = None

    def expired(self, today: datetime.date) -> bool:
        return self.until is not None and today > self.until


@dataclass(frozen=True, slots=True)
class Baseline:
    path: str
    entries: tuple[BaselineEntry, ...]

    def verdicts(
        self, rows: Iterable[dict[str, Any]], today: datetime.date | None = None
    ) -> list[dict[str, Any]]:
        """One verdict per entry against a run's requirement rows (results.json `requirements`)."""
        today = today or datetime.date.today()
        by_id = {row["id"]: row for row in rows}
        verdicts = []
        for entry in self.entries:
            row = by_id.get(entry.requirement, {"status": Status.SKIPPED, "message": "not in this run"})
            status = row["status"]
            if status == Status.PASSED:
                verdict, note = FIXED, FIXED_HINT
            elif status in (Status.FAILED, Status.WARNED) and entry.expired(today):
                verdict, note = EXPIRED, f"the acceptance expired on {entry.until}: its failure counts again"
            elif status in (Status.FAILED, Status.WARNED):
                verdict, note = ACCEPTED, "accepted: still deviating, as the baseline says"
            else:
                verdict, note = NOT_CHECKED, f"not checked by this run ({status})"
            verdicts.append(
                {
                    "requirement": entry.requirement,
                    "verdict": verdict,
                    "note": note,
                    "status": status,
                    "message": row.get("message", ""),
                    "reason": entry.reason,
                    "until": entry.until.isoformat() if entry.until else None,
                    "link": entry.link,
                }
            )
        return verdicts


def accepted_reasons(
    baseline: Baseline, requirement_ids: Iterable[str], today: datetime.date | None = None
) -> str | None:
    """`ID (reason); ...` when the baseline accepts every one of `requirement_ids` (each listed,
    its `until` not past): a test that failed only these looks like a pass. None otherwise."""
    entries = {entry.requirement: entry for entry in baseline.entries}
    ids = list(dict.fromkeys(requirement_ids))
    today = today or datetime.date.today()
    if not ids or any(i not in entries or entries[i].expired(today) for i in ids):
        return None
    return "; ".join(f"{i} ({entries[i].reason})" for i in ids)


def _did_you_mean(requirement_id: str) -> str:
    near = closest(requirement_id, [r.id for r in all_requirements()])
    return f" (did you mean {near}?)" if near else " (see `conformance requirements`)"


_KINDS = {
    dict: "a mapping",
    list: "a list",
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true/false",
}
_ENTRY_SHAPE = "each entry is a mapping: `- requirement: ID` and `reason: ...` (until, link optional)"


def _kind(value: object) -> str:
    return "nothing" if value is None else _KINDS.get(type(value), type(value).__name__)


def _problem(error: SchemaViolation, data: Any) -> str:
    """A schema violation in the user's terms: which entry (and its requirement), which field, what
    is wrong with it; never the parsed YAML."""
    path = list(error.absolute_path)
    if not path:  # the document itself
        return f"a baseline is a list of entries, not {_kind(data)}: {_ENTRY_SHAPE}"
    index = int(path[0])
    entry = data[index]
    requirement = entry.get("requirement") if isinstance(entry, dict) else None
    where = f"entry {index + 1}" + (f" ({requirement})" if isinstance(requirement, str) else "")
    allowed = list(load_schema("baseline")["items"]["properties"])
    if len(path) == 1:
        if error.validator == "type":
            return f"{where} is {_kind(entry)}: {_ENTRY_SHAPE}"
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in entry]
            absent = ", ".join(repr(m) for m in missing)
            return f"{where}: no field {absent} (every entry needs requirement and reason)"
        if error.validator == "additionalProperties":
            unknown = [key for key in entry if key not in allowed]
            named = []
            for key in unknown:
                near = closest(str(key), allowed)
                named.append(f"{key!r}" + (f" (did you mean {near!r}?)" if near else ""))
            return f"{where}: unknown field {', '.join(named)}; the fields are {', '.join(allowed)}"
        return f"{where}: {error.message}"
    field, value = str(path[1]), entry[path[1]]
    if error.validator == "type":
        return f"{where}, field {field!r}: expected text, got {_kind(value)}"
    if error.validator == "minLength":
        return f"{where}, field {field!r} is empty"
    if error.validator == "pattern" and field == "until":
        return f"{where}, field 'until': {value!r} is not a date YYYY-MM-DD"
    return f"{where}, field {field!r}: {error.message}"


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline; every problem is one `UsageError` line naming the file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"baseline {path}: cannot read it: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"baseline {path}: not YAML: {' '.join(str(exc).split())}") from None
    data = [] if data is None else data
    if isinstance(data, list):
        # YAML reads an unquoted 2026-12-31 as a date; the schema speaks of its text.
        for item in data:
            if isinstance(item, dict) and isinstance(item.get("until"), datetime.date):
                item["until"] = item["until"].isoformat()
    problems = violations("baseline", data)
    if problems:
        raise UsageError(f"baseline {path}: {_problem(problems[0], data)}")
    entries = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        requirement_id = item["requirement"]
        try:
            get(requirement_id)
        except KeyError:
            raise UsageError(
                f"baseline {path}: entry {index + 1}: unknown requirement id {requirement_id!r}"
                + _did_you_mean(requirement_id)
            ) from None
        if requirement_id in seen:
            raise UsageError(f"baseline {path}: entry {index + 1}: {requirement_id} is listed twice")
        seen.add(requirement_id)
        until = None
        if "until" in item:
            try:
                until = datetime.date.fromisoformat(item["until"])
            except ValueError:
                raise UsageError(
                    f"baseline {path}: entry {index + 1}: until {item['until']!r} is not a date"
                ) from None
        entries.append(BaselineEntry(requirement_id, item["reason"], until, item.get("link")))
    return Baseline(str(path), tuple(entries))


def baseline_yaml(results: Results) -> str:
    """A baseline accepting every failed requirement of a run's results.json.

    Warnings are left out: they never fail a run, so there is nothing to accept. Each reason is
    the current evidence, a placeholder for the person who accepts it to replace.
    """
    document = results.document
    failed = [v for v in results.verdicts if v.status is Status.FAILED]
    header = (
        f"# Baseline from a run of profile {document.get('profile')} against {document.get('target')}"
        f"{' at ' + str(document['started']) if document.get('started') else ''}.\n"
        "# Each reason is the evidence of that run: replace it with why the deviation is accepted,\n"
        "# and add `until: YYYY-MM-DD` and `link:` where they apply.\n"
    )
    if not failed:
        return header + "[]\n"
    entries = [{"requirement": v.id, "reason": v.message or "failed in this run"} for v in failed]
    return header + yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=100)


def summary_lines(verdicts: list[dict[str, Any]], strict: bool) -> list[tuple[str, bool]]:
    """The terminal's baseline section: (line, whether it fails the run)."""
    lines = []
    for v in verdicts:
        failing = v["verdict"] == EXPIRED or (v["verdict"] == FIXED and strict)
        if v["verdict"] == ACCEPTED:
            now = f"; now: {v['message']}" if v["message"] and v["message"] != v["reason"] else ""
            text = f"{v['requirement']}: accepted ({v['reason']}){now}"
        elif v["verdict"] == FIXED:
            tail = " (--strict-baseline: the run fails until it is removed)" if strict else ""
            text = f"{v['requirement']}: {FIXED_HINT}{tail}"
        else:
            text = f"{v['requirement']}: {v['note']}" + (
                f": {v['message']}" if v["verdict"] == EXPIRED else ""
            )
        lines.append((text, failing))
    return lines


def verdict_line(verdicts: list[dict[str, Any]], unaccepted: list[str], strict: bool) -> str:
    """The summary's one line on the baseline: what it accepted, and what still fails the run."""
    accepted = [v["requirement"] for v in verdicts if v["verdict"] == ACCEPTED]
    fixed = [v["requirement"] for v in verdicts if v["verdict"] == FIXED]
    parts = [f"{len(accepted)} failure{'s' if len(accepted) != 1 else ''} accepted by the baseline"]
    parts.append(f"not accepted: {', '.join(unaccepted)}" if unaccepted else "no other failure")
    if fixed:
        parts.append(f"{FIXED}{' (--strict-baseline fails the run)' if strict else ''}: {', '.join(fixed)}")
    return "; ".join(parts)
