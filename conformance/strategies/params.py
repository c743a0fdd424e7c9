"""Moves on the request's parameters: missing, empty, repeated, wrong, long, non-ASCII, oddly
encoded, unknown, in the wrong place, under the wrong Content-Type.

Each verdict follows the RFC text, never one server's habits:

* RFC 6749 §3.2: a parameter without a value counts as omitted; unknown parameters MUST be
  ignored; parameters MUST NOT repeat (§5.2: invalid_request). A repeat with the same value
  is left unjudged (harmless leniency); a repeat with another value must not yield a token.
* §4.3.2: grant_type, username and password are REQUIRED; wrong credentials are invalid_grant.
* User names may be matched case-insensitively or with trailing blanks ignored (a database
  collation does both): those changes are unjudged. Passwords changed in any other way are
  wrong passwords.
* Form encoding (Appendix B): another spelling of the same bytes (%61 for a) is the same
  value; a malformed escape (%zz, a lone %) or an encoded NUL is a different one.
* Where the parameters go (body or query) and other Content-Types: a server may read them or
  not. Such requests carry made-up credentials (the real ones would land in access logs), so
  they must be refused, in a well-formed way.
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.expected import Verdict
from conformance.requirements import Requirement
from conformance.requirements.rfc import rfc6749
from conformance.strategies.model import Draft, Location, Move, Param, Value, literal, secret

__all__ = [
    "LONG_LENGTHS",
    "NON_ASCII",
    "content_type_moves",
    "encoding_moves",
    "extra_parameter",
    "parameter_moves",
    "placement_moves",
    "unknown_user",
]

NON_ASCII = ("\u00e9", "\u00df", "\u2603", "\U0001d11e")
LONG_LENGTHS = (201, 1024, 5000)
MALFORMED_ESCAPES = ("%", "%4", "%zz", "%G1", "%00", "%2500", "%26x%3Dy")
_UNKNOWN_GRANTS = ("urn:conformance:no-such-grant", "passwd", "password2")

REFUSE, EITHER, ISSUE = Verdict.REFUSE, Verdict.EITHER, Verdict.ISSUE
_REQUEST = frozenset({"invalid_request"})


def _set(name: str, value: Value, raw: bool = False) -> Callable[[Draft], None]:
    return lambda d: d.set(name, value, raw=raw)


def _wrong(name: str) -> tuple[Requirement, frozenset[str]]:
    """The requirement a wrong value of `name` breaks, and the codes its refusal may carry."""
    if name == "grant_type":
        return rfc6749.UNSUPPORTED_GRANT, frozenset({"unsupported_grant_type", "unauthorized_client"})
    if name in ("client_id", "client_secret"):
        return rfc6749.CLIENT_AUTH_REQUIRED, frozenset({"invalid_client"})
    return rfc6749.WRONG_CREDENTIALS, frozenset({"invalid_grant"})


def unknown_user() -> Move:
    """An unknown user: keeps a live account's failed-login count untouched."""
    value = literal("conformance-no-such-user")
    return Move(
        "username: an unknown user",
        REFUSE,
        rfc6749.WRONG_CREDENTIALS,
        _set("username", value),
        frozenset({"invalid_grant"}),
        "username",
    )


def _value(name: str, source: str | None, documented: str, what: str, make: Callable[[str], str]) -> Value:
    return secret(source, what, make) if source else literal(make(documented), f"{name} ({what})")


def _changed(
    name: str, source: str | None, documented: str, what: str, make: Callable[[str], str], malformed: bool
) -> Move:
    """`name` set to a wrong value made by `make` from its documented value."""
    requirement, codes = _wrong(name)
    verdict = REFUSE
    if malformed:
        codes |= _REQUEST
    if name == "scope":
        verdict, requirement, codes = (
            EITHER,
            rfc6749.ERROR_RESPONSE,
            frozenset({"invalid_scope", "invalid_request"}),
        )
    value = _value(name, source, documented, what, make)
    return Move(f"{name}: {what}", verdict, requirement, _set(name, value), codes, name)


def _either(name: str, source: str | None, documented: str, what: str, make: Callable[[str], str]) -> Move:
    requirement, codes = _wrong(name)
    value = _value(name, source, documented, what, make)
    return Move(f"{name}: {what}", EITHER, requirement, _set(name, value), codes | _REQUEST, name)


