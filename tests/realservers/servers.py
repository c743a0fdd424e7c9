"""Real open-source OAuth servers, each in a small host app beside this module, built once and
started fresh per test on a free loopback port.

Each server has a folder `tests/realservers/<name>/`: its `__init__.py` describes it (`SERVER`, a
`RealServer`, with its legs: the runs of the suite its registered clients allow),
`profile.yaml` says what the library documents, `expectations.yaml` what the suite finds, and
`hostapp/` is the host app with what it is built from: `requirements.txt` (a Python server: its
own virtual environment) or `package.json` and `package-lock.json` (a Node server: `npm ci`).
Nothing in `hostapp/` imports the project: it runs in its own environment. Built environments
are cached under `$CONFORMANCE_REALSERVERS_CACHE` (default `~/.cache/conformance-realservers`),
keyed by the hash of those files, so a second session builds nothing; a file lock keeps two
processes from building the same one at once.

The contract every host app keeps: started as `<interpreter> <entry> <port> <state-dir>` (port 0:
any free one), it binds 127.0.0.1, creates its state (database, registered clients and users)
afresh in `<state-dir>`, and prints one line `LISTENING <port>` on stdout once it accepts
connections. It is stopped by SIGTERM to its process group.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "HERE",
    "Build",
    "Leg",
    "RealServer",
    "Started",
    "all_servers",
    "build",
    "load",
    "missing_tools",
    "start",
]

HERE = Path(__file__).resolve().parent
STARTUP_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class Leg:
    """One run of the suite against a server: the credentials it is given (the CONFORMANCE_*
    environment, never on a command line) and any further `conformance run` options.

    A server needs several legs where one set of credentials cannot exercise all it offers:
    Django OAuth Toolkit's default Application allows one grant per client, so one leg logs in
    with the password client and another with the client credentials client alone (the suite
    runs what partial credentials allow and reads the rest "not checked")."""

    name: str  # a slug: the test's id, the expectations file's key, the matrix's row
    about: str  # one line: what this leg exercises
    environment: Mapping[str, str] = field(repr=False)  # CONFORMANCE_* variables only
    args: tuple[str, ...] = ()  # further `conformance run` options, e.g. ("--expiry-wait", "5")

    def __post_init__(self) -> None:
        stray = [key for key in self.environment if not key.startswith("CONFORMANCE_")]
        if stray:
            raise ValueError(f"leg {self.name}: only CONFORMANCE_* variables, not {stray}")


@dataclass(frozen=True, slots=True)
class RealServer:
    """One server under test: where its host app is and the legs a run against it takes."""

    name: str  # its folder under tests/realservers/
    kind: Literal["python", "node"]
    entry: str  # the host app's entry point, relative to its hostapp/ folder
    library: str  # the package under test, as its registry names it
    legs: tuple[Leg, ...]
    resource_path: str
    # For `conformance probe`: the token endpoint's path where the server publishes no RFC 8414
    # metadata (None: the probe finds it there), and the leg whose credentials the probe gets and
    # whose verdicts the run with the learned profile is compared with (None: the first).
    token_path: str | None = None
    probe_leg: str | None = None
    # A Node server: the oldest Node release that runs it ("major.minor"), where the distribution's
    # may be older (Debian 12 ships Node 18).
    minimum_node: str | None = None

    def __post_init__(self) -> None:
        names = [leg.name for leg in self.legs]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"{self.name}: legs need distinct names, and at least one: {names}")
        if self.probe_leg is not None and self.probe_leg not in names:
            raise ValueError(f"{self.name}: probe_leg {self.probe_leg!r} is none of its legs {names}")

    def leg(self, name: str) -> Leg:
        for leg in self.legs:
            if leg.name == name:
                return leg
        raise KeyError(f"{self.name} has no leg {name!r}; its legs: {[leg.name for leg in self.legs]}")

    @property
    def probed_leg(self) -> Leg:
        return self.leg(self.probe_leg) if self.probe_leg else self.legs[0]

    @property
    def version(self) -> str:
        """The version of the library under test, as the host app pins it."""
        if self.kind == "python":
            for line in (self.hostapp / "requirements.txt").read_text(encoding="utf-8").splitlines():
                name, _, pinned = line.split("#")[0].strip().partition("==")
                if name.strip().lower() == self.library.lower() and pinned:
                    return pinned.strip()
        else:
            package = json.loads((self.hostapp / "package.json").read_text(encoding="utf-8"))
            pinned = package.get("dependencies", {}).get(self.library)
            if isinstance(pinned, str):
                return pinned
        raise ValueError(f"{self.name}: the host app pins no version of {self.library}")

    @property
    def folder(self) -> Path:
        return HERE / self.name

    @property
    def hostapp(self) -> Path:
        return self.folder / "hostapp"

    @property
    def profile(self) -> Path:
        return self.folder / "profile.yaml"

    @property
    def expectations(self) -> Path:
        return self.folder / "expectations.yaml"

    def build_inputs(self) -> list[Path]:
        names = ["requirements.txt"] if self.kind == "python" else ["package.json", "package-lock.json"]
        return [self.hostapp / name for name in names]


@dataclass(frozen=True, slots=True)
class Build:
    """A built environment: the interpreter that runs the host app, and the installed version."""

    server: RealServer
    root: Path
    interpreter: Path


def cache_root() -> Path:
    configured = os.environ.get("CONFORMANCE_REALSERVERS_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "conformance-realservers"


def _inputs_hash(server: RealServer) -> str:
    digest = hashlib.sha256()
    for path in server.build_inputs():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


_build_lock = threading.Lock()


def missing_tools(server: RealServer) -> str | None:
    """Why this machine cannot build or run the server (a tool the host app needs is not
    installed), or None."""
    if server.kind == "node":
        absent = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
        if absent:
            return (
                f"{' and '.join(absent)} not installed: {server.library} runs on Node "
                "(.ci/run installs it from the distribution: apt-get install nodejs npm)"
            )
        if server.minimum_node:
            version = _node_version()
            wanted = tuple(int(part) for part in server.minimum_node.split("."))
            if version[: len(wanted)] < wanted:
                return (
                    f"node {'.'.join(map(str, version))} is older than {server.minimum_node}, the oldest "
                    f"release {server.library} {server.version} runs on: install a newer Node"
                )
    return None


def _node_version() -> tuple[int, ...]:
    completed = subprocess.run([_node(), "--version"], capture_output=True, text=True, check=True)
    return tuple(int(part) for part in re.findall(r"\d+", completed.stdout)[:3])


def build(server: RealServer) -> Build:
    """The server's environment, built on first use (a venv, or `npm ci`) and cached."""
    root = cache_root() / f"{server.name}-{_inputs_hash(server)}"
    done = root / ".built"
    root.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock, (root.parent / f".{server.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process (an xdist worker, the matrix) may build it
        if not done.exists():
            if root.exists():
                shutil.rmtree(root)
            root.mkdir(parents=True)
            if server.kind == "python":
                _build_python(server, root)
            else:
                _build_node(server, root)
            done.write_text("ok\n")
    interpreter = root / "venv" / "bin" / "python" if server.kind == "python" else Path(_node())
    return Build(server, root, interpreter)


def _run(argv: list[str], cwd: Path | None = None) -> None:
    completed = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited {completed.returncode}:\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )


