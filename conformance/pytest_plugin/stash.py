"""Typed keys for what the plugin keeps on pytest's config and items."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conformance.engine.progress import PROGRESS  # the searches look it up themselves

if TYPE_CHECKING:
    from conformance.config.settings import RunSettings
    from conformance.engine.findings import FindingLog
    from conformance.engine.run import ConformanceRun
    from conformance.report.results import ResultsCollector

__all__ = ["LOG", "PROGRESS", "RESULTS", "RUN", "SERIAL", "SETTINGS"]

SETTINGS: pytest.StashKey[RunSettings | None] = pytest.StashKey()
RUN: pytest.StashKey[ConformanceRun] = pytest.StashKey()
RESULTS: pytest.StashKey[ResultsCollector] = pytest.StashKey()
LOG: pytest.StashKey[FindingLog] = pytest.StashKey()
# Why a run asked to spread over xdist workers runs in one process instead (None: it may spread).
SERIAL: pytest.StashKey[str | None] = pytest.StashKey()
