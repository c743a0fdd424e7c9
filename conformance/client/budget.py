"""The request budget and rate limit every layer's requests pass through.

A live server is someone's production: the run sends at most `max_requests` requests, no
faster than `max_rps` per second, whichever layer (scripted, property-based, stateful) asks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from conformance.errors import BudgetExhausted, TokenBudgetSpent

__all__ = ["TOKEN_BUDGET_OPTION", "RequestBudget", "TokenBudget"]

# Named in every reason a check gives for what the token budget kept it from: the results read
# it (a requirement another test passed is still only partial where the budget cut one short).
TOKEN_BUDGET_OPTION = "--max-tokens"


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


class TokenBudget:
    """How many access tokens the run may obtain (None: any number).

    Each token a server issues may cost someone a session (a profile whose new tokens log the
    account's other sessions out): requests meant to obtain one take from this budget before
    they are sent; requests the server must refuse take nothing.
    """

    def __init__(self, max_tokens: int | None = None) -> None:
        self.max_tokens = max_tokens
        self._issued: Callable[[], int] = lambda: 0
        self._ceiling: int | None = None  # a share of the budget set aside for one test

    def count_with(self, issued: Callable[[], int]) -> None:
        """Where the number of tokens obtained so far is read (the client's record)."""
        self._issued = issued

    @property
    def left(self) -> int | None:
        """Tokens the run may still obtain; None without a budget."""
        if self.max_tokens is None:
            return None
        limit = self.max_tokens if self._ceiling is None else min(self.max_tokens, self._ceiling)
        return max(0, limit - self._issued())

    @contextmanager
    def share(self, least: int = 2) -> Iterator[None]:
        """While the block runs, at most a third of what is left (and at least `least`, where that
        much is left): a test that would spend every token leaves some to the tests after it."""
        left = self.left
        if left is None:
            yield
            return
        self._ceiling = self._issued() + max(min(least, left), -(-left // 3))
        try:
            yield
        finally:
            self._ceiling = None

    def affords(self, tokens: int = 1) -> bool:
        left = self.left
        return left is None or left >= tokens

    def spent_reason(self, what: str) -> str:
        """Why `what`, a check of its own, was not sent: the verdict's note on what it left
        untested (it makes a requirement another test passed partial)."""
        return f"{what} not sent once the run's {self.max_tokens} tokens were spent ({TOKEN_BUDGET_OPTION})"

    def shortened(self, what: str) -> str:
        """Why a search made fewer of `what`: it explored less, as with fewer examples (partial
        in its own test, never outweighing a check that ran in full)."""
        return f"{what} not made once the run's token budget of {self.max_tokens} was spent"

    def ensure(self, purpose: str, tokens: int = 1) -> None:
        """Raise before a request meant to obtain `tokens` when the budget cannot cover them (the
        tokens are counted once issued: nothing is set aside)."""
        if not self.affords(tokens):
            share = "" if self._ceiling is None else ", this test's share of it included"
            raise TokenBudgetSpent(
                f"{purpose}: the run's budget of {self.max_tokens} tokens is spent{share} "
                f"({self._issued()} obtained; raise it with {TOKEN_BUDGET_OPTION})"
            )
