"""Checks of the endpoints beside the token endpoint: introspection responses (RFC 7662), metadata
documents (RFC 8414, RFC 9728) and JWT access tokens (RFC 9068). Pure functions of data.

A JWT is judged by its header and claims only, never shown: findings name claims and numbers.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlsplit

from conformance.client.exchange import Exchange
from conformance.engine.findings import Finding
from conformance.engine.liveness import ALLOWANCE
from conformance.requirements import Requirement
from conformance.requirements.rfc import rfc7662, rfc8414, rfc9068

__all__ = [
    "ARRAY_MEMBERS",
    "AT_JWT_TYPES",
    "JWT_CLAIMS",
    "decode_jwt",
    "exp_member_findings",
    "exp_problem",
    "identifier_from",
    "introspection_active",
    "jwt_findings",
    "member_type_findings",
    "metadata_document",
    "required_member_findings",
]

# RFC 9068 §2.2: REQUIRED claims.
JWT_CLAIMS = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")
# RFC 9068 §2.1: typ is "at+jwt"; "application/at+jwt" is the same media type (RFC 7515 §4.1.9).
AT_JWT_TYPES = frozenset({"at+jwt", "application/at+jwt"})


def _json_part(part: str) -> dict[str, Any] | None:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None


def decode_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]] | str:
    """(header, claims) of a JWS compact serialization, unverified; or what keeps it from being one."""
    parts = token.split(".")
    if len(parts) != 3:
        return f"not a JWS compact serialization ({len(parts)} dot-separated parts, 3 expected)"
    header, claims = _json_part(parts[0]), _json_part(parts[1])
    if header is None or claims is None:
        return "its header or payload is not base64url-encoded JSON object"
    return header, claims


def exp_problem(exp: object, issued_at: float, stated: tuple[float, ...]) -> str | None:
    """Why `exp` does not agree with a lifetime in `stated` counted from `issued_at` (both whole
    seconds at the server: the allowance of one second either way, and the rounding of each)."""
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return f"exp is {exp!r} ({type(exp).__name__}), not a NumericDate"
    if not stated:
        return None
    span = exp - issued_at
    slack = ALLOWANCE + 1.0  # the allowance, and exp and the issue time each whole seconds
    if any(abs(span - lifetime) <= slack for lifetime in stated):
        return None
    readings = " or ".join(f"{lifetime:.6g} s" for lifetime in stated)
    return f"exp is {span:.6g} s after the token was issued; expires_in states {readings}"


def jwt_findings(
    token: str, client_id: str | None, stated: tuple[float, ...], exchange: Exchange
) -> list[Finding]:
    """RFC 9068 §2.1, §2.2: the header and claims; exp - iat against expires_in."""
    decoded = decode_jwt(token)
    if isinstance(decoded, str):
        return [Finding(rfc9068.CLAIMS, "an RFC 9068 JWT access token", decoded, exchange)]
    header, claims = decoded
    problems = []
    if str(header.get("typ", "")).lower() not in AT_JWT_TYPES:
        problems.append(f"header typ is {header.get('typ')!r}")
    if not isinstance(header.get("alg"), str) or str(header.get("alg")).lower() == "none":
        problems.append(f"header alg is {header.get('alg')!r}")
    missing = [c for c in JWT_CLAIMS if c not in claims]
    if missing:
        problems.append(f"claims {', '.join(missing)} missing")
    if client_id is not None and "client_id" in claims and claims["client_id"] != client_id:
        problems.append("client_id is not the client's")
    findings = []
    if problems:
        expected = "typ at+jwt, alg not none, claims " + ", ".join(JWT_CLAIMS)
        findings.append(Finding(rfc9068.CLAIMS, expected, "; ".join(problems), exchange))
    iat = claims.get("iat")
    if "exp" in claims and isinstance(iat, int | float) and not isinstance(iat, bool):
        problem = exp_problem(claims["exp"], float(iat), stated)
        if problem is not None:
            expected = "exp - iat = the lifetime expires_in states (1 s allowed either way)"
            findings.append(Finding(rfc9068.EXP_CONSISTENT, expected, problem, exchange))
    return findings


def introspection_active(exchange: Exchange) -> bool | str:
    """The `active` member of an introspection answer, or what keeps it from being one."""
    if exchange.status != 200:
        return f"HTTP {exchange.status}"
    problem = exchange.json_object_problem
    if problem is not None:
        return problem
    assert isinstance(exchange.json, dict)
    active = exchange.json.get("active")
    if not isinstance(active, bool):
        return f"active is {active!r}, not a JSON boolean"
    return active


def identifier_from(url: str, metadata_path: str, well_known: str) -> str:
    """RFC 8414 §3.1, RFC 9728 §3.1: the identifier the well-known segment was inserted into
    (placed after the path instead, as some servers publish it: the path before it)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if metadata_path.startswith(well_known):
        return origin + metadata_path[len(well_known) :]
    return origin + metadata_path.split(well_known, 1)[0]


