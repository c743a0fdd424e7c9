"""One conformance run: the profile, the target, the client, the clock and the ledger.

Plain Python: the pytest plugin builds one per session, a script can build one by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

import conformance.checks as checks
from conformance.client import ConformanceClient, Credentials, Exchange, InProcessASGITransport, Target
from conformance.client.budget import RequestBudget, TokenBudget
from conformance.clock import Clock, ManualClock, SystemClock
from conformance.config.preflight import check_reachable
from conformance.config.safety import check_transport_security
from conformance.config.settings import RunSettings
from conformance.emulator import Emulator
from conformance.engine.findings import FindingLog
from conformance.engine.ledger import TokenLedger
from conformance.engine.scenario import IssuedToken
from conformance.engine.token_bank import TokenBank
from conformance.profile import Profile, load_profile
from conformance.redaction import Redactor

__all__ = ["EMULATED_BASE_URL", "EMULATED_RESOURCE_PATH", "ConformanceRun", "RedactingLogFilter"]

EMULATED_BASE_URL = "http://emulator.conformance"
EMULATED_RESOURCE_PATH = "/protected"


class RedactingLogFilter(logging.Filter):
    """httpx logs request URLs at INFO; a query-string profile would put passwords there."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.scrub(record.getMessage())
        record.args = ()
        return True


class ConformanceRun:
    def __init__(self, settings: RunSettings, profile: Profile | None = None) -> None:
        self.settings = settings
        self.profile = profile or load_profile(settings.profile)
        self.redactor = Redactor()
        self.emulator: Emulator | None = None
        transport: httpx.BaseTransport | None = None
        if settings.emulate or settings.dry_run:
            self.clock: Clock = ManualClock()
            self.emulator = Emulator(
                self.profile,
                clock=self.clock,
                defects=settings.defects,
                lifetime=settings.lifetime,
                variants=settings.variants,
            )
            transport = InProcessASGITransport(self.emulator.app, timeout=settings.timeout)
            credentials = self.emulator.credentials
            # A dry run shows the requests as they would go to the target, but sends them to
            # an emulator that behaves as documented.
            base_url = settings.url if settings.dry_run and settings.url else EMULATED_BASE_URL
            resource_path: str | None = settings.resource_path or self.profile.resource.path
            if settings.emulate:
                resource_path = resource_path or EMULATED_RESOURCE_PATH
        else:
            assert settings.url is not None
            check_transport_security(settings)
            self.clock = SystemClock()
            credentials = Credentials.from_environment(self.profile)
            base_url = settings.url
            resource_path = settings.resource_path or self.profile.resource.path
        self.target = Target(base_url, not settings.live, resource_path, dry_run=settings.dry_run)
        self.client = ConformanceClient(
            self.profile,
            self.target,
            credentials,
            self.redactor,
            self.clock,
            transport=transport,
            timeout=settings.timeout,
            budget=RequestBudget(settings.max_requests, settings.max_rps),
            token_budget=TokenBudget(settings.max_tokens),
            offered_grants_only=True,
        )
        self.ledger = TokenLedger(self.profile, self.clock)
        # A frugal run lends the tokens it holds to every scenario that can use one.
        self.bank = (
            TokenBank(self.profile, self.ledger, self.clock, self._still_works if resource_path else None)
            if settings.frugal
            else None
        )
        # The logs exchanges are recorded into, innermost last: see `recording_into`.
        self._recording: list[FindingLog] = []
        self.unreachable: str | None = None  # the target could not be reached: nothing ran
        self.stopped: str | None = None  # the run ended early (request budget spent, target silent)
        self.unanswered = 0  # tests in a row that ended because the target did not answer
        # Under pytest-xdist the controller sends nothing itself: its workers' counts add up here.
        self.requests_by_workers = 0
        self.token_requests_by_workers = 0
        self.tokens_issued_by_workers = 0
        self.tokens_asked_by_workers = 0
        self.client.listeners.append(self._on_exchange)
        self._log_filter = RedactingLogFilter(self.redactor)
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).addFilter(self._log_filter)

    def _still_works(self, token: IssuedToken) -> bool:
        """Whether the resource serves `token` now: asked before lending a token a newer one may
        have ended (the profile leaves it open)."""
        answer = self.client.call_resource(token.access_token, "resource: does the run's token still work?")
        return answer.ok

    @property
    def request_count(self) -> int:
        """Requests the run sent, by this process and its xdist workers."""
        return self.client.request_count + self.requests_by_workers

    @property
    def token_request_count(self) -> int:
        return self.client.token_request_count + self.token_requests_by_workers

    @property
    def tokens_issued(self) -> int:
        return self.client.tokens_issued + self.tokens_issued_by_workers

    @property
    def tokens_asked(self) -> int:
        """Of the tokens issued, those the run asked for (what its token budget counts)."""
        return self.client.tokens_asked + self.tokens_asked_by_workers

    def preflight(self) -> None:
        """Fail fast, and gently, when a live target cannot be reached."""
        if self.settings.live:
            check_reachable(self.target.base_url, timeout=min(self.settings.timeout, 10.0))

    def begin_test(self) -> FindingLog:
        """A fresh log for one test, the emulator (if any) reset unless the run is frugal (its
        tokens outlive the test that obtained them, as on a live server): record into it with
        `recording_into`."""
        if self.emulator is not None and not self.settings.frugal:
            self.emulator.reset()
        return FindingLog()

    @contextmanager
    def recording_into(self, log: FindingLog) -> Iterator[FindingLog]:
        """Every exchange the client makes, and its findings, go to `log` while the block runs.

        Blocks nest: an inner log (one example of a property search) takes the exchanges while
        it is open, and the enclosing one (the test's) receives them again once it closes. Outside
        every block exchanges are still audited and feed the ledger, but no log keeps them.
        """
        self._recording.append(log)
        try:
            yield log
        finally:
            # Blocks close innermost first; a log left open by its opener would misroute the rest.
            if self._recording.pop() is not log:
                raise RuntimeError("recording_into blocks closed out of order")

    def _on_exchange(self, exchange: Exchange) -> None:
        log = self._recording[-1] if self._recording else None
        findings = checks.audit(self.profile, exchange) + self.ledger.observe(exchange)
        if self.bank is not None:
            self.bank.observe(exchange)
        if log is not None:
            log.record(exchange)
            log.extend(findings)

    def close(self) -> None:
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).removeFilter(self._log_filter)
        self.client.close()
