"""Checks of every token endpoint refusal (RFC 6749 §5.2)."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.challenge import parse_challenges
from conformance.checks.registry import check
from conformance.client.exchange import Exchange
from conformance.findings import Finding
from conformance.profile import Profile
from conformance.requirements import rfc6749
from conformance.schemas import violations

__all__: list[str] = []

_EXPECTED = (
    "HTTP 400 (401 for invalid_client), Content-Type application/json, a JSON object whose "
    "error is an RFC 6749 §5.2 code"
)


@check("token-error")
def error_is_rfc6749(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    problems = []
    code = exchange.error_code
    allowed_status = {400, 401} if code == "invalid_client" else {400}
    if exchange.status not in allowed_status:
        problems.append(f"HTTP {exchange.status}")
    content_type = exchange.header("content-type") or "(none)"
    if "json" not in content_type.lower():
        problems.append(f"Content-Type {content_type}")
    if exchange.json_error:
        problems.append(exchange.json_error)
    elif not isinstance(exchange.json, dict):
        problems.append(f"body is a JSON {type(exchange.json).__name__}, not an object")
    else:
        problems += [
            f"{'.'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
            for e in violations("rfc6749-error", exchange.json)
        ]
    if problems:
        yield Finding(rfc6749.ERROR_RESPONSE, _EXPECTED, "; ".join(problems), exchange)


@check("token-error")
def invalid_client_challenges(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    if exchange.error_code != "invalid_client" or exchange.auth_scheme_sent is None:
        return
    scheme = exchange.auth_scheme_sent
    challenges = parse_challenges(exchange.headers_named("www-authenticate"))
    problems = []
    if exchange.status != 401:
        problems.append(f"HTTP {exchange.status}")
    if not any(c.scheme.lower() == scheme.lower() for c in challenges):
        shown = ", ".join(exchange.headers_named("www-authenticate")) or "none"
        problems.append(f"WWW-Authenticate: {shown}")
    if problems:
        yield Finding(
            rfc6749.INVALID_CLIENT_401,
            f"HTTP 401 with WWW-Authenticate: {scheme} ... (the client authenticated with {scheme})",
            "; ".join(problems),
            exchange,
        )
