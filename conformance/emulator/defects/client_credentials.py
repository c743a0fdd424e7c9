"""Defects of the client credentials grant (RFC 6749 §4.4), client authentication methods (§2.3)
and scope (§3.3, §5.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.emulator.bends import Applies, defect
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []


def _client_credentials(profile: Profile) -> bool:
    return profile.grant_client_credentials is True and profile.client_auth != "none"


def _lists(method: str) -> Applies:
    def applies(profile: Profile) -> bool:
        return _client_credentials(profile) and method in profile.client_auth_methods

    return applies


def _unknown_scope(rule: str) -> Applies:
    def applies(profile: Profile) -> bool:
        return _client_credentials(profile) and profile.scope_unknown == rule and bool(profile.scope_value)

    return applies


# -- the grant ----------------------------------------------------------------------------------
@defect(
    "client-credentials-refresh-token",
    "the client credentials grant's token response carries a refresh_token",
    # Where the documentation offers no refresh token, the provider's own word is broken too.
    ["RFC6749-4.4.3-no-refresh-token", "DOC-no-refresh"],
    applies=_client_credentials,
)
def _client_credentials_refresh_token(emulator: Bendable) -> None:
    emulator.behaviour.client_credentials_refresh_token = True


@defect(
    "client-credentials-without-client-auth",
    "the client credentials grant issues a token to a request without client authentication",
    ["RFC6749-4.4-client-auth"],
    applies=_client_credentials,
)
def _client_credentials_without_client_auth(emulator: Bendable) -> None:
    emulator.behaviour.client_checks["client_credentials"].required = False


@defect(
    "client-credentials-any-secret",
    "the client credentials grant accepts any client secret for a registered client",
    ["RFC6749-4.4-client-auth"],
    applies=_client_credentials,
)
def _client_credentials_any_secret(emulator: Bendable) -> None:
    emulator.behaviour.client_checks["client_credentials"].secret = lambda presented, registered: True


@defect(
    "client-credentials-any-client",
    "every registered client may use the client credentials grant, whatever it was allowed",
    ["RFC6749-4.4-unauthorized-client"],
    applies=_client_credentials,
)
def _client_credentials_any_client(emulator: Bendable) -> None:
    emulator.behaviour.restricted_client_refused = False


@defect(
    "unauthorized-client-as-invalid-grant",
    "a client not allowed the client credentials grant is refused with invalid_grant",
    ["RFC6749-4.4-unauthorized-client"],
    applies=_client_credentials,
)
def _unauthorized_client_as_invalid_grant(emulator: Bendable) -> None:
    emulator.behaviour.error_codes["unauthorized-client"] = "invalid_grant"


@defect(
    "client-credentials-unsupported",
    "the client credentials grant is refused as unsupported_grant_type",
    # Every request of the grant is refused: what needs a token, and every refusal it should
    # have given for another reason, fails.
    ["RFC6749-2.3-listed-methods", "RFC6749-2.3.1-basic", "RFC6749-4.4-issue", "RFC8414-2-advertised-works"],
    applies=_client_credentials,
)
def _client_credentials_unsupported(emulator: Bendable) -> None:
    emulator.behaviour.client_credentials_grant = False


# -- client authentication methods ---------------------------------------------------------------
@defect(
    "two-client-auth-methods-accepted",
    "a request with HTTP Basic and body client credentials together is served (the header wins)",
    ["RFC6749-2.3-one-method"],
    applies=_client_credentials,
)
def _two_client_auth_methods_accepted(emulator: Bendable) -> None:
    emulator.behaviour.refuse_multiple_client_auth = False


@defect(
    "basic-client-auth-refused",
    "HTTP Basic client authentication is refused: only client_secret_post works",
    # The suite authenticates by the first documented method, Basic where it is listed first:
    # then every request it sends is refused invalid_client, whatever else it tests.
    ["RFC6749-2.3-listed-methods", "RFC6749-2.3.1-basic", "RFC6749-4.4-issue", "RFC8414-2-advertised-works"],
    applies=_lists("client_secret_basic"),
)
def _basic_client_auth_refused(emulator: Bendable) -> None:
    behaviour = emulator.behaviour
    behaviour.client_auth_methods = tuple(
        m for m in behaviour.client_auth_methods if m != "client_secret_basic"
    )


@defect(
    "post-client-auth-refused",
    "client_secret_post is refused although the documentation lists it",
    # Where metadata advertises it (generated from the same documentation), so does that.
    ["RFC6749-2.3-listed-methods", "RFC8414-2-advertised-works"],
    applies=_lists("client_secret_post"),
)
def _post_client_auth_refused(emulator: Bendable) -> None:
    behaviour = emulator.behaviour
    behaviour.client_auth_methods = tuple(
        m for m in behaviour.client_auth_methods if m != "client_secret_post"
    )


@defect(
    "unlisted-post-accepted",
    "client credentials in the body are accepted where the documentation lists only HTTP Basic",
    ["RFC6749-2.3-listed-methods"],
    applies=lambda p: _client_credentials(p) and "client_secret_post" not in p.client_auth_methods,
)
def _unlisted_post_accepted(emulator: Bendable) -> None:
    emulator.behaviour.client_auth_methods = (*emulator.behaviour.client_auth_methods, "client_secret_post")


# -- scope ----------------------------------------------------------------------------------------
@defect(
    "unknown-scope-granted",
    "an unknown scope is granted as asked where the provider refuses unknown scopes",
    ["RFC6749-3.3-invalid-scope"],
    applies=_unknown_scope("refused"),
)
def _unknown_scope_granted(emulator: Bendable) -> None:
    emulator.behaviour.grant_unknown_scope = True


@defect(
    "unknown-scope-invalid-request",
    "an unknown scope is refused with invalid_request instead of invalid_scope",
    ["RFC6749-3.3-invalid-scope"],
    applies=_unknown_scope("refused"),
)
def _unknown_scope_invalid_request(emulator: Bendable) -> None:
    emulator.behaviour.error_codes["invalid-scope"] = "invalid_request"


@defect(
    "narrowed-scope-not-returned",
    "a token whose scope is narrower than the request says nothing of its scope",
    ["RFC6749-5.1-scope-returned"],
    applies=_unknown_scope("ignored"),
)
def _narrowed_scope_not_returned(emulator: Bendable) -> None:
    emulator.behaviour.return_scope = "never"


@defect(
    "requested-scope-echoed",
    "the token response echoes the requested scope, unknown scopes included, not the granted one",
    ["RFC6749-5.1-scope-returned"],
    applies=_unknown_scope("ignored"),
)
def _requested_scope_echoed(emulator: Bendable) -> None:
    emulator.behaviour.grant_unknown_scope = True
    emulator.behaviour.return_scope = "always"


@defect(
    "unknown-only-scope-unsaid",
    "a request for unknown scopes only gets a token granted no scope, and no scope member says so",
    ["RFC6749-5.1-scope-returned"],
    applies=_unknown_scope("ignored"),
)
def _unknown_only_scope_unsaid(emulator: Bendable) -> None:
    emulator.behaviour.unknown_only_grants_nothing = True


@defect(
    "scope-percent-2b-as-space",
    "a scope's '+' is read as a space after form decoding (a second decode): read%2Bwrite is "
    "granted as read and write",
    ["RFC6749-3.3-scope-encoding"],
    applies=lambda p: (
        p.scope_unknown == "refused"
        and len((p.scope_value or "").split()) > 1
        and p.parameter_location == "body"
    ),
)
def _scope_percent_2b_as_space(emulator: Bendable) -> None:
    async def hook(kind: str, request: Any, params: list[tuple[str, str]]) -> None:
        if kind == "token":
            params[:] = [(k, v.replace("+", " ") if k == "scope" else v) for k, v in params]

    emulator.behaviour.request_hooks.append(hook)
