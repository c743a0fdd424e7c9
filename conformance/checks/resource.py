"""Checks of every refusal by the protected resource (RFC 6750 §3, the profile's rejection)."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.challenge import parse_challenges
from conformance.checks.registry import check
from conformance.client.exchange import Exchange
from conformance.engine.findings import Finding
from conformance.profile import UNSPECIFIED, Profile
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6750
from conformance.schemas import violations

__all__: list[str] = []


def _shown(exchange: Exchange) -> str:
    values = exchange.headers_named("www-authenticate")
    return f"WWW-Authenticate: {' | '.join(values)}" if values else "no WWW-Authenticate header"


@check("resource-rejection")
def bearer_challenge(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    challenges = parse_challenges(exchange.headers_named("www-authenticate"))
    bearer = [c for c in challenges if c.scheme.lower() == "bearer"]
    if not bearer:
        yield Finding(rfc6750.CHALLENGE, "WWW-Authenticate: Bearer ...", _shown(exchange), exchange)
    elif any(c.count("realm") > 1 for c in bearer):
        yield Finding(rfc6750.REALM_ONCE, "realm at most once", _shown(exchange), exchange)


def _well_formed_bearer(profile: Profile, exchange: Exchange) -> bool:
    """A syntactically valid bearer token was presented (not a malformed request, §3.1), other
    than a valid one lacking the resource's required scope."""
    lacking = profile.resource.required_scope is not None and exchange.lacks_required_scope
    return (
        (exchange.auth_scheme_sent or "").lower() == "bearer"
        and exchange.token_key is not None
        and not lacking
        and not exchange.malformed
    )


@check("resource-rejection")
def invalid_token_status(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    if _well_formed_bearer(profile, exchange) and exchange.status != 401:
        yield Finding(rfc6750.INVALID_TOKEN_STATUS, "HTTP 401", f"HTTP {exchange.status}", exchange)


@check("resource-rejection")
def invalid_token_code(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    if not _well_formed_bearer(profile, exchange):
        return
    bearer = [
        c
        for c in parse_challenges(exchange.headers_named("www-authenticate"))
        if c.scheme.lower() == "bearer"
    ]
    if not any(c.param("error") == "invalid_token" for c in bearer):
        yield Finding(
            rfc6750.INVALID_TOKEN_CODE,
            'WWW-Authenticate: Bearer error="invalid_token"',
            _shown(exchange),
            exchange,
        )


@check("resource-rejection")
def no_error_code_without_credentials(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    # A token in the query (RFC 6750 §2.3) is authentication information too, and an Authorization
    # header, even an empty one, makes the request malformed at worst (§3.1 invalid_request).
    sent_header = any(name.lower() == "authorization" for name, _ in exchange.request_headers)
    if exchange.auth_scheme_sent is not None or sent_header or "access_token=" in exchange.url:
        return
    bearer = [
        c
        for c in parse_challenges(exchange.headers_named("www-authenticate"))
        if c.scheme.lower() == "bearer"
    ]
    if any(c.param("error") is not None for c in bearer):
        yield Finding(
            rfc6750.NO_ERROR_WITHOUT_CREDENTIALS,
            "a Bearer challenge without an error code",
            _shown(exchange),
            exchange,
        )


@check("resource-rejection")
def documented_status(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    documented = profile.resource.rejection.status
    if documented == UNSPECIFIED or not _well_formed_bearer(profile, exchange):
        return
    if exchange.status != documented:
        yield Finding(
            provider.REJECTION_STATUS,
            f"HTTP {documented} ({profile.resource.source})",
            f"HTTP {exchange.status}",
            exchange,
        )


@check("resource-rejection")
def documented_challenge_scheme(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    documented = profile.resource.rejection.www_authenticate
    if documented is None:
        return
    schemes = {c.scheme.lower() for c in parse_challenges(exchange.headers_named("www-authenticate"))}
    if documented.lower() not in schemes:
        yield Finding(
            provider.REJECTION_CHALLENGE,
            f"WWW-Authenticate: {documented} ({profile.resource.source})",
            _shown(exchange),
            exchange,
        )


@check("resource-rejection")
def documented_body(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    schema = profile.resource.rejection.body_schema
    if schema is None or exchange.malformed:
        # The documented body is that of an unusable token's refusal; a malformed request's
        # refusal (RFC 6750 §3.1 invalid_request) is another.
        return
    expected = f"a body per {schema}.schema.json ({profile.resource.source})"
    if exchange.json_error or exchange.json is None:
        got = exchange.json_error or "an empty body"
        yield Finding(provider.REJECTION_BODY, expected, got, exchange)
        return
    problems = [e.message for e in violations(schema, exchange.json)]
    if problems:
        yield Finding(provider.REJECTION_BODY, expected, "; ".join(problems), exchange)
