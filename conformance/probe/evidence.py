"""Exchanges cited as evidence: a comment in the profile names the exchange and what came back.

Only the sequence number, the status and an RFC 6749 error code are cited: never a body,
a header or a URL, which may carry what the run must not repeat.
"""

from __future__ import annotations

from conformance.client import Exchange

__all__ = ["outcome"]


def outcome(exchange: Exchange) -> str:
    """`#3 HTTP 401 invalid_client`: what a reviewer needs, with nothing secret."""
    if exchange.status is None:
        return f"#{exchange.seq} no response"
    code = f" {exchange.error_code}" if exchange.error_code and len(exchange.error_code) < 40 else ""
    return f"#{exchange.seq} HTTP {exchange.status}{code}"
