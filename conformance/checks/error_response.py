"""Checks of every token endpoint refusal (RFC 6749 §5.2)."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.challenge import parse_challenges
from conformance.checks.registry import check
from conformance.client.exchange import Exchange
from conformance.engine.findings import Finding
from conformance.profile import Profile
from conformance.requirements.rfc import rfc6749, rfc7009, rfc7662, rfc9110
from conformance.schemas import violations

__all__: list[str] = []

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# RFC 8628 §3.5: the device grant's token endpoint errors, beside RFC 6749 §5.2's.
DEVICE_CODES = frozenset({"authorization_pending", "slow_down", "access_denied", "expired_token"})

_EXPECTED = (
    "HTTP 400 (401 for invalid_client), Content-Type application/json, a JSON object whose "
    "error is an RFC 6749 §5.2 code"
)


def _refused_method(exchange: Exchange) -> bool:
    """A 4xx to a request by another method than POST (RFC 6749 §3.2 has clients POST): refused
    before OAuth processing (405, a router's 404), not a malformed §5.2 error. Only a server error
    would be one."""
    status = exchange.status or 0
    return exchange.method.upper() != "POST" and 400 <= status < 500


def _refused_media_type(exchange: Exchange) -> bool:
    """HTTP 415 to a request whose body is not the form RFC 6749 §4.3.2 prescribes.

    The request never reached OAuth processing: a framework's media-type refusal is an allowed
    answer there, not a malformed §5.2 error.
    """
    sent = next((v for k, v in exchange.request_headers if k.lower() == "content-type"), "")
    return exchange.status == 415 and "application/x-www-form-urlencoded" not in sent.lower()


@check("token-error")
def error_is_rfc6749(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    if _refused_media_type(exchange) or _refused_method(exchange):
        return
    problems = []
    code = exchange.error_code
    allowed_status = {400, 401} if code == "invalid_client" else {400}
    if exchange.status not in allowed_status:
        problems.append(f"HTTP {exchange.status}")
    content_type = exchange.header("content-type") or "(none)"
    if "json" not in content_type.lower():
        problems.append(f"Content-Type {content_type}")
    not_an_object = exchange.json_object_problem
    if not_an_object:
        problems.append(not_an_object)
    else:
        body = exchange.json
        if (
            exchange.grant_type == DEVICE_GRANT
            and isinstance(body, dict)
            and body.get("error") in DEVICE_CODES
        ):
            body = {**body, "error": "invalid_grant"}  # RFC 8628 §3.5 adds its codes to §5.2's
        problems += [
            f"{'.'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
            for e in violations("rfc6749-error", body)
        ]
    if problems:
        yield Finding(rfc6749.ERROR_RESPONSE, _EXPECTED, "; ".join(problems), exchange)


# Whose rule a failed HTTP client authentication breaks, by endpoint: RFC 6749 §5.2's, as RFC 7009
# §2.2.1 and RFC 7662 §2.3 take it over.
_INVALID_CLIENT_401 = {
    "token": rfc6749.INVALID_CLIENT_401,
    "revocation": rfc7009.INVALID_CLIENT_401,
    "introspection": rfc7662.CALLER_REFUSED_401,
}


@check("token-error")
@check("service-error")
def invalid_client_challenges(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    """RFC 6749 §5.2: invalid_client after header authentication is 401 with a matching challenge;
    at revocation and introspection a 401 to a client that authenticated by the header is judged
    alike, whatever its body says (their answers to a failed client are RFC 6749 §5.2's).

    A scheme the token endpoint does not support (a Bearer header where Basic is expected)
    cannot be challenged with itself: then any challenge satisfies RFC 7235 §3.1.
    """
    if exchange.auth_scheme_sent is None:
        return
    service = exchange.kind in ("revocation", "introspection")
    if exchange.error_code != "invalid_client" and not (service and exchange.status == 401):
        return
    scheme = exchange.auth_scheme_sent
    supported = scheme.lower() == "basic"  # RFC 6749 §2.3.1: the one scheme every AS supports
    challenges = parse_challenges(exchange.headers_named("www-authenticate"))
    problems = []
    if exchange.status != 401:
        problems.append(f"HTTP {exchange.status}")
    if not any(c.scheme.lower() == scheme.lower() or not supported for c in challenges):
        shown = ", ".join(exchange.headers_named("www-authenticate")) or "none"
        problems.append(f"WWW-Authenticate: {shown}")
    if problems:
        wanted = scheme if supported else "(any scheme the endpoint supports)"
        yield Finding(
            _INVALID_CLIENT_401[exchange.kind],
            f"HTTP 401 with WWW-Authenticate: {wanted} ... (the client authenticated with {scheme})",
            "; ".join(problems),
            exchange,
        )


@check("token-success")
def error_answered_as_success(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    """RFC 6749 §5.2: an error is answered with HTTP 400 (401), never with 2xx."""
    body = exchange.json
    if isinstance(body, dict) and "error" in body and "access_token" not in body:
        yield Finding(
            rfc6749.ERROR_RESPONSE,
            "a token error answered with HTTP 400 (401 for invalid_client)",
            f"HTTP {exchange.status} with error {body['error']!r}",
            exchange,
        )


@check("token-error")
@check("service-error")
def unauthorized_carries_a_challenge(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    """RFC 9110 §15.5.2: a 401 MUST carry a WWW-Authenticate challenge. A client that
    authenticated by the Authorization header is judged by RFC6749-5.2-invalid-client-401, which
    asks for the challenge of its scheme: this one is for the others."""
    if exchange.status != 401 or exchange.auth_scheme_sent is not None:
        return
    if not parse_challenges(exchange.headers_named("www-authenticate")):
        finding = Finding(
            rfc9110.UNAUTHORIZED_CHALLENGE,
            "HTTP 401 with a WWW-Authenticate challenge (RFC 9110 §15.5.2), or a 400 without one",
            "HTTP 401 without WWW-Authenticate",
            exchange,
        )
        # A 401 for another error than invalid_client is already the wrong status (RFC 6749 §5.2):
        # its missing challenge follows from that.
        wrong_status = exchange.kind == "token" and exchange.error_code != "invalid_client"
        yield finding.following(rfc6749.ERROR_RESPONSE) if wrong_status else finding
