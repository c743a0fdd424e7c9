"""`conformance probe` recovers each seed profile from its emulator, served over real HTTP.

Both emulators are served on loopback with 3-second tokens on the real clock, probed at once
by `conformance probe` in two processes (credentials from the environment), then tested by
`conformance run` with the written profiles. The written profile must match the built-in one
on every field the suite checks; where the built-in is silent (`unspecified`), it must match
what the emulator really does.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from conformance.client import ClientCredentials, Credentials
from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.behaviour import Behaviour, default_expires_in_unit
from conformance.emulator.server import serve
from conformance.profile import UNSPECIFIED, Profile, load_profile

pytestmark = pytest.mark.slow

SEEDS = ("tourpaq", "daysoutguide")
LIFETIME = 3
EXPIRY_WAIT = "6"
# Distinctive values, so any leak is found; Days Out Guide gets no client credentials at all.
KNOWN: dict[str, dict[str, str]] = {
    "tourpaq": {
        "CONFORMANCE_CLIENT_ID": "probe-cid-Qx71.example",
        "CONFORMANCE_CLIENT_SECRET": "probe-sec-Vb52:Kd/Zr+",
        "CONFORMANCE_USERNAME": "probe-user-Mt38",
        "CONFORMANCE_PASSWORD": "probe-pw-Lc95 Hs&=%",
    },
    "daysoutguide": {
        "CONFORMANCE_USERNAME": "probe-user-Wd44",
        "CONFORMANCE_PASSWORD": "probe-pw-Rn17 Gq&=%",
    },
}


@dataclass
class Probed:
    name: str
    url: str
    emulator: Emulator
    written: Path
    probe: subprocess.CompletedProcess[str]
    run: subprocess.CompletedProcess[str]

    @property
    def profile(self) -> Profile:
        return load_profile(str(self.written))

    @property
    def text(self) -> str:
        return self.written.read_text(encoding="utf-8")

    @property
    def prose(self) -> str:
        """The text with wrapped comments joined back into one line each."""
        return re.sub(r"\n *# ", " ", self.text)


def _environment(name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    return {**env, **KNOWN[name]}


def _credentials(name: str) -> Credentials:
    known = KNOWN[name]
    client = None
    if "CONFORMANCE_CLIENT_ID" in known:
        client = ClientCredentials(known["CONFORMANCE_CLIENT_ID"], known["CONFORMANCE_CLIENT_SECRET"])
    return Credentials(client, known["CONFORMANCE_USERNAME"], known["CONFORMANCE_PASSWORD"])


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "conformance.cli", *args]


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Probed]]:
    """Probe both emulators at once, then run the suite with both written profiles at once."""
    tmp = tmp_path_factory.mktemp("probe")
    with ExitStack() as stack:
        started = {}
        for name in SEEDS:
            profile = load_profile(name)
            emulator = Emulator(
                profile,
                clock=SystemClock(show_countdown=False),
                credentials=_credentials(name),
                lifetime=LIFETIME,
            )
            url = stack.enter_context(serve(emulator.app))
            written = tmp / f"{name}-probed.yaml"
            command = _cli(
                "probe",
                *("--url", url, "--token-path", profile.token_path, "--resource-path", "/protected"),
                *("--expiry-wait", EXPIRY_WAIT, "--name", f"{name}-probed", "--output", str(written)),
            )
            process = subprocess.Popen(
                command, env=_environment(name), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            started[name] = (emulator, url, written, command, process)
        probes = {}
        for name, (_, _, _, command, process) in started.items():
            out, err = process.communicate(timeout=60)
            probes[name] = subprocess.CompletedProcess(command, process.returncode, out, err)
        runs = {}
        for name, (_, url, written, *_) in started.items():
            command = _cli("run", "--profile", str(written), "--url", url, "--resource-path", "/protected")
            command += ["--report-dir", str(tmp / f"reports-{name}")]
            runs[name] = subprocess.Popen(
                command,
                env=_environment(name),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=tmp,
            )
        results = {}
        for name, (emulator, url, written, *_) in started.items():
            out, err = runs[name].communicate(timeout=120)
            run = subprocess.CompletedProcess(runs[name].args, runs[name].returncode, out, err)
            results[name] = Probed(name, url, emulator, written, probes[name], run)
        yield results


@pytest.fixture(params=SEEDS)
def seed(request: pytest.FixtureRequest, probed: dict[str, Probed]) -> Probed:
    result = probed[request.param]
    assert result.probe.returncode == 0, result.probe.stderr[-3000:]
    return result


def test_probe_writes_a_profile_extending_rfc6749(seed: Probed) -> None:
    assert seed.profile.name == f"{seed.name}-probed"
    assert seed.text.splitlines()[0].startswith("# Draft profile learned by `conformance probe`")
    assert "extends: rfc6749" in seed.text
    assert seed.profile.token_path == load_profile(seed.name).token_path
    assert f"wrote {seed.written}" in seed.probe.stderr
    assert seed.probe.stdout == ""  # the profile went to --output


def test_conformance_run_passes_with_the_written_profile(seed: Probed) -> None:
    assert seed.run.returncode == 0, seed.run.stdout[-4000:]
    assert "0 failed" in seed.run.stdout


def _emulated(seed: Probed) -> Behaviour:
    return seed.emulator.behaviour


def _used_refresh_token(b: Behaviour) -> str:
    if not b.refresh_grant:
        return UNSPECIFIED
    return "accepted" if b.used_refresh_token_accepted or not b.rotation else "rejected"


# field -> (its value in a profile, what the emulator really does where the built-in is silent)
FIELDS: dict[str, tuple[Callable[[Profile], object], Callable[[Behaviour], object]]] = {
    "client_auth": (lambda p: p.client_auth, lambda b: b.client_auth),
    "parameter_location": (lambda p: p.parameter_location, lambda b: b.parameter_location),
    "grant_password": (lambda p: p.grant_password, lambda b: b.password_grant),
    "refresh.supported": (lambda p: p.refresh.supported, lambda b: b.refresh_grant),
    "refresh.issues_refresh_token": (
        lambda p: p.refresh.issues_refresh_token,
        lambda b: b.issues_refresh_token,
    ),
    "refresh.rotation": (
        lambda p: p.refresh.rotation,
        lambda b: b.rotation if b.refresh_grant else UNSPECIFIED,
    ),
    "refresh.used_refresh_token": (lambda p: p.refresh.used_refresh_token, _used_refresh_token),
    "invalidates_earlier": (lambda p: p.invalidates_earlier, lambda b: b.invalidate_earlier),
    "token_type": (lambda p: p.token_type.lower(), lambda b: b.token_type.lower()),
}


@pytest.mark.parametrize("field", list(FIELDS))
def test_field_matches_the_builtin_profile(seed: Probed, field: str) -> None:
    value_of, truth = FIELDS[field]
    builtin = value_of(load_profile(seed.name))
    expected = truth(_emulated(seed)) if builtin == UNSPECIFIED else builtin
    assert value_of(seed.profile) == expected, f"{field}: {value_of(seed.profile)!r} != {expected!r}"


def test_expiry_unit_is_the_true_reading_observed(seed: Probed) -> None:
    builtin = load_profile(seed.name)
    written = seed.profile.expiry
    assert written.unit == default_expires_in_unit(builtin) == _emulated(seed).expires_in_unit
    assert written.alternative_units == ()  # observed, not guessed
    assert written.nominal_lifetime == LIFETIME
    assert "source: probe §expiry (observed)" in seed.text


def test_days_out_guide_invalidation_rule_and_real_unit(probed: dict[str, Probed]) -> None:
    seed = probed["daysoutguide"]
    builtin, written = load_profile("daysoutguide"), seed.profile
    assert written.invalidates_earlier is True
    assert "a new token request invalidated the first token" in seed.prose
    assert "EVERY TOKEN REQUEST LOGS OUT EARLIER TOKENS" in seed.text
    # The documentation claims milliseconds; the server means seconds.
    assert builtin.expiry.unit == "milliseconds" and written.expiry.unit == "seconds"
    assert re.search(r"milliseconds \(0\.002 s\) ruled out: still accepted at [23]\.\d\d s", seed.prose)
    assert written.resource.rejection.body_schema == builtin.resource.rejection.body_schema


def test_tourpaq_rejection_is_recorded_as_documented(probed: dict[str, Probed]) -> None:
    written, builtin = (
        probed["tourpaq"].profile.resource.rejection,
        load_profile("tourpaq").resource.rejection,
    )
    assert (written.status, written.www_authenticate, written.body_schema) == (
        builtin.status,
        builtin.www_authenticate,
        builtin.body_schema,
    )


def test_every_learned_value_says_how(seed: Probed) -> None:
    lines = seed.text.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^ {2,}[a-z_]+: \S", line) and not line.strip().startswith("source:"):
            if line.strip().startswith("probe:"):
                continue  # the sources entry
            assert lines[number - 1].lstrip().startswith("#"), f"no comment above {line!r}"


def test_requests_and_time_stay_small(seed: Probed) -> None:
    match = re.search(r"by experiment: (\d+) requests", seed.prose)
    assert match is not None
    assert int(match.group(1)) <= 40
    assert f"conformance probe: {match.group(1)} requests" in seed.probe.stderr
    # It reports its own time (about 4 s, most of it watching a 3-second token die); how long it
    # takes is a figure for benchmarks, not an assertion.
    reported = re.search(
        r"conformance probe: \d+ requests \(\d+ token requests\) in ([\d.]+) s", seed.probe.stderr
    )
    assert reported is not None, seed.probe.stderr


def _needles(name: str, tokens: list[str]) -> dict[str, str]:
    known = KNOWN[name]
    needles = {
        form: key
        for key, value in known.items()
        for form in {value, quote(value, safe=""), quote_plus(value)}
    }
    if "CONFORMANCE_CLIENT_ID" in known:
        for pair in (
            f"{known['CONFORMANCE_CLIENT_ID']}:{known['CONFORMANCE_CLIENT_SECRET']}",
            f"{quote_plus(known['CONFORMANCE_CLIENT_ID'])}:{quote_plus(known['CONFORMANCE_CLIENT_SECRET'])}",
        ):
            needles[base64.b64encode(pair.encode()).decode()] = "base64(client_id:secret)"
    needles.update({token: "issued token" for token in tokens})
    return needles


def test_nothing_secret_in_the_probes_output(seed: Probed) -> None:
    tokens = seed.emulator.store.issued_tokens()
    assert len(tokens) >= 4
    outputs = {"stdout": seed.probe.stdout, "stderr": seed.probe.stderr, "profile": seed.text}
    leaks = [
        f"{what} in {where}"
        for where, text in outputs.items()
        for needle, what in _needles(seed.name, tokens).items()
        if needle in text
    ]
    assert not leaks, leaks
    assert "<redacted" not in seed.text  # nothing was even close to a secret
    assert "#1 HTTP" in seed.probe.stderr  # the exchanges are listed, by number and outcome
