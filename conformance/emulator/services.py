"""The endpoints beside the token endpoint, where the profile names them: revocation (RFC 7009),
introspection (RFC 7662), authorization server and protected resource metadata (RFC 8414,
RFC 9728), and JWT access tokens (RFC 9068).

Each is served only where the profile has the section; the metadata is generated from the
profile and the emulator's own switches, so what it advertises is what the emulator does.
`ServiceBehaviour` holds the switches the defects of these areas bend (its defaults are the
conformant choice).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.credentials import decode_basic
from conformance.profile.offered import auth_method_names, grant_types_offered
from conformance.requirements.rfc.rfc8414 import AS_METADATA_PATH, PR_METADATA_PATH

if TYPE_CHECKING:
    from conformance.emulator.app import Emulator

__all__ = [
    "ServiceBehaviour",
    "Services",
]


@dataclass
class ServiceBehaviour:
    """What the revocation, introspection, metadata and JWT defects bend."""

    revocation_checks_client: bool = True
    revocation_checks_owner: bool = True  # §2.1: only the client a token was issued to revokes it
    revocation_revokes_refresh: bool = True  # a 200 answer revokes the refresh token
    revocation_revokes_access: bool = True  # a 200 answer revokes the access token
    revokes_access: bool = True  # access tokens can be revoked at all (and the profile's say)
    revocation_hint_narrows: bool = False  # a wrong token_type_hint makes the token unfound
    revocation_unknown_status: int = 200  # the answer to a token the server does not know
    revocation_refresh_takes_access: bool = True  # where the profile says so
    unsupported_token_type_code: str = "unsupported_token_type"
    introspection_checks_client: bool = True
    introspection_checks_expiry: bool = True
    # A token this server never issued that is shaped like a JWT is refused 400
    # unsupported_token_type (RFC 7662 §2.2, RFC 7009 §2.2: no): the kinds of endpoint that do so.
    rejects_structured_unknown: tuple[str, ...] = ()
    # The kinds of endpoint that answer a request without a token as if about one (RFC 7009 §2.1,
    # RFC 7662 §2.1: token is REQUIRED, so invalid_request).
    missing_token_answered: tuple[str, ...] = ()
    introspection_exp_offset: int = 0  # seconds added to the true expiry in `exp`
    # A token_type_hint of a type the server does not know (RFC 7009 §2.1, RFC 7662 §2.1): "ignore"
    # it (the conformant choice), "refuse" it (400 unsupported_token_type), or answer as if
    # nothing were found: "nothing" (200, nothing revoked; active: false).
    unknown_hints: dict[str, str] = field(
        default_factory=lambda: {"revocation": "ignore", "introspection": "ignore"}
    )
    # An inactive token's introspection answer also says why (RFC 7662 §2.2: SHOULD NOT).
    inactive_says_why: bool = False
    # A failed HTTP Basic client authentication, by endpoint: (status, with a Basic challenge).
    failed_client_answers: dict[str, tuple[int, bool]] = field(
        default_factory=lambda: {"revocation": (401, True), "introspection": (401, True)}
    )
    # Both client authentication methods in one request are served, the header winning (§2.3).
    two_methods_served: bool = False
    # A GET is served as a POST, its query read as the form (RFC 6749 §3.2: POST).
    serves_get: bool = False
    # Client credentials in the URL query are read, over the header and the body (§2.3.1: never).
    reads_query_credentials: bool = False
    # Any request with a query component is refused 400 invalid_request (oauthlib's endpoints).
    refuses_query: bool = False
    # Metadata members as published: a defect deletes or bends one.
    metadata_transform: list[Any] = field(default_factory=list)
    resource_metadata_transform: list[Any] = field(default_factory=list)
    jwt_claims_transform: list[Any] = field(default_factory=list)
    jwt_header: dict[str, str] = field(default_factory=lambda: {"alg": "HS256", "typ": "at+jwt"})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Services:
    """The emulator's revocation, introspection and metadata endpoints, and its JWT minting."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.profile = emulator.profile
        self.behaviour = ServiceBehaviour()
        self._key = secrets.token_bytes(32)  # the JWT signing key: the emulator's alone
        self._base = "http://emulator.conformance"  # the origin requests arrive at (Host)
        access_token = self.profile.access_token
        if access_token is not None and access_token.format == "jwt":
            emulator.store.new_access_token = self._mint_jwt

            async def note_origin(kind: str, request: Request, params: list[tuple[str, str]]) -> None:
                # A JWT's iss and aud name the origin the token request came to, as the metadata's
                # issuer does (RFC 9068 §2.2, RFC 8414 §2).
                self._origin(request)

            emulator.behaviour.request_hooks.insert(0, note_origin)

    # -- routes ------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        profile, routes = self.profile, []
        # GET reaches the handlers too, to be refused there (405) unless a defect serves it.
        if profile.revocation is not None:
            routes.append(Route(profile.revocation.path, self._revoke, methods=["POST", "GET"]))
        if profile.introspection is not None:
            routes.append(Route(profile.introspection.path, self._introspect, methods=["POST", "GET"]))
        metadata = profile.metadata
        if metadata is not None and metadata.authorization_server is not None:
            routes.append(Route(metadata.authorization_server, self._server_metadata, methods=["GET"]))
        if metadata is not None and metadata.protected_resource is not None:
            routes.append(Route(metadata.protected_resource, self._resource_metadata, methods=["GET"]))
        return routes

    def _origin(self, request: Request) -> str:
        self._base = f"{request.url.scheme}://{request.url.netloc}"
        return self._base

    # -- shared request handling ------------------------------------------------------------
    async def _params(self, kind: str, request: Request) -> tuple[dict[str, str], Response | None]:
        """The form parameters, or the refusal to send instead (a malformed body, a bad client)."""
        emulator = self.emulator
        emulator.requests_served += 1
        self._origin(request)
        behaviour = self.behaviour
        if request.method == "GET" and behaviour.serves_get:
            raw = request.url.query
        elif request.method != "POST":
            # RFC 7009 §2.1, RFC 7662 §2.1: requests are POSTs.
            return {}, self._error(kind, 405, "invalid_request", "use POST", {"Allow": "POST"})
        elif "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            return {}, self._error(kind, 400, "invalid_request", "expected a form body")
        elif behaviour.refuses_query and request.url.query:
            return {}, self._error(kind, 400, "invalid_request", "URL query parameters are not allowed")
        else:
            raw = (await request.body()).decode("utf-8", "replace")
        params = {k: v for k, v in parse_qsl(raw, keep_blank_values=True) if v != ""}
        checks = (
            behaviour.revocation_checks_client
            if kind == "revocation"
            else behaviour.introspection_checks_client
        )
        two = bool(request.headers.get("authorization")) and (
            "client_id" in params or "client_secret" in params
        )
        if (
            checks
            and two
            and not behaviour.two_methods_served
            and "none" not in auth_method_names(self.profile)
        ):
            # RFC 6749 §2.3, §5.2: more than one client authentication method is invalid_request.
            return params, self._error(
                kind, 400, "invalid_request", "more than one client authentication method"
            )
        if checks and not self._client_authenticated(request, params):
            status, challenged = behaviour.failed_client_answers[kind]
            basic = request.headers.get("authorization", "").lower().startswith("basic ")
            challenge = {"WWW-Authenticate": 'Basic realm="conformance-emulator"'} if challenged else {}
            if not basic:  # the defects bend the answer to HTTP Basic only
                status, challenge = 401, {"WWW-Authenticate": 'Basic realm="conformance-emulator"'}
            return params, self._error(
                kind, status, "invalid_client", "client authentication failed", challenge
            )
        if "token" not in params:
            if kind in self.behaviour.missing_token_answered:
                body: Any = b"" if kind == "revocation" else {"active": False}
                return params, self.emulator._respond(kind, 200, {}, body)
            return params, self._error(kind, 400, "invalid_request", "token is required")
        return params, None

    def _client_authenticated(self, request: Request, params: dict[str, str]) -> bool:
        """RFC 7009 §2.1, RFC 7662 §2.1: the client authenticates as at the token endpoint, by a
        method the profile lists. Checked strictly here: the token endpoint's defects bend its
        own checks, not these."""
        registered = [
            c for c in (self.emulator.credentials.client, self.emulator.credentials.restricted_client) if c
        ]
        if not registered or "none" in auth_method_names(self.profile):
            return True
        methods = auth_method_names(self.profile)
        header = request.headers.get("authorization", "")
        query = request.query_params
        if self.behaviour.reads_query_credentials and "client_id" in query:
            pair = (query["client_id"], query.get("client_secret", ""))
            return any(pair == (c.client_id, c.client_secret) for c in registered)
        in_body = "client_id" in params or "client_secret" in params
        if header and in_body and not self.behaviour.two_methods_served:
            return False  # RFC 6749 §2.3: one method per request
        if header.lower().startswith("basic ") and "client_secret_basic" in methods:
            presented = decode_basic(header[6:].strip())
        elif in_body and "client_secret_post" in methods:
            presented = (params.get("client_id", ""), params.get("client_secret", ""))
        else:
            return False
        return any(presented == (c.client_id, c.client_secret) for c in registered)

    @staticmethod
    def _presented_client_id(request: Request, params: dict[str, str]) -> str | None:
        """The client id the request authenticated with (Basic header, else the body's)."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            presented = decode_basic(header[6:].strip())
            return presented[0] if presented is not None else None
        return params.get("client_id")

    def _error(
        self, kind: str, status: int, code: str, description: str, headers: dict[str, str] | None = None
    ) -> Response:
        body = {"error": code, "error_description": description}
        return self.emulator._respond(kind, status, dict(headers or {}), body)

    # -- RFC 7009 revocation ----------------------------------------------------------------
    def _structured_unknown(self, kind: str, token: str) -> Response | None:
        """The refusal of an unknown JWT-shaped token, where a defect says so."""
        store = self.emulator.store
        unknown = store.access_record(token) is None and store.refresh_record(token) is None
        if kind in self.behaviour.rejects_structured_unknown and unknown and token.count(".") == 2:
            return self._error(kind, 400, "unsupported_token_type", "structured tokens cannot be presented")
        return None

    async def _revoke(self, request: Request) -> Response:
        params, refusal = await self._params("revocation", request)
        if refusal is not None:
            return refusal
        refusal = self._structured_unknown("revocation", params["token"])
        if refusal is not None:
            return refusal
        behaviour, store = self.behaviour, self.emulator.store
        token, hint = params["token"], params.get("token_type_hint")
        unknown_hint = hint is not None and hint not in ("access_token", "refresh_token")
        if unknown_hint and behaviour.unknown_hints["revocation"] == "refuse":
            return self._error("revocation", 400, "unsupported_token_type", "unknown token_type_hint")
        if unknown_hint and behaviour.unknown_hints["revocation"] == "nothing":
            return self.emulator._respond("revocation", 200, {}, b"")
        # §2.1: a hint only says where to look first; a server that cannot find the token there
        # MUST search its other token types. The defect that trusts the hint looks only there.
        access = store.access_record(token)
        refresh = store.refresh_record(token)
        if behaviour.revocation_hint_narrows and hint in ("access_token", "refresh_token"):
            access = access if hint == "access_token" else None
            refresh = refresh if hint == "refresh_token" else None
        revocation = self.profile.revocation
        assert revocation is not None
        record = access if access is not None else refresh
        requester = self._presented_client_id(request, params)
        owned = record is None or requester is None or requester == record.client_id
        if behaviour.revocation_checks_owner and not owned:
            # §2.1: the token was not issued to this client: the request is refused, nothing revoked.
            why = "the token was issued to another client"
            return self._error("revocation", 400, "unauthorized_client", why)
        if access is not None:
            if revocation.revokes_access_tokens is False or not behaviour.revokes_access:
                code = behaviour.unsupported_token_type_code
                return self._error("revocation", 400, code, "access tokens cannot be revoked")
            if behaviour.revocation_revokes_access:
                store.revoke_access(token)
        elif refresh is not None:
            if behaviour.revocation_revokes_refresh:
                store.revoke_refresh(token)
                takes_access = revocation.revokes_access_with_refresh is True
                if takes_access and behaviour.revocation_refresh_takes_access:
                    store.revoke_access_of(refresh.account, refresh.client_id)
        else:
            # §2.2: an invalid token is answered 200 too: the client could do nothing else with it.
            status = behaviour.revocation_unknown_status
            if status != 200:
                return self._error("revocation", status, "invalid_request", "unknown token")
        return self.emulator._respond("revocation", 200, {}, b"")

    # -- RFC 7662 introspection --------------------------------------------------------------
    async def _introspect(self, request: Request) -> Response:
        params, refusal = await self._params("introspection", request)
        if refusal is not None:
            return refusal
        refusal = self._structured_unknown("introspection", params["token"])
        if refusal is not None:
            return refusal
        store, token = self.emulator.store, params["token"]
        hint = params.get("token_type_hint")
        if hint is not None and hint not in ("access_token", "refresh_token"):
            if self.behaviour.unknown_hints["introspection"] == "refuse":
                return self._error("introspection", 400, "unsupported_token_type", "unknown token_type_hint")
            if self.behaviour.unknown_hints["introspection"] == "nothing":
                return self.emulator._respond(
                    "introspection", 200, {"Cache-Control": "no-store"}, {"active": False}
                )
        body: dict[str, Any] = {"active": False}
        access = store.access_record(token)
        refresh = store.refresh_record(token)
        if access is not None:
            # The authorization server's own store: a lagging replica of the resource's does not
            # make a token it issued inactive here.
            expired = (
                self.behaviour.introspection_checks_expiry and self.emulator.clock.now() >= access.expires_at
            )
            if not access.revoked and not expired:
                issued = access.valid_from - self.emulator.behaviour.activation_delay
                body = self._active(access.account, access.client_id, issued, access.expires_at)
                body["token_type"] = self.emulator.behaviour.token_type
        elif refresh is not None and store.refresh_live(token):
            # A refresh token's issue time is not kept: iat is optional (§2.2).
            body = self._active(refresh.account, refresh.client_id, None, refresh.expires_at)
        if body["active"] is False and self.behaviour.inactive_says_why:
            found = access or refresh
            why = "unknown" if found is None else "revoked" if found.revoked else "expired"
            body = {**body, "reason": why, **({"client_id": found.client_id} if found else {})}
        headers = {"Cache-Control": "no-store"}
        return self.emulator._respond("introspection", 200, headers, body)

    def _active(self, account: str, client_id: str, issued: float | None, expires: float) -> dict[str, Any]:
        body: dict[str, Any] = {
            "active": True,
            "client_id": client_id,
            "sub": account,
            "exp": int(expires) + self.behaviour.introspection_exp_offset,
            "iss": self._base,
        }
        if issued is not None:
            body["iat"] = int(issued)
        if self.profile.scope_value is not None:
            body["scope"] = self.profile.scope_value
        return body

    # -- RFC 8414 and RFC 9728 metadata ------------------------------------------------------
    def issuer(self, request: Request, metadata_path: str, well_known: str) -> str:
        """RFC 8414 §3.1: the issuer is the metadata URL with the well-known segment taken out."""
        origin = self._origin(request)
        if metadata_path.startswith(well_known):
            return origin + metadata_path[len(well_known) :]
        return origin + metadata_path.split(well_known, 1)[0]

    async def _server_metadata(self, request: Request) -> Response:
        self.emulator.requests_served += 1
        profile = self.profile
        assert profile.metadata is not None and profile.metadata.authorization_server is not None
        issuer = self.issuer(request, profile.metadata.authorization_server, AS_METADATA_PATH)
        origin = self._base
        methods = auth_method_names(profile)
        document: dict[str, Any] = {
            "issuer": issuer,
            "token_endpoint": origin + profile.token_path,
            "response_types_supported": [],
            "grant_types_supported": grant_types_offered(profile),
            "token_endpoint_auth_methods_supported": methods,
        }
        if profile.scope_value is not None:
            document["scopes_supported"] = profile.scope_value.split()
        if profile.revocation is not None:
            document["revocation_endpoint"] = origin + profile.revocation.path
            document["revocation_endpoint_auth_methods_supported"] = methods
        if profile.introspection is not None:
            document["introspection_endpoint"] = origin + profile.introspection.path
            document["introspection_endpoint_auth_methods_supported"] = methods
        for transform in self.behaviour.metadata_transform:
            document = transform(document)
        return self.emulator._respond("metadata", 200, {}, document)

    async def _resource_metadata(self, request: Request) -> Response:
        self.emulator.requests_served += 1
        profile = self.profile
        assert profile.metadata is not None and profile.metadata.protected_resource is not None
        document: dict[str, Any] = {
            "resource": self.issuer(request, profile.metadata.protected_resource, PR_METADATA_PATH),
            "bearer_methods_supported": ["header"],
        }
        if profile.metadata.authorization_server is not None:
            server = self.issuer(request, profile.metadata.authorization_server, AS_METADATA_PATH)
            document["authorization_servers"] = [server]
        for transform in self.behaviour.resource_metadata_transform:
            document = transform(document)
        return self.emulator._respond("metadata", 200, {}, document)

    # -- RFC 9068 JWT access tokens ----------------------------------------------------------
    def _mint_jwt(self, account: str, client_id: str, issued: float, expires: float) -> str:
        claims: dict[str, Any] = {
            "iss": self._base,
            "sub": account or client_id,
            "aud": self._base,
            "client_id": client_id or "public-client",
            "iat": int(issued),
            "exp": int(expires),
            "jti": secrets.token_urlsafe(16),
        }
        if self.profile.scope_value is not None:
            claims["scope"] = self.profile.scope_value
        for transform in self.behaviour.jwt_claims_transform:
            claims = transform(claims)
        header = _b64url(json.dumps(self.behaviour.jwt_header).encode())
        payload = _b64url(json.dumps(claims, sort_keys=True).encode())
        signature = hmac.new(self._key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64url(signature)}"
