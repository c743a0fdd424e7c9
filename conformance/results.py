"""results.json: every requirement of the catalogue with its status for this run.

A requirement's status is evidence, never a guess:

* `failed` / `warned`: a finding names it, with the exchange that shows it;
* `passed`: a test checked it in full and saw it hold (a test that carries it in its
  `requirement` marker and ran to its end with no finding on it);
* `partial`: checked only in part; the message says what was covered;
* `skipped`: not checked, with the reason. A test that failed with no finding behind it (an
  error of the suite, a request the suite could not send, a target that stopped answering, a
  search whose replay differed without a counterexample) leaves its requirements "not
  established", names the cause, and makes the run incomplete. A dry run sends nothing and so
  establishes nothing: every requirement is "not run".
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.findings import FindingLog
from conformance.redaction import Redactor
from conformance.requirements import Level, all_requirements, get

__all__ = ["NOT_ESTABLISHED", "STATUSES", "TARGET_SILENT", "ResultsCollector", "TestRecord", "count_statuses"]

# A requirement's status is the strongest verdict any test gave it: one test that checked it in
# full outweighs another that saw only part of it.
_RANK = {"failed": 4, "warned": 3, "passed": 2, "partial": 1, "skipped": 0}
STATUSES = ("passed", "partial", "failed", "warned", "skipped")
NOT_ESTABLISHED = "not established"
TARGET_SILENT = "the target did not answer"  # the cause when a request got no complete answer
NOT_RUN = "not run: a dry run sends nothing to the target"


def count_statuses(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}


@dataclass
class TestRecord:
    nodeid: str
    outcome: str  # passed | failed | skipped
    requirement_ids: tuple[str, ...]
    log: FindingLog | None
    message: str = ""
    # Why the test failed with no finding behind it: its requirements are not established.
    not_established: str | None = None


@dataclass
class ResultsCollector:
    profile: str
    target: str
    dry_run: bool = False
    tests: dict[str, TestRecord] = field(default_factory=dict)

    def add(self, record: TestRecord) -> None:
        existing = self.tests.get(record.nodeid)
        # A later phase (teardown) never downgrades a failure seen earlier.
        if existing is None or _RANK.get(record.outcome, 0) >= _RANK.get(existing.outcome, 0):
            self.tests[record.nodeid] = record

    @property
    def incomplete(self) -> list[dict[str, str]]:
        """The tests that could not establish their requirements, with the cause."""
        return [
            {"test": r.nodeid, "cause": r.not_established}
            for r in self.tests.values()
            if r.not_established is not None
        ]

    def _verdicts(self, record: TestRecord) -> list[tuple[str, str, str]]:
        """(requirement id, status, message) for every requirement `record` says anything about."""
        log = record.log
        verdicts: list[tuple[str, str, str]] = []
        touched: set[str] = set()
        if log is not None:
            for finding in log.findings:
                status = "failed" if finding.fails_run else "warned"
                message = f"expected {finding.expected}; got {finding.got}"
                verdicts.append((finding.requirement.id, status, message))
                touched.add(finding.requirement.id)
            for observation in log.observations:
                if observation.requirement.id not in touched:
                    verdicts.append((observation.requirement.id, observation.status, observation.note))
            touched |= {o.requirement.id for o in log.observations}
        for requirement_id in record.requirement_ids:
            if requirement_id in touched:
                continue
            if record.outcome == "skipped":
                verdicts.append((requirement_id, "skipped", record.message))
            elif record.not_established is not None:
                verdicts.append((requirement_id, "skipped", f"{NOT_ESTABLISHED}: {record.not_established}"))
            elif log is not None and log.stopped:
                verdicts.append((requirement_id, "skipped", f"{NOT_ESTABLISHED}: {log.stopped}"))
            else:
                # Ran to its end (passed, or failed on findings about other requirements).
                verdicts.append((requirement_id, "passed", ""))
        return verdicts

    def requirement_statuses(self) -> list[dict[str, Any]]:
        verdicts: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # id -> (status, msg, test)
        if not self.dry_run:
            for record in self.tests.values():
                for requirement_id, status, message in self._verdicts(record):
                    verdicts[requirement_id].append((status, message, record.nodeid))
        rows = []
        for requirement in all_requirements():
            entries = verdicts.get(requirement.id, [])
            if entries:
                status = max((e[0] for e in entries), key=lambda s: _RANK[s])
                messages = [e[1] for e in entries if e[0] == status and e[1]]
                message = messages[0] if messages else ""
            else:
                status, message = "skipped", NOT_RUN if self.dry_run else "not exercised by this run"
            if status == "failed" and not requirement.level.fails_run:
                status = "warned"
            rows.append(
                {
                    "id": requirement.id,
                    "level": requirement.level.value,
                    "source": requirement.source,
                    "statement": requirement.statement,
                    "status": status,
                    "message": message,
                    "tests": sorted({e[2] for e in entries if e[0] == status} or {e[2] for e in entries}),
                }
            )
        return rows

    def must_failures(self, rows: list[dict[str, Any]] | None = None) -> int:
        rows = self.requirement_statuses() if rows is None else rows
        return sum(1 for r in rows if r["status"] == "failed" and get(r["id"]).level.fails_run)

    def document(
        self,
        requests: int,
        token_requests: int,
        exit_code: int,
        error: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        rows = self.requirement_statuses()
        outcomes = [t.outcome for t in self.tests.values()]
        incomplete = self.incomplete
        return {
            "profile": self.profile,
            "target": self.target,
            "error": error,
            "dry_run": dry_run,
            "complete": error is None and not incomplete and not dry_run,
            "incomplete": incomplete,
            "summary": {
                "requirements": count_statuses(rows),
                "must_failures": self.must_failures(rows),
                "tests": {o: outcomes.count(o) for o in ("passed", "failed", "skipped")},
                "not_established": len(incomplete),
                "requests": requests,
                "token_requests": token_requests,
                "exit_code": exit_code,
                "levels": {level.value: level.fails_run for level in Level},
            },
            "requirements": rows,
        }

    def write(self, path: Path, redactor: Redactor, **summary: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.document(**summary), indent=2, ensure_ascii=False)
        path.write_text(redactor.scrub(text) + "\n", encoding="utf-8")
