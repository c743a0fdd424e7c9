"""How guessable tokens are (RFC 6749 §10.10), judged from a few issued tokens.

"The probability of an attacker guessing generated tokens ... MUST be less than or equal to
2^(-128) and SHOULD be less than or equal to 2^(-160)." A black box cannot measure
randomness, so these checks only claim what a sample proves:

* `capacity_bits` is an upper bound: a token can carry no more than length x log2(alphabet)
  bits, the alphabet being the smallest common one holding every character seen. Below 128
  the MUST is broken whatever the generator; the estimate errs on the generous side, so a
  conformant server is never failed by it.
* `counter_like` spots consecutive tokens that differ only in their last few characters: a
  counter or a clock. Knowing one such token, an attacker enumerates the next in at most
  95^4 (about 2^26) guesses. Two random tokens agree on every other position with
  probability about 2^-6 per character, so this never fires on a random token of 8 or more
  characters.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence

__all__ = ["ALPHABETS", "COUNTER_TAIL", "alphabet_of", "capacity_bits", "counter_like"]

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
COUNTER_TAIL = 4


def alphabet_of(tokens: Sequence[str]) -> tuple[str, int]:
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
