"""`conformance requirements`: the requirement catalogue, as a list or the documentation's tables."""

from __future__ import annotations

import argparse
import sys

from conformance.requirements import all_requirements
from conformance.requirements.coverage import coverage_markdown, requirements_markdown

__all__ = ["add_arguments", "main"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="as the documentation's table (docs/reference/requirements.md)",
    )
    parser.add_argument(
        "--coverage", action="store_true", help="as the documentation's table of the RFC sections covered"
    )


def main(args: argparse.Namespace) -> int:
    if args.coverage:
        sys.stdout.write(coverage_markdown())
    elif args.markdown:
        sys.stdout.write(requirements_markdown())
    else:
        for requirement in all_requirements():
            print(f"{requirement.id:36} {requirement.level.value:13} {requirement.statement}")
    return 0
