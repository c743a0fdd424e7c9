"""The one RFC 6749 §10.10 judge: capacity is a sure bound, the estimate fails only far below it,
counters always fail, and uniqueness counts concurrent duplicates of one pair as one issuance."""

from __future__ import annotations

import base64
import itertools
import os
import random
import secrets
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks import token_sample
from conformance.checks.token_sample import (
    ESTIMATE_FAILS_BELOW,
    Issuances,
    estimate,
    judge_issuances,
    judge_tokens,
)
from conformance.client import Exchange
from conformance.emulator.state import TokenStore
from conformance.engine.findings import FindingLog
from conformance.requirements.rfc import rfc6749
from tests.conftest import SuiteRun
from tests.exchanges import recorded


def _ids(findings: list[Any]) -> list[str]:
    return [f.requirement.id for f in findings]


def _answer(
    seq: int,
    access: str,
    refresh: str | None = None,
    *,
    upto: int = 0,
    grant: str = "password",
    presented: str | None = None,
) -> Exchange:
    """A token response; `upto`: the last request sent before its answer came back."""
    body = {"access_token": access, "token_type": "bearer", "expires_in": 1799}
    if refresh is not None:
        body["refresh_token"] = refresh
    return recorded(
        seq=seq,
        purpose="issue",
        url="u",
        status=200,
        grant_type=grant,
        json=body,
        last_sent_before_answer=upto or seq,
        token_key=presented,
    )


def _sample(tokens: list[str]) -> list[Exchange]:
    return [_answer(n, t) for n, t in enumerate(tokens, 1)]


# -- guessability -----------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 3, 12])
def test_random_base64url_tokens_pass(size: int) -> None:
    for _ in range(100):
        judged = judge_issuances(_sample([secrets.token_urlsafe(32) for _ in range(size)]))
        assert judged.findings == [], judged.notes
    assert estimate([secrets.token_urlsafe(32) for _ in range(6)]).bits > 200


@pytest.mark.parametrize("size", [1, 2, 3, 4, 12])
def test_a_small_sample_of_128_bit_hex_tokens_never_fails_the_must(size: int) -> None:
    # 32 hex characters: exactly 128 bits of capacity, below the SHOULD; a position the sample
    # leaves unchanged by chance must not tip the MUST.
    for _ in range(300):
        judged = judge_issuances(_sample([secrets.token_hex(16) for _ in range(size)]))
        assert _ids(judged.findings) == ["RFC6749-10.10-entropy"], judged.findings


@pytest.mark.parametrize("size", [1, 3, 12])
def test_26_hex_characters_fail_the_must_whatever_the_sample(size: int) -> None:
    judged = judge_issuances(_sample([secrets.token_hex(13) for _ in range(size)]))
    assert _ids(judged.findings) == ["RFC6749-10.10-guessing"]
    assert "26 characters over lower-case hex: at most 104 bits" in judged.findings[0].got


@pytest.mark.parametrize("size", [1, 3, 12])
def test_uuids_warn_under_the_should_and_never_fail_the_must(size: int) -> None:
    for _ in range(50):
        judged = judge_issuances(_sample([str(uuid.uuid4()) for _ in range(size)]))
        assert _ids(judged.findings) == ["RFC6749-10.10-entropy"], judged.findings
    assert ESTIMATE_FAILS_BELOW < estimate([str(uuid.uuid4()) for _ in range(12)]).bits < 128


def test_counter_tokens_fail_the_must() -> None:
    counter = itertools.count(1_000_001)
    tokens = [f"tok_{next(counter):040d}" for _ in range(12)]
    judged = judge_tokens("access", tokens, None)
    assert _ids(judged.findings) == ["RFC6749-10.10-guessing"]
    assert "differ only in their last 4 characters" in judged.findings[0].got
    assert "2 of 44 positions vary" in judged.findings[0].got
    # Two consecutive tokens are enough for the counter, without any estimate.
    assert _ids(judge_tokens("access", tokens[:2], None).findings) == ["RFC6749-10.10-guessing"]


