"""RFC 9110 (HTTP Semantics) requirements the OAuth endpoints' answers are held to."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = ["UNAUTHORIZED_CHALLENGE"]

UNAUTHORIZED_CHALLENGE = register(
    "RFC9110-15.5.2-challenge",
    Level.MUST,
    "RFC 9110 §15.5.2, §11.6.1; RFC 6749 §5.2",
    "An HTTP 401 answer carries a WWW-Authenticate header with at least one challenge, also where "
    "the client authenticated in the request body or not at all (a 400 needs none).",
)
