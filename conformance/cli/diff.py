"""`conformance diff OLD.json NEW.json`: what changed between two runs; exit 1 on a new failure."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from conformance.report.diff import diff_results
from conformance.report.model import load_results

__all__ = ["add_arguments", "main"]


def add_arguments(parser: Any) -> None:
    parser.add_argument("old", type=Path, metavar="OLD.json", help="results.json of the earlier run")
    parser.add_argument("new", type=Path, metavar="NEW.json", help="results.json of the later run")
    parser.add_argument(
        "--format", choices=("text", "markdown"), default="text", help="text (default) or markdown"
    )


def main(args: Any) -> int:
    result = diff_results(load_results(args.old).document, load_results(args.new).document)
    sys.stdout.write(result.markdown() if args.format == "markdown" else result.text())
    return result.exit_code
