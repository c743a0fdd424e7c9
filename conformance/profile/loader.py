"""Load a profile by name or path: YAML, `extends` merge, JSON Schema validation, dataclasses."""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from conformance.errors import ProfileError
from conformance.profile.model import (
    CLIENT_AUTH_METHODS,
    UNSPECIFIED,
    AccessToken,
    ClientAuth,
    ClientAuthMethod,
    Contradiction,
    EmulatorSettings,
    Expiry,
    Introspection,
    Metadata,
    Profile,
    Refresh,
    Rejection,
    Resource,
    Revocation,
)
from conformance.resources import builtin_dir, builtin_profile_names

__all__ = ["load_profile", "profile_from_mapping", "resolve_profile_path"]


@cache
def _profile_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (builtin_dir("schemas") / "profile.schema.json").read_text(encoding="utf-8")
    )
    return schema


def resolve_profile_path(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A built-in profile by name, or a YAML file by path."""
    candidate = Path(name_or_path)
    if relative_to is not None and not candidate.is_absolute():
        sibling = relative_to / candidate
        if sibling.suffix in {".yaml", ".yml"} and sibling.is_file():
            return sibling
    if candidate.suffix in {".yaml", ".yml"} or candidate.is_file():
        if not candidate.is_file():
            raise ProfileError(f"profile file {name_or_path} does not exist")
        return candidate
    builtin = builtin_dir("profiles") / f"{name_or_path}.yaml"
    if builtin.is_file():
        return builtin
    known = builtin_profile_names()
    close = difflib.get_close_matches(name_or_path, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ProfileError(f"no profile named {name_or_path!r} (built-in: {', '.join(known)}){hint}")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ProfileError(f"{path}:{where}: not valid YAML: {problem}") from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: a profile is a mapping of fields, got {type(data).__name__}")
    return data


def _validate(data: dict[str, Any], path: Path) -> None:
    validator = jsonschema.Draft202012Validator(_profile_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    assert error is not None
    field_path = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    message = error.message
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        suggestions = [
            f"{u!r} (did you mean {m[0]!r}?)"
            for u in unknown
            if (m := difflib.get_close_matches(u, allowed, n=1))
        ]
        names = ", ".join(suggestions) or ", ".join(repr(u) for u in unknown)
        message = f"unknown field {names}; allowed: {', '.join(allowed)}"
    raise ProfileError(f"{path}: field {field_path}: {message}")


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Field-by-field override; lists and scalars replace, mappings merge."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _load_merged(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(str(p) for p in (*seen, resolved))
        raise ProfileError(f"{path}: field extends: circular chain {chain}")
    data = _read_yaml(path)
    _validate(data, path)
    parent_name = data.get("extends")
    if parent_name is None:
        return data
    try:
        parent_path = resolve_profile_path(parent_name, relative_to=path.parent)
    except ProfileError as exc:
        raise ProfileError(f"{path}: field extends: {exc}") from None
    parent = _load_merged(parent_path, (*seen, resolved))
    # client_auth.style and client_auth.methods say the same thing: the one a profile sets
    # replaces the other its parent set, so the two never disagree after the merge.
    own_auth = data.get("client_auth", {})
    for one, other in (("style", "methods"), ("methods", "style")):
        if one in own_auth and other not in own_auth:
            parent.get("client_auth", {}).pop(other, None)
    merged = _merge(parent, data)
    merged.pop("extends", None)
    return merged


def load_profile(name_or_path: str) -> Profile:
    """Load, validate and merge a profile; every problem is one `ProfileError` line."""
    path = resolve_profile_path(name_or_path)
    data = _load_merged(path)
    return profile_from_mapping(data, origin=str(path))


def _required(data: dict[str, Any], dotted: str, origin: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ProfileError(
                f"{origin}: field {dotted}: missing (set it here or in the profile it extends)"
            )
        node = node[part]
    return node


def profile_from_mapping(data: dict[str, Any], origin: str = "<mapping>") -> Profile:
    """Build the frozen profile from an already merged mapping."""

    def req(dotted: str) -> Any:
        return _required(data, dotted, origin)

    def src(section: str) -> str:
        return str(data.get(section, {}).get("source", UNSPECIFIED))

    rejection = req("resource.rejection")
    client_auth = data.get("client_auth", {})
    style: ClientAuth
    methods: tuple[ClientAuthMethod, ...]
    if "methods" in client_auth:
        methods = tuple(client_auth["methods"])
        # The method the suite uses by default is the first listed one.
        style = next(k for k, v in CLIENT_AUTH_METHODS.items() if v == methods[0])
    else:
        style = req("client_auth.style")
        methods = (CLIENT_AUTH_METHODS[style],)
    emulator = data.get("emulator", {})
    grants = data.get("grants", {})
    refresh = data.get("refresh", {})
    refresh_supported = grants.get("refresh_token", UNSPECIFIED)
    sections = (
        "token_endpoint",
        "client_auth",
        "parameters",
        "grants",
        "scope",
        "token_response",
        "expiry",
        "refresh",
        "invalidation",
        "resource",
        "errors",
        "revocation",
        "introspection",
        "metadata",
        "access_token",
    )
    return Profile(
        name=req("name"),
        title=data.get("title", data["name"]),
        origin=origin,
        sources=dict(data.get("sources", {})),
        token_path=req("token_endpoint.path"),
        token_method=req("token_endpoint.method"),
        client_auth=style,
        client_auth_methods=methods,
        parameter_location=req("parameters.location"),
        grant_password=grants.get("password", True),
        grant_client_credentials=grants.get("client_credentials", UNSPECIFIED),
        scope_value=data.get("scope", {}).get("value"),
        scope_enforced=data.get("scope", {}).get("enforced", UNSPECIFIED),
        scope_unknown=data.get("scope", {}).get("unknown", UNSPECIFIED),
        response_fields=tuple(req("token_response.fields")),
        token_type=req("token_response.token_type"),
        expiry=Expiry(
            unit=req("expiry.unit"),
            alternative_units=tuple(data["expiry"].get("alternative_units", ())),
            nominal_lifetime=data["expiry"].get("nominal_lifetime", UNSPECIFIED),
            example_expires_in=data["expiry"].get("example_expires_in"),
            source=src("expiry"),
        ),
        refresh=Refresh(
            supported=refresh_supported,
            issues_refresh_token=refresh.get("issues_refresh_token", UNSPECIFIED),
            rotation=refresh.get("rotation", UNSPECIFIED),
            used_refresh_token=refresh.get("used_refresh_token", UNSPECIFIED),
            source=src("refresh"),
        ),
        invalidates_earlier=data.get("invalidation", {}).get("new_token_invalidates_earlier", UNSPECIFIED),
        resource=Resource(
            path=data.get("resource", {}).get("path"),
            method=req("resource.method"),
            rejection=Rejection(
                status=rejection.get("status", UNSPECIFIED),
                www_authenticate=rejection.get("www_authenticate"),
                body_schema=rejection.get("body_schema"),
                body_example=rejection.get("body_example"),
            ),
            source=src("resource"),
        ),
        error_style=req("errors.style"),
        contradictions=tuple(
            Contradiction(c["field"], c["claim"], c["evidence"], c.get("source", UNSPECIFIED))
            for c in data.get("contradictions", ())
        ),
        emulator=EmulatorSettings(
            client_id=emulator.get("client_id", "conformance-client"),
            client_secret=emulator.get("client_secret", "conformance-secret"),
            username=emulator.get("username", "conformance-user"),
            password=emulator.get("password", "conformance-password"),
            restricted_client_id=emulator.get("restricted_client_id", "conformance-restricted-client"),
            restricted_client_secret=emulator.get(
                "restricted_client_secret", "conformance-restricted-secret"
            ),
            lifetime=emulator.get("lifetime", 3600),
            expires_in_unit=emulator.get("expires_in_unit"),
            refresh_token_lifetime=emulator.get("refresh_token_lifetime", 1209600),
        ),
        section_sources={s: src(s) for s in sections},
        **_service_sections(data, origin),
    )


def _service_sections(data: dict[str, Any], origin: str) -> dict[str, Any]:
    """The revocation, introspection, metadata and access_token sections: absent is None."""
    found: dict[str, Any] = {}
    for required in ("revocation.path", "introspection.path", "access_token.format"):
        if required.split(".")[0] in data:
            _required(data, required, origin)
    if (revocation := data.get("revocation")) is not None:
        found["revocation"] = Revocation(
            path=revocation["path"],
            revokes_access_tokens=revocation.get("revokes_access_tokens", UNSPECIFIED),
            revokes_access_with_refresh=revocation.get("revokes_access_with_refresh", UNSPECIFIED),
            source=revocation.get("source", UNSPECIFIED),
        )
    if (introspection := data.get("introspection")) is not None:
        found["introspection"] = Introspection(
            path=introspection["path"],
            members=tuple(introspection.get("members", ())),
            source=introspection.get("source", UNSPECIFIED),
        )
    if (metadata := data.get("metadata")) is not None:
        found["metadata"] = Metadata(
            authorization_server=metadata.get("authorization_server"),
            protected_resource=metadata.get("protected_resource"),
            source=metadata.get("source", UNSPECIFIED),
        )
    if (access_token := data.get("access_token")) is not None:
        found["access_token"] = AccessToken(access_token["format"], access_token.get("source", UNSPECIFIED))
    return found
