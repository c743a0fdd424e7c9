"""RFC 7662 (OAuth 2.0 Token Introspection) requirements on the introspection endpoint."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register
from conformance.requirements.peers import authlib, doorkeeper, dot, oauthlib

__all__ = [
    "ACTIVE",
    "CALLER_AUTH",
    "CALLER_REFUSED_401",
    "EXP",
    "INACTIVE",
    "INACTIVE_ONLY",
    "TOKEN_REQUIRED",
    "UNKNOWN_HINT",
]

ACTIVE = register(
    "RFC7662-2.2-active",
    Level.MUST,
    "RFC 7662 §2.2",
    "A live token is introspected as HTTP 200, a JSON object with active: true (a JSON boolean).",
)
INACTIVE = register(
    "RFC7662-2.2-inactive",
    Level.MUST,
    "RFC 7662 §2.2",
    "An expired, revoked or unknown token is introspected as HTTP 200 with active: false.",
)
CALLER_AUTH = register(
    "RFC7662-2.1-caller-auth",
    Level.MUST,
    "RFC 7662 §2.1, §4",
    "The introspection endpoint requires the caller to authenticate: without credentials it "
    "does not say that a live token is active.",
)
EXP = register(
    "RFC7662-2.2-exp",
    Level.MUST,
    "RFC 7662 §2.2; RFC 6749 §5.1",
    "exp, when present, is an integer timestamp of the token's expiry that agrees with the "
    "expires_in it was issued with (1 s allowed for whole-second clocks).",
)
CALLER_REFUSED_401 = register(
    "RFC7662-2.3-unauthorized-401",
    Level.MUST,
    "RFC 7662 §2.3; RFC 6749 §5.2",
    "A caller whose client credentials are missing or invalid is answered HTTP 401, as RFC 6749 "
    "§5.2 describes (invalid_client), with a WWW-Authenticate challenge for Basic where it "
    "authenticated by HTTP Basic.",
    peers=[
        oauthlib(
            "endpoints/test_introspect_endpoint.py", "test_introspect_token_client_authentication_failed"
        ),
        dot("test_introspection_view.py", "test_view_post_invalid_client_creds_basic_auth"),
        authlib("test_introspection_endpoint.py", "test_invalid_client"),
    ],
)
TOKEN_REQUIRED = register(
    "RFC7662-2.1-token-required",
    Level.MUST,
    "RFC 7662 §2.1, §2.3; RFC 6749 §5.2",
    "An introspection request without the token parameter (REQUIRED) is refused with HTTP 400 "
    "invalid_request, not answered as if about a token.",
    peers=[
        authlib("test_introspection_endpoint.py", "test_invalid_token"),
        oauthlib("endpoints/test_introspect_endpoint.py", "test_introspect_unsupported_token"),
    ],
)
# §2.1: "If the server is unable to locate the token using the given hint, it MUST extend its
# search across all of its supported token types"; Authlib and oauthlib refuse an unsupported
# hint (unsupported_token_type, RFC 7009's code), others ignore it.
UNKNOWN_HINT = register(
    "RFC7662-2.1-unknown-hint",
    Level.MUST,
    "RFC 7662 §2.1; RFC 7009 §2.2.1",
    "A token_type_hint value the server does not know is ignored (a live token introspected "
    "active: true) or refused with HTTP 400 (unsupported_token_type or invalid_request): a live "
    "token is never said to be inactive.",
    peers=[authlib("test_introspection_endpoint.py", "test_invalid_token")],
)
# §2.2: "the authorization server SHOULD NOT include any additional information about an inactive
# token, including why the token is inactive."
INACTIVE_ONLY = register(
    "RFC7662-2.2-inactive-only",
    Level.SHOULD,
    "RFC 7662 §2.2",
    "An introspection answer for an inactive token (expired, revoked or unknown) holds active: "
    "false and nothing else: not why it is inactive, nor whose it was.",
    peers=[
        oauthlib("endpoints/test_introspect_endpoint.py", "test_introspect_token_false"),
        doorkeeper("controllers/tokens_controller_spec.rb", "responds with only active state"),
    ],
)
