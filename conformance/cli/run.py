"""Start a suite run from the command line: every usage error first, then the question, then pytest.

Shared by `conformance run` and `conformance replay`. Whatever is wrong with the options, the
environment or the profile is said in one line before anyone is asked `Proceed? [y/N]`: a
person who answers yes is never then told the run cannot start.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO

from conformance.config import arguments, options
from conformance.config.arguments import Given, suite_argv
from conformance.config.preflight import check_reachable
from conformance.config.safety import check_transport_security, is_loopback, plan
from conformance.config.settings import RunSettings
from conformance.credentials import Credentials
from conformance.errors import TargetUnreachable, UsageError
from conformance.profile import Profile, load_profile
from conformance.registry import closest
from conformance.report import baseline

__all__ = [
    "Prepared",
    "add_arguments",
    "confirm",
    "execute",
    "launch",
    "main",
    "prepare",
    "pytest_arguments",
    "scenario_selection",
]

SCENARIOS = Path(str(files("conformance") / "scenarios"))  # a folder: the package is never zipped


def scenario_selection(extra: Sequence[str]) -> tuple[list[str], list[str]]:
    """`extra` pytest arguments split into (the others, node ids of the packaged scenarios).

    The summary prints node ids as `lifecycle/test_refresh.py::test_x[password]`: relative to the
    package of scenarios, not to where the user stands, so pytest would look for them in the
    working directory. Pasted back after `--`, they select those tests; the module's name alone
    (`test_refresh.py::test_x`) does too. A file of that name in the working directory stays the
    user's own."""
    rest, selected = [], []
    for argument in extra:
        module = argument.split("::", 1)[0]
        if Path(module).name.startswith("test_") and module.endswith(".py") and not Path(module).exists():
            _check_test_name(_scenario_module(module), argument)
            selected.append(argument)
        else:
            rest.append(argument)
    return rest, selected


def _scenario_module(module: str) -> str:
    """The dotted name of the packaged scenario module `module` names (`[folder/]test_x.py`)."""
    found = [
        path
        for path in SCENARIOS.rglob(Path(module).name)
        if ("/" + path.relative_to(SCENARIOS).as_posix()).endswith("/" + module)
    ]
    if not found:
        raise UsageError(f"no scenario module {module}: the node ids the summary prints name one")
    relative = found[0].relative_to(SCENARIOS).with_suffix("")
    return "conformance.scenarios." + ".".join(relative.parts)


def _check_test_name(module: str, node_id: str) -> None:
    """A node id's test function exists in its module (a parametrization is known only once
    pytest collects it: the run names an unknown one)."""
    parts = node_id.split("::")
    if len(parts) < 2:
        return
    name = parts[-1].split("[", 1)[0]
    tests = [n for n in dir(importlib.import_module(module)) if n.startswith("test")]
    if name not in tests:
        near = closest(name, tests)
        hint = f" (did you mean {parts[0]}::{near}?)" if near else ""
        raise UsageError(f"no scenario has the node id {node_id!r}{hint}")


def confirm(profile: Profile, settings: RunSettings) -> None:
    """Say what a live run will do; go on only when a person at a terminal says yes."""
    print(plan(profile, settings), file=sys.stderr)
    if not sys.stdin.isatty():
        raise UsageError("no terminal to confirm on: pass --yes to run against a live target unattended")
    answer = input("Proceed? [y/N] ").strip().lower()
    if answer not in {"y", "yes"}:
        raise UsageError("not confirmed; nothing was sent")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A run ready to start: its pytest arguments, and why the target cannot be reached, if so."""

    argv: list[str]
    report_dir: Path
    unreachable: str | None = None


def launch(values: Mapping[str, object], *, jobs: int = 1, extra: Sequence[str] = ()) -> int:
    """Run the suite with `values` (option name -> typed value, as `suite_argv` takes them) and
    pytest arguments `extra`; pytest's exit code. A usage error raises before anything is asked
    or sent; a target that cannot be reached is one line (the reports still say why)."""
    return execute(prepare(values, jobs=jobs, extra=extra))


class _OneErrorFormat:
    """sys.stderr while pytest runs the suite: pytest's own usage errors (`ERROR: ...`, over
    several lines for an argument it does not know) read as every other error of the command
    line does, one `conformance: error: ...` line. Everything else passes as it is."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._ended = False  # the error's line is written: the blank line pytest adds is dropped

    def write(self, text: str) -> int:
        plain = _ANSI.sub("", text)
        if plain.startswith("ERROR: "):
            self._ended = True
            return self._stream.write(f"conformance: error: {_usage_message(plain)}\n")
        if self._ended and plain == "\n":
            self._ended = False
            return len(text)
        self._ended = False
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _usage_message(text: str) -> str:
    """The cause in pytest's usage error: argparse's `error: ...` line, or its first line."""
    text = text.removeprefix("ERROR: ")
    argparse_error = re.search(r"^\S+: error: (.+)$", text, re.MULTILINE)
    if argparse_error is not None:
        return f"{argparse_error.group(1)} (given to pytest after --)"
    return text.strip().splitlines()[0].removeprefix("conformance: ")


