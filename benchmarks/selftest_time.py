"""Time the self-test matrix: wall time, and the run times of its conformant, defect and variant runs.

    python benchmarks/selftest_time.py [--jobs N] [--profile NAME ...]

The matrix is one whole suite run per defect and per benign variant; this is where its cost is
measured (tests/test_selftest.py asserts verdicts, never a time).
"""

from __future__ import annotations

import argparse
import statistics

from conformance.cli.selftest import selftest


def _spread(seconds: list[float]) -> str:
    if not seconds:
        return "none"
    return (
        f"{len(seconds)} runs, median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s, "
        f"sum {sum(seconds):.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--profile", action="append", default=[])
    args = parser.parse_args()
    matrix = selftest(args.profile, jobs=args.jobs)
    print(f"wall time {matrix.wall_seconds:.1f} s with {matrix.jobs} jobs")
    print(f"  conformant: {_spread([b.seconds for b in matrix.baselines])}")
    print(f"  defects:    {_spread([r.seconds for r in matrix.rows])}")
    print(f"  variants:   {_spread([v.seconds for v in matrix.variant_rows])}")


if __name__ == "__main__":
    main()
