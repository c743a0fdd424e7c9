"""Exchanges made by hand, for the unit tests of checks, the ledger and liveness: a test names
only what matters to it; the rest of the record is the same everywhere."""

from __future__ import annotations

from typing import Any

from conformance.client import Exchange
from conformance.client.exchange import ExchangeKind


def recorded(
    kind: ExchangeKind = "token",
    *,
    seq: int = 1,
    purpose: str = "test",
    url: str = "http://x/api/token",
    started_at: float = 0.0,
    **fields: Any,
) -> Exchange:
    """An exchange as the client records it: GET for the resource, POST otherwise."""
    method = "GET" if kind == "resource" else "POST"
    return Exchange(seq, kind, purpose, method, url, [], "", started_at, **fields)
