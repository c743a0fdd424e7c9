"""Races: requests that arrive at once, as they do from a client with several workers.

Judged by the credentials that come back, not by counting HTTP 200s:

* One refresh token presented by several requests at once: where the profile says a used
  refresh token is refused, at most one new pair may exist afterwards (every winner may hold
  that same pair, as servers with a grace period for concurrent refreshes answer), the others
  get invalid_grant, and once the race is over the token is refused (RFC 9700 §4.14.2); at
  least one request must succeed (RFC 6749 §6).
* Token requests racing a refresh: every password grant still issues a token, no answer is a
  server error, and every token is new.
* Concurrent token requests where each invalidates the earlier tokens (Days Out Guide): exactly
  one of the distinct tokens is left valid; where none invalidates, all are.

All requests of a round wait on a barrier and leave together (threads over the one client: the
in-process transport or real HTTP). A live target's rate limit spaces them out, which makes a
race less likely but never a false alarm.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest

from conformance.checks.expectations import expect_issued, outcome
from conformance.checks.token_sample import judge_issuances
from conformance.client import Exchange
from conformance.engine.counterexample import search_id
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.engine.search import budget_for
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749, rfc6750, rfc9700
from conformance.scenarios.lifecycle.used_refresh_token import (
    different_pairs,
    present_again,
    refused_without_invalid_grant,
    two_pairs,
)

requirement = pytest.mark.requirement

WIDTH = 8  # requests per round
ROUNDS = 5  # rounds against the emulator; one against a live target


def _rounds(conformance: Scenario, request: pytest.FixtureRequest) -> int:
    live = budget_for(request.config, conformance.settings, "requests", search_id(request)).live
    return 1 if live else ROUNDS


def _width(conformance: Scenario, purpose: str, least: int) -> int:
    """How many racing requests that may each obtain a token the run's token budget pays for:
    WIDTH, or what is left of the budget; fewer than `least` and the race is not run."""
    budget = conformance.client.token_budget
    left = budget.left
    width = WIDTH if left is None else min(WIDTH, left)
    budget.ensure(purpose, max(width, least))
    return width


def _at_once(moves: list[Callable[[], Exchange]]) -> list[Exchange]:
    """Run every move in its own thread, all released together."""
    barrier = threading.Barrier(len(moves))

    def run(move: Callable[[], Exchange]) -> Exchange:
        barrier.wait()
        return move()

    with ThreadPoolExecutor(max_workers=len(moves)) as pool:
        return list(pool.map(run, moves))


@requirement(rfc9700.USED_REFRESH_TOKEN_REJECTED, rfc6749.REFRESH_WORKS, rfc6749.REFRESH_USED_TOKEN_CODE)
@applies(refresh=True, used_refresh_token="rejected")
@pytest.mark.spends_tokens(order=2)
def test_one_refresh_token_presented_at_once(conformance: Scenario, request: pytest.FixtureRequest) -> None:
    refresh = conformance.profile.refresh
    client = conformance.client
    rounds = _rounds(conformance, request)
    settled: list[str] = []  # how each round ended, where nothing was wrong and all was checked
    for n in range(1, rounds + 1):
        token = conformance.token_with_refresh(f"token: race {n}")
        assert token.refresh_token is not None
        rt = token.refresh_token
        # One new pair at most, whoever wins: the budget pays for one.
        client.token_budget.ensure(f"token: race {n}, {WIDTH} refreshes of one refresh token")
        answers = _at_once(
            [
                partial(client.refresh_grant, rt, f"token: race {n}, refresh {i} of {WIDTH}", paid=True)
                for i in range(WIDTH)
            ]
        )
        # Judged by credentials: every winner may hold the one new pair, none a second one.
        winners = [e for e in answers if e.issued_token is not None]
        findings = refused_without_invalid_grant(answers, "the loser of a refresh race")
        apart = different_pairs(winners)
        if apart is not None:
            what = f"{len(winners)} of {WIDTH} concurrent refreshes with one refresh token succeeded"
            findings.append(two_pairs(*apart, refresh.source, what))
        if not winners:
            findings.append(
                Finding(
                    rfc6749.REFRESH_WORKS, "one concurrent refresh succeeds", outcome(answers[0]), answers[0]
                )
            )
        conformance.expect(findings)
        if findings:
            continue
        purpose = f"race {n}, the refresh token again once the race is over"
        ended = present_again(conformance, rt, winners, purpose)
        if ended is not None:
            shared = "1 winner" if len(winners) == 1 else f"{len(winners)} winners, one pair"
            settled.append(f"{shared}, {ended}")
    if len(settled) == rounds:
        seen = "; ".join(f"{what} ({settled.count(what)} of {rounds})" for what in sorted(set(settled)))
        conformance.expect([], rfc9700.USED_REFRESH_TOKEN_REJECTED, f"{WIDTH} at once: {seen}")
        conformance.expect([], rfc6749.REFRESH_WORKS, f"a winner in each of {rounds} rounds")


@requirement(rfc6749.TOKENS_UNIQUE, rfc6749.ERROR_RESPONSE)
@applies(refresh=True)
@pytest.mark.spends_tokens(order=2)
def test_token_requests_racing_a_refresh(conformance: Scenario, request: pytest.FixtureRequest) -> None:
    client = conformance.client
    rounds = _rounds(conformance, request)
    for n in range(1, rounds + 1):
        purpose = f"token: race {n}, token requests racing a refresh"
        _width(conformance, purpose, 3)  # a pair and two racers, or no token spent on a race not run
        token = conformance.token_with_refresh(f"token: race {n}")
        assert token.refresh_token is not None
        rt = token.refresh_token
        grant = conformance.grant  # the grant that returned a refresh token
        issue = rfc6749.ISSUES_BY_GRANT[grant]
        width = _width(conformance, purpose, 2)
        moves: list[Callable[[], Exchange]] = [
            partial(client.refresh_grant, rt, f"token: race {n}, the refresh", paid=True)
        ]
        # Token requests by the grant the run obtains tokens by: never a grant the profile does
        # not offer.
        moves += [
            partial(
                client.grant_request,
                grant,
                f"token: race {n}, {grant} grant {i} of {width - 1}",
                paid=True,
            )
            for i in range(1, width)
        ]
        answers = _at_once(moves)
        findings = [
            f for e in answers[1:] for f in expect_issued(e, issue, "valid credentials, racing a refresh")
        ]
        refreshed = answers[0]
        if refreshed.issued_token is None and refreshed.status is not None and refreshed.status < 500:
            if refreshed.error_code != "invalid_grant":
                findings.append(
                    Finding(
                        rfc6749.ERROR_RESPONSE,
                        "a refused refresh answered invalid_grant (RFC 6749 §5.2)",
                        outcome(refreshed),
                        refreshed,
                    )
                )
        conformance.expect(findings, issue, f"{width - 1} at once with a refresh")
        # Every token new: no credential of the token raced from, none handed to two requests
        # (the one §10.10 rule: only concurrent duplicates may share one pair).
        judged = judge_issuances([token.exchange, *(e for e in answers if e.issued_token is not None)])
        conformance.expect(
            judged.about(rfc6749.TOKENS_UNIQUE),
            rfc6749.TOKENS_UNIQUE,
            f"{width} token requests at once with a refresh, {n} of {rounds} rounds: every token new",
        )


@requirement(provider.INVALIDATES_EARLIER, provider.KEEPS_EARLIER, rfc6750.ACCEPTS_VALID_TOKEN)
@applies(invalidation=True, resource=True)
@pytest.mark.spends_tokens(order=2)
def test_concurrent_token_requests_and_earlier_tokens(
    conformance: Scenario, request: pytest.FixtureRequest
) -> None:
    rule = conformance.profile.invalidates_earlier
    client = conformance.client
    source = conformance.profile.source_of("invalidation")
    for n in range(1, _rounds(conformance, request) + 1):
        conformance.obtain_token(f"token: race {n}, before")
        width = _width(conformance, f"token: race {n}, concurrent token requests", 2)
        answers = _at_once(
            [
                partial(
                    client.grant_request,
                    conformance.grant,
                    f"token: race {n}, request {i} of {width}",
                    paid=True,
                )
                for i in range(1, width + 1)
            ]
        )
        issue = rfc6749.ISSUES_BY_GRANT[conformance.grant]
        findings = [f for e in answers for f in expect_issued(e, issue, "valid credentials")]
        # Judged by credentials: concurrent duplicates handed one token hold one credential.
        tokens = list(
            dict.fromkeys(conformance.issued(e).access_token for e in answers if e.issued_token is not None)
        )
        conformance.ledger.issued_together(tokens)
        used = [
            client.call_resource(t, f"resource: race {n}, token {i} of {len(tokens)}")
            for i, t in enumerate(tokens, 1)
        ]
        valid = [e for e in used if e.ok]
        if rule is True and len(valid) > 1:
            findings.append(
                Finding(
                    provider.INVALIDATES_EARLIER,
                    f"exactly one of {len(tokens)} concurrently issued tokens valid ({source})",
                    f"{len(valid)} accepted: " + ", ".join(f"#{e.seq}" for e in valid),
                    valid[1],
                )
            )
        if rule is True and tokens and not valid:
            findings.append(
                Finding(
                    rfc6750.ACCEPTS_VALID_TOKEN,
                    f"the last of {len(tokens)} concurrently issued tokens valid",
                    "none accepted",
                    used[-1],
                )
            )
        if rule is False:
            findings += [
                Finding(
                    provider.KEEPS_EARLIER, f"every concurrently issued token valid ({source})", outcome(e), e
                )
                for e in used
                if not e.ok
            ]
        held = provider.INVALIDATES_EARLIER if rule is True else provider.KEEPS_EARLIER
        conformance.expect(findings, held, f"{width} token requests at once, {n} rounds")
    other = provider.KEEPS_EARLIER if rule is True else provider.INVALIDATES_EARLIER
    conformance.log.not_checked(other, f"the profile's rule is the other one ({source})")