def metadata_document(
    exchange: Exchange, requirement: Requirement, what: str
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The metadata JSON object, or the findings that say why there is none (RFC 8414 §3.2)."""
    expected = f"HTTP 200 with a JSON object ({what})"
    if exchange.status != 200:
        return None, [Finding(requirement, expected, f"HTTP {exchange.status}", exchange)]
    problem = exchange.json_object_problem
    if problem is not None:
        return None, [Finding(requirement, expected, problem, exchange)]
    content_type = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    findings = []
    if content_type != "application/json":
        findings.append(
            Finding(requirement, "Content-Type application/json", content_type or "none", exchange)
        )
    assert isinstance(exchange.json, dict)
    return exchange.json, findings


def required_member_findings(document: dict[str, Any], exchange: Exchange) -> list[Finding]:
    """RFC 8414 §2: issuer and token_endpoint strings, response_types_supported an array."""
    problems = [
        f"{name} missing or not a string"
        for name in ("issuer", "token_endpoint")
        if not isinstance(document.get(name), str)
    ]
    if not isinstance(document.get("response_types_supported"), list):
        problems.append("response_types_supported missing or not an array")
    if not problems:
        return []
    expected = "issuer, token_endpoint and response_types_supported (RFC 8414 §2)"
    return [Finding(rfc8414.REQUIRED_MEMBERS, expected, "; ".join(problems), exchange)]


_LOOPBACK = ("localhost", "127.0.0.1", "::1")
# RFC 8414 §2: the members it defines as JSON arrays (response_types_supported, REQUIRED, is judged
# with the required members). Other specifications' *_supported names are booleans (OpenID
# Connect's claims_parameter_supported, RFC 9207's authorization_response_iss_parameter_supported).
ARRAY_MEMBERS = (
    "scopes_supported",
    "response_modes_supported",
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "token_endpoint_auth_signing_alg_values_supported",
    "ui_locales_supported",
    "revocation_endpoint_auth_methods_supported",
    "revocation_endpoint_auth_signing_alg_values_supported",
    "introspection_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_signing_alg_values_supported",
    "code_challenge_methods_supported",
)


def member_type_findings(document: dict[str, Any], exchange: Exchange, target: str) -> list[Finding]:
    """RFC 8414 §2: the members it defines as arrays are arrays of strings; the issuer, jwks_uri and
    endpoints are https URLs, http allowed only on a loopback host or the host `target` reaches
    over http (a test's own server: the suite sends plain http nowhere else)."""
    served = urlsplit(target)
    problems = []
    for name, value in document.items():
        if name in ARRAY_MEMBERS and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            problems.append(f"{name} is {type(value).__name__} {value!r}, not an array of strings")
        url = name in ("issuer", "jwks_uri") or name.endswith("_endpoint")
        if url and isinstance(value, str):
            parts = urlsplit(value)
            local = parts.hostname in _LOOPBACK or (served.scheme == "http" and parts.netloc == served.netloc)
            if parts.scheme != "https" and not (parts.scheme == "http" and local):
                problems.append(f"{name} is {value!r}, not an https URL")
    if not problems:
        return []
    expected = "arrays of strings for RFC 8414's list members, https URLs for the issuer and endpoints (§2)"
    return [Finding(rfc8414.MEMBER_TYPES, expected, "; ".join(problems), exchange)]


def exp_member_findings(
    body: dict[str, Any], issued_at: float | None, stated: tuple[float, ...], exchange: Exchange
) -> list[Finding]:
    """RFC 7662 §2.2 exp: when present, a NumericDate agreeing with expires_in."""
    if "exp" not in body:
        return []
    iat = body.get("iat")
    if isinstance(iat, int | float) and not isinstance(iat, bool):
        issued_at = float(iat)
    if issued_at is None:
        problem = exp_problem(body["exp"], 0.0, ())
    else:
        problem = exp_problem(body["exp"], issued_at, stated)
    if problem is None:
        return []
    expected = "exp = the time of issue + the lifetime expires_in states (1 s allowed either way)"
    return [Finding(rfc7662.EXP, expected, problem, exchange)]
