"""Defects of JWT access tokens (RFC 9068), where the profile says access tokens are JWTs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.emulator.bends import defect
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []


def _jwt(profile: Profile) -> bool:
    return profile.access_token is not None and profile.access_token.format == "jwt"


@defect(
    "jwt-without-client-id",
    "the JWT access token has no client_id claim",
    ["RFC9068-2.2-claims"],
    applies=_jwt,
)
def _without_client_id(emulator: Bendable) -> None:
    emulator.services.behaviour.jwt_claims_transform.append(
        lambda claims: {k: v for k, v in claims.items() if k != "client_id"}
    )


@defect(
    "jwt-typ-jwt",
    'the JWT access token header says typ "JWT", not "at+jwt"',
    ["RFC9068-2.2-claims"],
    applies=_jwt,
)
def _typ_jwt(emulator: Bendable) -> None:
    emulator.services.behaviour.jwt_header = {"alg": "HS256", "typ": "JWT"}


@defect(
    "jwt-exp-a-day-later",
    "the JWT's exp claim is a day after the expiry expires_in states (and the server keeps)",
    ["RFC9068-exp-consistent"],
    applies=_jwt,
)
def _exp_later(emulator: Bendable) -> None:
    def bend(claims: dict[str, Any]) -> dict[str, Any]:
        return {**claims, "exp": int(claims["exp"]) + 86400}

    emulator.services.behaviour.jwt_claims_transform.append(bend)


@defect(
    "jwt-other-issuer",
    "the JWT's iss names another issuer than the one the server's metadata names",
    ["RFC9068-2.2-claims"],
    applies=lambda p: _jwt(p) and p.metadata is not None and p.metadata.authorization_server is not None,
)
def _other_issuer(emulator: Bendable) -> None:
    emulator.services.behaviour.jwt_claims_transform.append(
        lambda claims: {**claims, "iss": "https://tokens.example.invalid"}
    )
