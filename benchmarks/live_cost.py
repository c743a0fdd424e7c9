"""What a live run costs the account: requests, token requests, tokens issued, wall time.

    python benchmarks/live_cost.py [--profile NAME]... [--expiry-wait S] [--lifetime S]
                                   [--max-requests N] [--max-rps R] [--by-test]

Serves each profile's emulator over HTTP on 127.0.0.1 with `--lifetime`-second tokens and real
time, and runs the suite against it with the live defaults (`--max-requests 300 --max-rps 5`)
unless told otherwise, a resource path, serially. On a profile that invalidates earlier tokens
(Days Out Guide) every token issued logs the account's other sessions out: the figure to keep
small. `--by-test` lists the tests that obtained tokens, most first; `--keep DIR` keeps the
reports.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.clock import SystemClock
from conformance.config.arguments import suite_argv
from conformance.config.options import LIVE_MAX_REQUESTS, LIVE_MAX_RPS
from conformance.config.settings import live_token_budget
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile
from conformance.pytest_plugin.stash import RUN

PROFILES = ("tourpaq", "daysoutguide", "rfc6749", "machine")


class _TokensPerTest:
    """Counts the tokens each test obtained (the run's count before and after it)."""

    def __init__(self) -> None:
        self.issued: Counter[str] = Counter()
        self.token_requests: Counter[str] = Counter()
        self.longest = ("", 0.0)  # the test that took longest, and its seconds

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and report.duration > self.longest[1]:
            self.longest = (report.nodeid.split("::", 1)[-1], report.duration)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        run = item.config.stash.get(RUN, None)
        before = (run.tokens_issued, run.token_request_count) if run else (0, 0)
        yield
        if run is not None:
            self.issued[item.nodeid.split("::", 1)[-1]] += run.tokens_issued - before[0]
            self.token_requests[item.nodeid.split("::", 1)[-1]] += run.token_request_count - before[1]


def measure(profile: str, args: argparse.Namespace) -> dict[str, Any]:
    # A client's assumptions are checked against the provider's emulator, not their own.
    spec = load_profile(args.against or profile)
    known = spec.emulator
    os.environ.update(
        {
            "CONFORMANCE_USERNAME": known.username,
            "CONFORMANCE_PASSWORD": known.password,
            "CONFORMANCE_CLIENT_ID": known.client_id,
            "CONFORMANCE_CLIENT_SECRET": known.client_secret,
        }
    )
    emulator = Emulator(spec, clock=SystemClock(show_countdown=False), lifetime=args.lifetime)
    counter = _TokensPerTest()
    with serve(emulator.app) as url, tempfile.TemporaryDirectory() as tmp:
        report_dir = Path(args.keep) / Path(profile).stem if args.keep else Path(tmp)
        options: dict[str, object] = {
            "profile": profile,
            "report-dir": report_dir,
            "url": url,
            "resource-path": "/protected",
            "expiry-wait": args.expiry_wait,
            "max-requests": args.max_requests,
            "max-rps": args.max_rps,
            "max-tokens": live_token_budget(args.against or profile)
            if args.max_tokens is None
            else args.max_tokens,
        }
        argv = suite_argv(options, quiet=True, rootdir=tmp)
        began = time.perf_counter()
        code = pytest.main(argv, plugins=[counter])
        elapsed = time.perf_counter() - began
        summary = json.loads((report_dir / "results.json").read_text())["summary"]
    return {
        "profile": profile,
        "exit": int(code),
        "wall_s": elapsed,
        "requests": summary["requests"],
        "token_requests": summary["token_requests"],
        "tokens_issued": summary["tokens_issued"],
        "requirements": summary["requirements"],
        "by_test": counter,
        "longest": counter.longest,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="append", dest="profiles")
    parser.add_argument("--expiry-wait", type=float, default=6.0)
    parser.add_argument("--lifetime", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=LIVE_MAX_REQUESTS)
    parser.add_argument("--max-rps", type=float, default=LIVE_MAX_RPS)
    parser.add_argument("--max-tokens", type=int, help="default: the live default of each profile")
    parser.add_argument("--by-test", action="store_true")
    parser.add_argument(
        "--against",
        metavar="NAME",
        help="serve this profile's emulator (a client's assumptions: its provider)",
    )
    parser.add_argument("--keep", metavar="DIR", help="keep each profile's reports in DIR/<profile>")
    args = parser.parse_args()
    rows = [measure(p, args) for p in args.profiles or PROFILES]
    out = sys.stdout.write
    out(f"\n--expiry-wait {args.expiry_wait:g}, tokens of {args.lifetime:g} s, ")
    out(f"--max-requests {args.max_requests} --max-rps {args.max_rps:g} ")
    out(f"--max-tokens {args.max_tokens or 'the live default'}, serial\n\n")
    out("| profile | exit | wall time | longest test | requests | token requests | tokens issued |\n")
    out("|---|---|---|---|---|---|---|\n")
    for row in rows:
        out(
            f"| {row['profile']} | {row['exit']} | {row['wall_s']:.1f} s | {row['longest'][1]:.1f} s | "
            f"{row['requests']} | {row['token_requests']} | {row['tokens_issued']} |\n"
        )
    for row in rows:
        out(f"\n{row['profile']}: requirements {row['requirements']}\n")
        out(f"  longest test: {row['longest'][0]} ({row['longest'][1]:.1f} s)\n")
        if args.by_test:
            counter: _TokensPerTest = row["by_test"]
            for name, issued in counter.issued.most_common():
                if issued or counter.token_requests[name]:
                    out(f"  {issued:3d} issued {counter.token_requests[name]:3d} requests  {name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
