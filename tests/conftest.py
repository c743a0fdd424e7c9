"""Shared helpers for the project's own tests."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.client import ConformanceClient, Credentials, InProcessASGITransport, Target
from conformance.clock import ManualClock
from conformance.config.arguments import suite_argv
from conformance.config.settings import RunSettings
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import Profile, load_profile
from conformance.redaction import Redactor
from conformance.report.results import VALIDATE_ENV

# Every results.json a test's run writes (in-process, or a `conformance run` subprocess, which
# inherits the environment) is validated against schemas/results.schema.json before it is written.
os.environ[VALIDATE_ENV] = "1"

# httpx imports httpcore lazily, in its first HTTPTransport. pytester restores sys.modules after
# each in-process run; were httpcore first imported inside one, the next run would raise
# httpcore exceptions httpx no longer maps. Import it here, once, outside any run.
httpx.HTTPTransport().close()


class SuiteRun:
    """The outcome of one run of the scenarios under pytester."""

    def __init__(self, result: pytest.RunResult, report_dir: Path) -> None:
        self.result = result
        self.report_dir = report_dir

    @property
    def ret(self) -> int:
        return int(self.result.ret)

    @property
    def output(self) -> str:
        return self.result.stdout.str() + self.result.stderr.str()

    @property
    def results(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report_dir / "results.json").read_text())
        return data

    def assert_reports_written(self) -> None:
        names = {p.name for p in self.report_dir.iterdir()}
        assert names >= {"report.html", "junit.xml", "results.json"}, names

    def status(self, requirement_id: str) -> str:
        status: str = next(r["status"] for r in self.results["requirements"] if r["id"] == requirement_id)
        return status

    def failed_requirements(self) -> set[str]:
        return {r["id"] for r in self.results["requirements"] if r["status"] == "failed"}


@pytest.fixture
def run_suite(pytester: pytest.Pytester) -> Callable[..., SuiteRun]:
    """Run the conformance scenarios in-process: `run_suite("tourpaq", "--conformance-defect", "x")`."""

    def run(
        profile: str, *args: str, emulate: bool = True, reports: bool = False, url: str | None = None
    ) -> SuiteRun:
        report_dir = pytester.path / "reports"
        values: dict[str, object] = {
            "profile": profile,
            "report-dir": report_dir,
            "emulate": emulate and not url,
        }
        if url:
            values["url"] = url  # a served target: credentials from the environment, as live
        argv = suite_argv(values, reports=reports)  # reports: the three, as `conformance run` writes them
        result = pytester.runpytest_inprocess(*argv, *args)
        return SuiteRun(result, report_dir)

    return run


def settings_for(profile: str, **changes: Any) -> RunSettings:
    """The settings of a run of `profile` against its in-process emulator, with `changes`."""
    emulated = RunSettings(
        profile=profile, url=None, emulate=True, resource_path=None, expiry_wait=0.0,
        report_dir=None, timeout=10.0, defects=(), lifetime=None,
    )  # fmt: skip
    return dataclasses.replace(emulated, **changes)


def use_emulator_credentials(monkeypatch: pytest.MonkeyPatch, profile: Profile) -> None:
    """The CONFORMANCE_* environment a live run of `profile`'s served emulator needs."""
    known = profile.emulator
    for name, value in (
        ("CLIENT_ID", known.client_id),
        ("CLIENT_SECRET", known.client_secret),
        ("USERNAME", known.username),
        ("PASSWORD", known.password),
    ):
        monkeypatch.setenv(f"CONFORMANCE_{name}", value)


@pytest.fixture
def slow_server() -> Iterator[str]:
    """A token endpoint that answers every request after 1.2 s: past a short client timeout."""

    async def token(request: Request) -> JSONResponse:
        await anyio.sleep(1.2)
        return JSONResponse({"access_token": "late-token-value", "token_type": "bearer"})

    with serve(Starlette(routes=[Route("/{path:path}", token, methods=["GET", "POST"])])) as url:
        yield url


@pytest.fixture(params=["tourpaq", "daysoutguide"])
def seed_profile(request: pytest.FixtureRequest) -> Profile:
    return load_profile(request.param)


def emulated_client(profile: Profile, **emulator_options: Any) -> tuple[ConformanceClient, Emulator]:
    """A client wired to an in-process emulator of `profile` on a manual clock."""
    clock = ManualClock()
    emulator = Emulator(profile, clock=clock, **emulator_options)
    client = ConformanceClient(
        profile,
        Target("http://emulator.test", True, profile.resource.path or "/protected"),
        Credentials.for_emulator(profile),
        Redactor(),
        clock,
        transport=InProcessASGITransport(emulator.app),
    )
    return client, emulator


MakeEmulated = Callable[..., tuple[ConformanceClient, Emulator]]


@pytest.fixture
def emulated() -> Iterator[MakeEmulated]:
    """`emulated("tourpaq", defects=[...])`: `emulated_client` of a profile (a built-in name or a
    path), each client closed after the test."""
    clients: list[ConformanceClient] = []

    def make(profile: str, **options: object) -> tuple[ConformanceClient, Emulator]:
        client, emulator = emulated_client(load_profile(profile), **options)
        clients.append(client)
        return client, emulator

    yield make
    for client in clients:
        client.close()
