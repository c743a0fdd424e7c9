"""Defects of authentication: the client's (RFC 6749 §2.3.1) and the resource owner's (§4.3.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.credentials import changed_by_form_encoding
from conformance.emulator.behaviour import Reply
from conformance.emulator.bends import defect
from conformance.emulator.hooks import on_token_error, repeats_a_parameter
from conformance.profile import Profile

if TYPE_CHECKING:
    from starlette.requests import Request

    from conformance.emulator.bends import Bendable

__all__: list[str] = []


def _client_auth(profile: Profile) -> bool:
    return profile.client_auth != "none"


def _basic_auth(profile: Profile) -> bool:
    return profile.client_auth == "basic"


def _password_grant(profile: Profile) -> bool:
    """The resource owner's defects mean nothing on a server without the password grant."""
    return profile.grant_password is not False


def _refresh_with_client_auth(profile: Profile) -> bool:
    return profile.refresh.supported is True and _client_auth(profile)


def _every_grant(emulator: Bendable, **loosened: Any) -> None:
    """One client authentication routine for every grant, loosened the same way."""
    for checks in emulator.behaviour.client_checks.values():
        for name, value in loosened.items():
            setattr(checks, name, value)


# A routine shared by every grant is caught on the password grant, and on refresh where offered.
_EVERY_GRANT = ["RFC6749-4.3-client-auth", "RFC6749-6-client-auth", "RFC6749-4.4-client-auth"]


# -- the client ---------------------------------------------------------------------------------
@defect(
    "accepts-missing-client-auth",
    "the password grant issues tokens without client authentication",
    ["RFC6749-4.3-client-auth"],
    applies=lambda p: _client_auth(p) and p.grant_password is not False,
)
def _accepts_missing_client_auth(emulator: Bendable) -> None:
    emulator.behaviour.client_checks["password"].required = False


@defect(
    "accepts-wrong-client-secret",
    "any client secret is accepted for the registered client id",
    _EVERY_GRANT,
    applies=_client_auth,
)
def _accepts_wrong_client_secret(emulator: Bendable) -> None:
    _every_grant(emulator, secret=lambda presented, registered: True)


@defect(
    "accepts-near-miss-secret",
    "a client secret that differs from the right one only in its last character is accepted",
    _EVERY_GRANT,
    applies=_client_auth,
)
def _accepts_near_miss_secret(emulator: Bendable) -> None:
    _every_grant(
        emulator,
        secret=lambda presented, registered: (
            len(presented) == len(registered) and presented[:-1] == registered[:-1]
        ),
    )


@defect(
    "accepts-empty-client-secret",
    'the client\'s id with an empty secret (Basic "id:") is taken for a public client and served',
    _EVERY_GRANT,
    applies=_client_auth,
)
def _accepts_empty_client_secret(emulator: Bendable) -> None:
    _every_grant(emulator, secret=lambda presented, registered: presented in ("", registered))


@defect(
    "accepts-unknown-client",
    "the client secret is checked but the client id is not",
    ["RFC6749-4.3-client-auth", "RFC6749-4.4-client-auth"],
    applies=_client_auth,
)
def _accepts_unknown_client(emulator: Bendable) -> None:
    _every_grant(emulator, client_id=False)


@defect(
    "accepts-any-auth-scheme",
    "client credentials are read from the Authorization header whatever its scheme (Bearer too)",
    _EVERY_GRANT,
    applies=_basic_auth,
)
def _accepts_any_auth_scheme(emulator: Bendable) -> None:
    _every_grant(emulator, scheme=False)


