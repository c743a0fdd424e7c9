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

The document is a contract (schemas/results.schema.json): scripts, `conformance diff` and
`conformance baseline` read it. Besides the verdicts it says which tool version ran, when, for
how long, on which profile (name and a hash of its content) and with which settings, each
finding as structured evidence, and, when a baseline was given, each entry's verdict.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import importlib.metadata
import json
import os
import shlex
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.client.budget import TOKEN_BUDGET_OPTION
from conformance.engine.findings import Explanations, Finding, FindingLog, attribute
from conformance.redaction import Redactor
from conformance.report.baseline import ACCEPTED, FIXED, Baseline, load_baseline
from conformance.report.model import STATUSES, Status
from conformance.requirements import Level, all_requirements, get
from conformance.requirements.links import ASSUMPTION, label

if TYPE_CHECKING:
    from conformance.config.settings import RunSettings
    from conformance.engine.run import ConformanceRun
    from conformance.profile import Profile

__all__ = [
    "FOLLOWS",
    "NOT_ESTABLISHED",
    "TARGET_SILENT",
    "VALIDATE_ENV",
    "ResultsCollector",
    "TestRecord",
    "count_statuses",
    "profile_hash",
    "replay_command",
    "rerun_of",
    "settings_record",
]

NOT_ESTABLISHED = "not established"
FOLLOWS = f"{NOT_ESTABLISHED}: follows from "  # a requirement not judged: another failure explains it
TARGET_SILENT = "the target did not answer"  # the cause when a request got no complete answer
NOT_RUN = "not run: a dry run sends nothing to the target"
# When set (the project's own tests set it), every results.json written is validated against
# its schema first: a document that breaks the contract fails the run that wrote it.
VALIDATE_ENV = "CONFORMANCE_VALIDATE_RESULTS"
EVIDENCE_LIMIT = 10  # findings kept per requirement; a search can repeat one many times


def tool_version() -> str:
    try:
        return importlib.metadata.version("conformance")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "unknown"