def _build_python(server: RealServer, root: Path) -> None:
    _run([sys.executable, "-m", "venv", str(root / "venv")])
    pip = str(root / "venv" / "bin" / "pip")
    _run(
        [pip, "install", "-q", "--disable-pip-version-check", "-r", str(server.hostapp / "requirements.txt")]
    )


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(
            "node is not installed: .ci/run installs it from the distribution (apt-get install nodejs npm)"
        )
    return node


def _build_node(server: RealServer, root: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is not installed: .ci/run installs it from the distribution (apt-get install npm)"
        )
    for path in server.build_inputs():
        shutil.copy2(path, root / path.name)
    _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=root)


@dataclass(frozen=True, slots=True)
class Started:
    """A running server: its base URL and its process id."""

    url: str
    pid: int


def _entry_for(build_: Build) -> Path:
    """The entry point to run. A Node app runs from the build folder, beside its node_modules
    (ES modules resolve packages from the importing file's folder, not from NODE_PATH), so its
    files are copied there on every start: an edit to the host app needs no rebuild."""
    server = build_.server
    if server.kind == "python":
        return server.hostapp / server.entry
    for path in server.hostapp.iterdir():
        if path.is_file() and path.name not in {"package.json", "package-lock.json"}:
            shutil.copy2(path, build_.root / path.name)
    return build_.root / server.entry


@contextmanager
def start(build_: Build) -> Iterator[Started]:
    """Start the host app on a free loopback port with fresh state; stop it by its process id."""
    with tempfile.TemporaryDirectory(prefix=f"realserver-{build_.server.name}-") as state:
        log = Path(state) / "server.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [str(build_.interpreter), str(_entry_for(build_)), "0", state],
                cwd=build_.server.hostapp,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NODE_ENV": "production"},
            )
            found: list[int] = []
            reader = threading.Thread(target=_read_listening, args=(process, found), daemon=True)
            reader.start()
            try:
                port = _await_listening(process, found, log)
                yield Started(f"http://127.0.0.1:{port}", process.pid)
            finally:
                _stop(process)
                reader.join(timeout=10)  # the pipe is at its end once the process group is gone
                if process.stdout is not None:
                    process.stdout.close()


def _read_listening(process: subprocess.Popen[bytes], found: list[int]) -> None:
    """Read the host app's stdout to its end, noting the port of its `LISTENING <port>` line."""
    assert process.stdout is not None
    for raw in process.stdout:
        line = raw.decode(errors="replace").strip()
        if line.startswith("LISTENING ") and not found:
            found.append(int(line.split()[1]))


def _await_listening(process: subprocess.Popen[bytes], found: list[int], log: Path) -> int:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not found:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"the host app did not start (exit {process.poll()}):\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.05)
    return found[0]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group (the host app and anything it started), SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def load(name: str) -> RealServer:
    """The server described by `tests/realservers/<name>/__init__.py`."""
    module = importlib.import_module(f"tests.realservers.{name}")
    server: RealServer = module.SERVER
    return server


def all_servers() -> list[RealServer]:
    return [load(p.parent.name) for p in sorted(HERE.glob("*/__init__.py"))]


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.realservers.servers NAME [LEG]`: build and start one server by hand, print
    its URL and the environment of a leg (the first by default; these are the throwaway test
    credentials the host app registers), and serve until interrupted."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("usage: python -m tests.realservers.servers NAME [LEG]", file=sys.stderr)
        return 2
    server = load(args[0])
    leg = server.leg(args[1]) if len(args) == 2 else server.legs[0]
    # SIGTERM (a `kill`, or the end of a background job) stops the host app too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with start(build(server)) as started:
        print(f"{server.name} at {started.url} (pid {started.pid}); leg {leg.name}: {leg.about}")
        print(f"export URL={started.url}")
        for key, value in leg.environment.items():
            print(f"export {key}={shlex.quote(value)}")
        print(f"resource: {server.resource_path}; legs: {', '.join(x.name for x in server.legs)}")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
