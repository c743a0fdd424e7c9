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
from conformance.credentials import GRANT_LABELS
from conformance.findings import Finding, FindingLog
from conformance.ledger import TokenLedger
from conformance.profile import Profile
from conformance.requirements import Requirement, provider, rfc6749
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
        grant: str | None = None,
    ) -> None:
        self.profile = profile
        self.client = client
        self.clock = clock
        self.ledger = ledger
        self.log = log
        self.settings = settings
        # The grant this scenario obtains tokens by: its `grant` parameter, or the run's first.
        self.grant = grant or client.issuing_grant
        self.grant_is_parameter = grant is not None

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
        """A fresh token by the documented request of the scenario's grant, or the scenario stops.

        A client the server does not allow the grant (`unauthorized_client`, RFC 6749 §5.2) leaves
        the scenario not checked: whether this client should have it is the deployment's fact."""
        grant = self.grant
        exchange = self.client.grant_request(
            grant, purpose.replace("password grant", GRANT_LABELS[grant] + " grant")
        )
        requirement = rfc6749.ISSUES_BY_GRANT[grant]
        self.skip_unless_allowed(exchange, requirement)
        # The documented request refused is a cause of its own: what a changed request gets
        # follows from it (`DOCUMENTED`).
        refused = expect_issued(exchange, requirement, "valid credentials")
        findings = [replace(f, tag=DOCUMENTED) for f in refused]
        self.expect(findings, requirement)
        if findings:
            self.stop(f"could not obtain a token to test with: {outcome(exchange)}")
        return self.issued(exchange)

    def token_with_refresh(self, purpose: str = "token: a pair to refresh") -> IssuedToken:
        """A fresh token with a refresh token, by a grant the documentation says returns one
        (`refresh.issued_by`; RFC 6749 §4.4.3 asks client credentials not to): the scenario's own
        grant if it does; else, in a test run once per grant, not applicable (that grant's run
        checks it), and otherwise the first the run can use. Without one, the scenario is not
        checked, saying what would make it run; a documented grant that returns none fails
        DOC-refresh-new-pair, and the scenario stops."""
        profile, client = self.profile, self.client
        returning = [g for g in client.issuing_grants if g in profile.refresh.issued_by]
        if not returning:
            needs = [
                why
                for g in profile.refresh.issued_by
                if (why := client.credentials.grant_unavailable(profile, g))
            ]
            reason = (
                f"not checked: the {GRANT_LABELS[self.grant]} grant returns no refresh token "
                f"(refresh.issued_by: {', '.join(profile.refresh.issued_by) or 'none'})"
                + (f"; {'; '.join(needs)}" if needs else "")
            )
            pytest.skip(reason)
        if self.grant not in returning:
            if self.grant_is_parameter:
                # The test runs once per grant: the run by a grant that returns one checks it.
                pytest.skip(
                    f"not applicable: the {GRANT_LABELS[self.grant]} grant returns no refresh token "
                    f"(refresh.issued_by: {', '.join(profile.refresh.issued_by)}); the "
                    f"[{returning[0]}] run of this test checks it"
                )
            self.grant = returning[0]
        token = self.obtain_token(purpose)
        if token.refresh_token is None:
            if "refresh_token" in profile.response_fields or profile.refresh.issues_refresh_token is True:
                self.expect(
                    [
                        Finding(
                            provider.REFRESH_NEW_PAIR,
                            f"a refresh_token with the access token ({profile.refresh.source})",
                            "no refresh_token member",
                            token.exchange,
                        )
                    ]
                )
            self.stop(f"the {GRANT_LABELS[self.grant]} grant issued no refresh token to refresh with")
        return token

    def stop_if_overloaded(self, exchange: Exchange) -> None:
        """A target that asks to slow down (429, 503) gets no second request from this scenario:
        what it answered is judged, nothing more is sent (someone's production, perhaps)."""
        if exchange.status in (429, 503):
            self.stop(
                f"the target asked to slow down (#{exchange.seq} HTTP {exchange.status}): nothing more sent"
            )

    def skip_unless_allowed(self, exchange: Exchange, *requirements: Requirement) -> None:
        """A grant the server refuses this client (`unauthorized_client`, RFC 6749 §5.2) leaves
        the scenario not checked: whether this client should have it is the deployment's fact."""
        if exchange.error_code != "unauthorized_client" or exchange.status is None or exchange.ok:
            return
        grant = exchange.grant_type or "requested"
        reason = (
            f"not checked: the server does not allow this client the {GRANT_LABELS.get(grant, grant)} "
            f"grant (#{exchange.seq} unauthorized_client): give the run a client that has it"
        )
        for requirement in requirements:
            self.log.not_checked(requirement, reason)
        pytest.skip(reason)

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
