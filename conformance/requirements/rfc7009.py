"""RFC 7009 (OAuth 2.0 Token Revocation) requirements on the revocation endpoint."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = [
    "CLIENT_AUTH",
    "HINT_SEARCH",
    "ISSUED_TO_CLIENT",
    "REFRESH_REVOKES_ACCESS",
    "REVOKE_OK",
    "REVOKES",
    "REVOKES_ACCESS",
    "TOKEN_REQUIRED",
    "UNSUPPORTED_TOKEN_TYPE",
]

REVOKE_OK = register(
    "RFC7009-2.2-revoke-ok",
    Level.MUST,
    "RFC 7009 §2.2",
    "A revocation request is answered HTTP 200 when the token was revoked, and when the token "
    "is invalid or unknown.",
)
REVOKES = register(
    "RFC7009-2.1-revokes",
    Level.MUST,
    "RFC 7009 §2.1",
    "A revoked refresh token cannot be used again: the refresh grant refuses it.",
)
REVOKES_ACCESS = register(
    "RFC7009-2.1-revokes-access",
    Level.SHOULD,
    "RFC 7009 §2.1",
    "Access tokens can be revoked: a revoked access token is refused at the protected resource.",
)
REFRESH_REVOKES_ACCESS = register(
    "RFC7009-2.1-refresh-revokes-access",
    Level.SHOULD,
    "RFC 7009 §2.1; the profile's revokes_access_with_refresh",
    "Revoking a refresh token also invalidates the access tokens issued with it.",
)
HINT_SEARCH = register(
    "RFC7009-2.1-hint",
    Level.MUST,
    "RFC 7009 §2.1",
    "A token_type_hint that does not fit the token does not stop its revocation: the server "
    "searches its other token types.",
)
UNSUPPORTED_TOKEN_TYPE = register(
    "RFC7009-2.2.1-unsupported-token-type",
    Level.MUST,
    "RFC 7009 §2.2.1",
    "A token the server does not revoke by type is refused with HTTP 400 and error "
    "unsupported_token_type, never with another error.",
)
CLIENT_AUTH = register(
    "RFC7009-2.1-client-auth",
    Level.MUST,
    "RFC 7009 §2.1, §2.2.1; RFC 6749 §5.2",
    "The revocation endpoint authenticates the client: a request without or with wrong client "
    "credentials is refused with error invalid_client, and revokes nothing.",
)
ISSUED_TO_CLIENT = register(
    "RFC7009-2.1-issued-to-client",
    Level.MUST,
    "RFC 7009 §2.1",
    "A client cannot revoke a token issued to another client: after the other client's revocation "
    "request, whatever its answer, the token still works.",
)
TOKEN_REQUIRED = register(
    "RFC7009-2.1-token-required",
    Level.MUST,
    "RFC 7009 §2.1, §2.2.1; RFC 6749 §5.2",
    "A revocation request without the token parameter (REQUIRED) is refused with HTTP 400 invalid_request.",
)
