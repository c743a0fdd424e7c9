"""A profile field is one declaration: `at(path, default)` on its dataclass field, read by the
loader without a line of its own (README, Architecture: "A profile field")."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from conformance.errors import ProfileError
from conformance.profile.loader import _declared
from conformance.profile.model import UNSPECIFIED, Profile, at


@dataclass(frozen=True, slots=True)
class _Section:
    required: str = at("section.required")
    optional: str = at("section.optional", UNSPECIFIED)
    listed: tuple[str, ...] = at("section.listed", ())
    deep: int | None = at("section.nested.deep", None)


def test_a_declared_field_is_read_where_it_stands() -> None:
    data = {"section": {"required": "yes", "listed": ["a", "b"], "nested": {"deep": 3}}}
    assert _Section(**_declared(_Section, data, "p.yaml")) == _Section("yes", UNSPECIFIED, ("a", "b"), 3)


def test_a_required_field_left_out_names_itself() -> None:
    with pytest.raises(ProfileError, match=r"p\.yaml: field section\.required: missing"):
        _declared(_Section, {"section": {}}, "p.yaml")


def test_every_profile_field_is_declared_or_built_from_sections() -> None:
    """A plain field the loader does not know would be a TypeError at load time; this names it."""
    built = {
        "title",
        "origin",
        "sources",
        "client_auth",
        "client_auth_methods",
        "expiry",
        "refresh",
        "resource",
        "contradictions",
        "emulator",
        "section_sources",
        "revocation",
        "introspection",
        "metadata",
        "access_token",
        # From the extends chain: a client's assumptions about the provider it extends.
        "assumes",
        "assumed_sections",
    }
    undeclared = {f.name for f in dataclasses.fields(Profile) if "at" not in f.metadata}
    assert undeclared == built
