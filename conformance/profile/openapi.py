"""The OpenAPI 3.1 document a profile implies: the token endpoint and the protected resource.

What the provider's documentation says (where the parameters go, how the client
authenticates, which grants and response members there are, how the resource refuses), with
RFC 6749 and RFC 6750 where it is silent: the token response and error schemas come from
`schemas/`, the refusal of the resource is a 401 with a Bearer challenge. `conformance openapi
--profile NAME` prints it; the schemathesis scenario tests a target against it.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from conformance.profile import UNSPECIFIED, Profile
from conformance.schemas import load_schema

__all__ = ["OPENAPI_VERSION", "openapi_document", "render"]

OPENAPI_VERSION = "3.1.0"
FORM = "application/x-www-form-urlencoded"


def _schema(name: str) -> dict[str, Any]:
    """A schema from schemas/ as an OpenAPI 3.1 Schema Object (JSON Schema 2020-12)."""
    return {k: v for k, v in load_schema(name).items() if k not in ("$schema", "$id")}


def _grants(profile: Profile) -> list[str]:
    grants = ["password"] if profile.grant_password is not False else []
    grants += ["client_credentials"] if profile.grant_client_credentials is True else []
    return grants + (["refresh_token"] if profile.refresh.supported is True else [])


def _parameters(profile: Profile) -> dict[str, dict[str, Any]]:
    """Each token request parameter: its schema and whether every request needs it."""
    params: dict[str, dict[str, Any]] = {
        "grant_type": {"type": "string", "enum": _grants(profile), "description": "RFC 6749 §4.3.2, §6"},
    }
    if profile.scope_value is not None:
        params["scope"] = {"type": "string", "example": profile.scope_value, "description": "RFC 6749 §3.3"}
    if profile.grant_password is not False:
        params["username"] = {"type": "string", "description": "the resource owner's name (RFC 6749 §4.3.2)"}
        params["password"] = {"type": "string", "format": "password", "description": "RFC 6749 §4.3.2"}
    if profile.refresh.supported is True:
        params["refresh_token"] = {"type": "string", "description": "RFC 6749 §6"}
    if profile.client_auth == "body":
        params["client_id"] = {"type": "string", "description": "RFC 6749 §2.3.1"}
        params["client_secret"] = {"type": "string", "format": "password", "description": "RFC 6749 §2.3.1"}
    return params


def _by_grant(profile: Profile) -> list[dict[str, Any]]:
    shapes = []
    if profile.grant_password is not False:
        shapes.append(
            {
                "properties": {"grant_type": {"const": "password"}},
                "required": ["grant_type", "username", "password"],
            }
        )
    if profile.grant_client_credentials is True:
        shapes.append(
            {"properties": {"grant_type": {"const": "client_credentials"}}, "required": ["grant_type"]}
        )
    if profile.refresh.supported is True:
        shapes.append(
            {
                "properties": {"grant_type": {"const": "refresh_token"}},
                "required": ["grant_type", "refresh_token"],
            }
        )
    return shapes


def _token_operation(profile: Profile) -> dict[str, Any]:
    params = _parameters(profile)
    operation: dict[str, Any] = {
        "operationId": "requestToken",
        "summary": "Request an access token",
        "description": (
            f"{profile.source_of('token_endpoint')}; parameters: {profile.source_of('parameters')}"
        ),
        "tags": ["token endpoint"],
    }
    if profile.parameter_location == "query":
        operation["parameters"] = [
            {
                "name": name,
                "in": "query",
                "required": name in ("grant_type", "username", "password"),
                "schema": schema,
            }
            for name, schema in params.items()
        ]
    else:
        body = {
            "type": "object",
            "properties": params,
            "required": ["grant_type"],
            "oneOf": _by_grant(profile),
            "additionalProperties": {"type": "string", "description": "ignored (RFC 6749 §3.2)"},
        }
        operation["requestBody"] = {"required": True, "content": {FORM: {"schema": body}}}
    operation["security"] = [{"clientBasic": []}] if profile.client_auth == "basic" else []
    operation["responses"] = {
        "200": {
            "description": "An access token (RFC 6749 §5.1)",
            "headers": {
                "Cache-Control": {"required": True, "schema": {"type": "string", "pattern": "no-store"}},
                "Pragma": {"required": True, "schema": {"type": "string", "pattern": "no-cache"}},
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}},
        },
        "400": {
            "description": "A refused token request (RFC 6749 §5.2)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenError"}}},
        },
        "401": {
            "description": "invalid_client (RFC 6749 §5.2: a challenge after HTTP authentication)",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenError"}}},
        },
    }
    return operation


def _documented_response(profile: Profile) -> dict[str, Any]:
    """The RFC token response, with the members the documentation promises required."""
    promised = [f for f in profile.response_fields if f not in ("access_token", "token_type")]
    if profile.refresh.supported is True and profile.refresh.rotation is not True:
        promised = [f for f in promised if f != "refresh_token"]  # RFC 6749 §6: may be omitted
    documented = {"required": promised, "description": f"documented: {profile.source_of('token_response')}"}
    return {"allOf": [{"$ref": "#/components/schemas/RFC6749TokenResponse"}, documented]}


def _resource_operation(profile: Profile) -> dict[str, Any]:
    rejection = profile.resource.rejection
    refused: dict[str, Any] = {
        "description": "An unusable token refused (RFC 6750 §3; " + profile.resource.source + ")",
        "headers": {
            "WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^[Bb]earer"}}
        },
    }
    if rejection.body_schema is not None:
        refused["content"] = {"application/json": {"schema": _schema(rejection.body_schema)}}
    statuses = {400, 401, 403} | ({rejection.status} if rejection.status != UNSPECIFIED else set())
    responses: dict[str, Any] = {"2XX": {"description": "The resource (its content is the provider's own)"}}
    for status in sorted(int(s) for s in statuses):
        responses[str(status)] = (
            refused if status == 401 else {"description": f"RFC 6750 §3.1 (HTTP {status})"}
        )
    return {
        "operationId": "callResource",
        "summary": "A Bearer-protected resource",
        "tags": ["protected resource"],
        "security": [{"bearer": []}],
        "responses": responses,
    }


def openapi_document(profile: Profile, resource_path: str | None = None) -> dict[str, Any]:
    """The document; the resource appears when the profile or `resource_path` names one."""
    sources = "; ".join(f"{k}: {v}" for k, v in profile.sources.items() if not k.startswith("rfc")) or "none"
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{profile.title}: as documented",
            "version": profile.name,
            "description": f"Implied by the conformance profile {profile.name} ({sources}); RFC 6749 "
            "and RFC 6750 where the documentation is silent.",
        },
        "paths": {profile.token_path: {profile.token_method.lower(): _token_operation(profile)}},
        "components": {
            "schemas": {
                "RFC6749TokenResponse": _schema("token-response"),
                "TokenResponse": _documented_response(profile),
                "TokenError": _schema("rfc6749-error"),
            },
            "securitySchemes": {
                "clientBasic": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "RFC 6749 §2.3.1: form-encoded client_id ':' client_secret",
                },
                "bearer": {"type": "http", "scheme": "bearer", "description": "RFC 6750 §2.1"},
            },
        },
    }
    path = resource_path or profile.resource.path
    if path:
        document["paths"][path] = {profile.resource.method.lower(): _resource_operation(profile)}
    return document


def render(profile: Profile, resource_path: str | None = None, *, as_json: bool = False) -> str:
    """The document as YAML (or JSON)."""
    document = openapi_document(profile, resource_path)
    if as_json:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))
