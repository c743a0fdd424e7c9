"""The redactor masks every known secret in every encoding, and tokens by fingerprint; it
leaves everything else as written (challenges, error codes, statements, made-up values)."""

from __future__ import annotations

import base64

import httpx
import pytest

from conformance.client import ConformanceClient, Credentials, Target
from conformance.client.exchange import redact_request
from conformance.clock import ManualClock
from conformance.profile import load_profile
from conformance.redaction import Redactor, fingerprint


def test_credentials_and_their_encodings_are_scrubbed() -> None:
    redactor = Redactor()
    redactor.add_credentials("client-one", "s3cr&t:value", "user-name", "p@ss word")
    text = " ".join(
        [
            "s3cr&t:value",
            "s3cr%26t%3Avalue",
            "p%40ss+word",
            "p@ss word",
            base64.b64encode(b"client-one:s3cr%26t%3Avalue").decode(),
            base64.b64encode(b"client-one:s3cr&t:value").decode(),
        ]
    )
    scrubbed = redactor.scrub(text)
    for secret in ("s3cr", "p@ss", "p%40ss", "Y2xpZW50"):
        assert secret not in scrubbed
    assert "<password>" in scrubbed and "<client_secret>" in scrubbed


def test_tokens_get_a_fingerprint_label() -> None:
    redactor = Redactor()
    token = "abcdefghijklmnopqrstuvwxyz0123456789"
    label = redactor.add_token(token, "access_token")
    assert label == f"<access_token {fingerprint(token)}>"
    assert redactor.scrub(f"token={token};") == f"token={label};"


def _knowing_everything() -> Redactor:
    """A redactor that knows credentials and a token, as during a run."""
    redactor = Redactor()
    redactor.add_credentials("client-one", "s3cr&t:value", "user-name", "p@ss word")
    redactor.add_token("abcdefghijklmnopqrstuvwxyz0123456789", "access_token")
    return redactor


# Texts that hold no secret: each must read exactly as written, however much the redactor knows.
READABLE = [
    'Bearer realm="x", error="invalid_token"',
    'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
    "Bearer error=invalid_token",
    "Bearer error=invalid_token, realm=x",
    'expected a Bearer challenge with error="invalid_token"',
    'Bearer error="invalid_request"',
    'Basic realm="conformance-emulator", charset="UTF-8"',
    "Bearer",
    "Basic",
    "invalid_token",
    "invalid_client",
    "unsupported_grant_type",
    "A protected resource accepts a valid token in the Authorization header with the Bearer scheme.",
    "RFC6750-3-challenge: expected a WWW-Authenticate: Bearer challenge; got Basic realm=api",
    "client authentication: the credentials under the Bearer scheme",
    "the token under the Basic scheme",
    "conformance-made-up-user",
    "conformance-made-up-password",
    "username=conformance-made-up-user&password=conformance-made-up-password",
    "conformance-no-such-user",
]


@pytest.mark.parametrize("text", READABLE)
def test_challenges_statements_and_made_up_values_read_as_written(text: str) -> None:
    redactor = _knowing_everything()
    assert redactor.scrub(text) == text
    assert redactor.scrub(f"< WWW-Authenticate: {text}") == f"< WWW-Authenticate: {text}"


def test_real_secrets_are_masked_in_every_form_and_place() -> None:
    redactor = _knowing_everything()
    token = "abcdefghijklmnopqrstuvwxyz0123456789"
    basic = base64.b64encode(b"client-one:s3cr%26t%3Avalue").decode()
    for text in (
        f"Authorization: Basic {basic}",
        f"Authorization: Bearer {token}",
        f'Bearer realm="x", error="invalid_token", error_description="{token} expired"',
        "password=p%40ss+word&client_secret=s3cr%26t%3Avalue",
        '{"password": "p@ss word"}',
    ):
        scrubbed = redactor.scrub(text)
        for secret in ("s3cr", "p@ss", "p%40ss", basic, token):
            assert secret not in scrubbed, text


def _recorded(authorization: str, redactor: Redactor) -> str:
    request = httpx.Request("GET", "http://x.test/protected", headers={"Authorization": authorization})
    url, headers, body = redact_request(request, redactor)
    return "\n".join(f"{k}: {v}" for k, v in headers)


