"""Django OAuth Toolkit against the suite: its legs' verdicts are its expectations, each listed deviation
is shown by its curl line, the probe's profile judges alike, and the documentation's matrix rows are its
runs' (tests/realservers/cases.py says how). Slow: it builds the server's environment once and
starts the server afresh for each run.
"""

from __future__ import annotations

import pytest

from tests.realservers import cases
from tests.realservers.runs import ServerRuns
from tests.realservers.servers import load

pytestmark = pytest.mark.slow

SERVER = load("django_oauth_toolkit")
LEGS = [leg.name for leg in SERVER.legs]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> ServerRuns:
    return cases.server_runs(SERVER, tmp_path_factory)


@pytest.mark.parametrize("leg", LEGS)
def test_verdicts_are_the_expected_ones(runs: ServerRuns, leg: str) -> None:
    cases.check_verdicts(runs, leg)


@pytest.mark.parametrize("leg", LEGS)
def test_a_run_on_a_token_budget_raises_no_false_alarm(runs: ServerRuns, leg: str) -> None:
    cases.check_frugal(runs, leg)


@pytest.mark.parametrize("leg", LEGS)
def test_each_deviation_shows_in_its_curl_line(runs: ServerRuns, leg: str) -> None:
    cases.check_curl_lines(runs, leg)


def test_the_learned_profile_judges_alike(runs: ServerRuns) -> None:
    cases.check_probe(runs)


def test_docs_matrix_rows(runs: ServerRuns) -> None:
    cases.check_docs_rows(runs)
