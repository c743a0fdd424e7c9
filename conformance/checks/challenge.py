"""WWW-Authenticate parsing (RFC 7235 §4.1, RFC 6750 §3): scheme and auth-params."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Challenge", "parse_challenges"]

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|{_TOKEN})\s*(?:,|$)')
_SCHEME = re.compile(rf"\s*({_TOKEN})(?:\s+|$)")


@dataclass(frozen=True, slots=True)
class Challenge:
    scheme: str
    params: tuple[tuple[str, str], ...]

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k.lower() == name.lower()), None)

    def count(self, name: str) -> int:
        return sum(1 for k, _ in self.params if k.lower() == name.lower())


def parse_challenges(header_values: list[str]) -> list[Challenge]:
    """Every challenge in the given WWW-Authenticate header values."""
    challenges: list[Challenge] = []
    for value in header_values:
        rest = value.strip()
        while rest:
            match = _SCHEME.match(rest)
            if not match:
                break
            scheme, rest = match.group(1), rest[match.end() :]
            params: list[tuple[str, str]] = []
            while (param := _PARAM.match(rest)) is not None:
                raw = param.group(2)
                unquoted = re.sub(r"\\(.)", r"\1", raw[1:-1]) if raw.startswith('"') else raw
                params.append((param.group(1), unquoted))
                rest = rest[param.end() :]
            challenges.append(Challenge(scheme, tuple(params)))
            rest = rest.lstrip(", ")
    return challenges
