"""Benign variants of the timing engines: clocks that round expiry, concurrent refreshes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.emulator.bends import (
    issues_refresh,
    requires_switch,
    variant,
)

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable


@variant(
    "whole-second-expiry",
    "the server stores expiry as a whole-second timestamp: a token may die up to 1 s early",
    allowed_by="RFC 6749 §5.1: expires_in counts whole seconds; a server that keeps issue and "
    "expiry times in whole seconds is within one second of it",
    seen_in="every server that stores expiry as a Unix timestamp (Doorkeeper, Keycloak, fosite)",
)
def _whole_second_expiry(emulator: Bendable) -> None:
    requires_switch(emulator, "expiry_whole_seconds")


@variant(
    "refresh-grace-pair",
    "concurrent refreshes with one refresh token all receive the same new pair",
    allowed_by="RFC 6749 §6 and RFC 9700 §4.14.2: one new pair is issued per refresh token; "
    "delivering it to each concurrent duplicate issues nothing more",
    seen_in="Ory Hydra/fosite (refresh token grace period), Auth0 (rotation leeway), Okta (grace period)",
    applies=issues_refresh,
)
def _refresh_grace_pair(emulator: Bendable) -> None:
    requires_switch(emulator, "refresh_grace_pair")


@variant(
    "refresh-revokes-replaced-access",
    "a refresh revokes the access token of the pair it replaces",
    allowed_by="RFC 6749 §6 (the server MAY revoke the old refresh token; nothing keeps the old "
    "access token alive) and RFC 9700 §4.14: not the invalidation of earlier token requests",
    seen_in="django-oauth-toolkit (a rotated refresh token takes its access token), Doorkeeper "
    "(revoke_previous_refresh_token_on_use), Spring Authorization Server",
    applies=lambda p: issues_refresh(p) and p.refresh.revokes_replaced_access_token == "unspecified",
)
def _refresh_revokes_replaced_access(emulator: Bendable) -> None:
    requires_switch(emulator, "refresh_revokes_replaced_access")


@variant(
    "reuse-revokes-grant",
    "a used refresh token presented again revokes the whole line it began: the refresh tokens its "
    "use issued and their access tokens",
    allowed_by='RFC 9700 §4.14.2: the server "will revoke the active refresh token"; OAuth 2.1 '
    '§4.3.1 adds "as well as the access authorization grant"',
    seen_in="django-oauth-toolkit with REFRESH_TOKEN_REUSE_PROTECTION "
    "(test_refresh_repeating_requests_revokes_old_token), Auth0 and Okta (refresh token rotation "
    "with reuse detection)",
    applies=lambda p: issues_refresh(p) and p.refresh.used_refresh_token == "rejected",
)
def _reuse_revokes_grant(emulator: Bendable) -> None:
    requires_switch(emulator, "reuse_revokes_access")
