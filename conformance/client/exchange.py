"""One request and its response, recorded with every secret already redacted."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

import httpx

from conformance.redaction import Redactor, fingerprint

__all__ = [
    "Exchange",
    "ExchangeKind",
    "mask_credentials",
    "redact_request",
    "redact_response_body",
    "redact_target",
    "redacted_pairs",
]

ExchangeKind = Literal["token", "resource", "revocation", "introspection", "metadata"]

# Request parameters whose values are credentials or tokens, masked even when short.
SECRET_PARAMETERS = {
    "password": "password",
    "client_secret": "client_secret",
    "refresh_token": "refresh_token",
    "username": "username",
    "access_token": "access_token",
}
SECRET_RESPONSE_MEMBERS = ("access_token", "refresh_token", "id_token")
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
BODY_LIMIT = 4000


def redacted_pairs(pairs: list[tuple[str, str]], redactor: Redactor) -> list[tuple[str, str]]:
    masked = []
    for key, value in pairs:
        kind = SECRET_PARAMETERS.get(key)
        if kind and value:
            label = redactor.label_for(value)
            value = label or f"<{kind}>"
        masked.append((key, redactor.scrub(value)))
    return masked


# Characters urlencode(..., safe="<>: ") leaves as they are (a space becomes '+'): most values
# (labels, parameter names, short words) are made of them only, and need no quoting.
_PLAIN_FORM = re.compile(r"[A-Za-z0-9_.~<>: -]*")


def _form_quote(text: str) -> str:
    return text.replace(" ", "+") if _PLAIN_FORM.fullmatch(text) else quote_plus(text, safe="<>: ")


def _redact_form(text: str, redactor: Redactor) -> str:
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        return redactor.scrub(text)
    # The same as urlencode(redacted_pairs(...), safe="<>: "), without quoting plain text.
    return "&".join(f"{_form_quote(k)}={_form_quote(v)}" for k, v in redacted_pairs(pairs, redactor))


def _redact_url(url: httpx.URL, redactor: Redactor) -> str:
    parts = urlsplit(str(url))
    query = _redact_form(parts.query, redactor) if parts.query else ""
    return redactor.scrub(urlunsplit(parts._replace(query=query)))


def redact_target(target: str, redactor: Redactor) -> str:
    """A path with its raw query string (one that could not be made a URL), secrets masked."""
    path, mark, query = target.partition("?")
    return redactor.scrub(path + mark + (_redact_form(query, redactor) if query else ""))


# What an auth-scheme looks like in practice (Basic, Bearer, Digest, SCRAM-SHA-256 less its digits):
# a bare word that does not is a credential sent without a scheme.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z-]{0,19}")


# An unknown credential this long may be someone's real key (a user's own scenario sends it).
UNKNOWN_SECRET_LENGTH = 16


def mask_credentials(value: str, redactor: Redactor) -> str:
    """An Authorization (or Cookie) request header value with its credential masked, the scheme
    kept (RFC 7235 §2.1: `scheme token68`). A credential the run knows gets its label; any other
    is masked all the same, and registered, so the same text is masked wherever else it shows,
    when it could be a secret: made from one the run knows (a near miss, a truncation), or as long
    as a real key. A short made-up word (generated requests draw them from any text, "skipped"
    among them) is not: it would be masked in every report, down to results.json's statuses."""
    scheme, _, credential = value.strip().partition(" ")
    if not credential and not _SCHEME.fullmatch(scheme):
        scheme, credential = "", scheme
    credential = credential.strip()
    if not credential:
        return value
    label = redactor.label_for(credential)
    if label is None:
        label = f"<redacted {fingerprint(credential)}>"
        if len(credential) >= UNKNOWN_SECRET_LENGTH or redactor.resembles_known(credential):
            redactor.add_derived(credential, label[1:-1])
    return f"{scheme} {label}" if scheme else label


def _redact_headers(items: list[tuple[str, str]], redactor: Redactor) -> list[tuple[str, str]]:
    out = []
    for name, value in items:
        if name.lower() in SECRET_HEADERS:
            value = mask_credentials(value, redactor)
        out.append((name, redactor.scrub(value)))
    return out


def _redact_json_body(text: str, redactor: Redactor, parsed: Any = None) -> str:
    try:
        data = dict(parsed) if isinstance(parsed, dict) else json.loads(text)
    except ValueError:
        return redactor.scrub(text)
    if isinstance(data, dict):
        for member in SECRET_RESPONSE_MEMBERS:
            value = data.get(member)
            if isinstance(value, str):
                data[member] = redactor.add_token(value, member)
    return redactor.scrub(json.dumps(data, ensure_ascii=False))


def redact_request(request: httpx.Request, redactor: Redactor) -> tuple[str, list[tuple[str, str]], str]:
    """URL, headers and body of a request, secrets masked."""
    body = request.content.decode("utf-8", "replace") if request.content else ""
    items = request.headers.multi_items()  # names in lower case
    content_type = next((v for k, v in items if k == "content-type"), "")
    if "x-www-form-urlencoded" in content_type:
        body = _redact_form(body, redactor)
    else:
        body = redactor.scrub(body)
    return _redact_url(request.url, redactor), _redact_headers(items, redactor), body


