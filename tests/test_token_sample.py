"""The entropy estimate: generous to random tokens, decisive on counters and short tokens."""

from __future__ import annotations

import itertools
import secrets
import uuid

import pytest

from conformance.checks.token_sample import FAIL_BELOW, estimate, judge_sample
from conformance.requirements import rfc6749


@pytest.mark.parametrize("size", [6, 12])
def test_random_tokens_never_warn(size: int) -> None:
    for _ in range(200):
        tokens = [secrets.token_urlsafe(32) for _ in range(size)]
        findings, note = judge_sample("access", tokens, None)
        assert findings == [], note
        assert estimate(tokens).bits > 200


def test_hex_128_bit_tokens_reach_the_must() -> None:
    for _ in range(100):
        tokens = [secrets.token_hex(16) for _ in range(12)]
        findings, _ = judge_sample("access", tokens, None)
        assert all(f.requirement is not rfc6749.TOKENS_UNGUESSABLE for f in findings)


def test_counter_tokens_fail_the_must() -> None:
    counter = itertools.count(1_000_001)
    tokens = [f"tok_{next(counter):040d}" for _ in range(12)]
    findings, note = judge_sample("access", tokens, None)
    assert [f.requirement for f in findings] == [rfc6749.TOKENS_UNGUESSABLE]
    assert estimate(tokens).bits < 10
    assert "2 of 44 positions vary" in note


def test_short_tokens_fail_and_uuids_only_warn() -> None:
    short, _ = judge_sample("access", [secrets.token_hex(4) for _ in range(12)], None)
    assert [f.requirement for f in short] == [rfc6749.TOKENS_UNGUESSABLE]
    uuids = [str(uuid.uuid4()) for _ in range(12)]
    warned, note = judge_sample("access", uuids, None)
    assert [f.requirement for f in warned] == [rfc6749.TOKENS_160_BITS], note
    assert FAIL_BELOW < estimate(uuids).bits < 160


def test_too_small_a_sample_is_not_judged() -> None:
    findings, note = judge_sample("refresh", ["abc", "abd"], None)
    assert findings == [] and "too few" in note
