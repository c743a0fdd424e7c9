"""RFC 6750 (Bearer token usage) requirements on the protected resource."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = [
    "ACCEPTS_VALID_TOKEN",
    "CHALLENGE",
    "INVALID_TOKEN_CODE",
    "NO_ERROR_WITHOUT_CREDENTIALS",
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
    "A refusal for missing or unusable credentials carries WWW-Authenticate with the Bearer "
    "scheme, realm at most once.",
)
INVALID_TOKEN_CODE = register(
    "RFC6750-3.1-invalid-token",
    Level.SHOULD,
    "RFC 6750 §3.1",
    'An expired, revoked, malformed or invalid token is answered 401 with error="invalid_token" '
    "in the challenge.",
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
