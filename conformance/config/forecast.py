"""What a live run will cost, found out before it starts: its dry run, counted.

The plan a person confirms before a live run must say how many requests the run will send and
how many tokens it will obtain (on a profile whose new tokens log the account's other sessions
out, how many log-outs). Nothing estimates that better than the run itself: the same scenarios,
settings and budgets, against an emulator that behaves as the profile documents, in a process
of its own (a pytest session cannot hold another), sending nothing to the target.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from conformance.config.arguments import suite_argv
from conformance.config.settings import RunSettings
from conformance.errors import UsageError
from conformance.report.model import load_results

__all__ = ["Forecast", "forecast"]

# Seconds the dry run may take: it sends nothing over the network, a few seconds at most.
_DRY_RUN_TIMEOUT = 300


@dataclass(frozen=True, slots=True)
class Forecast:
    requests: int
    token_requests: int
    tokens_issued: int
    stopped: str | None  # the dry run itself ran out of its request budget


def _values(settings: RunSettings, report_dir: Path) -> dict[str, object]:
    return {
        "profile": settings.profile,
        "url": settings.url,
        "resource-path": settings.resource_path,
        "expiry-wait": settings.expiry_wait,
        "timeout": settings.timeout,
        "max-requests": settings.max_requests,
        "max-tokens": settings.max_tokens,
        "examples": settings.examples,
        "seed": settings.seed,
        "dry-run": True,
        "report-dir": report_dir,
    }


def forecast(settings: RunSettings) -> Forecast | None:
    """The requests, token requests and tokens of the run `settings` describe, by its dry run;
    None when the dry run could not say (it failed, or took too long)."""
    with tempfile.TemporaryDirectory(prefix="conformance-forecast-") as tmp:
        report_dir = Path(tmp)
        argv = suite_argv(_values(settings, report_dir), quiet=True, rootdir=tmp)
        # A budget the person lifted (--max-requests 0) is lifted in the dry run too.
        budgets = {"max-requests": settings.max_requests, "max-tokens": settings.max_tokens}
        argv += [f"--conformance-{name}=0" for name, value in budgets.items() if value is None]
        try:
            subprocess.run(
                [sys.executable, "-m", "pytest", *argv],
                capture_output=True,
                timeout=_DRY_RUN_TIMEOUT,
                check=False,
                cwd=tmp,
            )
            document = load_results(report_dir / "results.json").document
        except (OSError, UsageError, subprocess.TimeoutExpired):
            return None
    summary = document.get("summary", {})
    return Forecast(
        requests=int(summary.get("requests", 0)),
        token_requests=int(summary.get("token_requests", 0)),
        tokens_issued=int(summary.get("tokens_issued", 0)),
        stopped=document.get("error"),
    )