@dataclass(slots=True)
class Exchange:
    """What the suite sent and what came back; safe to print, attach and store."""

    seq: int
    kind: ExchangeKind
    purpose: str
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: str
    started_at: float
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str = ""
    elapsed: float = 0.0
    # The clock's time (emulated or real, as `started_at`) when the answer was in.
    finished_at: float | None = None
    error: str | None = None
    auth_scheme_sent: str | None = None
    grant_type: str | None = None
    # SHA-256 of the bearer token presented to the resource: lets the ledger follow it.
    token_key: str | None = None
    # The token presented was granted without the scope the resource requires (RFC 6750 §3.1):
    # its refusal is insufficient_scope, judged by the scenario that asked, not an invalid token.
    lacks_required_scope: bool = False
    # The request is malformed on purpose (RFC 6750 §3.1 invalid_request: a token by two methods):
    # its refusal is judged by the scenario that sent it, not as one of an invalid token.
    malformed: bool = False
    # The request's HTTP Basic client credentials hold characters form encoding changes (RFC 6749
    # §2.3.1): a server that does not form-decode them refuses them.
    basic_form_encoded: bool = False
    # The documented token request of its grant, unchanged (profile scope, client, method): a
    # token it issued is one any scenario may borrow (conformance.engine.token_bank).
    documented: bool = False
    # Sent to obtain a token (the token budget paid for it): a token issued to any other request
    # is one the server should have refused, a finding, counted apart.
    asks_token: bool = False
    # The seq of the last request sent before this answer came back (0: unknown). A request
    # sent while another awaited its answer overlapped it, whatever the clock says.
    last_sent_before_answer: int = 0
    # The parsed response body, unredacted, for checks only: never rendered.
    json: Any = field(default=None, repr=False)
    json_error: str | None = None
    # False when the HTTP library refused the request the suite built: nothing reached the target.
    sent: bool = True
    # The request as a curl line with the credentials as environment references
    # (conformance.client.curl), and why it cannot run by itself, if it cannot ("": none built).
    replay: str = ""
    replay_blocked: str | None = None

    def header(self, name: str) -> str | None:
        """First response header of that name (case-insensitive)."""
        lowered = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lowered), None)

    def headers_named(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self.response_headers if k.lower() == lowered]

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def issued_token(self) -> str | None:
        """The access token this answer issued: a 2xx whose JSON object holds a string
        `access_token`, an empty one included (the checks judge whether it is usable); None
        when no token came back."""
        body = self.json
        if self.ok and isinstance(body, dict) and isinstance(body.get("access_token"), str):
            return str(body["access_token"])
        return None

    @property
    def json_object_problem(self) -> str | None:
        """Why the body is not the JSON object RFC 6749 §5.1 and §5.2 ask for; None when it is."""
        if self.json_error:
            return self.json_error
        if not isinstance(self.json, dict):
            return f"body is a JSON {type(self.json).__name__}, not an object"
        return None

    @property
    def error_code(self) -> str | None:
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), str):
            return str(self.json["error"])
        return None

    def summary(self) -> str:
        outcome = f"HTTP {self.status}" if self.status is not None else f"no response ({self.error})"
        return f"#{self.seq} {self.purpose}: {self.method} {self.url} -> {outcome}"

    @property
    def standalone(self) -> bool:
        """Its curl line runs as printed, in a shell with the run's environment."""
        return bool(self.replay) and self.replay_blocked is None

    def curl(self) -> str:
        """The request as a curl line: credentials as references to the run's environment
        variables; a token issued earlier, or what no reference can rebuild, masked."""
        return self.replay or self.masked_curl()

    def masked_curl(self) -> str:
        """The request as a curl line, every secret masked by its label."""
        parts = ["curl", "-i", "-X", self.method, self.url]
        for name, value in self.request_headers:
            if name.lower() in {"host", "content-length", "accept-encoding", "connection", "user-agent"}:
                continue
            parts += ["-H", f"{name}: {value}"]
        if self.request_body:
            parts += ["--data-raw", self.request_body]
        return " ".join(shlex.quote(p) for p in parts)

    def render(self) -> str:
        lines = [self.summary(), f"> {self.method} {self.url}"]
        lines += [f"> {k}: {v}" for k, v in self.request_headers]
        if self.request_body:
            lines += [">", f"> {self.request_body[:BODY_LIMIT]}"]
        if self.status is not None:
            lines.append(f"< HTTP {self.status} ({self.elapsed * 1000:.0f} ms)")
            lines += [f"< {k}: {v}" for k, v in self.response_headers]
            if self.response_body:
                body = self.response_body
                more = f" ... ({len(body) - BODY_LIMIT} more characters)" if len(body) > BODY_LIMIT else ""
                lines += ["<", f"< {body[:BODY_LIMIT]}{more}"]
        else:
            lines.append(f"< no response: {self.error}")
        if self.standalone:
            lines.append(f"replay: {self.replay}")
        else:
            why = f"  # not runnable alone: {self.replay_blocked}" if self.replay_blocked else ""
            lines.append(f"request: {self.curl()}{why}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "purpose": self.purpose,
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": self.response_headers,
            "response_body": self.response_body,
            "elapsed_ms": round(self.elapsed * 1000, 1),
            "error": self.error,
        }


def redact_response_body(text: str, content_type: str, redactor: Redactor, parsed: Any = None) -> str:
    """`parsed`: the body already parsed as JSON, if it was (saves parsing it twice)."""
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        return _redact_json_body(text, redactor, parsed)
    return redactor.scrub(text)
