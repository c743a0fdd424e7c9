"""Benign variants of the token response: members, media type, caching headers, token values."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import TYPE_CHECKING, Any

from conformance.emulator.behaviour import Reply
from conformance.emulator.bends import (
    headers_of,
    variant,
)
from conformance.emulator.hooks import on_token_success
from conformance.profile.model import UNIT_FACTORS

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable


@variant(
    "token-type-capitalised",
    'token_type is "Bearer", not "bearer"',
    allowed_by="RFC 6749 §5.1: the value of token_type is case insensitive",
    seen_in="Spring Authorization Server, Authlib, django-oauth-toolkit, IdentityServer, Okta",
)
def _token_type_capitalised(emulator: Bendable) -> None:
    emulator.behaviour.token_type = emulator.behaviour.token_type.capitalize()


@variant(
    "token-type-uppercase",
    'token_type is "BEARER"',
    allowed_by="RFC 6749 §5.1: the value of token_type is case insensitive",
    seen_in="hand-written gateways that upper-case enumerations",
)
def _token_type_uppercase(emulator: Bendable) -> None:
    emulator.behaviour.token_type = emulator.behaviour.token_type.upper()


@variant(
    "token-response-extras-owin",
    "the token response adds .issued, .expires and userName (ASP.NET OWIN's properties)",
    allowed_by="RFC 6749 §5.1: the client MUST ignore unrecognized value names in the response",
    seen_in="ASP.NET OWIN OAuthAuthorizationServer (Web API 2 templates)",
)
def _token_response_extras_owin(emulator: Bendable) -> None:
    username = emulator.credentials.username

    def extras(payload: dict[str, Any]) -> dict[str, Any]:
        return {
            **payload,
            "userName": username,
            ".issued": "Mon, 02 Jun 2014 10:00:00 GMT",
            ".expires": "Mon, 02 Jun 2014 10:30:00 GMT",
        }

    emulator.behaviour.response_hooks.append(on_token_success(extras))


@variant(
    "token-response-extras-keycloak",
    "the token response adds refresh_expires_in, not-before-policy, session_state and scope",
    allowed_by="RFC 6749 §5.1: scope is OPTIONAL (may be sent when identical to the request); "
    "the client MUST ignore unrecognized value names",
    seen_in="Keycloak, Red Hat SSO",
)
def _token_response_extras_keycloak(emulator: Bendable) -> None:
    scope = emulator.profile.scope_value or "profile email"
    refresh_lifetime = int(emulator.behaviour.refresh_token_lifetime)

    def extras(payload: dict[str, Any]) -> dict[str, Any]:
        return {
            **payload,
            "refresh_expires_in": refresh_lifetime if "refresh_token" in payload else 0,
            "not-before-policy": 0,
            "session_state": secrets.token_hex(16),
            "scope": scope,
        }

    emulator.behaviour.response_hooks.append(on_token_success(extras))


@variant(
    "expires-in-exact",
    "expires_in states the whole lifetime (1800), not one second less",
    allowed_by="RFC 6749 §5.1: expires_in is the lifetime in seconds of the access token",
    seen_in="Keycloak, Authlib, Spring Authorization Server, Doorkeeper",
)
def _expires_in_exact(emulator: Bendable) -> None:
    behaviour = emulator.behaviour
    # The plain emulator states one second less, as the seeds' examples do (1799 of 1800).
    exact = int(round(behaviour.lifetime / UNIT_FACTORS[behaviour.expires_in_unit]))
    behaviour.response_hooks.append(on_token_success(lambda p: {**p, "expires_in": exact}))


@variant(
    "cache-control-extra-directives",
    "token responses say Cache-Control: no-cache, no-store, max-age=0, must-revalidate and Expires: 0",
    allowed_by="RFC 6749 §5.1: the response MUST include Cache-Control no-store; RFC 7234 §5.2 "
    "lets other directives stand beside it",
    seen_in="Spring Security's default headers, Express helmet/nocache",
)
def _cache_control_extra_directives(emulator: Bendable) -> None:
    def change(status: int, headers: dict[str, str]) -> dict[str, str]:
        if "Cache-Control" in headers:
            headers["Cache-Control"] = "no-cache, no-store, max-age=0, must-revalidate"
            headers["Expires"] = "0"
        return headers

    emulator.behaviour.response_hooks.append(headers_of("token", change))


@variant(
    "json-media-type-lowercase",
    "JSON is labelled application/json; charset=utf-8 (a space, a lower-case charset)",
    allowed_by="RFC 6749 §5.1 asks for application/json; RFC 7231 §3.1.1.1: parameters and "
    "their whitespace and charset names are case insensitive",
    seen_in="Doorkeeper, Express, ASP.NET Core",
)
def _json_media_type_lowercase(emulator: Bendable) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if isinstance(payload, (dict, list)):
            body = json.dumps(payload, separators=(",", ":")).encode()
            return status, {**headers, "Content-Type": "application/json; charset=utf-8"}, body
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@variant(
    "hex-tokens",
    "access and refresh tokens are 64 hexadecimal characters (256 random bits)",
    allowed_by="RFC 6749 §1.4, §10.10: tokens are opaque strings whose guessing probability is "
    "at most 2^-128 (SHOULD 2^-160); 256 bits meet both",
    seen_in="Doorkeeper (SecureRandom.hex(32)), many hand-written servers",
)
def _hex_tokens(emulator: Bendable) -> None:
    emulator.behaviour.token_factory = lambda: secrets.token_hex(32)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@variant(
    "jwt-access-tokens",
    "tokens are signed JWTs (three base64url parts joined by dots, about 400 characters)",
    allowed_by="RFC 6749 §1.4: the token is opaque to the client; RFC 6750 §2.1: b64token allows "
    "'.'; RFC 9068 profiles JWT access tokens",
    seen_in="Keycloak, Auth0, Okta, Spring Authorization Server, IdentityServer/Duende, Azure AD",
)
def _jwt_access_tokens(emulator: Bendable) -> None:
    key = secrets.token_bytes(32)
    header = _b64url(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": "emulator"}).encode())
    username = emulator.credentials.username
    clock = emulator.clock

    def new_token() -> str:
        now = int(clock.now())
        claims = {
            "iss": "https://emulator.conformance/",
            "sub": username,
            "aud": "api",
            "iat": now,
            "exp": now + int(emulator.behaviour.lifetime),
            "jti": secrets.token_urlsafe(16),
            "scope": emulator.profile.scope_value or "read",
        }
        signing_input = f"{header}.{_b64url(json.dumps(claims, sort_keys=True).encode())}"
        signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64url(signature)}"

    emulator.behaviour.token_factory = new_token
