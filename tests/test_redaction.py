"""The redactor masks every known secret in every encoding, and tokens by fingerprint."""

from __future__ import annotations

import base64

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


def test_unknown_authorization_credentials_are_masked() -> None:
    scrubbed = Redactor().scrub("Authorization: Bearer unknown.token-value and Basic dXNlcjpwYXNz")
    assert "unknown.token-value" not in scrubbed and "dXNlcjpwYXNz" not in scrubbed


def test_challenges_are_left_readable() -> None:
    challenge = 'Bearer realm="api", error="invalid_token"'
    assert Redactor().scrub(challenge) == challenge


def test_short_values_are_not_scrubbed_from_free_text() -> None:
    redactor = Redactor()
    redactor.add_credentials(None, None, "name", "password123")
    assert redactor.scrub("username name") == "username name"
    assert redactor.scrub("password123") == "<password>"
