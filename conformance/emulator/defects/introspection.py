"""Defects of the introspection endpoint (RFC 7662)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.emulator.bends import defect
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []


def _introspection(profile: Profile) -> bool:
    return profile.introspection is not None


@defect(
    "introspection-expired-active",
    "the introspection endpoint says an expired token is active: true",
    ["RFC7662-2.2-inactive"],
    applies=_introspection,
)
def _expired_active(emulator: Bendable) -> None:
    emulator.services.behaviour.introspection_checks_expiry = False


@defect(
    "introspection-active-string",
    'active is the string "true", not a JSON boolean',
    ["RFC7662-2.2-active"],
    applies=_introspection,
)
def _active_string(emulator: Bendable) -> None:
    def hook(
        kind: str, status: int, headers: dict[str, str], payload: Any
    ) -> tuple[int, dict[str, str], Any]:
        if kind == "introspection" and isinstance(payload, dict) and payload.get("active") is True:
            payload = {**payload, "active": "true"}
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@defect(
    "introspection-without-caller-auth",
    "the introspection endpoint answers anyone, with no client credentials",
    ["RFC7662-2.1-caller-auth"],
    applies=lambda p: _introspection(p) and p.client_auth != "none",
)
def _without_caller_auth(emulator: Bendable) -> None:
    emulator.services.behaviour.introspection_checks_client = False


@defect(
    "introspection-exp-in-an-hour",
    "exp is an hour later than the token really expires",
    ["RFC7662-2.2-exp"],
    applies=_introspection,
)
def _exp_off(emulator: Bendable) -> None:
    emulator.services.behaviour.introspection_exp_offset = 3600


@defect(
    "introspection-without-client-id",
    "an active introspection answer leaves out client_id, which the documentation promises",
    ["DOC-introspection-members"],
    applies=lambda p: p.introspection is not None and "client_id" in p.introspection.members,
)
def _without_client_id(emulator: Bendable) -> None:
    def hook(
        kind: str, status: int, headers: dict[str, str], payload: Any
    ) -> tuple[int, dict[str, str], Any]:
        if kind == "introspection" and isinstance(payload, dict) and payload.get("active") is True:
            payload = {k: v for k, v in payload.items() if k != "client_id"}
        return status, headers, payload

    emulator.behaviour.response_hooks.append(hook)


@defect(
    "introspection-caller-403",
    "a caller with wrong client credentials gets HTTP 403 with an empty body, not 401 invalid_client",
    ["RFC7662-2.3-unauthorized-401"],
    applies=lambda p: _introspection(p) and p.client_auth != "none",
)
def _caller_403(emulator: Bendable) -> None:
    def forbid(kind: str, status: int, headers: dict[str, str], payload: Any) -> Any:
        if kind == "introspection" and status == 401:
            return 403, {}, b""
        return status, headers, payload

    emulator.behaviour.response_hooks.append(forbid)


@defect(
    "introspection-rejects-structured-tokens",
    "a JWT-shaped token the server never issued is refused 400 unsupported_token_type, not active: false",
    ["RFC7662-2.2-inactive"],
    applies=_introspection,
)
def _rejects_structured_tokens(emulator: Bendable) -> None:
    emulator.services.behaviour.rejects_structured_unknown = ("introspection",)


@defect(
    "introspection-without-token-inactive",
    "an introspection request with no token parameter is answered 200 active: false",
    ["RFC7662-2.1-token-required"],
    applies=_introspection,
)
def _without_token_inactive(emulator: Bendable) -> None:
    emulator.services.behaviour.missing_token_answered = ("introspection",)


@defect(
    "introspection-unknown-hint-inactive",
    "a live token introspected with a token_type_hint of an unknown type is said to be active: false",
    ["RFC7662-2.1-unknown-hint"],
    applies=_introspection,
)
def _unknown_hint_inactive(emulator: Bendable) -> None:
    emulator.services.behaviour.unknown_hints["introspection"] = "nothing"


@defect(
    "introspection-inactive-says-why",
    "an inactive token's introspection answer says why it is inactive and whose it was (reason, client_id)",
    ["RFC7662-2.2-inactive-only"],
    applies=_introspection,
)
def _inactive_says_why(emulator: Bendable) -> None:
    emulator.services.behaviour.inactive_says_why = True


@defect(
    "introspection-401-without-challenge",
    "a caller whose HTTP Basic client authentication fails gets HTTP 401 invalid_client with no challenge",
    ["RFC7662-2.3-unauthorized-401"],
    applies=lambda p: _introspection(p) and p.client_auth == "basic",
)
def _introspection_401_without_challenge(emulator: Bendable) -> None:
    emulator.services.behaviour.failed_client_answers["introspection"] = (401, False)