def parameter_moves(
    names: list[str], secrets: dict[str, str], scope_value: str | None, grant: str = "password"
) -> list[Move]:
    """Missing, empty, repeated, wrong, long and non-ASCII values of each documented parameter."""
    moves: list[Move] = []
    for name in names:
        source = name if name in secrets else None
        documented = secrets.get(name) or (scope_value if name == "scope" and scope_value else grant)
        moves += _absent(name)
        moves += _repeated(name, source)
        for n in LONG_LENGTHS:
            moves.append(
                _changed(
                    name,
                    source,
                    documented,
                    f"made {n} characters long",
                    _lengthen(n),
                    True,
                )
            )
        for ch in NON_ASCII:
            moves.append(_changed(name, source, documented, f"{ch!a} appended", _append(ch), True))
        if name == "grant_type":
            moves += _grant_types(grant)
        elif name in ("username", "client_id"):
            # Identifiers may be matched ignoring case or trailing blanks (a collation does both).
            moves += [
                _changed(name, source, documented, "last character changed", _near_miss, False),
                _either(name, source, documented, "letter case swapped", str.swapcase),
                _either(name, source, documented, "a trailing space", lambda v: v + " "),
            ]
        elif name in ("password", "client_secret"):
            moves.append(_changed(name, source, documented, "last character changed", _near_miss, False))
            moves.append(
                _changed(name, source, documented, "last character dropped", lambda v: v[:-1], False)
            )
            if documented.swapcase() != documented:
                moves.append(_changed(name, source, documented, "letter case swapped", str.swapcase, False))
            moves.append(_either(name, source, documented, "a trailing space", lambda v: v + " "))
    return moves


def _lengthen(n: int) -> Callable[[str], str]:
    return lambda v: v + "x" * max(1, n - len(v))


def _append(suffix: str) -> Callable[[str], str]:
    return lambda v: v + suffix


def _escaped_then(suffix: str) -> Callable[[str], str]:
    return lambda v: _escape_all(v) + suffix


def _move_one(name: str, location: Location) -> Callable[[Draft], None]:
    return lambda d: d.moved.__setitem__(name, location)


def _near_miss(value: str) -> str:
    """The last character changed, also ignoring case (a case-insensitive match is no match)."""
    return value[:-1] + ("y" if value[-1:].lower() == "x" else "x")


def _absent(name: str) -> list[Move]:
    if name == "scope":
        codes = frozenset({"invalid_scope", "invalid_request"})
        return [
            Move("scope: omitted", EITHER, rfc6749.ERROR_RESPONSE, lambda d: d.omit("scope"), codes, name),
            Move("scope: empty", EITHER, rfc6749.ERROR_RESPONSE, _set("scope", literal("")), codes, name),
        ]
    if name == "grant_type":
        requirement = rfc6749.MISSING_GRANT_TYPE
    elif name in ("client_id", "client_secret"):
        requirement = rfc6749.CLIENT_AUTH_REQUIRED
    else:
        requirement = rfc6749.MISSING_PARAMETER
    codes = frozenset({"invalid_client"}) if name.startswith("client_") else _REQUEST
    # RFC 6749 §3.2: empty is omitted, so invalid_request; a wrong (empty) credential is fine too.
    empty_codes = codes | _wrong(name)[1]
    return [
        Move(f"{name}: omitted", REFUSE, requirement, lambda d: d.omit(name), codes, name),
        Move(f"{name}: empty", REFUSE, requirement, _set(name, literal("")), empty_codes, name),
    ]


def _repeated(name: str, source: str | None) -> list[Move]:
    same = secret(source) if source else None

    def again(value: Value | None, first: bool = False) -> Callable[[Draft], None]:
        """`name` once more: after the documented one, or (`first`) before it."""

        def change(draft: Draft) -> None:
            found = [i for i, p in enumerate(draft.params) if p.name == name]
            if found:
                documented = draft.params[found[0]]
                extra = Param(name, value or documented.value, documented.raw)
                draft.params.insert(found[0] if first else len(draft.params), extra)

        return change

    other = secret(source, "last character changed", _near_miss) if source else literal("write")
    if name == "grant_type":
        other = literal("urn:conformance:other-grant")
    # RFC 6749 §3.2: no parameter repeats, with the same value or another, and §5.2 names one code
    # for it whatever the parameter: invalid_request. A server that keeps the first value, or the
    # last, is caught by the other value on either side; one that joins repeats ("password,password")
    # and judges the joined value answers with that value's code, which is not this one.
    return [
        Move(f"{name}: sent twice", REFUSE, rfc6749.REPEATED_PARAMETER, again(same), _REQUEST, name),
        Move(
            f"{name}: sent twice, the second time {other!r}",
            REFUSE,
            rfc6749.REPEATED_PARAMETER,
            again(other),
            _REQUEST,
            name,
        ),
        Move(
            f"{name}: sent twice, the first time {other!r}",
            REFUSE,
            rfc6749.REPEATED_PARAMETER,
            again(other, first=True),
            _REQUEST,
            name,
        ),
    ]


def _grant_types(grant: str = "password") -> list[Move]:
    requirement, codes = _wrong("grant_type")
    moves = [
        Move(f"grant_type: {g!r}", REFUSE, requirement, _set("grant_type", literal(g)), codes, "grant_type")
        for g in _UNKNOWN_GRANTS
    ]
    # Whether grant_type is compared case-insensitively is a server's choice.
    for g in (grant.capitalize(), grant.upper()):
        moves.append(
            Move(
                f"grant_type: {g!r}",
                EITHER,
                requirement,
                _set("grant_type", literal(g)),
                codes | _REQUEST,
                "grant_type",
            )
        )
    moves.append(
        Move(
            "grant_type: 'refresh_token' without a refresh token",
            REFUSE,
            rfc6749.MISSING_PARAMETER,
            _set("grant_type", literal("refresh_token")),
            codes | _REQUEST | frozenset({"invalid_grant"}),
            "grant_type",
        )
    )
    return moves


