"""How the emulator behaves: derived from a profile, then bent by defects.

`Behaviour` is the one place every switch lives. The conformant emulator is
`Behaviour.from_profile(profile)`; a defect is a function that changes a copy of it
(see `conformance.emulator.defects`). Every default below is the conformant choice, so a
switch nobody touches changes nothing.

Two kinds of hook points take what a flag cannot say:

* a `RequestHook` runs before the emulator looks at a request (it may stall, or answer in
  its place: a crash, a refusal of its own);
* a `ResponseHook` rewrites what the emulator was about to send (a missing member, a wrong
  status, an HTML page instead of JSON).
"""

from __future__ import annotations

import operator
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from conformance.profile import Profile
from conformance.profile.model import CLIENT_AUTH_METHODS, UNIT_FACTORS

__all__ = [
    "ERROR_CODES",
    "Behaviour",
    "ClientChecks",
    "Reply",
    "RequestHook",
    "ResponseHook",
    "TokenFactory",
    "AppLayer",
    "default_expires_in_unit",
]

# (status, headers, payload): payload is JSON-able, raw bytes, or a starlette Response.
Reply = tuple[int, dict[str, str], Any]
# (kind, status, headers, payload) -> (status, headers, payload); kind is "token" or "resource".
ResponseHook = Callable[[str, int, dict[str, str], Any], Reply]
# (kind, request, raw parameters in order, blanks included) -> a reply in the emulator's place, or None.
RequestHook = Callable[[str, Request, list[tuple[str, str]]], Awaitable[Reply | None]]
# () -> a new opaque token value (access and refresh tokens alike, JWTs aside).
TokenFactory = Callable[[], str]
# An ASGI app -> an ASGI app in front of it (a framework layer that answers before the emulator).
AppLayer = Callable[[Any], Any]


def _new_token() -> str:
    return secrets.token_urlsafe(32)


# Why a token request was refused -> the RFC 6749 §5.2 error code it is answered with.
ERROR_CODES: dict[str, str] = {
    "method": "invalid_request",
    "malformed": "invalid_request",
    "multiple-client-auth": "invalid_request",
    "client-auth": "invalid_client",
    "missing-grant-type": "invalid_request",
    "missing-parameter": "invalid_request",
    "missing-refresh-token": "invalid_request",
    "unsupported-grant": "unsupported_grant_type",
    "bad-credentials": "invalid_grant",
    "bad-refresh-token": "invalid_grant",
    "used-refresh-token": "invalid_grant",
    "unauthorized-client": "unauthorized_client",
    "invalid-scope": "invalid_scope",
}


@dataclass
class ClientChecks:
    """How strictly one grant authenticates the client (RFC 6749 §2.3.1, §4.3.2, §6).

    Kept per grant because real servers get it right on one grant and wrong on another.
    """

    required: bool = True  # a request without client credentials is refused
    scheme: bool = True  # only the profile's HTTP scheme (Basic) carries them
    client_id: bool = True  # the client id must be the registered one
    secret: Callable[[str, str], bool] = operator.eq  # (presented, registered) -> accepted

    def accepts(self, presented: tuple[str, str], registered: tuple[str, str]) -> bool:
        id_ok = not self.client_id or presented[0] == registered[0]
        return id_ok and self.secret(presented[1], registered[1])


def default_expires_in_unit(profile: Profile) -> str:
    """The reading of expires_in that the documented example supports, else the claimed unit."""
    if profile.emulator.expires_in_unit:
        return profile.emulator.expires_in_unit
    example, nominal = profile.expiry.example_expires_in, profile.expiry.nominal_lifetime
    if example is not None and isinstance(nominal, int):

        def distance(unit: str) -> float:
            return abs(example * UNIT_FACTORS[unit] - nominal)

        return min(profile.expiry.readings, key=distance)
    return profile.expiry.unit


def _client_checks() -> dict[str, ClientChecks]:
    return {"password": ClientChecks(), "refresh_token": ClientChecks(), "client_credentials": ClientChecks()}


def _client_auth_methods(profile: Profile) -> tuple[str, ...]:
    """The methods the token endpoint accepts. A profile copied with another style
    (dataclasses.replace, as the probe and some tests do) keeps methods that no longer name
    it: then the style is the one method."""
    primary = CLIENT_AUTH_METHODS[profile.client_auth]
    return profile.client_auth_methods if primary in profile.client_auth_methods else (primary,)


