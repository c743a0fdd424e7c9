"""Benign variants of the protected resource: its refusals' challenges and bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from conformance.emulator.behaviour import Reply, ResponseHook
from conformance.emulator.bends import (
    refusal_body_undocumented,
    variant,
)
from conformance.emulator.hooks import on_resource_rejection

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable


def _challenge(change: Callable[[str], str]) -> ResponseHook:
    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        if "WWW-Authenticate" in headers:
            headers["WWW-Authenticate"] = change(headers["WWW-Authenticate"])
        return status, headers, payload

    return on_resource_rejection(bend)


def _params(challenge: str) -> dict[str, str]:
    """The auth-params of the emulator's own `Bearer k="v", k="v"` challenge."""
    _, _, rest = challenge.partition(" ")
    found = {}
    for part in rest.split(","):
        key, _, value = part.strip().partition("=")
        if key:
            found[key] = value.strip('"')
    return found


@variant(
    "challenge-error-description",
    'refusals say Bearer error="invalid_token", error_description="...", error_uri="..."',
    allowed_by="RFC 6750 §3: error_description and error_uri MAY be included",
    seen_in="Spring Security resource server, Microsoft.AspNetCore.Authentication.JwtBearer",
)
def _challenge_error_description(emulator: Bendable) -> None:
    def change(value: str) -> str:
        if 'error="invalid_token"' not in value:
            return value
        return (
            f'{value}, error_description="The access token expired, was revoked or is malformed", '
            'error_uri="https://www.rfc-editor.org/rfc/rfc6750#section-3.1"'
        )

    emulator.behaviour.response_hooks.append(_challenge(change))


@variant(
    "challenge-without-realm",
    'refusals say Bearer error="invalid_token" (no realm, error first), or a bare Bearer',
    allowed_by="RFC 6750 §3: the realm attribute MAY be included; auth-params come in any order "
    "(RFC 7235 §2.1)",
    seen_in="Spring Security resource server (no realm by default), ASP.NET Core JwtBearer",
)
def _challenge_without_realm(emulator: Bendable) -> None:
    def change(value: str) -> str:
        params = {k: v for k, v in _params(value).items() if k != "realm"}
        # The order and spacing of Spring's BearerTokenAuthenticationEntryPoint.
        shown = ", ".join(f'{k}="{v}"' for k, v in params.items())
        return f"Bearer {shown}" if shown else "Bearer"

    emulator.behaviour.response_hooks.append(_challenge(change))


@variant(
    "several-challenges",
    "refusals carry two WWW-Authenticate headers: the Bearer challenge and a Basic one",
    allowed_by="RFC 7235 §4.1: a 401 may carry several challenges, in one or several "
    "WWW-Authenticate fields; RFC 6750 §3 asks only that one be the Bearer challenge",
    seen_in="IIS with Windows authentication beside a bearer middleware, API gateways",
)
def _several_challenges(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        bearer = headers.pop("WWW-Authenticate", None)
        if bearer is None:
            return status, headers, payload
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        response = Response(body, status_code=status, headers=headers)
        if not isinstance(payload, bytes) and "content-type" not in {k.lower() for k in headers}:
            response.headers["Content-Type"] = "application/json;charset=UTF-8"
        response.raw_headers.append((b"www-authenticate", bearer.encode("latin-1")))
        response.raw_headers.append((b"www-authenticate", b'Basic realm="api"'))
        return status, headers, response

    emulator.behaviour.response_hooks.append(on_resource_rejection(bend))


@variant(
    "resource-refusal-spring-body",
    "the resource's refusal body is Spring Boot's error object (timestamp, status, error, path)",
    allowed_by="RFC 6750 §3 leaves the refusal body to the server; the profile documents only a JSON object",
    seen_in="Spring Boot's BasicErrorController",
    applies=refusal_body_undocumented,
)
def _resource_refusal_spring_body(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        body = {
            "timestamp": "2024-05-01T12:00:00.000+00:00",
            "status": status,
            "error": "Unauthorized",
            "path": "/",
        }
        return status, headers, body

    emulator.behaviour.response_hooks.append(on_resource_rejection(bend))
