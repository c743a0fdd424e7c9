"""RFC 6750 (Bearer token usage) requirements on the protected resource."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = [
    "ACCEPTS_VALID_TOKEN",
    "CHALLENGE",
    "INSUFFICIENT_SCOPE",
    "INVALID_TOKEN_CODE",
    "INVALID_TOKEN_STATUS",
    "NO_ERROR_WITHOUT_CREDENTIALS",
    "ONE_TOKEN_METHOD",
    "REALM_ONCE",
    "REJECTS_BAD_TOKEN",
    "SHORT_LIVED",
]

ACCEPTS_VALID_TOKEN = register(
    "RFC6750-2.1-accept",
    Level.MUST,
    "RFC 6750 §2.1",
    "The protected resource accepts a freshly issued access token in the Authorization header.",
)
REJECTS_BAD_TOKEN = register(
    "RFC6750-3-reject",
    Level.MUST,
    "RFC 6750 §3",
    "The protected resource refuses a request with no, a malformed, an unknown, an expired or an "
    "invalidated token (a 4xx, never the resource).",
)
CHALLENGE = register(
    "RFC6750-3-challenge",
    Level.MUST,
    "RFC 6750 §3",
    "A refusal for missing or unusable credentials carries WWW-Authenticate with the Bearer scheme.",
)
# Split from RFC6750-3-challenge, which once bundled it.
REALM_ONCE = register(
    "RFC6750-3-realm-once",
    Level.MUST,
    "RFC 6750 §3",
    "The realm attribute appears at most once in a Bearer challenge.",
)
# The id once bundled the status and the error code; it keeps the status.
INVALID_TOKEN_STATUS = register(
    "RFC6750-3.1-invalid-token",
    Level.SHOULD,
    "RFC 6750 §3.1",
    "A request with an expired, revoked, malformed or otherwise invalid access token is answered HTTP 401.",
)
INVALID_TOKEN_CODE = register(
    "RFC6750-3.1-invalid-token-code",
    Level.SHOULD,
    "RFC 6750 §3, §3.1",
    "The refusal of an expired, revoked, malformed or otherwise invalid access token carries "
    'error="invalid_token" in its Bearer challenge.',
)
NO_ERROR_WITHOUT_CREDENTIALS = register(
    "RFC6750-3.1-no-error-code",
    Level.SHOULD,
    "RFC 6750 §3.1",
    "A request without any authentication information gets a challenge without an error code.",
)
SHORT_LIVED = register(
    "RFC6750-5.3-short-lived",
    Level.SHOULD,
    "RFC 6750 §5.3",
    "Bearer tokens are short-lived: one hour or less.",
)
INSUFFICIENT_SCOPE = register(
    "RFC6750-3.1-insufficient-scope",
    Level.SHOULD,
    "RFC 6750 §3, §3.1",
    "A token refused because it was not granted the scope the resource requires is answered "
    'HTTP 403 with error="insufficient_scope" in its Bearer challenge.',
)
ONE_TOKEN_METHOD = register(
    "RFC6750-3.1-one-method",
    Level.SHOULD,
    "RFC 6750 §2, §3.1",
    "A request that presents the access token by more than one method (the Authorization header "
    "and the query string) is refused HTTP 400 with error invalid_request: not served, nor refused "
    "as if only one of its tokens had been read (invalid_token).",
)
