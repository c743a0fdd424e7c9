"""Benign variants of the client credentials grant, client authentication methods and scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.emulator.behaviour import Reply
from conformance.emulator.bends import (
    client_credentials,
    variant,
)
from conformance.emulator.hooks import on_resource_rejection, repeats_a_parameter

if TYPE_CHECKING:
    from starlette.requests import Request

    from conformance.emulator.bends import Bendable


@variant(
    "scope-always-returned",
    "every token response that grants a scope names it (client credentials, and password and "
    "refresh where scopes are enforced), even when it is the one requested, or the original one",
    allowed_by="RFC 6749 §5.1: scope is OPTIONAL when identical to the requested scope, so it "
    "may always be sent; §6: a refresh without scope is granted the original scope, which it may say",
    seen_in="Keycloak, ORY Hydra, Doorkeeper, Spring Authorization Server, django-oauth-toolkit "
    "(scope in every token response, refreshes included)",
    applies=lambda p: client_credentials(p) or (p.scope_enforced is True and p.scope_value is not None),
)
def _scope_always_returned(emulator: Bendable) -> None:
    emulator.behaviour.return_scope = "always"


@variant(
    "scope-returned-reordered",
    "every token response that grants a scope names it, its values in another order than asked (reversed)",
    allowed_by="RFC 6749 §3.3: the scope is a list of space-delimited strings whose order does "
    "not matter; §5.1: scope may be sent when identical to the requested one",
    seen_in="Spring Authorization Server (scopes kept in a Set), Keycloak (scopes in its own order)",
    applies=lambda p: client_credentials(p) or (p.scope_enforced is True and p.scope_value is not None),
)
def _scope_returned_reordered(emulator: Bendable) -> None:
    emulator.behaviour.return_scope = "always"

    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and isinstance(payload, dict) and isinstance(payload.get("scope"), str):
            payload = {**payload, "scope": " ".join(reversed(payload["scope"].split()))}
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@variant(
    "basic-accepted-though-unlisted",
    "HTTP Basic client authentication works where the documentation lists only client_secret_post",
    allowed_by="RFC 6749 §2.3.1: the server MUST support Basic for clients with a password, "
    "whatever its documentation lists (OAuth 2.1 prefers the body)",
    seen_in="Spring Authorization Server, Keycloak, Authlib (both methods on by default)",
    applies=lambda p: client_credentials(p) and "client_secret_basic" not in p.client_auth_methods,
)
def _basic_accepted_though_unlisted(emulator: Bendable) -> None:
    behaviour = emulator.behaviour
    behaviour.client_auth_methods = (*behaviour.client_auth_methods, "client_secret_basic")


@variant(
    "invalid-client-400-body",
    "client credentials in the body that fail authentication are HTTP 400 invalid_client, no challenge",
    allowed_by="RFC 6749 §5.2: invalid_client MAY be 401; 401 with WWW-Authenticate is a MUST only "
    "when the client authenticated via the Authorization header",
    seen_in="Doorkeeper, IdentityServer4/Duende, node-oauth2-server",
    applies=lambda p: client_credentials(p) and "client_secret_post" in p.client_auth_methods,
)
def _invalid_client_400_body(emulator: Bendable) -> None:
    async def hook(kind: str, request: Request, params: list[tuple[str, str]]) -> Reply | None:
        given = dict(params)
        if kind != "token" or "authorization" in request.headers or "client_secret" not in given:
            return None
        if repeats_a_parameter(params):
            return None  # refused as repeating a parameter, as the emulator does first
        known = [c for c in (emulator.credentials.client, emulator.credentials.restricted_client) if c]
        presented = (given.get("client_id"), given["client_secret"])
        if any((c.client_id, c.client_secret) == presented for c in known):
            return None  # the right credentials: the emulator answers as usual
        return 400, {}, {"error": "invalid_client", "error_description": "client authentication failed"}

    emulator.behaviour.request_hooks.append(hook)


@variant(
    "insufficient-scope-spring",
    'a token lacking the required scope gets 403, Bearer error="insufficient_scope" with '
    "error_description and error_uri, no realm, and an empty body",
    allowed_by="RFC 6750 §3: error_description, error_uri and scope MAY be included, the realm "
    "MAY be left out; §3.1 names no body",
    seen_in="Spring Security resource server (BearerTokenAccessDeniedHandler)",
    applies=lambda profile: profile.resource.required_scope is not None,
)
def _insufficient_scope_spring(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        if status != 403 or "insufficient_scope" not in headers.get("WWW-Authenticate", ""):
            return status, headers, payload
        headers["WWW-Authenticate"] = (
            'Bearer error="insufficient_scope", error_description="The request requires higher '
            'privileges than provided by the access token.", '
            'error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"'
        )
        return 403, headers, b""

    emulator.behaviour.response_hooks.append(on_resource_rejection(bend))


@variant(
    "revocation-other-client-200",
    "another client's request to revoke a token is answered 200 with an empty body, and revokes nothing",
    allowed_by="RFC 7009 §2.2: a token the requesting client cannot revoke is an invalid token to "
    "it, and an invalid token is answered 200; §2.1 asks only that nothing be revoked",
    seen_in="Authlib's RevocationEndpoint where query_token returns only the requesting client's "
    "tokens (DIRAC): a token not found is answered 200",
    applies=lambda profile: profile.revocation is not None and profile.grant_client_credentials is True,
)
def _revocation_other_client_200(emulator: Bendable) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        foreign = isinstance(payload, dict) and payload.get("error") == "unauthorized_client"
        if kind == "revocation" and status == 400 and foreign:
            return 200, {}, b""
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)
