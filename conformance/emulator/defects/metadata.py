"""Defects of the published metadata (RFC 8414, RFC 9728)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.emulator.bends import defect
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []


def _server_metadata(profile: Profile) -> bool:
    return profile.metadata is not None and profile.metadata.authorization_server is not None


def _resource_metadata(profile: Profile) -> bool:
    return profile.metadata is not None and profile.metadata.protected_resource is not None


def _without(name: str) -> Any:
    return lambda document: {k: v for k, v in document.items() if k != name}


@defect(
    "metadata-without-issuer",
    "the authorization server metadata has no issuer",
    ["RFC8414-2-required-members"],
    applies=_server_metadata,
)
def _without_issuer(emulator: Bendable) -> None:
    emulator.services.behaviour.metadata_transform.append(_without("issuer"))


@defect(
    "metadata-without-response-types",
    "the authorization server metadata has no response_types_supported",
    ["RFC8414-2-required-members"],
    applies=_server_metadata,
)
def _without_response_types(emulator: Bendable) -> None:
    emulator.services.behaviour.metadata_transform.append(_without("response_types_supported"))


@defect(
    "metadata-other-issuer",
    "issuer names another host than the one that publishes the metadata",
    # Where access tokens are JWTs, their iss no longer matches the issuer it names either.
    ["RFC8414-3.3-issuer", "RFC9068-2.2-claims"],
    applies=_server_metadata,
)
def _other_issuer(emulator: Bendable) -> None:
    emulator.services.behaviour.metadata_transform.append(
        lambda document: {**document, "issuer": "https://login.example.invalid"}
    )


@defect(
    "metadata-wrong-token-endpoint",
    "token_endpoint names a path where no token endpoint answers",
    ["RFC8414-2-advertised-works"],
    applies=_server_metadata,
)
def _wrong_token_endpoint(emulator: Bendable) -> None:
    def bend(document: dict[str, Any]) -> dict[str, Any]:
        endpoint = str(document.get("token_endpoint", ""))
        return {**document, "token_endpoint": endpoint + "/v2"}

    emulator.services.behaviour.metadata_transform.append(bend)


@defect(
    "metadata-advertises-unsupported-grant",
    "grant_types_supported lists the device code grant, which the token endpoint calls unsupported",
    ["RFC8414-2-advertised-works"],
    applies=_server_metadata,
)
def _advertises_unsupported_grant(emulator: Bendable) -> None:
    device = "urn:ietf:params:oauth:grant-type:device_code"

    def bend(document: dict[str, Any]) -> dict[str, Any]:
        return {**document, "grant_types_supported": [*document.get("grant_types_supported", []), device]}

    emulator.services.behaviour.metadata_transform.append(bend)


@defect(
    "resource-metadata-other-resource",
    "the protected resource metadata names another resource than the one that publishes it",
    ["RFC9728-3.3-resource"],
    applies=_resource_metadata,
)
def _other_resource(emulator: Bendable) -> None:
    emulator.services.behaviour.resource_metadata_transform.append(
        lambda document: {**document, "resource": "https://api.example.invalid"}
    )


@defect(
    "metadata-omits-refresh-grant",
    "grant_types_supported leaves out refresh_token, which the token endpoint accepts",
    ["RFC8414-2-lists-supported"],
    applies=lambda p: _server_metadata(p) and p.refresh.supported is True,
)
def _omits_refresh_grant(emulator: Bendable) -> None:
    def bend(document: dict[str, Any]) -> dict[str, Any]:
        grants = [g for g in document.get("grant_types_supported", []) if g != "refresh_token"]
        return {**document, "grant_types_supported": grants}

    emulator.services.behaviour.metadata_transform.append(bend)


@defect(
    "metadata-advertises-client-secret-post",
    "token_endpoint_auth_methods_supported lists client_secret_post, which the token endpoint refuses",
    ["RFC8414-2-advertised-works"],
    applies=lambda p: (
        _server_metadata(p) and p.client_auth != "none" and "client_secret_post" not in p.client_auth_methods
    ),
)
def _advertises_client_secret_post(emulator: Bendable) -> None:
    def bend(document: dict[str, Any]) -> dict[str, Any]:
        methods = [*document.get("token_endpoint_auth_methods_supported", []), "client_secret_post"]
        return {**document, "token_endpoint_auth_methods_supported": methods}

    emulator.services.behaviour.metadata_transform.append(bend)


@defect(
    "metadata-lists-as-strings",
    "grant_types_supported and token_endpoint_auth_methods_supported are space-separated strings, "
    "not JSON arrays",
    ["RFC8414-2-member-types"],
    applies=_server_metadata,
)
def _lists_as_strings(emulator: Bendable) -> None:
    def bend(document: dict[str, Any]) -> dict[str, Any]:
        names = ("grant_types_supported", "token_endpoint_auth_methods_supported")
        return {k: " ".join(v) if k in names and isinstance(v, list) else v for k, v in document.items()}

    emulator.services.behaviour.metadata_transform.append(bend)


@defect(
    "metadata-http-jwks-uri",
    "jwks_uri is a plain http URL on another host",
    ["RFC8414-2-member-types"],
    applies=_server_metadata,
)
def _http_jwks_uri(emulator: Bendable) -> None:
    emulator.services.behaviour.metadata_transform.append(
        lambda document: {**document, "jwks_uri": "http://keys.conformance.invalid/jwks"}
    )
