"""One cause, one block: the terminal's failures, each cause shown once.

A defect that fails one requirement in 17 tests is one deviation. pytest would print 17 failure
blocks, each with every exchange its test made (a search makes hundreds): thousands of lines in
which the one cause is hard to find. Before pytest prints its FAILURES section, each failed
test's findings are folded: the first test that shows a cause prints its finding with the
exchange that shows it and "also seen in N other tests"; the later ones print one line per
cause that points back. Only the terminal is folded: junit.xml, report.html and results.json keep every
finding of every test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

__all__ = ["EXCHANGES_SECTION", "Block", "attach", "fold"]

EXCHANGES_SECTION = "conformance exchanges"


class Block(NamedTuple):
    """One finding of a failed test, rendered (already redacted)."""

    requirement: str
    text: str
    exchange: str  # the exchange that shows it, rendered; "" when it has none


def attach(report: Any, blocks: Sequence[Block]) -> None:
    """Keep a failed test's findings on its report (plain lists: they travel from xdist workers)."""
    report.conformance_headline = str(report.longrepr).split("\n", 1)[0]
    report.conformance_blocks = [list(block) for block in blocks]


def fold(reports: Sequence[Any]) -> None:
    """Rewrite the failed reports' longrepr and sections, in the order pytest prints them: a test
    that shows a cause first keeps its whole failure (a search's transcript and seed with it),
    told where else the cause shows; a test whose every cause was shown above points back."""
    folded = [r for r in reports if getattr(r, "conformance_blocks", None)]
    seen_in = Counter(
        requirement for r in folded for requirement in {Block(*b).requirement for b in r.conformance_blocks}
    )
    first: dict[str, str] = {}  # requirement -> the test whose block shows it
    for report in folded:
        blocks = [Block(*b) for b in report.conformance_blocks]
        new = [b for b in blocks if first.setdefault(b.requirement, report.nodeid) == report.nodeid]
        exchanges = list(dict.fromkeys(b.exchange for b in new if b.exchange))
        if new:
            notes = [
                f"{requirement}: also seen in {seen_in[requirement] - 1} other test"
                + ("s" if seen_in[requirement] > 2 else "")
                for requirement in dict.fromkeys(b.requirement for b in new)
                if seen_in[requirement] > 1
            ]
            notes += [
                f"{requirement}: the cause shown above, by {first[requirement]}"
                for requirement in dict.fromkeys(b.requirement for b in blocks if b not in new)
            ]
            report.longrepr = "\n\n".join([str(report.longrepr), *(["\n".join(notes)] if notes else [])])
        else:
            pointers = [
                f"{requirement}: the cause shown above, by {first[requirement]}"
                for requirement in dict.fromkeys(b.requirement for b in blocks)
            ]
            report.longrepr = "\n\n".join([report.conformance_headline, "\n".join(pointers)])
        sections = [(title, text) for title, text in report.sections if title != EXCHANGES_SECTION]
        if exchanges:
            title = (
                "conformance: the exchange that shows it"
                if len(exchanges) == 1
                else ("conformance: the exchanges that show them")
            )
            sections.append((title, "\n\n".join(exchanges)))
        report.sections = sections
