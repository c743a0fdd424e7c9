"""Acceptance, over real HTTP: a server the probe has never met, publishing no metadata, with
only a client pair given. `conformance probe` learns the client credentials grant by both client
authentication methods, the resource, the scope and the revocation and introspection endpoints
from where they usually stand; `conformance run` with the learned profile, unedited, passes and
judges those endpoints."""

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
from tests.probe.emulated import NO_METADATA

pytestmark = pytest.mark.slow

SERVER = (
    "name: never-met\nextends: machine\n"
    + NO_METADATA
    + "revocation: {path: /token/revocation}\nintrospection: {path: /token/introspect}\n"
)


def test_probe_then_run_a_server_without_metadata(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    written = tmp_path / "never-met.yaml"
    written.write_text(SERVER, encoding="utf-8")
    server = load_profile(str(written))
    known = server.emulator
    for name in ("USERNAME", "PASSWORD", "RESTRICTED_CLIENT_ID", "RESTRICTED_CLIENT_SECRET"):
        monkeypatch.delenv(f"CONFORMANCE_{name}", raising=False)
    monkeypatch.setenv("CONFORMANCE_CLIENT_ID", known.client_id)
    monkeypatch.setenv("CONFORMANCE_CLIENT_SECRET", known.client_secret)
    draft = tmp_path / "learned.yaml"
    with serve(Emulator(server, clock=SystemClock(show_countdown=False)).app) as url:
        probe = ["probe", "--url", url, "--token-path", "/token", "--resource-path", "/protected"]
        assert main([*probe, "--output", str(draft)]) == 0
        learned = load_profile(str(draft))
        assert learned.client_auth_methods == ("client_secret_basic", "client_secret_post")
        assert learned.grant_client_credentials is True and learned.scope_value == "read"
        assert learned.revocation is not None and learned.introspection is not None
        code = run_suite(str(draft), url=url, resource_path="/protected", report_dir=tmp_path / "reports")
    results = json.loads((tmp_path / "reports" / "results.json").read_text())
    assert code == 0, [r for r in results["requirements"] if r["status"] == "failed"]
    passed = {r["id"] for r in results["requirements"] if r["status"] == "passed"}
    assert {
        "RFC7009-2.2-revoke-ok",
        "RFC7009-2.1-revokes-access",
        "RFC7662-2.2-active",
        "RFC6749-2.3-listed-methods",
        "RFC6749-3.3-invalid-scope",
    } <= passed
