"""RFC 8414 (authorization server metadata) and RFC 9728 (protected resource metadata)."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = [
    "ADVERTISED_WORKS",
    "AS_METADATA_PATH",
    "ISSUER",
    "LISTS_SUPPORTED",
    "PR_METADATA_PATH",
    "REQUIRED_MEMBERS",
    "RESOURCE",
]

# The well-known segments (RFC 8414 §3, RFC 9728 §3), inserted between host and path.
AS_METADATA_PATH = "/.well-known/oauth-authorization-server"
PR_METADATA_PATH = "/.well-known/oauth-protected-resource"

REQUIRED_MEMBERS = register(
    "RFC8414-2-required-members",
    Level.MUST,
    "RFC 8414 §2, §3.2",
    "The metadata is HTTP 200, a JSON object (application/json) with issuer, token_endpoint and "
    "response_types_supported.",
)
ISSUER = register(
    "RFC8414-3.3-issuer",
    Level.MUST,
    "RFC 8414 §3.1, §3.3",
    "issuer is identical to the URL the metadata was fetched from without its well-known segment.",
)
ADVERTISED_WORKS = register(
    "RFC8414-2-advertised-works",
    Level.MUST,
    "RFC 8414 §2",
    "What the metadata advertises is what the server does: token_endpoint, revocation_endpoint "
    "and introspection_endpoint are the endpoints that answer, and no grant type in "
    "grant_types_supported is refused as unsupported_grant_type.",
)
LISTS_SUPPORTED = register(
    "RFC8414-2-lists-supported",
    Level.INFO,
    "RFC 8414 §2",
    "grant_types_supported and token_endpoint_auth_methods_supported (client_secret_basic when "
    "omitted) list the grants and client authentication the profile says the server accepts "
    "(advisory: the members are optional).",
)
RESOURCE = register(
    "RFC9728-3.3-resource",
    Level.MUST,
    "RFC 9728 §2, §3.2, §3.3",
    "Protected resource metadata is a JSON object whose resource is identical to the URL it was "
    "fetched from without its well-known segment.",
)
