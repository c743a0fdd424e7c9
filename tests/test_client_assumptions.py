"""The tutorial, run: a client's assumptions about Tourpaq, checked against Tourpaq.

The profile is the `my-client.yaml` block of docs/tutorials/client-assumptions.md (the README
shows the same), so the walkthrough stays true. Against
the provider's served emulator (Tourpaq as its documents describe it: a second login leaves the
first token valid, a used refresh token is refused), the assumption that holds passes and the
broken one fails, its failure citing the assumption's own source (the ticket).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile
from conformance.requirements import provider
from conformance.requirements.links import label
from tests.conftest import SuiteRun, use_emulator_credentials

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorials" / "client-assumptions.md"


def _walkthrough_profile() -> str:
    block = re.search(r"```yaml\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.S)
    assert block is not None, f"the walkthrough's profile block is gone from {TUTORIAL.name}"
    return block.group(1)


@pytest.mark.slow
def test_the_walkthrough_fails_the_broken_assumption_citing_its_source(
    run_suite: Callable[..., SuiteRun], pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile_file = pytester.path / "my-client.yaml"
    profile_file.write_text(_walkthrough_profile(), encoding="utf-8")
    tourpaq = load_profile("tourpaq")
    use_emulator_credentials(monkeypatch, tourpaq)
    provider = Emulator(tourpaq, clock=SystemClock(show_countdown=False))
    with serve(provider.app) as url:
        run = run_suite(
            str(profile_file),
            "--conformance-url",
            url,
            "-k",
            "invalidation or rotation_rule",
            emulate=False,
        )
    out = run.output
    # Broken: Tourpaq refuses a used refresh token; the client retries with one.
    assert run.ret == 1, out
    assert run.failed_requirements() == {"RFC9700-4.14.2-rotation"}
    rotation = next(r for r in run.results["requirements"] if r["id"] == "RFC9700-4.14.2-rotation")
    assert "ticket BOOK-188" in rotation["message"]
    assert "ticket BOOK-188" in out
    # Holding: a second login leaves the first token valid, as the client assumes.
    assert run.status("DOC-keeps-earlier") == "passed"
    keeps = next(r for r in run.results["requirements"] if r["id"] == "DOC-keeps-earlier")
    assert keeps["level"] == "ASSUMPTION" and keeps["source"].endswith("ticket BOOK-142")
    assert run.status("DOC-invalidates-earlier") == "skipped"


def test_the_walkthrough_profile_is_labelled_as_the_integrators_assumptions(tmp_path: Path) -> None:
    profile_file = tmp_path / "my-client.yaml"
    profile_file.write_text(_walkthrough_profile(), encoding="utf-8")
    profile = load_profile(str(profile_file))
    assert profile.assumes == "tourpaq"
    assert profile.assumed_sections == {"invalidation", "refresh"}
    assert label(provider.KEEPS_EARLIER, profile) == (
        "ASSUMPTION",
        "my-client profile, invalidation: our client design, ticket BOOK-142",
    )
    # What the profile does not set stays the provider's documentation.
    assert label(provider.REJECTION_STATUS, profile) == ("PROVIDER-DOC", provider.REJECTION_STATUS.source)
    # A provider's own profile, on the generic base, records no assumptions.
    assert load_profile("tourpaq").assumes is None


def test_emulating_assumptions_says_it_emulates_them_and_labels_them(
    run_suite: Callable[..., SuiteRun], pytester: pytest.Pytester
) -> None:
    profile_file = pytester.path / "my-client.yaml"
    profile_file.write_text(_walkthrough_profile(), encoding="utf-8")
    run = run_suite(str(profile_file), "-k", "test_new_token_request_and_earlier_tokens")
    assert run.ret == 0, run.output
    assert (
        "conformance: profile my-client records a client's assumptions about tourpaq (invalidation, "
        "refresh): their requirements read ASSUMPTION; --emulate emulates the assumptions themselves"
    ) in run.output
    row = next(r for r in run.results["requirements"] if r["id"] == "DOC-keeps-earlier")
    assert (row["status"], row["level"]) == ("passed", "ASSUMPTION")
    assert row["source"].endswith("ticket BOOK-142")
