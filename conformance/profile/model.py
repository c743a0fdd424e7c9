"""The profile as frozen dataclasses: what the documentation claims, and where it says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "REQUIRED",
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
    "at",
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

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()


def at(path: str, default: Any = REQUIRED) -> Any:
    """A field the loader reads from the profile at `path` (dotted, from the top of the merged
    YAML; a list becomes a tuple), or `default` where the profile leaves it out (REQUIRED: a
    profile without it is an error naming the field). A new field is this line and its property
    in schemas/profile.schema.json: the loader reads every field declared so."""
    return field(metadata={"at": path, "default": default})


@dataclass(frozen=True, slots=True)
class Expiry:
    unit: ExpiryUnit = at("expiry.unit")
    alternative_units: tuple[ExpiryUnit, ...] = at("expiry.alternative_units", ())
    nominal_lifetime: int | Literal["unspecified"] = at("expiry.nominal_lifetime", UNSPECIFIED)
    example_expires_in: int | None = at("expiry.example_expires_in", None)
    source: str = at("expiry.source", UNSPECIFIED)

    @property
    def readings(self) -> tuple[ExpiryUnit, ...]:
        """Every unit the documentation supports, the claimed one first."""
        return (self.unit, *[u for u in self.alternative_units if u != self.unit])


@dataclass(frozen=True, slots=True)
class Refresh:
    supported: Tristate = at("grants.refresh_token", UNSPECIFIED)
    issues_refresh_token: Tristate = at("refresh.issues_refresh_token", UNSPECIFIED)
    rotation: Tristate = at("refresh.rotation", UNSPECIFIED)
    used_refresh_token: Literal["rejected", "accepted", "unspecified"] = at(
        "refresh.used_refresh_token", UNSPECIFIED
    )
    # A refresh revoking the access token of the pair it replaces (RFC 6749 §6 allows it): not
    # the invalidation rule, which is about new token requests.
    revokes_replaced_access_token: Tristate = at("refresh.revokes_replaced_access_token", UNSPECIFIED)
    # A replayed used refresh token revokes the refresh token its use issued (RFC 9700 §4.14.2).
    reuse_detection: Tristate = at("refresh.reuse_detection", UNSPECIFIED)
    # The grants whose token responses carry a refresh token (RFC 6749 §4.4.3: not client credentials).
    issued_by: tuple[str, ...] = at("refresh.issued_by", ("password",))
    source: str = at("refresh.source", UNSPECIFIED)


@dataclass(frozen=True, slots=True)
class Rejection:
    status: int | Literal["unspecified"] = at("resource.rejection.status", UNSPECIFIED)
    www_authenticate: str | None = at("resource.rejection.www_authenticate", None)
    body_schema: str | None = at("resource.rejection.body_schema", None)
    body_example: dict[str, Any] | None = at("resource.rejection.body_example", None)


@dataclass(frozen=True, slots=True)
class Resource:
    rejection: Rejection
    path: str | None = at("resource.path", None)
    method: str = at("resource.method")
    # The scope a token must have been granted to be served (RFC 6750 §3.1 insufficient_scope).
    required_scope: str | None = at("resource.required_scope", None)
    source: str = at("resource.source", UNSPECIFIED)


@dataclass(frozen=True, slots=True)
class Contradiction:
    field: str
    claim: str
    evidence: str
    source: str


@dataclass(frozen=True, slots=True)
class Revocation:
    """The RFC 7009 revocation endpoint."""

    path: str = at("revocation.path")
    revokes_access_tokens: Tristate = at("revocation.revokes_access_tokens", UNSPECIFIED)
    revokes_access_with_refresh: Tristate = at("revocation.revokes_access_with_refresh", UNSPECIFIED)
    source: str = at("revocation.source", UNSPECIFIED)


@dataclass(frozen=True, slots=True)
class Introspection:
    """The RFC 7662 introspection endpoint."""

    path: str = at("introspection.path")
    members: tuple[str, ...] = at("introspection.members", ())
    source: str = at("introspection.source", UNSPECIFIED)


@dataclass(frozen=True, slots=True)
class Metadata:
    """Where the provider publishes RFC 8414 and RFC 9728 metadata (None: it does not)."""

    authorization_server: str | None = at("metadata.authorization_server", None)
    protected_resource: str | None = at("metadata.protected_resource", None)
    source: str = at("metadata.source", UNSPECIFIED)


@dataclass(frozen=True, slots=True)
class AccessToken:
    format: Literal["jwt", "opaque", "unspecified"] = at("access_token.format")
    source: str = at("access_token.source", UNSPECIFIED)


@dataclass(frozen=True, slots=True)
class EmulatorSettings:
    client_id: str = at("emulator.client_id", "conformance-client")
    client_secret: str = at("emulator.client_secret", "conformance-secret")
    username: str = at("emulator.username", "conformance-user")
    password: str = at("emulator.password", "conformance-password")
    # A second client, registered but not allowed the client credentials grant (RFC 6749 §5.2
    # unauthorized_client); the emulator has it only where the profile offers that grant.
    restricted_client_id: str = at("emulator.restricted_client_id", "conformance-restricted-client")
    restricted_client_secret: str = at("emulator.restricted_client_secret", "conformance-restricted-secret")
    lifetime: int = at("emulator.lifetime", 3600)
    expires_in_unit: ExpiryUnit | None = at("emulator.expires_in_unit", None)
    refresh_token_lifetime: int = at("emulator.refresh_token_lifetime", 1209600)


@dataclass(frozen=True, slots=True)
class Profile:
    # Built by the loader itself: derived, merged or made of sections.
    title: str
    origin: str
    sources: dict[str, str]
    client_auth: ClientAuth  # the method the suite uses by default: the first of client_auth_methods
    client_auth_methods: tuple[ClientAuthMethod, ...]
    expiry: Expiry
    refresh: Refresh
    resource: Resource
    contradictions: tuple[Contradiction, ...]
    emulator: EmulatorSettings
    # Read where they stand in the YAML.
    name: str = at("name")
    token_path: str = at("token_endpoint.path")
    token_method: str = at("token_endpoint.method")
    parameter_location: Literal["body", "query"] = at("parameters.location")
    grant_password: Tristate = at("grants.password", True)
    grant_client_credentials: Tristate = at("grants.client_credentials", UNSPECIFIED)
    scope_value: str | None = at("scope.value", None)
    scope_enforced: Tristate = at("scope.enforced", UNSPECIFIED)
    scope_unknown: UnknownScope = at("scope.unknown", UNSPECIFIED)
    response_fields: tuple[str, ...] = at("token_response.fields")
    token_type: str = at("token_response.token_type")
    invalidates_earlier: Tristate = at("invalidation.new_token_invalidates_earlier", UNSPECIFIED)
    error_style: str = at("errors.style")
    section_sources: dict[str, str] = field(default_factory=dict)
    # The endpoints beyond the token endpoint, and what a token is: None where the profile has
    # no such section (the provider has none; their scenarios are skipped).
    revocation: Revocation | None = None
    introspection: Introspection | None = None
    metadata: Metadata | None = None
    access_token: AccessToken | None = None
    # A profile that extends a provider's profile writes down an integrator's assumptions about
    # that provider (docs/tutorials/client-assumptions.md): the provider's name, and the
    # sections the assumptions set. Their requirements are the integrator's, not the provider's.
    assumes: str | None = None
    assumed_sections: frozenset[str] = frozenset()

    def source_of(self, section: str) -> str:
        """The documented source of a profile section, for messages and reports."""
        return self.section_sources.get(section, "unspecified")

    def contradiction_for(self, field_name: str) -> Contradiction | None:
        return next((c for c in self.contradictions if c.field == field_name), None)
