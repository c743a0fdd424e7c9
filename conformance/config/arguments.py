"""What the table of options (`conformance.config.options`) generates.

The pytest options and their ini twins, the arguments of the CLI subcommands, the options a run
was given (typed, with the names the user typed), and the pytest argument list of a suite run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from conformance.config.options import OPTIONS, Option, Use, option

if TYPE_CHECKING:
    import pytest

__all__ = ["PYTEST_INI", "Given", "add_arguments", "add_pytest_options", "suite_argv"]

# The project's own pytest settings: a suite run ignores whatever pytest.ini lies around the cwd.
PYTEST_INI = Path(__file__).resolve().parent / "_pytest.ini"
_INI_TYPE = {"flag": "bool", "names": "linelist"}  # every other kind: "string"


def _help(text: str, emulate_flag: str) -> str:
    return text.replace("{emulate}", emulate_flag)


def add_pytest_options(parser: pytest.Parser) -> None:
    """`--conformance-NAME` and its ini twin, for every row pytest knows; values stay raw until `Given`."""
    group = parser.getgroup("conformance", "token endpoint conformance")
    for row in (o for o in OPTIONS if o.pytest):
        text = _help(row.help, option("emulate").pytest_flag)
        dest = row.ini
        if row.kind == "flag":
            group.addoption(row.pytest_flag, action="store_true", default=None, dest=dest, help=text)
        elif row.kind == "names":
            group.addoption(
                row.pytest_flag, action="append", default=None, dest=dest, metavar=row.metavar, help=text
            )
        else:
            group.addoption(
                row.pytest_flag, action="store", default=None, dest=dest, metavar=row.metavar, help=text
            )
        parser.addini(dest, help=text, type=_INI_TYPE.get(row.kind, "string"))  # type: ignore[arg-type]


def add_arguments(
    parser: argparse.ArgumentParser, command: str, uses: Mapping[str, Use] | None = None
) -> None:
    """The arguments of CLI subcommand `command`: typed by the row, a bad value one UsageError.

    `uses`: how this command takes an option, where the table cannot say it (a default that
    lives with the command).
    """
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for row in (o for o in OPTIONS if command in o.commands):
        use = (uses or {}).get(row.name, row.commands[command])
        into: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup = parser
        if use.exclusive is not None:
            if use.exclusive not in groups:
                groups[use.exclusive] = parser.add_mutually_exclusive_group(required=True)
            into = groups[use.exclusive]
        text = use.help or row.help
        if command not in option("emulate").commands:  # `conformance emulate` needs no "with --emulate"
            text = text.replace("with {emulate}: ", "")
        text = _help(text, option("emulate").cli_flag)
        default = use.default if use.default is not None else row.default
        if row.kind == "flag":
            into.add_argument(row.cli_flag, action="store_true", help=text)
        elif row.kind == "names":
            into.add_argument(row.cli_flag, action="append", default=[], metavar=row.metavar, help=text)
        else:
            into.add_argument(
                row.cli_flag,
                type=_typed(row),
                default=default,
                required=use.required,
                metavar=row.metavar,
                help=text,
            )


def _typed(row: Option) -> Callable[[str], object]:
    # A UsageError (not ValueError) leaves argparse at once: one line naming the flag, exit 4.
    return lambda raw: row.convert(raw, row.cli_flag)


class Given:
    """The options one run was given, typed, and how the user spelled each (for messages)."""

    def __init__(self, values: Mapping[str, object], spelled: Mapping[str, str], surface: str) -> None:
        self._values = dict(values)
        self._spelled = dict(spelled)
        self._surface = surface  # "cli" or "pytest": how an option not given is named

    @classmethod
    def from_arguments(cls, args: argparse.Namespace, command: str, **extra: object) -> Given:
        """The table's options of a parsed CLI subcommand (typed by argparse already)."""
        values = {o.name: getattr(args, o.dest) for o in OPTIONS if command in o.commands and o.pytest}
        values.update({option(k.replace("_", "-")).name: v for k, v in extra.items()})
        return cls({k: v for k, v in values.items() if _given(v)}, {}, "cli")

    @classmethod
    def from_config(cls, config: pytest.Config) -> Given:
        """Each pytest option, or else its ini twin, converted and named as it was given."""
        values: dict[str, object] = {}
        spelled: dict[str, str] = {}
        for row in (o for o in OPTIONS if o.pytest):
            raw, where = config.getoption(row.ini), row.pytest_flag
            if raw in (None, []):
                raw, where = config.getini(row.ini), row.ini
            if raw in (None, "", [], False):
                continue
            values[row.name] = row.convert(raw, where)
            spelled[row.name] = where
        return cls(values, spelled, "pytest")

    def spell(self, name: str) -> str:
        row = option(name)
        return self._spelled.get(name) or (row.cli_flag if self._surface == "cli" else row.pytest_flag)

    def has(self, name: str) -> bool:
        return name in self._values

    def _get(self, name: str) -> object:
        return self._values.get(name, option(name).default)

    def text(self, name: str) -> str | None:
        value = self._get(name)
        return None if value is None else str(value)

    def flag(self, name: str) -> bool:
        return bool(self._get(name))

    def names(self, name: str) -> tuple[str, ...]:
        value = self._get(name)
        return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

    def number(self, name: str, default: float | None = None) -> float | None:
        value = self._get(name)
        return default if value is None else float(str(value))

    def count(self, name: str, default: int | None = None) -> int | None:
        value = self._get(name)
        return default if value is None else int(str(value))

    def path(self, name: str) -> Path | None:
        value = self._get(name)
        return None if value is None else Path(str(value))


