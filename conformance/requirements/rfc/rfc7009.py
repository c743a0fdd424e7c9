"""RFC 7009 (OAuth 2.0 Token Revocation) requirements on the revocation endpoint."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register
from conformance.requirements.peers import authlib, doorkeeper, dot, oauthlib

__all__ = [
    "CLIENT_AUTH",
    "HINT_SEARCH",
    "INVALID_CLIENT_401",
    "ISSUED_TO_CLIENT",
    "REFRESH_REVOKES_ACCESS",
    "REVOKE_OK",
    "REVOKES",
    "REVOKES_ACCESS",
    "TOKEN_REQUIRED",
    "UNKNOWN_HINT",
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
    peers=[
        authlib("test_revocation_endpoint.py", "test_invalid_token"),
        oauthlib("endpoints/test_revocation_endpoint.py", "test_revoke_unsupported_token"),
    ],
)
# §2.1: the server "MAY ignore this parameter"; §2.2.1 unsupported_token_type. Peers read an
# unknown value both ways: django-oauth-toolkit (through oauthlib) ignores it, Authlib refuses it.
UNKNOWN_HINT = register(
    "RFC7009-2.1-unknown-hint",
    Level.MUST,
    "RFC 7009 §2.1, §2.2.1",
    "A token_type_hint value the server does not know is ignored (the token revoked, HTTP 200) or "
    "refused with HTTP 400 unsupported_token_type (or invalid_request): never a success that "
    "leaves the token working, nor another answer.",
    peers=[
        dot("test_token_revocation.py", "test_revoke_access_token_with_invalid_hint"),
        authlib("test_revocation_endpoint.py", "test_invalid_token"),
    ],
)
# §2.2.1: "The error presentation conforms to the definition in Section 5.2 of [RFC6749]", whose
# invalid_client after HTTP authentication is a 401 with a challenge of the scheme the client used.
INVALID_CLIENT_401 = register(
    "RFC7009-2.2.1-invalid-client-401",
    Level.MUST,
    "RFC 7009 §2.2.1; RFC 6749 §5.2",
    "A revocation request whose HTTP Basic client authentication fails is answered HTTP 401 "
    "invalid_client with a WWW-Authenticate challenge for Basic.",
    peers=[
        oauthlib("endpoints/test_revocation_endpoint.py", "test_revoke_token_client_authentication_failed"),
        doorkeeper(
            "requests/flows/revoke_token_spec.rb",
            "does not authenticate the client and does not revoke the token (RFC 6749 §2.3.1)",
        ),
    ],
)