def _known_scopes(profile: Profile) -> tuple[str, ...]:
    """The profile's scope value, and the scope its resource requires: a client may ask for it."""
    known = tuple((profile.scope_value or "").split())
    required = profile.resource.required_scope
    return known if required is None or required in known else (*known, required)


@dataclass
class Behaviour:
    client_auth: str
    parameter_location: str
    token_path: str
    password_grant: bool
    refresh_grant: bool
    issues_refresh_token: bool
    rotation: bool
    used_refresh_token_accepted: bool
    invalidate_earlier: bool
    lifetime: float
    expires_in_unit: str
    refresh_token_lifetime: float
    token_type: str = "bearer"
    # RFC 6749 §2.3: the client authentication methods accepted (names as in RFC 8414).
    client_auth_methods: tuple[str, ...] = ("client_secret_basic",)
    client_credentials_grant: bool = False  # RFC 6749 §4.4
    # The client credentials grant: the scopes a client may have (the profile's scope value, the
    # default for a request without one), and whether an unknown scope is refused (§3.3).
    known_scopes: tuple[str, ...] = ()
    # The scope the resource requires (RFC 6750 §3.1): a token granted without it gets 403.
    required_scope: str | None = None
    refuse_unknown_scope: bool = False
    # The password grant grants scopes as the client credentials grant does, and a refresh gives
    # no more than was granted (RFC 6749 §6): where the profile says scope is enforced.
    scope_enforced: bool = False
    refresh_widens_scope: bool = False  # a refresh grants whatever scope it asks for
    # A refresh asking for less than the original scope is refused (scopes compared for equality).
    refresh_refuses_narrower_scope: bool = False
    # A refresh without scope is granted the first known scope (a default), not the original one.
    refresh_omitted_scope_default: bool = False
    client_credentials_refresh_token: bool = False  # §4.4.3: SHOULD NOT
    return_scope: str = "when-different"  # §5.1: "when-different", "always" or "never"
    grant_unknown_scope: bool = False  # an unknown scope is granted (and echoed) as if known
    # A request for unknown scopes only is granted no scope at all, and the answer says nothing of it.
    unknown_only_grants_nothing: bool = False
    restricted_client_refused: bool = True  # the restricted client may not use the grant
    # The other grants the restricted client may not use (unauthorized_client, RFC 6749 §5.2).
    restricted_grants_refused: tuple[str, ...] = ("password",)
    # The restricted client is not allowed the refresh grant either, and is told so first.
    restricted_refresh_refused: bool = False
    refuse_multiple_client_auth: bool = True  # §2.3: Basic and body credentials together
    # §2.3.1: the Basic credential's id and secret are form-decoded after base64.
    basic_form_decoded: bool = True
    # A failed Basic authentication is tried again with the body's credentials (never, RFC 6749 §5.2).
    failed_basic_falls_back: bool = False
    # `scope=` read as a scope named "" (refused invalid_scope), not as omitted (RFC 6749 §3.2).
    empty_scope_is_a_scope: bool = False
    # Client credentials in the URL query are read, over the header and the body (§2.3.1: never).
    query_client_credentials: bool = False
    # A GET to the token endpoint is served, its query read as the form (RFC 6749 §3.2: POST).
    serves_get: bool = False
    # RFC 6750 §3.1: a token in the header and in the query is refused as invalid_request.
    resource_refuses_two_token_methods: bool = True
    # Given a token in the header and one in the query, the resource reads the query's.
    resource_reads_query_token_first: bool = False
    # A refresh revokes the access token of the pair it replaces (RFC 6749 §6 allows either).
    refresh_revokes_replaced_access: bool = False
    # What the checks guard; each defect turns one of these off or bends one value.
    client_checks: dict[str, ClientChecks] = field(default_factory=_client_checks)
    check_username: bool = True
    check_password: bool = True
    accept_empty_password: bool = False
    check_refresh_token: bool = True
    unknown_grant_as: str | None = None  # serve an unknown grant_type as this grant
    error_codes: dict[str, str] = field(default_factory=lambda: dict(ERROR_CODES))
    real_lifetime_factor: float = 1.0
    # Issue and expiry times stored as whole seconds (a Unix timestamp in an int column, as
    # many servers keep them) while expires_in states the full lifetime: a token dies up to a
    # second before issued_at + expires_in. RFC 6749 allows it; the suite allows that second.
    expiry_whole_seconds: bool = False
    reuse_access_tokens: bool = False  # a new request returns the account's still-valid token
    refresh_reuses_access_token: bool = False
    # Refreshes with one refresh token that arrive while the first one's answer is still on its
    # way all receive that same new pair (a grace period limited to concurrent requests, as Ory
    # Hydra and Keycloak offer); once that answer has gone, the used token is refused as usual.
    refresh_grace_pair: bool = False
    refreshed_tokens_usable: bool = True
    # A used refresh token presented again revokes the refresh token its use issued (RFC 9700
    # §4.14.2), and with `reuse_revokes_access` the access tokens of that line too (OAuth 2.1).
    reuse_revokes_successor: bool = False
    reuse_revokes_access: bool = False
    refresh_revives_expired: bool = False
    resource_checks_token: bool = True
    resource_checks_expiry: bool = True
    activation_delay: float = 0.0  # seconds before a new token is honoured (replication lag)
    rejection_status: int = 401
    rejection_body: Any = None
    # RFC 6749 §6: a refresh token is honoured only for the client it was issued to.
    refresh_bound_to_client: bool = True
    request_hooks: list[RequestHook] = field(default_factory=list)
    response_hooks: list[ResponseHook] = field(default_factory=list)
    # The hooks the emulator calls instead of its own: how a token value is made, and the ASGI
    # layers in front of the app (the first is innermost).
    token_factory: TokenFactory = _new_token
    app_layers: list[AppLayer] = field(default_factory=list)

    @classmethod
    def from_profile(cls, profile: Profile, lifetime: float | None = None) -> Behaviour:
        refresh = profile.refresh.supported is True
        rejection = profile.resource.rejection
        if rejection.body_example is not None:
            body: Any = dict(rejection.body_example)
        elif rejection.body_schema is not None:
            body = {"Message": "Authorization has been denied for this request."}
        else:
            body = {"error": "invalid_token"}
        status = rejection.status if isinstance(rejection.status, int) else 401
        return cls(
            client_auth=profile.client_auth,
            parameter_location=profile.parameter_location,
            token_path=profile.token_path,
            password_grant=profile.grant_password is not False,
            refresh_grant=refresh,
            issues_refresh_token=refresh and profile.refresh.issues_refresh_token is not False,
            rotation=profile.refresh.rotation is True,
            used_refresh_token_accepted=profile.refresh.used_refresh_token == "accepted",
            # Where rotated-out refresh tokens are refused and the documentation does not say
            # otherwise, a replay is detected (RFC 9700 §4.14.2).
            reuse_revokes_successor=(
                profile.refresh.used_refresh_token == "rejected"
                and profile.refresh.reuse_detection is not False
            ),
            invalidate_earlier=profile.invalidates_earlier is True,
            lifetime=float(lifetime if lifetime is not None else profile.emulator.lifetime),
            expires_in_unit=default_expires_in_unit(profile),
            refresh_token_lifetime=float(profile.emulator.refresh_token_lifetime),
            token_type=profile.token_type,
            client_auth_methods=_client_auth_methods(profile),
            client_credentials_grant=profile.grant_client_credentials is True,
            known_scopes=_known_scopes(profile),
            required_scope=profile.resource.required_scope,
            refuse_unknown_scope=profile.scope_unknown == "refused",
            scope_enforced=profile.scope_enforced is True,
            # Where the documentation says the client credentials grant returns a refresh token.
            client_credentials_refresh_token=refresh and "client_credentials" in profile.refresh.issued_by,
            rejection_status=status,
            rejection_body=body,
        )

    def client_checks_for(self, grant: str | None) -> ClientChecks:
        """The client checks of `grant`; an unknown grant is checked like the password grant."""
        return self.client_checks.get(grant or "", self.client_checks["password"])

    def stated_expires_in(self) -> int:
        """expires_in as the documented examples state it: one second short of the lifetime;
        the whole lifetime where expiry is kept in whole seconds (`time() + lifetime`)."""
        stated = self.lifetime if self.expiry_whole_seconds else self.lifetime - 1
        return int(round(stated / UNIT_FACTORS[self.expires_in_unit]))
