"""The revocation (RFC 7009) and introspection (RFC 7662) endpoints beside the token endpoint.

Where the metadata names them, they are taken from it. Where it does not, the probe looks at the
few places the common servers put them, relative to the token endpoint, and stops at the first
that answers as the RFC says: a POST of a made-up `token` with the client's authentication gets
200 from a revocation endpoint (RFC 7009 §2.2: "invalid tokens do not cause an error response")
and `{"active": false}` from an introspection endpoint (RFC 7662 §2.2). A 404 or 405 is nothing
there. Each place tried costs a request against someone's server, so the list is short, and
every try is said in the draft.

A found (or advertised) revocation endpoint is then asked to revoke the probe's latest access
token, and the resource (or introspection) asked about it: `revocation.revokes_access_tokens`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Literal

from conformance.client import ConformanceClient, Exchange
from conformance.client.endpoints import introspect, revoke
from conformance.probe.draft import Draft, outcome
from conformance.probe.lifetime import still_young
from conformance.probe.metadata import Advertised
from conformance.profile.model import UNSPECIFIED, Introspection, Revocation

__all__ = ["PLACES", "Service", "candidates", "learn_live_token", "look_for_services"]

Service = Literal["revocation", "introspection"]

# Where servers put each endpoint: "{folder}" is the token endpoint's folder, "{token}" its path;
# a token path ending in "/" gives paths ending in "/" (django-oauth-toolkit's style). Most
# common first: the search stops at the first found.
PLACES: dict[Service, tuple[tuple[str, str], ...]] = {
    "revocation": (
        (
            "{folder}revoke",
            "Spring Authorization Server /oauth2/revoke, Ory Hydra, Doorkeeper, Keycloak, Authlib",
        ),
        ("{folder}revoke_token", "oauthlib's documentation, django-oauth-toolkit /o/revoke_token/"),
        ("{token}/revocation", "node-oidc-provider /token/revocation"),
        ("{token}/revoke", "Connect2id /token/revoke"),
        ("{folder}revocation", "Duende IdentityServer /connect/revocation"),
    ),
    "introspection": (
        ("{folder}introspect", "Spring Authorization Server, Ory Hydra, Doorkeeper, django-oauth-toolkit"),
        ("{token}/introspect", "Keycloak .../openid-connect/token/introspect, Connect2id"),
        ("{token}/introspection", "node-oidc-provider /token/introspection"),
    ),
}
_RFC = {"revocation": "RFC 7009", "introspection": "RFC 7662"}


def candidates(token_path: str, service: Service) -> list[str]:
    """The places to look for `service` beside `token_path`, each once."""
    slash = "/" if token_path.endswith("/") and token_path != "/" else ""
    token = token_path.rstrip("/") or ""
    folder = token.rpartition("/")[0] + "/"
    paths = [p.format(folder=folder, token=token) + slash for p, _ in PLACES[service]]
    return [p for p in dict.fromkeys(paths) if p != token_path]


@dataclass(frozen=True, slots=True)
class _Try:
    path: str
    exchange: Exchange

    @property
    def said(self) -> str:
        return f"{self.path} ({outcome(self.exchange)})"


def _at(client: ConformanceClient, service: Service, path: str) -> None:
    """Point the client's profile at `path` for `service`, so the client's own request builder
    (client authentication as learned, the token masked in the record) makes the request."""
    if service == "revocation":
        client.profile = replace(
            client.profile, revocation=Revocation(path, UNSPECIFIED, UNSPECIFIED, "probe")
        )
    else:
        client.profile = replace(client.profile, introspection=Introspection(path, (), "probe"))


def _answers(service: Service, exchange: Exchange) -> bool:
    """Whether a made-up token got the answer the RFC gives one."""
    if service == "revocation":
        return exchange.ok  # RFC 7009 §2.2: 200 (a 204 too: the suite judges the status)
    body = exchange.json
    return exchange.status == 200 and isinstance(body, dict) and body.get("active") is False


def _look(client: ConformanceClient, service: Service, token_path: str) -> tuple[str | None, list[_Try]]:
    tries: list[_Try] = []
    for path in candidates(token_path, service):
        _at(client, service, path)
        made_up = secrets.token_urlsafe(24)
        send = revoke if service == "revocation" else introspect
        exchange = send(client, made_up, f"{service}: a made-up token at {path} (looking for the endpoint)")
        tries.append(_Try(path, exchange))
        if _answers(service, exchange):
            return path, tries
    return None, tries


def look_for_services(
    client: ConformanceClient, draft: Draft, advertised: Advertised, *, has_client: bool
) -> None:
    """Each endpoint the metadata does not name, looked for beside the token endpoint."""
    named = {"revocation": advertised.revocation_path, "introspection": advertised.introspection_path}
    for service in ("revocation", "introspection"):
        path = named[service]
        if path is not None:
            _at(client, service, path)
            continue
        if not has_client:
            # RFC 7009 §2.1 and RFC 7662 §2.1 authenticate the caller: without a client pair
            # every place would refuse, whether an endpoint is there or not.
            draft.remarks.append(
                f"{_RFC[service]} {service}: not looked for (no CONFORMANCE_CLIENT_ID and "
                "CONFORMANCE_CLIENT_SECRET to authenticate with)."
            )
            continue
        found, tries = _look(client, service, draft.token_path)
        looked = ", ".join(t.said for t in tries if t.path != found)
        if found is None:
            if service == "revocation":
                client.profile = replace(client.profile, revocation=None)
            else:
                client.profile = replace(client.profile, introspection=None)
            draft.remarks.append(
                f"No {_RFC[service]} {service} endpoint found: looked at {looked}. If the server has "
                f"one elsewhere, add `{service}: {{path: ...}}`."
            )
            continue
        hit = next(t for t in tries if t.path == found)
        before = f"looked for {service} at {looked}, " if looked else ""
        answer = (
            "HTTP 200 for a made-up token"
            if service == "revocation"
            else '{"active": false} for a made-up token'
        )
        draft.learn(f"{service}.path", found, f"{before}found at {hit.said}: {answer} ({_RFC[service]} §2.2)")
        draft.source(service, f"probe §{service} (found beside the token endpoint)")


def learn_live_token(
    client: ConformanceClient, draft: Draft, latest: Exchange | None, *, resource_works: bool
) -> None:
    """What the endpoints say of the probe's latest access token: the members an active
    introspection answer carries; then whether revoking it takes it out of service."""
    if latest is None or latest.issued_token is None or not still_young(latest, client.clock.now()):
        return  # refused afterwards, it could have expired instead: nothing would be learned
    token = latest.issued_token
    refused: Exchange | None = None  # why the token is not known to be live, if it is not
    if client.profile.introspection is not None:
        seen = introspect(client, token, f"introspection: the access token of #{latest.seq}")
        if _active(seen):
            _learn_members(draft, seen)
        else:
            refused = seen
    if client.profile.revocation is None:
        return
    if refused is not None or client.profile.introspection is None:
        # Alive first: refused afterwards then says revoked, not already revoked (a refresh or a
        # reused refresh token may have revoked it: RFC 6749 §6, RFC 9700 §4.14.2).
        refused = _refused_at_resource(client, token) if resource_works else refused
    if refused is not None or not (resource_works or client.profile.introspection is not None):
        why = (
            f"the token to revoke (of #{latest.seq}) was not accepted ({outcome(refused)})"
            if refused is not None
            else "no resource (--resource-path) and no introspection endpoint to see a revoked token by"
        )
        draft.learn("revocation.revokes_access_tokens", "unspecified", f"not probed: {why}")
        return
    value, how = _revoked(client, token, latest, resource_works)
    draft.learn("revocation.revokes_access_tokens", value, how)


# RFC 7662 §2.2: the members of an active answer besides `active`.
_MEMBERS = ("scope", "client_id", "username", "token_type", "exp", "iat", "nbf", "sub", "aud", "iss", "jti")


def _active(exchange: Exchange) -> bool:
    body = exchange.json
    return exchange.status == 200 and isinstance(body, dict) and body.get("active") is True


def _learn_members(draft: Draft, active: Exchange) -> None:
    body = active.json
    present = [m for m in _MEMBERS if m in body]
    draft.learn(
        "introspection.members",
        present,
        f"the RFC 7662 §2.2 members of an active answer for a token of the run's grant ({outcome(active)})",
    )


def _refused_at_resource(client: ConformanceClient, token: str) -> Exchange | None:
    seen = client.call_resource(token, "resource: the access token about to be revoked")
    return None if seen.ok else seen


def _revoked(
    client: ConformanceClient, token: str, latest: Exchange, resource_works: bool
) -> tuple[object, str]:
    """Revoke the token; then whether the resource (else introspection) still takes it."""
    revoked = revoke(client, token, f"revocation: the access token of #{latest.seq}")
    if revoked.error_code == "unsupported_token_type":
        return False, f"revoking an access token was refused as unsupported: {outcome(revoked)}"
    if not revoked.ok:
        return "unspecified", f"undecided: revoking the access token of #{latest.seq} got {outcome(revoked)}"
    if resource_works:
        after = client.call_resource(token, "resource: the revoked access token")
        if after.status is not None and 400 <= after.status < 500:
            return True, f"revoked ({outcome(revoked)}), then refused at the resource ({outcome(after)})"
        where = "at the resource"
    else:
        after = introspect(client, token, "introspection: the revoked access token")
        body = after.json
        if after.status == 200 and isinstance(body, dict) and body.get("active") is False:
            return True, f"revoked ({outcome(revoked)}), then inactive at introspection ({outcome(after)})"
        where = "at introspection"
    return "unspecified", (
        f"revoked ({outcome(revoked)}), then {outcome(after)} {where}: the suite judges it "
        "(RFC 7009 §2.1: SHOULD)"
    )
