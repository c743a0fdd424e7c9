"""Runs of the suite against real servers: one `conformance run` per leg, the probe leg, and the
curl lines of the expectations, each against a freshly started server.

Every run is a subprocess (`conformance run`, as a user types it), given the leg's CONFORMANCE_*
variables and nothing of the calling process's own configuration (its pytest options, its CI
job summary, its CONFORMANCE_* values). Its reports stay in a folder of runs,
`<runs>/<server>/<leg>/` (`results.json`, `report.html`, `junit.xml`, `output.txt`) and
`<runs>/<server>/probe/` (`learned.yaml`, `probe.txt` and the learned profile's run), which
`python -m tests.realservers.matrix --runs DIR` reads back.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.config.options import LIVE_MAX_TOKENS
from tests.realservers.expectations import Deviation, redact
from tests.realservers.servers import Build, Leg, RealServer, build, missing_tools, start

__all__ = [
    "CurlOutcome",
    "LegRun",
    "ProbeRun",
    "ServerRuns",
    "environment",
    "reproduce",
    "run_leg",
    "run_probe",
]

# `conformance run` and `conformance probe` from this interpreter's installation.
CONFORMANCE = [
    sys.executable,
    "-c",
    "import sys; from conformance.cli import main; sys.exit(main(sys.argv[1:]))",
]
# Every property-based search derives its seed from this one: the same examples every run.
SEED = ("--seed", "0")
RUN_TIMEOUT = 600.0
CURL_TIMEOUT = 30.0
# What the caller's environment must not hand a run: its own credentials, its pytest options and
# xdist worker identity, and a CI job summary the run would append to.
INHERITED_NOT = re.compile(r"^(CONFORMANCE_|PYTEST_|GITHUB_ACTIONS$|GITHUB_STEP_SUMMARY$)")


def environment(leg: Leg, url: str | None = None) -> dict[str, str]:
    """The environment of a run of `leg`: this process's, less what a run must not inherit, plus
    the leg's credentials (and `URL`, for a curl line)."""
    env = {key: value for key, value in os.environ.items() if not INHERITED_NOT.match(key)}
    env.update(leg.environment)
    if url is not None:
        env["URL"] = url
    return env


@dataclass(frozen=True, slots=True)
class LegRun:
    """One `conformance run` of a leg: where its reports are, how it exited, how long it took."""

    server: RealServer
    leg: str
    folder: Path
    exit_code: int
    seconds: float

    @property
    def results(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.folder / "results.json").read_text(encoding="utf-8"))
        return data

    @property
    def output(self) -> str:
        path = self.folder / "output.txt"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(redact(self.output, self.server).splitlines()[-lines:])

    @classmethod
    def saved(cls, server: RealServer, leg: str, folder: Path) -> LegRun | None:
        """A run saved in `folder` by an earlier session, or None."""
        if not (folder / "results.json").exists():
            return None
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        return cls(server, leg, folder, int(results["summary"]["exit_code"]), float(results["duration_s"]))


