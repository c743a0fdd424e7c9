"""Secrets never leave the process in clear: every text written anywhere passes through here.

Credentials are registered when the run starts, tokens the moment a response carries them;
`scrub` replaces each known secret, and its URL-encoded and base64 forms, by a label.
Tokens get a short SHA-256 fingerprint so a reader can still tell two tokens apart.

`scrub` masks known values only: a challenge (`Bearer error="invalid_token"`), an error code,
a requirement's statement ("... with the Bearer scheme") and made-up values read as they are.
An unknown credential can only be told by where it stands: the Authorization request header
(masked by name where requests are recorded, `conformance.client.exchange`) and the secret
request parameters.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote, quote_plus

from conformance.requirements.rfc import rfc6749

__all__ = ["Redactor", "fingerprint", "token_key"]

# Shorter values ("name", "read") are too common to scrub from free text without mangling it;
# they are masked only where they stand in a known field (see conformance.client.exchange).
MIN_SCRUB_LENGTH = 6

# A run of characters tokens are made of (RFC 6750 b64token, and percent-escapes of others).
_TOKEN_CHAR = r"(?:[A-Za-z0-9\-._~+/=]|%[0-9A-Fa-f]{2})"
_UNESCAPED = re.compile(r"[A-Za-z0-9_.~-]+")
_TOKEN_RUN = re.compile(_TOKEN_CHAR + "{" + str(MIN_SCRUB_LENGTH) + ",}")


@lru_cache(maxsize=8192)  # the redactor, the client and the ledger each ask for the same tokens
def token_key(value: str) -> str:
    """A stable, non-reversible key for a token (full SHA-256)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


# What the protocol itself says in headers and bodies: auth schemes (RFC 7235), error codes (RFC
# 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1), grant and token types, challenge attributes.
PROTOCOL_WORDS = frozenset(
    {
        "basic",
        "bearer",
        "digest",
        "negotiate",
        "dpop",
        "token",
        "realm",
        "error",
        "scope",
        *rfc6749.ERROR_CODES,
        "invalid_token",
        "insufficient_scope",
        "unsupported_token_type",
        "server_error",
        "temporarily_unavailable",
        "access_denied",
        "password",
        "refresh_token",
        "client_credentials",
        "authorization_code",
        "access_token",
    }
)


def fingerprint(value: str) -> str:
    """The short form of `token_key`, for people reading reports."""
    return token_key(value)[:8]


