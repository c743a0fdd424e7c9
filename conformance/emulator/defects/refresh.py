"""Defects of refresh (RFC 6749 §6, RFC 9700 §4.14) and of the invalidation of earlier tokens."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from conformance.emulator.bends import defect
from conformance.emulator.hooks import on_token_success, stall_when
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []

_GATEWAY_TIMEOUT = (504, {"Content-Type": "text/plain"}, b"upstream timed out")


def _refresh(profile: Profile) -> bool:
    return profile.refresh.supported is True


def _issues_refresh(profile: Profile) -> bool:
    return _refresh(profile) and profile.refresh.issues_refresh_token is not False


def _row_number(token: str) -> int:
    return int.from_bytes(hashlib.sha256(token.encode()).digest()[:4], "big")


# -- the refresh token in the token response --------------------------------------------------
@defect(
    "no-refresh-token",
    "the password grant issues no refresh_token although one is documented",
    ["DOC-refresh-new-pair", "DOC-response-fields"],
    applies=lambda p: _issues_refresh(p) and "refresh_token" in p.response_fields,
)
def _no_refresh_token(emulator: Bendable) -> None:
    emulator.behaviour.issues_refresh_token = False


@defect(
    "empty-refresh-token",
    'refresh_token is the empty string ""',
    ["RFC6749-A.17", "DOC-refresh-new-pair"],
    applies=_issues_refresh,
)
def _empty_refresh_token(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_success(lambda p: {**p, "refresh_token": ""} if "refresh_token" in p else p)
    )


@defect(
    "refresh-token-as-number",
    "refresh_token is a JSON number (a database row id), not a string",
    ["RFC6749-A.17", "DOC-refresh-new-pair"],
    applies=_issues_refresh,
)
def _refresh_token_as_number(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_success(
            lambda p: {**p, "refresh_token": _row_number(p["refresh_token"])} if "refresh_token" in p else p
        )
    )


# -- the refresh grant ------------------------------------------------------------------------
@defect(
    "refresh-not-rotated",
    "refresh returns no new refresh token",
    ["DOC-refresh-new-pair", "DOC-response-fields"],
    applies=lambda p: _refresh(p) and p.refresh.rotation is True,
)
def _refresh_not_rotated(emulator: Bendable) -> None:
    emulator.behaviour.rotation = False


@defect(
    "used-refresh-token-invalid-request",
    "a used (rotated-out) refresh token is refused with invalid_request, not invalid_grant",
    ["RFC6749-6-used-refresh-token-code"],
    applies=lambda p: _refresh(p) and p.refresh.used_refresh_token == "rejected",
)
def _used_refresh_token_invalid_request(emulator: Bendable) -> None:
    emulator.behaviour.error_codes["used-refresh-token"] = "invalid_request"


@defect(
    "accepts-unknown-refresh-token",
    "the refresh grant issues tokens for any refresh_token value",
    ["RFC6749-6-invalid-refresh-token"],
    applies=_refresh,
)
def _accepts_unknown_refresh_token(emulator: Bendable) -> None:
    emulator.behaviour.check_refresh_token = False


@defect(
    "accepts-used-refresh-token",
    "a rotated-out refresh token still works, though documented dead",
    ["RFC9700-4.14.2-rotation"],
    applies=lambda p: _refresh(p) and p.refresh.used_refresh_token == "rejected",
)
def _accepts_used_refresh_token(emulator: Bendable) -> None:
    emulator.behaviour.used_refresh_token_accepted = True


@defect(
    "refresh-returns-same-access-token",
    "a refresh returns the current access token, not a new one",
    ["DOC-refresh-new-pair", "RFC6749-10.10-unique"],
    applies=_refresh,
)
def _refresh_returns_same_access_token(emulator: Bendable) -> None:
    emulator.behaviour.refresh_reuses_access_token = True


@defect(
    "refresh-token-expires-immediately",
    "refresh tokens are dead on arrival (a lifetime of 0)",
    ["RFC6749-6-refresh"],
    applies=_issues_refresh,
)
def _refresh_token_expires_immediately(emulator: Bendable) -> None:
    emulator.behaviour.refresh_token_lifetime = 0.0


@defect(
    "refreshed-token-not-accepted",
    "access tokens issued by a refresh are refused by the resource",
    ["RFC6750-2.1-accept", "RFC6749-5.1-lifetime"],
    applies=_issues_refresh,
)
def _refreshed_token_not_accepted(emulator: Bendable) -> None:
    emulator.behaviour.refreshed_tokens_usable = False


@defect(
    "expired-token-accepted-after-refresh",
    "after a refresh, an expired access token of that account is accepted again",
    ["RFC6749-5.1-lifetime", "RFC6750-3-reject"],
    applies=lambda p: _issues_refresh(p) and "expires_in" in p.response_fields,
)
def _expired_token_accepted_after_refresh(emulator: Bendable) -> None:
    emulator.behaviour.refresh_revives_expired = True


@defect(
    "refresh-never-answers",
    "the refresh grant never answers (a gateway gives up after 3 s)",
    ["RFC6749-6-refresh"],
    applies=_refresh,
    slow=True,
)
def _refresh_never_answers(emulator: Bendable) -> None:
    emulator.behaviour.request_hooks.append(
        stall_when(
            "token",
            lambda params: ("grant_type", "refresh_token") in params,
            then=_GATEWAY_TIMEOUT,
        )
    )


# -- refresh where the documentation offers none ------------------------------------------------
@defect(
    "issues-undocumented-refresh-token",
    "the password grant issues a refresh_token the documentation does not offer",
    ["DOC-no-refresh"],
    applies=lambda p: p.refresh.issues_refresh_token is False and p.grant_password is not False,
)
def _issues_undocumented_refresh_token(emulator: Bendable) -> None:
    emulator.behaviour.issues_refresh_token = True


@defect(
    "accepts-undocumented-refresh-grant",
    "the refresh grant, which is not documented, issues tokens",
    ["DOC-no-refresh"],
    applies=lambda p: p.refresh.supported is False,
)
def _accepts_undocumented_refresh_grant(emulator: Bendable) -> None:
    emulator.behaviour.refresh_grant = True
    emulator.behaviour.check_refresh_token = False


# -- invalidation of earlier tokens -------------------------------------------------------------
@defect(
    "keeps-earlier-tokens",
    "a new token request leaves earlier tokens valid",
    ["DOC-invalidates-earlier"],
    applies=lambda p: p.invalidates_earlier is True,
)
def _keeps_earlier_tokens(emulator: Bendable) -> None:
    emulator.behaviour.invalidate_earlier = False


@defect(
    "invalidates-earlier-tokens",
    "a new token request logs out every earlier token, though documented not to",
    # A refresh is a token request too: where a refresh is documented to leave the access token
    # it replaces valid, that one is logged out as well.
    ["DOC-keeps-earlier", "DOC-refreshed-access-token"],
    applies=lambda p: p.invalidates_earlier is False,
)
def _invalidates_earlier_tokens(emulator: Bendable) -> None:
    emulator.behaviour.invalidate_earlier = True


@defect(
    "refresh-revokes-replaced-access-token",
    "a refresh revokes the access token of the pair it replaces, though documented to leave it valid",
    ["DOC-refreshed-access-token"],
    applies=lambda p: _issues_refresh(p) and p.refresh.revokes_replaced_access_token is False,
)
def _refresh_revokes_replaced_access_token(emulator: Bendable) -> None:
    emulator.behaviour.refresh_revokes_replaced_access = True


@defect(
    "refresh-widens-scope",
    "a refresh grants whatever scope it asks for, beyond the scope originally granted",
    ["RFC6749-6-scope"],
    applies=lambda p: _issues_refresh(p) and p.scope_enforced is True and p.scope_value is not None,
)
def _refresh_widens_scope(emulator: Bendable) -> None:
    emulator.behaviour.refresh_widens_scope = True


@defect(
    "refresh-token-any-client",
    "a refresh token works for any authenticated client, not only the one it was issued to",
    ["RFC6749-6-client-binding"],
    applies=lambda p: _issues_refresh(p) and p.client_auth != "none",
)
def _refresh_token_any_client(emulator: Bendable) -> None:
    emulator.behaviour.refresh_bound_to_client = False


def _refresh_scopes(profile: Profile) -> bool:
    """Scopes enforced, with two or more known: a refresh can ask for part of them."""
    return (
        _issues_refresh(profile)
        and profile.scope_enforced is True
        and len((profile.scope_value or "").split()) > 1
    )


@defect(
    "refresh-narrower-scope-refused",
    "a refresh asking for part of the original scope is refused invalid_scope (scopes compared for "
    "equality, not inclusion)",
    ["RFC6749-6-scope-kept"],
    applies=_refresh_scopes,
)
def _refresh_narrower_scope_refused(emulator: Bendable) -> None:
    emulator.behaviour.refresh_refuses_narrower_scope = True


@defect(
    "refresh-omitted-scope-default",
    "a refresh without scope is granted the server's default scope (the first known), not the "
    "original one, and says so",
    ["RFC6749-6-scope-kept"],
    applies=_refresh_scopes,
)
def _refresh_omitted_scope_default(emulator: Bendable) -> None:
    emulator.behaviour.refresh_omitted_scope_default = True


@defect(
    "missing-refresh-token-invalid-grant",
    "a refresh without the refresh_token parameter is refused invalid_grant, not invalid_request",
    ["RFC6749-6-missing-refresh-token"],
    applies=_refresh,
)
def _missing_refresh_token_invalid_grant(emulator: Bendable) -> None:
    emulator.behaviour.error_codes["missing-refresh-token"] = "invalid_grant"


@defect(
    "reuse-not-detected",
    "a used refresh token presented again is refused, but the refresh token its use issued goes on "
    "working (no reuse detection)",
    ["RFC9700-4.14.2-reuse-revokes"],
    applies=lambda p: (
        _issues_refresh(p)
        and p.refresh.used_refresh_token == "rejected"
        and p.refresh.reuse_detection is not False
    ),
)
def _reuse_not_detected(emulator: Bendable) -> None:
    emulator.behaviour.reuse_revokes_successor = False
