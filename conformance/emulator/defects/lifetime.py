"""Defects of token lifetime and token values: expiry, units, uniqueness, guessability."""

from __future__ import annotations

import itertools
import secrets
import uuid
from typing import TYPE_CHECKING

from conformance.emulator.bends import defect
from conformance.emulator.hooks import on_token_success
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []


def _documents_expires_in(profile: Profile) -> bool:
    return "expires_in" in profile.response_fields


def _nominal(profile: Profile) -> int | None:
    nominal = profile.expiry.nominal_lifetime
    return nominal if isinstance(nominal, int) else None


@defect(
    "token-outlives-expiry",
    "tokens stay valid for twice their stated lifetime",
    # Accepted when expired; and a real lifetime no reading of expires_in matches (nor does
    # the exp an introspection answer reports).
    ["RFC6749-5.1-lifetime", "RFC6750-3-reject", "DOC-expires-in-unit", "RFC7662-2.2-exp"],
    applies=_documents_expires_in,
)
def _token_outlives_expiry(emulator: Bendable) -> None:
    emulator.behaviour.real_lifetime_factor = 2.0


@defect(
    "token-dies-early",
    "tokens die at half their stated lifetime",
    ["RFC6749-5.1-lifetime", "RFC7662-2.2-exp"],
    applies=_documents_expires_in,
)
def _token_dies_early(emulator: Bendable) -> None:
    emulator.behaviour.real_lifetime_factor = 0.5


@defect(
    "expires-in-minutes",
    "expires_in counts minutes (30) where the documentation says seconds",
    ["RFC6749-5.1-lifetime", "DOC-expires-in-unit", "RFC6750-3-reject", "RFC7662-2.2-exp"],
    applies=_documents_expires_in,
)
def _expires_in_minutes(emulator: Bendable) -> None:
    behaviour = emulator.behaviour
    emulator.behaviour.response_hooks.append(
        on_token_success(lambda p: {**p, "expires_in": int(behaviour.lifetime // 60)})
    )


@defect(
    "expires-in-milliseconds",
    "expires_in counts milliseconds (1799000) where seconds are documented",
    ["RFC6749-5.1-lifetime", "RFC7662-2.2-exp"],
    applies=lambda p: _documents_expires_in(p) and "milliseconds" not in p.expiry.readings,
)
def _expires_in_milliseconds(emulator: Bendable) -> None:
    emulator.behaviour.expires_in_unit = "milliseconds"


@defect(
    "lifetime-not-as-documented",
    "tokens live (and say they live) twice the documented lifespan",
    ["DOC-nominal-lifetime"],
    applies=lambda p: _documents_expires_in(p) and _nominal(p) is not None,
)
def _lifetime_not_as_documented(emulator: Bendable) -> None:
    emulator.behaviour.lifetime *= 2


@defect(
    "long-lived-tokens",
    "access tokens live 8 hours (RFC 6750 §5.3: one hour or less)",
    ["RFC6750-5.3-short-lived", "DOC-nominal-lifetime"],
    applies=lambda p: _documents_expires_in(p) and (_nominal(p) or 0) <= 3600,
)
def _long_lived_tokens(emulator: Bendable) -> None:
    emulator.behaviour.lifetime = 8 * 3600.0


@defect(
    "repeated-tokens",
    "a token request returns the account's still-valid access token again",
    # A refresh is a token request too; and the earlier token stays valid where it must not.
    ["RFC6749-10.10-unique", "DOC-refresh-new-pair", "DOC-invalidates-earlier"],
)
def _repeated_tokens(emulator: Bendable) -> None:
    emulator.behaviour.reuse_access_tokens = True


@defect(
    "sequential-tokens",
    "tokens are predictable: a counter (tok_000...1000001, tok_000...1000002)",
    ["RFC6749-10.10-guessing"],
)
def _sequential_tokens(emulator: Bendable) -> None:
    counter = itertools.count(1_000_001)
    emulator.behaviour.token_factory = lambda: f"tok_{next(counter):040d}"


@defect(
    "short-tokens",
    "tokens are 8 hex characters (32 bits, RFC 6749 §10.10 asks for 128)",
    ["RFC6749-10.10-guessing"],
)
def _short_tokens(emulator: Bendable) -> None:
    emulator.behaviour.token_factory = lambda: secrets.token_hex(4)


@defect(
    "uuid-tokens", "tokens are UUIDs (122 random bits; RFC 6749 §10.10 SHOULD 160)", ["RFC6749-10.10-entropy"]
)
def _uuid_tokens(emulator: Bendable) -> None:
    emulator.behaviour.token_factory = lambda: str(uuid.uuid4())
