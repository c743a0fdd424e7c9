"""Benign variants: what widely deployed servers do differently from the plain emulator, and RFC
6749/6750 allow.

The suite must not blame a server for being unusual. A variant is one decorated function that
bends the emulator like a defect does, but into behaviour the RFCs and the profile's documents
allow; the self-test runs each against every profile it applies to and requires the run to fail
no requirement (a failure is a false alarm of the suite). Each entry says why the behaviour is
allowed (`allowed_by`, with the RFC section) and where it is seen (`seen_in`):

    @variant("token-type-capitalised", 'token_type is "Bearer"',
             allowed_by="RFC 6749 §5.1: the token_type value is case insensitive",
             seen_in="Spring Authorization Server, Authlib, django-oauth-toolkit")
    def _capitalised(emulator: Emulator) -> None:
        emulator.behaviour.token_type = "Bearer"

`applies` keeps a variant away from profiles whose documents it would contradict (a refusal body
that differs from the documented one, a refresh that keeps the refresh token where the documents
promise a new pair).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from conformance.emulator.behaviour import Reply, ResponseHook
from conformance.emulator.bends import Applies, Bend, Registry, any_profile
from conformance.emulator.hooks import on_resource_rejection, on_token_error, on_token_success
from conformance.errors import UsageError
from conformance.profile import Profile
from conformance.profile.model import UNIT_FACTORS

if TYPE_CHECKING:
    from starlette.requests import Request

    from conformance.emulator.app import Emulator

__all__ = [
    "Variant",
    "applicable_variants",
    "apply_variants",
    "get_variant",
    "variant",
    "variants",
]


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    summary: str
    allowed_by: str  # the RFC section that allows it, and why
    seen_in: str  # servers and frameworks that behave so
    applies: Applies
    apply: Bend


_REGISTRY: Registry[Variant] = Registry("variant")


_FORM = "application/x-www-form-urlencoded"


def variant(
    name: str, summary: str, *, allowed_by: str, seen_in: str, applies: Applies = any_profile
) -> Callable[[Bend], Bend]:
    """Register the decorated function as the benign variant `name`."""
    if not allowed_by.strip() or "RFC" not in allowed_by:
        raise ValueError(f"variant {name} names no RFC section that allows it")

    def register(func: Bend) -> Bend:
        _REGISTRY.add(Variant(name, summary, allowed_by, seen_in, applies, func))
        return func

    return register


def variants() -> dict[str, Variant]:
    """Every registered variant by name, in registration order."""
    return _REGISTRY.all()


def applicable_variants(profile: Profile) -> list[Variant]:
    return _REGISTRY.applicable(profile)


def get_variant(name: str) -> Variant:
    return _REGISTRY.get(name)


def apply_variants(names: Iterable[str], emulator: Emulator) -> None:
    _REGISTRY.apply(names, emulator)


# -- profile predicates -------------------------------------------------------------------------
def _basic_client_auth(profile: Profile) -> bool:
    return profile.client_auth == "basic"


def _form_body(profile: Profile) -> bool:
    return profile.parameter_location == "body"


def _issues_refresh(profile: Profile) -> bool:
    return profile.refresh.supported is True and profile.refresh.issues_refresh_token is not False


def _refusal_body_undocumented(profile: Profile) -> bool:
    """Only a JSON object is documented for the resource's refusal, not its members."""
    rejection = profile.resource.rejection
    return rejection.body_example is None and rejection.body_schema in (None, "json-object")


def _requires_switch(emulator: Emulator, name: str) -> None:
    """A variant built on a Behaviour switch another part of the emulator provides."""
    if not hasattr(emulator.behaviour, name):
        raise UsageError(f"this emulator has no Behaviour.{name}: the variant cannot be switched on")
    setattr(emulator.behaviour, name, True)


