"""Time the full default suite against each seed profile's emulator, in-process and over HTTP.

    python benchmarks/suite_time.py [--repeat N]

Prints, per profile and transport: wall time of the pytest session (median of N runs),
requests sent and token requests among them (from results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conformance.clock import SystemClock
from conformance.config.arguments import suite_argv
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile

PROFILES = ("tourpaq", "daysoutguide")


def _session(profile: str, target: dict[str, object]) -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        argv = suite_argv({"profile": profile, "report-dir": tmp, **target}, quiet=True, rootdir=tmp)
        began = time.perf_counter()
        code = pytest.main(argv, plugins=[])
        elapsed = time.perf_counter() - began
        if code != 0:
            raise SystemExit(f"the suite failed against the {profile} emulator (exit {code})")
        summary = json.loads((Path(tmp) / "results.json").read_text())["summary"]
    return elapsed, {"requests": summary["requests"], "token_requests": summary["token_requests"]}


def measure(profile: str, transport: str, repeat: int) -> dict[str, object]:
    times: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(repeat):
        if transport == "in-process":
            elapsed, counts = _session(profile, {"emulate": True})
        else:
            spec = load_profile(profile)
            settings = spec.emulator
            os.environ.update(
                {
                    "CONFORMANCE_USERNAME": settings.username,
                    "CONFORMANCE_PASSWORD": settings.password,
                    "CONFORMANCE_CLIENT_ID": settings.client_id,
                    "CONFORMANCE_CLIENT_SECRET": settings.client_secret,
                }
            )
            emulator = Emulator(spec, clock=SystemClock(show_countdown=False))
            with serve(emulator.app) as url:
                elapsed, counts = _session(profile, {"url": url, "resource-path": "/protected"})
        times.append(elapsed)
    return {"profile": profile, "transport": transport, "wall_s": statistics.median(times), **counts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = [measure(p, t, args.repeat) for p in PROFILES for t in ("in-process", "http")]
    sys.stdout.write("\n| profile | transport | wall time (median) | requests | token requests |\n")
    sys.stdout.write("|---|---|---|---|---|\n")
    for row in rows:
        sys.stdout.write(
            f"| {row['profile']} | {row['transport']} | {row['wall_s']:.2f} s | "
            f"{row['requests']} | {row['token_requests']} |\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
