"""A generated token request: the documented one, changed by a few named moves.

A `Move` says what it changes ("password: last character changed"), what the RFC or the
profile then allows (`Verdict`), which error codes a refusal may carry, and which requirement
a contradicting answer breaks. Values made from secrets are symbolic (`Value`), so a case's
repr, hypothesis's output and the transcripts never hold a credential or a near miss of one;
the redactor learns each such value, with a label naming the move, before it is sent.

A move that sends the request in a shape the profile does not (parameters in the other place,
another Content-Type) `reshapes` it: such a request may land where requests get logged (the
URL in an access log, a body dumped by a framework that could not parse it), so its whole case
renders every secret from `MADE_UP` instead of the real credentials.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import quote_plus, unquote_plus

from conformance.client import ConformanceClient, Credentials, Exchange
from conformance.credentials import basic_authorization, changed_by_form_encoding
from conformance.expected import Verdict
from conformance.profile import Profile
from conformance.requirements import Requirement
from conformance.requirements.rfc import rfc6749

__all__ = [
    "Built",
    "Draft",
    "Location",
    "MADE_UP",
    "Move",
    "Param",
    "RequestCase",
    "SECRET_SOURCES",
    "Value",
    "literal",
    "secret",
    "secrets_of",
]

Location = Literal["body", "query"]
SECRET_SOURCES = ("username", "password", "client_id", "client_secret")
# Credentials no account has: what a reshaped request carries. They read as what they are.
MADE_UP = {
    "username": "conformance-made-up-user",
    "password": "conformance-made-up-password",
    "client_id": "conformance-made-up-client",
    "client_secret": "conformance-made-up-secret",
}


@dataclass(frozen=True, slots=True)
class Value:
    """A parameter or header value: literal text, or made from one of the secrets."""

    label: str
    make: Callable[[dict[str, str]], str] = field(repr=False, compare=False)
    source: str | None = None  # which secret it is made from, if any

    def __repr__(self) -> str:
        return self.label

    def render(self, secrets: dict[str, str]) -> str:
        return self.make(secrets)


def literal(text: str, label: str | None = None) -> Value:
    return Value(label or repr(text), lambda _: text)


def secret(source: str, how: str = "", transform: Callable[[str], str] = str) -> Value:
    """The secret `source`, changed by `transform` (described by `how`)."""
    label = f"{source}{f' ({how})' if how else ''}"
    return Value(label, lambda s: transform(s[source]), source)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    value: Value
    raw: bool = False  # the value is already form-encoded: sent exactly as rendered


@dataclass
class Draft:
    """A request being built: moves change it one after another."""

    params: list[Param]
    location: Location
    authorization: Value | None
    content_type: str | None = "application/x-www-form-urlencoded"
    json_body: bool = False
    moved: dict[str, Location] = field(default_factory=dict)  # single parameters elsewhere

    def named(self, name: str) -> list[int]:
        return [i for i, p in enumerate(self.params) if p.name == name]

    def set(self, name: str, value: Value, *, raw: bool = False) -> None:
        """Give every `name` parameter this value; an omitted one stays omitted."""
        for i in self.named(name):
            self.params[i] = Param(name, value, raw)

    def omit(self, name: str) -> None:
        self.params = [p for p in self.params if p.name != name]


@dataclass(frozen=True, slots=True)
class Move:
    """One change to the documented request, and what it allows."""

    what: str
    verdict: Verdict
    requirement: Requirement
    change: Callable[[Draft], None] = field(repr=False, compare=False)
    codes: frozenset[str] = frozenset()
    target: str = ""  # the parameter or credential it changes
    reshapes: bool = False  # another shape than the profile's: the case carries MADE_UP credentials
    # Requirements whose failure explains a wrong refusal of it: a request whose parameters the
    # server may not read is, to that server, a request missing them.
    follows_from: tuple[Requirement, ...] = ()

    def __repr__(self) -> str:
        return self.what


def _encode(params: Sequence[Param], secrets: dict[str, str]) -> str:
    parts = []
    for p in params:
        value = p.value.render(secrets)
        parts.append(f"{quote_plus(p.name)}={value if p.raw else quote_plus(value)}")
    return "&".join(parts)


@dataclass(frozen=True, slots=True)
class Built:
    target: str
    headers: list[tuple[str, str | bytes]]
    content: bytes | None
    grant_type: str | None


# What the moves' requirements (written for the password grant) stand for in a request of the
# client credentials grant: its documented request issues by §4.4, and its only credentials are
# the client's (§4.4.2, §3.2.1).
_CLIENT_CREDENTIALS_TERMS: dict[str, Requirement] = {
    rfc6749.PASSWORD_GRANT_ISSUES.id: rfc6749.CC_ISSUES,
    rfc6749.WRONG_CREDENTIALS.id: rfc6749.CC_CLIENT_AUTH,
    rfc6749.CLIENT_AUTH_REQUIRED.id: rfc6749.CC_CLIENT_AUTH,
    rfc6749.MISSING_PARAMETER.id: rfc6749.CC_CLIENT_AUTH,
}


@dataclass(frozen=True, slots=True)
class RequestCase:
    """The documented request of `grant` with `moves` applied."""

    moves: tuple[Move, ...] = ()
    grant: str = "password"

    def __repr__(self) -> str:
        return "the documented request" + (
            " with " + "; ".join(m.what for m in self.moves) if self.moves else ""
        )

    def blame(self, requirement: Requirement) -> Requirement:
        """The requirement a move's one stands for in this case's grant."""
        if self.grant == "client_credentials":
            return _CLIENT_CREDENTIALS_TERMS.get(requirement.id, requirement)
        return requirement

    @property
    def verdict(self) -> Verdict:
        return min((m.verdict for m in self.moves), default=Verdict.ISSUE)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(c for m in self.moves for c in m.codes)

    @property
    def follows_from(self) -> tuple[Requirement, ...]:
        return tuple(dict.fromkeys(r for m in self.moves for r in m.follows_from))

    def deciding(self) -> Move | None:
        """The move that sets the verdict (the first of the strictest)."""
        verdict = self.verdict
        return next((m for m in self.moves if m.verdict == verdict), None)

    def with_moves(self, *moves: Move) -> RequestCase:
        return replace(self, moves=self.moves + moves)

    @property
    def made_up(self) -> bool:
        """Whether the request carries made-up credentials (a move reshapes it)."""
        return any(m.reshapes for m in self.moves)

    def secrets(self, credentials: Credentials) -> dict[str, str]:
        """The values the case's secrets render from: the real ones, or made-up ones."""
        real = secrets_of(credentials)
        if not self.made_up:
            return real
        return {name: MADE_UP[name] if real[name] else "" for name in SECRET_SOURCES}

    def draft(self, profile: Profile, credentials: Credentials) -> Draft:
        params = [Param("grant_type", literal(self.grant))]
        if profile.scope_value is not None:
            params.append(Param("scope", literal(profile.scope_value)))
        if self.grant == "password":
            params += [Param("username", secret("username")), Param("password", secret("password"))]
        authorization = None
        if credentials.client is not None and profile.client_auth == "basic":
            authorization = Value("Basic <client credentials>", _documented_basic, "client_secret")
        elif credentials.client is not None and profile.client_auth == "body":
            params += [
                Param("client_id", secret("client_id")),
                Param("client_secret", secret("client_secret")),
            ]
        draft = Draft(params, profile.parameter_location, authorization)
        for move in self.moves:
            move.change(draft)
        return draft

    def build(self, profile: Profile, credentials: Credentials) -> Built:
        draft = self.draft(profile, credentials)
        secrets = self.secrets(credentials)
        in_query = [p for p in draft.params if draft.moved.get(p.name, draft.location) == "query"]
        in_body = [p for p in draft.params if draft.moved.get(p.name, draft.location) == "body"]
        query = _encode(in_query, secrets)
        target = profile.token_path + (f"?{query}" if query else "")
        headers: list[tuple[str, str | bytes]] = []
        content: bytes | None = None
        if in_body:
            if draft.json_body:
                content = json.dumps({p.name: p.value.render(secrets) for p in in_body}).encode()
            else:
                content = _encode(in_body, secrets).encode("utf-8", "surrogateescape")
            if draft.content_type is not None:
                headers.append(("Content-Type", draft.content_type))
        if draft.authorization is not None:
            headers.append(("Authorization", draft.authorization.render(secrets)))
        grant = next((p for p in draft.params if p.name == "grant_type"), None)
        grant_type = grant.value.render(secrets) if grant is not None else None
        if grant is not None and grant.raw:
            grant_type = unquote_plus(grant_type or "")
        return Built(target, headers, content, grant_type)

    def send(
        self,
        client: ConformanceClient,
        purpose: str,
        *,
        refused_before: bool = False,
        asks_token: bool = False,
    ) -> Exchange:
        """Register every value made from a secret with the redactor, then send the request (or,
        `refused_before`, take the refusal of the same request sent earlier in the run)."""
        credentials = client.credentials
        draft = self.draft(client.profile, credentials)
        secrets = self.secrets(credentials)
        for param in draft.params:
            _register(client, param.value, secrets, param.raw)
        if draft.authorization is not None:
            _register(client, draft.authorization, secrets, False)
        built = self.build(client.profile, credentials)
        # The documented Basic credential, of a pair form encoding changes (RFC 6749 §2.3.1).
        basic = draft.authorization is not None and draft.authorization.make is _documented_basic
        encoded = basic and changed_by_form_encoding(secrets["client_id"], secrets["client_secret"])
        return client.send_raw(
            client.profile.token_method,
            built.target,
            kind="token",
            purpose=purpose,
            headers=built.headers,
            content=built.content,
            grant_type=built.grant_type,
            basic_form_encoded=encoded,
            refused_before=refused_before,
            asks_token=asks_token,
        )


def _documented_basic(secrets: dict[str, str]) -> str:
    return basic_authorization(secrets["client_id"], secrets["client_secret"])


def secrets_of(credentials: Credentials) -> dict[str, str]:
    client = credentials.client
    return {
        "username": credentials.username,
        "password": credentials.password,
        "client_id": client.client_id if client else "",
        "client_secret": client.client_secret if client else "",
    }


def _register(client: ConformanceClient, value: Value, secrets: dict[str, str], raw: bool) -> None:
    if value.source is None or secrets.get(value.source) == MADE_UP[value.source]:
        return  # literal text, or made up: nothing to hide
    rendered = value.render(secrets)
    if rendered in secrets.values():
        return  # the secret itself: already known
    # A label that survives form encoding in the report: password~last-character-changed.
    how = value.label.removeprefix(value.source).strip(" ()")
    slug = "".join(c if c.isalnum() else "-" for c in how).strip("-")
    label = f"{value.source}~{'-'.join(p for p in slug.split('-') if p) or 'variant'}"
    for form in (rendered, unquote_plus(rendered) if raw else rendered):
        client.redactor.add_derived(form, label)
        scheme, _, credential = form.partition(" ")
        if credential and scheme.isalpha():
            client.redactor.add_derived(credential, label)
