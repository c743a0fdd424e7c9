"""What a scenario works with: obtain tokens, call the resource, record expectations.

Scenarios never assert: they hand findings to the log, and the plugin turns the log into
the test's outcome (MUST and provider-doc findings fail it, SHOULD findings warn).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from conformance.checks.expectations import expect_issued, outcome
from conformance.client import ConformanceClient, Exchange
from conformance.clock import Clock
from conformance.config.settings import RunSettings
from conformance.credentials import GRANT_LABELS
from conformance.engine.findings import Finding, FindingLog
from conformance.engine.ledger import TokenLedger
from conformance.profile import Profile
from conformance.requirements import Requirement, provider
from conformance.requirements.rfc import rfc6749

if TYPE_CHECKING:
    from conformance.engine.token_bank import TokenBank

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

    @classmethod
    def of(cls, exchange: Exchange) -> IssuedToken:
        """The token an answer that issued one holds."""
        body = exchange.json
        assert isinstance(body, dict)
        refresh = body.get("refresh_token")
        return cls(
            str(body["access_token"]),
            refresh if isinstance(refresh, str) and refresh else None,
            body.get("expires_in"),
            exchange,
        )


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
        bank: TokenBank | None = None,
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
        self.bank = bank  # a frugal run's tokens, lent where a new one is not the point

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
        needs of the profile and target it declares instead (`conformance.pytest_plugin.markers.applies`), so
        that it is skipped at collection, before it sends anything."""
        if not condition:
            pytest.skip(f"profile {self.profile.name}: {reason}")

    # -- moves ---------------------------------------------------------------------------
    def obtain_token(self, purpose: str = "token: password grant", *, fresh: bool = False) -> IssuedToken:
        """A token by the documented request of the scenario's grant, or the scenario stops.

        A frugal run lends a token it holds and that still works (`conformance.engine.token_bank`)
        unless the scenario needs a new issuance (`fresh`); otherwise the request is sent, and
        its token lent to others from then on. A client the server does not allow the grant
        (`unauthorized_client`, RFC 6749 §5.2) leaves the scenario not checked: whether this
        client should have it is the deployment's fact."""
        return self._obtain(purpose, fresh=fresh, with_refresh=False)

    def _obtain(self, purpose: str, *, fresh: bool, with_refresh: bool) -> IssuedToken:
        grant = self.grant
        if self.bank is not None and not fresh:
            lent = self.bank.lend(grant, with_refresh=with_refresh)
            if lent is not None:
                return lent
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

    def documented_request(self, purpose: str) -> Exchange:
        """The answer to the documented request of the scenario's grant: in a frugal run, the one
        that issued a token the run still holds (the same request, already answered), else a new
        one, which may be refused (the scenario judges it)."""
        if self.bank is not None:
            lent = self.bank.lend(self.grant)
            if lent is not None:
                return lent.exchange
        return self.client.grant_request(self.grant, purpose)

    def aging_token(self, purpose: str, *, with_refresh: bool = False) -> IssuedToken:
        """A token to let expire: in a frugal run the oldest the run holds (with an unused refresh
        token, `with_refresh`), whose life ran while other scenarios ran: its wait overlapped
        theirs. Otherwise as `obtain_token` (`token_with_refresh`)."""
        if self.bank is not None:
            grants = (
                [g for g in self.client.issuing_grants if g in self.profile.refresh.issued_by]
                if with_refresh
                else [self.grant]
            )
            for grant in sorted(grants, key=lambda g: g != self.grant):  # the scenario's own first
                if held := self.bank.lend_oldest(grant, with_refresh=with_refresh):
                    self.grant = grant
                    return held
        return self.token_with_refresh(purpose) if with_refresh else self.obtain_token(purpose)

    def wait_for_age(self, token: IssuedToken, age: float) -> float:
        """Seconds until `token` is older than `age` even if it was made the moment its answer
        arrived (0: it already is)."""
        due = (token.exchange.finished_at or self.clock.now()) + age
        return max(0.0, due - self.clock.now())

    def wait_until_older_than(self, token: IssuedToken, age: float) -> None:
        self.clock.advance(self.wait_for_age(token, age))

    def grant_is_issued(self, purpose: str) -> None:
        """Go on only where the documented request of the scenario's grant issues a token (a
        search of refused requests needs no token, only that): a frugal run takes its earlier
        answer to it where it has one, whether or not that token still works."""
        earlier = self.bank.last_issued(self.grant) if self.bank is not None else None
        if earlier is None:
            self.obtain_token(purpose)

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
        token = self._obtain(purpose, fresh=False, with_refresh=True)
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
        return IssuedToken.of(exchange)
