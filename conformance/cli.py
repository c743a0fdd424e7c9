"""`conformance run | emulate | requirements`: the command-line contract of DESIGN.md."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from conformance import baseline, diff, merge, probe, selftest
from conformance.errors import ConformanceError, UsageError
from conformance.profile import Profile, load_profile
from conformance.requirements import all_requirements
from conformance.safety import is_loopback, plan
from conformance.settings import LIVE_MAX_REQUESTS, LIVE_MAX_RPS, RunSettings

__all__ = ["main", "pytest_arguments", "requirements_markdown"]

PYTEST_INI = Path(__file__).resolve().parent / "_pytest.ini"
USAGE_ERROR = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conformance",
        description="Conformance tests for OAuth 2.0-style token endpoints. Credentials come "
        "from CONFORMANCE_CLIENT_ID, CONFORMANCE_CLIENT_SECRET, CONFORMANCE_USERNAME and "
        "CONFORMANCE_PASSWORD, never from the command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the suite against a live URL or the emulator")
    run.add_argument("--profile", required=True, help="built-in profile name or YAML path")
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="base URL of the deployment to test")
    target.add_argument("--emulate", action="store_true", help="test the profile's in-process emulator")
    run.add_argument("--resource-path", help="Bearer-protected resource path (overrides the profile)")
    run.add_argument(
        "--expiry-wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="seconds the suite may wait to watch a token expire on a live target (default 0)",
    )
    run.add_argument("--report-dir", type=Path, help="where reports go (default reports/<profile>/)")
    run.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="seconds before a request is abandoned (default 10)",
    )
    run.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="with --emulate: switch on an emulator defect (repeatable)",
    )
    run.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME",
        help="with --emulate: switch on a benign emulator variant (repeatable)",
    )
    run.add_argument(
        "--lifetime",
        type=float,
        metavar="SECONDS",
        help="with --emulate: access token lifetime of the emulator",
    )
    run.add_argument(
        "--max-requests",
        type=int,
        metavar="N",
        help=f"request budget; the run stops when it is spent (live default {LIVE_MAX_REQUESTS})",
    )
    run.add_argument(
        "--max-rps",
        type=float,
        metavar="R",
        help=f"requests per second at most (live default {LIVE_MAX_RPS:g})",
    )
    run.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow credentials over plain http:// to a host other than loopback",
    )
    run.add_argument(
        "--yes", action="store_true", help="do not ask before testing a live, non-loopback target"
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="list the scenarios and the requests each would send; send nothing",
    )
    run.add_argument(
        "--examples",
        type=int,
        metavar="N",
        help="examples per property-based search (default: thorough against the emulator, few live)",
    )
    run.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="YAML of accepted deviations: the run passes when each failure is one",
    )
    run.add_argument(
        "--strict-baseline",
        action="store_true",
        help="fail when a baselined requirement now holds (remove it)",
    )
    run.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments")

    emulate = commands.add_parser("emulate", help="serve a profile's emulator over HTTP")
    emulate.add_argument("--profile", required=True)
    emulate.add_argument("--port", type=int, default=8000)
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--defect", action="append", default=[], metavar="NAME")
    emulate.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME",
        help="a benign variant: behaviour real servers show and the RFCs allow (repeatable)",
    )
    emulate.add_argument(
        "--lifetime",
        type=float,
        metavar="SECONDS",
        help="access token lifetime in seconds (default: the profile's)",
    )

    openapi = commands.add_parser("openapi", help="print the OpenAPI 3.1 document a profile implies")
    openapi.add_argument("--profile", required=True, help="built-in profile name or YAML path")
    openapi.add_argument("--resource-path", help="the Bearer-protected resource (default: the profile's)")
    openapi.add_argument("--json", action="store_true", help="JSON instead of YAML")

    listing = commands.add_parser("requirements", help="print the requirement catalogue")
    listing.add_argument("--markdown", action="store_true", help="as the README's table")

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
    return parser


def pytest_arguments(args: argparse.Namespace, report_dir: Path) -> list[str]:
    """The pytest command line `conformance run` stands for."""
    argv = [
        "--pyargs",
        "conformance.scenarios",
        "-c",
        str(PYTEST_INI),
        "--rootdir",
        os.getcwd(),
        "-p",
        "no:cacheprovider",
        "--conformance-profile",
        args.profile,
        "--conformance-report-dir",
        str(report_dir),
        "--conformance-timeout",
        str(args.timeout),
        "--conformance-expiry-wait",
        str(args.expiry_wait),
        "--junitxml",
        str(report_dir / "junit.xml"),
        "--html",
        str(report_dir / "report.html"),
        "--self-contained-html",
        "-o",
        "junit_logging=all",
        # The CLI itself imported the package before pytest could set up assertion rewriting.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    argv += ["--conformance-emulate"] if args.emulate else ["--conformance-url", args.url]
    if args.resource_path:
        argv += ["--conformance-resource-path", args.resource_path]
    for name in args.defect:
        argv += ["--conformance-defect", name]
    for name in args.variant:
        argv += ["--conformance-variant", name]
    if args.lifetime:
        argv += ["--conformance-lifetime", str(args.lifetime)]
    for flag, value in (
        ("max-requests", args.max_requests),
        ("max-rps", args.max_rps),
        ("examples", args.examples),
    ):
        if value is not None:
            argv += [f"--conformance-{flag}", str(value)]
    if args.baseline is not None:
        argv += ["--conformance-baseline", str(args.baseline)]
    for flag, given in (
        ("allow-insecure-http", args.allow_insecure_http),
        ("yes", args.yes),
        ("dry-run", args.dry_run),
        ("strict-baseline", args.strict_baseline),
    ):
        if given:
            argv.append(f"--conformance-{flag}")
    return argv + list(args.pytest_args)


def _run(args: argparse.Namespace) -> int:
    import pytest

    profile = load_profile(args.profile)
    if args.baseline is not None:
        baseline.load_baseline(args.baseline)  # a bad baseline: one line, exit 4, nothing sent
    if args.url and not args.dry_run and not is_loopback(args.url) and not args.yes:
        _confirm(profile, args)
        args.yes = True
    report_dir = args.report_dir or Path("reports") / profile.name
    report_dir.mkdir(parents=True, exist_ok=True)
    return int(pytest.main(pytest_arguments(args, report_dir)))


def _confirm(profile: Profile, args: argparse.Namespace) -> None:
    """Say what a live run will do; go on only when a person at a terminal says yes."""
    settings = RunSettings(
        profile=profile.name,
        url=args.url,
        emulate=False,
        resource_path=args.resource_path,
        expiry_wait=args.expiry_wait,
        report_dir=None,
        timeout=args.timeout,
        defects=(),
        lifetime=None,
        max_requests=args.max_requests or LIVE_MAX_REQUESTS,
        max_rps=args.max_rps or LIVE_MAX_RPS,
    )
    print(plan(profile, settings), file=sys.stderr)
    if not sys.stdin.isatty():
        raise UsageError("no terminal to confirm on: pass --yes to run against a live target unattended")
    answer = input("Proceed? [y/N] ").strip().lower()
    if answer not in {"y", "yes"}:
        raise UsageError("not confirmed; nothing was sent")


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
    if args.markdown:
        sys.stdout.write(requirements_markdown())
    else:
        for requirement in all_requirements():
            print(f"{requirement.id:36} {requirement.level.value:13} {requirement.statement}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
    }
    try:
        return handlers[args.command](args)
    except ConformanceError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 2


if __name__ == "__main__":
    sys.exit(main())
