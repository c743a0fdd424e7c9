"""The request budget and rate limit every layer's requests pass through.

A live server is someone's production: the run sends at most `max_requests` requests, no
faster than `max_rps` per second, whichever layer (scripted, property-based, stateful) asks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from conformance.errors import BudgetExhausted

__all__ = ["RequestBudget"]


class RequestBudget:
    def __init__(
        self,
        max_requests: int | None = None,
        max_rps: float | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_requests = max_requests
        self.max_rps = max_rps
        self.spent = 0
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Take one request from the budget, waiting for its slot; raise when it is spent."""
        with self._lock:
            if self.max_requests is not None and self.spent >= self.max_requests:
                raise BudgetExhausted(
                    f"the request budget of {self.max_requests} requests is spent "
                    "(raise it with --max-requests)"
                )
            self.spent += 1
            delay = 0.0
            if self.max_rps:
                now = self._monotonic()
                slot = max(now, self._next_slot)
                self._next_slot = slot + 1.0 / self.max_rps
                delay = slot - now
        if delay > 0:
            self._sleep(delay)
