"""Scope: what the client should ask for, what an unknown scope gets, and what the resource needs.

The suite sends `scope.value` with every token request and its scope checks need one, so the
probe takes a scope from where a server says it: the resource's own RFC 9728 `scopes_supported`
first (the scopes "used in authorization requests to request access to this protected resource",
RFC 9728 §2), then the authorization server's RFC 8414 `scopes_supported`, then the `scope` a
token response grants when none was asked (RFC 6749 §3.3: the server's default), and last the
`scope` attribute of a 403 `insufficient_scope` challenge at the resource (RFC 6750 §3.1). An
advertised scope is asked for once before it is written: a scope the server refuses would make
every request of the run fail.

OpenID Connect's scopes (openid, profile, email, ...) are left out of RFC 8414's list: they ask
for claims about an end-user (OpenID Connect Core §5.4), not for access to a resource, and a
client without a user is granted nothing by them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from conformance.checks.challenge import parse_challenges
from conformance.client import ConformanceClient, Exchange
from conformance.probe.draft import Draft, outcome
from conformance.probe.metadata import Advertised

__all__ = [
    "OPENID_SCOPES",
    "UNKNOWN_SCOPE",
    "advertised_scopes",
    "challenged",
    "granted",
    "learn_scope",
    "learn_unknown_scope",
    "record_required",
    "scope_tokens",
    "set_scope",
]

UNKNOWN_SCOPE = "conformance-probe-unknown-scope"
OPENID_SCOPES = frozenset({"openid", "profile", "email", "address", "phone", "offline_access"})
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]{1,100}")  # RFC 6749 §3.3 scope-token
Grant = Callable[[str], Exchange]  # a token request by the probe's grant, with this purpose


def scope_tokens(value: object) -> list[str]:
    """The scope tokens of a space-delimited list (RFC 6749 §3.3), each once; anything else none."""
    if isinstance(value, list):
        value = " ".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return []
    return list(dict.fromkeys(t for t in value.split(" ") if _SCOPE_TOKEN.fullmatch(t)))


def set_scope(client: ConformanceClient, value: str | None) -> None:
    """Every later token request asks for `value`, as the suite's will."""
    client.profile = replace(client.profile, scope_value=value)


def granted(exchange: Exchange) -> list[str]:
    """The scope a token response says it granted (RFC 6749 §5.1)."""
    body = exchange.json
    return scope_tokens(body.get("scope")) if isinstance(body, dict) else []


def challenged(exchange: Exchange) -> list[str]:
    """The scope a 403 insufficient_scope Bearer challenge names (RFC 6750 §3.1: "MAY include the
    scope attribute with the scope necessary to access the protected resource")."""
    if exchange.status != 403:
        return []
    for challenge in parse_challenges(exchange.headers_named("www-authenticate")):
        if challenge.scheme.lower() == "bearer" and challenge.param("error") == "insufficient_scope":
            return scope_tokens(challenge.param("scope"))
    return []


def advertised_scopes(advertised: Advertised) -> tuple[list[str], str]:
    """The scopes the metadata names for this resource, and where they come from."""
    resource = scope_tokens(advertised.resource_scopes)
    if resource:
        return resource, "RFC 9728 scopes_supported"
    listed = scope_tokens(advertised.server_scopes)
    server = [s for s in listed if s not in OPENID_SCOPES]
    if server:
        return server, "RFC 8414 scopes_supported"
    return [], ""


def _unnamed(advertised: Advertised, first: Exchange) -> str:
    """Why no scope could be learned, said in the places looked at."""
    places = ["no RFC 9728 scopes_supported"]
    listed = scope_tokens(advertised.server_scopes)
    if listed:
        places.append(f"RFC 8414 scopes_supported lists only OpenID Connect scopes ({', '.join(listed)})")
    elif advertised.published:
        places.append("no RFC 8414 scopes_supported")
    places.append(f"the response to a token request without scope ({outcome(first)}) names none")
    return (
        f"no scope is named: {'; '.join(places)}. The suite sends no scope, and its scope checks are "
        "skipped: set one the client may have to run them"
    )


def learn_scope(
    client: ConformanceClient, draft: Draft, advertised: Advertised, first: Exchange, grant: Grant
) -> Exchange | None:
    """scope.value, asked for once where it comes from metadata; the token that asking issued."""
    candidates, where = advertised_scopes(advertised)
    notes: list[str] = []
    if candidates:
        asked = " ".join(candidates)
        set_scope(client, asked)
        exchange = grant(f"token: asking for the advertised scope {asked}")
        if exchange.issued_token is not None:
            given = " ".join(granted(exchange)) or asked
            narrowed = f", granted as {given}" if given != asked else ""
            set_scope(client, given)
            draft.learn(
                "scope.value", given, f"{where} lists {asked}; asked for it: {outcome(exchange)}{narrowed}"
            )
            draft.source("scope", "probe §scope (metadata, asked for)")
            return exchange
        set_scope(client, None)
        notes.append(f"{where} lists {asked}, but asking for it was refused ({outcome(exchange)})")
    default = granted(first)
    if default:
        value = " ".join(default)
        set_scope(client, value)
        notes.append(
            f"granted when no scope was asked ({outcome(first)}): the server's default (RFC 6749 §3.3)"
        )
        draft.learn("scope.value", value, "; ".join(notes))
        draft.source("scope", "probe §scope (the token response)")
        return None
    draft.learn("scope.value", None, "; ".join([*notes, _unnamed(advertised, first)]))
    draft.source("scope", "probe §scope (none named)")
    return None


def learn_unknown_scope(client: ConformanceClient, draft: Draft, grant: Grant) -> Exchange | None:
    """scope.unknown: the known scope and a made-up one asked together, as the suite asks (RFC 6749
    §3.3: refused with invalid_scope, or a token for the rest); the token, if one was issued."""
    known = client.profile.scope_value
    asked = f"{known} {UNKNOWN_SCOPE}" if known else UNKNOWN_SCOPE
    set_scope(client, asked)
    try:
        exchange = grant("token: asking for an unknown scope" + (" beside the known one" if known else ""))
    finally:
        set_scope(client, known)
    seen = outcome(exchange)
    if exchange.error_code == "invalid_scope":
        value, how = "refused", f"an unknown scope asked for was refused: {seen}"
    elif exchange.issued_token is not None and UNKNOWN_SCOPE in granted(exchange):
        value, how = "unspecified", f"an unknown scope was granted as if it were known ({seen})"
    elif exchange.issued_token is not None:
        returned = granted(exchange)
        said = f"the scope returned names {' '.join(returned)}" if returned else "no scope returned"
        value, how = "ignored", f"a token was issued though an unknown scope was asked for ({seen}; {said})"
    else:
        value, how = "unspecified", f"undecided: an unknown scope asked for got {seen}"
    draft.learn("scope.unknown", value, how)
    return exchange if exchange.issued_token is not None else None


def record_required(draft: Draft, needed: list[str], refused: Exchange, served: Exchange, value: str) -> None:
    """The resource refused a token for a scope it named, and served one granted it."""
    named = " ".join(needed)
    draft.learn(
        "scope.value",
        value,
        f"the resource refused a token lacking {named} ({outcome(refused)}, "
        f'Bearer error="insufficient_scope" scope="{named}") and served one granted {value} '
        f"({outcome(served)})",
    )
    draft.source("scope", "probe §scope (the resource's insufficient_scope challenge)")
    if len(needed) == 1:
        draft.learn(
            "resource.required_scope",
            needed[0],
            f"a token without it was refused for its scope ({outcome(refused)}); one with it served "
            f"({outcome(served)})",
        )
