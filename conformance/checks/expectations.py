"""What a scenario expects of one particular exchange, as findings (never asserts)."""

from __future__ import annotations

from collections.abc import Collection

from conformance.client.exchange import Exchange
from conformance.engine.findings import Finding
from conformance.requirements import Requirement
from conformance.requirements.rfc import rfc6749

__all__ = [
    "DOCUMENTED_REFUSED",
    "RFC6749_ERROR_CODES",
    "expect_accepted",
    "expect_issued",
    "expect_refused",
    "expect_rejected",
    "outcome",
    "without_rfc_code",
]

RFC6749_ERROR_CODES = rfc6749.ERROR_CODES  # RFC 6749 §5.2


def outcome(exchange: Exchange) -> str:
    """What came back, in a few words a reader can act on."""
    if exchange.status is None:
        return f"no response ({exchange.error})"
    parts = [f"HTTP {exchange.status}"]
    if exchange.error_code:
        parts.append(f"error {exchange.error_code!r}")
    elif exchange.json_error:
        parts.append(exchange.json_error)
    if exchange.kind == "token" and isinstance(exchange.json, dict) and "access_token" in exchange.json:
        parts.append("an access token")
    retry_after = exchange.header("retry-after")
    if retry_after is not None:
        # Reported, never obeyed: a retry would hide the fault the run exists to find.
        parts.append(f"Retry-After: {retry_after} (the suite does not retry)")
    return ", ".join(parts)


def expect_issued(exchange: Exchange, requirement: Requirement, what: str) -> list[Finding]:
    if exchange.issued_token:  # an empty token is none to go on with
        return []
    server_error = exchange.status is not None and exchange.status >= 500
    finding = Finding(
        requirement,
        f"HTTP 200 with an access token for {what}",
        outcome(exchange),
        exchange,
        judges="outcome" if exchange.status is not None and not exchange.ok and not server_error else "",
    )
    if exchange.ok:
        # A success without a usable access token: the response's form is at fault (a token
        # under another name, an empty one, a body that is not JSON), and its own requirement says so.
        finding = finding.following(rfc6749.SUCCESS_JSON, rfc6749.ACCESS_TOKEN_CHARSET)
    if server_error and exchange.kind == "token":
        finding = finding.following(rfc6749.ERROR_RESPONSE)  # a crash: RFC 6749 §5.2 judges it
    if exchange.error_code == "invalid_client" and exchange.basic_form_encoded:
        # Credentials form encoding changes, refused: a server that does not form-decode them.
        finding = finding.following(rfc6749.BASIC_FORM_ENCODED)
    return [finding]


def expect_refused(
    exchange: Exchange,
    requirement: Requirement,
    codes: Collection[str],
    what: str,
) -> list[Finding]:
    """A token request that must be refused with one of `codes`."""
    wanted = " or ".join(sorted(codes))
    expected = f"refusal of {what} with error {wanted}"
    if exchange.ok and exchange.issued_token is not None or exchange.status is None:
        return [Finding(requirement, expected, outcome(exchange), exchange)]
    if exchange.error_code not in codes:
        return [
            without_rfc_code(Finding(requirement, expected, outcome(exchange), exchange)).following(
                *DOCUMENTED_REFUSED
            )
        ]
    return []


# The documented token request refused (`conformance.engine.scenario.DOCUMENTED`): a server that does not
# serve it says nothing by the code it gives a changed one.
DOCUMENTED_REFUSED = (f"{rfc6749.PASSWORD_GRANT_ISSUES.id}#documented", f"{rfc6749.CC_ISSUES.id}#documented")


def without_rfc_code(finding: Finding) -> Finding:
    """A refusal that names no RFC 6749 §5.2 error code (no JSON, no error member, a code of its
    own, a server error) cannot name the right one: that follows from RFC6749-5.2-error."""
    exchange = finding.exchange
    if exchange is None or exchange.kind != "token" or exchange.error_code in RFC6749_ERROR_CODES:
        return finding
    return finding.following(rfc6749.ERROR_RESPONSE)


def expect_accepted(exchange: Exchange, requirement: Requirement, what: str) -> list[Finding]:
    if exchange.ok:
        return []
    return [Finding(requirement, f"HTTP 2xx for {what}", outcome(exchange), exchange, judges="outcome")]


def expect_rejected(exchange: Exchange, requirement: Requirement, what: str) -> list[Finding]:
    if exchange.status is not None and 400 <= exchange.status < 500:
        return []
    return [Finding(requirement, f"a 4xx refusal of {what}", outcome(exchange), exchange)]
