"""Fixtures: the run (session), its parts, and one `conformance` scenario context per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.client import ConformanceClient, Target
from conformance.clock import Clock
from conformance.engine.run import ConformanceRun
from conformance.engine.scenario import Scenario
from conformance.profile import Profile
from conformance.pytest_plugin.stash import LOG, RUN

__all__ = [
    "conformance",
    "conformance_client",
    "conformance_clock",
    "conformance_profile",
    "conformance_run",
    "conformance_target",
]


@pytest.fixture(scope="session")
def conformance_run(pytestconfig: pytest.Config) -> ConformanceRun:
    run: ConformanceRun | None = pytestconfig.stash.get(RUN, None)
    if run is None:
        raise pytest.UsageError(
            "conformance fixtures need a run: pass --conformance-profile NAME and "
            "--conformance-url URL or --conformance-emulate"
        )
    return run


@pytest.fixture(scope="session")
def conformance_profile(conformance_run: ConformanceRun) -> Profile:
    return conformance_run.profile


@pytest.fixture(scope="session")
def conformance_target(conformance_run: ConformanceRun) -> Target:
    return conformance_run.target


@pytest.fixture(scope="session")
def conformance_client(conformance_run: ConformanceRun) -> ConformanceClient:
    return conformance_run.client


@pytest.fixture(scope="session")
def conformance_clock(conformance_run: ConformanceRun) -> Clock:
    return conformance_run.clock


@pytest.fixture
def conformance(conformance_run: ConformanceRun, request: pytest.FixtureRequest) -> Iterator[Scenario]:
    """A fresh scenario context: its own finding log; the emulator (if any) reset."""
    log = conformance_run.begin_test()
    request.node.stash[LOG] = log
    with conformance_run.recording_into(log):
        yield Scenario(
            profile=conformance_run.profile,
            client=conformance_run.client,
            clock=conformance_run.clock,
            ledger=conformance_run.ledger,
            log=log,
            settings=conformance_run.settings,
            grant=_grant_of(request),
            bank=conformance_run.bank,
        )


def _grant_of(request: pytest.FixtureRequest) -> str | None:
    """The grant a test parametrized by `grant` (see conformance.pytest_plugin.markers) obtains tokens by."""
    callspec = getattr(request.node, "callspec", None)
    grant = callspec.params.get("grant") if callspec is not None else None
    return str(grant) if grant is not None else None
