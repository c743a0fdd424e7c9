"""The probe learns behaviour, not documentation: emulators bent by defects, on a manual clock.

In-process and instant (the manual clock moves when the probe waits), so a 30-minute Tourpaq
token can be watched to its end; the served, real-time acceptance is in test_probe.py.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from conformance.cli import USAGE_ERROR, main
from conformance.cli.probe import add_arguments
from conformance.errors import BudgetExhausted
from conformance.probe import DEFAULT_MAX_REQUESTS, ProbeResult
from conformance.probe.learn import default_name
from conformance.profile import load_profile
from tests.probe.emulated import NO_METADATA, learned, profile_file
from tests.probe.emulated import probe as emulated_probe


def _probe(
    name: str,
    defects: Sequence[str] = (),
    *,
    expiry_wait: float = 0.0,
    resource_path: str | None = "/protected",
    max_requests: int = 40,
) -> ProbeResult:
    """A built-in profile's emulator probed at its token path, with its client where it has one."""
    profile = load_profile(name)
    return emulated_probe(
        profile,
        with_client=profile.client_auth != "none",
        token_path=profile.token_path,
        resource_path=resource_path,
        expiry_wait=expiry_wait,
        max_requests=max_requests,
        defects=defects,
    )


def test_a_thirty_minute_token_watched_to_its_end() -> None:
    result = _probe("tourpaq", expiry_wait=2000)
    assert result.draft.value("expiry.unit") == "seconds"
    assert abs(result.draft.value("expiry.nominal_lifetime") - 1800) <= 20
    assert "expiry.alternative_units" not in result.draft.facts
    assert result.requests <= 40


def test_expires_in_in_milliseconds_is_found() -> None:
    result = _probe("tourpaq", ["expires-in-milliseconds"], expiry_wait=2000)
    assert result.draft.value("expiry.unit") == "milliseconds"
    assert "seconds" in result.draft.facts["expiry.unit"].how


def test_a_24_hour_token_read_as_seconds_by_watching_it() -> None:
    result = _probe("daysoutguide", expiry_wait=90_000)
    assert result.draft.value("expiry.unit") == "seconds"
    assert abs(result.draft.value("expiry.nominal_lifetime") - 86400) <= 900


@pytest.mark.parametrize(
    ("name", "defect", "path", "value"),
    [
        ("daysoutguide", "keeps-earlier-tokens", "invalidation.new_token_invalidates_earlier", False),
        ("tourpaq", "invalidates-earlier-tokens", "invalidation.new_token_invalidates_earlier", True),
        ("tourpaq", "accepts-used-refresh-token", "refresh.used_refresh_token", "accepted"),
        ("tourpaq", "refresh-not-rotated", "refresh.rotation", False),
        ("tourpaq", "no-refresh-token", "refresh.issues_refresh_token", False),
    ],
)
def test_behaviour_is_learned_not_assumed(name: str, defect: str, path: str, value: object) -> None:
    assert _probe(name, [defect]).draft.value(path) == value


def test_unwatched_expiry_is_unverified_and_keeps_both_readings() -> None:
    result = _probe("daysoutguide")
    assert result.draft.value("expiry.unit") == "seconds"
    assert result.draft.value("expiry.alternative_units") == ["milliseconds"]
    assert "UNVERIFIED" in result.text and "--expiry-wait is 0" in result.text


def test_without_a_resource_path_what_needs_one_is_unspecified() -> None:
    result = _probe("daysoutguide", resource_path=None)
    assert result.draft.value("invalidation.new_token_invalidates_earlier") == "unspecified"
    assert "resource.rejection.status" not in result.draft.facts
    assert "no --resource-path" in result.text
    # Two metadata documents looked for; the body refused, the query issued; an unknown scope; a
    # made-up refresh refused. No client pair: no client credentials grant, no endpoint search.
    assert result.requests == 6


def test_a_spent_budget_leaves_the_rest_unspecified(tmp_path: Path) -> None:
    # Metadata (2), client authentication (3), the client credentials grant, an unknown scope, the
    # resource (3), a second token: the budget runs out on the invalidation's next call.
    result = _probe("tourpaq", max_requests=11, expiry_wait=60)
    assert result.requests == 11
    assert result.draft.value("refresh.rotation") == "unspecified"
    assert "the request budget of 11 ran out during invalidation" in result.text
    (tmp_path / "partial.yaml").write_text(result.text)
    assert load_profile(str(tmp_path / "partial.yaml")).refresh.rotation == "unspecified"


def test_a_budget_too_small_for_a_token_is_a_tool_error() -> None:
    with pytest.raises(BudgetExhausted):
        _probe("daysoutguide", max_requests=1)


def test_default_name_comes_from_the_host() -> None:
    assert default_name("https://api.tourpaq.com/") == "api-tourpaq-com"
    assert default_name("http://127.0.0.1:8000") == "127-0-0-1"


