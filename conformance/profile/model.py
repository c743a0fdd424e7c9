"""The profile as frozen dataclasses: what the documentation claims, and where it says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "UNSPECIFIED",
    "AccessToken",
    "Introspection",
    "Metadata",
    "Revocation",
    "CLIENT_AUTH_METHODS",
    "ClientAuth",
    "ClientAuthMethod",
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
# RFC 7591 §2 / RFC 8414 token_endpoint_auth_methods names of the RFC 6749 §2.3 methods.
ClientAuthMethod = Literal["client_secret_basic", "client_secret_post", "none"]
# client_auth.style -> the method it names; a profile listing methods derives its style from the first.
CLIENT_AUTH_METHODS: dict[ClientAuth, ClientAuthMethod] = {
    "basic": "client_secret_basic",
    "body": "client_secret_post",
    "none": "none",
}
UnknownScope = Literal["refused", "ignored", "unspecified"]
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
class Revocation:
    """The RFC 7009 revocation endpoint."""

    path: str
    revokes_access_tokens: Tristate
    revokes_access_with_refresh: Tristate
    source: str


@dataclass(frozen=True, slots=True)
class Introspection:
    """The RFC 7662 introspection endpoint."""

    path: str
    members: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Metadata:
    """Where the provider publishes RFC 8414 and RFC 9728 metadata (None: it does not)."""

    authorization_server: str | None
    protected_resource: str | None
    source: str


@dataclass(frozen=True, slots=True)
class AccessToken:
    format: Literal["jwt", "opaque", "unspecified"]
    source: str


@dataclass(frozen=True, slots=True)
class EmulatorSettings:
    client_id: str
    client_secret: str
    username: str
    password: str
    # A second client, registered but not allowed the client credentials grant (RFC 6749 §5.2
    # unauthorized_client); the emulator has it only where the profile offers that grant.
    restricted_client_id: str
    restricted_client_secret: str
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
    client_auth: ClientAuth  # the method the suite uses by default: the first of client_auth_methods
    client_auth_methods: tuple[ClientAuthMethod, ...]
    parameter_location: Literal["body", "query"]
    grant_password: Tristate
    grant_client_credentials: Tristate
    scope_value: str | None
    scope_enforced: Tristate
    scope_unknown: UnknownScope
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
    # The endpoints beyond the token endpoint, and what a token is: None where the profile has
    # no such section (the provider has none; their scenarios are skipped).
    revocation: Revocation | None = None
    introspection: Introspection | None = None
    metadata: Metadata | None = None
    access_token: AccessToken | None = None

    def source_of(self, section: str) -> str:
        """The documented source of a profile section, for messages and reports."""
        return self.section_sources.get(section, "unspecified")

    def contradiction_for(self, field_name: str) -> Contradiction | None:
        return next((c for c in self.contradictions if c.field == field_name), None)
