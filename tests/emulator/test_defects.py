"""The defect registry: every entry documented and well-formed; the named ones do what they say."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.cli.selftest import SELFTEST_TIMEOUT, subjects
from conformance.client import ClientCredentials, ConformanceClient
from conformance.config.arguments import suite_argv
from conformance.emulator import Emulator, catalogue, get_defect
from conformance.emulator.defects import EXEMPT, defect
from conformance.emulator.hooks import STALL_SECONDS
from conformance.errors import UsageError
from conformance.profile import load_profile
from conformance.requirements import all_requirements, get

# Other layers (the property-based tests, the docs) refer to these by name.
NAMED = [
    "500-on-non-ascii",
    "500-on-long-parameter",
    "accepts-near-miss-secret",
    "expired-token-accepted-after-refresh",
    "keeps-earlier-tokens",
    "sequential-tokens",
    "no-token-type",
    "expires-in-string",
    "token-outlives-expiry",
    "accepts-wrong-password",
    "refresh-not-rotated",
]
SELFTEST_PROFILES = [load_profile(s.ref) for s in subjects()]


def test_the_catalogue_is_large_and_keeps_its_names() -> None:
    assert len(catalogue()) >= 45
    assert set(NAMED) <= set(catalogue())


@pytest.mark.parametrize("name", list(catalogue()))
def test_each_defect_is_documented_and_applies_somewhere(name: str) -> None:
    found = catalogue()[name]
    assert found.summary.strip() and "\n" not in found.summary
    assert found.violates
    for requirement_id in found.violates:
        assert get(requirement_id).id == requirement_id
    assert any(found.applies(profile) for profile in SELFTEST_PROFILES), f"{name} applies to no profile"


@pytest.mark.parametrize("name", list(catalogue()))
def test_each_defect_switches_on_where_it_applies(name: str) -> None:
    for profile in SELFTEST_PROFILES:
        if catalogue()[name].applies(profile):
            assert Emulator(profile, defects=[name]).defects == (name,)


def test_every_requirement_is_named_by_a_defect_or_exempt_with_a_reason() -> None:
    named = {i for found in catalogue().values() for i in found.violates}
    ids = {r.id for r in all_requirements()}
    missing = sorted(ids - named - set(EXEMPT))
    assert not missing, f"requirements no defect breaks and no exemption explains: {missing}"
    assert set(EXEMPT) <= ids, "an exemption names no requirement"
    assert not set(EXEMPT) & named, "an exempt requirement is broken by a defect: drop its exemption"
    assert all(len(reason.split()) >= 8 for reason in EXEMPT.values())


def test_unknown_defect_suggests_the_close_name() -> None:
    with pytest.raises(
        UsageError, match="no defect named 'sequental-tokens'; did you mean 'sequential-tokens'"
    ):
        get_defect("sequental-tokens")
    with pytest.raises(UsageError, match="did you mean 'keeps-earlier-tokens'"):
        Emulator(load_profile("daysoutguide"), defects=["keep-earlier-tokens"])


def test_registration_refuses_duplicates_and_unknown_requirements() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        defect("no-pragma", "again", ["RFC6749-5.1-pragma"])(lambda emulator: None)
    with pytest.raises(KeyError, match="RFC6749-no-such"):
        defect("brand-new", "a typo in its requirement", ["RFC6749-no-such"])
    assert "brand-new" not in catalogue()


def test_stalls_outlast_the_selftest_timeout_but_end() -> None:
    assert SELFTEST_TIMEOUT < STALL_SECONDS <= 2 * SELFTEST_TIMEOUT
    assert {d.name for d in catalogue().values() if d.slow} == {
        "slow-token-endpoint",
        "refresh-never-answers",
    }


# -- the named defects, as other layers rely on them -----------------------------------------------
def test_500_on_non_ascii(emulated: Callable[..., tuple[ConformanceClient, Emulator]]) -> None:
    client, _ = emulated("daysoutguide", defects=["500-on-non-ascii"])
    assert client.password_grant("t", password="p\u00e4ssword").status == 500
    assert client.password_grant("t", password="password").status == 400


def test_500_on_long_parameter(emulated: Callable[..., tuple[ConformanceClient, Emulator]]) -> None:
    client, _ = emulated("tourpaq", defects=["500-on-long-parameter"])
    assert client.password_grant("t", password="x" * 201).status == 500
    assert client.password_grant("t", password="x" * 200).status == 400


def test_accepts_near_miss_secret(emulated: Callable[..., tuple[ConformanceClient, Emulator]]) -> None:
    client, _ = emulated("tourpaq", defects=["accepts-near-miss-secret"])
    real = client.credentials.client
    assert real is not None
    last = ClientCredentials(real.client_id, real.client_secret[:-1] + "#")
    first = ClientCredentials(real.client_id, "#" + real.client_secret[1:])
    assert client.password_grant("t", client=last).status == 200
    assert client.password_grant("t", client=first).status == 401


def test_expired_token_accepted_after_refresh(
    emulated: Callable[..., tuple[ConformanceClient, Emulator]],
) -> None:
    client, emulator = emulated("tourpaq", defects=["expired-token-accepted-after-refresh"])
    body = client.password_grant("t").json
    emulator.clock.advance(body["expires_in"] + 60)
    assert client.call_resource(body["access_token"], "expired").status == 401
    assert client.refresh_grant(body["refresh_token"], "refresh").status == 200
    assert client.call_resource(body["access_token"], "revived").status == 200


def test_keeps_earlier_tokens(emulated: Callable[..., tuple[ConformanceClient, Emulator]]) -> None:
    client, _ = emulated("daysoutguide", defects=["keeps-earlier-tokens"])
    first = client.password_grant("t").json["access_token"]
    client.password_grant("t")
    assert client.call_resource(first, "earlier").status == 200


def test_sequential_tokens(emulated: Callable[..., tuple[ConformanceClient, Emulator]]) -> None:
    client, _ = emulated("daysoutguide", defects=["sequential-tokens"])
    first, second = (client.password_grant("t").json["access_token"] for _ in range(2))
    assert int(second.removeprefix("tok_")) == int(first.removeprefix("tok_")) + 1


@pytest.mark.parametrize("profile", ["tourpaq", "daysoutguide"])
def test_repeated_parameter_first_wins(
    emulated: Callable[..., tuple[ConformanceClient, Emulator]], profile: str
) -> None:
    client, _ = emulated(profile)
    params = [*client.password_params(), ("password", "wrong")]
    assert client.token_request(params, purpose="repeat").status == 400
    client, _ = emulated(profile, defects=["repeated-parameter-first-wins"])
    assert client.token_request(params, purpose="repeat").status == 200
    wrong_first = [("password", "wrong"), *client.password_params()]
    assert client.token_request(wrong_first, purpose="repeat").status == 400


def test_enforces_scope(emulated: Callable[..., tuple[ConformanceClient, Emulator]]) -> None:
    client, _ = emulated("tourpaq", defects=["enforces-scope"])
    assert client.password_grant("documented").status == 200
    other = [(k, "write" if k == "scope" else v) for k, v in client.password_params()]
    refused = client.token_request(other, purpose="other scope")
    assert (refused.status, refused.json["error"]) == (400, "invalid_scope")
    client, _ = emulated("tourpaq")
    assert client.token_request(other, purpose="other scope").status == 200


@pytest.mark.parametrize("profile", ["tourpaq", "daysoutguide"])
def test_without_defects_the_emulator_is_conformant_on_these_requests(
    emulated: Callable[..., tuple[ConformanceClient, Emulator]], profile: str
) -> None:
    client, _ = emulated(profile)
    assert client.password_grant("t", password="p\u00e4ssword" + "x" * 300).status == 400
    token = client.password_grant("t").json["access_token"]
    assert client.call_resource(token, "fresh").status == 200


def test_the_documented_example_defect_is_killed(tmp_path: Path) -> None:
    """The example of docs/how-to/add-defect.md, registered and run against the suite."""
    guide = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "add-defect.md"
    doc = guide.read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", doc, re.S) if "@defect(" in b)
    values = {"profile": "tourpaq", "emulate": True, "defect": ["token-type-mac"]}
    suite = suite_argv(values, scenarios="conformance.scenarios.token.test_token_issuance", quiet=True)
    suite += ["--rootdir", str(tmp_path)]
    script = f"{block}\nimport sys, pytest\nsys.exit(pytest.main({suite!r}))\n"
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "RFC6749-5.1-token-type" in completed.stdout
