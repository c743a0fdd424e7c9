"""Acceptance, over real HTTP: `conformance probe --url BASE` learns the machine profile's served
emulator from its metadata alone (a client pair, no --token-path), and the suite passes against
that emulator with the learned profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import run_suite
from conformance.cli import main
from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile

pytestmark = pytest.mark.slow


def test_probe_then_run_a_client_credentials_server_from_its_metadata(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    machine = load_profile("machine")
    known = machine.emulator
    for name in ("USERNAME", "PASSWORD"):
        monkeypatch.delenv(f"CONFORMANCE_{name}", raising=False)
    monkeypatch.setenv("CONFORMANCE_CLIENT_ID", known.client_id)
    monkeypatch.setenv("CONFORMANCE_CLIENT_SECRET", known.client_secret)
    draft = tmp_path / "learned.yaml"
    with serve(Emulator(machine, clock=SystemClock(show_countdown=False)).app) as url:
        assert main(["probe", "--url", url, "--output", str(draft)]) == 0
        learned = load_profile(str(draft))
        assert learned.revocation is not None and learned.introspection is not None
        assert learned.grant_client_credentials is True and learned.grant_password is False
        code = run_suite(str(draft), url=url, report_dir=tmp_path / "reports")
    results = json.loads((tmp_path / "reports" / "results.json").read_text())
    assert code == 0, [r for r in results["requirements"] if r["status"] == "failed"]
    passed = {r["id"] for r in results["requirements"] if r["status"] == "passed"}
    assert {"RFC7009-2.2-revoke-ok", "RFC7662-2.2-active", "RFC8414-2-advertised-works"} <= passed
