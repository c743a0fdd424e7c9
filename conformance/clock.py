"""Time for the emulator and the suite: a manual clock in-process, the real one for live targets."""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """Seconds since an arbitrary origin; `advance` moves (or waits) forward."""

    def now(self) -> float: ...

    def advance(self, seconds: float) -> None: ...

    @property
    def is_manual(self) -> bool: ...


class ManualClock:
    """A clock that only moves when told: expiry scenarios run instantly against the emulator."""

    # Half past a second: a server keeping whole-second timestamps shows it from the first token.
    def __init__(self, start: float = 1_700_000_000.5) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._now += seconds

    @property
    def is_manual(self) -> bool:
        return True


class SystemClock:
    """Real time; `advance` sleeps, showing a countdown on a terminal."""

    def __init__(self, show_countdown: bool = True) -> None:
        self._show = show_countdown

    def now(self) -> float:
        return time.monotonic()

    def advance(self, seconds: float) -> None:
        deadline = time.monotonic() + max(0.0, seconds)
        interactive = self._show and sys.stderr.isatty()
        while (left := deadline - time.monotonic()) > 0:
            if interactive:
                sys.stderr.write(f"\r  waiting for token expiry: {left:6.1f} s left ")
                sys.stderr.flush()
            time.sleep(min(left, 1.0))
        if interactive:
            sys.stderr.write("\r" + " " * 44 + "\r")

    @property
    def is_manual(self) -> bool:
        return False
