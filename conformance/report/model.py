"""The results model: a requirement's `Status`, a results.json row read back as a `RequirementVerdict`,
and `load_results`, the one reader of a results.json file.

Every command that reads a run's results.json (`diff`, `merge`, `baseline`, `replay`,
`selftest`, the forecast of `run`) reads it here: a file that is missing, not JSON, or not a
results.json is one `UsageError` line naming the file and the problem. With `validate` the
document must also keep its contract, schemas/results.schema.json; without it (`diff`, which
compares runs of two versions of the tool), each requirement needs only an id and a status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from conformance.errors import UsageError
from conformance.schemas import violations

__all__ = [
    "STATUSES",
    "Results",
    "Status",
    "RequirementVerdict",
    "load_results",
    "markdown_cell",
    "one_line",
    "verdicts_of",
]


class Status(StrEnum):
    """A requirement's status in a run (results.json `requirements[].status`)."""

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    WARNED = "warned"
    SKIPPED = "skipped"

    @property
    def rank(self) -> int:
        """The strongest verdict any test gave a requirement is its status: one test that
        checked it in full outweighs another that saw only part of it."""
        return _RANK[self]

    @property
    def deviates(self) -> bool:
        """Failed or warned: a finding names the requirement."""
        return self in (Status.FAILED, Status.WARNED)


_RANK = {Status.FAILED: 4, Status.WARNED: 3, Status.PASSED: 2, Status.PARTIAL: 1, Status.SKIPPED: 0}
STATUSES = tuple(Status)  # the order of results.json `summary.requirements`


@dataclass(frozen=True, slots=True)
class RequirementVerdict:
    """One requirement row of a results.json, read back."""

    id: str
    status: Status
    message: str = ""
    level: str = ""
    source: str = ""
    statement: str = ""
    tests: tuple[str, ...] = ()
    evidence: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> RequirementVerdict:
        return cls(
            id=row["id"],
            status=Status(row["status"]),
            message=row.get("message") or "",
            level=row.get("level") or "",
            source=row.get("source") or "",
            statement=row.get("statement") or "",
            tests=tuple(row.get("tests") or ()),
            evidence=tuple(row.get("evidence") or ()),
        )


def verdicts_of(document: Mapping[str, Any]) -> tuple[RequirementVerdict, ...]:
    """The requirement rows of a results.json document, in its order (catalogue order)."""
    return tuple(RequirementVerdict.of(row) for row in document["requirements"])


@dataclass(frozen=True, slots=True)
class Results:
    """A results.json read from `path`: the document as written, and its verdicts."""

    path: Path
    document: dict[str, Any]
    verdicts: tuple[RequirementVerdict, ...]

    def verdict(self, requirement_id: str) -> RequirementVerdict | None:
        return next((v for v in self.verdicts if v.id == requirement_id), None)


def one_line(text: str, width: int) -> str:
    """A verdict's text on one line of at most `width` characters (junit's message attribute:
    CI systems show it on one line)."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def markdown_cell(text: object) -> str:
    """A verdict's text in a markdown table cell: one line, no pipe."""
    return " ".join(str(text).split()).replace("|", "\\|")


def load_results(path: Path | str, *, validate: bool = False) -> Results:
    """The results.json at `path`, or one `UsageError` line naming the file and the problem.

    `validate`: the document must be valid against schemas/results.schema.json."""
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
    if validate:
        errors = violations("results", document)
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "the document"
            problem = one_line(errors[0].message, 160)
            raise UsageError(f"{path}: not a valid results.json ({where}: {problem})")
    unknown = next((r for r in rows if r["status"] not in STATUSES), None)
    if unknown is not None:
        raise UsageError(
            f"{path}: not a results.json (requirement {unknown['id']}: "
            f"status {unknown['status']!r} is none of {', '.join(STATUSES)})"
        )
    return Results(Path(path), document, verdicts_of(document))
