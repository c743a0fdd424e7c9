"""`conformance probe`: the same safety as `conformance run`, then learn, then print or write.

A probe sends real credentials to someone's server and, on some providers, logs out every other
client of the account; so it refuses plain http:// off this machine, says what it will do
before a non-loopback target, and asks (or needs --yes).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from conformance.client import ClientCredentials, Credentials
from conformance.config import arguments
from conformance.config.arguments import Given
from conformance.config.loopback import is_loopback
from conformance.config.options import Use
from conformance.config.safety import check_transport_security
from conformance.config.settings import RunSettings
from conformance.credentials import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_PASSWORD, ENV_USERNAME
from conformance.errors import BudgetExhausted, TargetError, UsageError
from conformance.probe.discovery import NoTokenIssued
from conformance.probe.learn import DEFAULT_MAX_REQUESTS, NAME_PATTERN, ProbeSettings, learn_profile
from conformance.probe.services import PLACES
from conformance.profile import load_profile

__all__ = ["INCOMPLETE", "add_arguments", "credentials_from_environment", "main", "plan"]

INCOMPLETE = 2  # the server could not be reached, issued no token, or the budget ran out first


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # --url, --resource-path, --expiry-wait, --max-requests, --max-rps, --timeout,
    # --allow-insecure-http, --yes: as `conformance run` takes them (conformance.config.options).
    arguments.add_arguments(
        parser,
        "probe",
        {
            "max-requests": Use(
                default=DEFAULT_MAX_REQUESTS,
                help=f"request budget, token requests included (default {DEFAULT_MAX_REQUESTS})",
            )
        },
    )
    parser.add_argument(
        "--token-path",
        help="path of its token endpoint, e.g. /api/token (default: the token_endpoint of the "
        "RFC 8414 metadata the server publishes)",
    )
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="write the profile here (default: stdout)"
    )
    parser.add_argument("--name", help="the profile's name (default: from the URL's host)")


def credentials_from_environment() -> Credentials:
    """CONFORMANCE_USERNAME/PASSWORD are needed, unless only a client pair is given (a server
    probed by the client credentials grant); the pair goes together."""
    client_id, secret = os.environ.get(ENV_CLIENT_ID), os.environ.get(ENV_CLIENT_SECRET)
    missing = [n for n in (ENV_USERNAME, ENV_PASSWORD) if not os.environ.get(n)]
    if len(missing) == 2 and client_id and secret:
        return Credentials(ClientCredentials(client_id, secret), "", "")
    if missing:
        raise UsageError(f"set {', '.join(missing)} in the environment (never on the command line)")
    if bool(client_id) != bool(secret):
        given, absent = (
            (ENV_CLIENT_ID, ENV_CLIENT_SECRET) if client_id else (ENV_CLIENT_SECRET, ENV_CLIENT_ID)
        )
        raise UsageError(f"{given} is set but {absent} is not: set both, or neither for no client auth")
    client = ClientCredentials(client_id, secret) if client_id and secret else None
    return Credentials(client, os.environ[ENV_USERNAME], os.environ[ENV_PASSWORD])


def plan(settings: ProbeSettings, has_client: bool, has_user: bool = True) -> str:
    """What the probe will do to the account, said before it does it."""
    rate = f"at most {settings.max_rps:g} per second" if settings.max_rps else "no rate limit"
    wait = (
        f"it may wait up to {settings.expiry_wait:g} s to watch a token expire"
        if settings.expiry_wait
        else "it does not wait for a token to expire"
    )
    styles = "with and without client credentials" if has_client else "without client credentials"
    looked = sum(len(places) for places in PLACES.values())
    services = (
        f"  - it POSTs a made-up token to at most {looked} paths beside the token endpoint, to find the "
        "revocation and introspection endpoints the metadata does not name, and revokes one access "
        "token it was issued"
    )
    if not has_user:
        # A client pair alone: the client credentials grant, the secret only in the shapes the
        # metadata advertises where it publishes any.
        return "\n".join(
            [
                f"conformance probe is about to learn how {settings.url} behaves, by experiment:",
                f"  at most {settings.max_requests} requests in all, {rate}, no retries; {wait}.",
                "  It reads the server's metadata (RFC 8414, RFC 9728); then asks for tokens by the "
                "client credentials grant, one per client authentication method (HTTP Basic, the body; "
                "only those the metadata advertises, where it publishes any), and several more.",
                "  Side effects:",
                "  - if the server invalidates a client's earlier tokens on every request, other users of "
                "this client pair will need a new token",
                services,
            ]
        )
    lines = [
        f"conformance probe is about to learn how {settings.url} behaves, by experiment:",
        f"  at most {settings.max_requests} requests in all, {rate}, no retries; {wait}.",
        "  It first reads the server's metadata (RFC 8414, RFC 9728), where it is published.",
        "  Side effects:",
        "  - it requests several tokens for the account in CONFORMANCE_USERNAME: if the server "
        "invalidates earlier tokens on every request (some do), EVERY OTHER CLIENT USING THESE "
        "CREDENTIALS WILL BE LOGGED OUT; use a dedicated test account",
        f"  - it asks for tokens {styles}, with the parameters in the body and then in the query "
        "string (a server may log query strings); never with a wrong password or secret",
        "  - it uses a refresh token twice: a server that detects reuse may revoke that token family",
    ]
    if has_client:
        lines.append("  - it asks for one token by the client credentials grant with the client pair")
        lines.append(services)
    return "\n".join(lines)


def _confirm(settings: ProbeSettings, has_client: bool, has_user: bool) -> None:
    print(plan(settings, has_client, has_user), file=sys.stderr)
    if not sys.stdin.isatty():
        raise UsageError("no terminal to confirm on: pass --yes to probe a live target unattended")
    if input("Proceed? [y/N] ").strip().lower() not in {"y", "yes"}:
        raise UsageError("not confirmed; nothing was sent")


def _settings(args: argparse.Namespace) -> ProbeSettings:
    url = str(args.url).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError(f"--url {args.url!r}: expected an http:// or https:// URL")
    if parts.username or parts.password or parts.query:
        raise UsageError("--url: no credentials or query in the URL; credentials come from the environment")
    for flag, path in (("--token-path", args.token_path), ("--resource-path", args.resource_path)):
        if path is not None and not str(path).startswith("/"):
            raise UsageError(f"{flag} {path!r}: expected a path starting with /")
    if args.name is not None and not NAME_PATTERN.match(args.name):
        raise UsageError(f"--name {args.name!r}: lower-case letters, digits, '-' and '_' only")
    if args.max_requests < 1 or args.expiry_wait < 0:
        raise UsageError("--max-requests must be at least 1 and --expiry-wait not negative")
    settings = RunSettings.from_given(Given.from_arguments(args, "probe", profile="probe"))
    assert settings is not None  # a profile was given
    check_transport_security(settings)
    return ProbeSettings(
        url=url,
        token_path=args.token_path,
        resource_path=args.resource_path,
        expiry_wait=args.expiry_wait,
        max_requests=args.max_requests,
        max_rps=settings.max_rps,  # as for a run: none on loopback unless given
        timeout=args.timeout,
        name=args.name,
    )


def main(args: argparse.Namespace) -> int:
    settings = _settings(args)
    credentials = credentials_from_environment()
    if not is_loopback(settings.url) and not args.yes:
        _confirm(settings, credentials.client is not None, bool(credentials.username))
    try:
        result = learn_profile(settings, credentials)
    except (TargetError, BudgetExhausted, NoTokenIssued) as exc:
        # As for `conformance run`: 2 when the work could not be completed, 4 for misuse.
        print(f"conformance probe: {exc}", file=sys.stderr)
        return INCOMPLETE
    if args.output is None:
        sys.stdout.write(result.text)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(result.text, encoding="utf-8")
    load_profile(str(args.output))  # it loads as a profile, extends and all
    print(f"conformance probe: wrote {args.output}: review it, then commit it", file=sys.stderr)
    return 0
