"""RFC 9068 (JWT Profile for OAuth 2.0 Access Tokens), where the profile says tokens are JWTs."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = ["CLAIMS", "EXP_CONSISTENT"]

CLAIMS = register(
    "RFC9068-2.2-claims",
    Level.MUST,
    "RFC 9068 §2.1, §2.2, §4",
    "The access token is a signed JWT (alg not none) with typ at+jwt and the claims iss, exp, "
    "aud, sub, client_id, iat and jti; client_id is the client's, and iss the issuer the "
    "server's metadata names (where it publishes any).",
)
EXP_CONSISTENT = register(
    "RFC9068-exp-consistent",
    Level.MUST,
    "RFC 9068 §2.2; RFC 6749 §5.1",
    "exp - iat agrees with the expires_in the token was issued with (1 s allowed for whole-second clocks).",
)
