"""Benign variants of the token endpoint's refusals: error bodies, statuses and challenges."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from conformance.emulator.behaviour import Reply
from conformance.emulator.bends import (
    FORM,
    basic_client_auth,
    form_body,
    issues_refresh,
    variant,
)
from conformance.emulator.hooks import on_token_error

if TYPE_CHECKING:
    from starlette.requests import Request

    from conformance.emulator.bends import Bendable


@variant(
    "error-body-extras",
    "token errors add error_uri, timestamp, status and trace_id members",
    allowed_by="RFC 6749 §5.2: error_uri is OPTIONAL; the error response is a JSON object and "
    "nothing forbids extension members",
    seen_in="Spring Boot's error attributes, Okta (errorId), Auth0, fosite (error_hint)",
)
def _error_body_extras(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        extras = {
            "error_uri": "https://www.rfc-editor.org/rfc/rfc6749#section-5.2",
            "timestamp": "2024-05-01T12:00:00.000+00:00",
            "status": status,
            "trace_id": secrets.token_hex(8),
        }
        return status, headers, {**body, **extras}

    emulator.behaviour.response_hooks.append(on_token_error(bend))


@variant(
    "error-description-absent",
    "token errors carry the error code alone, no error_description",
    allowed_by="RFC 6749 §5.2: error_description is OPTIONAL",
    seen_in="Google's token endpoint (some errors), minimal gateways, oauthlib without descriptions",
)
def _error_description_absent(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_error(lambda status, headers, body: (status, headers, {"error": body["error"]}))
    )


@variant(
    "missing-client-auth-400",
    "a token request with no client authentication at all is HTTP 400 invalid_client, no challenge",
    allowed_by="RFC 6749 §5.2: invalid_client MAY be 401; 401 with WWW-Authenticate is a MUST only "
    "when the client authenticated via the Authorization header",
    seen_in="IdentityServer4/Duende (400 invalid_client), node-oauth2-server",
    applies=basic_client_auth,
)
def _missing_client_auth_400(emulator: Bendable) -> None:
    async def hook(kind: str, request: Request, params: list[tuple[str, str]]) -> Reply | None:
        in_body = any(name in ("client_id", "client_secret") for name, _ in params)
        if kind != "token" or "authorization" in request.headers or in_body:
            return None
        body = {"error": "invalid_client", "error_description": "client authentication is required"}
        return 400, {}, body

    emulator.behaviour.request_hooks.append(hook)


@variant(
    "other-media-type-415",
    "a token request whose body is not application/x-www-form-urlencoded is HTTP 415 with no body",
    allowed_by="RFC 6749 §4.3.2 prescribes the form body but not the refusal of another one; "
    "RFC 7231 §6.5.13: 415 Unsupported Media Type",
    seen_in="Spring MVC, ASP.NET Core [FromForm], Express body parsers",
    applies=form_body,
)
def _other_media_type_415(emulator: Bendable) -> None:
    # A framework refuses the body before any OAuth code runs: an ASGI layer in front of the
    # emulator. Media types compare case-insensitively (RFC 7231 §3.1.1.1), as frameworks do.
    path = emulator.behaviour.token_path

    def layer(inner: Any) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == path:
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
                if FORM not in headers.get("content-type", "").lower():
                    refusal = Response(b"", status_code=415, media_type="text/plain")
                    await refusal(scope, receive, send)
                    return
            await inner(scope, receive, send)

        return app

    emulator.behaviour.app_layers.append(layer)


@variant(
    "get-refused-405-plain",
    "a GET to the token endpoint is HTTP 405 with Allow: POST and a plain-text body",
    allowed_by="RFC 6749 §3.2: the client MUST use POST; the RFC does not say how a server refuses "
    "another method (RFC 7231 §6.5.5: 405 with Allow)",
    seen_in="Starlette, ASP.NET routing, Spring MVC (HttpRequestMethodNotSupportedException)",
)
def _get_refused_405_plain(emulator: Bendable) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status == 405:
            return 405, {"Allow": "POST", "Content-Type": "text/plain; charset=utf-8"}, b"Method Not Allowed"
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@variant(
    "refresh-grant-not-allowed",
    "a client not allowed the refresh grant is refused unauthorized_client before the refresh "
    "token it presents is looked at (another client's included)",
    allowed_by="RFC 6749 §5.2 unauthorized_client: the authenticated client is not authorized to "
    "use this grant type; §6 requires the refresh token's client binding only of a client that may "
    "refresh at all",
    seen_in="oauthlib (RefreshTokenGrant checks validate_grant_type before validate_refresh_token), "
    "Authlib (test_refresh_token.py::test_invalid_grant_type)",
    applies=lambda p: issues_refresh(p) and p.client_auth != "none",
)
def _refresh_grant_not_allowed(emulator: Bendable) -> None:
    emulator.behaviour.restricted_refresh_refused = True


@variant(
    "structured-parameters-refused",
    "a parameter name with brackets (scope[a]=b, grant_type[]=...) makes the token request HTTP 400 "
    "invalid_request: the parser builds an object or array, and the value is not a string",
    allowed_by="RFC 6749 §5.2 invalid_request: the request includes an unsupported parameter value; "
    "§3.2 ignores unrecognized parameters, which a parser that reads the name as scope does not see",
    seen_in="Doorkeeper on Rails (client_credentials_spec.rb: 'the scope parameter is not a string'), "
    "Express with qs, PHP's $_POST",
)
def _structured_parameters_refused(emulator: Bendable) -> None:
    async def hook(kind: str, request: Request, params: list[tuple[str, str]]) -> Reply | None:
        if kind == "token" and any("[" in name for name, _ in params):
            body = {"error": "invalid_request", "error_description": "a parameter is not a string"}
            return 400, {}, body
        return None

    emulator.behaviour.request_hooks.append(hook)


@variant(
    "get-refused-invalid-request",
    "a GET to the token, revocation or introspection endpoint is HTTP 400 invalid_request "
    '("Unsupported request method GET")',
    allowed_by="RFC 6749 §5.2 invalid_request: the request is otherwise malformed; §3.2, RFC 7009 "
    "§2.1 and RFC 7662 §2.1 have clients POST without saying how another method is refused",
    seen_in="oauthlib (test_invalid_request_method, test_revoke_invalid_request_method, "
    "test_introspect_invalid_request_method), and so django-oauth-toolkit",
)
def _get_refused_invalid_request(emulator: Bendable) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind in ("token", "revocation", "introspection") and status == 405:
            body = {"error": "invalid_request", "error_description": "Unsupported request method GET"}
            return 400, {}, body
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)
