"""What a frugal run lends, and what it never lends again: the token bank against the emulators.

Every move goes through a real run (client, ledger, bank) against an in-process emulator, as
scenarios make them: a token is lent only while nothing the run saw could have ended it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.client.budget import TokenBudget
from conformance.client.endpoints import revoke
from conformance.engine.run import ConformanceRun
from conformance.errors import TokenBudgetSpent
from tests.conftest import settings_for


def _run(profile: str, max_tokens: int | None = 10) -> ConformanceRun:
    return ConformanceRun(settings_for(profile, max_tokens=max_tokens))


@pytest.fixture
def tourpaq() -> Iterator[ConformanceRun]:
    run = _run("tourpaq")
    yield run
    run.close()


def _lent_seq(run: ConformanceRun, grant: str = "password", *, with_refresh: bool = False) -> int | None:
    assert run.bank is not None
    lent = run.bank.lend(grant, with_refresh=with_refresh)
    return None if lent is None else lent.exchange.seq


def test_a_documented_token_is_lent_until_the_resource_refuses_it(tourpaq: ConformanceRun) -> None:
    client = tourpaq.client
    issued = client.grant_request("password", "token: documented")
    assert _lent_seq(tourpaq) == issued.seq
    assert tourpaq.emulator is not None
    tourpaq.emulator.reset()  # the server forgets it: the next call is refused
    client.call_resource(issued.issued_token, "resource: a token the server forgot")
    assert _lent_seq(tourpaq) is None


def test_a_changed_request_is_not_lent_and_a_superseded_token_only_once_the_resource_says(
    tourpaq: ConformanceRun,
) -> None:
    client = tourpaq.client
    first = client.grant_request("password", "token: documented")
    client.grant_request("password", "token: another scope", scope="write")
    # Tourpaq leaves open whether a new token ends the earlier ones: the resource is asked, once.
    asked = len(client.exchanges)
    assert _lent_seq(tourpaq) == first.seq
    assert [e.purpose for e in client.exchanges[asked:]] == ["resource: does the run's token still work?"]
    assert _lent_seq(tourpaq) == first.seq and len(client.exchanges) == asked + 1  # not asked twice
    again = client.grant_request("password", "token: documented again")
    assert _lent_seq(tourpaq) == again.seq != first.seq  # the newest first, needing no question


def test_where_new_tokens_end_the_earlier_ones_a_superseded_token_is_not_lent() -> None:
    run = _run("daysoutguide")
    try:
        first = run.client.grant_request("password", "token: documented")
        run.client.grant_request("password", "token: with an unrecognized parameter", extra=[("x", "1")])
        count = len(run.client.exchanges)
        assert _lent_seq(run) is None and len(run.client.exchanges) == count  # nothing to ask
        assert first.seq < count
    finally:
        run.close()


def test_a_refresh_hands_back_its_pair_and_spends_the_old_one(tourpaq: ConformanceRun) -> None:
    client = tourpaq.client
    issued = client.grant_request("password", "token: documented")
    body = issued.json
    assert isinstance(body, dict)
    refresh_token = body["refresh_token"]
    refused = client.refresh_grant(
        refresh_token, "token: refresh, wrong client", client=None, expect_token=False
    )
    assert refused.error_code == "invalid_client"
    assert _lent_seq(tourpaq, with_refresh=True) == issued.seq  # the client was refused, not the token
    refreshed = client.refresh_grant(refresh_token, "token: refresh")
    assert refreshed.issued_token is not None
    assert _lent_seq(tourpaq, with_refresh=True) == refreshed.seq


def test_a_revoked_token_is_never_lent() -> None:
    run = _run("machine")
    try:
        issued = run.client.grant_request("client_credentials", "token: documented")
        assert _lent_seq(run, "client_credentials") == issued.seq
        assert issued.issued_token is not None
        revoke(run.client, issued.issued_token, "revocation: the lent token")
        assert _lent_seq(run, "client_credentials") is None
    finally:
        run.close()


def test_an_aging_token_is_no_longer_lent_but_can_be_let_expire(tourpaq: ConformanceRun) -> None:
    issued = tourpaq.client.grant_request("password", "token: documented")
    body = issued.json
    assert isinstance(body, dict)
    tourpaq.clock.advance(body["expires_in"] * 0.6)  # past half its life: a borrower may see it die
    assert _lent_seq(tourpaq) is None
    assert tourpaq.bank is not None
    oldest = tourpaq.bank.lend_oldest("password", with_refresh=True)
    assert oldest is not None and oldest.exchange.seq == issued.seq


def test_without_a_budget_nothing_is_lent_and_every_test_starts_afresh() -> None:
    run = _run("tourpaq", max_tokens=None)
    try:
        assert run.bank is None and not run.settings.frugal
    finally:
        run.close()


def test_the_token_budget_refuses_before_it_is_exceeded_and_shares_what_is_left() -> None:
    issued = [0]
    budget = TokenBudget(6)
    budget.count_with(lambda: issued[0])
    budget.ensure("token: one")
    issued[0] = 3
    with budget.share():  # a third of the 3 left, and at least 2
        assert budget.left == 2
        issued[0] = 5
        with pytest.raises(TokenBudgetSpent, match=r"share of it included .*--max-tokens"):
            budget.ensure("token: past the share")
    assert budget.left == 1 and budget.affords(1) and not budget.affords(2)
    issued[0] = 6
    with pytest.raises(TokenBudgetSpent, match="budget of 6 tokens is spent"):
        budget.ensure("token: past the budget")
    assert "not sent once the run's 6 tokens were spent" in budget.spent_reason("requests")
