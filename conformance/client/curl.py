"""A request as a curl line that runs as printed, in a shell that has the run's environment.

Credentials stand as references to the environment variables the run read them from
(`-u "$CONFORMANCE_CLIENT_ID:$CONFORMANCE_CLIENT_SECRET"`, `--data-urlencode
"password=$CONFORMANCE_PASSWORD"`), never as their values; a value made from one the way the
suite makes its near misses (the last character changed or dropped, something appended) is
rebuilt by the shell (`"${CONFORMANCE_CLIENT_SECRET%?}x"`). A request that carries anything else
secret (a token the target issued to an earlier request, a credential changed beyond that) cannot
stand alone: the line says why, and `conformance replay` re-runs the sequence that made it.

The line is built when the request is sent, from the request itself: the only moment the suite
knows which bytes are which credential. What it keeps holds no secret (checked by the redactor).
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus, unquote_plus

import httpx

from conformance.redaction import MIN_SCRUB_LENGTH, Redactor

__all__ = ["CurlLine", "curl_line"]

# Request parameters that hold credentials or tokens: their values are never printed as they are
# unless they plainly are no secret (see `_secret_value`).
SECRET_PARAMETERS = frozenset({"password", "client_secret", "refresh_token", "username", "access_token"})
# Headers curl sets itself, or that describe the connection rather than the request.
SKIPPED_HEADERS = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent"})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_QUOTE_FREE = re.compile(r"[A-Za-z0-9_.~-]*")  # what form encoding leaves as it is (as curl does)
_SHELL_PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./-]*")  # needs no quoting in a POSIX shell
_DOUBLE_QUOTE_SAFE = re.compile(r"[^$`\"\\!]*")  # literal inside "..." (no expansion, no history)
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")
_TOKEN_LABEL = re.compile(r"<(access_token|refresh_token|id_token)[ +][0-9a-f]{8}")


@dataclass(frozen=True, slots=True)
class CurlLine:
    """`text` runs as printed when `blocked` is None; otherwise `blocked` says why it cannot."""

    text: str
    blocked: str | None = None


class _Blocked(Exception):
    """The request carries a secret the shell cannot rebuild from the environment."""


@dataclass(frozen=True, slots=True)
class _Ref:
    name: str  # an environment variable
    less_last: bool = False  # its value less the last character (`${NAME%?}`)


Piece = str | _Ref  # literal text, or a reference to the environment


def _render(pieces: Sequence[Piece]) -> str:
    """One shell word: references in double quotes, literal text quoted as it needs."""
    if not any(isinstance(p, _Ref) for p in pieces):
        return shlex.quote("".join(p for p in pieces if isinstance(p, str)))
    if all(isinstance(p, _Ref) or _DOUBLE_QUOTE_SAFE.fullmatch(p) for p in pieces):
        out = []
        for i, piece in enumerate(pieces):
            if isinstance(piece, str):
                out.append(piece)
                continue
            following = pieces[i + 1] if i + 1 < len(pieces) else ""
            bare = not piece.less_last and not (
                isinstance(following, str) and following[:1] and _NAME_CHAR.match(following[:1])
            )
            out.append(f"${piece.name}" if bare else f"${{{piece.name}{'%?' if piece.less_last else ''}}}")
        return '"' + "".join(out) + '"'
    words = []
    for piece in pieces:
        if isinstance(piece, str):
            words.append(shlex.quote(piece) if piece else "")
        else:
            words.append(f'"${{{piece.name}{"%?" if piece.less_last else ""}}}"')
    return "".join(words)


class _Builder:
    def __init__(self, environment: Mapping[str, str], redactor: Redactor) -> None:
        # Longest first: a client secret that holds the username is found as the secret.
        self._environment = sorted(((n, v) for n, v in environment.items() if v), key=lambda nv: -len(nv[1]))
        self._redactor = redactor
        self.tokens: list[str] = []  # kinds of issued tokens met (for the reason)

    def _clean(self, text: str, secret: bool = False) -> bool:
        """No secret in `text`; where a credential stands (`secret`), nothing that looks made
        from one either (elsewhere a word such as `password` is a grant type, not a near miss)."""
        scrubbed = self._redactor.scrub(text)
        if scrubbed != text:
            self.tokens += [m.group(1) for m in _TOKEN_LABEL.finditer(scrubbed)]
            return False
        return not secret or len(text) < MIN_SCRUB_LENGTH or not self._redactor.resembles_known(text)

    def express(self, value: str, secret: bool) -> list[Piece]:
        """`value` as literal text and references; `secret`: it stands where a credential does, so
        a short unknown value may be one and is not printed."""
        for name, known in self._environment:
            if value == known:
                return [_Ref(name)]
        # Made from a value long enough not to turn up by chance (a 4-letter username would).
        long_enough = [(n, k) for n, k in self._environment if len(k) >= MIN_SCRUB_LENGTH]
        for name, known in long_enough:
            at = value.find(known)
            if at >= 0:
                head, tail = value[:at], value[at + len(known) :]
                return [*self._literal(head, secret), _Ref(name), *self._literal(tail, secret)]
        for name, known in long_enough:
            stem = known[:-1]
            if value.startswith(stem):  # the last character changed or dropped, or more after it
                return [_Ref(name, less_last=True), *self._literal(value[len(stem) :], secret)]
        if value == "" or self._clean(value, secret) and (not secret or len(value) >= MIN_SCRUB_LENGTH):
            return [value]
        raise _Blocked(value)

    def _literal(self, text: str, secret: bool) -> list[Piece]:
        if text and not self._clean(text, secret):
            raise _Blocked(text)
        return [text] if text else []

    def plain(self, text: str, secret: bool = False) -> str:
        """Text printed as it is: it must hold no secret, encoded or not."""
        if not self._clean(text, secret) or not self._clean(unquote_plus(text), secret):
            raise _Blocked(text)
        return text

    def raw_pair(self, pair: str) -> str:
        """A form or query pair printed byte for byte: no secret in it, and where a credential
        stands (by the parameter's name) nothing short enough to be one."""
        name, _, value = (unquote_plus(part) for part in pair.partition("="))
        secret = name in SECRET_PARAMETERS
        if secret and 0 < len(value) < MIN_SCRUB_LENGTH:
            raise _Blocked(name)
        self.plain(value, secret)
        return self.plain(pair)

    def form_pair(self, pair: str) -> tuple[str, str, list[Piece]] | None:
        """`name=value` of a form or query as (name, the value decoded, its pieces), when its
        encoding is the one curl and the client both use; None when it must go as it was sent
        (its bytes are the point)."""
        name, equals, raw = pair.partition("=")
        if not equals or not _QUOTE_FREE.fullmatch(name):
            return None
        value = unquote_plus(raw)
        if _quote(value) != raw:
            return None
        return name, value, self.express(value, name in SECRET_PARAMETERS)

    def authorization(self, value: str) -> list[str]:
        """curl arguments sending this Authorization value."""
        scheme, _, credential = value.partition(" ")
        label = self._redactor.label_for(credential.strip()) or ""
        if _TOKEN_LABEL.match(label):  # a token: its bytes are no pair of credentials
            self.tokens.append(_TOKEN_LABEL.match(label).group(1))  # type: ignore[union-attr]
            raise _Blocked(label)
        pair = _basic_pair(credential)
        if pair is not None:
            user, password = (self.express(part, True) for part in pair)
            if scheme.lower() == "basic":
                return ["-u", _render([*user, ":", *password])]
            # The pair's base64 under another scheme: the shell encodes it.
            encoded = f"$(printf '%s' {_render([*user, ':', *password])} | base64 | tr -d '\\n')"
            return ["-H", f'"authorization: {self.plain(scheme)} {encoded}"']
        if not credential:
            return ["-H", shlex.quote(f"authorization: {self.plain(scheme)}")]
        pieces = self.express(credential, True)
        return ["-H", _render([f"authorization: {self.plain(scheme)} ", *pieces])]


def _quote(text: str) -> str:
    return text if _QUOTE_FREE.fullmatch(text) else quote_plus(text)


def _basic_pair(credential: str) -> tuple[str, str] | None:
    """The `id:secret` a base64 credential carries (RFC 7617), if it carries one."""
    try:
        text = base64.b64decode(credential.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, colon, password = text.partition(":")
    return (
        (user, password) if colon and base64.b64encode(text.encode()).decode() == credential.strip() else None
    )


def curl_line(
    request: httpx.Request,
    environment: Mapping[str, str],
    redactor: Redactor,
    *,
    emulated: bool = False,
) -> CurlLine:
    """`request` as a curl line whose credentials are references to `environment` (variable name
    -> the value the run read from it). `blocked` says why it cannot run by itself; its text is
    empty when it cannot be written at all without a secret (the redacted rendering is then all
    there is)."""
    builder = _Builder(environment, redactor)
    try:
        words = _words(request, builder)
    except _Blocked:
        if builder.tokens:
            kind = builder.tokens[0].replace("_", " ")
            return CurlLine(
                "", f"it presents {_article(kind)} {kind} the target issued to an earlier request"
            )
        return CurlLine("", "it sends a value made from a credential in a way a shell line cannot rebuild")
    except UnicodeDecodeError:
        return CurlLine("", "its body or a header is not UTF-8 text, which a shell line cannot carry")
    text = " ".join(words)
    if redactor.scrub(text) != text:  # never: every piece was checked; a secret must not escape
        return CurlLine("", "it holds a secret the shell cannot rebuild")
    if emulated:
        return CurlLine(text, "the in-process emulator answered it (serve one with `conformance emulate`)")
    return CurlLine(text)


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _words(request: httpx.Request, builder: _Builder) -> list[str]:
    url = request.url
    raw_path = url.raw_path.decode("ascii")
    path, mark, query = raw_path.partition("?")
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    target: list[Piece] = [origin + builder.plain(path)]
    if mark:
        target.append("?")
        for i, pair in enumerate(query.split("&")):
            target.append("&" if i else "")
            parsed = builder.form_pair(pair)
            if parsed is None or not any(isinstance(p, _Ref) for p in parsed[2]):
                target.append(builder.raw_pair(pair) if parsed is None else pair)
                continue
            name, value, pieces = parsed
            # A reference stands in the URL as the value itself: exact only when the value needs
            # no encoding.
            if not _QUOTE_FREE.fullmatch(value):
                raise _Blocked(name)
            target += [f"{name}=", *pieces]
    method = ["--head"] if request.method == "HEAD" else ["-X", shlex.quote(request.method)]
    words = ["curl", "-sS", "-i", *method]
    if re.search(r"[\[\]{}]", raw_path):
        words.append("-g")  # brackets and braces are curl's URL globbing otherwise
    if "/." in path:
        words.append("--path-as-is")
    words.append(_render(target))
    content_type = None
    for name_bytes, value_bytes in request.headers.raw:
        name, value = name_bytes.decode("ascii").lower(), value_bytes.decode("utf-8")
        if name == "content-type":
            content_type = value
        if name in SKIPPED_HEADERS:
            continue
        if name in SECRET_HEADERS:
            if name == "authorization":
                words += builder.authorization(value)
            else:
                words += ["-H", _render([f"{name}: ", *builder.express(value, True)])]
            continue
        words += ["-H", shlex.quote(f"{name}: {builder.plain(value)}")]
    body = request.content.decode("utf-8") if request.content else ""
    if body:
        if content_type is None:
            words += ["-H", "'content-type:'"]  # curl would add one of its own to a body
        words += _body(body, content_type or "", builder)
    return words


def _body(body: str, content_type: str, builder: _Builder) -> list[str]:
    """The body as curl data arguments: pairs that hold a credential as `--data-urlencode`
    (curl encodes what the shell expands), the rest exactly as sent."""
    if "x-www-form-urlencoded" not in content_type:
        return ["--data-raw", shlex.quote(builder.plain(body))]
    words: list[str] = []
    plain: list[str] = []
    for pair in body.split("&"):
        parsed = builder.form_pair(pair)
        if parsed is None or not any(isinstance(p, _Ref) for p in parsed[2]):
            plain.append(builder.raw_pair(pair) if parsed is None else pair)
            continue
        if plain:
            words += ["--data-raw", shlex.quote("&".join(plain))]
            plain = []
        name, _, pieces = parsed
        words += ["--data-urlencode", _render([f"{name}=", *pieces])]
    if plain:
        words += ["--data-raw", shlex.quote("&".join(plain))]
    return words
