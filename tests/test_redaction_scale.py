"""The redactor stays exact with the hundreds of tokens a property run issues."""

from __future__ import annotations

import secrets
from urllib.parse import quote_plus, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.client.client import _quote
from conformance.client.exchange import _form_quote
from conformance.redaction import Redactor


def test_thousands_of_tokens_are_scrubbed_exactly() -> None:
    # How fast is measured by benchmarks/redaction_time.py: no test asserts a wall-clock time.
    redactor = Redactor()
    redactor.add_credentials("client-one", "s3cret-value", "user-name", "pass word!")
    tokens = [secrets.token_urlsafe(32) for _ in range(2000)]
    labels = [redactor.add_token(token, "access_token") for token in tokens]
    text = " ".join(f'{{"access_token": "{t}"}} refresh_token={t}&x=1 x{t}y' for t in tokens[::100])
    scrubbed = redactor.scrub(text)
    assert not any(t in scrubbed for t in tokens)
    assert all(label in scrubbed for label in labels[::100])


def test_tokens_outside_the_token_alphabet_and_their_encodings() -> None:
    redactor = Redactor()
    odd = 'tok"en with spaces!'
    padded = "abc/+def=="
    odd_label = redactor.add_token(odd, "access_token")
    padded_label = redactor.add_token(padded, "refresh_token")
    assert redactor.scrub(f"[{odd}]") == f"[{odd_label}]"
    assert redactor.scrub("refresh_token=abc%2F%2Bdef%3D%3D&a=b") == f"refresh_token={padded_label}&a=b"
    assert redactor.scrub(f"{padded}x") == f"{padded_label}x"


def test_credentials_still_match_inside_other_text() -> None:
    redactor = Redactor()
    redactor.add_credentials(None, None, "user-name", "password123")
    redactor.add_token(secrets.token_urlsafe(32), "access_token")
    assert redactor.scrub("xpassword123y") == "x<password>y"


def test_fast_form_encoding_equals_urllib() -> None:
    @settings(max_examples=500, derandomize=True, database=None)
    @given(st.text())
    def same(text: str) -> None:
        assert _form_quote(text) == urlencode([(text, "")], safe="<>: ")[:-1]
        assert _quote(text) == quote_plus(text)

    same()


def test_clean_texts_are_remembered_only_while_still_clean() -> None:
    redactor = Redactor()
    redactor.add_credentials(None, None, "user-name", "password123")
    header = "application/json; x=password12"
    assert redactor.scrub(header) == header  # remembered as clean
    redactor.add_credentials(None, None, None, "password12")  # a new credential inside it
    assert redactor.scrub(header) == "application/json; x=<password>"
