"""Progress of the searches against a live target: which search, which requirements, how many
examples of how many, how many requests sent so far. One line per example, as `st run` shows one
per operation: against someone's server at a few requests a second, a search takes minutes.
A search says its first example, its last, and one in between every few seconds.

Shown only for a live target (the in-process emulator answers a search in a blink), only by the
process that owns the terminal (not an xdist worker), and not with `-q`. The line goes past
pytest's output capture, to the terminal itself.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence

import pytest

from conformance.config.settings import RunSettings

__all__ = ["PROGRESS", "SearchProgress"]


EVERY = 2.0  # seconds between two lines of one search (its first and last example always show)
NAMED = 2  # requirements named in a line; the others counted


class SearchProgress:
    def __init__(self, config: pytest.Config, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._last: dict[str, float] = {}  # search title -> when it last said something

    @classmethod
    def for_run(cls, config: pytest.Config, settings: RunSettings, worker: bool) -> SearchProgress | None:
        if not settings.live or worker or config.option.verbose < 0:
            return None
        return cls(config)

    def example(self, title: str, requirements: Sequence[str], done: int, total: int, requests: int) -> None:
        now = self._clock()
        if done not in (1, total) and now - self._last.get(title, now) < EVERY:
            return
        self._last[title] = now
        reporter = self._config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return
        named = ", ".join(requirements[:NAMED]) + (
            f" and {len(requirements) - NAMED} more" if len(requirements) > NAMED else ""
        )
        shown = f" ({named})" if requirements else ""
        line = f"conformance: search {title}{shown}: example {done} of {total}, {requests} requests sent"
        capture = self._config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            reporter.write_line(line)


# Where a live run's searches say how far they got, on pytest's config (None: they say nothing).
PROGRESS: pytest.StashKey[SearchProgress | None] = pytest.StashKey()