def execute(prepared: Prepared) -> int:
    import pytest

    if prepared.unreachable is None:
        with contextlib.redirect_stderr(_OneErrorFormat(sys.stderr)):
            return int(pytest.main(prepared.argv))
    # Nothing runs: pytest only writes the reports (results.json, junit.xml with an error
    # testcase, report.html), and its screenful would bury the one line that matters.
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        code = int(pytest.main(prepared.argv))
    print(
        f"conformance: error: {prepared.unreachable}; no scenario was run (reports in {prepared.report_dir})",
        file=sys.stderr,
    )
    return code


def prepare(values: Mapping[str, object], *, jobs: int = 1, extra: Sequence[str] = ()) -> Prepared:
    """The run `launch` starts, once every usage error is ruled out, a live target confirmed and
    found reachable (or not: the run then only writes its reports); the report directory made."""
    extra, selected = scenario_selection(extra)
    values = {**values, "select": (*_names(values.get("select")), *selected)}
    given = Given({k: v for k, v in values.items() if v not in (None, False, (), [])}, {}, "cli")
    profile = load_profile(str(values["profile"]))
    settings = RunSettings.from_given(given)  # the options together: one line naming the flags
    assert settings is not None  # a profile was given
    if settings.baseline is not None:
        baseline.load_baseline(settings.baseline)  # a bad baseline: one line, exit 4, nothing sent
    unreachable = None
    if settings.live:
        check_transport_security(settings)
        Credentials.from_environment(profile)  # missing credentials: said before the question
        if not is_loopback(str(settings.url)) and not settings.confirmed:
            confirm(profile, settings)  # before the first connection to someone's server
            values = {**values, "yes": True}
        try:
            check_reachable(str(settings.url), timeout=min(settings.timeout, 10.0))
        except TargetUnreachable as exc:
            unreachable = str(exc)
    report_dir = settings.report_dir or Path("reports") / profile.name
    report_dir.mkdir(parents=True, exist_ok=True)
    argv = suite_argv(
        {**values, "report-dir": report_dir},
        rootdir=os.getcwd(),
        reports=True,
        jobs=jobs,
        extra=extra,
        # Beside the reports: `-- --lf` reruns the last failures of this report directory.
        cache_dir=report_dir / ".pytest_cache",
    )
    return Prepared(argv, report_dir, unreachable)


def _names(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_arguments(parser, "run")
    parser.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments")


def _run_values(args: argparse.Namespace) -> dict[str, object]:
    return {o.name: getattr(args, o.dest) for o in options.OPTIONS if o.pytest and "run" in o.commands}


def pytest_arguments(args: argparse.Namespace, report_dir: Path) -> list[str]:
    """The pytest command line `conformance run` stands for (node ids after `--` aside)."""
    return suite_argv(
        {**_run_values(args), "report-dir": report_dir},
        rootdir=os.getcwd(),
        reports=True,
        jobs=args.jobs,
        extra=args.pytest_args,
        cache_dir=report_dir / ".pytest_cache",
    )


def main(args: argparse.Namespace) -> int:
    return launch(_run_values(args), jobs=args.jobs, extra=args.pytest_args)
