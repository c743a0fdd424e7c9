"""How much a sample of issued tokens varies: an entropy estimate against RFC 6749 §10.10.

"The probability of an attacker guessing generated tokens ... MUST be less than or equal to
2^(-128) and SHOULD be less than or equal to 2^(-160)." From outside, randomness cannot be
measured, only bounded: a position that never changes across the sample carries nothing, and a
position that changes carries at most log2 of the token's alphabet. The estimate is that sum,
an upper bound that errs on the generous side:

* a random token (secrets.token_urlsafe(32): 43 characters of base64url) varies everywhere and
  scores about 258 bits, far above both thresholds, from a sample of 6 or more;
* a counter or a clock (tok_...1000001, tok_...1000002) varies in its last few characters and
  scores a handful of bits.

Being an estimate, it fails the 128-bit MUST only when far below it (under 96 bits, the
allowance the OpenID Foundation's suite makes too), and warns, with the estimate, below the
160-bit SHOULD.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from conformance.checks.entropy import alphabet_of
from conformance.client import Exchange
from conformance.findings import Finding
from conformance.requirements import rfc6749

__all__ = ["FAIL_BELOW", "MIN_SAMPLE", "Estimate", "estimate", "judge_sample"]

FAIL_BELOW = 96.0
MUST_BITS = 128.0
SHOULD_BITS = 160.0
MIN_SAMPLE = 4


@dataclass(frozen=True, slots=True)
class Estimate:
    bits: float
    sample: int
    shortest: int
    varying: int  # positions whose character changes across the sample
    alphabet: str

    def describe(self, kind: str) -> str:
        return (
            f"estimated {self.bits:.0f} bits from {self.sample} {kind} tokens: {self.varying} of "
            f"{self.shortest} positions vary, over {self.alphabet}"
        )


def estimate(tokens: Sequence[str]) -> Estimate:
    """Positions that vary across `tokens`, times log2 of the alphabet they vary over."""
    shortest = min(len(t) for t in tokens)
    longest = max(len(t) for t in tokens)
    varying = [i for i in range(shortest) if len({t[i] for t in tokens}) > 1]
    chars = [t[i] for t in tokens for i in varying] + [c for t in tokens for c in t[shortest:]]
    name, symbols = alphabet_of(["".join(chars)]) if chars else ("no varying characters", 1)
    positions = len(varying) + (longest - shortest)
    bits = positions * math.log2(symbols) if symbols > 1 else 0.0
    return Estimate(bits, len(tokens), shortest, positions, name)


def judge_sample(kind: str, tokens: Sequence[str], exchange: Exchange | None) -> tuple[list[Finding], str]:
    """Findings for a sample of one kind of token (access, refresh), and the estimate as a note."""
    if len(tokens) < MIN_SAMPLE:
        return [], f"{len(tokens)} {kind} tokens: too few to estimate"
    found = estimate(tokens)
    note = found.describe(kind)
    if found.bits < FAIL_BELOW:
        expected = f"{kind} tokens that vary enough to hold {MUST_BITS:.0f} bits (RFC 6749 §10.10 MUST)"
        return [Finding(rfc6749.TOKENS_UNGUESSABLE, expected, note, exchange)], note
    if found.bits < SHOULD_BITS:
        expected = (
            f"{kind} tokens that vary enough to hold {SHOULD_BITS:.0f} bits (RFC 6749 §10.10 SHOULD; the "
            f"{MUST_BITS:.0f}-bit MUST fails only under {FAIL_BELOW:.0f} estimated bits)"
        )
        return [Finding(rfc6749.TOKENS_160_BITS, expected, note, exchange)], note
    return [], note