def _headers_of(kind: str, change: Callable[[int, dict[str, str]], dict[str, str]]) -> ResponseHook:
    def hook(seen: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if seen == kind:
            headers = change(status, dict(headers))
        return status, headers, payload

    return hook


# -- the token response -------------------------------------------------------------------------
@variant(
    "token-type-capitalised",
    'token_type is "Bearer", not "bearer"',
    allowed_by="RFC 6749 §5.1: the value of token_type is case insensitive",
    seen_in="Spring Authorization Server, Authlib, django-oauth-toolkit, IdentityServer, Okta",
)
def _token_type_capitalised(emulator: Emulator) -> None:
    emulator.behaviour.token_type = emulator.behaviour.token_type.capitalize()


@variant(
    "token-type-uppercase",
    'token_type is "BEARER"',
    allowed_by="RFC 6749 §5.1: the value of token_type is case insensitive",
    seen_in="hand-written gateways that upper-case enumerations",
)
def _token_type_uppercase(emulator: Emulator) -> None:
    emulator.behaviour.token_type = emulator.behaviour.token_type.upper()


@variant(
    "token-response-extras-owin",
    "the token response adds .issued, .expires and userName (ASP.NET OWIN's properties)",
    allowed_by="RFC 6749 §5.1: the client MUST ignore unrecognized value names in the response",
    seen_in="ASP.NET OWIN OAuthAuthorizationServer (Web API 2 templates)",
)
def _token_response_extras_owin(emulator: Emulator) -> None:
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
def _token_response_extras_keycloak(emulator: Emulator) -> None:
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
def _expires_in_exact(emulator: Emulator) -> None:
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
def _cache_control_extra_directives(emulator: Emulator) -> None:
    def change(status: int, headers: dict[str, str]) -> dict[str, str]:
        if "Cache-Control" in headers:
            headers["Cache-Control"] = "no-cache, no-store, max-age=0, must-revalidate"
            headers["Expires"] = "0"
        return headers

    emulator.behaviour.response_hooks.append(_headers_of("token", change))


@variant(
    "json-media-type-lowercase",
    "JSON is labelled application/json; charset=utf-8 (a space, a lower-case charset)",
    allowed_by="RFC 6749 §5.1 asks for application/json; RFC 7231 §3.1.1.1: parameters and "
    "their whitespace and charset names are case insensitive",
    seen_in="Doorkeeper, Express, ASP.NET Core",
)
def _json_media_type_lowercase(emulator: Emulator) -> None:
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
def _hex_tokens(emulator: Emulator) -> None:
    emulator.store.new_token = lambda: secrets.token_hex(32)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@variant(
    "jwt-access-tokens",
    "tokens are signed JWTs (three base64url parts joined by dots, about 400 characters)",
    allowed_by="RFC 6749 §1.4: the token is opaque to the client; RFC 6750 §2.1: b64token allows "
    "'.'; RFC 9068 profiles JWT access tokens",
    seen_in="Keycloak, Auth0, Okta, Spring Authorization Server, IdentityServer/Duende, Azure AD",
)
def _jwt_access_tokens(emulator: Emulator) -> None:
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

    emulator.store.new_token = new_token


# -- refusals at the token endpoint -------------------------------------------------------------
@variant(
    "error-body-extras",
    "token errors add error_uri, timestamp, status and trace_id members",
    allowed_by="RFC 6749 §5.2: error_uri is OPTIONAL; the error response is a JSON object and "
    "nothing forbids extension members",
    seen_in="Spring Boot's error attributes, Okta (errorId), Auth0, fosite (error_hint)",
)
def _error_body_extras(emulator: Emulator) -> None:
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
def _error_description_absent(emulator: Emulator) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_error(lambda status, headers, body: (status, headers, {"error": body["error"]}))
    )


@variant(
    "missing-client-auth-400",
    "a token request with no client authentication at all is HTTP 400 invalid_client, no challenge",
    allowed_by="RFC 6749 §5.2: invalid_client MAY be 401; 401 with WWW-Authenticate is a MUST only "
    "when the client authenticated via the Authorization header",
    seen_in="IdentityServer4/Duende (400 invalid_client), node-oauth2-server",
    applies=_basic_client_auth,
)
def _missing_client_auth_400(emulator: Emulator) -> None:
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
    applies=_form_body,
)
def _other_media_type_415(emulator: Emulator) -> None:
    # A framework refuses the body before any OAuth code runs: an ASGI layer in front of the
    # emulator. Media types compare case-insensitively (RFC 7231 §3.1.1.1), as frameworks do.
    inner, path = emulator.app, emulator.behaviour.token_path

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == path:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if _FORM not in headers.get("content-type", "").lower():
                refusal = Response(b"", status_code=415, media_type="text/plain")
                await refusal(scope, receive, send)
                return
        await inner(scope, receive, send)

    emulator.app = app


