"""No credential, no base64 form of one, and no issued token is ever written anywhere.

The suite runs as a user would run it (`conformance run` in a subprocess, against a served
emulator, with credentials from the environment), once passing and once failing, at -vv;
then every byte of the terminal output and of the three reports is searched.
"""

from __future__ import annotations

import base64
import html
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from conformance.client import ClientCredentials, Credentials
from conformance.clock import SystemClock
from conformance.config.arguments import suite_argv
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.profile import load_profile
from tests.conftest import SuiteRun

KNOWN = {
    "client_id": "cid-Zq81xK.example",
    "client_secret": "sec-Wf93:Lm/Pq+",
    "username": "user-Hn27Rd",
    "password": "pw-Xy64 Tb&=%",
}


def _forms(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value)}


def _needles(tokens: list[str]) -> dict[str, str]:
    needles = {}
    for name, value in KNOWN.items():
        for form in _forms(value):
            needles[form] = name
    for pair in (
        f"{KNOWN['client_id']}:{KNOWN['client_secret']}",
        f"{quote_plus(KNOWN['client_id'])}:{quote_plus(KNOWN['client_secret'])}",
    ):
        needles[pair] = "client_id:secret"
        needles[base64.b64encode(pair.encode()).decode()] = "base64(client_id:secret)"
    for token in tokens:
        needles[token] = "issued token"
    return needles


def _readable(text: str) -> str:
    """The text as a reader could see it: HTML entities undone, embedded base64 decoded."""
    while (unescaped := html.unescape(text)) != text:
        text = unescaped
    decoded = [
        base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", "replace")
        for blob in re.findall(r"base64,([A-Za-z0-9+/=]+)", text)
    ]
    return "\n".join([text, *decoded])


def _written(report_dir: Path) -> dict[str, str]:
    """Every file a run wrote, readable, by its path: pytest's cache beside the reports too."""
    return {
        str(p.relative_to(report_dir)): _readable(p.read_text(encoding="utf-8"))
        for p in report_dir.rglob("*")
        if p.is_file()
    }


def _leaks(outputs: dict[str, str], needles: dict[str, str]) -> list[str]:
    return [
        f"{what} found in {where}"
        for where, text in outputs.items()
        for needle, what in needles.items()
        if needle in text
    ]


@pytest.mark.parametrize(
    ("profile_name", "defect"),
    [
        ("tourpaq", None),
        ("tourpaq", "expires-in-string"),
        ("daysoutguide", None),
        ("daysoutguide", "keeps-earlier-tokens"),
    ],
)
@pytest.mark.slow
def test_no_secret_in_any_output(tmp_path: Path, profile_name: str, defect: str | None) -> None:
    profile = load_profile(profile_name)
    client = (
        ClientCredentials(KNOWN["client_id"], KNOWN["client_secret"])
        if profile.client_auth != "none"
        else None
    )
    credentials = Credentials(client, KNOWN["username"], KNOWN["password"])
    emulator = Emulator(
        profile,
        clock=SystemClock(show_countdown=False),
        credentials=credentials,
        defects=[defect] if defect else [],
    )
    env = {**os.environ, **{f"CONFORMANCE_{k.upper()}": v for k, v in KNOWN.items()}}
    report_dir = tmp_path / "reports"
    with serve(emulator.app) as url:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "conformance.cli",
                "run",
                "--profile",
                profile_name,
                "--url",
                url,
                "--resource-path",
                "/protected",
                "--report-dir",
                str(report_dir),
                "--",
                "-vv",
                "-rA",
                "-o",
                "log_cli=true",
                "--log-level=DEBUG",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    assert completed.returncode == (1 if defect else 0), completed.stdout[-3000:]
    tokens = [*emulator.store.issued_tokens()]
    assert len(tokens) >= 8
    outputs = {"stdout": completed.stdout, "stderr": completed.stderr, **_written(report_dir)}
    assert set(outputs) >= {"report.html", "junit.xml", "results.json"}
    assert not _leaks(outputs, _needles(tokens)), _leaks(outputs, _needles(tokens))
    assert "<password>" in outputs["report.html"]  # the exchanges are there, masked


def test_the_documents_example_credentials_are_scrubbed_from_every_byte_written(
    run_suite: Callable[..., SuiteRun],
) -> None:
    """Tourpaq's documents quote their example credentials, and its emulator accepts exactly those
    (a deployment may keep the documented ones): the report's "Documentation settled by evidence"
    once printed them. Every byte the run writes is searched, the terminal's too."""
    known = load_profile("tourpaq").emulator
    run = run_suite("tourpaq", "-k", "test_token_response_is_as_documented", reports=True)
    assert run.ret == 0, run.output
    outputs = {"terminal": run.output, **_written(run.report_dir)}
    needles = {
        form: name
        for name, value in (
            ("client secret", known.client_secret),
            ("password", known.password),
            ("client id:secret", f"{known.client_id}:{known.client_secret}"),
        )
        for form in _forms(value) | {base64.b64encode(value.encode()).decode()}
    }
    assert not _leaks(outputs, needles), _leaks(outputs, needles)
    settled = outputs["report.html"].split("Documentation settled by evidence", 2)[-1]
    assert "the Basic header of the same example decodes to <basic-credentials>" in settled


def test_assertion_rewriting_is_scrubbed(pytester: pytest.Pytester) -> None:
    """A user's own scenario that asserts on a token prints no token, even at -vv with -l."""
    pytester.makepyfile(
        """
        import pathlib

        def test_asserts_on_a_token(conformance):
            token = conformance.obtain_token()
            pathlib.Path("issued.txt").write_text(token.access_token)
            assert token.access_token == "something else", f"token was {token.access_token}"
        """
    )
    own = suite_argv({"profile": "daysoutguide", "emulate": True}, scenarios=None, extra=["-vv", "-l"])
    result = pytester.runpytest_inprocess(*own)
    output = result.stdout.str() + result.stderr.str()
    token = (pytester.path / "issued.txt").read_text()
    assert "something else" in output  # the assertion was reported ...
    assert token not in output  # ... without the token


@pytest.mark.slow
def test_client_exceptions_are_scrubbed() -> None:
    """A transport error on a query-string profile: the password is in the URL, not in the error."""
    import anyio
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from conformance.client import ConformanceClient, Target
    from conformance.errors import TransportFailure
    from conformance.redaction import Redactor

    async def hang(request: Request) -> JSONResponse:
        await anyio.sleep(1)
        return JSONResponse({})

    profile = load_profile("daysoutguide")
    credentials = Credentials(None, KNOWN["username"], KNOWN["password"])
    app = Starlette(routes=[Route("/{path:path}", hang, methods=["POST", "GET"])])
    with serve(app) as url:
        client = ConformanceClient(
            profile, Target(url, False, "/protected"), credentials, Redactor(), SystemClock(), timeout=0.2
        )
        with pytest.raises(TransportFailure) as caught:
            client.password_grant("token: password grant")
        client.close()
    message = str(caught.value)
    assert "password=<password>" in message and "timed out after 0.2 s" in message
    for form in _forms(KNOWN["password"]) | _forms(KNOWN["username"]):
        assert form not in message
