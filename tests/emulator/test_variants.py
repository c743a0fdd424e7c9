"""Benign variants: registered with their RFC reason, each really changes what the emulator sends.

Whether the suite passes them is the self-test's business (tests/test_selftest.py); here, that
each variant is not a no-op (a variant that changes nothing proves nothing about false alarms)
and that it reaches the emulator by every route (`Emulator(variants=...)`, the pytest option,
`conformance emulate --variant`, `conformance run --variant`).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.cli import build_parser
from conformance.cli.run import pytest_arguments
from conformance.cli.selftest import HOST_VARIANTS, subjects, variants_for
from conformance.client import InProcessASGITransport
from conformance.emulator import Emulator
from conformance.emulator.variants import applicable_variants, get_variant, variant, variants
from conformance.errors import UsageError
from conformance.profile import Profile, load_profile

SEEDS = ("tourpaq", "daysoutguide")
# Variants whose effect shows only over time or under concurrency: tested by their own switch.
BEHAVIOURAL = {
    "whole-second-expiry": "expiry_whole_seconds",
    "refresh-grace-pair": "refresh_grace_pair",
    "refresh-revokes-replaced-access": "refresh_revokes_replaced_access",
    "refresh-grant-not-allowed": "restricted_refresh_refused",
    "reuse-revokes-grant": "reuse_revokes_access",
}
_RANDOM_MEMBERS = {"access_token", "refresh_token", "session_state", "trace_id"}


def _shape(value: Any) -> Any:
    """A random token reduced to what a variant may change: length, dots, hexadecimal or not."""
    if not isinstance(value, str):
        return value
    return (len(value), value.count("."), all(c in "0123456789abcdef" for c in value))


def _body(response: Any) -> Any:
    try:
        data = json.loads(response.content)
    except ValueError:
        return response.content
    if isinstance(data, dict):
        return {k: (_shape(v) if k in _RANDOM_MEMBERS else v) for k, v in sorted(data.items())}
    return data


def _seen(response: Any) -> tuple[Any, ...]:
    headers = sorted(
        (k.lower(), v) for k, v in response.headers.multi_items() if k.lower() != "content-length"
    )
    return response.status_code, tuple(headers), _body(response)


def _fingerprint(profile: Profile, names: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    """What a client sees of the emulator on a fixed set of requests, random parts reduced."""
    emulator = Emulator(profile, variants=names)
    credentials = emulator.credentials
    params = {"grant_type": "password", "username": credentials.username, "password": credentials.password}
    if profile.scope_value:
        params["scope"] = profile.scope_value
    headers: dict[str, str] = {}
    if profile.client_auth == "basic" and credentials.client is not None:
        pair = f"{credentials.client.client_id}:{credentials.client.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    path = profile.token_path
    seen = []
    with httpx.Client(
        transport=InProcessASGITransport(emulator.app), base_url="http://emulator.conformance"
    ) as http:

        def token(values: dict[str, str], sent: dict[str, str], **extra: Any) -> Any:
            if profile.parameter_location == "query":
                return http.post(path, params=values, headers=sent, **extra)
            return http.post(path, data=values, headers=sent, **extra)

        issued = token(params, headers)
        seen.append(_seen(issued))
        seen.append(_seen(token({**params, "password": "wrong"}, headers)))
        seen.append(_seen(token(params, {})))
        seen.append(_seen(token({**params, "scope[a]": "b"}, headers)))
        seen.append(
            _seen(
                http.post(
                    path, content=json.dumps(params), headers={**headers, "Content-Type": "application/json"}
                )
            )
        )
        seen.append(_seen(http.get(path)))
        access = json.loads(issued.content).get("access_token", "")
        for authorization in (f"Bearer {access}", "Bearer not-a-token", None):
            sent = {"Authorization": authorization} if authorization else {}
            seen.append(_seen(http.get("/protected", headers=sent)))
    return seen


def test_the_registry_has_ten_or_more_variants_each_with_its_reason() -> None:
    assert len(variants()) >= 10
    for found in variants().values():
        assert found.summary.strip() and "\n" not in found.summary
        assert "RFC" in found.allowed_by and "§" in found.allowed_by, found.name
        assert found.seen_in.strip(), found.name


@pytest.mark.parametrize("name", list(variants()))
def test_each_variant_applies_to_a_seed_profile(name: str) -> None:
    # A variant of a part no seed has (revocation, metadata, ...) applies to the self-test's host of it.
    assert any(get_variant(name).applies(load_profile(s.ref)) for s in subjects()), f"{name} applies nowhere"


@pytest.mark.parametrize("profile_name", SEEDS)
def test_the_fingerprint_of_the_plain_emulator_is_stable(profile_name: str) -> None:
    profile = load_profile(profile_name)
    assert _fingerprint(profile) == _fingerprint(profile)


@pytest.mark.parametrize(
    ("profile_name", "name"),
    [(p, v.name) for p in SEEDS for v in applicable_variants(load_profile(p)) if v.name not in BEHAVIOURAL],
)
def test_each_variant_changes_what_the_emulator_sends(profile_name: str, name: str) -> None:
    profile = load_profile(profile_name)
    plain, varied = _fingerprint(profile), _fingerprint(profile, (name,))
    assert plain != varied, f"{name} changes nothing {profile_name}'s emulator sends"


@pytest.mark.parametrize(("name", "switch"), sorted(BEHAVIOURAL.items()))
def test_behavioural_variants_turn_on_their_switch(name: str, switch: str) -> None:
    profile = load_profile("tourpaq")
    plain = Emulator(profile)
    if not hasattr(plain.behaviour, switch):
        with pytest.raises(UsageError, match=f"no Behaviour.{switch}"):
            Emulator(profile, variants=[name])
        pytest.skip(f"Behaviour.{switch} is not in this emulator yet")
    assert not getattr(plain.behaviour, switch)
    assert getattr(Emulator(profile, variants=[name]).behaviour, switch) is True


def test_a_variant_leaves_profiles_it_would_contradict_alone() -> None:
    days = load_profile("daysoutguide")
    # Days Out Guide documents its refusal body, takes its parameters in the query and has no refresh.
    for name in ("resource-refusal-spring-body", "other-media-type-415", "refresh-grace-pair"):
        assert not get_variant(name).applies(days)
    # The self-test's host profile runs them too: its claims switch on checks tourpaq skips.
    assert [s.name for s in subjects() if variants_for(s, ())] == [
        "tourpaq",
        "daysoutguide",
        "machine",
        "tourpaq-assumed",
        "tourpaq-services",
        "tourpaq-scoped",
        "machine-basic",
        "machine-post",
        "machine-scoped",
    ]
    assumed = next(s for s in subjects() if s.name == "tourpaq-assumed")
    assert "refresh-grace-pair" in variants_for(assumed, ())


def test_a_host_runs_the_variants_its_parent_cannot_and_those_its_claims_meet() -> None:
    by_name = {s.name: s for s in subjects()}
    for subject in by_name.values():
        if subject.parent is None:
            assert subject.name not in HOST_VARIANTS
            continue
        host, parent = load_profile(subject.ref), load_profile(subject.parent)
        applies = {v.name for v in applicable_variants(host)}
        inherited = {v.name for v in applicable_variants(parent)}
        meets = set(HOST_VARIANTS[subject.name])
        # Each named variant is one the parent runs too (else it runs anyway) and the host takes.
        assert meets <= applies & inherited, (subject.name, meets - (applies & inherited))
        assert set(variants_for(subject, ())) == (applies - inherited) | meets
    assert set(HOST_VARIANTS) == {s.name for s in by_name.values() if s.parent is not None}
    services = by_name["tourpaq-services"]
    assert "revocation-200-with-body" in variants_for(services, ())  # tourpaq has no revocation
    assert "hex-tokens" not in variants_for(services, ())  # tourpaq's run judges it alike
    # Named on the command line, a variant runs on every profile it applies to, hosts included.
    assert variants_for(services, ("hex-tokens",)) == ["hex-tokens"]


def test_unknown_variant_suggests_the_close_name() -> None:
    with pytest.raises(UsageError, match="no variant named 'hex-token'; did you mean 'hex-tokens'"):
        Emulator(load_profile("tourpaq"), variants=["hex-token"])


def test_registration_refuses_duplicates_and_a_missing_reason() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        variant("hex-tokens", "again", allowed_by="RFC 6749 §10.10", seen_in="x")(lambda emulator: None)
    with pytest.raises(ValueError, match="names no RFC section"):
        variant("brand-new", "no reason", allowed_by="", seen_in="x")
    assert "brand-new" not in variants()


def test_the_command_line_passes_variants_on(tmp_path: Path) -> None:
    run = build_parser().parse_args(["run", "--profile", "tourpaq", "--emulate", "--variant", "hex-tokens"])
    argv = pytest_arguments(run, tmp_path)
    assert argv[argv.index("--conformance-variant") + 1] == "hex-tokens"
    emulate = build_parser().parse_args(["emulate", "--profile", "tourpaq", "--variant", "jwt-access-tokens"])
    assert emulate.variant == ["jwt-access-tokens"]


def test_the_pytest_option_switches_a_variant_on(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_variant(conformance_run):
            assert conformance_run.emulator.variants == ("hex-tokens",)
        """
    )
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--conformance-profile",
        "tourpaq",
        "--conformance-emulate",
        "--conformance-variant",
        "hex-tokens",
    )
    result.assert_outcomes(passed=1)


def test_a_variant_needs_the_emulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--conformance-profile",
        "tourpaq",
        "--conformance-url",
        "http://127.0.0.1:9",
        "--conformance-variant",
        "hex-tokens",
    )
    assert "--conformance-variant needs --conformance-emulate" in result.stdout.str() + result.stderr.str()
