"""The timing rules: a token's age is an interval the run measured; one second is allowed."""

from __future__ import annotations

import pytest

from conformance.client import Exchange
from conformance.engine.liveness import (
    ALLOWANCE,
    Age,
    Span,
    acceptance_is_late,
    describe_acceptance,
    describe_refusal,
    refusal_is_early,
)
from tests.exchanges import recorded

# Issued by a request sent at 10.0 and answered at 10.2: the server made it in between.
ISSUED = Span(10.0, 10.2)


def _exchange(started: float, finished: float | None, elapsed: float = 0.0) -> Exchange:
    return recorded(
        "resource",
        purpose="use",
        url="u",
        started_at=started,
        elapsed=elapsed,
        finished_at=finished,
    )


def test_the_age_runs_from_the_far_ends_of_both_exchanges() -> None:
    age = Age.between(ISSUED, Span(13.0, 13.1))
    assert age.low == pytest.approx(2.8) and age.high == pytest.approx(3.1)


def test_the_span_of_an_exchange_is_on_the_clock_that_started_it() -> None:
    # On a moved clock nothing passes during a request, whatever real time it took.
    assert Span.of(_exchange(100.0, 100.0, elapsed=0.4)) == Span(100.0, 100.0)
    assert Span.of(_exchange(100.0, 100.3, elapsed=0.25)) == Span(100.0, 100.3)
    # Made by hand, without finished_at: real elapsed time is the widest it could be.
    assert Span.of(_exchange(100.0, None, elapsed=0.4)) == Span(100.0, 100.4)


@pytest.mark.parametrize(
    ("answered", "early"),
    [
        (10.0 + 3 - ALLOWANCE - 0.001, True),  # upper bound 1.999 s: dead before 3 s less 1 s
        (10.0 + 3 - ALLOWANCE, False),  # upper bound exactly 2 s: a whole-second clock may do that
        (10.0 + 3 - ALLOWANCE + 0.001, False),
    ],
)
def test_a_refusal_is_early_only_when_even_the_oldest_age_is_short_by_more_than_a_second(
    answered: float, early: bool
) -> None:
    age = Age.between(ISSUED, Span(answered - 0.5, answered))
    assert refusal_is_early(age, (3.0,)) is early


@pytest.mark.parametrize(
    ("sent", "late"),
    [
        (10.2 + 3 + ALLOWANCE + 0.001, True),  # lower bound 4.001 s: alive past 3 s plus 1 s
        (10.2 + 3 + ALLOWANCE, False),
        (10.2 + 3 + ALLOWANCE - 0.001, False),
    ],
)
def test_an_acceptance_is_late_only_when_even_the_youngest_age_is_past_by_more_than_a_second(
    sent: float, late: bool
) -> None:
    age = Age.between(ISSUED, Span(sent, sent + 0.5))
    assert acceptance_is_late(age, (3.0,)) is late


def test_a_slow_exchange_widens_the_age_and_judges_less() -> None:
    # Sent at 11.9 (1.7 s after the answer), answered at 12.5 (2.5 s after the request): a
    # refusal could have come at 2.5 s, within the allowance of a 3 s lifetime.
    slow = Age.between(ISSUED, Span(11.9, 12.5))
    assert not refusal_is_early(slow, (3.0,))
    assert refusal_is_early(Age.between(ISSUED, Span(11.9, 11.95)), (3.0,))


def test_the_lifetime_less_one_convention_and_whole_second_clocks_pass() -> None:
    # expires_in 3599 for a token that lives 3600 s: accepted at 3599.9 s is not late.
    assert not acceptance_is_late(Age(3599.9, 3600.0), (3599.0,))
    # expires_in 3600 from a server storing whole seconds: refused at 3599.05 s is not early.
    assert not refusal_is_early(Age(3599.0, 3599.05), (3600.0,))


def test_several_readings_early_against_the_shortest_late_against_the_longest() -> None:
    readings = (86.399, 86399.0)  # milliseconds and seconds
    assert refusal_is_early(Age(80.0, 80.1), readings)
    assert not refusal_is_early(Age(90.0, 90.1), readings)
    assert not acceptance_is_late(Age(3600.0, 3600.1), readings)
    assert acceptance_is_late(Age(86401.0, 86401.1), readings)


def test_no_stated_lifetime_judges_nothing() -> None:
    assert not refusal_is_early(Age(0.0, 0.1), ())
    assert not acceptance_is_late(Age(10**6, 10**6), ())


def test_messages_give_the_numbers() -> None:
    assert describe_refusal(Age(1.12, 1.15), (3.0,)) == (
        "refused at an age of 1.12-1.15 s; stated 3 s; 1 s allowed for whole-second clocks"
    )
    assert describe_acceptance(Age(4.2, 4.2), (3.0,)) == (
        "accepted at an age of 4.20 s; stated 3 s; 1 s allowed for whole-second clocks"
    )
    assert "stated 86.399 s (the shortest reading of expires_in)" in describe_refusal(
        Age(1.0, 1.1), (86.399, 86399.0)
    )
    assert "stated 86399 s (24.0 h) (the longest reading" in describe_acceptance(
        Age(9e4, 9e4), (86.399, 86399.0)
    )
