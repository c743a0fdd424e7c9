"""RFC 9700 (OAuth 2.0 Security Best Current Practice) requirements and advisories."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = ["PASSWORD_GRANT_DEPRECATED", "USED_REFRESH_TOKEN_REJECTED"]

PASSWORD_GRANT_DEPRECATED = register(
    "RFC9700-2.4-password-grant",
    Level.INFO,
    "RFC 9700 §2.4",
    "The resource owner password credentials grant MUST NOT be used (advisory: the provider "
    "offers it, so its clients use it).",
)
USED_REFRESH_TOKEN_REJECTED = register(
    "RFC9700-4.14.2-rotation",
    Level.PROVIDER,
    "RFC 9700 §4.14.2; the profile's rotation rule",
    "A refresh token behaves after use as the profile says: refused once rotated (one pair per "
    "refresh token), or still accepted.",
)
