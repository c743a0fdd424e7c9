"""The HTTP client: builds requests as the profile says, records every exchange redacted."""

from __future__ import annotations

from conformance.client.client import ClientCredentials, ConformanceClient, Credentials, Target
from conformance.client.exchange import Exchange
from conformance.client.transport import InProcessASGITransport

__all__ = [
    "ClientCredentials",
    "ConformanceClient",
    "Credentials",
    "Exchange",
    "InProcessASGITransport",
    "Target",
]
