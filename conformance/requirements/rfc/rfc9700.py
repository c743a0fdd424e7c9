"""RFC 9700 (OAuth 2.0 Security Best Current Practice) requirements and advisories."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register
from conformance.requirements.peers import doorkeeper, dot

__all__ = ["PASSWORD_GRANT_DEPRECATED", "REUSE_REVOKES", "USED_REFRESH_TOKEN_REJECTED"]

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
# §4.14.2, refresh token rotation: a replayed refresh token "will inform the authorization server
# of the breach. The authorization server cannot determine which party submitted the invalid
# refresh token, but it will revoke the active refresh token." A recommendation (a MUST only of
# public clients' refresh tokens, §2.2.2, where rotation is the chosen protection): SHOULD.
REUSE_REVOKES = register(
    "RFC9700-4.14.2-reuse-revokes",
    Level.SHOULD,
    "RFC 9700 §4.14.2",
    "Where refresh tokens rotate, a used refresh token presented again makes the server revoke the "
    "refresh token its use issued: the replay tells it that one of the two holders is an attacker "
    "(not judged where the profile says reuse is not detected, refresh.reuse_detection: false).",
    peers=[
        dot("test_authorization_code.py", "test_refresh_repeating_requests_revokes_old_token"),
        doorkeeper(
            "lib/oauth/refresh_token_request_spec.rb",
            "raises InvalidGrantReuse error inside the lock block to prevent race condition",
        ),
    ],
)
