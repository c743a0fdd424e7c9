"""Benign variants of revocation, introspection, metadata and JWT access tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.emulator.behaviour import Reply
from conformance.emulator.bends import (
    variant,
)

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable


@variant(
    "revocation-200-with-body",
    "a successful revocation answers 200 with an empty JSON object as its body",
    allowed_by="RFC 7009 §2.2: the content of the response body is ignored by the client",
    seen_in="Doorkeeper ({}), Authlib, django-oauth-toolkit",
    applies=lambda p: p.revocation is not None,
)
def _revocation_200_with_body(emulator: Bendable) -> None:
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
def _introspection_extra_members(emulator: Bendable) -> None:
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
def _metadata_extra_members(emulator: Bendable) -> None:
    def server(document: dict[str, Any]) -> dict[str, Any]:
        issuer = str(document.get("issuer", ""))
        return {
            **document,
            "jwks_uri": issuer + "/jwks",
            "code_challenge_methods_supported": ["S256"],
            "tls_client_certificate_bound_access_tokens": True,
            # Boolean *_supported members of other specifications (RFC 9207, OpenID Connect).
            "authorization_response_iss_parameter_supported": True,
            "claims_parameter_supported": False,
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
def _jwt_extra_claims(emulator: Bendable) -> None:
    extra = {"azp": "conformance", "typ": "Bearer", "sid": "4f1c", "realm_access": {"roles": ["user"]}}
    behaviour = emulator.services.behaviour
    behaviour.jwt_claims_transform.append(lambda claims: {**claims, **extra, "auth_time": claims["iat"]})
    behaviour.jwt_header = {**behaviour.jwt_header, "kid": "emulator-key-1"}


def _service(profile: Any) -> bool:
    return profile.revocation is not None or profile.introspection is not None


@variant(
    "unknown-hint-unsupported",
    "a token_type_hint of an unknown type is refused HTTP 400 unsupported_token_type at revocation "
    "and introspection",
    allowed_by="RFC 7009 §2.2.1: unsupported_token_type, the server does not support the token type "
    "presented; RFC 7662 §2.1 takes the hint from RFC 7009 (the reading Authlib takes, where "
    "django-oauth-toolkit ignores the hint)",
    seen_in="Authlib (RevocationEndpoint and IntrospectionEndpoint check_params: a hint not in "
    "SUPPORTED_TOKEN_TYPES raises UnsupportedTokenTypeError)",
    applies=_service,
)
def _unknown_hint_unsupported(emulator: Bendable) -> None:
    emulator.services.behaviour.unknown_hints = {"revocation": "refuse", "introspection": "refuse"}


@variant(
    "service-401-two-challenges",
    "a failed client authentication at revocation and introspection is HTTP 401 with two "
    'challenges, Bearer error="invalid_client" and Basic',
    allowed_by="RFC 7235 §4.1: a 401 may carry several challenges; RFC 6749 §5.2 asks for one "
    "matching the scheme the client used, which the Basic one is",
    seen_in="endpoints that take a Bearer token or Basic client credentials alike "
    "(django-oauth-toolkit's and Doorkeeper's introspection)",
    applies=lambda p: _service(p) and p.client_auth == "basic",
)
def _service_401_two_challenges(emulator: Bendable) -> None:
    def hook(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind in ("revocation", "introspection") and status == 401:
            basic = headers.get("WWW-Authenticate", 'Basic realm="conformance-emulator"')
            return status, {**headers, "WWW-Authenticate": f'Bearer error="invalid_client", {basic}'}, payload
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@variant(
    "query-parameters-refused",
    "a revocation or introspection request whose URL has a query component is refused HTTP 400 "
    "invalid_request, whatever its form carries",
    allowed_by="RFC 6749 §2.3.1: client credentials MUST NOT be included in the request URI; RFC "
    "7009 §2.1 and RFC 7662 §2.1 send every parameter in the form body; §5.2 invalid_request",
    seen_in="oauthlib (RevocationEndpoint and IntrospectEndpoint: 'URL query parameters are not "
    "allowed'), and so django-oauth-toolkit",
    applies=_service,
)
def _query_parameters_refused(emulator: Bendable) -> None:
    emulator.services.behaviour.refuses_query = True
