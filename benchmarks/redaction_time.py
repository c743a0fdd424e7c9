"""How long the redactor takes with the thousands of tokens a long property run issues.

    python benchmarks/redaction_time.py [--tokens N] [--repeat N]

Registers N tokens (default 2000) and scrubs a text holding every hundredth of them in three
spellings, as tests/test_redaction_scale.py does; prints the median and the slowest of the
repeats. The test checks that the scrubbing is exact; this is where its speed is measured (it
was 2 s at most when the test asserted a time; a dict lookup of token-character runs keeps it
far below).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time

from conformance.redaction import Redactor


def _once(count: int) -> float:
    redactor = Redactor()
    redactor.add_credentials("client-one", "s3cret-value", "user-name", "pass word!")
    tokens = [secrets.token_urlsafe(32) for _ in range(count)]
    began = time.perf_counter()
    for token in tokens:
        redactor.add_token(token, "access_token")
    text = " ".join(f'{{"access_token": "{t}"}} refresh_token={t}&x=1 x{t}y' for t in tokens[::100])
    scrubbed = redactor.scrub(text)
    elapsed = time.perf_counter() - began
    if any(t in scrubbed for t in tokens):
        raise SystemExit("a token survived the scrubbing")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    times = [_once(args.tokens) for _ in range(args.repeat)]
    print(
        f"{args.tokens} tokens registered and scrubbed: median {statistics.median(times) * 1000:.1f} ms, "
        f"slowest {max(times) * 1000:.1f} ms ({args.repeat} runs)"
    )


if __name__ == "__main__":
    main()