def _given(value: object) -> bool:
    return value is not None and value is not False and value != () and value != []


def suite_argv(
    values: Mapping[str, object],
    *,
    scenarios: str | None = "conformance.scenarios",
    rootdir: Path | str | None = ".",
    quiet: bool = False,
    reports: bool = False,
    jobs: int = 1,
    extra: Sequence[str] = (),
    cache_dir: Path | None = None,
) -> list[str]:
    """The pytest argument list of a suite run: the only place one is built.

    `values`: option name (as in `OPTIONS`) -> typed value; None, False and empty are not given.
    `scenarios`: the package of scenarios (None: the tests pytest finds itself). `rootdir`: run
    under the project's own pytest.ini with this root (default: the cwd), whatever ini lies
    around it: a project's addopts (`-n auto`, `-m`) must not reach a suite run. None: read
    the configuration pytest finds.
    `reports`: junit.xml and report.html beside results.json, as `conformance run` writes them.
    `jobs` > 1: that many pytest-xdist workers, each test group kept on one.
    `cache_dir`: where pytest's cache keeps the last failures (`--lf` reruns them); None: no cache.
    """
    # The packaged scenarios need no conftest; pytest would otherwise load the conftest.py of the
    # caller's directory and of its test* folders (a project's fixtures and hooks) into the run.
    argv = ["--pyargs", scenarios, "--noconftest"] if scenarios else []
    argv += ["-q"] if quiet else []
    argv += ["-p", "no:cacheprovider"] if cache_dir is None else ["-o", f"cache_dir={cache_dir}"]
    if rootdir is not None:
        argv += ["-c", str(PYTEST_INI), "--rootdir", str(rootdir)]
    # A caller that imported the package before pytest could set up assertion rewriting.
    argv += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    for name, value in values.items():
        row = option(name)
        if not row.pytest:
            raise ValueError(f"{name!r} is not a pytest option: pass it as its own argument")
        if not _given(value):
            continue
        if row.kind == "flag":
            argv.append(row.pytest_flag)
        elif row.kind == "names":
            for item in value if isinstance(value, list | tuple) else [value]:
                argv += [row.pytest_flag, str(item)]
        else:
            argv += [row.pytest_flag, str(value)]
    if reports:
        report_dir = values.get("report-dir")
        if report_dir is None:
            raise ValueError("reports=True needs a report-dir")
        argv += ["--junitxml", str(Path(str(report_dir)) / "junit.xml")]
        argv += ["--html", str(Path(str(report_dir)) / "report.html"), "--self-contained-html"]
        argv += ["-o", "junit_logging=all"]
    if jobs > 1:
        argv += ["-n", str(jobs), "--dist", "loadgroup"]
    return [*argv, *extra]
