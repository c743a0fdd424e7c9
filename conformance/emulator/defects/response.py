"""Defects of the successful token response: members, types, headers and the body itself."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from conformance.emulator.behaviour import Reply, ResponseHook
from conformance.emulator.bends import defect
from conformance.emulator.hooks import on_token_success

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []


def _without(member: str) -> ResponseHook:
    return on_token_success(lambda p: {k: v for k, v in p.items() if k != member})


def _header_hook(change: dict[str, str | None]) -> ResponseHook:
    """Set (or, with None, drop) headers of every successful token response."""

    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status == 200:
            headers = {k: v for k, v in headers.items() if k not in change}
            headers.update({k: v for k, v in change.items() if v is not None})
        return status, headers, payload

    return hook


# A response without a usable token fails the requirement of its form (RFC6749-5.1-json, A.12);
# that the documented request yields none follows from it, and is not named here.


@defect(
    "no-token-type", "the token response omits token_type", ["RFC6749-5.1-token-type", "DOC-response-fields"]
)
def _no_token_type(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_without("token_type"))


@defect(
    "no-access-token",
    "the token response carries the token as 'token', not access_token",
    ["DOC-response-fields", "RFC6749-5.1-json"],
)
def _no_access_token(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_success(lambda p: {("token" if k == "access_token" else k): v for k, v in p.items()})
    )


@defect("empty-access-token", 'access_token is the empty string ""', ["RFC6749-A.12"])
def _empty_access_token(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(on_token_success(lambda p: {**p, "access_token": ""}))


@defect(
    "access-token-with-newline",
    "access tokens are base64 written MIME-style, ending in a line break (not 1*VSCHAR)",
    ["RFC6749-A.12"],
)
def _access_token_with_newline(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_success(lambda p: {**p, "access_token": p["access_token"] + "\n"})
    )


@defect(
    "wrong-token-type", 'token_type is "JWT" where the documentation says bearer', ["RFC6749-5.1-token-type"]
)
def _wrong_token_type(emulator: Bendable) -> None:
    emulator.behaviour.token_type = "JWT"


@defect("expires-in-string", 'expires_in sent as a JSON string ("1799")', ["RFC6749-5.1-expires-in"])
def _expires_in_string(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_success(lambda p: {**p, "expires_in": str(p["expires_in"])})
    )


@defect("expires-in-fractional", "expires_in is a fraction (1799.5), not 1*DIGIT", ["RFC6749-5.1-expires-in"])
def _expires_in_fractional(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_success(lambda p: {**p, "expires_in": p["expires_in"] + 0.5})
    )


@defect(
    "expires-in-zero",
    'expires_in is 0 (meant as "does not expire") while tokens do expire',
    ["RFC6749-5.1-expires-in"],
)
def _expires_in_zero(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(on_token_success(lambda p: {**p, "expires_in": 0}))


@defect(
    "no-expires-in",
    "the token response omits the documented expires_in",
    ["DOC-response-fields"],
    applies=lambda p: "expires_in" in p.response_fields,
)
def _no_expires_in(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_without("expires_in"))


@defect(
    "token-response-form-encoded",
    "the token response is application/x-www-form-urlencoded (access_token=...&token_type=...)",
    ["RFC6749-5.1-json"],
)
def _token_response_form_encoded(emulator: Bendable) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status == 200 and isinstance(payload, dict):
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
            return status, headers, urlencode({k: str(v) for k, v in payload.items()}).encode()
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@defect(
    "token-response-text-plain",
    "the JSON token response is labelled Content-Type: text/plain",
    ["RFC6749-5.1-json"],
)
def _token_response_text_plain(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_header_hook({"Content-Type": "text/plain; charset=utf-8"}))


@defect(
    "truncated-json",
    "the token response body is cut off after 40 bytes",
    ["RFC6749-5.1-json"],
)
def _truncated_json(emulator: Bendable) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status == 200 and isinstance(payload, dict):
            headers = {**headers, "Content-Type": "application/json;charset=UTF-8"}
            return status, headers, json.dumps(payload).encode()[:40]
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@defect(
    "no-cache-headers",
    "token responses carry neither Cache-Control: no-store nor Pragma: no-cache",
    ["RFC6749-5.1-no-store", "RFC6749-5.1-pragma"],
)
def _no_cache_headers(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_header_hook({"Cache-Control": None, "Pragma": None}))


@defect(
    "no-pragma",
    "token responses carry Cache-Control: no-store but no Pragma: no-cache",
    ["RFC6749-5.1-pragma"],
)
def _no_pragma(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_header_hook({"Pragma": None}))


@defect(
    "cache-control-no-cache",
    "token responses say Cache-Control: no-cache, private (not no-store)",
    ["RFC6749-5.1-no-store"],
)
def _cache_control_no_cache(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(_header_hook({"Cache-Control": "no-cache, private"}))
