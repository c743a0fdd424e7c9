"""The scenarios against the client-credentials-only emulator (profile machine): the new
requirements pass, the password scenarios are skipped with the profile's reason, and a defect of
each kind fails its requirement."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from tests.conftest import SuiteRun

NEW = [
    "RFC6749-4.4-issue",
    "RFC6749-4.4-client-auth",
    "RFC6749-4.4-unauthorized-client",
    "RFC6749-4.4.3-no-refresh-token",
    "RFC6749-2.3-one-method",
    "RFC6749-2.3.1-basic",
    "RFC6749-2.3-listed-methods",
    "RFC6749-3.3-invalid-scope",
]


def test_machine_emulator_passes_without_user_credentials(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONFORMANCE_USERNAME", raising=False)
    monkeypatch.delenv("CONFORMANCE_PASSWORD", raising=False)
    run = run_suite("machine", "-rs")
    assert run.ret == 0, run.output
    assert run.failed_requirements() == set()
    for requirement_id in NEW:
        assert run.status(requirement_id) == "passed", requirement_id
    for requirement_id in ("RFC6749-4.3-issue", "RFC6749-4.3-invalid-grant", "RFC9700-2.4-password-grant"):
        assert run.status(requirement_id) == "skipped", requirement_id
    assert "profile machine: the password grant is not offered" in run.output
    # A narrowed scope is the host profile's to check: machine refuses unknown scopes.
    assert run.status("RFC6749-5.1-scope-returned") == "skipped"


# Of the new requirements, those about client authentication are not about one grant: a seed
# profile checks them through its password grant.
GRANT_FREE = {"RFC6749-2.3-one-method", "RFC6749-2.3.1-basic", "RFC6749-2.3-listed-methods"}


def test_seed_profiles_skip_the_client_credentials_requirements(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("tourpaq")
    assert run.ret == 0, run.output
    for requirement_id in NEW:
        expected = "passed" if requirement_id in GRANT_FREE else "skipped"
        assert run.status(requirement_id) == expected, requirement_id


@pytest.mark.parametrize(
    ("profile", "defect", "requirement_id"),
    [
        ("machine", "client-credentials-without-client-auth", "RFC6749-4.4-client-auth"),
        ("machine", "unknown-scope-granted", "RFC6749-3.3-invalid-scope"),
        ("machine", "client-credentials-any-client", "RFC6749-4.4-unauthorized-client"),
        ("machine-basic", "narrowed-scope-not-returned", "RFC6749-5.1-scope-returned"),
        ("machine-basic", "unlisted-post-accepted", "RFC6749-2.3-listed-methods"),
    ],
)
def test_a_defect_fails_its_requirement(
    run_suite: Callable[..., SuiteRun], profile: str, defect: str, requirement_id: str
) -> None:
    host = SELFTEST_PROFILE_DIR / f"{profile}.yaml"
    run = run_suite(str(host) if host.is_file() else profile, "--conformance-defect", defect)
    assert run.ret == 1, run.output
    assert run.failed_requirements() == {requirement_id}


def test_two_methods_accepted_is_a_warning(run_suite: Callable[..., SuiteRun]) -> None:
    """§2.3 forbids the client two methods; a server that lets one win is unusual, not wrong."""
    run = run_suite("machine", "--conformance-defect", "two-client-auth-methods-accepted")
    assert run.ret == 0, run.output
    assert run.status("RFC6749-2.3-one-method") == "warned"
    assert run.failed_requirements() == set()