def profile_hash(profile: Profile) -> str:
    """sha256 of the loaded profile's canonical JSON: two runs with the same hash checked the
    same claims, whichever file or `extends:` chain they came from (the origin is left out)."""
    data = dataclasses.asdict(profile)
    data.pop("origin", None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def settings_record(settings: RunSettings, seed: int | None = None) -> dict[str, Any]:
    """The settings a run's verdicts depend on: waits, budgets, the search's seed when fixed."""
    return {
        "profile": settings.profile,
        "emulate": settings.emulate,
        "dry_run": settings.dry_run,
        "resource_path": settings.resource_path,
        "expiry_wait": settings.expiry_wait,
        "timeout": settings.timeout,
        "max_requests": settings.max_requests,
        "max_rps": settings.max_rps,
        "examples": settings.examples,
        "seed": seed,
        "defects": list(settings.defects),
        "variants": list(settings.variants),
        "lifetime": settings.lifetime,
    }


def count_statuses(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {s.value: sum(1 for r in rows if r["status"] == s) for s in STATUSES}


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
    baseline: Baseline | None = None
    strict_baseline: bool = False
    profile_hash: str | None = None
    settings: dict[str, Any] | None = None
    today: datetime.date | None = None  # for the baseline's `until` dates; None: today
    # (level, source) of the requirements the run's profile shows otherwise than the catalogue:
    # a client's assumptions (`conformance.requirements.links.label`).
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    started: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))
    _clock_start: float = field(default_factory=time.monotonic, repr=False)

    @classmethod
    def for_run(cls, run: ConformanceRun, seed: object = None) -> ResultsCollector:
        """The collector of a run: its profile, target, settings and baseline (loaded here, so a
        bad baseline is a usage error before any request is sent)."""
        settings = run.settings
        return cls(
            run.profile.name,
            run.target.description,
            dry_run=settings.dry_run,
            baseline=load_baseline(settings.baseline) if settings.baseline is not None else None,
            strict_baseline=settings.strict_baseline,
            profile_hash=profile_hash(run.profile),
            # The seed that replays the searches: a hypothesis seed given, else the run's --seed.
            settings=settings_record(settings, int(str(seed)) if seed not in (None, "") else settings.seed),
            labels={
                r.id: label(r, run.profile)
                for r in all_requirements()
                if label(r, run.profile) != (r.level.value, r.source)
            },
        )

    def add(self, record: TestRecord) -> None:
        existing = self.tests.get(record.nodeid)
        # A later phase (teardown) never downgrades a failure seen earlier.
        if existing is None or _rank(record.outcome) >= _rank(existing.outcome):
            self.tests[record.nodeid] = record

    @property
    def incomplete(self) -> list[dict[str, str]]:
        """The tests that could not establish their requirements, with the cause."""
        return [
            {"test": r.nodeid, "cause": r.not_established}
            for r in self.tests.values()
            if r.not_established is not None
        ]

    def findings_of(self, record: TestRecord) -> list[Finding]:
        """The test's findings, each exchange's outcome attributed (`findings.attribute`)."""
        return attribute(record.log.findings) if record.log is not None else []

    def explanations(self) -> Explanations:
        """What explains each finding that follows from another failure, across the run."""
        return Explanations(f for record in self.tests.values() for f in self.findings_of(record))

    def _verdicts(self, record: TestRecord, failing: Explanations) -> list[tuple[str, Status, str]]:
        """(requirement id, status, message) for every requirement `record` says anything about."""
        log = record.log
        verdicts: list[tuple[str, Status, str]] = []
        touched: set[str] = set()
        if log is not None:
            for finding in self.findings_of(record):
                cause = failing.explained_by(finding)
                if cause is not None:
                    # One cause is blamed once: this evidence is shown with the requirement it follows from.
                    message = f"{FOLLOWS}{cause} (expected {finding.expected}; got {finding.got})"
                    verdicts.append((finding.requirement.id, Status.SKIPPED, message))
                else:
                    status = Status.FAILED if finding.fails_run else Status.WARNED
                    message = f"expected {finding.expected}; got {finding.got}"
                    verdicts.append((finding.requirement.id, status, message))
                touched.add(finding.requirement.id)
            for observation in log.observations:
                if observation.requirement.id not in touched:
                    status = Status(observation.status)
                    verdicts.append((observation.requirement.id, status, observation.note))
            touched |= {o.requirement.id for o in log.observations}
        for requirement_id in record.requirement_ids:
            if requirement_id in touched:
                continue
            if record.outcome == Status.SKIPPED:
                verdicts.append((requirement_id, Status.SKIPPED, record.message))
            elif record.not_established is not None:
                cause = f"{NOT_ESTABLISHED}: {record.not_established}"
                verdicts.append((requirement_id, Status.SKIPPED, cause))
            elif log is not None and log.stopped:
                verdicts.append((requirement_id, Status.SKIPPED, f"{NOT_ESTABLISHED}: {log.stopped}"))
            else:
                # Ran to its end (passed, or failed on findings about other requirements).
                verdicts.append((requirement_id, Status.PASSED, ""))
        return verdicts

    def requirement_statuses(self) -> list[dict[str, Any]]:
        verdicts: dict[str, list[tuple[Status, str, str]]] = defaultdict(list)  # id -> (status, msg, test)
        if not self.dry_run:
            failing = self.explanations()
            for record in self.tests.values():
                for requirement_id, status, message in self._verdicts(record, failing):
                    verdicts[requirement_id].append((status, message, record.nodeid))
        rows = []
        for requirement in all_requirements():
            entries = verdicts.get(requirement.id, [])
            if entries:
                status = max((e[0] for e in entries), key=lambda s: s.rank)
                cut = [
                    e
                    for e in entries
                    if e[0] in (Status.PARTIAL, Status.SKIPPED) and TOKEN_BUDGET_OPTION in e[1]
                ]
                if status is Status.PASSED and cut:
                    # Another test passed it, but the token budget kept a check of it from running:
                    # not checked in full. (No other kind of skip outweighs a pass.)
                    status = Status.PARTIAL
                    entries = [(Status.PARTIAL, e[1], e[2]) for e in cut] + entries
                messages = [e[1] for e in entries if e[0] == status and e[1]]
                # Of the reasons it was not checked, what would make it run first.
                messages.sort(key=lambda m: not m.startswith("not checked"))
                message = messages[0] if messages else ""
            else:
                status, message = Status.SKIPPED, NOT_RUN if self.dry_run else "not exercised by this run"
            if status is Status.FAILED and not requirement.level.fails_run:
                status = Status.WARNED
            rows.append(
                {
                    "id": requirement.id,
                    "level": self.labels.get(requirement.id, (requirement.level.value,))[0],
                    "source": self.labels.get(requirement.id, ("", requirement.source))[1],
                    "statement": requirement.statement,
                    "status": status,
                    "message": message,
                    "tests": sorted({e[2] for e in entries if e[0] == status} or {e[2] for e in entries}),
                }
            )
        return rows

    def must_failures(self, rows: list[dict[str, Any]] | None = None) -> int:
        rows = self.requirement_statuses() if rows is None else rows
        return sum(1 for r in rows if r["status"] == Status.FAILED and get(r["id"]).level.fails_run)

    def baseline_verdicts(self, rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        if self.baseline is None:
            return []
        rows = self.requirement_statuses() if rows is None else rows
        return self.baseline.verdicts(rows, self.today)

    def blocking_failures(self, rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The failures that fail the run: every MUST / provider failure the baseline does not
        (or no longer) accept."""
        rows = self.requirement_statuses() if rows is None else rows
        accepted = {v["requirement"] for v in self.baseline_verdicts(rows) if v["verdict"] == ACCEPTED}
        return [
            r
            for r in rows
            if r["status"] == Status.FAILED and get(r["id"]).level.fails_run and r["id"] not in accepted
        ]

    def fails_run(self, rows: list[dict[str, Any]] | None = None) -> bool:
        """Exit 1: a failure no baseline accepts, or (--strict-baseline) a baselined one fixed."""
        rows = self.requirement_statuses() if rows is None else rows
        if self.blocking_failures(rows):
            return True
        return self.strict_baseline and any(v["verdict"] == FIXED for v in self.baseline_verdicts(rows))

    def evidence(self, results_path: Path | None = None) -> dict[str, list[dict[str, Any]]]:
        """Each requirement's findings: expected, got, the exchange and a command that replays it
        (its curl line when the request stands alone, else `conformance replay` of
        `results_path`)."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        seen: set[tuple[str, str, str]] = set()
        if self.dry_run:
            return found
        failing = self.explanations()
        for record in self.tests.values():
            for finding in self.findings_of(record):
                rid = finding.requirement.id
                key = (rid, finding.expected, finding.got)
                if key in seen or len(found[rid]) >= EVIDENCE_LIMIT:
                    continue
                seen.add(key)
                exchange = finding.exchange
                # The requirement's first finding replays by its id; the others by their exchange.
                which = f"#{exchange.seq}" if found[rid] and exchange is not None else rid
                rerun = replay_command(results_path, which) if results_path is not None else None
                entry: dict[str, Any] = {
                    "test": record.nodeid,
                    "expected": finding.expected,
                    "got": finding.got,
                    "exchange": exchange.seq if exchange is not None else None,
                    "status": exchange.status if exchange is not None else None,
                    "replay": exchange.replay if exchange is not None and exchange.standalone else rerun,
                    "request": exchange.curl() if exchange is not None else None,
                }
                cause = failing.explained_by(finding)
                if cause is not None:
                    entry["follows_from"] = cause
                found[rid].append(entry)
        return found

    def _baseline_block(self, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        if self.baseline is None:
            return None
        verdicts = self.baseline_verdicts(rows)
        return {
            "file": self.baseline.path,
            "strict": self.strict_baseline,
            "counts": {
                v: sum(1 for e in verdicts if e["verdict"] == v)
                for v in ("accepted", "expired", "fixed", "not checked")
            },
            "unaccepted_failures": [r["id"] for r in self.blocking_failures(rows)],
            "entries": verdicts,
        }

    def document(
        self,
        requests: int,
        token_requests: int,
        exit_code: int,
        tokens_issued: int = 0,
        tokens_asked: int = 0,
        error: str | None = None,
        dry_run: bool = False,
        results_path: Path | None = None,
    ) -> dict[str, Any]:
        """`results_path`: where the document is written (replay commands name it)."""
        rows = self.requirement_statuses()
        evidence = self.evidence(results_path)
        for row in rows:
            row["evidence"] = evidence.get(row["id"], [])
        outcomes = [t.outcome for t in self.tests.values()]
        incomplete = self.incomplete
        return {
            "tool": {"name": "conformance", "version": tool_version()},
            "started": self.started.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "duration_s": round(time.monotonic() - self._clock_start, 3),
            "profile": self.profile,
            "profile_hash": self.profile_hash,
            "target": self.target,
            "settings": self.settings,
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
                "tokens_issued": tokens_issued,
                "tokens_asked": tokens_asked,
                "exit_code": exit_code,
                "levels": {**{level.value: level.fails_run for level in Level}, ASSUMPTION: True},
            },
            "baseline": self._baseline_block(rows),
            "requirements": rows,
        }

    def write(self, path: Path, redactor: Redactor, **summary: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = self.document(results_path=path, **summary)
        text = redactor.scrub(json.dumps(document, indent=2, ensure_ascii=False))
        if os.environ.get(VALIDATE_ENV):
            from conformance.schemas import violations

            problems = violations("results", json.loads(text))
            if problems:
                where = "/".join(str(p) for p in problems[0].absolute_path)
                raise AssertionError(f"results.json breaks its schema at {where}: {problems[0].message}")
        path.write_text(text + "\n", encoding="utf-8")


def _rank(outcome: str) -> int:
    """A test's outcome (passed, failed, skipped) ranks as the status of that name."""
    return Status(outcome).rank if outcome in STATUSES else 0


def replay_command(results: Path | str, finding: str) -> str:
    """The command line that replays `finding` (a requirement id, or `#N`) of `results`."""
    return f"conformance replay {shlex.quote(str(results))} {shlex.quote(finding)}"


def rerun_of(report_dir: Path | None, requirement_id: str) -> str | None:
    """The replay command of a finding on `requirement_id`, where the run writes a results.json."""
    return None if report_dir is None else replay_command(report_dir / "results.json", requirement_id)
