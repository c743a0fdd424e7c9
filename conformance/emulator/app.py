"""The emulator: a Starlette app that behaves exactly as a profile says.

It records and never asserts; `reset()` gives each test (or hypothesis example) a clean store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.clock import Clock, ManualClock
from conformance.credentials import Credentials, decode_basic
from conformance.emulator.behaviour import Behaviour, ClientChecks
from conformance.emulator.bends import bend
from conformance.emulator.services import Services
from conformance.emulator.state import TokenStore
from conformance.profile import Profile

__all__ = ["Emulator"]

REALM = "conformance-emulator"
# Seconds a refresh that opened a grace period holds its answer (Behaviour.refresh_grace_pair).
GRACE_HOLD = 0.1
TOKEN_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# RFC 6750 §2.1 b64token
_B64TOKEN = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/")


@dataclass
class _TokenError(Exception):
    cause: str  # a key of Behaviour.error_codes
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
        variants: Iterable[str] = (),
    ) -> None:
        self.profile = profile
        self.clock: Clock = clock or ManualClock()
        self.credentials = credentials or Credentials.for_emulator(profile)
        self.behaviour = Behaviour.from_profile(profile, lifetime)
        self.defects = tuple(defects)
        # Token values come from the behaviour's token factory, a hook a defect may replace.
        self.store = TokenStore(self.clock, lambda: self.behaviour.token_factory())
        # The scopes each client credentials token was granted (RFC 6750 §3.1 insufficient_scope).
        self.granted_scopes: dict[str, frozenset[str]] = {}
        self.variants = tuple(variants)
        self.requests_served = 0
        resource_methods = sorted({profile.resource.method, "GET"})
        self.services = Services(self)  # revocation, introspection, metadata, JWTs: as profiled
        self.app: Any = Starlette(
            routes=[
                Route(self.behaviour.token_path, self._token_endpoint, methods=["POST", "GET"]),
                *self.services.routes(),
                Route("/{path:path}", self._resource, methods=resource_methods),
            ]
        )
        # A benign variant first: a defect switched on with it bends the varied server. Both bend
        # the behaviours (`conformance.emulator.bends.Bendable`); an ASGI layer they add goes in
        # front of the app.
        bend(self, variants=self.variants, defects=self.defects)
        for layer in self.behaviour.app_layers:
            self.app = layer(self.app)

    def reset(self) -> None:
        self.store.reset()
        self.granted_scopes.clear()

    # -- token endpoint ------------------------------------------------------------------
    async def _token_endpoint(self, request: Request) -> Response:
        self.requests_served += 1
        try:
            if request.method != "POST" and not (request.method == "GET" and self.behaviour.serves_get):
                raise _TokenError("method", "use POST", 405)
            pairs = await self._pairs(request)
            for hook in self.behaviour.request_hooks:
                reply = await hook("token", request, pairs)
                if reply is not None:
                    return self._respond("token", *reply)
            params, blanks = self._parameters(pairs)
            client_id = self._authenticate_client(request, params)
            if "scope" in blanks and self.behaviour.empty_scope_is_a_scope:
                raise _TokenError("invalid-scope", "the requested scope is unknown")
            payload = self._grant(params, blanks, client_id)
            if self.store.opened_grace(params.get("refresh_token"), payload):
                # The answer takes a while to leave (a database write, a replica): refreshes with
                # the same token that arrive meanwhile share its pair; later ones are refused.
                await anyio.sleep(GRACE_HOLD)
                self.store.close_grace(params["refresh_token"])
        except _TokenError as error:
            headers = {"WWW-Authenticate": error.challenge} if error.challenge else {}
            if error.status == 405:
                headers["Allow"] = "POST"
            code = self.behaviour.error_codes[error.cause]
            body = {"error": code, "error_description": error.description}
            return self._respond("token", error.status, headers, body)
        return self._respond("token", 200, dict(TOKEN_HEADERS), payload)

    async def _pairs(self, request: Request) -> list[tuple[str, str]]:
        if self.behaviour.parameter_location == "query" or request.method == "GET":
            return parse_qsl(request.url.query, keep_blank_values=True)
        content_type = request.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" not in content_type:
            raise _TokenError("malformed", "expected an application/x-www-form-urlencoded body")
        raw = (await request.body()).decode("utf-8", "replace")
        return parse_qsl(raw, keep_blank_values=True)

    @staticmethod
    def _parameters(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], set[str]]:
        """The parameters with a value, and the names sent without one."""
        names = [k for k, _ in pairs]
        repeated = sorted({k for k in names if names.count(k) > 1})
        if repeated:
            # RFC 6749 A.8: error_description is printable ASCII without '"' or '\\': the name is
            # given only when it fits.
            fits = all(" " <= c <= "~" and c not in '"\\' for c in repeated[0])
            named = f"repeated parameter {repeated[0]}" if fits else "a repeated parameter"
            raise _TokenError("malformed", named)
        # RFC 6749 §3.2: a parameter sent without a value is treated as omitted.
        return {k: v for k, v in pairs if v != ""}, {k for k, v in pairs if v == ""}

    def _authenticate_client(self, request: Request, params: dict[str, str]) -> str:
        expected = self.credentials.client
        methods = self.behaviour.client_auth_methods
        if "none" in methods or expected is None:
            return ""
        checks = self.behaviour.client_checks_for(params.get("grant_type"))
        header = request.headers.get("authorization")
        in_body = "client_id" in params or "client_secret" in params
        challenge = f'Basic realm="{REALM}"'
        behaviour = self.behaviour
        if header is not None and in_body and behaviour.refuse_multiple_client_auth:
            raise _TokenError("multiple-client-auth", "more than one client authentication method")
        basic = header is not None and (
            header.lower().startswith("basic ") or (not checks.scheme and " " in header.strip())
        )
        query = request.query_params
        if behaviour.query_client_credentials and "client_id" in query:
            presented: tuple[str, str] | None = (query["client_id"], query.get("client_secret", ""))
        elif basic and "client_secret_basic" in methods:
            assert header is not None
            presented = decode_basic(header.strip().split(None, 1)[1].strip(), behaviour.basic_form_decoded)
            in_body_too = in_body and "client_secret_post" in methods
            if behaviour.failed_basic_falls_back and in_body_too and not self._registered(presented, checks):
                presented = (params.get("client_id", ""), params.get("client_secret", ""))
        elif in_body and "client_secret_post" in methods:
            presented = (params.get("client_id", ""), params.get("client_secret", ""))
        else:
            # No credentials by a method the endpoint accepts (RFC 6749 §2.3).
            if not checks.required:
                return expected.client_id
            raise _TokenError("client-auth", "client authentication required", 401, challenge)
        if presented is None or not self._registered(presented, checks):
            # RFC 6749 §5.2: 401 says which scheme the endpoint supports; RFC 9110 §15.5.2: a 401
            # always carries a challenge, whatever way the client tried.
            raise _TokenError("client-auth", "client authentication failed", 401, challenge)
        return presented[0] if checks.client_id else expected.client_id

    def _registered(self, presented: tuple[str, str] | None, checks: ClientChecks) -> bool:
        """Whether `presented` (id, secret) authenticates a registered client under `checks`."""
        expected = self.credentials.client
        if presented is None or expected is None:
            return False
        registered = (expected.client_id, expected.client_secret)
        restricted = self.credentials.restricted_client
        if restricted is not None and presented[0] == restricted.client_id:
            registered = (restricted.client_id, restricted.client_secret)
        return checks.accepts(presented, registered)

    def _grant(self, params: dict[str, str], blanks: set[str], client_id: str) -> dict[str, Any]:
        grant = params.get("grant_type")
        if grant is None:
            raise _TokenError("missing-grant-type", "grant_type is required")
        known_grants = ("password", "refresh_token", "client_credentials")
        if grant not in known_grants and self.behaviour.unknown_grant_as:
            grant = self.behaviour.unknown_grant_as
        offered = {"password": self.behaviour.password_grant, "refresh_token": self.behaviour.refresh_grant}
        restricted = self.credentials.restricted_client
        if (
            offered.get(grant)
            and restricted is not None
            and client_id == restricted.client_id
            and (
                grant in self.behaviour.restricted_grants_refused
                or (grant == "refresh_token" and self.behaviour.restricted_refresh_refused)
            )
        ):
            raise _TokenError("unauthorized-client", f"this client may not use the {grant} grant")
        if grant == "password" and self.behaviour.password_grant:
            return self._password_grant(params, blanks, client_id)
        if grant == "refresh_token" and self.behaviour.refresh_grant:
            return self._refresh_grant(params, client_id)
        if grant == "client_credentials" and self.behaviour.client_credentials_grant:
            return self._client_credentials_grant(params, client_id)
        raise _TokenError("unsupported-grant", "grant_type not supported")

    def _client_credentials_grant(self, params: dict[str, str], client_id: str) -> dict[str, Any]:
        """RFC 6749 §4.4: a token for the client itself; the restricted client may not have one."""
        behaviour = self.behaviour
        restricted = self.credentials.restricted_client if behaviour.restricted_client_refused else None
        if restricted is not None and client_id == restricted.client_id:
            raise _TokenError("unauthorized-client", "this client may not use the client credentials grant")
        requested = params.get("scope", "").split()
        granted = self._granted(requested)
        payload = self._issue(
            f"client:{client_id}",
            client_id,
            with_refresh=behaviour.client_credentials_refresh_token,
            scopes=frozenset(granted),
        )
        return self._say_scope(payload, granted, requested)

    def _password_grant(self, params: dict[str, str], blanks: set[str], client_id: str) -> dict[str, Any]:
        behaviour = self.behaviour
        empty_allowed = behaviour.accept_empty_password and "password" in blanks
        for name in ("username", "password"):
            if name not in params and not (name == "password" and empty_allowed):
                raise _TokenError("missing-parameter", f"{name} is required")
        username, password = params["username"], params.get("password", "")
        if not self._owner_accepted(username, password):
            raise _TokenError("bad-credentials", "the user name or password is incorrect")
        if not behaviour.scope_enforced:
            return self._issue(username, client_id, with_refresh=behaviour.issues_refresh_token)
        requested = params.get("scope", "").split()
        granted = self._granted(requested)
        payload = self._issue(
            username, client_id, with_refresh=behaviour.issues_refresh_token, scopes=frozenset(granted)
        )
        return self._say_scope(payload, granted, requested)

    def _granted(self, requested: list[str]) -> list[str]:
        """RFC 6749 §3.3: the known scopes asked for (an unknown one refused where the profile
        says so, else ignored), or every known scope for a request that names none it knows."""
        behaviour = self.behaviour
        known = behaviour.known_scopes
        if behaviour.grant_unknown_scope:
            known = (*known, *requested)
        if [s for s in requested if s not in known] and behaviour.refuse_unknown_scope:
            raise _TokenError("invalid-scope", "the requested scope is unknown")
        granted = [s for s in requested if s in known] or list(known)
        if requested and not set(requested) & set(known) and behaviour.unknown_only_grants_nothing:
            granted = []
        return granted

    def _say_scope(self, payload: dict[str, Any], granted: list[str], requested: list[str]) -> dict[str, Any]:
        """§5.1: the granted scope, where it differs from the request (or always, or never)."""
        self.granted_scopes[payload["access_token"]] = frozenset(granted)
        rule = self.behaviour.return_scope
        if granted and (rule == "always" or (rule == "when-different" and set(granted) != set(requested))):
            payload["scope"] = " ".join(granted)
        return payload

    def _owner_accepted(self, username: str, password: str) -> bool:
        behaviour, known = self.behaviour, self.credentials
        user_ok = not behaviour.check_username or username == known.username
        if password == "":
            return user_ok and behaviour.accept_empty_password
        return user_ok and (not behaviour.check_password or password == known.password)

    def _refresh_grant(self, params: dict[str, str], client_id: str) -> dict[str, Any]:
        token = params.get("refresh_token")
        if token is None:
            raise _TokenError("missing-refresh-token", "refresh_token is required")
        behaviour = self.behaviour
        reusable = behaviour.used_refresh_token_accepted or not behaviour.rotation
        record = self.store.take_refresh(
            token, client_id, reusable, bound_to_client=behaviour.refresh_bound_to_client
        )
        shared = self.store.grace_pair(token, client_id) if record is None else None
        if shared is not None:
            return shared
        if record is not None:
            account = record.account
        elif not behaviour.check_refresh_token:
            account = self.credentials.username
        elif self.store.was_used(token):
            if behaviour.reuse_revokes_successor:
                # RFC 9700 §4.14.2: one of its two holders is an attacker; which, the server cannot tell.
                self.store.revoke_successors(token, with_access=behaviour.reuse_revokes_access)
            raise _TokenError("used-refresh-token", "the refresh token was used and is revoked")
        else:
            raise _TokenError("bad-refresh-token", "the refresh token is invalid, expired or revoked")
        original = record.scopes if record is not None else None
        requested = params.get("scope", "").split()
        if original is not None and requested and not set(requested) <= original:
            if not behaviour.refresh_widens_scope:
                # RFC 6749 §6: no scope not originally granted; the refused refresh uses nothing up.
                assert record is not None
                record.used = False
                raise _TokenError("invalid-scope", "the requested scope exceeds the original grant")
        narrower = original is not None and requested and set(requested) != original
        if narrower and behaviour.refresh_refuses_narrower_scope:
            assert record is not None
            record.used = False
            raise _TokenError("invalid-scope", "the requested scope is not the original grant")
        default_scope = original is not None and not requested and behaviour.refresh_omitted_scope_default
        if default_scope:
            original = frozenset(behaviour.known_scopes[:1])
        if behaviour.refresh_revives_expired:
            self.store.revive(account, behaviour.lifetime * behaviour.real_lifetime_factor)
        if behaviour.refresh_revokes_replaced_access and record is not None and record.access is not None:
            self.store.revoke_access(record.access)
        payload = self._issue(
            account,
            client_id,
            with_refresh=behaviour.rotation,
            reuse=behaviour.refresh_reuses_access_token,
            scopes=original,  # a new refresh token's scope is the original one (§6)
        )
        if original is not None:
            granted = requested if requested else sorted(original)
            self._say_scope(payload, granted, requested or granted)
            if default_scope:
                payload["scope"] = " ".join(granted)
        if not behaviour.refreshed_tokens_usable:
            self.store.revoke_access(payload["access_token"])
        if record is not None and "refresh_token" not in payload:
            record.access = payload["access_token"]  # no rotation: its pair is the new one
        elif record is not None:
            record.successor = payload["refresh_token"]
        if behaviour.refresh_grace_pair and record is not None and not reusable:
            self.store.open_grace(token, client_id, payload)
        return payload

    def _issue(
        self,
        account: str,
        client_id: str,
        *,
        with_refresh: bool,
        reuse: bool = False,
        scopes: frozenset[str] | None = None,
    ) -> dict[str, Any]:
        behaviour = self.behaviour
        access = self.store.issue_access(
            account,
            client_id,
            behaviour.lifetime * behaviour.real_lifetime_factor,
            behaviour.invalidate_earlier,
            reuse=reuse or behaviour.reuse_access_tokens,
            activation_delay=behaviour.activation_delay,
            whole_seconds=behaviour.expiry_whole_seconds,
        )
        payload: dict[str, Any] = {
            "access_token": access,
            "token_type": behaviour.token_type,
            "expires_in": behaviour.stated_expires_in(),
        }
        if with_refresh:
            payload["refresh_token"] = self.store.issue_refresh(
                account, client_id, behaviour.refresh_token_lifetime, access=access, scopes=scopes
            )
        return payload

    # -- protected resource --------------------------------------------------------------
    async def _resource(self, request: Request) -> Response:
        self.requests_served += 1
        behaviour = self.behaviour
        for hook in behaviour.request_hooks:
            reply = await hook("resource", request, [])
            if reply is not None:
                return self._respond("resource", *reply)
        header = request.headers.get("authorization")
        if (
            header is not None
            and "access_token" in request.query_params
            and behaviour.resource_reads_query_token_first
        ):
            header = f"Bearer {request.query_params['access_token']}"
        elif (
            header is not None
            and "access_token" in request.query_params
            and behaviour.resource_refuses_two_token_methods
        ):
            # RFC 6750 §3.1 invalid_request: "uses more than one method for including an access token".
            challenge = f'Bearer realm="{REALM}", error="invalid_request"'
            return self._respond(
                "resource", 400, {"WWW-Authenticate": challenge}, {"error": "invalid_request"}
            )
        if header is None or not header.lower().startswith("bearer "):
            return self._respond(
                "resource",
                behaviour.rejection_status,
                {"WWW-Authenticate": f'Bearer realm="{REALM}"'},
                behaviour.rejection_body,
            )
        token = header[7:].strip()
        if not token or not set(token.rstrip("=")) <= _B64TOKEN or not self._honoured(token):
            challenge = f'Bearer realm="{REALM}", error="invalid_token"'
            return self._respond(
                "resource",
                behaviour.rejection_status,
                {"WWW-Authenticate": challenge},
                behaviour.rejection_body,
            )
        required = behaviour.required_scope
        # A token of the password grant (granted no scope of its own) is served as before.
        if required is not None and required not in self.granted_scopes.get(token, {required}):
            challenge = f'Bearer realm="{REALM}", error="insufficient_scope", scope="{required}"'
            body = {"error": "insufficient_scope"}
            return self._respond("resource", 403, {"WWW-Authenticate": challenge}, body)
        return self._respond("resource", 200, {}, {"resource": request.url.path, "ok": True})

    def _honoured(self, token: str) -> bool:
        behaviour = self.behaviour
        if not behaviour.resource_checks_token:
            return True
        return self.store.access_valid(token, check_expiry=behaviour.resource_checks_expiry)

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
