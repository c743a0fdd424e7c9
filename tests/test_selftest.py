"""The suite tests itself: the conformant emulator passes, every applicable defect is killed.

The full matrix runs once per session (about a minute on two cores); the rest are small.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.emulator import catalogue
from conformance.killmatrix import Matrix, RunResult, judge, render
from conformance.selftest import selftest

SEEDS = ("tourpaq", "daysoutguide")


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return selftest()


@pytest.mark.slow
def test_conformant_emulator_passes_for_every_seed_profile(matrix: Matrix) -> None:
    baselines = {b.profile: b for b in matrix.baselines}
    assert set(SEEDS) <= set(baselines)
    for baseline in baselines.values():
        assert baseline.error is None, baseline.error
        assert baseline.failed == (), f"{baseline.profile}: false failures {baseline.failed}"
        assert baseline.exit_code == 0
    assert matrix.false_failures == 0


@pytest.mark.slow
def test_every_applicable_defect_is_killed(matrix: Matrix) -> None:
    survivors = [f"{r.profile}:{r.defect} ({r.status}: {r.error or r.summary})" for r in matrix.survivors]
    assert not survivors, "defects the suite does not catch:\n" + "\n".join(survivors)
    for row in matrix.rows:
        # A warning only counts for a defect against a SHOULD-level requirement.
        assert row.by == "failure" or row.by == "warning", row
    assert matrix.ok


@pytest.mark.slow
def test_the_matrix_is_large_fast_and_covers_the_catalogue(matrix: Matrix) -> None:
    seeds = [r for r in matrix.rows if r.profile in SEEDS]
    assert len({r.defect for r in seeds}) >= 40
    assert {r.defect for r in matrix.rows} == set(catalogue())
    assert matrix.wall_seconds < 180, render(matrix)
    totals = matrix.totals()
    assert totals["mutation_score"] == 1.0
    assert totals["profiles"]["tourpaq"]["defects"] >= 40


def test_results_do_not_depend_on_the_number_of_jobs() -> None:
    defects = ["sequential-tokens", "uuid-tokens", "keeps-earlier-tokens", "resource-403", "no-pragma"]
    one = selftest(["daysoutguide"], jobs=1, defects=defects)
    two = selftest(["daysoutguide"], jobs=2, defects=defects)

    def outcome(m: Matrix) -> list[tuple[object, ...]]:
        rows = [(r.defect, r.status, r.by, r.caught_by, r.precise) for r in m.rows]
        return rows + [(b.profile, b.failed, b.warned) for b in m.baselines]

    assert outcome(one) == outcome(two)
    assert [r.defect for r in one.rows] == defects


def test_command_prints_the_matrix_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "matrix.json"
    argv = ["selftest", "--profile", "tourpaq", "--defect", "accepts-near-miss-secret", "--json", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "accepts-near-miss-secret" in printed and "killed" in printed
    assert "mutation score 1/1 = 100.0%" in printed
    data = json.loads(out.read_text())
    assert data["totals"]["killed"] == 1
    assert data["defects"][0]["caught_by"] == ["RFC6749-4.3-client-auth", "RFC6749-6-client-auth"]


def test_unknown_defect_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selftest", "--defect", "sequental-tokens"]) == 4
    assert "did you mean 'sequential-tokens'" in capsys.readouterr().err


# -- how a run becomes a verdict --------------------------------------------------------------------
BASELINE = RunResult("tourpaq", None, 0, (), ("RFC9700-2.4-password-grant",), 0.1)


def _verdict(
    defect: str, failed: tuple[str, ...] = (), warned: tuple[str, ...] = ()
) -> tuple[str, str | None]:
    run = RunResult("tourpaq", defect, 1 if failed else 0, failed, warned + BASELINE.warned, 0.1)
    row = judge("tourpaq", defect, run, BASELINE)
    return row.status, row.by


def test_a_failure_kills() -> None:
    assert _verdict("no-pragma", failed=("RFC6749-5.1-pragma",)) == ("killed", "failure")


def test_a_new_warning_kills_only_a_defect_against_a_should() -> None:
    assert _verdict("uuid-tokens", warned=("RFC6749-10.10-entropy",)) == ("killed", "warning")
    assert _verdict("no-pragma", warned=("RFC6750-3.1-invalid-token",)) == ("survived", None)


def test_warnings_of_the_conformant_run_kill_nothing() -> None:
    assert _verdict("uuid-tokens") == ("survived", None)


def test_a_catch_by_another_requirement_is_a_precision_note() -> None:
    run = RunResult("tourpaq", "no-pragma", 1, ("RFC6749-5.1-json",), (), 0.1)
    row = judge("tourpaq", "no-pragma", run, BASELINE)
    assert (row.status, row.precise) == ("killed", False)
    shown = render(Matrix(1, 0.0, [BASELINE], [row]))
    assert "by RFC6749-5.1-json; expected RFC6749-5.1-pragma (caught by another requirement)" in shown
