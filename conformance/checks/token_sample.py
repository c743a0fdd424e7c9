"""RFC 6749 §10.10, judged once for every layer: issued tokens are unique and unguessable.

"The probability of an attacker guessing generated tokens ... MUST be less than or equal to
2^(-128) and SHOULD be less than or equal to 2^(-160)." A black box cannot measure randomness,
only bound it, so the judge claims no more than the tokens prove:

* **Capacity** (a sure upper bound): a token carries at most length x log2(alphabet) bits, the
  alphabet being the smallest common one holding every character seen. Under 128 bits the MUST
  is broken whatever the generator (26 hex characters: 104 bits); under 160, the SHOULD. One
  token is enough.
* **Counters**: consecutive tokens that differ only in their last few characters are a counter
  or a clock; knowing one, an attacker enumerates the next in at most 95^4 (about 2^26)
  guesses. Two random tokens of 8 or more characters never look like that.
* **Estimate** (from 3 or more tokens): the positions that vary across the sample, times log2
  of the alphabet they vary over. It sees structure the capacity misses (a constant prefix in
  front of a few random characters), but it is not a bound: a fixed version nibble counts as
  4 bits lost, a variant nibble as 4 bits kept, and a small sample may leave a random position
  unchanged by chance. So it fails the MUST only when it is 32 bits short (under 96 estimated
  bits, the allowance the OpenID Foundation's conformance suite makes for the same estimate),
  and warns under the SHOULD when it falls short of 128. A UUIDv4 (122 random bits, estimated
  124, capacity 144) therefore warns and never fails; a random token of 43 base64url
  characters (about 258 bits) passes.

Uniqueness follows one rule too (`Issuances`): a token delivered again is a second issuance,
unless it came back with the same companion (the same access and refresh token together),
from the same grant, in answer to a request that overlapped the earlier delivery (the one was
sent before the other's answer came back): concurrent duplicates of one request handed one
pair, as servers with a refresh grace period do, are one issuance.

The ledger calls `Issuances` on every token response; the scripted and property layers call
`judge_issuances` on their samples. The same tokens get the same verdict wherever they are seen.
"""

from __future__ import annotations

import math
import string
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from conformance.client import Exchange
from conformance.engine.findings import Finding, FindingLog
from conformance.redaction import token_key
from conformance.requirements import Requirement
from conformance.requirements.rfc import rfc6749

__all__ = [
    "ALPHABETS",
    "COUNTER_TAIL",
    "ESTIMATE_FAILS_BELOW",
    "MIN_SAMPLE",
    "MUST_BITS",
    "SHOULD_BITS",
    "Estimate",
    "Issuances",
    "Judgement",
    "alphabet_of",
    "capacity_bits",
    "counter_like",
    "estimate",
    "judge_issuances",
    "judge_tokens",
    "overlapped",
]

MUST_BITS = 128.0
SHOULD_BITS = 160.0
ESTIMATE_SLACK = 32.0
ESTIMATE_FAILS_BELOW = MUST_BITS - ESTIMATE_SLACK
MIN_SAMPLE = 3  # tokens before the estimate says anything
COUNTER_TAIL = 4

_VSCHAR = "".join(chr(c) for c in range(0x20, 0x7F))
# Smallest first: the first that holds every character seen is the token's alphabet.
ALPHABETS: tuple[tuple[str, str], ...] = (
    ("decimal digits", string.digits),
    ("lower-case hex", string.digits + "abcdef"),
    ("upper-case hex", string.digits + "ABCDEF"),
    ("UUID (hex and '-')", string.digits + "abcdefABCDEF-"),
    ("base32", string.ascii_uppercase + "234567="),
    ("alphanumeric", string.ascii_letters + string.digits),
    ("base64url", string.ascii_letters + string.digits + "-_="),
    ("base64", string.ascii_letters + string.digits + "+/="),
    ("VSCHAR", _VSCHAR),
)
# Symbols that carry information: padding and separators do not.
_SYMBOLS = {"UUID (hex and '-')": 16, "base32": 32, "base64url": 64, "base64": 64}


def alphabet_of(tokens: Iterable[str]) -> tuple[str, int]:
    """The smallest common alphabet holding every character of `tokens`, and its symbol count."""
    seen = set("".join(tokens))
    for name, characters in ALPHABETS:
        if seen <= set(characters):
            return name, _SYMBOLS.get(name, len(set(characters)))
    return "any characters", 256


def capacity_bits(token: str, symbols: int) -> float:
    """At most this many bits fit in `token` over an alphabet of `symbols` symbols."""
    return len(token) * math.log2(symbols) if symbols > 1 else 0.0


