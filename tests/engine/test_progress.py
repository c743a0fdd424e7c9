"""A live run's searches say how far they got: which search, its requirements, example N of M,
requests sent; quiet with -q, silent against the emulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.clock import SystemClock
from conformance.config.settings import RunSettings
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.engine.progress import SearchProgress
from conformance.profile import load_profile
from tests.conftest import SuiteRun, use_emulator_credentials

HELD = ["RFC6749-5.2-error", "RFC6749-4.3-issue", "RFC6749-3.2-unknown-parameter"]


def _settings(url: str | None) -> RunSettings:
    return RunSettings(
        profile="tourpaq", url=url, emulate=url is None, resource_path=None, expiry_wait=0.0,
        report_dir=None, timeout=10.0, defects=(), lifetime=None,
    )  # fmt: skip


def test_a_search_says_its_first_and_last_example_and_every_few_seconds_between(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    config = pytester.parseconfigure()
    now = [0.0]
    progress = SearchProgress(config, clock=lambda: now[0])
    for done, at in ((1, 0.0), (2, 0.5), (3, 1.0), (4, 2.5), (5, 3.0), (6, 3.1)):
        now[0] = at
        progress.example("generated requests", HELD, done, 6, 10 + done)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("conformance: search")]
    prefix = "conformance: search generated requests (RFC6749-5.2-error, RFC6749-4.3-issue and 1 more): "
    assert lines == [
        prefix + "example 1 of 6, 11 requests sent",
        prefix + "example 4 of 6, 14 requests sent",  # 2.5 s after the first
        prefix + "example 6 of 6, 16 requests sent",  # the last, whenever it comes
    ]


def test_only_a_live_run_shown_on_its_own_terminal_and_not_quiet_has_progress(
    pytester: pytest.Pytester,
) -> None:
    config = pytester.parseconfigure()
    assert SearchProgress.for_run(config, _settings("https://api.example.com"), worker=False) is not None
    assert SearchProgress.for_run(config, _settings(None), worker=False) is None  # the emulator
    assert SearchProgress.for_run(config, _settings("https://api.example.com"), worker=True) is None
    assert (
        SearchProgress.for_run(pytester.parseconfigure("-q"), _settings("https://x.example"), worker=False)
        is None
    )


@pytest.mark.slow
def test_a_live_search_shows_progress_and_q_silences_it(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = load_profile("tourpaq")
    use_emulator_credentials(monkeypatch, profile)
    with serve(Emulator(profile, clock=SystemClock(show_countdown=False)).app) as url:
        shown = run_suite("tourpaq", "-k", "test_any_scope_behaves_like_the_documented_one", url=url)
        quiet = run_suite("tourpaq", "-q", "-k", "test_any_scope_behaves_like_the_documented_one", url=url)
    assert "conformance: search other scope values (DOC-scope-unenforced): example 1 of 3, " in shown.output
    assert "example 3 of 3, " in shown.output
    assert "conformance: search" not in quiet.output
