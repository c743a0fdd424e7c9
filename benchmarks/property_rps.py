"""How fast the property layer runs against the in-process emulator, and where its time goes.

    python benchmarks/property_rps.py [--repeat N] [--requests N]

1. Requests per second of the property layer (test_properties, test_lifecycle, test_races,
   test_schemathesis; scripted scenarios deselected) per seed profile: requests over the
   pytest session's wall time, median of N runs.
2. The share of that time spent in our code versus in the server, by cProfile: the main
   thread is profiled; time blocked in the in-process transport (waiting for the app) is the
   server's side, the emulator's own handling of each request is also timed inside the app.
3. Our per-request overhead (CPU time): the documented token request through ConformanceClient (recording,
   redaction, every exchange check and the ledger) against the same request by a bare
   httpx.Client on the same in-process transport and emulator. Target: at most 30 % above.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.client import InProcessASGITransport
from conformance.client.client import basic_authorization
from conformance.run import ConformanceRun
from conformance.settings import RunSettings

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
        argv = [
            "--pyargs", "conformance.scenarios", "-q", "-p", "no:cacheprovider", "-k", PROPERTY_LAYER,
            "--conformance-profile", profile, "--conformance-emulate", "--conformance-report-dir", tmp,
        ]  # fmt: skip
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            code = pytest.main([*argv, "-W", "ignore::pytest.PytestAssertRewriteWarning"], plugins=[])
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


def overhead(profile: str, count: int) -> dict[str, Any]:
    settings = RunSettings(
        profile=profile, url=None, emulate=True, resource_path=None, expiry_wait=0.0,
        report_dir=None, timeout=10.0, defects=(), lifetime=None,
    )  # fmt: skip
    run = ConformanceRun(settings)
    assert run.emulator is not None
    timed = TimedApp(run.emulator.app)
    run.client._http._transport = InProcessASGITransport(timed)  # the same app, timed
    run.current = run.begin_test()
    client = run.client
    bare = httpx.Client(base_url=client.target.base_url, transport=InProcessASGITransport(timed))
    request: list[tuple[str, str | int | float | bool | None]] = list(client.password_params())
    headers = {"Accept": "application/json"}
    if client.credentials.client is not None:
        headers["Authorization"] = basic_authorization(
            client.credentials.client.client_id, client.credentials.client.client_secret
        )
    location = run.profile.parameter_location

    def bare_call() -> None:
        if location == "query":
            bare.post(run.profile.token_path, params=request, headers=headers)
        else:
            bare.post(run.profile.token_path, data={k: str(v) for k, v in request}, headers=headers)

    def ours() -> None:
        client.password_grant("benchmark")

    listeners = list(client.listeners)

    def recording_only() -> None:  # the client alone: no exchange checks, no ledger
        client.listeners.clear()
        try:
            client.password_grant("benchmark")
        finally:
            client.listeners[:] = listeners

    for call in (bare_call, ours, recording_only):  # warm them up
        for _ in range(50):
            call()
    gc.collect()
    gc.freeze()  # what was there before is not ours to scan again
    # Batches taken in turn, the median of each kept; CPU time of the process (both threads: the
    # client's and the in-process server's), so that other processes on a busy machine do not count.
    batch = 100
    times: dict[str, list[float]] = {"bare": [], "ours": [], "recording": [], "server": []}
    for _ in range(max(1, count // batch)):
        for name, call in (("bare", bare_call), ("ours", ours), ("recording", recording_only)):
            run.current = run.begin_test()  # a fresh log and emulator store for each batch, both sides
            timed.seconds = 0.0
            began = time.process_time()
            for _ in range(batch):
                call()
            times[name].append((time.process_time() - began) / batch)
            if name == "bare":
                times["server"].append(timed.seconds / batch)
    bare_total, ours_total, recording, server = (
        statistics.median(times[k]) for k in ("bare", "ours", "recording", "server")
    )
    gc.unfreeze()
    bare.close()
    run.close()
    return {
        "profile": profile,
        "bare_ms": round(bare_total * 1000, 3),
        "ours_ms": round(ours_total * 1000, 3),
        "server_ms": round(server * 1000, 3),
        "overhead_pct": round(100 * (ours_total / bare_total - 1), 1),
        "recording_pct": round(100 * (recording / bare_total - 1), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args(argv)
    print(
        "| profile | bare httpx | ConformanceClient | the emulator's part | overhead | of which the "
        "client alone |"
    )
    print("|---|---|---|---|---|---|")
    for profile in PROFILES:
        row = overhead(profile, args.requests)
        print(
            f"| {row['profile']} | {row['bare_ms']} ms | {row['ours_ms']} ms | {row['server_ms']} ms | "
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
