"""Budgets: settings profiles, example counts, seeds, live politeness."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from conformance.cli import build_parser
from conformance.cli.run import pytest_arguments
from conformance.config.settings import RunSettings
from conformance.engine.search import DEV, EXAMPLES, LIVE, LIVE_EXAMPLES, SEEDED, budget_for, strategies_alone


def _settings(url: str | None, examples: int | None = None) -> RunSettings:
    return RunSettings(
        profile="tourpaq",
        url=url,
        emulate=url is None,
        resource_path=None,
        expiry_wait=0.0,
        report_dir=Path("reports"),
        timeout=10.0,
        defects=(),
        lifetime=None,
        examples=examples,
    )


def test_profiles_are_registered() -> None:
    assert settings.get_profile(SEEDED).derandomize
    assert settings.get_profile(LIVE).phases == (Phase.explicit, Phase.generate)  # no shrinking
    assert settings.get_profile(DEV).database is None


def test_emulator_is_thorough_and_seeded(pytestconfig: pytest.Config) -> None:
    budget = budget_for(pytestconfig, _settings(None), "requests", "test_x::y")
    again = budget_for(pytestconfig, _settings(None), "requests", "test_x::y")
    assert budget.profile == SEEDED and budget.examples == EXAMPLES["requests"]
    assert budget.seed == again.seed and not budget.live
    assert "--hypothesis-seed" in budget.replay_hint()


def test_live_targets_get_few_examples_and_no_shrinking(pytestconfig: pytest.Config) -> None:
    budget = budget_for(pytestconfig, _settings("https://api.example.com"), "lifecycle", "t")
    assert budget.live and budget.profile == LIVE
    assert budget.examples == LIVE_EXAMPLES["lifecycle"]
    assert Phase.shrink not in budget.settings.phases
    loopback = budget_for(pytestconfig, _settings("http://127.0.0.1:8000"), "lifecycle", "t")
    assert not loopback.live and loopback.profile == SEEDED  # this machine's server: shrinking too
    assert loopback.examples == LIVE_EXAMPLES["lifecycle"]  # over HTTP: the smaller counts


def test_examples_option_sets_every_search(pytestconfig: pytest.Config) -> None:
    for kind in EXAMPLES:
        assert budget_for(pytestconfig, _settings(None, examples=7), kind, "t").examples == 7


def test_a_dry_run_of_a_live_target_uses_the_live_budget(pytestconfig: pytest.Config) -> None:
    dry = replace(_settings("https://api.example.com"), dry_run=True)
    budget = budget_for(pytestconfig, dry, "requests", "t")
    assert budget.live and budget.examples == LIVE_EXAMPLES["requests"]


def test_run_passes_examples_to_pytest(tmp_path: Path) -> None:
    args = build_parser().parse_args(["run", "--profile", "tourpaq", "--emulate", "--examples", "12"])
    argv = pytest_arguments(args, tmp_path)
    assert argv[argv.index("--conformance-examples") + 1] == "12"


def test_the_run_seed_draws_other_examples_and_the_same_one_replays_them(pytestconfig: pytest.Config) -> None:
    default = budget_for(pytestconfig, _settings(None), "requests", "test_x::y")
    other = budget_for(pytestconfig, replace(_settings(None), seed=42), "requests", "test_x::y")
    again = budget_for(pytestconfig, replace(_settings(None), seed=42), "requests", "test_x::y")
    assert other.seed != default.seed and other.seed == again.seed
    assert "same `--seed`" in other.replay_hint()


def test_a_run_keeps_no_hypothesis_files(tmp_path: Path) -> None:
    """Hypothesis writes `.hypothesis/` where it is started; a run keeps its files in a scratch
    directory of its own, removed at its end, so what ran before, or elsewhere, never bears on
    its verdicts (a fresh process: hypothesis writes its files once per process)."""
    reports = tmp_path / "reports"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "run",
            "--profile",
            "tourpaq",
            "--emulate",
            "--report-dir",
            str(reports),
            "--examples",
            "2",
            "--",
            "-k",
            "test_token_endpoint_answers_generated_requests",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert not (tmp_path / ".hypothesis").exists()
    assert not (reports / ".hypothesis").exists()


def test_a_search_draws_from_its_strategies_alone_whatever_modules_are_loaded() -> None:
    """Hypothesis also draws the constants of the local modules loaded at the time: which are
    loaded differs between a serial run and its workers, so the same seed drew other examples."""
    from hypothesis import given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st
    from hypothesis.internal.conjecture import providers

    import conformance.scenarios.services.test_metadata  # noqa: F401  (string constants a draw could take)

    local = providers._get_local_constants().strings
    drawn: set[str] = set()

    @hypothesis_settings(max_examples=2000, derandomize=True, database=None, deadline=None)
    @given(st.text(min_size=5))
    def draw(text: str) -> None:
        drawn.add(text)

    original = providers._get_local_constants
    with strategies_alone():
        draw()
    assert not drawn & set(local)
    assert providers._get_local_constants is original  # nothing changed outside the search


def test_the_hypothesis_profiles_are_registered_when_asked_not_by_an_import() -> None:
    # A fresh interpreter: in this one the plugin has registered them already.
    script = (
        "from hypothesis import settings\n"
        "from hypothesis.errors import InvalidArgument\n"
        "import conformance.engine.search as search\n"
        "try:\n"
        "    settings.get_profile(search.SEEDED)\n"
        "    print('at import')\n"
        "except InvalidArgument:\n"
        "    search.register_profiles()\n"
        "    print(settings.get_profile(search.SEEDED).derandomize)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "True"


def test_a_plain_pytest_run_may_name_the_suites_hypothesis_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "from hypothesis import settings\n"
        "def test_profile():\n"
        "    assert settings.default.derandomize is True\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--hypothesis-profile", "conformance-ci")
    result.assert_outcomes(passed=1)
