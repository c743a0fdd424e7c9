"""The same scenarios pass over real HTTP: `conformance emulate` in one process,
`conformance run --url` in another, credentials from the environment, real expiry watched."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.profile import load_profile


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    profile, lifetime, *defects = request.param
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "emulate",
            "--profile",
            profile,
            "--port",
            str(port),
            "--lifetime",
            str(lifetime),
            *(f"--defect={d}" for d in defects),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the emulator did not start")
                time.sleep(0.05)
        yield profile, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _credentials_of(profile_name: str) -> dict[str, str]:
    """This environment, with the served emulator's known credentials as a user would export them."""
    settings = load_profile(profile_name).emulator
    return {
        **os.environ,
        "CONFORMANCE_USERNAME": settings.username,
        "CONFORMANCE_PASSWORD": settings.password,
        "CONFORMANCE_CLIENT_ID": settings.client_id,
        "CONFORMANCE_CLIENT_SECRET": settings.client_secret,
    }


@pytest.mark.parametrize("served", [("tourpaq", 3), ("daysoutguide", 3)], indirect=True)
@pytest.mark.slow
def test_suite_passes_over_http_with_real_expiry(served: tuple[str, str], tmp_path: Path) -> None:
    profile_name, url = served
    env = _credentials_of(profile_name)
    report_dir = tmp_path / "reports"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "run",
            "--profile",
            profile_name,
            "--url",
            url,
            "--resource-path",
            "/protected",
            "--expiry-wait",
            "8",
            "--report-dir",
            str(report_dir),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stdout[-4000:]
    results = json.loads((report_dir / "results.json").read_text())
    statuses = {r["id"]: (r["status"], r["message"]) for r in results["requirements"]}
    lifetime = next(r for r in results["requirements"] if r["id"] == "RFC6749-5.1-lifetime")
    # Passed by the watch that saw the token die, not only by searches that saw nothing wrong.
    assert lifetime["status"] == "passed"
    assert any("test_token_lives_as_long_as_expires_in_says[" in t for t in lifetime["tests"])
    assert statuses["DOC-expires-in-unit"][0] == "passed"
    # A 3-second deployment is not the documented lifespan: a warning, never a failure.
    assert statuses["DOC-nominal-lifetime"][0] == "warned"
    assert {p.name for p in report_dir.iterdir()} >= {"report.html", "junit.xml", "results.json"}


@pytest.mark.parametrize("served", [("tourpaq", 1800, "repeated-parameter-first-wins")], indirect=True)
@pytest.mark.slow
def test_two_runs_against_an_unchanged_server_diff_to_nothing(
    served: tuple[str, str], tmp_path: Path
) -> None:
    """Same run, same verdict, same evidence text: `conformance diff` of two runs against one
    unchanged server (over HTTP, so with the live search budgets) shows no change. Once the notes
    differed by their example counts and seeds, and a stored example database replayed earlier
    counterexamples into a later run."""
    profile_name, url = served
    env = _credentials_of(profile_name)
    runs = []
    for n in (1, 2):
        report_dir = tmp_path / f"run{n}"
        completed = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--profile", profile_name, "--url", url]
            + ["--resource-path", "/protected", "--expiry-wait", "0", "--report-dir", str(report_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,  # the same directory both times: nothing kept there may bear on the second
        )
        assert completed.returncode == 1, completed.stdout[-4000:]
        runs.append(report_dir / "results.json")
    first = {r["id"]: r for r in json.loads(runs[0].read_text())["requirements"]}
    # Not vacuous: a search found the defect, and searches that found nothing said so in a note.
    assert first["RFC6749-3.2-repeated-parameter"]["status"] == "failed"
    assert any("no counterexample" in r["message"] for r in first.values())
    compared = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "diff", str(runs[0]), str(runs[1])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert compared.returncode == 0, compared.stdout
    assert "no requirement changed" in compared.stdout, compared.stdout
