"""What a scenario works with: obtain tokens, call the resource, record expectations.

Scenarios never assert: they hand findings to the log, and the plugin turns the log into
the test's outcome (MUST and provider-doc findings fail it, SHOULD findings warn).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

import pytest

from conformance.checks.expectations import expect_issued, outcome
from conformance.client import ConformanceClient, Exchange
from conformance.clock import Clock
from conformance.findings import Finding, FindingLog
from conformance.ledger import TokenLedger
from conformance.profile import Profile
from conformance.requirements import Requirement, rfc6749
from conformance.settings import RunSettings

__all__ = ["DOCUMENTED", "IssuedToken", "Scenario", "ScenarioStopped"]

# The tag of a finding that the documented token request itself did not issue a token.
DOCUMENTED = "documented"


class ScenarioStopped(Exception):
    """The scenario cannot go on (no token to test with); the log says why."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in: Any
    exchange: Exchange


class Scenario:
    def __init__(
        self,
        *,
        profile: Profile,
        client: ConformanceClient,
        clock: Clock,
        ledger: TokenLedger,
        log: FindingLog,
        settings: RunSettings,
    ) -> None:
        self.profile = profile
        self.client = client
        self.clock = clock
        self.ledger = ledger
        self.log = log
        self.settings = settings

    @property
    def wait_budget(self) -> float:
        """Seconds of (real or emulated) time a scenario may spend watching a token expire."""
        return math.inf if self.settings.emulate else self.settings.expiry_wait

    # -- outcomes ------------------------------------------------------------------------
    def expect(self, findings: list[Finding], requirement: Requirement | None = None, note: str = "") -> bool:
        """Record findings; with none, record that `requirement` held. True when it held."""
        self.log.extend(findings)
        if not findings and requirement is not None:
            self.log.held(requirement, note)
        return not findings

    def stop(self, reason: str) -> NoReturn:
        raise ScenarioStopped(reason)

    # -- applicability ------------------------------------------------------------------
    def requires(self, condition: bool, reason: str) -> None:
        """Skip on what the run has seen so far (no expires_in to watch, say). What a scenario
        needs of the profile and target it declares instead (`conformance.markers.applies`), so
        that it is skipped at collection, before it sends anything."""
        if not condition:
            pytest.skip(f"profile {self.profile.name}: {reason}")

    # -- moves ---------------------------------------------------------------------------
    def obtain_token(self, purpose: str = "token: password grant") -> IssuedToken:
        """A fresh token by the documented password grant (the client credentials grant where
        the profile offers only that), or the scenario stops."""
        if self.client.issuing_grant == "client_credentials":
            exchange = self.client.client_credentials_grant(
                purpose.replace("password grant", "client credentials")
            )
            requirement = rfc6749.CC_ISSUES
        else:
            exchange = self.client.password_grant(purpose)
            requirement = rfc6749.PASSWORD_GRANT_ISSUES
        # The documented request refused is a cause of its own: what a changed request gets
        # follows from it (`DOCUMENTED`).
        findings = [
            replace(f, tag=DOCUMENTED) for f in expect_issued(exchange, requirement, "valid credentials")
        ]
        self.expect(findings, requirement)
        if findings:
            self.stop(f"could not obtain a token to test with: {outcome(exchange)}")
        return self.issued(exchange)

    @staticmethod
    def issued(exchange: Exchange) -> IssuedToken:
        body = exchange.json
        assert isinstance(body, dict)
        refresh = body.get("refresh_token")
        return IssuedToken(
            str(body["access_token"]),
            refresh if isinstance(refresh, str) and refresh else None,
            body.get("expires_in"),
            exchange,
        )