def _conformance(args: list[str], env: dict[str, str], output: Path) -> int:
    completed = subprocess.run(
        [*CONFORMANCE, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    output.write_text(completed.stdout, encoding="utf-8")
    return completed.returncode


def run_leg(
    server: RealServer,
    built: Build,
    leg: Leg,
    folder: Path,
    profile: Path | None = None,
    extra: tuple[str, ...] = (),
) -> LegRun:
    """`conformance run` of the leg (with `profile`, or the server's own, and `extra` options)
    against a fresh server."""
    folder.mkdir(parents=True, exist_ok=True)
    with start(built) as started:
        began = time.monotonic()
        code = _conformance(
            [
                "run",
                "--profile",
                str(profile or server.profile),
                "--url",
                started.url,
                "--resource-path",
                server.resource_path,
                "--report-dir",
                str(folder),
                *SEED,
                *leg.args,
                *extra,
            ],
            environment(leg),
            folder / "output.txt",
        )
        seconds = time.monotonic() - began
    return LegRun(server, leg.name, folder, code, seconds)


@dataclass(frozen=True, slots=True)
class ProbeRun:
    """`conformance probe` of the probed leg, then `conformance run` with what it learned."""

    exit_code: int
    learned: Path
    output: str
    seconds: float
    run: LegRun | None  # None when the probe wrote no profile


def run_probe(server: RealServer, built: Build, folder: Path) -> ProbeRun:
    """Probe a fresh server with the probed leg's credentials, then run the learned profile,
    unedited, against another fresh one."""
    folder.mkdir(parents=True, exist_ok=True)
    leg = server.probed_leg
    learned = folder / "learned.yaml"
    learned.unlink(missing_ok=True)
    token_path = ["--token-path", server.token_path] if server.token_path else []
    with start(built) as started:
        began = time.monotonic()
        code = _conformance(
            [
                "probe",
                "--url",
                started.url,
                *token_path,
                "--resource-path",
                server.resource_path,
                "--output",
                str(learned),
            ],
            environment(leg),
            folder / "probe.txt",
        )
        seconds = time.monotonic() - began
    output = (folder / "probe.txt").read_text(encoding="utf-8")
    run = run_leg(server, built, leg, folder / "run", profile=learned) if learned.exists() else None
    return ProbeRun(code, learned, redact(output, server), seconds, run)


@dataclass(frozen=True, slots=True)
class CurlOutcome:
    deviation: Deviation
    exit_code: int
    output: str  # stdout and stderr, credentials and tokens masked
    shown: bool


def reproduce(server: RealServer, built: Build, leg: Leg, deviations: list[Deviation]) -> list[CurlOutcome]:
    """Each deviation's curl line, run by bash against one freshly started server (the lines are
    independent of each other: each obtains what it needs), its output matched against `shows`."""
    outcomes = []
    with start(built) as started:
        env = environment(leg, started.url)
        for deviation in deviations:
            completed = subprocess.run(
                ["bash", "-c", deviation.curl],
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=CURL_TIMEOUT,
                check=False,
            )
            shown = re.search(deviation.shows, completed.stdout) is not None
            output = redact(completed.stdout + completed.stderr, server).replace(started.url, "$URL")
            outcomes.append(CurlOutcome(deviation, completed.returncode, output, shown))
    return outcomes


@dataclass
class ServerRuns:
    """A server's runs, each made once and kept in `folder`: what a test module shares between
    its tests (the legs' verdicts, the matrix row, the probe's comparison)."""

    server: RealServer
    folder: Path
    reuse: bool = False  # read runs an earlier session saved in `folder` instead of running again
    _built: Build | None = None
    _legs: dict[str, LegRun] = field(default_factory=dict)
    _probe: ProbeRun | None = None

    def unavailable(self) -> str | None:
        """Why this machine cannot run the server, or None."""
        return missing_tools(self.server)

    @property
    def built(self) -> Build:
        if self._built is None:
            self._built = build(self.server)
        return self._built

    def leg(self, name: str) -> LegRun:
        if name not in self._legs:
            folder = self.folder / self.server.name / name
            saved = LegRun.saved(self.server, name, folder) if self.reuse else None
            self._legs[name] = saved or run_leg(self.server, self.built, self.server.leg(name), folder)
        return self._legs[name]

    def frugal(self, name: str) -> LegRun:
        """The leg run as a live target is by default: a budget of `LIVE_MAX_TOKENS` tokens."""
        key = f"{name}-frugal"
        if key not in self._legs:
            folder = self.folder / self.server.name / key
            saved = LegRun.saved(self.server, name, folder) if self.reuse else None
            extra = ("--max-tokens", str(LIVE_MAX_TOKENS))
            self._legs[key] = saved or run_leg(
                self.server, self.built, self.server.leg(name), folder, extra=extra
            )
        return self._legs[key]

    def probe(self) -> ProbeRun:
        if self._probe is None:
            self._probe = run_probe(self.server, self.built, self.folder / self.server.name / "probe")
        return self._probe