@variant(
    "get-refused-405-plain",
    "a GET to the token endpoint is HTTP 405 with Allow: POST and a plain-text body",
    allowed_by="RFC 6749 §3.2: the client MUST use POST; the RFC does not say how a server refuses "
    "another method (RFC 7231 §6.5.5: 405 with Allow)",
    seen_in="Starlette, ASP.NET routing, Spring MVC (HttpRequestMethodNotSupportedException)",
)
def _get_refused_405_plain(emulator: Emulator) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status == 405:
            return 405, {"Allow": "POST", "Content-Type": "text/plain; charset=utf-8"}, b"Method Not Allowed"
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


# -- the protected resource ---------------------------------------------------------------------
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
def _challenge_error_description(emulator: Emulator) -> None:
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
def _challenge_without_realm(emulator: Emulator) -> None:
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
def _several_challenges(emulator: Emulator) -> None:
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
    applies=_refusal_body_undocumented,
)
def _resource_refusal_spring_body(emulator: Emulator) -> None:
    def bend(status: int, headers: dict[str, str], payload: Any) -> Reply:
        body = {
            "timestamp": "2024-05-01T12:00:00.000+00:00",
            "status": status,
            "error": "Unauthorized",
            "path": "/",
        }
        return status, headers, body

    emulator.behaviour.response_hooks.append(on_resource_rejection(bend))


# -- time and concurrency (switches of the emulator's timing and refresh engines) ---------------
@variant(
    "whole-second-expiry",
    "the server stores expiry as a whole-second timestamp: a token may die up to 1 s early",
    allowed_by="RFC 6749 §5.1: expires_in counts whole seconds; a server that keeps issue and "
    "expiry times in whole seconds is within one second of it",
    seen_in="every server that stores expiry as a Unix timestamp (Doorkeeper, Keycloak, fosite)",
)
def _whole_second_expiry(emulator: Emulator) -> None:
    _requires_switch(emulator, "expiry_whole_seconds")


@variant(
    "refresh-grace-pair",
    "concurrent refreshes with one refresh token all receive the same new pair",
    allowed_by="RFC 6749 §6 and RFC 9700 §4.14.2: one new pair is issued per refresh token; "
    "delivering it to each concurrent duplicate issues nothing more",
    seen_in="Ory Hydra/fosite (refresh token grace period), Auth0 (rotation leeway), Okta (grace period)",
    applies=_issues_refresh,
)
def _refresh_grace_pair(emulator: Emulator) -> None:
    _requires_switch(emulator, "refresh_grace_pair")


# -- revocation, introspection, metadata, JWT access tokens -------------------------------------
@variant(
    "revocation-200-with-body",
    "a successful revocation answers 200 with an empty JSON object as its body",
    allowed_by="RFC 7009 §2.2: the content of the response body is ignored by the client",
    seen_in="Doorkeeper ({}), Authlib, django-oauth-toolkit",
    applies=lambda p: p.revocation is not None,
)
def _revocation_200_with_body(emulator: Emulator) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "revocation" and status == 200:
            return status, headers, {}
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@variant(
    "introspection-extra-members",
    "an active introspection answer adds Keycloak's members (typ, azp, session_state, realm_access)",
    allowed_by="RFC 7662 §2.2: specific implementations MAY extend this structure with their own "
    "service-specific response names",
    seen_in="Keycloak, Ory Hydra (ext), Okta, ForgeRock",
    applies=lambda p: p.introspection is not None,
)
def _introspection_extra_members(emulator: Emulator) -> None:
    extra = {"typ": "Bearer", "azp": "conformance", "session_state": "0b7e", "realm_access": {"roles": []}}

    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "introspection" and isinstance(payload, dict) and payload.get("active") is True:
            return status, headers, {**payload, **extra}
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@variant(
    "metadata-extra-members",
    "the metadata adds extension members (jwks_uri, code_challenge_methods_supported, ...)",
    allowed_by="RFC 8414 §2: additional metadata parameters MAY be used; RFC 9728 §2 likewise",
    seen_in="Keycloak, Ory Hydra, Spring Authorization Server, node-oidc-provider",
    applies=lambda p: p.metadata is not None,
)
def _metadata_extra_members(emulator: Emulator) -> None:
    def server(document: dict[str, Any]) -> dict[str, Any]:
        issuer = str(document.get("issuer", ""))
        return {
            **document,
            "jwks_uri": issuer + "/jwks",
            "code_challenge_methods_supported": ["S256"],
            "tls_client_certificate_bound_access_tokens": True,
            "service_documentation": issuer + "/docs",
        }

    def resource(document: dict[str, Any]) -> dict[str, Any]:
        return {**document, "resource_name": "Conformance API", "scopes_supported": ["read"]}

    emulator.services.behaviour.metadata_transform.append(server)
    emulator.services.behaviour.resource_metadata_transform.append(resource)


