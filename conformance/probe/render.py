"""The learned profile as YAML a person can review: every value under a comment saying how.

PyYAML cannot write comments, so the document is assembled line by line; each value is still
dumped by PyYAML (quoting is its business, not ours), and the result is loaded back and
validated against schemas/profile.schema.json before anyone sees it.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any

import yaml

from conformance.errors import ProfileError
from conformance.probe.draft import Draft
from conformance.schemas import violations

__all__ = ["LAYOUT", "render"]

# Sections and fields in the order the built-in profiles use; each section ends with `source`.
LAYOUT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("token_endpoint", ("path", "method")),
    ("client_auth", ("style", "methods")),
    ("parameters", ("location",)),
    ("grants", ("password", "refresh_token", "client_credentials")),
    ("scope", ("value", "unknown")),
    ("token_response", ("fields", "token_type")),
    ("expiry", ("unit", "alternative_units", "nominal_lifetime")),
    (
        "refresh",
        (
            "issues_refresh_token",
            "issued_by",
            "rotation",
            "used_refresh_token",
            "revokes_replaced_access_token",
        ),
    ),
    ("invalidation", ("new_token_invalidates_earlier",)),
    (
        "resource",
        (
            "path",
            "method",
            "required_scope",
            "rejection.status",
            "rejection.www_authenticate",
            "rejection.body_schema",
            "rejection.body_example",
        ),
    ),
    ("errors", ("style",)),
    ("revocation", ("path", "revokes_access_tokens")),
    ("introspection", ("path", "members")),
    ("metadata", ("authorization_server", "protected_resource")),
    ("access_token", ("format",)),
)
WIDTH = 100


def _value(value: Any) -> str:
    dumped = yaml.safe_dump(value, default_flow_style=True, width=10**6, allow_unicode=True, sort_keys=False)
    return dumped.removesuffix("\n...\n").strip()


def _comment(text: str, indent: str) -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(text, WIDTH - len(indent) - 2)]


def _header(draft: Draft) -> list[str]:
    lines = [
        f"Draft profile learned by `conformance probe` from {draft.url}, by experiment: "
        f"{draft.requests} requests ({draft.token_requests} to the token endpoint) in "
        f"{draft.elapsed:.1f} s. Each value says how it was learned. Review each one, name the "
        "provider's documentation in `sources` and the sections' `source`, then commit.",
        *draft.remarks,
    ]
    return [c for line in lines for c in _comment(line, "")]


def render(draft: Draft) -> str:
    """The YAML text; raises ProfileError if it would not load as a profile (a probe bug)."""
    today = datetime.now(UTC).date().isoformat()
    out = _header(draft)
    out += [
        f"name: {_value(draft.name)}",
        f"title: {_value(f'Learned from {draft.url}')}",
        "extends: rfc6749",
        "sources:",
        f"  probe: {_value(f'conformance probe of {draft.url} on {today}: experiments, not documentation')}",
    ]
    for section, fields in LAYOUT:
        present = [f for f in fields if f"{section}.{f}" in draft.facts]
        if not present:
            continue
        out.append(f"{section}:")
        nested = ""
        for name in present:
            fact = draft.facts[f"{section}.{name}"]
            parent, _, leaf = name.rpartition(".")
            if parent and parent != nested:
                out.append(f"  {parent}:")
                nested = parent
            indent = "    " if parent else "  "
            out += _comment(fact.how, indent)
            out.append(f"{indent}{leaf}: {_value(fact.value)}")
        out.append(f"  source: {_value(draft.sources.get(section, 'probe (see the comments above)'))}")
    text = "\n".join(out) + "\n"
    _check(text)
    return text


def _check(text: str) -> None:
    data = yaml.safe_load(text)
    problems = violations("profile", data)
    if problems:
        where = ".".join(str(p) for p in problems[0].absolute_path) or "(top level)"
        raise ProfileError(f"the probe wrote an invalid profile: field {where}: {problems[0].message}")
