"""The token lifecycle as a state machine: the client's moves against the profile's prediction.

The rules are what a client does: request a token, refresh, present a rotated-out refresh
token again, call the resource with any token it holds, let time pass (the emulator's clock
jumps; a live target is waited on within --expiry-wait). After each move the answer is
compared with `conformance.engine.lifecycle.Model`; where the documentation is silent the answer is
not judged. A divergence fails the test with the shrunk sequence of moves as a transcript.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from functools import wraps
from typing import Any, TypeVar

import pytest
from hypothesis import Phase, seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance.checks.expectations import expect_issued, outcome
from conformance.client import Exchange
from conformance.engine.counterexample import Example, Halt, Search
from conformance.engine.findings import Finding
from conformance.engine.lifecycle import STEPS, Held, Model, Prediction, Verdict
from conformance.engine.liveness import Age, Span
from conformance.engine.scenario import Scenario
from conformance.errors import BudgetExhausted, TargetError, TokenBudgetSpent
from conformance.pytest_plugin.markers import applies
from conformance.pytest_plugin.markers import requirement_ids as requirement_ids_of
from conformance.requirements import get, provider
from conformance.requirements.rfc import rfc6749, rfc6750, rfc9700
from conformance.scenarios.lifecycle.used_refresh_token import refused_without_invalid_grant

requirement = pytest.mark.requirement

F = TypeVar("F", bound=Callable[..., None])
PICK = st.integers(min_value=0, max_value=7)
MAX_HELD = 5  # token pairs per example: enough for every rule, few enough to stay cheap
_RANK = {Verdict.REFUSE: 0, Verdict.ACCEPT: 1, Verdict.UNJUDGED: 2}


def _guarded(move: F) -> F:
    """Stop the search at once when a budget is spent or the target cannot be reached."""

    @wraps(move)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            move(self, *args, **kwargs)
        except (BudgetExhausted, TokenBudgetSpent, TargetError) as error:
            raise Halt(error, self.example.counterexample()) from None

    return guarded  # type: ignore[return-value]


def _machine(search: Search, conformance: Scenario, wait_budget: float) -> type[RuleBasedStateMachine]:
    client, clock, profile = conformance.client, conformance.clock, conformance.profile
    refresh_offered = profile.refresh.supported is True
    resource = client.target.resource_path is not None
    waited = [0.0]  # real seconds spent waiting, over all examples

    class Lifecycle(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            # The example records the run's exchanges from here until teardown closes it.
            self._example_scope = ExitStack()
            self.example: Example = self._example_scope.enter_context(search.example())
            self.model = Model(profile)
            self.moves = 0
            self.called: set[tuple[str, float, int]] = set()  # calls that would tell nothing new
            clock_kind = "the emulator's clock" if clock.is_manual else "real time"
            self.example.note(f"profile {profile.name}, {clock_kind}")

        def teardown(self) -> None:
            self._example_scope.close()

        # -- helpers ---------------------------------------------------------------------
        def _note(self, text: str) -> None:
            self.moves += 1
            self.example.note(f"{self.moves}. {text}")

        def _issued(self, exchange: Exchange, via: Held | None = None) -> str:
            body = exchange.json
            assert isinstance(body, dict)
            held = self.model.issue(str(body["access_token"]), body, Span.of(exchange), via)
            pair = f"{held.name}" + (f" and {held.refresh_name}" if held.refresh_name else "")
            return f"{pair} (expires_in {body.get('expires_in')!r})"

        def _judge(self, prediction: Prediction, accepted: bool, exchange: Exchange, what: str) -> None:
            if not prediction.fits(accepted):
                expected = f"{what} {prediction.verdict.value}: {prediction.why}"
                self.example.expect([Finding(prediction.requirement, expected, outcome(exchange), exchange)])
                self.example.note(f"   expected {prediction.verdict.value}: {prediction.why}")
            self.example.check()

        def _spent(self, what: str) -> bool:
            """The run's token budget cannot pay for this move: noted, not sent. (A precondition
            would change under hypothesis between an example and its replay.)"""
            if client.token_budget.affords(1):
                return False
            self._note(f"{what}: not sent, the run's token budget is spent")
            search.shortened = search.shortened or client.token_budget.shortened("moves that obtain a token")
            return True

        def _refresh(self, held: Held, what: str) -> None:
            assert held.refresh is not None
            if self._spent(what):
                return
            exchange = client.refresh_grant(held.refresh, f"token: lifecycle move {self.moves + 1}: {what}")
            # Judged on when the refresh reached the server, before the model records its answer.
            prediction = self.model.refresh(held, Span.of(exchange))
            if held.refresh_used:
                self.model.replayed(held)
            if exchange.issued_token is not None:
                self._note(
                    f"{what} with {held.refresh_name} -> HTTP {exchange.status}: "
                    + self._issued(exchange, held)
                )
            else:
                self._note(f"{what} with {held.refresh_name} -> {outcome(exchange)}")
                if prediction.verdict is Verdict.UNJUDGED:
                    self.model.refresh_refused(held)
            if prediction.verdict is Verdict.REFUSE:
                # The refusal's code, by the same judge as the scripted and race scenarios.
                self.example.expect(
                    refused_without_invalid_grant([exchange], f"{held.refresh_name}: {prediction.why}")
                )
            self._judge(prediction, exchange.issued_token is not None, exchange, f"{held.refresh_name}")

        # -- the client's moves (the first rule is the one hypothesis tries most) ------------
        @precondition(lambda self: resource and bool(self.model.held))
        @rule(pick=PICK)
        @_guarded
        def call_resource(self, pick: int) -> None:
            self._call(pick)

        @invariant()
        @_guarded
        def most_telling_token_as_predicted(self) -> None:
            """After every move, the token whose answer the model is surest of is tried."""
            if resource and self.model.held:
                self._call(0)

        def _call(self, pick: int) -> None:
            # The most telling first: tokens that must be refused, then those that must work.
            now = clock.now()
            ranked = sorted(
                reversed(self.model.held), key=lambda h: _RANK[self.model.access(h, Span.at(now)).verdict]
            )
            held = ranked[pick % len(ranked)]
            seen = (held.name, now, len(self.model.held))
            if seen in self.called:
                return  # the same call again, nothing having changed: no request
            self.called.add(seen)
            exchange = client.call_resource(
                held.access, f"resource: lifecycle move {self.moves + 1}: {held.name}"
            )
            # Judged on the span of this call: on a real clock the token aged while it travelled.
            used = Span.of(exchange)
            prediction = self.model.access(held, used)
            age = Age.between(held.issued, used)
            self._note(f"call the resource with {held.name} ({age} old) -> {outcome(exchange)}")
            status = exchange.status or 0
            if status >= 500:
                requirement = (
                    rfc6750.ACCEPTS_VALID_TOKEN
                    if prediction.verdict is Verdict.ACCEPT
                    else rfc6750.REJECTS_BAD_TOKEN
                )
                prediction = Prediction(Verdict.ACCEPT, "never a server error", requirement)
                self._judge(prediction, False, exchange, held.name)
            self._judge(prediction, 200 <= status < 300, exchange, held.name)

        @precondition(lambda self: bool(self.model.held) and (clock.is_manual or waited[0] < wait_budget))
        @rule(kind=st.sampled_from(STEPS))
        @_guarded
        def let_time_pass(self, kind: str) -> None:
            seconds, what = self.model.step(kind, clock.now())
            if not clock.is_manual:
                seconds = min(seconds, wait_budget - waited[0])
                waited[0] += seconds
            clock.advance(seconds)
            self._note(f"let {seconds:g} s pass ({what} for {self.model.held[-1].name})")

        @precondition(
            lambda self: (
                refresh_offered
                and len(self.model.held) < MAX_HELD
                and any(h.refresh and not h.refresh_used for h in self.model.held)
            )
        )
        @rule(pick=PICK)
        @_guarded
        def refresh(self, pick: int) -> None:
            unused = [h for h in self.model.held if h.refresh and not h.refresh_used]
            self._refresh(unused[-1 - pick % len(unused)], "refresh")

        @precondition(
            lambda self: (
                refresh_offered
                and len(self.model.held) < MAX_HELD
                and any(h.refresh_used for h in self.model.held)
            )
        )
        @rule(pick=PICK)
        @_guarded
        def reuse_refresh_token(self, pick: int) -> None:
            used = [h for h in self.model.held if h.refresh_used]
            self._refresh(used[-1 - pick % len(used)], "refresh again")

        @precondition(lambda self: len(self.model.held) < MAX_HELD)
        @rule()
        @_guarded
        def request_another_token(self) -> None:
            if not self._spent("request another token"):
                self._request_token()

        @initialize()
        @_guarded
        def request_token(self) -> None:
            # A frugal run starts each example from the token it holds, when it holds one.
            lent = (
                conformance.bank.lend(conformance.grant, with_refresh=refresh_offered)
                if conformance.bank
                else None
            )
            if lent is not None:
                self._note(
                    f"borrow the run's token of exchange #{lent.exchange.seq}: {self._issued(lent.exchange)}"
                )
            elif not self._spent("request a token"):
                self._request_token()

        def _request_token(self) -> None:
            grant = conformance.grant
            exchange = client.grant_request(grant, f"token: lifecycle move {self.moves + 1}: {grant} grant")
            if exchange.issued_token is not None:
                self._note(f"request a token -> HTTP {exchange.status}: {self._issued(exchange)}")
            else:
                self._note(f"request a token -> {outcome(exchange)}")
                self.example.expect(
                    expect_issued(exchange, rfc6749.ISSUES_BY_GRANT[grant], "valid credentials")
                )
            self.example.check()

    return Lifecycle


@requirement(
    rfc6749.LIFETIME_AS_STATED,
    rfc6749.REFRESH_WORKS,
    rfc9700.USED_REFRESH_TOKEN_REJECTED,
    rfc6749.REFRESH_USED_TOKEN_CODE,
    provider.INVALIDATES_EARLIER,
    provider.KEEPS_EARLIER,
    provider.REFRESHED_ACCESS_TOKEN,
    rfc6750.ACCEPTS_VALID_TOKEN,
    rfc6750.REJECTS_BAD_TOKEN,
)
@applies(resource_or_refresh=True)
@pytest.mark.spends_tokens(order=1)  # before the races: they borrow the token it leaves
def test_token_lifecycle_follows_the_profile(conformance: Scenario, request: pytest.FixtureRequest) -> None:
    # Tokens by a grant that returns refresh tokens, where the run can use one: the moves refresh.
    returning = [g for g in conformance.client.issuing_grants if g in conformance.profile.refresh.issued_by]
    if returning and conformance.grant not in returning:
        conformance.grant = returning[0]
    _not_judged_by_this_profile(conformance)
    conformance.obtain_token("token: the documented request, before the search")
    search = Search.for_test(
        conformance, request, "lifecycle", "token lifecycle", rfc6750.ACCEPTS_VALID_TOKEN
    )
    machine = _machine(search, conformance, conformance.settings.expiry_wait)

    real_time = not conformance.clock.is_manual

    def rounds(settings: Any, seed_value: int) -> Callable[[], None]:
        seeded = seed(seed_value)(machine)
        if real_time:
            # Shrinking replays waits in real time, where the server's answers move with the
            # clock: a shrunk example would not be the one seen. The first counterexample stands.
            settings = type(settings)(settings, phases=(Phase.explicit, Phase.generate))
        return lambda: run_state_machine_as_test(seeded, settings=settings)

    # Every requirement the test carries is owed a verdict: a counterexample of one is no reason
    # to stop looking at the others.
    owed = requirement_ids_of(request.node)
    try:
        search.rounds(rounds, owed=owed)
    finally:
        starved = search.shortened
        if starved is not None:
            # Some examples could not make their moves: what they would have shown is not known.
            observed = {o.requirement.id for o in conformance.log.observations}
            for requirement_id in owed:
                if requirement_id not in observed:
                    conformance.log.partial(get(requirement_id), f"the search ran in part: {starved}")
        # What the search covered of the lifetime holds whether or not another requirement met a
        # counterexample; a search that could not finish says nothing of it.
        elif not search.halted:
            covered = f"no counterexample ({search.budget.replay_hint()})"
            if real_time:
                wait = conformance.settings.expiry_wait
                conformance.log.partial(
                    rfc6749.LIFETIME_AS_STATED,
                    f"{covered}; time let pass only within --expiry-wait {wait:g} s",
                )
            else:
                conformance.log.held(
                    rfc6749.LIFETIME_AS_STATED, f"{covered}, tokens aged past their lifetimes"
                )


def _not_judged_by_this_profile(conformance: Scenario) -> None:
    """The requirements this test carries that the profile leaves nothing to judge by.

    The model predicts "either" where the profile is silent, so no answer could fail them; a
    clean run says nothing about them and must not read as passed.
    """
    profile, log = conformance.profile, conformance.log
    rule = profile.invalidates_earlier
    source = profile.source_of("invalidation")
    if rule is not True:
        log.not_checked(
            provider.INVALIDATES_EARLIER, f"the profile does not say a new token invalidates ({source})"
        )
    if rule is not False:
        log.not_checked(
            provider.KEEPS_EARLIER, f"the profile does not say earlier tokens stay valid ({source})"
        )
    refresh = profile.refresh
    if refresh.supported is True and conformance.grant not in refresh.issued_by:
        why = (
            f"not checked: the {conformance.grant} grant returns no refresh token (refresh.issued_by: "
            f"{', '.join(refresh.issued_by) or 'none'}), and the run can use no grant that does"
        )
        for unrefreshed in (
            rfc6749.REFRESH_WORKS,
            rfc9700.USED_REFRESH_TOKEN_REJECTED,
            rfc6749.REFRESH_USED_TOKEN_CODE,
            provider.REFRESHED_ACCESS_TOKEN,
        ):
            log.not_checked(unrefreshed, why)
    if refresh.revokes_replaced_access_token not in (True, False):
        log.not_checked(
            provider.REFRESHED_ACCESS_TOKEN,
            f"the profile does not say what a refresh does to the access token it replaces "
            f"({refresh.source})",
        )
    if refresh.supported is not True:
        log.not_checked(rfc6749.REFRESH_WORKS, f"no refresh grant ({profile.source_of('grants')})")
    if refresh.supported is not True or refresh.used_refresh_token not in ("rejected", "accepted"):
        log.not_checked(
            rfc9700.USED_REFRESH_TOKEN_REJECTED,
            f"the profile does not say what a used refresh token does ({refresh.source})",
        )
    if refresh.supported is not True or refresh.used_refresh_token != "rejected":
        log.not_checked(
            rfc6749.REFRESH_USED_TOKEN_CODE, f"a used refresh token is not refused here ({refresh.source})"
        )
