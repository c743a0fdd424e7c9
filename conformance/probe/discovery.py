"""How the token endpoint issues tokens: by which grant, which client authentication methods and
where the parameters go.

Every client authentication method the suite knows is tried, not only the first that works: a
profile lists each method the endpoint accepts (`client_auth.methods`), and the suite checks each
one, so a method left out is a check left out. HTTP Basic stays first where it works (RFC 6749
§2.3.1: the one every server MUST support), and it is the suite's default.

Three situations: user credentials given (the password grant, as always, then one client
credentials grant with the client pair beside it); a client pair alone (the client credentials
grant by each method); and what the answer to that grant says when it is not a token
(`unauthorized_client` is the server saying the grant exists, for other clients).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from conformance.client import ConformanceClient, Exchange
from conformance.client.client import PROFILE_DEFAULT
from conformance.errors import ConformanceError
from conformance.probe.draft import Draft, outcome
from conformance.probe.metadata import Advertised
from conformance.profile.model import ClientAuth, ClientAuthMethod, Tristate

__all__ = [
    "METHODS",
    "NoTokenIssued",
    "discover_client_credentials",
    "discover_password",
    "learn_client_credentials",
]

# The methods the suite can use with a client secret, in the order a draft lists them (RFC 8414 names).
METHODS: tuple[ClientAuthMethod, ...] = ("client_secret_basic", "client_secret_post")
Location = Literal["body", "query"]
_STYLE: dict[ClientAuthMethod, ClientAuth] = {
    "none": "none",
    "client_secret_basic": "basic",
    "client_secret_post": "body",
}
_NAMES = {
    "none": "no client authentication",
    "client_secret_basic": "HTTP Basic",
    "client_secret_post": "client_id/client_secret in the body",
}


class NoTokenIssued(ConformanceError):
    """No way of asking for a token worked: there is nothing further to learn."""


def _use(client: ConformanceClient, methods: list[ClientAuthMethod], location: Location) -> None:
    """Make every later request the way the draft says: the first method, the learned location."""
    client.profile = replace(
        client.profile,
        client_auth=_STYLE[methods[0]],
        client_auth_methods=tuple(methods),
        parameter_location=location,
    )


def _password(client: ConformanceClient, method: ClientAuthMethod, location: Location) -> Exchange:
    _use(client, [method], location)
    purpose = f"token: password grant, client auth {_STYLE[method]}, parameters in {location}"
    return client.password_grant(purpose, client=None if method == "none" else PROFILE_DEFAULT)


def discover_password(client: ConformanceClient, draft: Draft, *, has_client: bool) -> list[Exchange]:
    """Try what the credentials allow until a token is issued: the body before the query string
    (RFC 6749 §4.3.2), and no client credentials before any, so `none` is found as `none`; then
    the client credentials in the body as well where HTTP Basic worked. The tokens issued."""
    methods: tuple[ClientAuthMethod, ...] = ("none", *METHODS) if has_client else ("none",)
    refused: list[str] = []
    for location in ("body", "query"):
        for method in methods:
            exchange = _password(client, method, location)
            if exchange.issued_token is None:
                refused.append(f"{_STYLE[method]} in {location}: {outcome(exchange)}")
                continue
            issued, worked = [exchange], [method]
            if method == "client_secret_basic":
                body = _password(client, "client_secret_post", location)
                if body.issued_token is not None:
                    issued.append(body)
                    worked.append("client_secret_post")
                else:
                    refused.append(f"body in {location}: {outcome(body)}")
            _use(client, worked, location)
            _record_password(draft, worked, location, issued, refused, has_client)
            return issued
    hint = (
        ""
        if has_client
        else "; CONFORMANCE_CLIENT_ID and CONFORMANCE_CLIENT_SECRET are not set, so only requests "
        "without client authentication were tried"
    )
    raise NoTokenIssued(
        client.redactor.scrub(f"no password grant issued a token ({'; '.join(refused)}){hint}")
    )


def _methods_how(worked: list[ClientAuthMethod], issued: list[Exchange], refused: list[str]) -> str:
    said = "; ".join(
        f"{_NAMES[m]} issued a token ({outcome(e)})" for m, e in zip(worked, issued, strict=True)
    )
    if refused:
        said += f"; refused: {'; '.join(refused)}"
    return said + ". The first is the one the suite uses by default"


def _record_password(
    draft: Draft,
    worked: list[ClientAuthMethod],
    location: Location,
    issued: list[Exchange],
    refused: list[str],
    has_client: bool,
) -> None:
    first = issued[0]
    if worked == ["none"]:
        why = f"a token was issued without client credentials ({outcome(first)})"
        if not has_client:
            why += "; CONFORMANCE_CLIENT_ID and CONFORMANCE_CLIENT_SECRET were not set"
        draft.learn("client_auth.style", "none", why)
    else:
        draft.learn("client_auth.methods", list(worked), _methods_how(worked, issued, refused))
    where = "the request body (form-encoded)" if location == "body" else "the query string"
    loc_why = f"parameters in {where} issued a token ({outcome(first)})"
    if location == "query":
        loc_why += "; in the body none did. Credentials in a URL end up in server logs"
    draft.learn("parameters.location", location, loc_why)
    draft.learn("grants.password", True, f"the password grant issued a token ({outcome(first)})")
    tried = "every method tried" if has_client else "no client pair given"
    draft.source("client_auth", f"probe §client authentication ({tried})")
    draft.source("parameters", "probe §parameter location")
    draft.source("grants", "probe §grants")


def discover_client_credentials(
    client: ConformanceClient, draft: Draft, advertised: Advertised
) -> list[Exchange]:
    """No user credentials: one client credentials grant per method, the real secret only in the
    shapes the metadata advertises where it publishes any (RFC 8414 §2: client_secret_basic when
    it lists none), by both methods where there is no metadata. The tokens issued."""
    if advertised.published:
        listed = advertised.auth_methods or ["client_secret_basic"]
        tried = [m for m in METHODS if m in listed]
    else:
        tried = list(METHODS)
    worked: list[ClientAuthMethod] = []
    issued: list[Exchange] = []
    refused: list[str] = []
    for method in tried:
        _use(client, [method], "body")
        exchange = client.client_credentials_grant(
            f"token: client credentials grant, client auth {_STYLE[method]}", method=method
        )
        if exchange.issued_token is not None:
            worked.append(method)
            issued.append(exchange)
        else:
            refused.append(f"{_STYLE[method]}: {outcome(exchange)}")
    if not issued:
        where = "advertised " if advertised.published else ""
        raise NoTokenIssued(
            client.redactor.scrub(
                f"the client credentials grant issued no token by any {where}client authentication "
                f"method ({'; '.join(refused) or 'none the suite can use'})"
            )
        )
    _use(client, worked, "body")
    numbers = ", ".join(f"#{e.seq}" for e in issued)
    draft.learn("client_auth.methods", list(worked), _methods_how(worked, issued, refused))
    shapes = "the methods the metadata advertises" if advertised.published else "every method tried"
    draft.source("client_auth", f"probe §client authentication ({shapes})")
    draft.learn("parameters.location", "body", f"form-encoded body parameters issued a token ({numbers})")
    draft.source("parameters", "probe §parameter location (RFC 6749 §4.4.2)")
    draft.learn("grants.client_credentials", True, f"the client credentials grant issued a token ({numbers})")
    if not advertised.published:
        draft.learn(
            "grants.password",
            "unspecified",
            "not tried: CONFORMANCE_USERNAME and CONFORMANCE_PASSWORD are not set, and no metadata "
            "lists grants",
        )
    draft.source("grants", "probe §grants")
    return issued


def learn_client_credentials(client: ConformanceClient, draft: Draft, advertised: Advertised) -> Exchange:
    """Beside the password grant: one client credentials grant with the client pair, by the
    method the suite will use (HTTP Basic where the token endpoint takes no client credentials)."""
    method: ClientAuthMethod = next(
        (m for m in client.profile.client_auth_methods if m != "none"), "client_secret_basic"
    )
    exchange = client.client_credentials_grant(
        f"token: client credentials grant, client auth {_STYLE[method]}", method=method
    )
    value, how = judge_grant(exchange, advertised.lists_grant("client_credentials"))
    draft.learn("grants.client_credentials", value, how)
    return exchange


def judge_grant(exchange: Exchange, listed: bool) -> tuple[Tristate, str]:
    """Whether a grant is offered, from one request by it. `unauthorized_client` is "the
    authenticated client is not authorized to use this authorization grant type" (RFC 6749 §5.2):
    the grant exists, for other clients, so it is offered and nothing in the profile should stop
    a run on it; `unsupported_grant_type` is the server not knowing it."""
    seen = outcome(exchange)
    if exchange.issued_token is not None:
        return True, f"the client credentials grant issued a token ({seen})"
    code = exchange.error_code
    if code == "unauthorized_client":
        why = (
            "metadata grant_types_supported" if listed else "unauthorized_client, not unsupported_grant_type"
        )
        return True, f"offered ({why}), not to this client: {seen}"
    if code == "unsupported_grant_type":
        listing = "; the metadata lists it in grant_types_supported all the same" if listed else ""
        return False, f"refused as an unsupported grant type: {seen}{listing}"
    if listed:
        return True, f"offered (metadata grant_types_supported); refused to this client: {seen}"
    return "unspecified", f"undecided: {seen}"
