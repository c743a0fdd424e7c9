"""`conformance emulate` says which credentials its emulator accepts, as a client would set them."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys

import pytest

from conformance.profile import load_profile


def _first_lines(env: dict[str, str], count: int) -> list[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "conformance.cli",
        "emulate",
        "--profile",
        "tourpaq",
        "--port",
        str(port),
    ]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as served:
        try:
            assert served.stdout is not None
            return [served.stdout.readline().rstrip("\n") for _ in range(count)]
        finally:
            served.terminate()
            served.wait(timeout=10)


@pytest.mark.slow
def test_emulate_prints_the_credentials_it_accepts_as_exports() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    lines = _first_lines(env, 4)
    assert lines[2] == "  it accepts these credentials (for your client, or `conformance run --url`):"
    exported = dict(word.split("=", 1) for word in shlex.split(lines[3].strip().removeprefix("export ")))
    known = load_profile("tourpaq").emulator
    assert exported["CONFORMANCE_USERNAME"] == known.username
    assert exported["CONFORMANCE_PASSWORD"] == known.password
    assert exported["CONFORMANCE_CLIENT_SECRET"] == known.client_secret


@pytest.mark.slow
def test_credentials_from_the_callers_environment_are_named_never_shown() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    lines = _first_lines({**env, "CONFORMANCE_CLIENT_SECRET": "a-real-secret-from-the-vault"}, 5)
    assert "a-real-secret-from-the-vault" not in "\n".join(lines)
    assert "CONFORMANCE_CLIENT_SECRET=" not in lines[3] and "CONFORMANCE_CLIENT_ID=" in lines[3]
    assert lines[4] == "    and your own CONFORMANCE_CLIENT_SECRET (taken from your environment)"
