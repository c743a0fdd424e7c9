"""A request's curl line runs as printed: credentials as environment references, never values.

Each line is run by a POSIX shell with `curl` replaced by `printf`: what comes out is exactly the
argument list curl would get, so these tests see what the shell rebuilds from the environment.
"""

from __future__ import annotations

import base64
import os
import subprocess
from urllib.parse import urlencode

import httpx
import pytest

from conformance.client.curl import CurlLine, curl_line
from conformance.credentials import basic_authorization
from conformance.redaction import Redactor

ENVIRONMENT = {
    "CONFORMANCE_CLIENT_ID": "booking.example.com",
    "CONFORMANCE_CLIENT_SECRET": "4d20e05e46f6e4b8eda95f344ede10b5",
    "CONFORMANCE_USERNAME": "name",
    "CONFORMANCE_PASSWORD": "pass word&123",
}
ID, SECRET, USER, PASSWORD = ENVIRONMENT.values()
TOKEN_URL = "https://api.example.com/api/token"


@pytest.fixture
def redactor() -> Redactor:
    redactor = Redactor()
    redactor.add_credentials(ID, SECRET, USER, PASSWORD)
    return redactor


def _argv(line: CurlLine) -> list[str]:
    """The arguments curl would get from `line`, in a shell with the run's environment."""
    assert line.blocked is None and line.text.startswith("curl ")
    printed = subprocess.run(
        ["sh", "-c", "printf '%s\\n' " + line.text.removeprefix("curl ")],
        env={**os.environ, **ENVIRONMENT},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return printed.splitlines()


def _form(*pairs: tuple[str, str], authorization: str | None = None) -> httpx.Request:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return httpx.Request("POST", TOKEN_URL, content=urlencode(list(pairs)).encode(), headers=headers)


def _no_secret_in(text: str) -> None:
    for value in ENVIRONMENT.values():
        if len(value) > 4:  # the 4-letter username is a word ("name") that may stand anywhere
            assert value not in text


def test_the_documented_request_names_the_variables_and_runs_as_sent(redactor: Redactor) -> None:
    request = _form(
        ("grant_type", "password"),
        ("scope", "read"),
        ("username", USER),
        ("password", PASSWORD),
        authorization=basic_authorization(ID, SECRET),
    )
    line = curl_line(request, ENVIRONMENT, redactor)
    _no_secret_in(line.text)
    assert '-u "$CONFORMANCE_CLIENT_ID:$CONFORMANCE_CLIENT_SECRET"' in line.text
    assert '--data-urlencode "password=$CONFORMANCE_PASSWORD"' in line.text
    argv = _argv(line)
    assert argv[argv.index("-u") + 1] == f"{ID}:{SECRET}"
    assert argv[argv.index("--data-raw") + 1] == "grant_type=password&scope=read"
    data = [argv[i + 1] for i, a in enumerate(argv) if a == "--data-urlencode"]
    assert data == [f"username={USER}", f"password={PASSWORD}"]  # curl encodes what the shell expands
    assert argv[argv.index("-X") + 1] == "POST" and TOKEN_URL in argv


def test_a_near_miss_secret_is_rebuilt_by_the_shell(redactor: Redactor) -> None:
    wrong = SECRET[:-1] + "x"
    request = _form(("grant_type", "password"), authorization=basic_authorization(ID, wrong))
    line = curl_line(request, ENVIRONMENT, redactor)
    assert '"$CONFORMANCE_CLIENT_ID:${CONFORMANCE_CLIENT_SECRET%?}x"' in line.text
    argv = _argv(line)
    assert argv[argv.index("-u") + 1] == f"{ID}:{wrong}"


def test_credentials_under_another_scheme_are_encoded_by_the_shell(redactor: Redactor) -> None:
    encoded = base64.b64encode(f"{ID}:{SECRET}".encode()).decode()
    line = curl_line(
        _form(("grant_type", "password"), authorization="Bearer " + encoded), ENVIRONMENT, redactor
    )
    _no_secret_in(line.text)
    assert encoded not in line.text
    argv = _argv(line)
    assert f"authorization: Bearer {encoded}" in argv


def test_a_query_string_profile_puts_references_in_the_url(redactor: Redactor) -> None:
    environment = {**ENVIRONMENT, "CONFORMANCE_PASSWORD": "LxZsWrGV"}
    redactor.add_credentials(None, None, None, "LxZsWrGV")
    request = httpx.Request(
        "POST", "https://api.example.com/token", params={"grant_type": "password", "password": "LxZsWrGV"}
    )
    line = curl_line(request, environment, redactor)
    assert '"https://api.example.com/token?grant_type=password&password=$CONFORMANCE_PASSWORD"' in line.text
    # A value that needs URL encoding cannot stand in a URL as the shell expands it.
    encoded = httpx.Request("POST", "https://api.example.com/token", params={"password": PASSWORD})
    assert curl_line(encoded, ENVIRONMENT, redactor).blocked is not None


def test_a_token_issued_earlier_blocks_the_line_and_says_so(redactor: Redactor) -> None:
    token = redactor.add_token("rt-" + "7" * 40, "refresh_token")
    assert token.startswith("<refresh_token")
    request = _form(("grant_type", "refresh_token"), ("refresh_token", "rt-" + "7" * 40))
    line = curl_line(request, ENVIRONMENT, redactor)
    assert line.text == ""
    assert line.blocked == "it presents a refresh token the target issued to an earlier request"
    bearer = httpx.Request(
        "GET", "https://api.example.com/r", headers={"Authorization": "Bearer rt-" + "7" * 40}
    )
    assert "refresh token" in str(curl_line(bearer, ENVIRONMENT, redactor).blocked)


@pytest.mark.parametrize(
    "password",
    [PASSWORD.swapcase(), "abc", PASSWORD[2:]],
    ids=["case swapped", "short unknown", "truncated at the front"],
)
def test_a_credential_changed_beyond_rebuilding_is_never_printed(redactor: Redactor, password: str) -> None:
    line = curl_line(_form(("username", USER), ("password", password)), ENVIRONMENT, redactor)
    assert line.text == "" and line.blocked is not None
    assert "credential" in line.blocked


def test_a_body_that_is_not_a_form_goes_as_it_was_unless_it_holds_a_secret(redactor: Redactor) -> None:
    made_up = httpx.Request("POST", TOKEN_URL, json={"username": "conformance-made-up-user"})
    argv = _argv(curl_line(made_up, ENVIRONMENT, redactor))
    assert argv[argv.index("--data-raw") + 1] == '{"username":"conformance-made-up-user"}'
    secret = httpx.Request("POST", TOKEN_URL, json={"password": PASSWORD})
    assert curl_line(secret, ENVIRONMENT, redactor).blocked is not None


def test_a_body_without_content_type_gets_none_from_curl(redactor: Redactor) -> None:
    request = httpx.Request("POST", TOKEN_URL, content=b"grant_type=password")
    assert "content-type" not in request.headers
    argv = _argv(curl_line(request, ENVIRONMENT, redactor))
    assert "content-type:" in argv  # an empty -H removes the header curl would add to a body


def test_an_in_process_target_is_not_runnable_alone(redactor: Redactor) -> None:
    line = curl_line(_form(("grant_type", "password")), ENVIRONMENT, redactor, emulated=True)
    assert line.text.startswith("curl ") and line.blocked is not None and "emulator" in line.blocked
