"""`conformance run | emulate | requirements`: the command-line contract of DESIGN.md."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from conformance import arguments, baseline, diff, merge, options, probe, replay, selftest
from conformance.errors import ConformanceError, UsageError
from conformance.launch import launch
from conformance.profile import load_profile
from conformance.requirements import all_requirements
from conformance.requirements.coverage import coverage_markdown

__all__ = ["main", "pytest_arguments", "requirements_markdown"]

USAGE_ERROR = 4


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one UsageError line and exit 4 instead of usage text and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="conformance",
        description="Conformance tests for OAuth 2.0-style token endpoints. Credentials come "
        "from CONFORMANCE_CLIENT_ID, CONFORMANCE_CLIENT_SECRET, CONFORMANCE_USERNAME and "
        "CONFORMANCE_PASSWORD, never from the command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the suite against a live URL or the emulator")
    arguments.add_arguments(run, "run")
    run.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments")

    emulate = commands.add_parser("emulate", help="serve a profile's emulator over HTTP")
    arguments.add_arguments(emulate, "emulate")
    emulate.add_argument("--port", type=int, default=8000)
    emulate.add_argument("--host", default="127.0.0.1")

    openapi = commands.add_parser("openapi", help="print the OpenAPI 3.1 document a profile implies")
    arguments.add_arguments(openapi, "openapi")
    openapi.add_argument("--json", action="store_true", help="JSON instead of YAML")

    listing = commands.add_parser("requirements", help="print the requirement catalogue")
    listing.add_argument("--markdown", action="store_true", help="as the README's table")
    listing.add_argument(
        "--coverage", action="store_true", help="as the README's table of the RFC sections covered"
    )

    selftest.add_arguments(
        commands.add_parser("selftest", help="every emulator defect against the suite: the kill matrix")
    )
    probe.add_arguments(
        commands.add_parser("probe", help="learn a draft profile from a live server, by experiment")
    )
    baseline.add_arguments(
        commands.add_parser("baseline", help="print a baseline accepting the failures in a results.json")
    )
    diff.add_arguments(
        commands.add_parser("diff", help="what changed between two results.json; exit 1 on a new failure")
    )
    merge.add_arguments(
        commands.add_parser("merge", help="one overview (HTML, junit, JSON) of many runs' results.json")
    )
    replay.add_arguments(
        commands.add_parser(
            "replay", help="re-run what showed a finding of a results.json; says whether it reproduced"
        )
    )
    return parser


def _run_values(args: argparse.Namespace) -> dict[str, object]:
    return {o.name: getattr(args, o.dest) for o in options.OPTIONS if o.pytest and "run" in o.commands}


def pytest_arguments(args: argparse.Namespace, report_dir: Path) -> list[str]:
    """The pytest command line `conformance run` stands for (node ids after `--` aside)."""
    return arguments.suite_argv(
        {**_run_values(args), "report-dir": report_dir},
        rootdir=os.getcwd(),
        reports=True,
        jobs=args.jobs,
        extra=args.pytest_args,
        cache_dir=report_dir / ".pytest_cache",
    )


def _run(args: argparse.Namespace) -> int:
    return launch(_run_values(args), jobs=args.jobs, extra=args.pytest_args)


def _emulate(args: argparse.Namespace) -> int:
    import uvicorn

    from conformance.clock import SystemClock
    from conformance.emulator import Emulator

    profile = load_profile(args.profile)
    emulator = Emulator(
        profile,
        clock=SystemClock(show_countdown=False),
        defects=args.defect,
        lifetime=args.lifetime,
        variants=args.variant,
    )
    defects = f", defects: {', '.join(args.defect)}" if args.defect else ""
    defects += f", variants: {', '.join(args.variant)}" if args.variant else ""
    print(
        f"conformance: emulating {profile.title} ({profile.name}) on http://{args.host}:{args.port}"
        f"{defects}\n  token endpoint {profile.token_method} {profile.token_path}; protected resource: "
        f"any other path; credentials: the profile's emulator values or CONFORMANCE_* variables",
        flush=True,
    )
    # No access log: a query-string profile would print passwords in it.
    uvicorn.run(emulator.app, host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0


def requirements_markdown() -> str:
    lines = ["| id | level | source | statement |", "|---|---|---|---|"]
    for requirement in all_requirements():
        lines.append(
            f"| `{requirement.id}` | {requirement.level.value} | {requirement.source} | "
            f"{requirement.statement} |"
        )
    return "\n".join(lines) + "\n"


def _openapi(args: argparse.Namespace) -> int:
    from conformance.openapi import render

    sys.stdout.write(render(load_profile(args.profile), args.resource_path, as_json=args.json))
    return 0


def _requirements(args: argparse.Namespace) -> int:
    if args.coverage:
        sys.stdout.write(coverage_markdown())
    elif args.markdown:
        sys.stdout.write(requirements_markdown())
    else:
        for requirement in all_requirements():
            print(f"{requirement.id:36} {requirement.level.value:13} {requirement.statement}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    handlers = {
        "run": _run,
        "emulate": _emulate,
        "requirements": _requirements,
        "openapi": _openapi,
        "selftest": selftest.command,
        "probe": probe.command,
        "baseline": baseline.command,
        "diff": diff.command,
        "merge": merge.command,
        "replay": replay.command,
    }
    try:
        args = _parser().parse_args(argv)
        return handlers[args.command](args)
    except ConformanceError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 2


if __name__ == "__main__":
    sys.exit(main())
