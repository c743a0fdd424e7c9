"""How fast the property layer runs against the in-process emulator, and where its time goes.

    python benchmarks/property_rps.py [--repeat N] [--requests N]

1. Requests per second of the property layer (test_properties, test_lifecycle, test_races,
   test_schemathesis; scripted scenarios deselected) per seed profile: requests over the
   pytest session's wall time, median of N runs.
2. The share of that time spent in our code versus in the server, by cProfile: the main
   thread is profiled; time blocked in the in-process transport (waiting for the app) is the
   server's side, the emulator's own handling of each request is also timed inside the app.
3. Our per-request overhead: what the documented token request costs through ConformanceClient
   (recording, redaction, every exchange check and the ledger) more than through a bare
   httpx.Client, relative to that bare call to the in-process emulator (see `overhead`).
   Target: at most 30 %.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.client import InProcessASGITransport
from conformance.client.client import basic_authorization
from conformance.config.arguments import suite_argv
from conformance.config.settings import RunSettings
from conformance.engine.run import ConformanceRun

PROFILES = ("tourpaq", "daysoutguide")
PROPERTY_LAYER = "test_properties or test_lifecycle or test_races or test_schemathesis"


class TimedApp:
    """Wraps an ASGI app, adding up the time it spends on each request (in its own thread)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seconds = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        began = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.seconds += time.perf_counter() - began


def _session(profile: str, profiler: cProfile.Profile | None = None) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        values = {"profile": profile, "emulate": True, "report-dir": tmp}
        argv = suite_argv(values, quiet=True, rootdir=tmp, extra=["-k", PROPERTY_LAYER])
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            code = pytest.main(argv, plugins=[])
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - began
        if code != 0:
            raise SystemExit(f"the property layer failed against the {profile} emulator (exit {code})")
        requests = json.loads((Path(tmp) / "results.json").read_text())["summary"]["requests"]
    return elapsed, int(requests)


def _cumulative(stats: pstats.Stats, path_part: str, function: str) -> float:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return sum(float(v[3]) for (file, _, name), v in raw.items() if path_part in file and name == function)


def layer(profile: str, repeat: int) -> dict[str, Any]:
    runs = [_session(profile) for _ in range(repeat)]
    elapsed = statistics.median(r[0] for r in runs)
    requests = runs[0][1]
    profiler = cProfile.Profile()
    profiled, _ = _session(profile, profiler)
    stats = pstats.Stats(profiler)
    waiting = _cumulative(stats, "conformance/client/transport.py", "handle_request")
    return {
        "profile": profile,
        "seconds": round(elapsed, 2),
        "requests": requests,
        "rps": round(requests / elapsed),
        "in_transport_share": round(waiting / profiled, 2),
    }


def _median_cpu(
    calls: dict[str, Callable[[], object]], count: int, between: Callable[[], None]
) -> dict[str, float]:
    """Median CPU seconds per call of each, batches taken in turn (a busy machine slows all alike)."""
    for call in calls.values():
        for _ in range(50):
            call()
    gc.collect()
    gc.freeze()  # what was there before is not ours to scan again
    batch = 100
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(max(1, count // batch)):
        for name, call in calls.items():
            between()
            began = time.process_time()
            for _ in range(batch):
                call()
            times[name].append((time.process_time() - began) / batch)
    gc.unfreeze()
    return {name: statistics.median(values) for name, values in times.items()}


def overhead(profile: str, count: int) -> dict[str, Any]:
    """What ConformanceClient adds to a bare httpx call, relative to that call to the emulator.

    The addition is measured over a stub transport (the same canned token response for both
    clients, so no thread hop or server noise), the bare call over the in-process transport to
    the emulator (CPU time of both threads: the client's and the server's).
    """
    settings = RunSettings(
        profile=profile, url=None, emulate=True, resource_path=None, expiry_wait=0.0,
        report_dir=None, timeout=10.0, defects=(), lifetime=None,
    )  # fmt: skip
    run = ConformanceRun(settings)
    assert run.emulator is not None
    client = run.client
    credentials = client.credentials.client
    headers = {"Accept": "application/json"}
    if credentials is not None:
        headers["Authorization"] = basic_authorization(credentials.client_id, credentials.client_secret)
    request: list[tuple[str, str | int | float | bool | None]] = list(client.password_params())
    form = {k: str(v) for k, v in request}
    query = run.profile.parameter_location == "query"

    def bare_call(bare: httpx.Client) -> Callable[[], object]:
        if query:
            return lambda: bare.post(run.profile.token_path, params=request, headers=headers)
        return lambda: bare.post(run.profile.token_path, data=form, headers=headers)

    recording = contextlib.ExitStack()  # each batch's log, recorded into as a test's is

    def fresh() -> None:
        recording.close()  # a fresh log and emulator store for each batch
        recording.enter_context(run.recording_into(run.begin_test()))

    timed = TimedApp(run.emulator.app)
    emulated = httpx.Client(base_url=client.target.base_url, transport=InProcessASGITransport(timed))
    real = _median_cpu({"bare": bare_call(emulated)}, count, fresh)["bare"]
    timed.seconds = 0.0
    for _ in range(200):
        emulated.post(run.profile.token_path, data=form, params=request if query else None, headers=headers)
    server = timed.seconds / 200
    emulated.close()

    def canned(request: httpx.Request) -> httpx.Response:
        body = {"access_token": secrets.token_urlsafe(32), "token_type": "bearer", "expires_in": 1799}
        if run.profile.refresh.issues_refresh_token is True:
            body["refresh_token"] = secrets.token_urlsafe(32)
        return httpx.Response(200, headers={"Cache-Control": "no-store", "Pragma": "no-cache"}, json=body)

    stub = httpx.Client(base_url=client.target.base_url, transport=httpx.MockTransport(canned))
    client._http._transport = httpx.MockTransport(canned)
    listeners = list(client.listeners)

    def recording_only() -> None:  # the client alone: no exchange checks, no ledger
        client.listeners.clear()
        try:
            client.password_grant("benchmark")
        finally:
            client.listeners[:] = listeners

    stubbed = _median_cpu(
        {
            "bare": bare_call(stub),
            "ours": lambda: client.password_grant("benchmark"),
            "recording": recording_only,
        },
        count,
        fresh,
    )
    stub.close()
    recording.close()
    run.close()
    added, recorded = stubbed["ours"] - stubbed["bare"], stubbed["recording"] - stubbed["bare"]
    return {
        "profile": profile,
        "bare_ms": round(real * 1000, 3),
        "added_ms": round(added * 1000, 3),
        "server_ms": round(server * 1000, 3),
        "overhead_pct": round(100 * added / real, 1),
        "recording_pct": round(100 * recorded / real, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args(argv)
    print(
        "| profile | bare httpx call to the emulator | ConformanceClient adds | the emulator's part | "
        "overhead | of which the client alone |"
    )
    print("|---|---|---|---|---|---|")
    for profile in PROFILES:
        row = overhead(profile, args.requests)
        print(
            f"| {row['profile']} | {row['bare_ms']} ms | {row['added_ms']} ms | {row['server_ms']} ms | "
            f"{row['overhead_pct']:+.1f} % | {row['recording_pct']:+.1f} % |"
        )
    print()
    print("| profile | property layer wall time | requests | requests/s | time blocked on the server |")
    print("|---|---|---|---|---|")
    for profile in PROFILES:
        row = layer(profile, args.repeat)
        print(
            f"| {row['profile']} | {row['seconds']} s | {row['requests']} | {row['rps']} | "
            f"{row['in_transport_share']:.0%} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