@variant(
    "jwt-extra-claims",
    "JWT access tokens add Keycloak's claims (azp, typ, sid, realm_access, auth_time) and a kid",
    allowed_by="RFC 9068 §2.2.3 and RFC 7519 §4.2, §4.3: public and private claims beyond the "
    "required ones are allowed; RFC 7515 §4.1.4 kid",
    seen_in="Keycloak, Auth0, Okta, Azure AD",
    applies=lambda p: p.access_token is not None and p.access_token.format == "jwt",
)
def _jwt_extra_claims(emulator: Emulator) -> None:
    extra = {"azp": "conformance", "typ": "Bearer", "sid": "4f1c", "realm_access": {"roles": ["user"]}}
    behaviour = emulator.services.behaviour
    behaviour.jwt_claims_transform.append(lambda claims: {**claims, **extra, "auth_time": claims["iat"]})
    behaviour.jwt_header = {**behaviour.jwt_header, "kid": "emulator-key-1"}


# -- the client credentials grant, client authentication methods, scope --------------------------
def _client_credentials(profile: Profile) -> bool:
    return profile.grant_client_credentials is True and profile.client_auth != "none"


@variant(
    "scope-always-returned",
    "every client credentials token response names its scope, even when it is the one requested",
    allowed_by="RFC 6749 §5.1: scope is OPTIONAL when identical to the requested scope, so it "
    "may always be sent",
    seen_in="Keycloak, ORY Hydra, Doorkeeper, Spring Authorization Server",
    applies=_client_credentials,
)
def _scope_always_returned(emulator: Emulator) -> None:
    emulator.behaviour.return_scope = "always"


@variant(
    "basic-accepted-though-unlisted",
    "HTTP Basic client authentication works where the documentation lists only client_secret_post",
    allowed_by="RFC 6749 §2.3.1: the server MUST support Basic for clients with a password, "
    "whatever its documentation lists (OAuth 2.1 prefers the body)",
    seen_in="Spring Authorization Server, Keycloak, Authlib (both methods on by default)",
    applies=lambda p: _client_credentials(p) and "client_secret_basic" not in p.client_auth_methods,
)
def _basic_accepted_though_unlisted(emulator: Emulator) -> None:
    behaviour = emulator.behaviour
    behaviour.client_auth_methods = (*behaviour.client_auth_methods, "client_secret_basic")


@variant(
    "invalid-client-400-body",
    "client credentials in the body that fail authentication are HTTP 400 invalid_client, no challenge",
    allowed_by="RFC 6749 §5.2: invalid_client MAY be 401; 401 with WWW-Authenticate is a MUST only "
    "when the client authenticated via the Authorization header",
    seen_in="Doorkeeper, IdentityServer4/Duende, node-oauth2-server",
    applies=lambda p: _client_credentials(p) and "client_secret_post" in p.client_auth_methods,
)
def _invalid_client_400_body(emulator: Emulator) -> None:
    async def hook(kind: str, request: Request, params: list[tuple[str, str]]) -> Reply | None:
        given = dict(params)
        if kind != "token" or "authorization" in request.headers or "client_secret" not in given:
            return None
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
def _insufficient_scope_spring(emulator: Emulator) -> None:
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
def _revocation_other_client_200(emulator: Emulator) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        foreign = isinstance(payload, dict) and payload.get("error") == "unauthorized_client"
        if kind == "revocation" and status == 400 and foreign:
            return 200, {}, b""
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)
