"""`conformance run | emulate | requirements`: the command-line contract of DESIGN.md."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from conformance import arguments, baseline, diff, merge, options, probe, replay, selftest
from conformance.errors import ConformanceError, UsageError
from conformance.launch import launch
from conformance.profile import Profile, load_profile
from conformance.requirements import all_requirements
from conformance.requirements.coverage import coverage_markdown

if TYPE_CHECKING:
    from conformance.emulator import Emulator

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
    # --profile is required to serve, not to list the catalogue (checked in `_emulate`).
    arguments.add_arguments(emulate, "emulate", uses={"profile": options.Use(required=False)})
    emulate.add_argument("--port", type=int, default=8000)
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument(
        "--list-defects",
        action="store_true",
        help="list the defects (of --profile, if given): what each does, the requirements it breaks",
    )
    emulate.add_argument(
        "--list-variants",
        action="store_true",
        help="list the benign variants (of --profile, if given): what each does, the RFC that allows it",
    )

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
    from conformance.emulator.listing import defects_text, variants_text

    profile = load_profile(args.profile) if args.profile else None
    if args.list_defects or args.list_variants:
        sys.stdout.write(defects_text(profile) if args.list_defects else "")
        sys.stdout.write(variants_text(profile) if args.list_variants else "")
        return 0
    if profile is None:
        raise UsageError("the following arguments are required: --profile")
    return _serve(args, profile)


def _accepted_credentials(emulator: Emulator) -> list[str]:
    """The credentials the emulator accepts, as a client's environment would hold them: the
    profile's emulator values shown (they are made up, for this emulator), values taken from the
    caller's own CONFORMANCE_* variables only named (they may be real)."""
    shown, yours = [], []
    for name, value in emulator.credentials.environment().items():
        if os.environ.get(name):
            yours.append(name)
        else:
            shown.append(f"{name}={shlex.quote(value)}")
    lines = [f"    export {' '.join(shown)}"] if shown else []
    if yours:
        lines.append(f"    and your own {', '.join(yours)} (taken from your environment)")
    return lines


def _serve(args: argparse.Namespace, profile: Profile) -> int:
    import uvicorn

    from conformance.clock import SystemClock
    from conformance.emulator import Emulator

    emulator = Emulator(
        profile,
        clock=SystemClock(show_countdown=False),
        defects=args.defect,
        lifetime=args.lifetime,
        variants=args.variant,
    )
    defects = f", defects: {', '.join(args.defect)}" if args.defect else ""
    defects += f", variants: {', '.join(args.variant)}" if args.variant else ""
    lines = [
        f"conformance: emulating {profile.title} ({profile.name}) on http://{args.host}:{args.port}{defects}",
        f"  token endpoint {profile.token_method} {profile.token_path}; protected resource: any other path",
        "  it accepts these credentials (for your client, or `conformance run --url`):",
        *_accepted_credentials(emulator),
    ]
    print("\n".join(lines), flush=True)
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
        print(f"conformance: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 2


if __name__ == "__main__":
    sys.exit(main())
