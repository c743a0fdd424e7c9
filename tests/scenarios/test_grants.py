"""Every requirement through every grant the credentials allow, and never a grant the profile
does not offer (issue "Servers it has never met", §2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.client.client import ConformanceClient
from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile
from tests.conftest import SuiteRun

CLIENT_CREDENTIALS_WITH_REFRESH = """\
name: machine-refresh
extends: machine
grants:
  password: false
  refresh_token: true
  client_credentials: true
refresh:
  issues_refresh_token: true
  rotation: true
  used_refresh_token: rejected
  issued_by: [client_credentials]
token_response:
  fields: [access_token, token_type, expires_in]
"""

BOTH_GRANTS = """\
name: machine-and-password
extends: machine
grants:
  password: true
  client_credentials: true
"""


def _grants_sent(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The grant_type of every token request the run sends (the client's one entry point)."""
    sent: list[str | None] = []
    real = ConformanceClient._send

    def spy(self: ConformanceClient, request: Any, kind: str, purpose: str, **options: Any) -> Any:
        if kind == "token":
            sent.append(options.get("grant_type"))
        return real(self, request, kind, purpose, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(ConformanceClient, "_send", spy)
    return sent


def test_no_scenario_sends_a_grant_the_profile_does_not_offer(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Races, the lifecycle and the property layer obtain tokens by the run's grant: on a server
    without the password grant (which refuses it, rightly) none is ever sent. Seen: the races
    sent password grants to such a server and failed RFC6749-4.3-issue on its correct refusal."""
    profile = tmp_path / "machine-refresh.yaml"
    profile.write_text(CLIENT_CREDENTIALS_WITH_REFRESH)
    sent = _grants_sent(monkeypatch)
    run = run_suite(str(profile))
    assert run.ret == 0, run.output
    assert "password" not in sent and sent.count("client_credentials") > 50
    assert "refresh_token" in sent  # the races and the refresh scenarios ran, by the grant offered
    assert run.status("RFC9700-4.14.2-rotation") == "passed"


@pytest.mark.slow
def test_a_client_pair_alone_runs_the_client_credentials_grant(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A profile offering both grants, run with client credentials only: the client credentials
    grant is exercised, and the password grant's checks say what would make them run."""
    profile = tmp_path / "both.yaml"
    profile.write_text(BOTH_GRANTS)
    known = load_profile("machine").emulator
    monkeypatch.setenv("CONFORMANCE_CLIENT_ID", known.client_id)
    monkeypatch.setenv("CONFORMANCE_CLIENT_SECRET", known.client_secret)
    for name in ("USERNAME", "PASSWORD"):
        monkeypatch.delenv(f"CONFORMANCE_{name}", raising=False)
    served = load_profile(str(profile))
    with serve(Emulator(served, clock=SystemClock(show_countdown=False)).app) as url:
        run = run_suite(str(profile), "-rs", "--conformance-examples", "3", emulate=False, url=url)
    assert run.ret == 0, run.output
    assert run.status("RFC6749-4.4-issue") == "passed"
    assert run.status("RFC6749-5.1-no-store") == "passed"  # through the client credentials grant
    assert run.status("RFC6749-4.3-issue") == "skipped"
    assert "the password grant needs CONFORMANCE_USERNAME and CONFORMANCE_PASSWORD" in run.output


def test_a_grant_the_server_refuses_this_client_is_not_checked(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """django-oauth-toolkit allows each client one grant: a client of the password grant asking
    for client credentials gets unauthorized_client, which is right. The checks that need that
    grant read "not checked", and nothing fails."""
    machine = load_profile("machine")
    # The emulator's restricted client is allowed no client credentials grant: run as it.
    monkeypatch.setenv("CONFORMANCE_CLIENT_ID", machine.emulator.restricted_client_id)
    monkeypatch.setenv("CONFORMANCE_CLIENT_SECRET", machine.emulator.restricted_client_secret)
    run = run_suite("machine", "-k", "token_issuance or client_credentials_grant_issues or scope")
    assert run.failed_requirements() == set(), run.output
    assert run.status("RFC6749-4.4-issue") == "skipped"
    row = next(r for r in run.results["requirements"] if r["id"] == "RFC6749-4.4-issue")
    assert "does not allow this client the client credentials grant" in row["message"]