class Redactor:
    """Knows every secret of the run and scrubs them from any text.

    Credentials (a handful, any characters) are found by one regular expression. Issued tokens
    (hundreds in a property run) are found by looking up the runs of token characters in a
    dict, so registering one more token costs nothing and scrubbing stays linear in the text.
    """

    def __init__(self) -> None:
        self._labels: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        self._pattern_values: set[str] = set()  # found by the regular expression
        self._token_values: list[str] = []  # the values found by lookup
        # Those values by their first `anchor` characters (anchor: the shortest one's length),
        # each with the lengths that start so, longest first: one dict lookup per position of
        # a run finds every value that can start there. Its length tuples are replaced, never
        # changed in place, and a new anchor replaces the whole index: a scrub in another thread
        # sees a consistent one.
        self._index: tuple[int, dict[str, tuple[int, ...]]] = (0, {})
        self._runs: re.Pattern[str] | None = None  # runs at least as long as the shortest of them
        # Texts found clean (header values repeat on every exchange), with the patterns they were
        # checked against: a new credential or a shorter token changes those and so the verdict.
        self._clean: dict[str, tuple[object, object]] = {}
        self._lock = threading.Lock()

    def add(self, value: str | None, label: str) -> None:
        if not value or len(value) < MIN_SCRUB_LENGTH:
            return
        # As written into a URL or form, into HTML or XML, into JSON: every byte written is scrubbed.
        variants = {
            value,
            quote(value, safe=""),
            quote_plus(value),
            html.escape(value),
            html.escape(value, quote=False),
            json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1],
        }
        with self._lock:
            for variant in variants - self._pattern_values:
                self._labels.setdefault(variant, f"<{label}>")
                self._pattern_values.add(variant)
                self._pattern = None

    def add_derived(self, value: str, label: str) -> None:
        """Register a value made from a secret or a token (a near miss, a suffix) as `<label>`.

        Cheap to call for hundreds of values: those made of token characters are found by lookup.
        A word of the protocol (an auth scheme, an error code) is never one: masked, it would hide
        what every challenge and error says (`Bearer`, `insufficient_scope`).
        """
        if len(value) < MIN_SCRUB_LENGTH or value in self._labels or value.strip().lower() in PROTOCOL_WORDS:
            return
        # Characters never escaped (most tokens): the value is its own URL-encoded form.
        variants = (
            {value} if _UNESCAPED.fullmatch(value) else {value, quote(value, safe=""), quote_plus(value)}
        )
        with self._lock:
            for variant in variants:
                if variant in self._labels:
                    continue
                self._labels[variant] = f"<{label}>"
                if _TOKEN_RUN.fullmatch(variant):
                    self._index_token(variant)
                else:
                    self._pattern_values.add(variant)
                    self._pattern = None

    def add_credentials(
        self,
        client_id: str | None,
        client_secret: str | None,
        username: str | None,
        password: str | None,
    ) -> None:
        self.add(client_secret, "client_secret")
        self.add(password, "password")
        self.add(username, "username")
        self.add(client_id, "client_id")
        if client_id is not None and client_secret is not None:
            pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
            self.add(base64.b64encode(pair.encode()).decode(), "basic-credentials")
            raw = f"{client_id}:{client_secret}"
            self.add(base64.b64encode(raw.encode()).decode(), "basic-credentials")
            self.add(raw, "basic-credentials")

    def add_token(self, value: str | None, kind: str) -> str:
        """Register an issued token; returns the label that replaces it."""
        if not value:
            return f"<{kind} empty>"
        label = f"{kind} {fingerprint(value)}"
        if len(value) >= MIN_SCRUB_LENGTH:
            self.add_derived(value, label)
        return f"<{label}>"

    def known(self) -> dict[str, str]:
        """Every secret registered so far with its label: what an xdist worker hands over."""
        with self._lock:
            return dict(self._labels)

    def absorb(self, known: dict[str, str]) -> None:
        """Learn another redactor's secrets (an xdist worker's tokens), under the same labels."""
        for value, label in known.items():
            if value not in self._labels:
                self.add_derived(value, label.removeprefix("<").removesuffix(">"))

    def resembles_known(self, value: str) -> bool:
        """Whether `value` could have been made from a secret or token the run knows: it holds
        one, is part of one, or shares half of itself with one as a prefix or a suffix (a near
        miss, a truncation, a changed last character). A made-up word resembles none."""
        if len(value) < MIN_SCRUB_LENGTH:
            return False
        wanted = value.lower()
        half = max(MIN_SCRUB_LENGTH, len(wanted) // 2)
        with self._lock:
            known = [k.lower() for k in self._labels]
        for secret in known:
            if secret in wanted or wanted in secret:
                return True
            if len(os.path.commonprefix([secret, wanted])) >= half:
                return True
            if len(os.path.commonprefix([secret[::-1], wanted[::-1]])) >= half:
                return True
        return False

    def label_for(self, value: str) -> str | None:
        return self._labels.get(value)

    def _compiled(self) -> re.Pattern[str] | None:
        pattern = self._pattern
        if pattern is not None or not self._pattern_values:
            return pattern
        with self._lock:
            if self._pattern is None and self._pattern_values:
                ordered = sorted(self._pattern_values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
            return self._pattern

    def _index_token(self, value: str) -> None:
        """Make `value` findable by `_scrub_tokens` (called under the lock)."""
        self._token_values.append(value)
        anchor, starts = self._index
        if anchor and len(value) >= anchor:
            key = value[:anchor]
            starts[key] = tuple(sorted({*starts.get(key, ()), len(value)}, reverse=True))
            return
        # The first value, or one shorter than the anchor: index every value anew by its prefix.
        anchor, rebuilt = len(value), dict[str, tuple[int, ...]]()
        for known in self._token_values:
            key = known[:anchor]
            rebuilt[key] = tuple(sorted({*rebuilt.get(key, ()), len(known)}, reverse=True))
        self._index = (anchor, rebuilt)
        self._runs = re.compile(_TOKEN_CHAR + "{" + str(anchor) + ",}")

    def _scrub_tokens(self, run: re.Match[str], escape: Callable[[str], str] = str) -> str:
        """Every known token inside one run of token characters, leftmost-longest first."""
        text = run.group(0)
        labels = self._labels
        found = labels.get(text)
        if found is not None:
            return escape(found)
        anchor, starts = self._index
        out: list[str] = []
        start = i = 0
        size = len(text)
        while i <= size - anchor:
            for n in starts.get(text[i : i + anchor], ()):
                label = labels.get(text[i : i + n]) if i + n <= size else None
                if label is not None:
                    out += [text[start:i], escape(label)]
                    i = start = i + n
                    break
            else:
                i += 1
        return "".join(out) + text[start:] if out else text

    def scrub(self, text: str, escape: Callable[[str], str] = str) -> str:
        """Replace every known secret in `text`, and nothing else. `escape`: how a label is
        written into `text` (`html.escape` for a page: `<password>` is no tag)."""
        if len(text) < MIN_SCRUB_LENGTH:
            return text  # shorter than any secret the redactor knows
        pattern, runs = self._compiled(), self._runs
        if self._clean.get(text) == (pattern, runs):
            return text
        labels = self._labels
        scrubbed = pattern.sub(lambda m: escape(labels[m.group(0)]), text) if pattern is not None else text
        if runs is not None:
            scrubbed = runs.sub(lambda m: self._scrub_tokens(m, escape), scrubbed)
        # Clean, and no run long enough to hold a token: no token issued later can be in it.
        if scrubbed == text and len(text) <= 256 and (runs is None or runs.search(text) is None):
            if len(self._clean) > 4096:
                self._clean.clear()
            self._clean[text] = (pattern, runs)
        return scrubbed
