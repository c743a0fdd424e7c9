"""`conformance baseline RESULTS.json`: a baseline accepting the failures of a run, for review."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from conformance.report.baseline import baseline_yaml
from conformance.report.model import load_results

__all__ = ["add_arguments", "main"]


def add_arguments(parser: Any) -> None:
    parser.add_argument("results", type=Path, metavar="RESULTS.json", help="a run's results.json")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the baseline here, not to stdout")


def main(args: Any) -> int:
    text = baseline_yaml(load_results(args.results))
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"conformance: baseline written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
