"""One finding never hides another: a deviation that touches every response (a missing header,
a wrong media type, a refusal's status or challenge, the tokens' shape) fails its own
requirements and leaves every other requirement with the verdict it has against the conformant
emulator. Seen on a real server: one missing `Pragma: no-cache` made the expiry scenario skip its
unit, lifetime and short-lived checks, and left repeated parameters `partial` for ever, because
every search stopped at the first counterexample."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.emulator.defects.registry import get_defect
from tests.conftest import SuiteRun

pytestmark = pytest.mark.slow  # a dozen whole runs of the suite

SURFACE = {
    # A header, the media type, a member's type, a refusal's status at either end, the tokens' shape.
    "tourpaq": [
        "no-pragma",
        "token-response-text-plain",
        "expires-in-string",
        "invalid-grant-401",
        "resource-403",
        "uuid-tokens",
    ],
    "machine": ["no-pragma", "body-invalid-client-no-challenge"],
}
_conformant: dict[str, dict[str, str]] = {}
# The self-test's search budget: the scripted scenarios see each deviation; the searches still run.
EXAMPLES = ("--conformance-examples", "10")


def _statuses(run: SuiteRun) -> dict[str, str]:
    rows: list[dict[str, Any]] = run.results["requirements"]
    return {r["id"]: r["status"] for r in rows}


@pytest.mark.parametrize(
    ("profile", "defect"), [(profile, defect) for profile, defects in SURFACE.items() for defect in defects]
)
def test_a_deviation_changes_no_other_verdict(
    run_suite: Callable[..., SuiteRun], profile: str, defect: str
) -> None:
    if profile not in _conformant:
        clean = run_suite(profile, *EXAMPLES)
        assert clean.ret == 0, clean.output
        _conformant[profile] = _statuses(clean)
    run = run_suite(profile, *EXAMPLES, "--conformance-defect", defect)
    named = set(get_defect(defect).violates)
    assert run.failed_requirements() & named or any(
        s == "warned" for r, s in _statuses(run).items() if r in named
    ), run.output
    changed = {
        rid: (before, after)
        for rid, before in _conformant[profile].items()
        if rid not in named and (after := _statuses(run)[rid]) != before
    }
    assert not changed, f"{defect} changed the verdicts of requirements it does not break: {changed}"