def test_a_constant_prefix_fails_by_the_estimate_alone() -> None:
    # 40 characters of base64url hold 240 bits, but only the last 12 vary: 72 bits estimated.
    prefix = secrets.token_urlsafe(21)[:28]
    tokens = [prefix + secrets.token_urlsafe(9) for _ in range(6)]
    judged = judge_tokens("refresh", tokens, None)
    assert _ids(judged.findings) == ["RFC6749-10.10-guessing"]
    assert "32 bits or more short of 128" in judged.findings[0].got
    two = judge_tokens("refresh", tokens[:2], None)
    assert two.findings == [] and "too few to estimate" in two.notes[rfc6749.TOKENS_UNGUESSABLE.id][0]


def test_short_tokens_fail_the_must() -> None:
    judged = judge_issuances(_sample([secrets.token_hex(4) for _ in range(12)]))
    assert _ids(judged.findings) == ["RFC6749-10.10-guessing"]


def test_record_holds_what_found_nothing() -> None:
    log = FindingLog()
    # Fixed tokens of 32 random bytes each: a draw without '-' or '_' would read as another
    # alphabet, and the test must give the same verdict every run.
    rng = random.Random(6749)
    tokens = [base64.urlsafe_b64encode(rng.randbytes(32)).rstrip(b"=").decode() for _ in range(3)]
    assert "-" in "".join(tokens) and "_" in "".join(tokens)  # the whole base64url alphabet shows
    judge_issuances(_sample(tokens)).record(log)
    assert log.findings == []
    held = {o.requirement.id: o.note for o in log.observations if o.status == "passed"}
    assert set(held) == {"RFC6749-10.10-unique", "RFC6749-10.10-guessing", "RFC6749-10.10-entropy"}
    assert "43 characters over base64url" in held["RFC6749-10.10-guessing"]


# -- uniqueness -------------------------------------------------------------------------------
def test_the_same_pair_to_concurrent_duplicates_is_one_issuance() -> None:
    # #2 and #3 were sent before either answer came back (a refresh race); both got A2/R2.
    issuances = Issuances()
    assert issuances.observe(_answer(1, "A1", "R1")) == []
    assert issuances.observe(_answer(3, "A2", "R2", upto=3, grant="refresh_token")) == []
    assert issuances.observe(_answer(2, "A2", "R2", upto=3, grant="refresh_token")) == []
    assert issuances.flush() == []


def test_the_same_pair_again_to_the_same_refresh_token_is_one_issuance() -> None:
    # A grace period: R1 presented at #2, then again at #3 after #2's answer; both got A2/R2.
    issuances = Issuances()
    assert issuances.observe(_answer(1, "A1", "R1")) == []
    refresh: dict[str, Any] = {"grant": "refresh_token", "presented": "key of R1"}
    assert issuances.observe(_answer(2, "A2", "R2", **refresh)) == []
    assert issuances.observe(_answer(3, "A2", "R2", **refresh)) == []
    assert issuances.flush() == []
    # The same pair to another refresh token, later, is a second issuance.
    again = issuances.observe(_answer(4, "A2", "R2", grant="refresh_token", presented="key of R2"))
    assert _ids(again + issuances.flush()) == ["RFC6749-10.10-unique"] * 2


def test_a_repeat_waits_for_the_request_that_makes_it_one_issuance() -> None:
    # #2 created A2/R2 and held its answer; #3 got the pair at once; #4 was sent after #3's answer
    # but before #2's: it overlaps #2 only, whose answer is seen last.
    issuances = Issuances()
    assert issuances.observe(_answer(1, "A1", "R1")) == []
    assert issuances.observe(_answer(3, "A2", "R2", upto=3, grant="refresh_token")) == []
    assert issuances.observe(_answer(4, "A2", "R2", upto=4, grant="refresh_token")) == []
    assert issuances.observe(_answer(2, "A2", "R2", upto=4, grant="refresh_token")) == []
    assert issuances.flush() == []