# -- the command's safety ----------------------------------------------------------------------
@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("CONFORMANCE_CLIENT_ID", "CONFORMANCE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONFORMANCE_USERNAME", "probe-user")
    monkeypatch.setenv("CONFORMANCE_PASSWORD", "probe-password")
    return monkeypatch


def test_plain_http_off_this_machine_is_refused(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["probe", "--url", "http://api.example.com", "--token-path", "/token", "--yes"]) == USAGE_ERROR
    )
    assert "refusing to send credentials over plain http:// to api.example.com" in capsys.readouterr().err


def test_a_live_target_needs_confirmation(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["probe", "--url", "https://probe.invalid", "--token-path", "/token"]) == USAGE_ERROR
    err = capsys.readouterr().err
    assert "EVERY OTHER CLIENT USING THESE CREDENTIALS WILL BE LOGGED OUT" in err
    assert "at most 40 requests in all, at most 5 per second, no retries" in err
    assert "no terminal to confirm on: pass --yes" in err


def test_credentials_only_from_the_environment(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.delenv("CONFORMANCE_PASSWORD")
    assert main(["probe", "--url", "http://127.0.0.1:9", "--token-path", "/token"]) == USAGE_ERROR
    assert "set CONFORMANCE_PASSWORD in the environment" in capsys.readouterr().err
    env.setenv("CONFORMANCE_PASSWORD", "probe-password")
    env.setenv("CONFORMANCE_CLIENT_ID", "probe-client")
    assert main(["probe", "--url", "http://127.0.0.1:9", "--token-path", "/token"]) == USAGE_ERROR
    assert "CONFORMANCE_CLIENT_SECRET is not" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "https://user:pw@api.example.com"], "no credentials or query in the URL"),
        (["--url", "ftp://api.example.com"], "expected an http:// or https:// URL"),
        (["--url", "http://127.0.0.1:9", "--name", "Not Valid"], "--name 'Not Valid'"),
        (["--url", "http://127.0.0.1:9", "--resource-path", "protected"], "a path starting with /"),
    ],
)
def test_bad_options_are_one_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["probe", "--token-path", "/token", *args]) == USAGE_ERROR
    assert message in capsys.readouterr().err


def test_the_tutorial_tells_the_truth() -> None:
    tutorial = Path(__file__).resolve().parents[2] / "docs" / "tutorials" / "probe.md"
    section = tutorial.read_text(encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    options = parser.format_help()
    # Every flag it names is the probe's, but on the lines of the other commands it shows.
    own = "\n".join(line for line in section.splitlines() if not re.match(r"conformance (?!probe )", line))
    for flag in set(re.findall(r"--[a-z][a-z-]+", own)):
        assert flag in options, flag
    assert f"**{DEFAULT_MAX_REQUESTS} requests**" in section


def test_an_unreachable_server_is_one_line_and_exit_code_2(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["probe", "--url", "http://127.0.0.1:9", "--token-path", "/token"]) == 2
    err = capsys.readouterr().err
    assert "-> no response (connection failed:" in err
    assert "probe-password" not in err


# -- with client credentials alone: the resource and the real lifetime too -------------------------
@pytest.mark.parametrize("metadata", [True, False], ids=["metadata", "no-metadata"])
def test_a_client_pair_alone_learns_the_resource_and_the_real_lifetime(
    tmp_path: Path, metadata: bool
) -> None:
    # --resource-path and --expiry-wait are honoured without user credentials, with or without
    # the metadata that names the token endpoint.
    server = profile_file(tmp_path, "extends: machine\n" + ("" if metadata else NO_METADATA))
    result = emulated_probe(server, user=False, token_path=None if metadata else "/token", expiry_wait=5000)
    profile = learned(result, tmp_path)
    rejection = profile.resource.rejection
    assert (rejection.status, rejection.www_authenticate) == (401, "Bearer")
    assert profile.invalidates_earlier is False
    assert abs(profile.expiry.nominal_lifetime - 3600) <= 40  # type: ignore[operator]
    assert "source: probe §expiry (observed)" in result.text
    assert result.requests <= 40


@pytest.mark.parametrize(("variants", "value"), [((), False), (("refresh-revokes-replaced-access",), True)])
def test_a_refresh_that_revokes_the_replaced_access_token_is_told_from_invalidation(
    tmp_path: Path, variants: tuple[str, ...], value: bool
) -> None:
    tourpaq = profile_file(tmp_path, "extends: tourpaq\n")
    result = emulated_probe(tourpaq, token_path=tourpaq.token_path, variants=variants)
    assert result.draft.value("invalidation.new_token_invalidates_earlier") is False
    assert result.draft.value("refresh.revokes_replaced_access_token") is value
