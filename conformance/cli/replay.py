"""`conformance replay RESULTS.json ID|#EXCHANGE`: re-run what showed a finding; say if it reproduced.

A finding whose request stands alone replays with its curl line. One that depends on earlier
exchanges (a used refresh token, an expired or invalidated access token, a race) cannot be one
line: this command re-runs the test that showed it, the smallest sequence the suite knows to
make it, against the same target, with fresh tokens, under the run's settings, budget and
safety rules (a live, non-loopback target is confirmed as for `conformance run`), and compares
what came back with what the run saw.

`ID` replays the first finding on a requirement; `#N` the finding of exchange N (the number the
report gives it). Exit 1: it reproduced (the requirement still fails, as `conformance run` says
of a failure); 0: it did not; 2: the replay could not establish it (the target did not answer,
the budget ran out); 4: a usage error. The replay's own reports go to `replay/` beside
RESULTS.json (or `--report-dir`), never over the run's.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.config import arguments
from conformance.errors import UsageError
from conformance.registry import closest
from conformance.report.model import Results, load_results

__all__ = ["Shown", "add_arguments", "find_finding", "main"]

REPRODUCED, NOT_REPRODUCED, NOT_ESTABLISHED = 1, 0, 2


@dataclass(frozen=True, slots=True)
class Shown:
    """A finding as results.json keeps it."""

    requirement: str
    test: str
    expected: str
    got: str
    exchange: int | None
    status: int | None

    @classmethod
    def of(cls, requirement: str, evidence: Mapping[str, Any]) -> Shown:
        return cls(
            requirement,
            str(evidence["test"]),
            str(evidence.get("expected", "")),
            str(evidence.get("got", "")),
            evidence.get("exchange"),
            evidence.get("status"),
        )

    def outcome(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else "no answer"


def find_finding(results: Results, wanted: str) -> Shown:
    """The finding `wanted` names in `results`, or one UsageError line saying why there is none."""
    source, verdicts = results.path, results.verdicts
    if wanted.startswith("#"):
        try:
            number = int(wanted[1:])
        except ValueError:
            raise UsageError(f"{wanted!r}: an exchange is #N, a number (as the report shows it)") from None
        shown = [Shown.of(v.id, e) for v in verdicts for e in v.evidence if e.get("exchange") == number]
        if not shown:
            numbers = sorted({e["exchange"] for v in verdicts for e in v.evidence if e.get("exchange")})
            listed = ", ".join(f"#{n}" for n in numbers[:12]) or "none"
            raise UsageError(f"{source}: no finding shows exchange #{number} (findings show {listed})")
        return shown[0]
    verdict = results.verdict(wanted)
    if verdict is None:
        near = closest(wanted, [v.id for v in verdicts])
        hint = f" (did you mean {near}?)" if near else ""
        raise UsageError(f"{source}: no requirement {wanted}{hint}")
    if not verdict.evidence:
        raise UsageError(f"{source}: {wanted} is {verdict.status}, with no finding to replay")
    return Shown.of(wanted, verdict.evidence[0])


def _run_values(document: dict[str, Any], report_dir: Path, yes: bool) -> dict[str, object]:
    """The options of the run that wrote `document`, as `conformance run` would take them."""
    settings = document.get("settings") or {}
    values: dict[str, object] = {
        "profile": settings.get("profile") or document["profile"],
        "resource-path": settings.get("resource_path"),
        "expiry-wait": settings.get("expiry_wait"),
        "timeout": settings.get("timeout"),
        "max-requests": settings.get("max_requests"),
        "max-rps": settings.get("max_rps"),
        "examples": settings.get("examples"),
        "seed": settings.get("seed"),
        "report-dir": report_dir,
        "yes": yes,
    }
    if settings.get("emulate"):
        values.update(
            emulate=True,
            defect=tuple(settings.get("defects") or ()),
            variant=tuple(settings.get("variants") or ()),
            lifetime=settings.get("lifetime"),
        )
    else:
        values["url"] = document["target"]
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=Path, metavar="RESULTS.json", help="the results.json of the run")
    parser.add_argument(
        "finding",
        metavar="ID|#EXCHANGE",
        help="a requirement id (its first finding) or #N, the finding of exchange N",
    )
    arguments.add_arguments(parser, "replay")


def main(args: argparse.Namespace) -> int:
    results = load_results(args.results)
    document = results.document
    shown = find_finding(results, args.finding)
    report_dir = args.report_dir or args.results.parent / "replay"
    values = _run_values(document, report_dir, args.yes)
    print(
        f"conformance replay: {shown.requirement}, shown by {shown.test}"
        + (f" (exchange #{shown.exchange}: {shown.outcome()})" if shown.exchange is not None else ""),
        flush=True,
    )
    print(f"  re-running that test against {document['target']} with fresh tokens", flush=True)
    from conformance.cli.run import execute, prepare  # the suite's machinery: only when a replay runs

    prepared = prepare(values, extra=[shown.test])  # usage errors, then the question: on the terminal
    output = report_dir / "output.txt"
    with output.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        code = execute(prepared)
    if code == 4:
        raise UsageError(f"the replay could not start: see {output}")
    return _verdict(shown, load_results(report_dir / "results.json"), report_dir)


def _verdict(shown: Shown, replayed: Results, report_dir: Path) -> int:
    row = replayed.verdict(shown.requirement)
    evidence = row.evidence if row is not None else ()
    found = [Shown.of(shown.requirement, e) for e in evidence if e["test"] == shown.test]
    where = f"  the replay's reports: {report_dir}"
    if found:
        same = next((f for f in found if (f.expected, f.got) == (shown.expected, shown.got)), found[0])
        outcome = same.outcome()
        alike = "as in the run" if same.status == shown.status else f"the run saw {shown.outcome()}"
        print(f"reproduced: {shown.requirement} {row.status if row else ''}: {outcome}, {alike}")
        print(f"  expected: {same.expected}\n  got:      {same.got}")
        if same.exchange is not None:
            print(f"  exchange: #{same.exchange} of the replay")
        print(where)
        return REPRODUCED
    again = replayed.document
    if again.get("incomplete") or again.get("error"):
        cause = again.get("error") or again["incomplete"][0]["cause"]
        print(f"not established: the replay could not show it either way: {cause}\n{where}")
        return NOT_ESTABLISHED
    status = row.status if row else "not judged"
    print(f"not reproduced: {shown.requirement} is {status} in the replay\n{where}")
    return NOT_REPRODUCED