def test_a_waiting_repeat_is_judged_once_every_overlapping_request_is_answered() -> None:
    issuances = Issuances()
    issuances.observe(_answer(1, "A1", "R1"))
    issuances.observe(_answer(3, "A1", "R1", upto=4))  # #2 and #4 still unanswered
    assert issuances.observe(recorded("resource", seq=2, purpose="use", url="u", status=200)) == []
    late = issuances.observe(recorded("resource", seq=4, purpose="use", url="u", status=200))
    assert _ids(late) == ["RFC6749-10.10-unique"] * 2
    assert "exchange #1 again, in exchange #3" in late[0].got


def test_the_same_pair_to_a_later_request_is_a_second_issuance() -> None:
    issuances = Issuances()
    issuances.observe(_answer(1, "A2", "R2", grant="refresh_token"))
    again = issuances.observe(_answer(2, "A2", "R2", grant="refresh_token"))
    assert _ids(again) == ["RFC6749-10.10-unique"] * 2
    assert "exchange #1 again, in exchange #2" in again[0].got


@pytest.mark.parametrize(
    "second",
    [
        _answer(3, "A2", "R3", upto=3, grant="refresh_token"),  # another refresh token with it
        _answer(3, "A2", None, upto=3, grant="refresh_token"),  # alone
        _answer(3, "A2", "R2", upto=3, grant="password"),  # from another grant
    ],
)
def test_a_token_again_without_its_pair_is_a_second_issuance_even_concurrently(second: Exchange) -> None:
    issuances = Issuances()
    issuances.observe(_answer(1, "A0"))
    issuances.observe(_answer(2, "A2", "R2", upto=3, grant="refresh_token"))
    assert "RFC6749-10.10-unique" in _ids(issuances.observe(second) + issuances.flush())


def test_the_sample_judge_uses_the_same_uniqueness_rule() -> None:
    racing = [_answer(2, "A" * 43, "R" * 43, upto=3), _answer(3, "A" * 43, "R" * 43, upto=3)]
    assert "RFC6749-10.10-unique" not in _ids(judge_issuances(racing).findings)
    apart = [_answer(2, "A" * 43, "R" * 43), _answer(3, "A" * 43, "R" * 43)]
    assert "RFC6749-10.10-unique" in _ids(judge_issuances(apart).findings)


# -- every layer calls the one judge ------------------------------------------------------------
LAYERS = ("test_each_issuance_is_unique[password]", "test_issued_tokens_are_unique_and_unguessable[password]")


def test_26_hex_characters_fail_the_must_in_every_layer(
    run_suite: Callable[..., SuiteRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    made = TokenStore.__init__

    def hex26(self: TokenStore, clock: Any, token_factory: Any = None) -> None:
        made(self, clock, lambda: secrets.token_hex(13))

    monkeypatch.setattr(TokenStore, "__init__", hex26)
    # Which test judged which tokens: the layers share the function, so the spy sees them all.
    judged: dict[str, list[str]] = {}
    real = token_sample.judge_tokens

    def spy(kind: str, tokens: Any, exchange: Any) -> Any:
        verdict = real(kind, tokens, exchange)
        test = os.environ["PYTEST_CURRENT_TEST"].split("::")[-1].split(" ")[0]
        judged.setdefault(test, []).extend(f.requirement.id for f in verdict.findings)
        return verdict

    monkeypatch.setattr(token_sample, "judge_tokens", spy)
    run = run_suite("tourpaq", "-k", " or ".join(LAYERS))
    assert run.ret == 1
    assert run.failed_requirements() == {"RFC6749-10.10-guessing"}, run.output
    assert set(judged) == set(LAYERS)
    assert all(ids == ["RFC6749-10.10-guessing"] * 2 for ids in judged.values()), judged  # access, refresh
    assert run.output.count("26 characters over lower-case hex: at most 104 bits") >= 4
