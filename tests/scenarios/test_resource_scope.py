"""The scope a resource requires (RFC 6750 §3.1 insufficient_scope, profile resource.required_scope):
the emulator refuses a token granted without it with 403, the scenario passes on the host profile
machine-scoped and catches each defect, the invalid-token checks leave such a refusal alone only
on that profile, and profiles without the field skip the new requirements."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks.registry import audit
from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.client import ConformanceClient
from conformance.profile import load_profile
from tests.conftest import MakeEmulated, SuiteRun

SCOPED = str(SELFTEST_PROFILE_DIR / "machine-scoped.yaml")
NEW = ["DOC-required-scope", "RFC6750-3.1-insufficient-scope"]


def _token(client: ConformanceClient, scope: str) -> str:
    token = client.client_credentials_grant("token", scope=scope).issued_token
    assert token
    return token


def test_the_emulator_refuses_a_token_without_the_required_scope(emulated: MakeEmulated) -> None:
    client, _ = emulated(SCOPED)
    refused = client.call_resource(_token(client, "read"), "without write")
    assert refused.status == 403
    assert 'error="insufficient_scope"' in (refused.header("www-authenticate") or "")
    assert client.call_resource(_token(client, "write"), "with write").status == 200
    # The default scope (the profile's "read write") holds it: the other scenarios' tokens work.
    assert client.call_resource(_token(client, "read write"), "default").status == 200


def test_the_invalid_token_checks_leave_only_a_scope_refusal_alone(emulated: MakeEmulated) -> None:
    client, _ = emulated(SCOPED)
    token = _token(client, "read")
    refused = client.call_resource(token, "without write", lacks_required_scope=True)
    assert audit(client.profile, refused) == []
    # The same refusal judged on a profile naming no required scope is an invalid-token refusal
    # with the wrong status and code.
    machine = load_profile("machine")
    blamed = {f.requirement.id for f in audit(machine, refused)}
    assert blamed == {"RFC6750-3.1-invalid-token", "RFC6750-3.1-invalid-token-code"}


def test_scoped_host_passes(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite(SCOPED)
    assert run.ret == 0, run.output
    assert run.failed_requirements() == set()
    for requirement_id in NEW:
        assert run.status(requirement_id) == "passed", requirement_id


@pytest.mark.parametrize("profile", ["tourpaq", "machine"])
def test_profiles_without_a_required_scope_skip_it(run_suite: Callable[..., SuiteRun], profile: str) -> None:
    run = run_suite(profile, "-rs")
    assert run.ret == 0, run.output
    for requirement_id in NEW:
        assert run.status(requirement_id) == "skipped", requirement_id


@pytest.mark.parametrize(
    ("defect", "requirement_id", "verdict"),
    [
        ("resource-ignores-scope", "DOC-required-scope", "failed"),
        ("insufficient-scope-as-invalid-token", "RFC6750-3.1-insufficient-scope", "warned"),
    ],
)
def test_a_defect_is_caught(
    run_suite: Callable[..., SuiteRun], defect: str, requirement_id: str, verdict: str
) -> None:
    run = run_suite(SCOPED, "--conformance-defect", defect)
    assert run.status(requirement_id) == verdict, run.output
    assert run.failed_requirements() == ({requirement_id} if verdict == "failed" else set())


def test_springs_refusal_passes(run_suite: Callable[..., SuiteRun], emulated: MakeEmulated) -> None:
    client, _ = emulated(SCOPED, variants=["insufficient-scope-spring"])
    refused = client.call_resource(_token(client, "read"), "without write")
    assert (refused.status, refused.response_body) == (403, "")
    assert "realm" not in (refused.header("www-authenticate") or "")
    run = run_suite(SCOPED, "--conformance-variant", "insufficient-scope-spring")
    assert run.ret == 0, run.output
    assert run.status("RFC6750-3.1-insufficient-scope") == "passed"
