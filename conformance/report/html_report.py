"""pytest-html additions: a report a person can navigate.

* the title names profile and target; the environment table the run's settings;
* the requirement verdicts: each id anchored (`#req-ID`), linked to its source (the RFC's own
  section anchor, or the profile's citation for `DOC-*`) and to the rows of the tests that
  judged it; its statement beside the verdict;
* the baseline's verdict on each entry (accepted, fixed: remove it, expired, not checked);
* "Documentation settled by evidence": each contradiction the profile records, with what the
  run found;
* each test row: its exchanges inline in a `<details>` (never a `data:` link, which browsers
  refuse to open as a page), requirement ids in its failure linked back to the verdicts, and a
  skip's reason as text.

Registered only when pytest-html is loaded (see `plugin.pytest_configure`). Every text written
passes the run's redactor.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

from conformance.profile import Profile
from conformance.report.model import Status
from conformance.report.verdict import COLOURS
from conformance.requirements import provider
from conformance.requirements.links import SourceLink

__all__ = ["exchanges_html", "requirement_anchor", "settled_contradictions"]

STATUS_COLOURS = {
    Status.FAILED.value: "#c62828",
    Status.WARNED.value: "#ef6c00",
    Status.PARTIAL.value: "#1565c0",
    Status.PASSED.value: "#2e7d32",
    Status.SKIPPED.value: "#616161",
}
STATUS_ORDER = (Status.FAILED, Status.WARNED, Status.PARTIAL, Status.PASSED, Status.SKIPPED)
ACCEPTED_COLOUR = "#ef6c00"  # a failure the baseline accepts: known, not failing the run
BASELINE_COLOURS = {"accepted": ACCEPTED_COLOUR, "fixed": "#2e7d32", "expired": "#c62828"}
EXCHANGES_SECTION = "conformance exchanges"
FOLD_PAST = 3  # a requirement's tests shown before the rest fold
VERDICT_COLOURS = COLOURS
# pytest-html's page, led by the verdict and fitting a 1,400-pixel window: the summary (the
# verdict, then what it rests on, then every requirement) before the environment table and the
# tests; long ids, URLs and curl lines wrap instead of widening the page.
LAYOUT = """
body { display: flex; flex-direction: column; }
body > p:first-of-type { order: 5; }
.summary { order: 1; } #environment-header, #environment { order: 2; }
#results-table { order: 3; } footer { order: 6; }
.summary__data > h2:first-child { display: none; }
#conformance-verdict { color: #fff; font-size: 20px; padding: 10px 14px; margin: 0 0 8px; }
#conformance-findings h3 { margin: 8px 0 2px; font-size: 15px; }
.summary table, #results-table { width: 100%; }
td, th, li { overflow-wrap: break-word; }
code, a, .logwrapper .log, pre { overflow-wrap: anywhere; }
#requirements { table-layout: fixed; }
#requirements th:nth-child(1) { width: 15%; } #requirements th:nth-child(2) { width: 8%; }
#requirements th:nth-child(3) { width: 5%; } #requirements th:nth-child(4) { width: 15%; }
#requirements th:nth-child(7) { width: 17%; }
#requirements td:first-child code { overflow-wrap: normal; word-break: normal; }
"""
# A finding's first line in a failure: "RFC6749-5.1-expires-in [MUST, ...]".
FINDING_LINE = re.compile(r"^((?:RFC\d+|DOC)-[\w.-]+)(?= \[)", re.MULTILINE)
# Which requirement's verdict settles a contradiction the profile records, by its field.
SETTLED_BY = {"expiry.unit": provider.EXPIRES_IN_UNIT.id}
_READING = re.compile(r"reads as (\w+)")


def requirement_anchor(requirement_id: str) -> str:
    return f"req-{requirement_id}"


def exchanges_html(text: str) -> str:
    """The (already redacted) exchanges of a test, folded: each exchange ends in one line, its
    `replay:` (a curl line that runs as printed) or its `request:` (one that needs earlier ones)."""
    count = sum(1 for line in text.splitlines() if line.startswith(("replay: ", "request: ")))
    return (
        f'<details class="conformance-exchanges"><summary>exchanges ({count})</summary>'
        f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre></details>'
    )


def settled_contradictions(profile: Profile, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each contradiction of the profile, with what this run found (`found` empty: not weighed)."""
    by_id = {r["id"]: r for r in rows}
    entries = []
    for contradiction in profile.contradictions:
        found = verdict = ""
        row = by_id.get(SETTLED_BY.get(contradiction.field, ""))
        if row is not None and row["status"] in (Status.PASSED, Status.PARTIAL) and row["message"]:
            found = row["message"]
            reading = _READING.search(found)
            if contradiction.field == "expiry.unit" and reading is not None:
                claimed, counted = profile.expiry.unit, reading.group(1)
                verdict = (
                    f"the document says {claimed}; the service counts {counted}"
                    if counted != claimed
                    else f"the document's {claimed} holds: the service counts {counted}"
                )
        elif row is not None and Status(row["status"]).deviates:
            found, verdict = row["message"], f"{row['id']} {row['status']}"
        entries.append(
            {
                "field": contradiction.field,
                "claim": contradiction.claim,
                "evidence": contradiction.evidence,
                "source": contradiction.source,
                "found": found,
                "verdict": verdict,
            }
        )
    return entries


def source_link_html(link: SourceLink) -> str:
    text = html.escape(link.text)
    if link.url is None:
        return text
    return f'<a href="{html.escape(link.url)}" target="_blank" rel="noopener">{text}</a>'


def row_href(test_id: str) -> str:
    # pytest-html gives each test's <tbody> the test id as its id.
    return "#" + quote(test_id, safe="/:")
