"""Hook builders: the small composable pieces most defects are made of.

A defect that bends a response appends a `ResponseHook`; one that reacts to the request
before the emulator does (a crash on some input, a stall) appends a `RequestHook`. These
builders keep each defect to one line of intent: which responses, and what happens to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
from starlette.requests import Request

from conformance.emulator.behaviour import Reply, RequestHook, ResponseHook

__all__ = [
    "CRASH",
    "STALL_SECONDS",
    "crash_when",
    "repeats_a_parameter",
    "on_resource_rejection",
    "on_token_error",
    "on_token_success",
    "stall_when",
]

# Longer than the self-test's client timeout (2 s), short enough that a stalled request
# served over real HTTP still ends: a stall is a deviation to observe, never a hang of the tool.
STALL_SECONDS = 3.0

CRASH: Reply = (
    500,
    {"Content-Type": "text/html; charset=utf-8"},
    b"<html><body><h1>500 Internal Server Error</h1></body></html>",
)

Payload = dict[str, Any]
Params = list[tuple[str, str]]


def repeats_a_parameter(params: Params) -> bool:
    """A request the emulator refuses as repeating a parameter (RFC 6749 §3.2) before it looks at
    anything else: a hook that bends how a credential or a scope is judged leaves it alone."""
    names = [name for name, _ in params]
    return len(names) != len(set(names))


def on_token_success(transform: Callable[[Payload], Any]) -> ResponseHook:
    """Rewrite the payload of every successful token response."""

    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status == 200 and isinstance(payload, dict) and "access_token" in payload:
            payload = transform(dict(payload))
        return status, headers, payload

    return hook


def on_token_error(transform: Callable[[int, dict[str, str], Payload], Reply]) -> ResponseHook:
    """Rewrite every token endpoint refusal: (status, headers, body) -> (status, headers, payload)."""

    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status >= 400 and isinstance(payload, dict) and "error" in payload:
            return transform(status, dict(headers), dict(payload))
        return status, headers, payload

    return hook


def on_resource_rejection(transform: Callable[[int, dict[str, str], Any], Reply]) -> ResponseHook:
    """Rewrite every refusal by the protected resource."""

    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "resource" and status >= 400:
            return transform(status, dict(headers), payload)
        return status, headers, payload

    return hook


def crash_when(kind: str, predicate: Callable[[Request, Params], bool]) -> RequestHook:
    """Answer HTTP 500 (an HTML error page) whenever `predicate` holds for a request of `kind`."""

    async def hook(seen: str, request: Request, params: Params) -> Reply | None:
        return CRASH if seen == kind and predicate(request, params) else None

    return hook


def stall_when(
    kind: str,
    predicate: Callable[[Params], bool],
    then: Reply | None = None,
) -> RequestHook:
    """Sleep STALL_SECONDS before a matching request; then answer `then`, or carry on late."""

    async def hook(seen: str, request: Request, params: Params) -> Reply | None:
        if seen != kind or not predicate(params):
            return None
        await anyio.sleep(STALL_SECONDS)
        return then

    return hook
