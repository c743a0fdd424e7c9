"""The checks of introspection answers, metadata and JWT access tokens: pure functions of data."""

from __future__ import annotations

import base64
import json
from typing import Any

from conformance.checks.services import decode_jwt, exp_problem, identifier_from, jwt_findings
from tests.exchanges import recorded


def _jwt(header: dict[str, Any], claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}.c2lnbmF0dXJl"


CLAIMS: dict[str, Any] = {
    "iss": "https://as",
    "exp": 1_700_003_600,
    "aud": "api",
    "sub": "u",
    "client_id": "c",
    "iat": 1_700_000_000,
    "jti": "j",
}
EXCHANGE = recorded(purpose="token", url="/token")


def test_a_conformant_jwt_has_no_finding() -> None:
    assert jwt_findings(_jwt({"alg": "RS256", "typ": "at+jwt"}, CLAIMS), "c", (3599.0,), EXCHANGE) == []
    # application/at+jwt is the same media type; extra claims are allowed.
    extra = {**CLAIMS, "scope": "read", "azp": "c"}
    assert (
        jwt_findings(_jwt({"alg": "ES256", "typ": "application/at+jwt"}, extra), "c", (3600.0,), EXCHANGE)
        == []
    )


def test_each_claims_problem_is_named_without_the_token() -> None:
    token = _jwt(
        {"alg": "none", "typ": "JWT"}, {k: v for k, v in CLAIMS.items() if k != "jti"} | {"client_id": "x"}
    )
    [finding] = jwt_findings(token, "c", (3599.0,), EXCHANGE)
    assert finding.requirement.id == "RFC9068-2.2-claims"
    assert (
        finding.got
        == "header typ is 'JWT'; header alg is 'none'; claims jti missing; client_id is not the client's"
    )
    assert token not in finding.got + finding.expected


def test_exp_must_agree_with_expires_in() -> None:
    late = {**CLAIMS, "exp": CLAIMS["iat"] + 7200}
    [finding] = jwt_findings(_jwt({"alg": "RS256", "typ": "at+jwt"}, late), "c", (3599.0,), EXCHANGE)
    assert finding.requirement.id == "RFC9068-exp-consistent"
    assert exp_problem(1_700_003_601, 1_700_000_000.0, (3599.0,)) is None  # whole seconds, the allowance
    assert exp_problem(1_700_003_602, 1_700_000_000.0, (3599.0,)) is not None
    assert exp_problem("soon", 0.0, ()) == "exp is 'soon' (str), not a NumericDate"


def test_a_token_that_is_no_jwt_says_why() -> None:
    assert decode_jwt("opaque-value") == "not a JWS compact serialization (1 dot-separated parts, 3 expected)"
    assert decode_jwt("a.b.c") == "its header or payload is not base64url-encoded JSON object"


def test_the_identifier_is_the_url_without_the_well_known_segment() -> None:
    well_known = "/.well-known/oauth-authorization-server"
    assert identifier_from("https://as.example/x?y", well_known, well_known) == "https://as.example"
    assert (
        identifier_from("https://as.example", well_known + "/tenant1", well_known)
        == "https://as.example/tenant1"
    )
    # Keycloak's placement after the path: the identifier is the path before it.
    assert identifier_from("https://kc", "/realms/r" + well_known, well_known) == "https://kc/realms/r"


def test_the_probe_knows_an_rfc9068_token_by_the_checks_own_types() -> None:
    from conformance.checks.services import AT_JWT_TYPES
    from conformance.probe import learn

    assert AT_JWT_TYPES == {"at+jwt", "application/at+jwt"}
    assert vars(learn)["AT_JWT_TYPES"] is AT_JWT_TYPES and "_AT_JWT" not in vars(learn)