def encoding_moves(
    names: list[str], secrets: dict[str, str], scope_value: str | None, grant: str = "password"
) -> list[Move]:
    """Other spellings of the same value (which must still work) and malformed escapes."""
    moves: list[Move] = []
    for name in names:
        source = name if name in secrets else None
        documented = secrets.get(name) or (scope_value if name == "scope" and scope_value else grant)
        for what, make in (
            ("every character %XX-escaped", _escape_all),
            ("%xx escapes in lower case", _escape_lower),
        ):
            value = _value(name, source, documented, what, make)
            moves.append(
                Move(
                    f"{name}: {what}",
                    ISSUE,
                    rfc6749.PASSWORD_GRANT_ISSUES,
                    _set(name, value, raw=True),
                    frozenset(),
                    name,
                )
            )
        requirement, codes = _wrong(name)
        verdict = EITHER if name == "scope" else REFUSE
        for escape in MALFORMED_ESCAPES:
            what = f"{escape!r} appended as written"
            value = _value(name, source, documented, what, _escaped_then(escape))
            moves.append(
                Move(
                    f"{name}: {what}",
                    verdict,
                    requirement,
                    _set(name, value, raw=True),
                    codes | _REQUEST | frozenset({"invalid_scope"}),
                    name,
                )
            )
    return moves


def _escape_all(value: str) -> str:
    return "".join(f"%{b:02X}" for b in value.encode("utf-8"))


def _escape_lower(value: str) -> str:
    return _escape_all(value).lower()


def extra_parameter(name: str, value: str) -> Move:
    """RFC 6749 §3.2: the server MUST ignore an unrecognized parameter."""
    verdict = ISSUE if len(value) <= 1024 else EITHER
    shown = value if len(value) <= 40 else f"{value[:20]!r}... ({len(value)} characters)"
    return Move(
        f"an unknown parameter {name}={shown}",
        verdict,
        rfc6749.UNKNOWN_PARAMETER_IGNORED,
        lambda d: d.params.append(Param(name, literal(value))),
        frozenset(),
        name,
    )


def _reshaped(what: str, change: Callable[[Draft], None], target: str, client_auth: bool) -> Move:
    """A request in a shape the profile does not send, so with made-up credentials (see
    `conformance.strategies.model`): whether the server reads it or not, no token may come of it.
    A refusal may say the request is malformed, or that the made-up user or client is unknown."""
    codes = (
        _REQUEST
        | frozenset({"invalid_grant"})
        | (frozenset({"invalid_client"}) if client_auth else frozenset())
    )
    return Move(
        f"{what}, with made-up credentials",
        REFUSE,
        rfc6749.WRONG_CREDENTIALS,
        change,
        codes,
        target,
        reshapes=True,
        # A server that does not read them sees a request without its parameters.
        follows_from=(rfc6749.MISSING_GRANT_TYPE, rfc6749.MISSING_PARAMETER),
    )


def placement_moves(location: str, names: list[str], client_auth: bool = False) -> list[Move]:
    """Every parameter, or one of `names`, where the profile does not put them.

    The real credentials never go there: in the query they would land in access logs.
    """
    other: Location = "query" if location == "body" else "body"

    def everything(draft: Draft) -> None:
        draft.location = "query" if draft.location == "body" else "body"

    moves = [
        _reshaped(
            f"every parameter in the {other} (documented: {location})", everything, "location", client_auth
        )
    ]
    for name in names:
        moves.append(_reshaped(f"{name} in the {other}", _move_one(name, other), "location", client_auth))
    return moves


def content_type_moves(client_auth: bool = False) -> list[Move]:
    """The form body labelled otherwise. Only the documented media type with a charset keeps
    the real credentials (it is the documented shape, and must yield a token); every other label
    is a request the profile does not send, made with made-up credentials."""

    def content_type(value: str | None, json_body: bool = False) -> Callable[[Draft], None]:
        def change(draft: Draft) -> None:
            draft.content_type, draft.json_body = value, json_body

        return change

    form = "application/x-www-form-urlencoded"
    moves = [
        Move(
            f"Content-Type: {form}; charset=UTF-8",
            ISSUE,
            rfc6749.PASSWORD_GRANT_ISSUES,
            content_type(f"{form}; charset=UTF-8"),
            frozenset(),
            "content-type",
        ),
    ]
    for what, value, as_json in (
        ("Content-Type in capitals", form.upper(), False),
        ("no Content-Type", None, False),
        ("Content-Type: text/plain", "text/plain", False),
        ("a JSON body", "application/json", True),
        ("Content-Type: application/json over a form body", "application/json", False),
    ):
        moves.append(_reshaped(what, content_type(value, as_json), "content-type", client_auth))
    return moves
