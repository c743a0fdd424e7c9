"""junit.xml for CI systems: named after the run, requirements as properties, never 0 tests.

pytest's junitxml plugin writes the file; this module adds what a CI system needs to read it:

* the test suite is named `conformance <profile> @ <host>` (unless `junit_suite_name` is set)
  and every testcase's classname starts with `<profile>@<host>`, so that the runs of two
  profiles, or of one profile against staging and production, never merge into one class in
  Jenkins or GitLab (pytest names classes after test modules, the same in every run);
* each testcase carries `requirement`, `level` and `source` properties, one triple per
  requirement it carries (its marker's ids, then those its findings name);
* with a baseline, a test that failed only requirements the baseline accepts shows as skipped,
  saying so (each testcase's `failed` properties name the requirements it failed);
* a test that failed with no finding behind it (its requirements not established) is an
  `<error>`, not a `<failure>`: a requirement fails only by a finding;
* a run that could not be completed (unreachable target, request budget spent, silent target)
  gets a testcase with an `<error>`: an unreachable target deselects every scenario, and a
  junit.xml of 0 tests reads as green in a CI system.

The suite name and classnames are set by rewriting the file pytest wrote, at the end of the
session: pytest reads `junit_suite_name` before the run's target is known and has no public
way to set it afterwards, and `record_xml_attribute` is experimental and refused by xunit2.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conformance.engine.findings import Finding
from conformance.engine.run import ConformanceRun
from conformance.profile import Profile
from conformance.report.baseline import ACCEPTED, ACCEPTED_PREFIX
from conformance.report.model import one_line
from conformance.report.results import NOT_ESTABLISHED, ResultsCollector
from conformance.requirements import get
from conformance.requirements.links import label

__all__ = [
    "INCOMPLETE_TESTCASE",
    "classname_prefix",
    "failure_headline",
    "requirement_properties",
    "suite_name",
]

INCOMPLETE_TESTCASE = "run could not be completed"
_GOT_WIDTH = 160  # a CI system shows the message attribute on one line


def failure_headline(failures: list[Finding]) -> str:
    """The first line of a failed test: its first failed requirement and what came back.

    CI systems show this line alone (junit's `message` attribute is the report's first line), so
    it names the requirement and the one-line "got"; the others follow in the full text.
    """
    first = failures[0]
    more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
    got = one_line(first.got, _GOT_WIDTH)
    return f"{first.requirement.id} [{first.requirement.level.value}]: got {got}{more}"


def requirement_properties(ids: Iterable[str], profile: Profile | None = None) -> list[tuple[str, str]]:
    """One (requirement, level, source) triple per id, ids in order, each once; level and source
    as a run of `profile` shows them (a client's assumption: `ASSUMPTION`, its ticket)."""
    properties: list[tuple[str, str]] = []
    for requirement_id in dict.fromkeys(ids):
        requirement = get(requirement_id)
        level, source = label(requirement, profile)
        properties += [("requirement", requirement.id), ("level", level), ("source", source)]
    return properties


def _host(run: ConformanceRun) -> str:
    return urlsplit(run.target.base_url).netloc or run.target.base_url


def suite_name(run: ConformanceRun) -> str:
    return f"conformance {run.profile.name} @ {_host(run)}"


def classname_prefix(run: ConformanceRun) -> str:
    # Jenkins reads dots in a classname as packages: the host's dots would split it in pieces.
    return f"{run.profile.name}@{re.sub(r'[^A-Za-z0-9_-]', '_', _host(run))}"


def rewrite(
    path: Path, run: ConformanceRun, config: pytest.Config, results: ResultsCollector | None = None
) -> None:
    tree = ET.parse(path)
    root = tree.getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return
    if config.getini("junit_suite_name") == "pytest":  # pytest's default: not chosen by the user
        name = suite_name(run)
        suite.set("name", name)
        if root is not suite:
            root.set("name", name)
    if config.getoption("junitprefix", None) is None:  # a prefix the user chose is kept as it is
        prefix = classname_prefix(run)
        for testcase in suite.iter("testcase"):
            testcase.set("classname", f"{prefix}.{testcase.get('classname', '')}".rstrip("."))
    for verdict in (*suite.iter("failure"), *suite.iter("error")):
        # pytest keeps as many lines as fit in 500 characters; CI systems show this attribute as
        # the one-line verdict (the headline), and the element's text has the whole report.
        verdict.set("message", verdict.get("message", "").split("\n", 1)[0])
    _mark_not_established(suite)
    if results is not None and results.baseline is not None:
        _mark_accepted(suite, results, run)
    reason = run.unreachable or run.stopped
    if reason is not None:
        _add_incomplete(suite, run, reason)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _mark_not_established(suite: ET.Element) -> None:
    """A test that failed with no finding behind it (the target did not answer, an error of the
    suite) proved nothing wrong: to a CI system that is an error, not a failure."""
    for testcase in suite.iter("testcase"):
        failure = testcase.find("failure")
        if failure is None or not failure.get("message", "").startswith(NOT_ESTABLISHED):
            continue
        error = ET.Element("error", type="conformance.not-established", message=failure.get("message", ""))
        error.text = failure.text
        testcase[list(testcase).index(failure)] = error
        suite.set("failures", str(int(suite.get("failures", "0")) - 1))
        suite.set("errors", str(int(suite.get("errors", "0")) + 1))


def _mark_accepted(suite: ET.Element, results: ResultsCollector, run: ConformanceRun) -> None:
    """A test that failed only requirements the baseline accepts is no failure to a CI system
    (Jenkins marks a build with a junit failure unstable): it shows as skipped, saying so."""
    verdicts = {v["requirement"]: v for v in results.baseline_verdicts() if v["verdict"] == ACCEPTED}
    for skipped in suite.iter("skipped"):
        # Skipped already when the test ended (plugin._accept_if_baselined): the message is the
        # reason's first line, the findings after it the element's text.
        message = skipped.get("message", "")
        if message.startswith(ACCEPTED_PREFIX):
            skipped.set("type", "conformance.accepted")
            skipped.set("message", message.split("\n", 1)[0])
            skipped.text = message.split("\n", 1)[1].strip() if "\n" in message else skipped.text
    for testcase in suite.iter("testcase"):
        failure = testcase.find("failure")
        failed = [p.get("value", "") for p in testcase.iter("property") if p.get("name") == "failed"]
        if failure is None or not failed or not all(i in verdicts for i in failed):
            continue
        reasons = "; ".join(f"{i} ({verdicts[i]['reason']})" for i in failed)
        accepted = ET.Element(
            "skipped",
            type="conformance.accepted",
            message=run.redactor.scrub(f"accepted by the baseline: {reasons}"),
        )
        accepted.text = failure.text
        testcase[list(testcase).index(failure)] = accepted
        suite.set("failures", str(int(suite.get("failures", "0")) - 1))
        suite.set("skipped", str(int(suite.get("skipped", "0")) + 1))


def _add_incomplete(suite: ET.Element, run: ConformanceRun, reason: str) -> None:
    """The run could not be completed: an error a CI system counts, whatever else ran."""
    ran = len(suite.findall("testcase"))
    testcase = ET.SubElement(
        suite,
        "testcase",
        classname=f"{classname_prefix(run)}.conformance",
        name=INCOMPLETE_TESTCASE,
        time="0.000",
    )
    error = ET.SubElement(
        testcase, "error", type="conformance.incomplete", message=run.redactor.scrub(one_line(reason, 500))
    )
    error.text = run.redactor.scrub(
        f"profile {run.profile.name} against {run.target.description}: {reason}\n"
        f"{ran} test(s) ran; {run.request_count} requests were sent. The requirements "
        "not checked are not established: results.json lists them as skipped, with the cause."
    )
    for attribute in ("tests", "errors"):
        suite.set(attribute, str(int(suite.get(attribute, "0")) + 1))
