"""results.json: every requirement of the catalogue with its status for this run."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.findings import FindingLog
from conformance.redaction import Redactor
from conformance.requirements import Level, all_requirements, get

__all__ = ["ResultsCollector", "TestRecord"]

# A requirement's status is the strongest verdict any test gave it: one test that checked it in
# full outweighs another that saw only part of it.
_RANK = {"failed": 4, "warned": 3, "passed": 2, "partial": 1, "skipped": 0}


@dataclass
class TestRecord:
    nodeid: str
    outcome: str  # passed | failed | skipped
    requirement_ids: tuple[str, ...]
    log: FindingLog | None
    message: str = ""


@dataclass
class ResultsCollector:
    profile: str
    target: str
    tests: dict[str, TestRecord] = field(default_factory=dict)

    def add(self, record: TestRecord) -> None:
        existing = self.tests.get(record.nodeid)
        # A later phase (teardown) never downgrades a failure seen earlier.
        if existing is None or _RANK.get(record.outcome, 0) >= _RANK.get(existing.outcome, 0):
            self.tests[record.nodeid] = record

    def requirement_statuses(self) -> list[dict[str, Any]]:
        verdicts: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # id -> (status, msg, test)
        for record in self.tests.values():
            log = record.log
            touched: set[str] = set()
            if log is not None:
                for finding in log.findings:
                    status = "failed" if finding.fails_run else "warned"
                    message = f"expected {finding.expected}; got {finding.got}"
                    verdicts[finding.requirement.id].append((status, message, record.nodeid))
                    touched.add(finding.requirement.id)
                for observation in log.observations:
                    if observation.requirement.id in touched:
                        continue
                    verdicts[observation.requirement.id].append(
                        (observation.status, observation.note, record.nodeid)
                    )
                touched |= {o.requirement.id for o in log.observations}
            failed_without_findings = record.outcome == "failed" and not (log and log.failures)
            # A scenario that failed on some findings but ran to its end checked the rest.
            ran_to_end = record.outcome == "passed" or (
                record.outcome == "failed" and log is not None and bool(log.failures) and not log.stopped
            )
            for requirement_id in record.requirement_ids:
                if requirement_id in touched:
                    continue
                if record.outcome == "skipped":
                    verdicts[requirement_id].append(("skipped", record.message, record.nodeid))
                elif failed_without_findings:
                    verdicts[requirement_id].append(("failed", record.message, record.nodeid))
                elif ran_to_end:
                    verdicts[requirement_id].append(("passed", "", record.nodeid))
                elif log is not None and log.stopped:
                    verdicts[requirement_id].append(
                        ("skipped", f"not established: {log.stopped}", record.nodeid)
                    )
        rows = []
        for requirement in all_requirements():
            entries = verdicts.get(requirement.id, [])
            if entries:
                status = max((e[0] for e in entries), key=lambda s: _RANK[s])
                messages = [e[1] for e in entries if e[0] == status and e[1]]
                message = messages[0] if messages else ""
            else:
                status, message = "skipped", "not exercised by this run"
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
                    "tests": sorted({e[2] for e in entries}),
                }
            )
        return rows

    def document(
        self,
        requests: int,
        token_requests: int,
        exit_code: int,
        error: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        rows = self.requirement_statuses()
        counts = {
            s: sum(1 for r in rows if r["status"] == s) for s in ("passed", "failed", "warned", "skipped")
        }
        outcomes = [t.outcome for t in self.tests.values()]
        must_failures = sum(1 for r in rows if r["status"] == "failed" and get(r["id"]).level.fails_run)
        return {
            "profile": self.profile,
            "target": self.target,
            "error": error,
            "dry_run": dry_run,
            "summary": {
                "requirements": counts,
                "must_failures": must_failures,
                "tests": {o: outcomes.count(o) for o in ("passed", "failed", "skipped")},
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
