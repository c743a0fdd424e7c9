"""`conformance openapi --profile P`: print the OpenAPI 3.1 document a profile implies."""

from __future__ import annotations

import argparse
import sys

from conformance.config import arguments
from conformance.profile import load_profile

__all__ = ["add_arguments", "main"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_arguments(parser, "openapi")
    parser.add_argument("--json", action="store_true", help="JSON instead of YAML")


def main(args: argparse.Namespace) -> int:
    from conformance.profile.openapi import render

    sys.stdout.write(render(load_profile(args.profile), args.resource_path, as_json=args.json))
    return 0
