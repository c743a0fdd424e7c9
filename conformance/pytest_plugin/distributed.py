"""The suite under pytest-xdist: one run's verdicts, whichever process ran each scenario.

Each worker runs its share of the scenarios against its own emulator (reset for every test,
as in a serial run) or against the shared live target, and keeps its own records. When it
finishes it hands them to the controller with what the controller cannot know by itself: the
secrets its redactor learnt (tokens issued to it), its request counts, and why it stopped
early if it did. The controller orders the records as a serial run would have run them and
writes the one results.json, terminal summary, junit.xml and HTML report.

Two things make the distributed run agree with the serial one:

* a live target whose profile says (or does not deny) that a new token invalidates earlier
  ones is not distributed: its scenarios run in the controller, one after another, as they
  would serially (two workers' token requests would invalidate each other's tokens and fail
  scenarios that hold);
* N workers share the run's request budget, rate and token budget, so together they are as
  gentle with someone's server as one.
"""

from __future__ import annotations

import dataclasses
import math
import pickle
from typing import TYPE_CHECKING, Any

import pytest

from conformance.pytest_plugin.stash import RESULTS, RUN

if TYPE_CHECKING:
    from conformance.config.settings import RunSettings
    from conformance.engine.run import ConformanceRun
    from conformance.report.results import ResultsCollector

__all__ = [
    "ControllerHooks",
    "hand_over",
    "is_worker",
    "keep_serial",
    "serial_reason",
    "share_budget",
]

_OUTPUT_KEY = "conformance"


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _workers(config: pytest.Config) -> int:
    if is_worker(config):
        return max(1, int(config.workerinput.get("workercount", 1)))  # type: ignore[attr-defined]
    return 1


def share_budget(settings: RunSettings, config: pytest.Config) -> RunSettings:
    """This worker's part of the run's request budget and rate (all of it outside xdist)."""
    workers = _workers(config)
    if workers == 1 or (
        settings.max_requests is None and settings.max_rps is None and settings.max_tokens is None
    ):
        return settings
    return dataclasses.replace(
        settings,
        max_requests=math.ceil(settings.max_requests / workers) if settings.max_requests else None,
        max_rps=settings.max_rps / workers if settings.max_rps else None,
        # Tokens are not rounded up: together the workers never obtain more than the run may.
        max_tokens=max(1, settings.max_tokens // workers) if settings.max_tokens else None,
    )


def serial_reason(run: ConformanceRun) -> str | None:
    """Why this run's scenarios must not interleave, or None when they may.

    An emulator belongs to one process and is reset for every test: no two scenarios ever
    share one. A live target is shared; where a new token may invalidate earlier ones
    (the profile says so, or leaves it open), scenarios running side by side would fail each
    other's tokens."""
    if not run.settings.live:
        return None
    invalidates = run.profile.invalidates_earlier
    if invalidates is False:
        return None
    said = "says" if invalidates is True else "leaves open whether"
    return (
        f"profile {run.profile.name} {said} a new token invalidates earlier ones "
        f"(invalidation.new_token_invalidates_earlier, {run.profile.source_of('invalidation')})"
    )


def keep_serial(config: pytest.Config, run: ConformanceRun) -> str | None:
    """On the controller, before pytest-xdist starts its workers: a run whose scenarios must
    not interleave runs in this process, one scenario after another, whatever -n said.
    Returns the line the report header shows, or None when the run may be distributed."""
    if is_worker(config) or not config.pluginmanager.hasplugin("xdist"):
        return None
    if config.getoption("dist", "no") == "no" or not config.getoption("tx", None):
        return None
    reason = serial_reason(run)
    if reason is None:
        return None
    # xdist's own pytest_configure runs after this one (trylast) and reads these two.
    config.option.dist = "no"
    config.option.tx = []
    config.option.numprocesses = 0
    return f"conformance: the scenarios run one after another, not on xdist workers: {reason}"


def hand_over(config: pytest.Config, run: ConformanceRun, results: ResultsCollector) -> None:
    """On a worker at its session's end: what the controller needs for the run's reports."""
    payload = {
        "records": list(results.tests.values()),
        "secrets": run.redactor.known(),
        "requests": run.client.request_count,
        "token_requests": run.client.token_request_count,
        "tokens_issued": run.client.tokens_issued,
        "tokens_asked": run.client.tokens_asked,
        "stopped": run.stopped,
        "unreachable": run.unreachable,
    }
    # Between this run's own processes only; execnet carries bytes.
    config.workeroutput[_OUTPUT_KEY] = pickle.dumps(payload)  # type: ignore[attr-defined]


class ControllerHooks:
    """Registered on the xdist controller: gathers each worker's records into the run's."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.order: dict[str, int] = {}

    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if not self.order:  # every worker collects the same items in the same order
            self.order = {nodeid: index for index, nodeid in enumerate(ids)}

    @pytest.hookimpl(tryfirst=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        output = getattr(node, "workeroutput", {}).get(_OUTPUT_KEY)
        if output is None:  # the worker died before its session ended: its tests say so
            return
        payload = pickle.loads(output)  # noqa: S301 (written by this run's own worker)
        run: ConformanceRun = self.config.stash[RUN]
        run.redactor.absorb(payload["secrets"])
        run.requests_by_workers += payload["requests"]
        run.token_requests_by_workers += payload["token_requests"]
        run.tokens_issued_by_workers += payload["tokens_issued"]
        run.tokens_asked_by_workers += payload["tokens_asked"]
        run.stopped = run.stopped or payload["stopped"]
        run.unreachable = run.unreachable or payload["unreachable"]
        results = self.config.stash[RESULTS]
        for record in payload["records"]:
            results.add(record)
        # The order a serial run would have run them in: the reports read the same.
        last = len(self.order)
        results.tests = dict(sorted(results.tests.items(), key=lambda item: self.order.get(item[0], last)))
