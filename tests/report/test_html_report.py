"""The HTML report's content: sources linked, rows linked, exchanges inline, settings shown.

How it looks and behaves in a browser is tests/test_html_browser.py's part.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance.profile import load_profile
from conformance.report.html_report import settled_contradictions
from conformance.requirements import get
from conformance.requirements.links import SourceLink, cited_documents, rfc_links, source_links
from tests.conftest import SuiteRun

RFC6749 = "https://www.rfc-editor.org/rfc/rfc6749"


def test_rfc_sources_link_to_their_sections_and_appendices() -> None:
    assert rfc_links("RFC 6749 §5.1, Appendix A.14") == [
        SourceLink("RFC 6749 §5.1", f"{RFC6749}#section-5.1"),
        SourceLink("Appendix A.14", f"{RFC6749}#appendix-A.14"),
    ]
    assert rfc_links("RFC 6749 §6, §5.2") == [
        SourceLink("RFC 6749 §6", f"{RFC6749}#section-6"),
        SourceLink("§5.2", f"{RFC6749}#section-5.2"),
    ]
    assert rfc_links("RFC 6749 §5.1, §7.1; RFC 6750 §4")[-1] == SourceLink(
        "RFC 6750 §4", "https://www.rfc-editor.org/rfc/rfc6750#section-4"
    )
    assert rfc_links("RFC 9700 §4.14.2; the profile's rotation rule") == [
        SourceLink("RFC 9700 §4.14.2", "https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2"),
        SourceLink("the profile's rotation rule", None),
    ]


def test_every_rfc_requirement_links_into_its_rfc() -> None:
    from conformance.requirements import all_requirements

    for requirement in all_requirements():
        if requirement.id.startswith("RFC"):
            links = source_links(requirement, load_profile("tourpaq"))
            number = requirement.id[3:7]
            assert links[0].url is not None and f"/rfc{number}#" in links[0].url, requirement.id


def test_doc_sources_cite_the_profile_section() -> None:
    daysout, tourpaq = load_profile("daysoutguide"), load_profile("tourpaq")
    unit = source_links(get("DOC-expires-in-unit"), daysout)
    assert "§Response object fields" in unit[0].text and unit[0].text.startswith(
        "daysoutguide profile, expiry"
    )
    assert cited_documents(daysout, daysout.source_of("expiry")) == [
        "003: seeds/003_c14a84554e6aa49f.txt (Days Out Guide API, Authorisation)"
    ]
    status = source_links(get("DOC-rejection-status"), tourpaq)
    assert "000 §Make an api request" in status[0].text
    # A profile that cites an RFC where its documents are silent links to it.
    errors = source_links(get("DOC-rejection-body"), load_profile("rfc6749"))
    assert any(link.url and "rfc6750#section-3" in link.url for link in errors), errors


def test_contradiction_settled_by_the_observed_lifetime() -> None:
    profile = load_profile("daysoutguide")
    note = (
        "expires_in 86399 reads as seconds, from the observed lifetime; the documented unit "
        "milliseconds does not fit"
    )
    row = {"id": "DOC-expires-in-unit", "status": "passed", "message": note}
    (unit, location) = settled_contradictions(profile, [row])
    assert unit["verdict"] == "the document says milliseconds; the service counts seconds"
    assert unit["found"] == note
    assert location["field"] == "parameters.location" and location["found"] == ""
    unweighed = {**row, "status": "skipped", "message": "not established: ..."}
    assert settled_contradictions(profile, [unweighed])[0]["verdict"] == ""


def _report(run: SuiteRun) -> tuple[str, dict[str, Any]]:
    page = (run.report_dir / "report.html").read_text(encoding="utf-8")
    blob = re.search(r'data-jsonblob="([^"]*)"', page)
    assert blob is not None
    return page, json.loads(html.unescape(blob.group(1)))


NAVIGATION_RUN = (
    "daysoutguide",
    "--conformance-defect",
    "invalid-grant-401",
    "-k",
    "test_wrong_resource_owner_credentials_are_refused or test_expiry or test_refresh_returns",
)


def test_report_navigation(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite(*NAVIGATION_RUN, reports=True)
    assert run.ret == 1, run.output
    page, data = _report(run)
    tests = {nodeid: rows[-1] for nodeid, rows in data["tests"].items()}

    # A skip reads as its reason, not as Python's (path, line, reason) tuple.
    skipped = tests["lifecycle/test_refresh.py::test_refresh_returns_a_new_pair"]
    assert skipped["log"].startswith("skipped: profile daysoutguide: no refresh grant"), skipped["log"]
    assert "('" not in skipped["log"]

    # The environment table: the run's settings.
    environment = data["environment"]
    assert environment["Conformance profile"].startswith("daysoutguide (")
    assert environment["Target"] == "http://emulator.conformance (in-process emulator)"
    assert environment["Expiry wait"].startswith("0 s")
    assert environment["Budget"] == "max requests unlimited, max rate unlimited"
    assert environment["Timeout"] == "10 s per request"
    assert environment["Seed"] == "per test, printed with each search"
    assert environment["Examples"].startswith("per search kind: requests 120")
    assert environment["Emulator defects"] == "invalid-grant-401"

    # A verdict: anchored, its source linked, its statement, its failing rows linked.
    verdict = re.search(r'<tr id="req-RFC6749-5\.2-error">.*?</tr>', page)
    assert verdict is not None
    row = verdict.group(0)
    assert f'href="{RFC6749}#section-5.2"' in row
    assert html.escape(get("RFC6749-5.2-error").statement) in row
    assert (
        'href="#token/test_token_errors.py::test_wrong_resource_owner_credentials_are_refused%5Bwrong%20password%5D"'
        in row
    )
    failed = tests[
        "token/test_token_errors.py::test_wrong_resource_owner_credentials_are_refused[wrong password]"
    ]
    assert '<a href="#req-RFC6749-5.2-error">RFC6749-5.2-error</a> [MUST, RFC 6749 §5.2]' in failed["log"]
    doc = re.search(r'<tr id="req-DOC-expires-in-unit">.*?</tr>', page)
    assert doc is not None and "003 §Authorisation" in doc.group(0)
    assert "seeds/003_c14a84554e6aa49f.txt" in doc.group(0)

    # The contradiction the expiry test settled.
    settled = page[page.index('id="settled"') :]
    assert "Documentation settled by evidence" in settled
    assert "the document says milliseconds; the service counts seconds" in settled


def test_exchanges_inline_and_folded(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite(*NAVIGATION_RUN, reports=True)
    page, data = _report(run)
    tests = {nodeid: rows[-1] for nodeid, rows in data["tests"].items()}
    # Never a data: link (Chromium refuses to open one as a page); on passed tests too.
    assert "data:text/plain" not in page
    passed = tests["lifecycle/test_expiry.py::test_token_lives_as_long_as_expires_in_says[password]"]
    (folded,) = [e for e in passed["extras"] if e["format_type"] == "html"]
    assert folded["content"].startswith('<details class="conformance-exchanges"><summary>exchanges (')
    assert "&gt; POST http://emulator.conformance/token?grant_type=password" in folded["content"]
    assert "&lt;password&gt;" in folded["content"]  # redacted, then escaped
    assert "conformance exchanges" not in passed["log"]  # shown once, in the fold


def test_baseline_verdicts_shown(run_suite: Callable[..., SuiteRun], tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(
        "- {requirement: RFC6749-5.2-error, reason: vendor ticket 12, link: https://t.example/12}\n"
        "- {requirement: RFC6749-4.3-invalid-grant, reason: flaky last spring}\n"
    )
    run = run_suite(
        "daysoutguide",
        "--conformance-defect",
        "invalid-grant-401",
        "--conformance-baseline",
        str(baseline),
        "-k",
        "test_wrong_resource_owner_credentials_are_refused",
        reports=True,
    )
    assert run.ret == 0, run.output  # its one failure is accepted
    page, _ = _report(run)
    section = re.search(r'<details open id="baseline">.*?</details>', page)
    assert section is not None
    text = section.group(0)
    assert "1 accepted, 1 fixed" in text
    assert '<a href="#req-RFC6749-5.2-error"><code>RFC6749-5.2-error</code></a>' in text
    assert "vendor ticket 12" in text and 'href="https://t.example/12"' in text
    assert "fixed: remove it from the baseline" in text
    verdict = re.search(r'<tr id="req-RFC6749-5\.2-error">.*?</tr>', page)
    assert verdict is not None and "baseline: accepted" in verdict.group(0)
    assert '<a href="#baseline">Baseline</a>' in page