@pytest.mark.parametrize(
    ("authorization", "shown"),
    [
        ("Bearer unknown.token-value", "Bearer <redacted "),
        ("Basic dXNlcjpwYXNz", "Basic <redacted "),
        ("Bearer abcdefghijklmBopqrstuvwxyz0123456789", "Bearer <redacted "),  # a near miss
        ("Bearer abcde fghijk", "Bearer <redacted "),
        ("Token unknown.token-value!", "Token <redacted "),
        ("unknown.token-value", "authorization: <redacted "),  # no scheme at all
    ],
)
def test_an_unknown_authorization_credential_is_masked_where_it_is_recorded(
    authorization: str, shown: str
) -> None:
    redactor = _knowing_everything()
    recorded = _recorded(authorization, redactor)
    credential = authorization.split(" ", 1)[-1]
    assert credential not in recorded and shown in recorded, recorded
    # Registered when recorded, where it could be a secret (as long as a key, or made from a known
    # one): the same text elsewhere (a traceback's locals) is masked too.
    if len(credential) >= 16 or "abcdefghijklm" in credential:
        assert credential not in redactor.scrub(f"header = {authorization!r}")


@pytest.mark.parametrize("word", ["skipped", "passed", "PROVIDER-DOC", "SHOULD"])
def test_a_made_up_word_sent_as_a_credential_is_masked_only_there(word: str) -> None:
    """Generated requests draw credentials from any text; "skipped" must not vanish from every
    report (results.json's statuses would break its schema)."""
    redactor = _knowing_everything()
    assert word not in _recorded(f"Bearer {word}", redactor)
    assert redactor.scrub(f'"status": "{word}"') == f'"status": "{word}"'


def test_a_short_near_miss_of_a_known_token_is_registered() -> None:
    redactor = Redactor()
    token = "Zq81xKp0"  # a server's short token
    redactor.add_token(token, "access_token")
    near_miss = "Zq81xKp1"
    assert near_miss not in _recorded(f"Bearer {near_miss}", redactor)
    assert near_miss not in redactor.scrub(f"example: {near_miss}")


def test_known_authorization_credentials_get_their_label() -> None:
    redactor = _knowing_everything()
    basic = base64.b64encode(b"client-one:s3cr%26t%3Avalue").decode()
    assert "Basic <basic-credentials>" in _recorded(f"Basic {basic}", redactor)
    token = "abcdefghijklmnopqrstuvwxyz0123456789"
    assert f"Bearer <access_token {fingerprint(token)}>" in _recorded(f"Bearer {token}", redactor)
    assert "authorization: Bearer" in _recorded("Bearer", redactor)  # no credential: nothing to mask


def test_a_recorded_exchange_masks_the_header_and_keeps_the_challenge() -> None:
    """Through the client: the request's credential masked, the response's challenge intact."""
    challenge = 'Bearer realm="api", error="invalid_token"'

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, headers={"WWW-Authenticate": challenge}, json={"error": "invalid_token"})

    profile = load_profile("tourpaq")
    client = ConformanceClient(
        profile,
        Target("http://x.test", False, "/protected"),
        Credentials.for_emulator(profile),
        Redactor(),
        ManualClock(),
        transport=httpx.MockTransport(refuse),
    )
    made_from_a_token = "Bearer eyJhbGciOi.malformed-from-a-real-token"
    exchange = client.call_resource(None, "resource: a malformed credential", authorization=made_from_a_token)
    client.close()
    rendered = exchange.render()
    assert "malformed-from-a-real-token" not in rendered
    assert "> authorization: Bearer <redacted " in rendered
    assert f"< www-authenticate: {challenge}" in rendered
    assert '"invalid_token"' in rendered


def test_short_values_are_not_scrubbed_from_free_text() -> None:
    redactor = Redactor()
    redactor.add_credentials(None, None, "name", "password123")
    assert redactor.scrub("username name") == "username name"
    assert redactor.scrub("password123") == "<password>"


def test_protocol_words_are_never_taken_for_secrets() -> None:
    """A generated Authorization header whose credential is a word of the protocol ("Token Bearer",
    schemathesis's "Bearer insufficient_scope") resembles a registered derived value ("Bearer
    <base64>"): were it registered, every challenge after it would read `<redacted ...>`, and the
    challenge checks would find no Bearer scheme (a false alarm seen on a real server)."""
    from conformance.client.exchange import mask_credentials

    redactor = Redactor()
    redactor.add("conformance machine+secret/3b8e%1d", "client_secret")
    redactor.add_derived("Bearer Y29uZm9ybWFuY2UtbWFjaGluZS1jbGllbnQ6eA==", "client_secret~bearer-scheme")
    for header in ("Token Bearer", "Bearer insufficient_scope", "Basic invalid_token"):
        mask_credentials(header, redactor)
    challenge = 'WWW-Authenticate: Bearer realm="api", error="insufficient_scope", scope="read"'
    assert redactor.scrub(challenge) == challenge
    assert redactor.scrub('{"error": "invalid_token"}') == '{"error": "invalid_token"}'
