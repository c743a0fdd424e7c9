"""What a scenario expects of one particular exchange, as findings (never asserts)."""

from __future__ import annotations

from collections.abc import Collection

from conformance.client.exchange import Exchange
from conformance.findings import Finding
from conformance.requirements import Requirement

__all__ = ["expect_accepted", "expect_issued", "expect_refused", "expect_rejected", "outcome"]


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
    return [Finding(requirement, f"HTTP 200 with an access token for {what}", outcome(exchange), exchange)]


def expect_refused(
    exchange: Exchange,
    requirement: Requirement,
    codes: Collection[str],
    what: str,
) -> list[Finding]:
    """A token request that must be refused with one of `codes`."""
    wanted = " or ".join(sorted(codes))
    expected = f"refusal of {what} with error {wanted}"
    if exchange.ok or exchange.status is None:
        return [Finding(requirement, expected, outcome(exchange), exchange)]
    if exchange.error_code not in codes:
        return [Finding(requirement, expected, outcome(exchange), exchange)]
    return []


def expect_accepted(exchange: Exchange, requirement: Requirement, what: str) -> list[Finding]:
    if exchange.ok:
        return []
    return [Finding(requirement, f"HTTP 2xx for {what}", outcome(exchange), exchange)]


def expect_rejected(exchange: Exchange, requirement: Requirement, what: str) -> list[Finding]:
    if exchange.status is not None and 400 <= exchange.status < 500:
        return []
    return [Finding(requirement, f"a 4xx refusal of {what}", outcome(exchange), exchange)]
