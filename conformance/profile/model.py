"""The profile as frozen dataclasses: what the documentation claims, and where it says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "UNSPECIFIED",
    "ClientAuth",
    "Contradiction",
    "EmulatorSettings",
    "Expiry",
    "Profile",
    "Refresh",
    "Rejection",
    "Resource",
    "Tristate",
    "UNIT_FACTORS",
]

UNSPECIFIED: Literal["unspecified"] = "unspecified"

# A documented yes/no, or the documentation's silence.
Tristate = bool | Literal["unspecified"]

ClientAuth = Literal["basic", "body", "none"]
ExpiryUnit = Literal["seconds", "milliseconds"]

# Seconds per unit of `expires_in`.
UNIT_FACTORS: dict[str, float] = {"seconds": 1.0, "milliseconds": 0.001}


@dataclass(frozen=True, slots=True)
class Expiry:
    unit: ExpiryUnit
    alternative_units: tuple[ExpiryUnit, ...]
    nominal_lifetime: int | Literal["unspecified"]
    example_expires_in: int | None
    source: str

    @property
    def readings(self) -> tuple[ExpiryUnit, ...]:
        """Every unit the documentation supports, the claimed one first."""
        return (self.unit, *[u for u in self.alternative_units if u != self.unit])


@dataclass(frozen=True, slots=True)
class Refresh:
    supported: Tristate
    issues_refresh_token: Tristate
    rotation: Tristate
    used_refresh_token: Literal["rejected", "accepted", "unspecified"]
    source: str


@dataclass(frozen=True, slots=True)
class Rejection:
    status: int | Literal["unspecified"]
    www_authenticate: str | None
    body_schema: str | None
    body_example: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Resource:
    path: str | None
    method: str
    rejection: Rejection
    source: str


@dataclass(frozen=True, slots=True)
class Contradiction:
    field: str
    claim: str
    evidence: str
    source: str


@dataclass(frozen=True, slots=True)
class EmulatorSettings:
    client_id: str
    client_secret: str
    username: str
    password: str
    lifetime: int
    expires_in_unit: ExpiryUnit | None
    refresh_token_lifetime: int


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    title: str
    origin: str
    sources: dict[str, str]
    token_path: str
    token_method: str
    client_auth: ClientAuth
    parameter_location: Literal["body", "query"]
    grant_password: Tristate
    scope_value: str | None
    scope_enforced: Tristate
    response_fields: tuple[str, ...]
    token_type: str
    expiry: Expiry
    refresh: Refresh
    invalidates_earlier: Tristate
    resource: Resource
    error_style: str
    contradictions: tuple[Contradiction, ...]
    emulator: EmulatorSettings
    section_sources: dict[str, str] = field(default_factory=dict)

    def source_of(self, section: str) -> str:
        """The documented source of a profile section, for messages and reports."""
        return self.section_sources.get(section, "unspecified")

    def contradiction_for(self, field_name: str) -> Contradiction | None:
        return next((c for c in self.contradictions if c.field == field_name), None)
