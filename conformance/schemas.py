"""The JSON Schemas in schemas/: loaded once, looked up by name, validated with jsonschema."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any, TypeAlias

import jsonschema
import jsonschema.exceptions

from conformance.config.resources import builtin_dir

__all__ = ["SchemaViolation", "load_schema", "violations"]

SchemaViolation: TypeAlias = jsonschema.exceptions.ValidationError


@cache
def load_schema(name: str) -> dict[str, Any]:
    """`name` is the file stem: token-response, rfc6749-error, daysoutguide-denied, ..."""
    path = builtin_dir("schemas") / f"{name}.schema.json"
    if not path.is_file():
        raise KeyError(f"no schema named {name!r} in {path.parent}")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema(name))


@cache
def _accepts(name: str) -> Callable[[Any], bool] | None:
    """A compiled validator's yes/no (jsonschema_rs, a schemathesis dependency), if it loads."""
    try:
        import jsonschema_rs

        accepts: Callable[[Any], bool] = jsonschema_rs.validator_for(load_schema(name)).is_valid
        return accepts
    except Exception:  # not installed, or a schema it cannot compile: jsonschema alone
        return None


def violations(name: str, instance: Any) -> list[SchemaViolation]:
    """Every way `instance` breaks schema `name`, in document order.

    Most instances are valid: a compiled validator says so in a microsecond; only an invalid
    one is walked by jsonschema, for the messages and paths the findings quote.
    """
    accepts = _accepts(name)
    if accepts is not None and accepts(instance):
        return []
    return sorted(_validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
