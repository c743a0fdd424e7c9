"""What the suite is expected to find on a real server, and the judges that hold its runs to it.

`tests/realservers/<name>/expectations.yaml` (schema: `expectations.schema.json` beside this
module) lists, per leg, every requirement the suite fails or warns on: the RFC sentence the server
breaks, its behaviour in one line, a curl line that reproduces it and a regular expression its
output must match. Each entry is a judgement made against the RFC text and the server's answers:
a finding the suite gets wrong is never listed; the suite is fixed instead.

The judges here are pure functions of a run's results.json and the file, so the fast tier tests
them on made-up results; the slow tier (`test_<server>.py`) applies them to real runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from tests.realservers.servers import HERE, RealServer

__all__ = [
    "JUDGED",
    "SCHEMA",
    "Deviation",
    "Expectations",
    "LegExpectations",
    "failing",
    "judge_leg",
    "judge_probe",
    "load_expectations",
    "redact",
    "schema_errors",
    "secret_values",
]

SCHEMA = HERE / "expectations.schema.json"
# The statuses that are a verdict on the requirement; `skipped` (not checked) is none.
JUDGED = ("passed", "failed", "warned")
FAILING = ("failed", "warned")


@dataclass(frozen=True, slots=True)
class Deviation:
    """A requirement the server does not meet, as the suite reports it and curl shows it."""

    requirement: str
    rfc: str
    behaviour: str
    curl: str
    shows: str
    timing: bool = False


@dataclass(frozen=True, slots=True)
class LegExpectations:
    deviations: Mapping[str, Deviation]
    follows: Mapping[str, str] = field(default_factory=dict)

    @property
    def timing(self) -> frozenset[str]:
        return frozenset(i for i, d in self.deviations.items() if d.timing)


@dataclass(frozen=True, slots=True)
class Expectations:
    server: str
    path: Path
    legs: Mapping[str, LegExpectations]
    probe_differs: Mapping[str, str]

    def leg(self, name: str) -> LegExpectations:
        return self.legs.get(name, LegExpectations({}))


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(document: object) -> list[str]:
    """Each way the document breaks the schema, as `path: message`."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def load_expectations(server: RealServer) -> Expectations:
    """The server's expectations file, validated; a missing file expects nothing. Its `path` is
    relative to the repository's root, as the failure messages name it."""
    path = server.expectations.relative_to(HERE.parent.parent)
    if not server.expectations.exists():
        return Expectations(server.name, path, {}, {})
    document: Any = yaml.safe_load(server.expectations.read_text(encoding="utf-8"))
    errors = schema_errors(document)
    if errors:
        raise ValueError(f"{path} breaks {SCHEMA.name}:\n  " + "\n  ".join(errors))
    legs = {
        name: LegExpectations(
            {rid: Deviation(rid, **entry) for rid, entry in (leg.get("deviations") or {}).items()},
            dict(leg.get("follows") or {}),
        )
        for name, leg in document["legs"].items()
    }
    return Expectations(document["server"], path, legs, dict(document.get("probe_differs") or {}))


