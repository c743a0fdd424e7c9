"""`conformance emulate --profile P`: serve a profile's emulator over HTTP, or list its defects."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import TYPE_CHECKING

from conformance.config import arguments, options
from conformance.errors import UsageError
from conformance.profile import Profile, load_profile

if TYPE_CHECKING:
    from conformance.emulator import Emulator

__all__ = ["add_arguments", "main"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # --profile is required to serve, not to list the catalogue (checked in `main`).
    arguments.add_arguments(parser, "emulate", uses={"profile": options.Use(required=False)})
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--list-defects",
        action="store_true",
        help="list the defects (of --profile, if given): what each does, the requirements it breaks",
    )
    parser.add_argument(
        "--list-variants",
        action="store_true",
        help="list the benign variants (of --profile, if given): what each does, the RFC that allows it",
    )


def main(args: argparse.Namespace) -> int:
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
