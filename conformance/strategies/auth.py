"""Moves on credentials in headers: the client's Basic credentials at the token endpoint and
the bearer token at the protected resource.

* RFC 7235 §2.1: the auth-scheme is case-insensitive, so `basic` and `BEARER` must work.
* RFC 6749 §2.3.1: Basic carries the form-encoded client id and secret joined by a colon; a
  secret with a colon added, a near miss, a truncated or malformed base64 credential, another
  scheme or none at all must not authenticate (invalid_client, or invalid_request for a
  malformed header). Base64 a decoder may read leniently (no padding, a space, the URL-safe
  alphabet) is left unjudged.
* RFC 6750 §2.1, §3: a changed, truncated, extended or malformed token, another scheme or no
  credentials are refused with a 4xx; two spaces after the scheme or the token in the query as
  well are left unjudged (RFC 6750 §2.3 lets a server read `access_token` from the URI).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from conformance.credentials import basic_pair
from conformance.expected import Outcome, Verdict
from conformance.requirements import Requirement
from conformance.requirements.rfc import rfc6749
from conformance.strategies.model import Draft, Move, Value

__all__ = ["BearerCase", "BearerMove", "bearer_moves", "client_auth_moves"]

_CLIENT = frozenset({"invalid_client"})
_MALFORMED = frozenset({"invalid_client", "invalid_request"})


def _basic(make: Callable[[dict[str, str]], str], label: str) -> Callable[[Draft], None]:
    value = Value(f"Basic <client credentials: {label}>", make, "client_secret")

    def change(draft: Draft) -> None:
        draft.authorization = value

    return change


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _documented(s: dict[str, str]) -> str:
    return _b64(basic_pair(s["client_id"], s["client_secret"]))


def _with_scheme(scheme: str, credential: Callable[[dict[str, str]], str]) -> Callable[[dict[str, str]], str]:
    return lambda s: f"{scheme} {credential(s)}" if credential(s) else scheme


def client_auth_moves(style: str) -> list[Move]:
    """Client authentication changed, for a profile whose clients authenticate by `style`."""
    if style == "none":
        return [
            Move(
                "an Authorization: Basic header the provider does not ask for",
                Verdict.EITHER,
                rfc6749.ERROR_RESPONSE,
                _basic(lambda s: "Basic " + _b64("conformance-client:x"), "unasked"),
                _MALFORMED,
                "client-auth",
            ),
        ]
    if style != "basic":
        return []
    requirement = rfc6749.CLIENT_AUTH_REQUIRED

    def refuse(
        what: str,
        credential: Callable[[dict[str, str]], str],
        codes: frozenset[str] = _MALFORMED,
        scheme: str = "Basic",
    ) -> Move:
        return Move(
            f"client authentication: {what}",
            Verdict.REFUSE,
            requirement,
            _basic(_with_scheme(scheme, credential), what),
            codes,
            "client-auth",
        )

    def same(
        what: str,
        credential: Callable[[dict[str, str]], str],
        verdict: Verdict,
        scheme: str = "Basic",
        requirement: Requirement = rfc6749.PASSWORD_GRANT_ISSUES,
    ) -> Move:
        return Move(
            f"client authentication: {what}",
            verdict,
            requirement,
            _basic(_with_scheme(scheme, credential), what),
            _MALFORMED,
            "client-auth",
        )

    def drop(draft: Draft) -> None:
        draft.authorization = None

    def near(value: str) -> str:
        return value[:-1] + ("y" if value[-1:].lower() == "x" else "x")

    moves = [
        Move("client authentication: none", Verdict.REFUSE, requirement, drop, _CLIENT, "client-auth"),
        # RFC 7617 §2, RFC 7235 §2.1: the scheme matches case-insensitively: refusing it is not
        # supporting HTTP Basic (RFC 6749 §2.3.1).
        same("scheme written 'basic'", _documented, Verdict.ISSUE, "basic", rfc6749.BASIC_SUPPORTED),
        same("scheme written 'BASIC'", _documented, Verdict.ISSUE, "BASIC", rfc6749.BASIC_SUPPORTED),
        refuse(
            "secret's last character changed",
            lambda s: _b64(basic_pair(s["client_id"], near(s["client_secret"]))),
            _CLIENT,
        ),
        refuse(
            "secret's last character dropped",
            lambda s: _b64(basic_pair(s["client_id"], s["client_secret"][:-1])),
            _CLIENT,
        ),
        refuse(
            "client id's last character changed",
            lambda s: _b64(basic_pair(near(s["client_id"]), s["client_secret"])),
            _CLIENT,
        ),
        refuse(
            "a colon appended to the secret",
            lambda s: _b64(basic_pair(s["client_id"], s["client_secret"] + ":")),
        ),
        refuse(
            "':x' appended to the secret, the colon not encoded",
            lambda s: _b64(basic_pair(s["client_id"], s["client_secret"]) + ":x"),
        ),
        refuse(
            "the secret with '\\u00e9' appended",
            lambda s: _b64(basic_pair(s["client_id"], s["client_secret"] + "\u00e9")),
        ),
        refuse("only the client id, no colon", lambda s: _b64(quote_plus(s["client_id"]))),
        refuse("an empty client id", lambda s: _b64(":" + quote_plus(s["client_secret"]))),
        refuse("base64 cut short by 4 characters", lambda s: _documented(s)[:-4]),
        refuse("first base64 character changed", lambda s: _swap_first(_documented(s))),
        refuse("not base64 at all", lambda s: "!!not*base64!!"),
        refuse("'Basic' with no credentials", lambda s: ""),
        refuse("non-ASCII bytes for credentials", lambda s: "\u00e9\u00e9\u00e9"),
        refuse("the credentials under the Bearer scheme", _documented, scheme="Bearer"),
        refuse("the credentials under the Digest scheme", _documented, scheme="Digest"),
        same("base64 without its padding", lambda s: _documented(s).rstrip("="), Verdict.EITHER),
        same("base64 with a space inside", lambda s: _split(_documented(s)), Verdict.EITHER),
        same(
            "the URL-safe base64 alphabet",
            lambda s: _documented(s).replace("+", "-").replace("/", "_"),
            Verdict.EITHER,
        ),
    ]
    return moves


def _swap_first(encoded: str) -> str:
    return ("B" if encoded[0] != "B" else "C") + encoded[1:]


def _split(value: str) -> str:
    """A space in the middle, with characters on both sides whatever the length: a header value
    cannot end in a blank (RFC 9110 §5.5), and HTTP libraries refuse to send one that does."""
    if len(value) < 2:
        return f"{value} {value}"  # no inside to a single character: the value twice
    middle = len(value) // 2
    return f"{value[:middle]} {value[middle:]}"


def _field(make: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """The header value as HTTP carries it: without surrounding blanks (RFC 9110 §5.5).

    A token may hold spaces (RFC 6749 §A.12: VSCHAR); one at either end cannot be sent.
    """

    def header(token: str) -> str | None:
        value = make(token)
        return value.strip(" \t") if value is not None else None

    return header


def _query(token: str) -> str:
    """RFC 6750 §2.3: the token as a form-encoded `access_token` query parameter."""
    return f"access_token={quote(token, safe='')}"


@dataclass(frozen=True, slots=True)
class BearerMove:
    """How the Authorization header (and query) of a resource request is built from a token."""

    what: str
    outcome: Outcome
    header: Callable[[str], str | None] = field(repr=False, compare=False)
    query: Callable[[str], str] | None = field(default=None, repr=False, compare=False)
    well_formed: bool = False  # a syntactically valid bearer credential (RFC 6750 §2.1 b64token)
    same_token: bool = False  # the issued token itself is presented
    # A request RFC 6750 §3.1 calls invalid_request (a token by two methods): its refusal is no
    # refusal of an invalid token.
    malformed: bool = False

    def __repr__(self) -> str:
        return self.what


@dataclass(frozen=True, slots=True)
class BearerCase:
    move: BearerMove

    def __repr__(self) -> str:
        return f"the resource called with {self.move.what}"


def _middle(token: str) -> str:
    """A character in the middle changed (JWT payloads too: never only a base64 tail's spare bits)."""
    i = len(token) // 2
    while i < len(token) - 1 and not token[i].isalnum():
        i += 1
    swapped = "B" if token[i] != "B" else "C"
    return token[:i] + swapped + token[i + 1 :]


def bearer_moves() -> list[BearerMove]:
    """Every way the resource is called with a token; each header sendable whatever the token."""
    A, R, E = Outcome.ACCEPT, Outcome.REFUSE, Outcome.EITHER

    def move(
        what: str,
        outcome: Outcome,
        header: Callable[[str], str | None],
        query: Callable[[str], str] | None = None,
        **flags: bool,
    ) -> BearerMove:
        return BearerMove(what, outcome, _field(header), query, **flags)

    return [
        move("the token", A, lambda t: f"Bearer {t}", well_formed=True, same_token=True),
        move(
            "the token, scheme written 'bearer'",
            A,
            lambda t: f"bearer {t}",
            well_formed=True,
            same_token=True,
        ),
        move(
            "the token, scheme written 'BEARER'",
            A,
            lambda t: f"BEARER {t}",
            well_formed=True,
            same_token=True,
        ),
        move("no credentials", R, lambda t: None),
        move(
            "a character in the middle of the token changed",
            R,
            lambda t: f"Bearer {_middle(t)}",
            well_formed=True,
        ),
        move("the token cut short by 4 characters", R, lambda t: f"Bearer {t[:-4]}", well_formed=True),
        move("the token with 'x' appended", R, lambda t: f"Bearer {t}x", well_formed=True),
        move("the token with '!' appended (outside b64token)", R, lambda t: f"Bearer {t}!"),
        move("the token with a space inside", R, lambda t: f"Bearer {_split(t)}"),
        move("the token with '\\u00e9' appended", R, lambda t: f"Bearer {t}\u00e9"),
        move("'Bearer' with no token", R, lambda t: "Bearer"),
        move("the token under the Basic scheme", R, lambda t: f"Basic {t}"),
        move("the token under the Token scheme", R, lambda t: f"Token {t}"),
        move("the token alone, no scheme", R, lambda t: t),
        move("the token after two spaces", E, lambda t: f"Bearer  {t}", same_token=True),
        move("the token in the query, no header", E, lambda t: None, _query),
        move(
            "the token in the header and the query",
            E,
            lambda t: f"Bearer {t}",
            _query,
            same_token=True,
            malformed=True,
        ),
    ]