@defect(
    "invalid-client-400",
    "failed Basic client authentication is HTTP 400 without WWW-Authenticate",
    ["RFC6749-5.2-invalid-client-401"],
    applies=_basic_auth,
)
def _invalid_client_400(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        if body.get("error") == "invalid_client":
            return 400, {k: v for k, v in headers.items() if k != "WWW-Authenticate"}, body
        return status, headers, body

    emulator.behaviour.response_hooks.append(on_token_error(bend))


@defect(
    "invalid-client-no-challenge",
    "failed client authentication is HTTP 401 without WWW-Authenticate",
    # A request that tried Basic is judged by §5.2, one that did not by RFC 9110 alone.
    ["RFC6749-5.2-invalid-client-401", "RFC9110-15.5.2-challenge"],
    applies=_basic_auth,
)
def _invalid_client_no_challenge(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        return status, {k: v for k, v in headers.items() if k != "WWW-Authenticate"}, body

    emulator.behaviour.response_hooks.append(on_token_error(bend))


@defect(
    "body-invalid-client-no-challenge",
    "client credentials in the body that fail authentication get HTTP 401 without WWW-Authenticate",
    ["RFC9110-15.5.2-challenge"],
    applies=lambda p: "client_secret_post" in p.client_auth_methods,
)
def _body_invalid_client_no_challenge(emulator: Bendable) -> None:
    async def hook(kind: str, request: Request, params: list[tuple[str, str]]) -> Reply | None:
        given = dict(params)
        if kind != "token" or "authorization" in request.headers or "client_secret" not in given:
            return None
        if repeats_a_parameter(params):
            return None  # refused as repeating a parameter, as the emulator does first
        known = [c for c in (emulator.credentials.client, emulator.credentials.restricted_client) if c]
        if any(
            (c.client_id, c.client_secret) == (given.get("client_id"), given["client_secret"]) for c in known
        ):
            return None
        return 401, {}, {"error": "invalid_client", "error_description": "client authentication failed"}

    emulator.behaviour.request_hooks.append(hook)


# -- the client, on the refresh grant ---------------------------------------------------------
@defect(
    "refresh-skips-client-auth",
    "the refresh grant works without client authentication",
    ["RFC6749-6-client-auth"],
    applies=_refresh_with_client_auth,
)
def _refresh_skips_client_auth(emulator: Bendable) -> None:
    checks = emulator.behaviour.client_checks["refresh_token"]
    checks.required = False
    checks.secret = lambda presented, registered: True


@defect(
    "refresh-accepts-wrong-secret",
    "the refresh grant accepts any client secret",
    ["RFC6749-6-client-auth"],
    applies=_refresh_with_client_auth,
)
def _refresh_accepts_wrong_secret(emulator: Bendable) -> None:
    emulator.behaviour.client_checks["refresh_token"].secret = lambda presented, registered: True


@defect(
    "refresh-accepts-any-auth-scheme",
    "the refresh grant reads client credentials from the Authorization header whatever its scheme",
    ["RFC6749-6-client-auth"],
    applies=lambda p: _refresh_with_client_auth(p) and _basic_auth(p),
)
def _refresh_accepts_any_auth_scheme(emulator: Bendable) -> None:
    emulator.behaviour.client_checks["refresh_token"].scheme = False


def _form_encoded_secret(profile: Profile) -> bool:
    """HTTP Basic, and emulator credentials that form encoding changes (+, /, %, a space)."""
    known = profile.emulator
    return _basic_auth(profile) and changed_by_form_encoding(known.client_id, known.client_secret)


@defect(
    "basic-not-form-decoded",
    "the Basic credential's id and secret are used as sent, not form-decoded (a secret with + or % fails)",
    ["RFC6749-2.3.1-form-encoding"],
    applies=_form_encoded_secret,
)
def _basic_not_form_decoded(emulator: Bendable) -> None:
    emulator.behaviour.basic_form_decoded = False


@defect(
    "failed-basic-falls-back-to-body",
    "a wrong secret in the Basic header is passed over when the body carries the right credentials",
    # As django-oauth-toolkit does: Basic first, then the body; never both refused.
    ["RFC6749-5.2-failed-basic", "RFC6749-2.3-one-method"],
    applies=lambda p: _basic_auth(p) and "client_secret_post" in p.client_auth_methods,
)
def _failed_basic_falls_back_to_body(emulator: Bendable) -> None:
    behaviour = emulator.behaviour
    behaviour.refuse_multiple_client_auth = False  # as DOT and oauthlib-based servers: Basic first
    behaviour.failed_basic_falls_back = True


# -- the resource owner -----------------------------------------------------------------------
@defect(
    "accepts-wrong-password",
    "any password is accepted for a known user",
    ["RFC6749-4.3-invalid-grant"],
    applies=_password_grant,
)
def _accepts_wrong_password(emulator: Bendable) -> None:
    emulator.behaviour.check_password = False


@defect(
    "accepts-unknown-user",
    "the password is checked but not whose it is: any user name passes",
    ["RFC6749-4.3-invalid-grant"],
    applies=_password_grant,
)
def _accepts_unknown_user(emulator: Bendable) -> None:
    emulator.behaviour.check_username = False


@defect(
    "accepts-empty-password",
    "an empty password logs in (an LDAP unauthenticated bind)",
    # RFC 6749 §3.2: a parameter without a value is an omitted one, so a missing password too.
    ["RFC6749-4.3-invalid-grant", "RFC6749-4.3-missing-parameter"],
    applies=_password_grant,
)
def _accepts_empty_password(emulator: Bendable) -> None:
    emulator.behaviour.accept_empty_password = True


@defect(
    "password-grant-any-client",
    "every registered client may use the password grant, whatever it was allowed",
    ["RFC6749-4.3-unauthorized-client"],
    applies=lambda p: p.grant_password is not False and p.client_auth != "none",
)
def _password_grant_any_client(emulator: Bendable) -> None:
    behaviour = emulator.behaviour
    behaviour.restricted_grants_refused = tuple(
        g for g in behaviour.restricted_grants_refused if g != "password"
    )


@defect(
    "reads-client-credentials-from-query",
    "client_id and client_secret in the URL query are read, over the header and the body, at the "
    "token, revocation and introspection endpoints",
    ["RFC6749-2.3.1-not-in-uri"],
    applies=lambda p: _client_auth(p) and p.parameter_location == "body",
)
def _reads_client_credentials_from_query(emulator: Bendable) -> None:
    emulator.behaviour.query_client_credentials = True
    emulator.services.behaviour.reads_query_credentials = True