def counter_like(earlier: str, later: str, tail: int = COUNTER_TAIL) -> bool:
    """`later` equals `earlier` but for its last `tail` characters (and is not the same token)."""
    return earlier != later and len(earlier) == len(later) >= 2 * tail and earlier[:-tail] == later[:-tail]


@dataclass(frozen=True, slots=True)
class Estimate:
    bits: float
    sample: int
    shortest: int
    varying: int  # positions whose character changes across the sample
    alphabet: str

    def describe(self) -> str:
        return (
            f"estimated {self.bits:.0f} bits from {self.sample} tokens ({self.varying} of "
            f"{self.shortest} positions vary, over {self.alphabet})"
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


@dataclass
class Judgement:
    """Findings on the three §10.10 requirements, and what was seen where none was found."""

    findings: list[Finding] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # requirement id -> what held

    def about(self, requirement: Requirement) -> list[Finding]:
        return [f for f in self.findings if f.requirement is requirement]

    def record(self, log: FindingLog) -> None:
        """Into a test's log: each finding, and each requirement without one as held."""
        log.extend(self.findings)
        for requirement in (rfc6749.TOKENS_UNIQUE, rfc6749.TOKENS_UNGUESSABLE, rfc6749.TOKENS_160_BITS):
            notes = self.notes.get(requirement.id)
            if notes is not None and not self.about(requirement):
                log.held(requirement, "; ".join(notes))


def judge_tokens(kind: str, tokens: Sequence[str], exchange: Exchange | None) -> Judgement:
    """Guessability (not uniqueness) of one kind of token, in the order they were issued.

    `tokens` are distinct issuances; `exchange` is the one a finding points at (the last).
    """
    judged = Judgement()
    if not tokens:
        return judged
    name, symbols = alphabet_of(tokens)
    shortest = min(tokens, key=len)
    capacity = capacity_bits(shortest, symbols)
    shape = f"{kind} tokens of {len(shortest)} characters over {name}: at most {capacity:.0f} bits each"
    notes = [shape]
    must: list[str] = []
    should: list[str] = []
    if capacity < MUST_BITS:
        must.append(shape)
    elif capacity < SHOULD_BITS:
        should.append(shape)
    if any(counter_like(a, b) for a, b in zip(tokens, tokens[1:], strict=False)):
        must.append(
            f"consecutive {kind} tokens differ only in their last {COUNTER_TAIL} characters "
            "(a counter or a clock)"
        )
    if len(tokens) >= MIN_SAMPLE:
        found = estimate(tokens)
        notes.append(found.describe())
        if found.bits < ESTIMATE_FAILS_BELOW:
            must.append(f"{found.describe()}, {ESTIMATE_SLACK:.0f} bits or more short of {MUST_BITS:.0f}")
        elif found.bits < MUST_BITS:
            should.append(
                f"{found.describe()}: short of {MUST_BITS:.0f}, too little to fail the MUST "
                f"from outside (it fails under {ESTIMATE_FAILS_BELOW:.0f} estimated bits)"
            )
    else:
        notes.append(f"{len(tokens)} {kind} tokens: too few to estimate how many positions vary")
    if must:
        expected = f"{kind} tokens guessed with probability at most 2^-{MUST_BITS:.0f} (RFC 6749 §10.10 MUST)"
        judged.findings.append(Finding(rfc6749.TOKENS_UNGUESSABLE, expected, "; ".join(must), exchange))
    elif should:
        expected = (
            f"{kind} tokens guessed with probability at most 2^-{SHOULD_BITS:.0f} (RFC 6749 §10.10 SHOULD)"
        )
        judged.findings.append(Finding(rfc6749.TOKENS_160_BITS, expected, "; ".join(should), exchange))
    note = "; ".join(notes)
    judged.notes = {rfc6749.TOKENS_UNGUESSABLE.id: [note], rfc6749.TOKENS_160_BITS.id: [note]}
    return judged


# -- uniqueness -------------------------------------------------------------------------------
def overlapped(a: Exchange, b: Exchange) -> bool:
    """One of the two requests was sent before the other's answer came back."""
    first, second = (a, b) if a.seq <= b.seq else (b, a)
    return second.seq <= first.last_sent_before_answer


def _tokens(exchange: Exchange) -> tuple[str | None, str | None]:
    body = exchange.json
    if not isinstance(body, dict):
        return None, None
    access, refresh = body.get("access_token"), body.get("refresh_token")
    return (
        access if isinstance(access, str) and access else None,
        refresh if isinstance(refresh, str) and refresh else None,
    )


@dataclass(frozen=True, slots=True)
class _Delivery:
    exchange: Exchange
    credentials: tuple[str | None, str | None]  # token keys of the access and refresh token


class Issuances:
    """Every token delivered in a run, by key: a token delivered again is judged by one rule.

    Answers to concurrent requests arrive in any order, and the delivery that makes a repeat
    one issuance may come last (the request that created the pair, held while duplicates got
    it). So a repeat with no overlapping delivery of its pair yet waits: it is judged once every
    request that could overlap it (sent before its answer came back) has been answered. Exchanges
    made without a client (`last_sent_before_answer` 0) are judged at once. Thread-safe.
    """

    def __init__(self) -> None:
        self._seen: dict[str, list[_Delivery]] = {}
        self._waiting: list[tuple[_Delivery, str, Exchange]] = []  # repeat, kind, first delivery
        self._answered: set[int] = set()
        self._all_answered_upto = 0  # every request up to this seq has been answered
        self._lock = threading.Lock()

    def observe(self, exchange: Exchange) -> list[Finding]:
        """Every exchange of the run, as it is answered (token responses are judged)."""
        with self._lock:
            self._answered.add(exchange.seq)
            while self._all_answered_upto + 1 in self._answered:
                self._all_answered_upto += 1
                self._answered.discard(self._all_answered_upto)
            access, refresh = _tokens(exchange) if exchange.ok and exchange.kind == "token" else (None, None)
            if access is not None:
                self._delivered(exchange, access, refresh)
            return self._settle()

    def flush(self) -> list[Finding]:
        """Judge every repeat still waiting with what is known now (the end of a sample)."""
        with self._lock:
            findings = self._settle(final=True)
            self._waiting = []
            return findings

    def _delivered(self, exchange: Exchange, access: str, refresh: str | None) -> None:
        delivery = _Delivery(exchange, (token_key(access), token_key(refresh) if refresh else None))
        for kind, key in zip(("access", "refresh"), delivery.credentials, strict=True):
            if key is None:
                continue
            earlier = self._seen.setdefault(key, [])
            if earlier:
                self._waiting.append((delivery, kind, earlier[0].exchange))
            earlier.append(delivery)

    def _settle(self, *, final: bool = False) -> list[Finding]:
        findings, waiting = [], []
        for delivery, kind, first in self._waiting:
            key = delivery.credentials[0 if kind == "access" else 1]
            assert key is not None
            if any(_one_issuance(d, delivery) for d in self._seen[key] if d is not delivery):
                continue
            exchange = delivery.exchange
            answered = max(exchange.seq, exchange.last_sent_before_answer) <= self._all_answered_upto
            if final or answered or exchange.last_sent_before_answer == 0:
                findings.append(_repeated(kind, first, exchange))
            else:
                waiting.append((delivery, kind, first))
        self._waiting = waiting
        return findings


def _one_issuance(one: _Delivery, other: _Delivery) -> bool:
    """The same pair delivered twice for one grant: to duplicates in flight together, or again to
    the same refresh token presented later (a server's grace period answering a retried
    refresh with the pair it already issued: nothing new was generated, and only the holder of
    that refresh token gets it; whether the used token should still work is RFC 9700 §4.14.2's
    question, judged apart)."""
    if one.credentials != other.credentials or one.exchange.grant_type != other.exchange.grant_type:
        return False
    presented = one.exchange.token_key
    same_refresh_token = (
        one.exchange.grant_type == "refresh_token"
        and presented is not None
        and presented == other.exchange.token_key
    )
    return same_refresh_token or overlapped(one.exchange, other.exchange)


def _repeated(kind: str, first: Exchange, again: Exchange) -> Finding:
    return Finding(
        rfc6749.TOKENS_UNIQUE,
        f"a new {kind} token (one comes back only with the same pair, to a duplicate request "
        "sent before the first was answered)",
        f"the {kind} token of exchange #{first.seq} again, in exchange #{again.seq}",
        again,
    )


def judge_issuances(exchanges: Sequence[Exchange]) -> Judgement:
    """RFC 6749 §10.10 on the token responses `exchanges` (each issued a token): all three rules."""
    ordered = sorted(exchanges, key=lambda e: e.seq)
    issuances = Issuances()
    judged = Judgement()
    for exchange in ordered:
        judged.findings += issuances.observe(exchange)
    judged.findings += issuances.flush()
    last = ordered[-1] if ordered else None
    judged.notes[rfc6749.TOKENS_UNIQUE.id] = [f"{len(ordered)} token responses, no token issued twice"]
    for index, kind in enumerate(("access", "refresh")):
        values: list[str] = []
        for exchange in ordered:
            value = _tokens(exchange)[index]
            if value is not None and value not in values:
                values.append(value)
        part = judge_tokens(kind, values, last)
        judged.findings += part.findings
        for requirement_id, notes in part.notes.items():
            judged.notes.setdefault(requirement_id, []).extend(notes)
    return judged
