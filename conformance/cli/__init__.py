"""The command line, `conformance COMMAND`: one module per subcommand, each `add_arguments` + `main`.

The command-line contract of DESIGN.md: scripts outside the project call these names. Every
error a command raises as a `ConformanceError` is one line, `conformance: error: ...`, exit 4.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from conformance.cli import (
    baseline,
    diff,
    emulate,
    merge,
    openapi,
    probe,
    replay,
    requirements,
    run,
    selftest,
)
from conformance.errors import ConformanceError, UsageError

__all__ = ["USAGE_ERROR", "build_parser", "main"]

USAGE_ERROR = 4

# name -> (its module, its one-line help), in the order `conformance --help` lists them.
COMMANDS: dict[str, tuple[ModuleType, str]] = {
    "run": (run, "run the suite against a live URL or the emulator"),
    "emulate": (emulate, "serve a profile's emulator over HTTP"),
    "openapi": (openapi, "print the OpenAPI 3.1 document a profile implies"),
    "requirements": (requirements, "print the requirement catalogue"),
    "selftest": (selftest, "every emulator defect against the suite: the kill matrix"),
    "probe": (probe, "learn a draft profile from a live server, by experiment"),
    "baseline": (baseline, "print a baseline accepting the failures in a results.json"),
    "diff": (diff, "what changed between two results.json; exit 1 on a new failure"),
    "merge": (merge, "one overview (HTML, junit, JSON) of many runs' results.json"),
    "replay": (replay, "re-run what showed a finding of a results.json; says whether it reproduced"),
}


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one UsageError line and exit 4 instead of usage text and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="conformance",
        description="Conformance tests for OAuth 2.0-style token endpoints. Credentials come "
        "from CONFORMANCE_CLIENT_ID, CONFORMANCE_CLIENT_SECRET, CONFORMANCE_USERNAME and "
        "CONFORMANCE_PASSWORD, never from the command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        module.add_arguments(commands.add_parser(name, help=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        module, _ = COMMANDS[args.command]
        code: int = module.main(args)
        return code
    except ConformanceError as exc:
        print(f"conformance: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 2
