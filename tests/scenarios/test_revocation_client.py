"""RFC 7009 §2.1, the token was issued to the client revoking it: the emulator refuses another
client's revocation and revokes nothing, the scenario passes on machine (judged by
introspection) and on machine-scoped (judged by the resource), it catches a server revoking for
any client, and a foreign token answered 200 without being revoked passes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks.services import introspection_active
from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.client.endpoints import introspect, revoke
from conformance.profile import load_profile
from tests.conftest import SuiteRun, emulated_client

SCOPED = str(SELFTEST_PROFILE_DIR / "machine-scoped.yaml")
ID = "RFC7009-2.1-issued-to-client"


@pytest.mark.parametrize(("defects", "active"), [((), True), (("revocation-by-any-client",), False)])
def test_the_emulator_lets_only_the_owner_revoke(defects: tuple[str, ...], active: bool) -> None:
    client, _ = emulated_client(load_profile("machine"), defects=list(defects))
    try:
        token = client.client_credentials_grant("token").issued_token
        assert token
        other = client.credentials.restricted_client
        assert other is not None
        answer = revoke(client, token, "foreign", credentials=other)
        assert (answer.status, answer.error_code) == (
            (200, None) if defects else (400, "unauthorized_client")
        )
        assert introspection_active(introspect(client, token, "after")) is active
        # The owner still revokes its own token.
        assert revoke(client, token, "own").status == 200
        assert introspection_active(introspect(client, token, "revoked")) is False
    finally:
        client.close()


@pytest.mark.parametrize("profile", ["machine", SCOPED])
def test_the_scenario_passes_on_a_conformant_server(run_suite: Callable[..., SuiteRun], profile: str) -> None:
    run = run_suite(profile)
    assert run.ret == 0, run.output
    assert run.status(ID) == "passed"


def test_seed_profiles_skip_it(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("tourpaq")
    assert run.status(ID) == "skipped"


@pytest.mark.parametrize("profile", ["machine", SCOPED])
def test_revoking_for_any_client_is_caught(run_suite: Callable[..., SuiteRun], profile: str) -> None:
    run = run_suite(profile, "--conformance-defect", "revocation-by-any-client")
    assert run.ret == 1, run.output
    assert run.failed_requirements() == {ID}


def test_a_foreign_token_answered_200_passes(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("machine", "--conformance-variant", "revocation-other-client-200")
    assert run.ret == 0, run.output
    assert run.status(ID) == "passed"
