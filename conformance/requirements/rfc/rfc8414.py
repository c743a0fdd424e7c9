"""RFC 8414 (authorization server metadata) and RFC 9728 (protected resource metadata)."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register
from conformance.requirements.peers import oauthlib

__all__ = [
    "ADVERTISED_WORKS",
    "AS_METADATA_PATH",
    "ISSUER",
    "MEMBER_TYPES",
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
# §2: each "*_supported" member is a "JSON array containing a list of" values; the issuer is a "URL
# that uses the "https" scheme", jwks_uri "MUST use the "https" scheme", and the endpoints are those
# of RFC 6749 §3.2, RFC 7009 and RFC 7662, each of which requires TLS.
MEMBER_TYPES = register(
    "RFC8414-2-member-types",
    Level.MUST,
    "RFC 8414 §2",
    "Every member RFC 8414 defines as a list (grant_types_supported, "
    "token_endpoint_auth_methods_supported, scopes_supported, ...) is a JSON array of strings, and "
    "the issuer, jwks_uri and every *_endpoint are https URLs (http only on a loopback host, or the "
    "host a test reaches over http).",
    peers=[
        oauthlib("endpoints/test_metadata.py", "test_metadata_validate_issuer"),
        oauthlib("endpoints/test_metadata.py", "test_server_metadata"),
    ],
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
