"""One probe of one server: settings in, a reviewed-ready profile text out.

Plain Python (no argparse, no terminal): the command wraps it, and tests call it directly,
with an in-process transport and a manual clock when they want expiry without waiting.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import httpx

from conformance.checks.services import AT_JWT_TYPES, decode_jwt
from conformance.client import ConformanceClient, Credentials, Target
from conformance.client.budget import RequestBudget
from conformance.clock import Clock, SystemClock
from conformance.errors import UsageError
from conformance.probe.draft import Draft, outcome
from conformance.probe.experiments import IssuingGrant, Prober
from conformance.probe.metadata import (
    Advertised,
    discover,
    grants_unless_known,
    learn_advertised,
    learn_resource_metadata,
    say_advertised,
)
from conformance.probe.render import render
from conformance.profile import load_profile
from conformance.redaction import Redactor
from conformance.requirements.rfc.rfc8414 import AS_METADATA_PATH

__all__ = [
    "DEFAULT_MAX_REQUESTS",
    "NAME_PATTERN",
    "ProbeResult",
    "ProbeSettings",
    "default_name",
    "learn_profile",
]

# Enough for every experiment and a dozen polls of an expiring token; small for a live server.
DEFAULT_MAX_REQUESTS = 40
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    url: str
    token_path: str | None  # None: learned from the server's RFC 8414 metadata
    resource_path: str | None = None
    expiry_wait: float = 0.0
    max_requests: int = DEFAULT_MAX_REQUESTS
    max_rps: float | None = None
    timeout: float = 10.0
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ProbeResult:
    text: str
    draft: Draft
    requests: int
    token_requests: int
    elapsed: float
    lines: list[str] = field(default_factory=list)


def default_name(url: str) -> str:
    """A profile name from the host: api.example.com -> api-example-com."""
    host = urlsplit(url).hostname or ""
    name = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")
    return name if name and NAME_PATTERN.match(name) else "probed"


def learn_profile(
    settings: ProbeSettings,
    credentials: Credentials,
    *,
    say: Callable[[str], None] | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Clock | None = None,
) -> ProbeResult:
    """Probe `settings.url` and return the draft profile; every line `say` gets is redacted."""
    lines: list[str] = []

    def emit(line: str) -> None:
        lines.append(line)
        (say or _stderr)(line)

    # The generic profile, pointed at the token path; experiments change auth and location.
    draft_profile = replace(load_profile("rfc6749"), token_path=settings.token_path or "/")
    redactor = Redactor()
    client = ConformanceClient(
        draft_profile,
        Target(settings.url, False, settings.resource_path),
        credentials,
        redactor,
        clock or SystemClock(),
        transport=transport,
        timeout=settings.timeout,
        budget=RequestBudget(settings.max_requests, settings.max_rps),
    )
    name = settings.name or default_name(settings.url)
    draft = Draft(name, settings.url, settings.token_path or "/", settings.resource_path)
    if settings.token_path is not None:
        draft.learn("token_endpoint.path", settings.token_path, "given with --token-path")
        draft.source("token_endpoint", "probe §token endpoint (--token-path)")
    draft.learn("token_endpoint.method", "POST", "RFC 6749 §3.2; the only method tried")
    if settings.resource_path:
        draft.learn("resource.path", settings.resource_path, "given with --resource-path")
    else:
        draft.learn("resource.path", None, "no --resource-path: pass one to `conformance run`")
    draft.learn("resource.method", "GET", "the only method tried")
    emit(f"conformance probe: learning {settings.url} (at most {settings.max_requests} requests)")
    began = time.monotonic()
    try:
        advertised = _read_metadata(client, draft, settings, emit)
        grant = _issuing_grant(credentials, advertised)
        Prober(
            client,
            draft,
            grant=grant,
            advertised=advertised,
            expiry_wait=settings.expiry_wait,
            has_client_credentials=credentials.client is not None,
            say=emit,
        ).run()
        grants_unless_known(draft, advertised)
        draft.learn_unless_known(
            "grants.client_credentials",
            "unspecified",
            "not tried: CONFORMANCE_CLIENT_ID and CONFORMANCE_CLIENT_SECRET are not set",
        )
        _learn_token_format(client, draft)
    finally:
        client.close()
    draft.requests = client.request_count
    draft.token_requests = client.token_request_count
    draft.elapsed = time.monotonic() - began
    text = render(draft)
    emit(
        f"conformance probe: {draft.requests} requests ({draft.token_requests} token requests) "
        f"in {draft.elapsed:.1f} s"
    )
    return ProbeResult(text, draft, draft.requests, draft.token_requests, draft.elapsed, lines)


def _issuing_grant(credentials: Credentials, advertised: Advertised) -> IssuingGrant:
    """The password grant where user credentials are given; else the client credentials grant,
    unless the server's metadata says it has none."""
    if credentials.username or credentials.password:
        return "password"
    if credentials.client is not None and (
        not advertised.published or advertised.lists_grant("client_credentials")
    ):
        return "client_credentials"
    raise UsageError(
        "set CONFORMANCE_USERNAME and CONFORMANCE_PASSWORD: without them only the client credentials "
        "grant can be probed, and this server's RFC 8414 metadata does not advertise it"
    )


def _read_metadata(
    client: ConformanceClient, draft: Draft, settings: ProbeSettings, emit: Callable[[str], None]
) -> Advertised:
    """The server's metadata first: where published, it names the endpoints (and --token-path may
    be left out); where not, the probe goes on with --token-path, or cannot start."""
    advertised = discover(client, settings.url)
    for exchange in client.exchanges:  # listed like every experiment's, by number and outcome
        emit(client.redactor.scrub(f"  {outcome(exchange)}  {exchange.purpose}"))
    if not advertised.published:
        if settings.token_path is None:
            raise UsageError(
                f"{settings.url} publishes no RFC 8414 metadata ({AS_METADATA_PATH}): pass --token-path"
            )
        learn_resource_metadata(draft, advertised)
        return advertised
    token_path = learn_advertised(draft, advertised, settings.token_path)
    client.profile = replace(client.profile, token_path=token_path)
    draft.token_path = token_path
    say_advertised(advertised, token_path, emit)
    return advertised


def _learn_token_format(client: ConformanceClient, draft: Draft) -> None:
    """An issued access token that is an RFC 9068 JWT (typ at+jwt) is written so; anything else
    is left unspecified (opaque to the client is all RFC 6749 says)."""
    for exchange in reversed(client.exchanges):
        body = exchange.json
        if exchange.kind == "token" and exchange.ok and isinstance(body, dict):
            decoded = decode_jwt(str(body.get("access_token", "")))
            if not isinstance(decoded, str) and str(decoded[0].get("typ", "")).lower() in AT_JWT_TYPES:
                draft.learn(
                    "access_token.format", "jwt", f"the access token of #{exchange.seq} is a JWT, typ at+jwt"
                )
                draft.source("access_token", "probe §access token (RFC 9068)")
            return


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