def failing(results: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The requirements a run failed or warned on, by id."""
    return {r["id"]: r for r in results["requirements"] if r["status"] in FAILING}


def _evidence(requirement: Mapping[str, Any]) -> str:
    """A requirement's verdict as results.json gives it: message, first evidence, tests."""
    lines = [f"    {requirement['status']} [{requirement['level']}]: {requirement['message']}"]
    for item in requirement.get("evidence", [])[:2]:
        lines.append(f"    evidence ({item.get('test', '?')}):")
        lines.append(f"      expected: {item.get('expected')}")
        lines.append(f"      got:      {item.get('got')}")
        if item.get("replay"):
            lines.append(f"      replay:   {item['replay']}")
    if not requirement.get("evidence"):
        lines.append(f"    tests: {', '.join(requirement.get('tests', [])) or 'none named'}")
    return "\n".join(lines)


def judge_leg(
    results: Mapping[str, Any], expected: LegExpectations, server: str, leg: str, file: Path
) -> list[str]:
    """Each way one leg's run differs from its expectations, explained; [] when it matches.

    A failure or warning not listed is a false alarm of the suite or a new finding; a listed
    deviation (not marked `timing`) that the run no longer fails or warns on was fixed, or is no
    longer seen."""
    where = f"{server}, leg {leg}"
    by_id = {r["id"]: r for r in results["requirements"]}
    problems: list[str] = []
    if not results.get("complete", True) or results.get("error"):
        causes = "; ".join(f"{i.get('test')}: {i.get('cause', i)}" for i in results.get("incomplete", []))
        problems.append(
            f"{where}: the run could not be completed ({results.get('error') or causes}): what it did not "
            "establish hides verdicts. Fix the suite (or the host app) so the run completes."
        )
    for rid, found in sorted(failing(results).items()):
        if rid not in expected.deviations:
            problems.append(
                f"{where}: {rid} {found['status']}, and {file} does not list it: a false alarm of the "
                f"suite or a new finding.\n{_evidence(found)}\n"
                f"  Judge it against the RFC sentence and the server's answer (curl). A true deviation: "
                f"classify it in {file} under legs.{leg}.deviations.{rid} (rfc, "
                "behaviour, curl, shows). A false alarm: fix the suite, not the file."
            )
    for rid, deviation in sorted(expected.deviations.items()):
        if deviation.timing:
            continue
        requirement = by_id.get(rid)
        if requirement is None:
            problems.append(
                f"{where}: {file} lists {rid}, which the catalogue no longer has: remove or rename it."
            )
        elif requirement["status"] not in FAILING:
            problems.append(
                f"{where}: {rid} is listed in {file} ({deviation.behaviour}) but now reads "
                f"{requirement['status']}: {requirement['message']!r}. If the server or the suite changed "
                "so that it is no longer seen, run its curl line: still shown, the suite misses it (fix "
                "the suite); not shown, remove the entry. Or mark it `timing: true` if it depends on timing."
            )
    for rid, origin in sorted(expected.follows.items()):
        requirement = by_id.get(rid)
        message = requirement["message"] if requirement else "not in the catalogue"
        if (
            requirement is None
            or requirement["status"] != "skipped"
            or f"follows from {origin}" not in message
        ):
            status = requirement["status"] if requirement else "absent"
            problems.append(
                f"{where}: {file} expects {rid} to read 'not established: follows from {origin}'; it reads "
                f"{status}: {message!r}. Update or remove the `follows` entry."
            )
    return problems


def judge_probe(
    hand: Mapping[str, Any], learned: Mapping[str, Any], differs: Mapping[str, str], where: str, file: Path
) -> list[str]:
    """Where the run with the learned profile and the hand-written leg's run judge a requirement
    differently (both passed, failed or warned), unless `probe_differs` gives the reason; and each
    `probe_differs` entry that is no longer such a difference."""
    hand_by_id = {r["id"]: r for r in hand["requirements"]}
    learned_by_id = {r["id"]: r for r in learned["requirements"]}
    problems: list[str] = []
    differing: set[str] = set()
    for rid, mine in sorted(hand_by_id.items()):
        theirs = learned_by_id.get(rid)
        if theirs is None or mine["status"] not in JUDGED or theirs["status"] not in JUDGED:
            continue
        if mine["status"] == theirs["status"]:
            continue
        differing.add(rid)
        if rid in differs:
            continue
        problems.append(
            f"{where}: {rid} reads {mine['status']} with the hand-written profile and {theirs['status']} "
            f"with the learned one.\n  hand-written:\n{_evidence(mine)}\n  learned:\n{_evidence(theirs)}\n"
            "  Find out which verdict is right (curl): a probe that learned the server wrongly, or a "
            "suite that judges the learned profile wrongly, is fixed there; a difference the two "
            f"profiles justify (the probe learned what the documentation does not say) goes in {file} "
            f"under probe_differs.{rid} with the reason."
        )
    compared = [
        rid
        for rid, mine in hand_by_id.items()
        if mine["status"] in JUDGED and learned_by_id.get(rid, {}).get("status") in JUDGED
    ]
    if not compared:
        problems.append(
            f"{where}: the two runs judge no requirement in common (passed, failed or warned in both): "
            "nothing was compared. The learned profile's run judged "
            f"{sorted(r for r, x in learned_by_id.items() if x['status'] in JUDGED) or 'nothing'}."
        )
    for rid, reason in sorted(differs.items()):
        if rid not in differing:
            mine = hand_by_id.get(rid, {}).get("status", "absent")
            theirs = learned_by_id.get(rid, {}).get("status", "absent")
            problems.append(
                f"{where}: {file} says the learned profile judges {rid} otherwise ({reason}), but the "
                f"hand-written leg reads {mine} and the learned one {theirs}: remove the probe_differs entry."
            )
    return problems


def secret_values(server: RealServer) -> dict[str, str]:
    """Every credential any of the server's legs is given, value to its variable's name."""
    return {value: key for leg in server.legs for key, value in leg.environment.items() if value}


def redact(text: str, server: RealServer) -> str:
    """The text with every credential of the server's legs replaced by its variable's name, and
    every token a token response or an exchange carries masked."""
    for value, key in sorted(secret_values(server).items(), key=lambda kv: -len(kv[0])):
        text = text.replace(value, f"${key}")
    return re.sub(r'("(?:access|refresh)_token"\s*:\s*")[^"]+(")', r"\1<token>\2", text)
