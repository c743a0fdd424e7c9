"""Typed keys for what the plugin keeps on pytest's config and items."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conformance.findings import FindingLog
    from conformance.progress import SearchProgress
    from conformance.results import ResultsCollector
    from conformance.run import ConformanceRun
    from conformance.settings import RunSettings

__all__ = ["LOG", "PROGRESS", "RESULTS", "RUN", "SERIAL", "SETTINGS"]

SETTINGS: pytest.StashKey[RunSettings | None] = pytest.StashKey()
RUN: pytest.StashKey[ConformanceRun] = pytest.StashKey()
RESULTS: pytest.StashKey[ResultsCollector] = pytest.StashKey()
LOG: pytest.StashKey[FindingLog] = pytest.StashKey()
# Why a run asked to spread over xdist workers runs in one process instead (None: it may spread).
SERIAL: pytest.StashKey[str | None] = pytest.StashKey()
# Where a live run's searches say how far they got (None: they say nothing).
PROGRESS: pytest.StashKey[SearchProgress | None] = pytest.StashKey()
