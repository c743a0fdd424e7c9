"""Tokens no server issued, in the shapes servers tell apart: what introspection must call
inactive (RFC 7662 §2.2) and revocation must answer 200 (RFC 7009 §2.2), whatever they look like;
and a token type no server knows, for a token_type_hint (RFC 7009 §2.1, RFC 7662 §2.1)."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable

__all__ = ["NEVER_ISSUED", "UNKNOWN_HINT"]

# A token_type_hint no registry lists (RFC 7009 §4.1.2 registers access_token and refresh_token).
UNKNOWN_HINT = "urn:conformance:unknown-token-type"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt_shaped() -> str:
    """Three base64url parts joined by dots, as a signed JWT looks: made up, signed by no one."""
    header = _b64url(json.dumps({"alg": "RS256", "typ": "at+jwt"}).encode())
    claims = _b64url(json.dumps({"sub": "conformance-made-up", "jti": secrets.token_hex(8)}).encode())
    return f"{header}.{claims}.{_b64url(secrets.token_bytes(32))}"


NEVER_ISSUED: dict[str, Callable[[], str]] = {
    "opaque": lambda: secrets.token_urlsafe(32),
    "JWT-shaped": _jwt_shaped,
}
