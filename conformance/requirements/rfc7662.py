"""RFC 7662 (OAuth 2.0 Token Introspection) requirements on the introspection endpoint."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = ["ACTIVE", "CALLER_AUTH", "CALLER_REFUSED_401", "EXP", "INACTIVE", "TOKEN_REQUIRED"]

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
    "§5.2 describes (invalid_client).",
)
TOKEN_REQUIRED = register(
    "RFC7662-2.1-token-required",
    Level.MUST,
    "RFC 7662 §2.1, §2.3; RFC 6749 §5.2",
    "An introspection request without the token parameter (REQUIRED) is refused with HTTP 400 "
    "invalid_request, not answered as if about a token.",
)
