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


def _leftmost_longest(text: str, known: dict[str, str]) -> str:
    """The reference: at each position, the longest known token that starts there."""
    out, i = [], 0
    while i < len(text):
        hit = max((t for t in known if text.startswith(t, i)), key=len, default=None)
        if hit is None:
            out.append(text[i])
            i += 1
        else:
            out.append(known[hit])
            i += len(hit)
    return "".join(out)


def test_tokens_inside_runs_are_found_leftmost_longest_whatever_their_lengths() -> None:
    """Tokens of mixed lengths, prefixes of each other, registered in any order (a shorter one
    re-anchors the index), run together: every one is found, as the plain search finds it."""
    alphabet = "abAB01-_."
    token = st.text(alphabet, min_size=6, max_size=14)

    @settings(max_examples=300, derandomize=True, database=None)
    @given(st.lists(token, min_size=1, max_size=4), st.data())
    def exact(bases: list[str], data: st.DataObject) -> None:
        # Some tokens are prefixes of others: the longest must win where both start.
        prefixes = [b[:n] for b in bases for n in data.draw(st.sets(st.integers(6, len(b)), max_size=2))]
        tokens = data.draw(st.permutations(sorted({*bases, *prefixes})))
        redactor = Redactor()
        known = {t: redactor.add_token(t, "access_token") for t in tokens}
        pieces = data.draw(st.lists(st.sampled_from(tokens) | st.text(alphabet, max_size=4), max_size=8))
        text = "".join(pieces)
        assert redactor.scrub(text) == _leftmost_longest(text, known)

    exact()
