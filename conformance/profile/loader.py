"""Load a profile by name or path: YAML, `extends` merge, JSON Schema validation, dataclasses."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from conformance.config.resources import builtin_dir, builtin_profile_names
from conformance.errors import ProfileError
from conformance.profile.model import (
    CLIENT_AUTH_METHODS,
    REQUIRED,
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
from conformance.registry import closest

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
    near = closest(name_or_path, known)
    hint = f"; did you mean {near!r}?" if near else ""
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
        suggestions = [f"{u!r} (did you mean {m!r}?)" for u in unknown if (m := closest(u, allowed))]
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
    return _with_assumptions(profile_from_mapping(data, origin=str(path)), path)


def _with_assumptions(profile: Profile, path: Path) -> Profile:
    """A profile that extends a provider's profile (one that itself extends the generic base)
    records a client's assumptions about that provider: the sections it sets are the
    integrator's claims, not the provider's documentation. A provider's own profile extends the
    generic base (rfc6749) directly, as `conformance probe` writes them."""
    leaf = _read_yaml(path)
    parent_name = leaf.get("extends")
    if parent_name is None:
        return profile
    parent = _read_yaml(resolve_profile_path(parent_name, relative_to=path.parent))
    if parent.get("extends") is None:
        return profile
    return dataclasses.replace(
        profile,
        assumes=str(parent.get("name", parent_name)),
        assumed_sections=frozenset(section for section in SECTIONS if section in leaf),
    )


def _required(data: dict[str, Any], dotted: str, origin: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ProfileError(
                f"{origin}: field {dotted}: missing (set it here or in the profile it extends)"
            )
        node = node[part]
    return node


def _declared(cls: type, data: dict[str, Any], origin: str) -> dict[str, Any]:
    """The fields of dataclass `cls` declared with `at(path, default)`, read from `data`."""
    values: dict[str, Any] = {}
    for declared in dataclasses.fields(cls):
        if "at" not in declared.metadata:
            continue
        path, default = declared.metadata["at"], declared.metadata["default"]
        if default is REQUIRED:
            value = _required(data, path, origin)
        else:
            node: Any = data
            for part in path.split("."):
                node = node.get(part, _ABSENT) if isinstance(node, dict) else _ABSENT
            value = default if node is _ABSENT else node
        values[declared.name] = tuple(value) if isinstance(value, list) else value
    return values


_ABSENT = object()


def profile_from_mapping(data: dict[str, Any], origin: str = "<mapping>") -> Profile:
    """Build the frozen profile from an already merged mapping."""
    _required(data, "resource.rejection", origin)
    client_auth = data.get("client_auth", {})
    style: ClientAuth
    methods: tuple[ClientAuthMethod, ...]
    if "methods" in client_auth:
        methods = tuple(client_auth["methods"])
        # The method the suite uses by default is the first listed one.
        style = next(k for k, v in CLIENT_AUTH_METHODS.items() if v == methods[0])
    else:
        style = _required(data, "client_auth.style", origin)
        methods = (CLIENT_AUTH_METHODS[style],)
    return Profile(
        **_declared(Profile, data, origin),
        title=data.get("title", data["name"]),
        origin=origin,
        sources=dict(data.get("sources", {})),
        client_auth=style,
        client_auth_methods=methods,
        expiry=Expiry(**_declared(Expiry, data, origin)),
        refresh=Refresh(**_declared(Refresh, data, origin)),
        resource=Resource(
            rejection=Rejection(**_declared(Rejection, data, origin)), **_declared(Resource, data, origin)
        ),
        contradictions=tuple(
            Contradiction(c["field"], c["claim"], c["evidence"], c.get("source", UNSPECIFIED))
            for c in data.get("contradictions", ())
        ),
        emulator=EmulatorSettings(**_declared(EmulatorSettings, data, origin)),
        section_sources={s: str(data.get(s, {}).get("source", UNSPECIFIED)) for s in SECTIONS},
        **{
            name: kind(**_declared(kind, data, origin))
            for name, kind in OPTIONAL_SECTIONS.items()
            if data.get(name) is not None
        },
    )


SECTIONS = (
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
# The endpoints beyond the token endpoint, and what a token is: a profile without the section
# says the provider has none (None on the Profile).
OPTIONAL_SECTIONS: dict[str, type] = {
    "revocation": Revocation,
    "introspection": Introspection,
    "metadata": Metadata,
    "access_token": AccessToken,
}
