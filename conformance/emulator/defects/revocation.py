"""Defects of the revocation endpoint (RFC 7009)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.emulator.bends import defect
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []


def _revocation(profile: Profile) -> bool:
    return profile.revocation is not None


def _refresh_revocation(profile: Profile) -> bool:
    return profile.revocation is not None and profile.refresh.supported is True


def _access_revocation(profile: Profile) -> bool:
    revocation = profile.revocation
    return (
        revocation is not None
        and revocation.revokes_access_tokens is not False
        and profile.resource.path is not None
    )


@defect(
    "revocation-unknown-token-400",
    "revoking a token the server does not know is refused with HTTP 400 invalid_request",
    ["RFC7009-2.2-revoke-ok"],
    applies=_revocation,
)
def _unknown_token_400(emulator: Bendable) -> None:
    emulator.services.behaviour.revocation_unknown_status = 400


@defect(
    "revocation-keeps-refresh-token",
    "revoking a refresh token answers 200 but the refresh token (and its access token) stays valid",
    ["RFC7009-2.1-revokes", "RFC7009-2.1-hint", "RFC7009-2.1-refresh-revokes-access"],
    applies=_refresh_revocation,
)
def _keeps_refresh_token(emulator: Bendable) -> None:
    emulator.services.behaviour.revocation_revokes_refresh = False


@defect(
    "revocation-keeps-access-token",
    "revoking an access token answers 200 but the token is still accepted",
    ["RFC7009-2.1-revokes-access"],
    applies=_access_revocation,
)
def _keeps_access_token(emulator: Bendable) -> None:
    emulator.services.behaviour.revocation_revokes_access = False


@defect(
    "revocation-trusts-hint",
    "a token_type_hint that does not fit the token makes the server answer 200 without revoking it",
    ["RFC7009-2.1-hint"],
    applies=_refresh_revocation,
)
def _trusts_hint(emulator: Bendable) -> None:
    emulator.services.behaviour.revocation_hint_narrows = True


@defect(
    "revocation-access-invalid-request",
    "access tokens cannot be revoked, and saying so takes error invalid_request, not unsupported_token_type",
    ["RFC7009-2.2.1-unsupported-token-type"],
    applies=_access_revocation,
)
def _access_invalid_request(emulator: Bendable) -> None:
    emulator.services.behaviour.revokes_access = False
    emulator.services.behaviour.unsupported_token_type_code = "invalid_request"


@defect(
    "refresh-revocation-keeps-access",
    "revoking a refresh token leaves its access tokens valid although the profile says it revokes them",
    ["RFC7009-2.1-refresh-revokes-access"],
    applies=lambda p: (
        _refresh_revocation(p)
        and p.revocation is not None
        and p.revocation.revokes_access_with_refresh is True
        and p.resource.path is not None
    ),
)
def _refresh_keeps_access(emulator: Bendable) -> None:
    emulator.services.behaviour.revocation_refresh_takes_access = False


@defect(
    "revocation-without-client-auth",
    "the revocation endpoint revokes a token for anyone, with no or wrong client credentials",
    ["RFC7009-2.1-client-auth"],
    applies=lambda p: _revocation(p) and p.client_auth != "none",
)
def _without_client_auth(emulator: Bendable) -> None:
    emulator.services.behaviour.revocation_checks_client = False


@defect(
    "revocation-by-any-client",
    "the revocation endpoint revokes a token for any authenticated client, not only the one it was issued to",
    ["RFC7009-2.1-issued-to-client"],
    # A second client to ask, and an access token it can be seen to kill (resource or introspection).
    applies=lambda p: (
        p.revocation is not None
        and p.revocation.revokes_access_tokens is not False
        and p.grant_client_credentials is True
        and (p.resource.path is not None or p.introspection is not None)
    ),
)
def _revocation_by_any_client(emulator: Bendable) -> None:
    emulator.services.behaviour.revocation_checks_owner = False


@defect(
    "revocation-rejects-structured-tokens",
    "revoking a JWT-shaped token the server never issued is refused 400 unsupported_token_type",
    ["RFC7009-2.2-revoke-ok"],
    applies=_revocation,
)
def _rejects_structured_tokens(emulator: Bendable) -> None:
    emulator.services.behaviour.rejects_structured_unknown = ("revocation",)


@defect(
    "revocation-without-token-200",
    "a revocation request with no token parameter is answered 200, as if a token were revoked",
    ["RFC7009-2.1-token-required"],
    applies=_revocation,
)
def _without_token_200(emulator: Bendable) -> None:
    emulator.services.behaviour.missing_token_answered = ("revocation",)


@defect(
    "revocation-unknown-hint-revokes-nothing",
    "a token_type_hint of an unknown type is answered 200 and nothing is revoked",
    ["RFC7009-2.1-unknown-hint"],
    applies=lambda p: (
        _access_revocation(p)
        or (
            p.revocation is not None
            and p.revocation.revokes_access_tokens is not False
            and p.introspection is not None
        )
    ),
)
def _unknown_hint_revokes_nothing(emulator: Bendable) -> None:
    emulator.services.behaviour.unknown_hints["revocation"] = "nothing"


@defect(
    "revocation-invalid-client-400",
    "a revocation whose HTTP Basic client authentication fails is HTTP 400 invalid_client, no challenge",
    ["RFC7009-2.2.1-invalid-client-401"],
    applies=lambda p: _revocation(p) and p.client_auth == "basic",
)
def _revocation_invalid_client_400(emulator: Bendable) -> None:
    emulator.services.behaviour.failed_client_answers["revocation"] = (400, False)


def _service(profile: Profile) -> bool:
    return profile.revocation is not None or profile.introspection is not None


@defect(
    "services-serve-get",
    "the revocation and introspection endpoints serve a GET as a POST, its query read as the form",
    ["RFC6749-3.2-post-only"],
    applies=lambda p: _service(p) and p.client_auth == "basic",
)
def _services_serve_get(emulator: Bendable) -> None:
    emulator.services.behaviour.serves_get = True


@defect(
    "services-two-client-auth-accepted",
    "revocation and introspection serve a request with HTTP Basic and body client credentials "
    "together (the header wins)",
    ["RFC6749-2.3-one-method"],
    applies=lambda p: _service(p) and p.client_auth != "none",
)
def _services_two_client_auth_accepted(emulator: Bendable) -> None:
    emulator.services.behaviour.two_methods_served = True
