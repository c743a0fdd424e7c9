"""Defects of the Bearer-protected resource (RFC 6750 §2.1, §3; the profile's documented refusal)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from conformance.emulator.behaviour import Reply
from conformance.emulator.bends import defect
from conformance.emulator.hooks import crash_when, on_resource_rejection

if TYPE_CHECKING:
    from starlette.requests import Request

    from conformance.emulator.bends import Bendable
    from conformance.profile import Profile

__all__: list[str] = []

_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def _challenge(change: Any) -> Any:
    """A rejection hook rewriting the WWW-Authenticate value (None drops the header)."""

    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        value = change(headers.get("WWW-Authenticate", ""))
        rest = {k: v for k, v in headers.items() if k != "WWW-Authenticate"}
        return status, ({**rest, "WWW-Authenticate": value} if value is not None else rest), payload

    return on_resource_rejection(bend)


def _malformed_bearer(request: Request, params: list[tuple[str, str]]) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and _B64TOKEN.fullmatch(token.strip()) is None


@defect(
    "resource-accepts-any-token",
    "the resource serves any well-formed Bearer token, known or not",
    # Expired and revoked tokens served too: a real lifetime no reading of expires_in matches.
    [
        "RFC6750-3-reject",
        "RFC6749-5.1-lifetime",
        "DOC-expires-in-unit",
        "DOC-invalidates-earlier",
        "RFC7009-2.1-revokes-access",
    ],
)
def _resource_accepts_any_token(emulator: Bendable) -> None:
    emulator.behaviour.resource_checks_token = False


@defect(
    "resource-ignores-expiry",
    "the resource serves expired tokens (it never checks expiry)",
    ["RFC6749-5.1-lifetime", "RFC6750-3-reject", "DOC-expires-in-unit"],
    applies=lambda p: "expires_in" in p.response_fields,
)
def _resource_ignores_expiry(emulator: Bendable) -> None:
    emulator.behaviour.resource_checks_expiry = False


@defect(
    "replication-lag",
    "a new token is honoured only 5 s after issuance (token store replication lag)",
    ["RFC6750-2.1-accept", "RFC6749-5.1-lifetime"],
)
def _replication_lag(emulator: Bendable) -> None:
    emulator.behaviour.activation_delay = 5.0


@defect(
    "resource-403",
    "the resource refuses unusable tokens with HTTP 403, not 401",
    ["RFC6750-3.1-invalid-token", "DOC-rejection-status"],
)
def _resource_403(emulator: Bendable) -> None:
    emulator.behaviour.rejection_status = 403


@defect(
    "resource-no-www-authenticate",
    "the resource's refusals carry no WWW-Authenticate header",
    ["RFC6750-3-challenge", "RFC6750-3.1-invalid-token-code", "DOC-rejection-challenge"],
)
def _resource_no_www_authenticate(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_challenge(lambda value: None))


@defect(
    "resource-basic-challenge",
    'the resource challenges with WWW-Authenticate: Basic realm="api"',
    ["RFC6750-3-challenge", "RFC6750-3.1-invalid-token-code", "DOC-rejection-challenge"],
)
def _resource_basic_challenge(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_challenge(lambda value: 'Basic realm="api"'))


@defect(
    "resource-no-error-code",
    'a refused token gets a bare "Bearer" challenge, no error="invalid_token"',
    ["RFC6750-3.1-invalid-token-code"],
)
def _resource_no_error_code(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_challenge(lambda value: value.split(",")[0]))


@defect(
    "resource-error-code-without-credentials",
    'a request with no credentials at all gets error="invalid_token" in its challenge',
    ["RFC6750-3.1-no-error-code"],
)
def _resource_error_code_without_credentials(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        _challenge(lambda value: value if "error=" in value else f'{value}, error="invalid_token"')
    )


@defect(
    "duplicate-realm",
    'the challenge names realm twice (a gateway adds its own: realm="api", realm="...")',
    ["RFC6750-3-realm-once"],
)
def _duplicate_realm(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_challenge(lambda value: f'{value}, realm="api"'))


@defect(
    "resource-rejection-html",
    "the resource's refusal body is an HTML page, not the documented JSON",
    ["DOC-rejection-body"],
    applies=lambda p: p.resource.rejection.body_schema is not None,
)
def _resource_rejection_html(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        page = b"<html><body><h1>401 Unauthorized</h1></body></html>"
        return status, {**headers, "Content-Type": "text/html; charset=utf-8"}, page

    emulator.behaviour.response_hooks.append(on_resource_rejection(bend))


@defect(
    "rejection-body-capitalised",
    'the refusal body says {"Message": ...} where {"message": ...} is documented',
    ["DOC-rejection-body"],
    applies=lambda p: "message" in (p.resource.rejection.body_example or {}),
)
def _rejection_body_capitalised(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        if isinstance(payload, dict):
            payload = {k[:1].upper() + k[1:]: v for k, v in payload.items()}
        return status, headers, payload

    emulator.behaviour.response_hooks.append(on_resource_rejection(bend))


@defect(
    "resource-500-on-malformed-token",
    "a Bearer token with characters outside b64token crashes the resource",
    ["RFC6750-3-reject"],
)
def _resource_500_on_malformed_token(emulator: Bendable) -> None:
    emulator.behaviour.request_hooks.append(crash_when("resource", _malformed_bearer))


def _requires_scope(profile: Profile) -> bool:
    return profile.resource.required_scope is not None


@defect(
    "resource-ignores-scope",
    "the resource serves a token granted without the scope it requires",
    ["DOC-required-scope"],
    applies=_requires_scope,
)
def _resource_ignores_scope(emulator: Bendable) -> None:
    emulator.behaviour.required_scope = None


@defect(
    "insufficient-scope-as-invalid-token",
    'a token lacking the required scope is refused HTTP 401 error="invalid_token", not 403 '
    "insufficient_scope",
    ["RFC6750-3.1-insufficient-scope"],
    applies=_requires_scope,
)
def _insufficient_scope_as_invalid_token(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        challenge = headers.get("WWW-Authenticate", "")
        if status != 403 or 'error="insufficient_scope"' not in challenge:
            return status, headers, payload
        headers["WWW-Authenticate"] = challenge.replace('"insufficient_scope"', '"invalid_token"')
        return 401, headers, {"error": "invalid_token"}

    emulator.behaviour.response_hooks.append(on_resource_rejection(bend))


@defect(
    "resource-accepts-two-token-methods",
    "a token in the Authorization header and in the query is served (the header wins)",
    ["RFC6750-3.1-one-method"],
)
def _resource_accepts_two_token_methods(emulator: Bendable) -> None:
    emulator.behaviour.resource_refuses_two_token_methods = False


@defect(
    "two-token-methods-invalid-token",
    "a token in the Authorization header and another in the query is refused as the query's "
    "invalid token (401 invalid_token), not as invalid_request",
    ["RFC6750-3.1-one-method"],
    applies=lambda p: p.resource.path is not None,
)
def _two_token_methods_invalid_token(emulator: Bendable) -> None:
    emulator.behaviour.resource_reads_query_token_first = True
