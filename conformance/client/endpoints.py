"""Requests to the endpoints beside the token endpoint: revocation (RFC 7009), introspection
(RFC 7662) and metadata (RFC 8414, RFC 9728).

They go through the same client as every other request (budget, recording, redaction): the
token presented in a revocation or introspection body is masked like any token the target
issued, and so is every token an introspection response repeats.
"""

from __future__ import annotations

from urllib.parse import urlencode

from conformance.client.client import (
    PROFILE_DEFAULT,
    ClientAuthChoice,
    ConformanceClient,
    ProfileDefault,
    form_body,
)
from conformance.client.exchange import Exchange, ExchangeKind
from conformance.credentials import ClientCredentials, basic_authorization

__all__ = ["fetch_metadata", "introspect", "revoke", "service_request", "without_token"]


def _post_form(
    client: ConformanceClient,
    kind: ExchangeKind,
    path: str,
    params: list[tuple[str, str]],
    purpose: str,
    credentials: ClientAuthChoice,
    token: str | None,
) -> Exchange:
    """POST a form to `path`, the client authenticated as the profile says (RFC 7009 §2.1 and
    RFC 7662 §2.1 both use the token endpoint's client authentication)."""
    chosen = client.credentials.client if credentials is PROFILE_DEFAULT else credentials
    headers: dict[str, str] = {"Content-Type": "application/x-www-form-urlencoded"}
    assert not isinstance(chosen, ProfileDefault)
    if chosen is not None:
        if client.profile.client_auth == "basic":
            headers["Authorization"] = basic_authorization(chosen.client_id, chosen.client_secret)
        elif client.profile.client_auth == "body":
            params = [*params, ("client_id", chosen.client_id), ("client_secret", chosen.client_secret)]
    request = client._build(kind, purpose, "POST", path, content=form_body(params), headers=headers)
    return client._send(request, kind, purpose, token=token)


def revoke(
    client: ConformanceClient,
    token: str,
    purpose: str,
    *,
    hint: str | None = None,
    credentials: ClientAuthChoice = PROFILE_DEFAULT,
) -> Exchange:
    """RFC 7009 §2.1: POST token (and token_type_hint) to the profile's revocation endpoint."""
    revocation = client.profile.revocation
    assert revocation is not None, "the profile names no revocation endpoint"
    return _post_token(client, "revocation", revocation.path, token, purpose, hint, credentials)


def introspect(
    client: ConformanceClient,
    token: str,
    purpose: str,
    *,
    hint: str | None = None,
    credentials: ClientAuthChoice = PROFILE_DEFAULT,
) -> Exchange:
    """RFC 7662 §2.1: POST token (and token_type_hint) to the profile's introspection endpoint."""
    introspection = client.profile.introspection
    assert introspection is not None, "the profile names no introspection endpoint"
    return _post_token(client, "introspection", introspection.path, token, purpose, hint, credentials)


def _post_token(
    client: ConformanceClient,
    kind: ExchangeKind,
    path: str,
    token: str,
    purpose: str,
    hint: str | None,
    credentials: ClientAuthChoice,
) -> Exchange:
    """Both endpoints take the same form: the token, and optionally what kind it is."""
    params = [("token", token)] + ([("token_type_hint", hint)] if hint else [])
    return _post_form(client, kind, path, params, purpose, credentials, token)


def without_token(client: ConformanceClient, kind: ExchangeKind, purpose: str) -> Exchange:
    """A revocation or introspection request with no `token` parameter (REQUIRED in both)."""
    service = client.profile.revocation if kind == "revocation" else client.profile.introspection
    assert service is not None, f"the profile names no {kind} endpoint"
    return _post_form(client, kind, service.path, [], purpose, PROFILE_DEFAULT, None)


def service_request(
    client: ConformanceClient,
    kind: ExchangeKind,
    params: list[tuple[str, str]],
    purpose: str,
    *,
    method: str = "POST",
    basic: ClientCredentials | None = None,
    body: ClientCredentials | None = None,
    query: list[tuple[str, str]] | None = None,
    token: str | None = None,
) -> Exchange:
    """A revocation or introspection request put together as given: `basic` in an HTTP Basic
    header, `body` as client_id and client_secret in the form, `query` in the URL. By GET, `params`
    go in the query too: only made-up values may (a URL is a place logs keep)."""
    service = client.profile.revocation if kind == "revocation" else client.profile.introspection
    assert service is not None, f"the profile names no {kind} endpoint"
    headers: dict[str, str] = {}
    if basic is not None:
        headers["Authorization"] = basic_authorization(basic.client_id, basic.client_secret)
    form = [*params] + (
        [("client_id", body.client_id), ("client_secret", body.client_secret)] if body else []
    )
    in_url = [*(query or []), *(form if method == "GET" else [])]
    path = service.path + (f"?{urlencode(in_url)}" if in_url else "")
    content = None
    if method != "GET":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        content = form_body(form)
    request = client._build(kind, purpose, method, path, content=content, headers=headers)
    return client._send(request, kind, purpose, token=token)


def fetch_metadata(client: ConformanceClient, path: str, purpose: str) -> Exchange:
    """GET a metadata document (no credentials: it is public)."""
    request = client._build("metadata", purpose, "GET", path)
    return client._send(request, "metadata", purpose)
