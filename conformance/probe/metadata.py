"""What a server's own metadata says, read before any experiment: RFC 8414 authorization server
metadata names the token, revocation and introspection endpoints, the grant types, the client
authentication methods and the scopes; RFC 9728 protected resource metadata says the resource
publishes it, and which scopes it takes.

Where the authorization server metadata is published, `conformance probe --url BASE` needs no
--token-path: the draft takes the endpoints from it and says so ("learned from metadata"). Where
it is not, --token-path is required. The resource's own document is read either way: a resource
may publish one beside an authorization server that does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.client import ConformanceClient
from conformance.client.endpoints import fetch_metadata
from conformance.errors import UsageError
from conformance.probe.draft import Draft
from conformance.requirements.rfc.rfc8414 import AS_METADATA_PATH, PR_METADATA_PATH

__all__ = [
    "Advertised",
    "discover",
    "grants_unless_known",
    "learn_advertised",
    "learn_resource_metadata",
    "say_advertised",
]

# grant_types_supported values -> the profile's grants field.
_GRANTS = {
    "password": "grants.password",
    "refresh_token": "grants.refresh_token",
    "client_credentials": "grants.client_credentials",
}


@dataclass(slots=True)
class Advertised:
    """What the metadata advertises, as paths relative to the probed base URL."""

    token_path: str | None = None
    revocation_path: str | None = None
    introspection_path: str | None = None
    server_metadata: str | None = None
    resource_metadata: str | None = None
    grant_types: list[str] = field(default_factory=list)
    auth_methods: list[str] = field(default_factory=list)
    server_scopes: list[str] = field(default_factory=list)  # RFC 8414 scopes_supported
    resource_scopes: list[str] = field(default_factory=list)  # RFC 9728 scopes_supported
    elsewhere: list[str] = field(default_factory=list)  # endpoints on another origin

    @property
    def published(self) -> bool:
        """Whether the authorization server publishes RFC 8414 metadata (the endpoints' source)."""
        return self.server_metadata is not None

    def lists_grant(self, grant: str) -> bool:
        return self.published and grant in self.grant_types


def _relative(base: str, url: object, member: str, advertised: Advertised) -> str | None:
    """The path of `url` under `base`; an endpoint on another origin is noted, its path kept."""
    if not isinstance(url, str) or not url:
        return None
    parts, root = urlsplit(url), urlsplit(base)
    if (parts.scheme, parts.netloc) != (root.scheme, root.netloc) and parts.netloc:
        advertised.elsewhere.append(f"{member} {parts.scheme}://{parts.netloc}")
    prefix = root.path.rstrip("/")
    path = parts.path or "/"
    return (path[len(prefix) :] or "/") if prefix and path.startswith(prefix + "/") else path


def _document(client: ConformanceClient, path: str, purpose: str) -> dict[str, Any] | None:
    exchange = fetch_metadata(client, path, purpose)
    body = exchange.json
    return body if exchange.status == 200 and isinstance(body, dict) else None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def discover(client: ConformanceClient, base: str) -> Advertised:
    """Read the metadata at `base` (RFC 8414 §3.1; the well-known segment after the path too, as
    some servers place it), then the resource's (RFC 9728 §3). `published` is False when no
    authorization server metadata is there."""
    advertised = Advertised()
    root = urlsplit(base)
    candidates = [AS_METADATA_PATH]
    if root.path.strip("/"):
        # RFC 8414 §3.1: the segment goes between host and path, an absolute URL here.
        candidates.append(f"{root.scheme}://{root.netloc}{AS_METADATA_PATH}{root.path.rstrip('/')}")
    document = None
    for candidate in candidates:
        document = _document(client, candidate, "metadata: authorization server (RFC 8414)")
        if document is not None:
            advertised.server_metadata = candidate
            break
    if document is not None:
        _read_server(base, document, advertised)
    resource = _document(client, PR_METADATA_PATH, "metadata: protected resource (RFC 9728)")
    if resource is not None and "resource" in resource:
        advertised.resource_metadata = PR_METADATA_PATH
        advertised.resource_scopes = _strings(resource.get("scopes_supported"))
    return advertised


def _read_server(base: str, document: dict[str, Any], advertised: Advertised) -> None:
    advertised.token_path = _relative(base, document.get("token_endpoint"), "token_endpoint", advertised)
    advertised.revocation_path = _relative(
        base, document.get("revocation_endpoint"), "revocation_endpoint", advertised
    )
    advertised.introspection_path = _relative(
        base, document.get("introspection_endpoint"), "introspection_endpoint", advertised
    )
    advertised.grant_types = _strings(document.get("grant_types_supported"))
    advertised.auth_methods = _strings(document.get("token_endpoint_auth_methods_supported"))
    advertised.server_scopes = _strings(document.get("scopes_supported"))


def learn_advertised(draft: Draft, advertised: Advertised, given_token_path: str | None) -> str:
    """Put what the metadata advertises into the draft; the token path to probe."""
    how = "learned from metadata"
    token_path = given_token_path or advertised.token_path
    if token_path is None:
        raise UsageError("the metadata names no token_endpoint: pass --token-path")
    if given_token_path is None:
        draft.learn("token_endpoint.path", token_path, f"{how}: token_endpoint (RFC 8414 §2)")
        draft.source("token_endpoint", "probe §metadata (token_endpoint)")
    elif advertised.token_path not in (None, given_token_path):
        draft.remarks.append(
            f"The metadata names the token endpoint {advertised.token_path}; --token-path gave "
            f"{given_token_path}, which was probed."
        )
    server = advertised.server_metadata or ""
    if server.startswith("/"):
        draft.learn(
            "metadata.authorization_server", server, f"{how}: published here (HTTP 200, a JSON object)"
        )
    else:
        # A profile's paths hang under the probed URL; this one sits before its path (§3.1).
        draft.learn("metadata.authorization_server", None, f"{how}: published at {server}, outside the URL")
    draft.learn(
        "metadata.protected_resource",
        advertised.resource_metadata,
        f"{how}: RFC 9728 metadata {'published' if advertised.resource_metadata else 'not found'}",
    )
    draft.source("metadata", "probe §metadata (RFC 8414 §3, RFC 9728 §3)")
    if advertised.revocation_path is not None:
        draft.learn("revocation.path", advertised.revocation_path, f"{how}: revocation_endpoint (RFC 7009)")
        draft.source("revocation", "probe §metadata (revocation_endpoint)")
    if advertised.introspection_path is not None:
        draft.learn(
            "introspection.path", advertised.introspection_path, f"{how}: introspection_endpoint (RFC 7662)"
        )
        draft.source("introspection", "probe §metadata (introspection_endpoint)")
    if advertised.grant_types or advertised.auth_methods:
        draft.remarks.append(
            f"The metadata advertises grant types {', '.join(advertised.grant_types) or '(none listed)'} "
            f"and token endpoint auth methods {', '.join(advertised.auth_methods) or '(none listed)'}."
        )
    if advertised.elsewhere:
        draft.remarks.append(f"On another origin than the probed URL: {'; '.join(advertised.elsewhere)}.")
    return token_path


def learn_resource_metadata(draft: Draft, advertised: Advertised) -> None:
    """No authorization server metadata, but the resource publishes its own (RFC 9728 §3)."""
    if advertised.resource_metadata is None:
        return
    how = "learned from metadata"
    draft.learn("metadata.authorization_server", None, f"{how}: no RFC 8414 metadata at {AS_METADATA_PATH}")
    draft.learn(
        "metadata.protected_resource", advertised.resource_metadata, f"{how}: RFC 9728 metadata published"
    )
    draft.source("metadata", "probe §metadata (RFC 9728 §3)")


def grants_unless_known(draft: Draft, advertised: Advertised) -> None:
    """After the experiments: grants they did not decide, from grant_types_supported."""
    if not advertised.published:
        return
    for grant, path in _GRANTS.items():
        listed = grant in advertised.grant_types
        verb = "lists" if listed else "does not list"
        draft.learn_unless_known(path, listed, f"learned from metadata: grant_types_supported {verb} {grant}")


def say_advertised(advertised: Advertised, token_path: str, say: Callable[[str], None]) -> None:
    parts = [f"token endpoint {token_path}"]
    if advertised.revocation_path:
        parts.append(f"revocation {advertised.revocation_path}")
    if advertised.introspection_path:
        parts.append(f"introspection {advertised.introspection_path}")
    say(f"conformance probe: learned from metadata: {', '.join(parts)}")
