"""Real credentials go only where the profile puts them (issue 8, point 6).

A full run against each seed profile's emulator, scripted and generated layers alike, with
every request captured at the transport, before any redaction: no real username, password or
client secret (in clear, URL-encoded or base64) may appear in the URL of a profile that puts
them in the body, nor anywhere in a request whose shape the profile would not send (another
method, another Content-Type, parameters in the other place, another path).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit

import httpx
import pytest

from conformance.client import InProcessASGITransport
from conformance.profile import Profile, load_profile
from tests.conftest import SuiteRun

# Distinctive values (a short, common username such as "name" would match "username="), with
# the characters form and Basic encoding change: ':', '&', '=', '+', a space.
CREDENTIALS = {
    "CONFORMANCE_USERNAME": "wire-user.Kq7",
    "CONFORMANCE_PASSWORD": "wire:Pass=w0rd&x+y z",
    "CONFORMANCE_CLIENT_ID": "wire-client.tp",
    "CONFORMANCE_CLIENT_SECRET": "wire-secret:5e&d=Q9",
}
LABELS = {
    "CONFORMANCE_USERNAME": "username",
    "CONFORMANCE_PASSWORD": "password",
    "CONFORMANCE_CLIENT_SECRET": "client secret",
}
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Sent:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: str

    def line(self) -> str:
        return f"{self.method} {self.url}"


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 characters that depend only on `raw`, at each of the three alignments it can
    have inside a longer encoded text (base64 of "id:secret" holds the secret at one of them)."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode("ascii")
        start, end = -(-8 * shift // 6), 8 * (shift + len(raw)) // 6
        core = encoded[start:end]
        if len(core) >= 8:
            cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


def forms_of(value: str) -> set[str]:
    """The ways a credential can be written into a request."""
    forms = {value, quote(value, safe=""), quote_plus(value), quote(value)}
    forms |= _base64_cores(value.encode("utf-8"))
    forms |= _base64_cores(quote_plus(value).encode("ascii"))
    return forms


def leaked(text: str, secrets: dict[str, set[str]]) -> list[str]:
    """The credentials found in `text` (also once percent-decoded)."""
    texts = {text, unquote(text), unquote_plus(text)}
    return sorted(label for label, forms in secrets.items() if any(f in t for f in forms for t in texts))


def documented_shape(profile: Profile, sent: Sent) -> bool:
    """Whether the profile itself would send a request of this shape, credentials included."""
    if sent.method.upper() != profile.token_method.upper() or urlsplit(sent.url).path != profile.token_path:
        return False
    if profile.parameter_location == "query":
        return not sent.body
    media = next((v for k, v in sent.headers if k.lower() == "content-type"), None)
    media_type = media.split(";")[0].strip().lower() if media is not None else None
    # The query is judged on its own (no real credential in a URL, above): made-up client
    # credentials there (RFC 6749 §2.3.1's check) leave the request of the documented shape.
    return not sent.body or media_type == FORM


def misplaced(profile: Profile, requests: list[Sent], secrets: dict[str, set[str]]) -> list[str]:
    problems = []
    for sent in requests:
        if profile.parameter_location == "body":
            for label in leaked(sent.url, secrets):
                problems.append(f"{label} in the URL: {sent.method} {sent.url}")
        if documented_shape(profile, sent):
            continue
        texts = [sent.url, sent.body] + [f"{k}: {v}" for k, v in sent.headers]
        for label in sorted({label for text in texts for label in leaked(text, secrets)}):
            problems.append(f"{label} in a request the profile would not send: {sent.line()}")
    return problems


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> list[Sent]:
    """Every request the in-process transport is handed, exactly as it would go on the wire."""
    captured: list[Sent] = []
    handle = InProcessASGITransport.handle_request

    def capture(self: InProcessASGITransport, request: httpx.Request) -> httpx.Response:
        body = request.read().decode("utf-8", "replace")
        headers = [(k.decode("ascii"), v.decode("utf-8", "replace")) for k, v in request.headers.raw]
        captured.append(Sent(request.method, str(request.url), headers, body))
        return handle(self, request)

    monkeypatch.setattr(InProcessASGITransport, "handle_request", capture)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return captured


@pytest.mark.parametrize("profile_name", ["tourpaq", "daysoutguide"])
@pytest.mark.slow
def test_real_credentials_only_where_the_profile_puts_them(
    run_suite: Callable[..., SuiteRun], wire: list[Sent], profile_name: str
) -> None:
    profile = load_profile(profile_name)
    secrets = {LABELS[name]: forms_of(CREDENTIALS[name]) for name in LABELS}
    if profile.client_auth == "none":
        del secrets["client secret"]
    run = run_suite(profile_name)
    assert run.ret in (0, 1), run.output
    generated = [s for s in wire if not documented_shape(profile, s)]
    # The run did send requests of other shapes (the property layer's placement and
    # Content-Type moves, the resource requests): the check below looked at them.
    assert len(wire) > 100 and len(generated) > 10, (len(wire), len(generated))
    problems = misplaced(profile, wire, secrets)
    assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} in all)"


def test_the_check_sees_every_form_of_a_credential() -> None:
    """The detector itself: each encoding is found, documented places are left alone."""
    profile = load_profile("tourpaq")
    password = CREDENTIALS["CONFORMANCE_PASSWORD"]
    secret = CREDENTIALS["CONFORMANCE_CLIENT_SECRET"]
    secrets = {"password": forms_of(password), "client secret": forms_of(secret)}
    basic = base64.b64encode(f"id:{quote_plus(secret)}".encode()).decode()
    post, path = profile.token_method, profile.token_path
    form = [("Content-Type", FORM)]
    cases = {
        "password in the query": Sent(post, f"http://x{path}?password={quote_plus(password)}", form, ""),
        "password in a JSON body": Sent(
            post, f"http://x{path}", [("Content-Type", "application/json")], f'{{"password": "{password}"}}'
        ),
        "Basic credentials on GET": Sent("GET", f"http://x{path}", [("Authorization", f"Basic {basic}")], ""),
        "the secret's base64 in a query": Sent(post, f"http://x{path}?c={basic}", form, ""),
    }
    for what, sent in cases.items():
        assert misplaced(profile, [sent], secrets), what
    documented = Sent(
        post,
        f"http://x{path}",
        [("Content-Type", FORM), ("Authorization", f"Basic {basic}")],
        f"grant_type=password&password={quote_plus(password)}",
    )
    assert misplaced(profile, [documented], secrets) == []
