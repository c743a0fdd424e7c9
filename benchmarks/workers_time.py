"""Wall time of the suite at 1 and 2 pytest-xdist workers (`conformance run --jobs N`).

    python benchmarks/workers_time.py [--repeat N] [--latency MS]

Two targets: the in-process emulator (each worker has its own; CPU-bound), and a served
emulator over loopback HTTP that answers after --latency milliseconds, as a remote deployment
would (I/O-bound). The served profile is Tourpaq with `new_token_invalidates_earlier: false`:
a live target whose profile leaves invalidation open is never spread over workers (see
conformance/pytest_plugin/distributed.py), so the seed profiles alone would measure nothing here.

Prints, per target and worker count: the median wall time of `conformance run` (a subprocess,
as a user runs it: worker start-up included), and the requests sent (from results.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]

PARALLEL_PROFILE = """\
name: tourpaq-parallel
extends: tourpaq
invalidation:
  new_token_invalidates_earlier: false
  source: benchmarks/workers_time.py (the served emulator keeps earlier tokens)
"""


def _delayed(app: App, seconds: float) -> App:
    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(seconds)
        await app(scope, receive, send)

    return wrapped


def _run(profile: str, target: list[str], jobs: int, env: dict[str, str]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "conformance.cli", "run", "--profile", profile, *target]
        command += ["--report-dir", tmp, "--jobs", str(jobs), "--", "-q"]
        began = time.perf_counter()
        completed = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp)
        elapsed = time.perf_counter() - began
        if completed.returncode != 0:
            raise SystemExit(f"the run failed (exit {completed.returncode}):\n{completed.stdout[-2000:]}")
        requests = int(json.loads((Path(tmp) / "results.json").read_text())["summary"]["requests"])
    return elapsed, requests


def measure(repeat: int, latency_ms: float) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for jobs in (1, 2):
        times = [_run("tourpaq", ["--emulate"], jobs, dict(os.environ)) for _ in range(repeat)]
        rows.append(
            {
                "target": "in-process emulator",
                "jobs": jobs,
                "wall": statistics.median(t for t, _ in times),
                "requests": times[-1][1],
            }
        )
    with tempfile.TemporaryDirectory() as tmp:
        profile_path = Path(tmp) / "tourpaq-parallel.yaml"
        profile_path.write_text(PARALLEL_PROFILE)
        profile = load_profile(str(profile_path))
        known = profile.emulator
        env = {
            **os.environ,
            "CONFORMANCE_USERNAME": known.username,
            "CONFORMANCE_PASSWORD": known.password,
            "CONFORMANCE_CLIENT_ID": known.client_id,
            "CONFORMANCE_CLIENT_SECRET": known.client_secret,
        }
        emulator = Emulator(profile, clock=SystemClock(show_countdown=False))
        with serve(_delayed(emulator.app, latency_ms / 1000)) as url:
            target = ["--url", url, "--resource-path", "/protected"]
            for jobs in (1, 2):
                times = [_run(str(profile_path), target, jobs, env) for _ in range(repeat)]
                rows.append(
                    {
                        "target": f"served emulator, {latency_ms:g} ms a response",
                        "jobs": jobs,
                        "wall": statistics.median(t for t, _ in times),
                        "requests": times[-1][1],
                    }
                )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=float, default=50.0, metavar="MS")
    args = parser.parse_args()
    rows = measure(args.repeat, args.latency)
    sys.stdout.write(f"\n| target | workers | wall time (median of {args.repeat}) | requests |\n")
    sys.stdout.write("|---|---|---|---|\n")
    for row in rows:
        sys.stdout.write(f"| {row['target']} | {row['jobs']} | {row['wall']:.1f} s | {row['requests']} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
