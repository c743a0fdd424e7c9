"""Probing a machine-to-machine server: its metadata advertises the client credentials grant and
no user credentials are given, so the password-grant experiments cannot run.

What it learns: which of the advertised client authentication methods issue a token, the
grants (the client credentials grant by experiment, the others from grant_types_supported), and
the token response's members, type and expires_in. Nothing else is tried: every request carries
the real client credentials only in the shape a method the server advertises prescribes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.client import ConformanceClient, Exchange
from conformance.probe.draft import Draft
from conformance.probe.evidence import outcome
from conformance.probe.experiments import NoTokenIssued
from conformance.probe.lifetime import judge
from conformance.probe.metadata import Advertised

__all__ = ["METHODS", "probe_machine"]

# The methods the suite can use, in the order a draft lists them (RFC 8414 names).
METHODS = ("client_secret_basic", "client_secret_post")


def probe_machine(
    client: ConformanceClient, draft: Draft, advertised: Advertised, say: Callable[[str], None]
) -> None:
    """One client credentials grant per advertised method; the draft from those and the metadata."""
    # RFC 8414 §2: token_endpoint_auth_methods_supported defaults to client_secret_basic.
    offered = [m for m in (advertised.auth_methods or ["client_secret_basic"]) if m in METHODS]
    worked: list[str] = []
    issued: list[Exchange] = []
    for method in offered:
        exchange = client.client_credentials_grant(
            f"token: client credentials grant, {method}",
            method=method,  # type: ignore[arg-type]
        )
        say(client.redactor.scrub(f"  {outcome(exchange)}  {exchange.purpose}"))
        if exchange.issued_token:
            worked.append(method)
            issued.append(exchange)
    if not issued:
        raise NoTokenIssued(
            "the client credentials grant issued no token by any advertised client authentication "
            f"method ({', '.join(offered) or 'none the suite can use'})"
        )
    numbers = ", ".join(f"#{e.seq}" for e in issued)
    draft.learn(
        "client_auth.methods", worked, f"the client credentials grant issued a token by each ({numbers})"
    )
    draft.source("client_auth", "probe §client authentication (the methods the metadata advertises)")
    draft.learn("parameters.location", "body", f"form-encoded body parameters issued a token ({numbers})")
    draft.source("parameters", "probe §parameter location")
    draft.learn("grants.client_credentials", True, f"the client credentials grant issued a token ({numbers})")
    for grant in ("password", "refresh_token"):
        listed = grant in advertised.grant_types
        verb = "lists" if listed else "does not list"
        draft.learn(f"grants.{grant}", listed, f"learned from metadata: grant_types_supported {verb} {grant}")
    draft.source("grants", "probe §grants (client credentials by experiment, the rest from metadata)")
    _learn_response(draft, issued)


def _learn_response(draft: Draft, issued: list[Exchange]) -> None:
    bodies: list[dict[str, Any]] = [e.json for e in issued if isinstance(e.json, dict)]
    numbers = ", ".join(f"#{e.seq}" for e in issued)
    fields = [
        f
        for f in ("access_token", "token_type", "expires_in", "refresh_token", "scope")
        if all(f in b for b in bodies)
    ]
    draft.learn("token_response.fields", fields, f"members of every client credentials response ({numbers})")
    draft.learn(
        "token_response.token_type",
        str(bodies[0].get("token_type", "bearer")).lower(),
        f"as issued ({numbers})",
    )
    draft.source("token_response", "probe §token response")
    refresh = any("refresh_token" in b for b in bodies)
    how = "a refresh_token in a response" if refresh else "no refresh_token in any response"
    draft.learn("refresh.issues_refresh_token", refresh, f"{how} ({numbers}; RFC 6749 §4.4.3: SHOULD NOT)")
    draft.source("refresh", "probe §refresh")
    reading = judge(bodies[0].get("expires_in"), None, "a client credentials probe does not wait for expiry")
    draft.learn("expiry.unit", reading.unit, reading.how)
    if reading.alternatives:
        draft.learn("expiry.alternative_units", list(reading.alternatives), "readings not ruled out")
    draft.learn("expiry.nominal_lifetime", reading.nominal, reading.nominal_how)
    draft.source("expiry", "probe §expiry (unverified)")
    draft.learn("errors.style", "rfc6749", "RFC 6749 §5.2 assumed: no refusal was provoked")
