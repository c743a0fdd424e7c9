"""The revocation, introspection, metadata and JWT scenarios: they pass against a conformant
emulator that has those parts, notice a defect of each part, and are skipped, with the reason,
on a profile without them."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.cli.selftest import SELFTEST_PROFILE_DIR
from conformance.profile import load_profile
from tests.conftest import SuiteRun

SERVICES = str(SELFTEST_PROFILE_DIR / "tourpaq-services.yaml")
SELECTED = ("-k", "revocation or revoked or introspection or metadata or jwt")
NEW = {
    "RFC7009-2.2-revoke-ok",
    "RFC7009-2.1-revokes",
    "RFC7009-2.1-revokes-access",
    "RFC7009-2.1-refresh-revokes-access",
    "RFC7009-2.1-hint",
    "RFC7009-2.2.1-unsupported-token-type",
    "RFC7009-2.1-client-auth",
    "RFC7662-2.2-active",
    "RFC7662-2.2-inactive",
    "RFC7662-2.1-caller-auth",
    "RFC7662-2.2-exp",
    "RFC8414-2-required-members",
    "RFC8414-3.3-issuer",
    "RFC8414-2-advertised-works",
    "RFC9728-3.3-resource",
    "RFC9068-2.2-claims",
    "RFC9068-exp-consistent",
    "DOC-introspection-members",
    "RFC8414-2-lists-supported",
}


def test_every_new_requirement_holds_on_the_conformant_emulator(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite(SERVICES, *SELECTED)
    assert run.ret == 0, run.output
    for requirement_id in NEW:
        assert run.status(requirement_id) == "passed", requirement_id


@pytest.mark.parametrize(
    ("defect", "requirement_id", "status"),
    [
        ("revocation-trusts-hint", "RFC7009-2.1-hint", "failed"),
        ("refresh-revocation-keeps-access", "RFC7009-2.1-refresh-revokes-access", "warned"),
        ("introspection-expired-active", "RFC7662-2.2-inactive", "failed"),
        ("metadata-advertises-unsupported-grant", "RFC8414-2-advertised-works", "failed"),
        ("jwt-exp-a-day-later", "RFC9068-exp-consistent", "failed"),
        ("jwt-other-issuer", "RFC9068-2.2-claims", "failed"),
        ("introspection-without-client-id", "DOC-introspection-members", "failed"),
        ("metadata-omits-refresh-grant", "RFC8414-2-lists-supported", "warned"),
        ("metadata-advertises-client-secret-post", "RFC8414-2-advertised-works", "failed"),
    ],
)
def test_a_defect_of_each_part_is_noticed(
    run_suite: Callable[..., SuiteRun], defect: str, requirement_id: str, status: str
) -> None:
    run = run_suite(SERVICES, "--conformance-defect", defect, *SELECTED)
    assert run.status(requirement_id) == status, run.output
    assert run.failed_requirements() <= {requirement_id}


def test_a_profile_without_the_parts_skips_them_saying_why(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite("tourpaq", *SELECTED, "-rs")
    assert run.ret == 0, run.output
    for requirement_id in NEW:
        assert run.status(requirement_id) == "skipped", requirement_id
    assert "profile tourpaq names no revocation endpoint (RFC 7009): the provider has none" in run.output
    assert "profile tourpaq publishes no authorization server (RFC 8414) metadata" in run.output
    assert "profile tourpaq: access tokens are not documented as RFC 9068 JWTs" in run.output


def test_an_unrevocable_access_token_must_be_refused_as_unsupported(
    run_suite: Callable[..., SuiteRun], tmp_path: Path
) -> None:
    profile = tmp_path / "unrevocable.yaml"
    profile.write_text(
        f"name: unrevocable\nextends: {SERVICES}\nrevocation:\n  revokes_access_tokens: false\n"
        "  source: the provider's documentation\n"
    )
    run = run_suite(str(profile), *SELECTED)
    assert run.ret == 0, run.output
    assert run.status("RFC7009-2.2.1-unsupported-token-type") == "passed"
    assert run.status("RFC7009-2.1-revokes-access") == "skipped"
    answered = run_suite(str(profile), "--conformance-defect", "revocation-access-invalid-request", *SELECTED)
    assert answered.failed_requirements() == {"RFC7009-2.2.1-unsupported-token-type"}


def test_no_jwt_and_no_credential_reaches_the_reports(run_suite: Callable[..., SuiteRun]) -> None:
    # Every JWT the emulator issues starts with its header's base64url: none may show in clear,
    # nor the client's Basic credentials (revocation and introspection requests carry them; the
    # secret itself is quoted by the profile's documented contradiction, which is public text).
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "at+jwt"}).encode()).decode()
    known = load_profile(SERVICES).emulator
    basic = base64.b64encode(f"{known.client_id}:{known.client_secret}".encode()).decode()
    run = run_suite(SERVICES, *SELECTED, reports=True)
    assert run.ret == 0, run.output
    run.assert_reports_written()
    for path in run.report_dir.iterdir():
        text = path.read_text(encoding="utf-8")
        assert header[:24] not in text and basic not in text, path.name
    assert "introspection: live access token" in (run.report_dir / "report.html").read_text(encoding="utf-8")
    assert header[:24] not in run.output and basic not in run.output


def test_the_machine_profile_passes_with_its_revocation_introspection_and_metadata(
    run_suite: Callable[..., SuiteRun],
) -> None:
    # Acceptance: a server offering only client_credentials + revocation + introspection +
    # metadata passes against its emulator, with no user credentials.
    run = run_suite("machine")
    assert run.ret == 0, run.output
    for requirement_id in (
        "RFC7009-2.2-revoke-ok",
        "RFC7009-2.1-revokes-access",
        "RFC7009-2.1-client-auth",
        "RFC7662-2.2-active",
        "RFC7662-2.2-inactive",
        "RFC7662-2.1-caller-auth",
        "RFC8414-2-required-members",
        "RFC8414-2-advertised-works",
        "RFC9728-3.3-resource",
    ):
        assert run.status(requirement_id) == "passed", requirement_id
    assert run.status("RFC7009-2.1-revokes") == "skipped"  # no refresh token to revoke
