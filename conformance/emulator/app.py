"""The emulator: a Starlette app that behaves exactly as a profile says.

It records and never asserts; `reset()` gives each test (or hypothesis example) a clean store.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.client.client import Credentials
from conformance.clock import Clock, ManualClock
from conformance.emulator.behaviour import Behaviour
from conformance.emulator.defects import apply_defects
from conformance.emulator.state import TokenStore
from conformance.profile import Profile

__all__ = ["Emulator"]

REALM = "conformance-emulator"
TOKEN_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# RFC 6750 §2.1 b64token
_B64TOKEN = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/")


@dataclass
class _TokenError(Exception):
    code: str
    description: str
    status: int = 400
    challenge: str | None = None


class Emulator:
    """`Emulator(profile).app` is an ASGI app; `clock` controls time."""

    def __init__(
        self,
        profile: Profile,
        *,
        clock: Clock | None = None,
        credentials: Credentials | None = None,
        defects: Iterable[str] = (),
        lifetime: float | None = None,
    ) -> None:
        self.profile = profile
        self.clock: Clock = clock or ManualClock()
        self.credentials = credentials or Credentials.for_emulator(profile)
        self.behaviour = Behaviour.from_profile(profile, lifetime)
        self.defects = tuple(defects)
        self.store = TokenStore(self.clock)
        apply_defects(self.defects, self)
        self.requests_served = 0
        resource_methods = sorted({profile.resource.method, "GET"})
        self.app = Starlette(routes=[
            Route(self.behaviour.token_path, self._token_endpoint, methods=["POST", "GET"]),
            Route("/{path:path}", self._resource, methods=resource_methods),
        ])

    def reset(self) -> None:
        self.store.reset()

    # -- token endpoint ------------------------------------------------------------------
    async def _token_endpoint(self, request: Request) -> Response:
        self.requests_served += 1
        if request.method != "POST":
            return self._respond("token", 405, {"Allow": "POST"}, {"error": "invalid_request",
                                 "error_description": "use POST"})
        try:
            params = await self._parameters(request)
            client_id = self._authenticate_client(request, params)
            payload = self._grant(params, client_id)
        except _TokenError as error:
            headers = {"WWW-Authenticate": error.challenge} if error.challenge else {}
            body = {"error": error.code, "error_description": error.description}
            return self._respond("token", error.status, headers, body)
        return self._respond("token", 200, dict(TOKEN_HEADERS), payload)

    async def _parameters(self, request: Request) -> dict[str, str]:
        behaviour = self.behaviour
        if behaviour.parameter_location == "query":
            pairs = parse_qsl(request.url.query, keep_blank_values=True)
        else:
            content_type = request.headers.get("content-type", "")
            if "application/x-www-form-urlencoded" not in content_type:
                raise _TokenError("invalid_request", "expected an application/x-www-form-urlencoded body")
            raw = (await request.body()).decode("utf-8", "replace")
            pairs = parse_qsl(raw, keep_blank_values=True)
        names = [k for k, _ in pairs]
        repeated = sorted({k for k in names if names.count(k) > 1})
        if repeated:
            raise _TokenError("invalid_request", f"repeated parameter {repeated[0]}")
        # RFC 6749 §3.2: a parameter sent without a value is treated as omitted.
        return {k: v for k, v in pairs if v != ""}

    def _authenticate_client(self, request: Request, params: dict[str, str]) -> str:
        expected = self.credentials.client
        style = self.behaviour.client_auth
        if style == "none" or expected is None:
            return ""
        header = request.headers.get("authorization")
        in_body = "client_id" in params or "client_secret" in params
        challenge = f'Basic realm="{REALM}"'
        if style == "basic":
            if header is not None and in_body:
                raise _TokenError("invalid_request", "more than one client authentication method")
            if header is None or not header.lower().startswith("basic "):
                raise _TokenError("invalid_client", "client authentication required", 401, challenge)
            presented = _decode_basic(header[6:].strip())
        else:
            if header is not None and in_body:
                raise _TokenError("invalid_request", "more than one client authentication method")
            if not in_body:
                raise _TokenError("invalid_client", "client authentication required", 401, challenge)
            presented = (params.get("client_id", ""), params.get("client_secret", ""))
        if presented is None or (
            self.behaviour.check_client
            and presented != (expected.client_id, expected.client_secret)
        ):
            raise _TokenError("invalid_client", "client authentication failed", 401,
                              challenge if header else None)
        return presented[0]

    def _grant(self, params: dict[str, str], client_id: str) -> dict[str, Any]:
        grant = params.get("grant_type")
        if grant is None:
            raise _TokenError("invalid_request", "grant_type is required")
        if grant == "password" and self.behaviour.password_grant:
            return self._password_grant(params, client_id)
        if grant == "refresh_token" and self.behaviour.refresh_grant:
            return self._refresh_grant(params, client_id)
        raise _TokenError("unsupported_grant_type", "grant_type not supported")

    def _password_grant(self, params: dict[str, str], client_id: str) -> dict[str, Any]:
        for name in ("username", "password"):
            if name not in params:
                raise _TokenError("invalid_request", f"{name} is required")
        known = (self.credentials.username, self.credentials.password)
        if self.behaviour.check_password and (params["username"], params["password"]) != known:
            raise _TokenError("invalid_grant", "the user name or password is incorrect")
        return self._issue(params["username"], client_id, with_refresh=self.behaviour.issues_refresh_token)

    def _refresh_grant(self, params: dict[str, str], client_id: str) -> dict[str, Any]:
        token = params.get("refresh_token")
        if token is None:
            raise _TokenError("invalid_request", "refresh_token is required")
        behaviour = self.behaviour
        reusable = behaviour.used_refresh_token_accepted or not behaviour.rotation
        record = self.store.take_refresh(token, client_id, reusable)
        if record is None:
            raise _TokenError("invalid_grant", "the refresh token is invalid, expired or revoked")
        return self._issue(record.account, client_id, with_refresh=behaviour.rotation)

    def _issue(self, account: str, client_id: str, *, with_refresh: bool) -> dict[str, Any]:
        behaviour = self.behaviour
        access = self.store.issue_access(
            account, client_id, behaviour.lifetime * behaviour.real_lifetime_factor,
            behaviour.invalidate_earlier,
        )
        payload: dict[str, Any] = {
            "access_token": access,
            "token_type": behaviour.token_type,
            "expires_in": behaviour.stated_expires_in(),
        }
        if with_refresh:
            payload["refresh_token"] = self.store.issue_refresh(
                account, client_id, behaviour.refresh_token_lifetime
            )
        return payload

    # -- protected resource --------------------------------------------------------------
    async def _resource(self, request: Request) -> Response:
        self.requests_served += 1
        header = request.headers.get("authorization")
        behaviour = self.behaviour
        if header is None or not header.lower().startswith("bearer "):
            return self._respond("resource", behaviour.rejection_status,
                                 {"WWW-Authenticate": f'Bearer realm="{REALM}"'},
                                 behaviour.rejection_body)
        token = header[7:].strip()
        if not token or not set(token.rstrip("=")) <= _B64TOKEN or not self.store.access_valid(token):
            challenge = f'Bearer realm="{REALM}", error="invalid_token"'
            return self._respond("resource", behaviour.rejection_status,
                                 {"WWW-Authenticate": challenge}, behaviour.rejection_body)
        return self._respond("resource", 200, {}, {"resource": request.url.path, "ok": True})

    def _respond(self, kind: str, status: int, headers: dict[str, str], payload: Any) -> Response:
        for hook in self.behaviour.response_hooks:
            status, headers, payload = hook(kind, status, headers, payload)
        if isinstance(payload, Response):
            return payload
        if isinstance(payload, bytes):
            body = payload
        else:
            body = json.dumps(payload).encode()
            headers = {"Content-Type": "application/json;charset=UTF-8", **headers}
        return Response(body, status_code=status, headers=headers)


def _decode_basic(credential: str) -> tuple[str, str] | None:
    """RFC 6749 §2.3.1: base64 of form-urlencoded id ':' secret."""
    try:
        decoded = base64.b64decode(credential, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if ":" not in decoded:
        return None
    client_id, secret = decoded.split(":", 1)
    return unquote_plus(client_id), unquote_plus(secret)
