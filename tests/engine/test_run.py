"""Routing: a run's exchanges and findings reach the log of the innermost open `recording_into`."""

from __future__ import annotations

import pytest

from conformance.engine.findings import FindingLog
from conformance.engine.run import ConformanceRun
from tests.conftest import settings_for


@pytest.fixture
def run() -> ConformanceRun:
    return ConformanceRun(settings_for("tourpaq", defects=("no-cache-headers",)))


def _purposes(log: FindingLog) -> list[str]:
    return [e.purpose for e in log.exchanges]


def _failed(log: FindingLog) -> set[str]:
    return {f.exchange.purpose for f in log.failures if f.exchange is not None}


def test_nested_logs_take_the_exchanges_innermost_first(run: ConformanceRun) -> None:
    outer, inner = FindingLog(), FindingLog()
    with run.recording_into(outer):
        run.client.password_grant("token: before")
        with run.recording_into(inner):
            run.client.password_grant("token: inside")
        run.client.password_grant("token: after")
    run.client.password_grant("token: outside every block")
    assert _purposes(outer) == ["token: before", "token: after"]
    assert _purposes(inner) == ["token: inside"]
    # Findings follow their exchanges: each log holds those of its own (the defect's no-store).
    assert _failed(inner) == {"token: inside"}
    assert _failed(outer) == {"token: before", "token: after"}


def test_the_pointer_is_gone(run: ConformanceRun) -> None:
    """Routing is the block's business: no attribute a fixture or a search could swap."""
    assert not hasattr(run, "current")
    assert not hasattr(run, "end_test")


def test_a_search_routes_each_example_to_its_own_log(pytester: pytest.Pytester) -> None:
    """An example's exchanges stay out of the test's log while it runs; the first few are
    copied there after it (the report shows what the search sent), later ones are not."""
    pytester.makepyfile(
        """
        import pytest
        from hypothesis import strategies as st
        from conformance.engine.counterexample import Search
        from conformance.requirements.rfc import rfc6749

        @pytest.mark.requirement(rfc6749.PASSWORD_GRANT_ISSUES)
        def test_search(conformance, request):
            search = Search.for_test(conformance, request, "scope", "routing", rfc6749.PASSWORD_GRANT_ISSUES)
            seen = []

            def check(n, example):
                before = len(conformance.log.exchanges)
                conformance.client.password_grant(f"token: example {search.examples}")
                assert [e.purpose for e in example.log.exchanges] == [f"token: example {search.examples}"]
                assert len(conformance.log.exchanges) == before
                seen.append(search.examples)

            search.run_given(st.integers(), check)
            kept = [e.purpose for e in conformance.log.exchanges]
            assert len(seen) > 3 and kept == [f"token: example {n}" for n in (1, 2, 3)]
        """
    )
    result = pytester.runpytest_inprocess(
        "--conformance-profile", "tourpaq", "--conformance-emulate", "-p", "no:cacheprovider",
        "--conformance-examples", "5",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
