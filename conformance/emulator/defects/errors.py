"""Defects of refusals (RFC 6749 §5.2) and of request handling at the token endpoint."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from conformance.emulator.behaviour import Reply
from conformance.emulator.bends import defect
from conformance.emulator.hooks import crash_when, on_token_error, repeats_a_parameter, stall_when
from conformance.profile import Profile

if TYPE_CHECKING:
    from conformance.emulator.bends import Bendable

__all__: list[str] = []

# Every parameter RFC 6749 §4.3.2, §6 and §2.3.1 define for the grants the emulator serves.
_KNOWN_PARAMETERS = {
    "grant_type",
    "scope",
    "username",
    "password",
    "refresh_token",
    "client_id",
    "client_secret",
}


# One cause is blamed once: a refusal that is no RFC 6749 error response (HTTP 200, HTML, no error
# member) fails RFC6749-5.2-error, and the requirements that wanted a particular code read "not
# established: follows from RFC6749-5.2-error" (conformance.engine.findings): they are not named here.


def _password_grant(profile: Profile) -> bool:
    """The password grant is offered: its defects mean nothing on a client-credentials-only server."""
    return profile.grant_password is not False


# -- the shape of refusals --------------------------------------------------------------------
@defect(
    "invalid-grant-401",
    "a wrong password is HTTP 401 invalid_grant (RFC 6749: 400)",
    ["RFC6749-5.2-error"],
    applies=_password_grant,
)
def _invalid_grant_401(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        return (401 if body["error"] == "invalid_grant" else status), headers, body

    emulator.behaviour.response_hooks.append(on_token_error(bend))


@defect(
    "errors-status-200",
    "token errors come back as HTTP 200 with an error member (as GitHub does)",
    # An HTTP 200 is a successful token response: one that holds no token and none of its members.
    ["DOC-response-fields", "RFC6749-5.1-json", "RFC6749-5.2-error", "RFC6749-5.2-invalid-client-401"],
)
def _errors_status_200(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_error(lambda status, headers, body: (200, headers, body))
    )


@defect("errors-as-html", "token errors are an HTML page (text/html), not JSON", ["RFC6749-5.2-error"])
def _errors_as_html(emulator: Bendable) -> None:
    def bend(status: int, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        page = f"<html><body><h1>Bad Request</h1><p>{body['error']}</p></body></html>"
        return status, {**headers, "Content-Type": "text/html; charset=utf-8"}, page.encode()

    emulator.behaviour.response_hooks.append(on_token_error(bend))


@defect(
    "errors-500",
    "every token error is HTTP 500 (errors raised as exceptions)",
    ["RFC6749-5.2-error", "RFC6749-5.2-invalid-client-401"],
)
def _errors_500(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_error(lambda status, headers, body: (500, headers, body))
    )


@defect(
    "nonstandard-error-body",
    'token errors are {"message": ...} without an error member',
    ["RFC6749-5.2-error"],
)
def _nonstandard_error_body(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_error(
            lambda status, headers, body: (status, headers, {"message": body.get("error_description", "")})
        )
    )


@defect(
    "localized-error-description",
    "error_description is localized French with accents (outside RFC 6749 A.8's characters)",
    ["RFC6749-5.2-error"],
)
def _localized_error_description(emulator: Bendable) -> None:
    emulator.behaviour.response_hooks.append(
        on_token_error(
            lambda status, headers, body: (status, headers, {**body, "error_description": "Requête refusée"})
        )
    )


# -- which refusal ----------------------------------------------------------------------------
@defect(
    "unknown-grant-accepted",
    "an unknown grant_type is served as the password grant",
    ["RFC6749-5.2-unsupported-grant"],
)
def _unknown_grant_accepted(emulator: Bendable) -> None:
    # Served as the grant the server has: the client credentials grant where it has only that.
    served = "password" if emulator.behaviour.password_grant else "client_credentials"
    emulator.behaviour.unknown_grant_as = served


@defect(
    "unsupported-grant-wrong-code",
    "an unknown grant_type is refused with invalid_grant",
    ["RFC6749-5.2-unsupported-grant"],
)
def _unsupported_grant_wrong_code(emulator: Bendable) -> None:
    emulator.behaviour.error_codes["unsupported-grant"] = "invalid_grant"


@defect(
    "missing-grant-type-unsupported",
    "a request without grant_type is refused with unsupported_grant_type",
    ["RFC6749-5.2-missing-grant-type"],
)
def _missing_grant_type_unsupported(emulator: Bendable) -> None:
    emulator.behaviour.error_codes["missing-grant-type"] = "unsupported_grant_type"


@defect(
    "missing-parameter-invalid-grant",
    "a request without username or password is refused with invalid_grant",
    ["RFC6749-4.3-missing-parameter"],
    applies=_password_grant,
)
def _missing_parameter_invalid_grant(emulator: Bendable) -> None:
    emulator.behaviour.error_codes["missing-parameter"] = "invalid_grant"


@defect(
    "rejects-unknown-parameter",
    "an unrecognized request parameter is refused with invalid_request",
    ["RFC6749-3.2-unknown-parameter"],
)
def _rejects_unknown_parameter(emulator: Bendable) -> None:
    # Checked where such servers check it: after the client authenticated (Spring Authorization
    # Server's filters authenticate the client first), so a wrong secret is still invalid_client.
    unknown: ContextVar[str | None] = ContextVar("unknown_parameter", default=None)

    async def note(kind: str, request: Any, params: list[tuple[str, str]]) -> Reply | None:
        names = sorted({k for k, _ in params} - _KNOWN_PARAMETERS)
        unknown.set(names[0] if kind == "token" and names else None)
        return None

    def refuse(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status == 200 and unknown.get() is not None:
            # The name is not echoed: a generated one may hold characters RFC 6749 A.8 forbids.
            return 400, {}, {"error": "invalid_request", "error_description": "unknown parameter"}
        return status, headers, payload

    emulator.behaviour.request_hooks.append(note)
    emulator.behaviour.response_hooks.append(refuse)


@defect(
    "repeated-parameter-first-wins",
    "a repeated parameter is read by its first value (Java's ServletRequest.getParameter)",
    ["RFC6749-3.2-repeated-parameter"],
    applies=_password_grant,
)
def _repeated_parameter_first_wins(emulator: Bendable) -> None:
    async def hook(kind: str, request: Any, params: list[tuple[str, str]]) -> Reply | None:
        if kind == "token":
            # The emulator refuses repeats when it reads `params`: keeping only each name's first
            # value, in place, is reading it as such a server does.
            kept = {name: value for name, value in reversed(params)}
            params[:] = [(name, kept[name]) for name in dict.fromkeys(name for name, _ in params)]
        return None

    emulator.behaviour.request_hooks.append(hook)


@defect(
    "repeated-same-value-accepted",
    "a parameter repeated with the same value is read as sent once (a parser that collapses "
    "identical repeats)",
    ["RFC6749-3.2-repeated-parameter"],
)
def _repeated_same_value_accepted(emulator: Bendable) -> None:
    async def hook(kind: str, request: Any, params: list[tuple[str, str]]) -> Reply | None:
        if kind == "token":
            params[:] = list(dict.fromkeys(params))  # identical (name, value) pairs once
        return None

    emulator.behaviour.request_hooks.append(hook)


@defect(
    "repeated-parameters-joined",
    "a repeated parameter's values are joined with a comma and the joined value judged (an "
    "unknown grant_type, a wrong password, a wrong secret), never refused as repeated",
    ["RFC6749-3.2-repeated-parameter"],
)
def _repeated_parameters_joined(emulator: Bendable) -> None:
    async def hook(kind: str, request: Any, params: list[tuple[str, str]]) -> Reply | None:
        if kind == "token":
            joined: dict[str, list[str]] = {}
            for name, value in params:
                joined.setdefault(name, []).append(value)
            params[:] = [(name, ",".join(values)) for name, values in joined.items()]
        return None

    emulator.behaviour.request_hooks.append(hook)


@defect(
    "enforces-scope",
    "a scope other than the documented one is refused with invalid_scope, though documented unenforced",
    ["DOC-scope-unenforced"],
    applies=lambda p: p.scope_enforced is False and p.scope_value is not None,
)
def _enforces_scope(emulator: Bendable) -> None:
    documented = emulator.profile.scope_value

    async def hook(kind: str, request: Any, params: list[tuple[str, str]]) -> Reply | None:
        # A scope sent without a value is an omitted one (RFC 6749 §3.2), even to this server.
        scopes = [value for name, value in params if name == "scope" and value]
        if kind != "token" or not scopes or all(value == documented for value in scopes):
            return None
        if repeats_a_parameter(params):
            return None  # refused as repeating a parameter, as the emulator does first
        return 400, {}, {"error": "invalid_scope", "error_description": "the requested scope is not granted"}

    emulator.behaviour.request_hooks.append(hook)


# -- request handling -------------------------------------------------------------------------
@defect(
    "500-on-non-ascii",
    "HTTP 500 when a parameter value (e.g. the password) is not ASCII",
    ["RFC6749-5.2-error"],
    applies=_password_grant,
)
def _500_on_non_ascii(emulator: Bendable) -> None:
    emulator.behaviour.request_hooks.append(
        crash_when("token", lambda request, params: any(not v.isascii() for _, v in params))
    )


@defect(
    "500-on-long-parameter",
    "HTTP 500 when any parameter value is longer than 200 characters",
    ["RFC6749-5.2-error"],
    applies=_password_grant,
)
def _500_on_long_parameter(emulator: Bendable) -> None:
    emulator.behaviour.request_hooks.append(
        crash_when("token", lambda request, params: any(len(v) > 200 for _, v in params))
    )


@defect(
    "reads-query-not-body",
    "the token endpoint reads the query string and ignores the form body",
    [
        "RFC6749-2.3-listed-methods",
        "RFC6749-2.3.1-basic",
        "RFC6749-4.3-issue",
        "RFC6749-4.4-issue",
        "RFC8414-2-advertised-works",
    ],
    applies=lambda p: p.parameter_location == "body",
)
def _reads_query_not_body(emulator: Bendable) -> None:
    emulator.behaviour.parameter_location = "query"


@defect(
    "reads-body-not-query",
    "the token endpoint reads only a form body, not the documented query string",
    ["RFC6749-4.3-issue"],
    applies=lambda p: p.parameter_location == "query",
)
def _reads_body_not_query(emulator: Bendable) -> None:
    emulator.behaviour.parameter_location = "body"


@defect(
    "slow-token-endpoint",
    "every token response comes 3 s late (past the self-test's 2 s client timeout)",
    ["RFC6749-4.3-issue"],
    slow=True,
)
def _slow_token_endpoint(emulator: Bendable) -> None:
    emulator.behaviour.request_hooks.append(stall_when("token", lambda params: True))


@defect(
    "get-crashes",
    "a GET to the token endpoint is HTTP 500 (the framework raises on a method it was not given)",
    ["RFC6749-5.2-error"],
)
def _get_crashes(emulator: Bendable) -> None:
    def crash(kind: str, status: int, headers: dict[str, str], payload: Any) -> Reply:
        if kind == "token" and status == 405:
            return 500, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>500 Internal Server Error</h1>"
        return status, headers, payload

    emulator.behaviour.response_hooks.append(crash)


@defect(
    "empty-scope-is-a-scope",
    "scope= (no value) is read as a scope named '' and refused invalid_scope, not treated as omitted",
    ["RFC6749-3.2-empty-parameter"],
)
def _empty_scope_is_a_scope(emulator: Bendable) -> None:
    emulator.behaviour.empty_scope_is_a_scope = True


@defect(
    "bracketed-names-flattened",
    "a bracketed parameter name is read as the plain one, an array as its first value "
    "(grant_type[]=password served as grant_type=password)",
    ["RFC6749-3.2-structured-parameter"],
)
def _bracketed_names_flattened(emulator: Bendable) -> None:
    async def hook(kind: str, request: Any, params: list[tuple[str, str]]) -> Reply | None:
        if kind == "token":
            params[:] = [(name.split("[", 1)[0], value) for name, value in params]
        return None

    emulator.behaviour.request_hooks.append(hook)


@defect(
    "get-served",
    "a GET to the token endpoint is served as a POST, its query read as the form",
    ["RFC6749-3.2-post-only"],
    # Judged where a GET can carry real credentials without a secret in its URL: the client
    # credentials grant, the client authenticating by an HTTP Basic header.
    applies=lambda p: p.grant_client_credentials is True and p.client_auth == "basic",
)
def _get_served(emulator: Bendable) -> None:
    emulator.behaviour.serves_get = True
