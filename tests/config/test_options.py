"""One table of options: the pytest options, the CLI's arguments, the suite's argv and RunSettings agree."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.cli import build_parser, main
from conformance.cli.run import pytest_arguments
from conformance.config.arguments import Given, suite_argv
from conformance.config.options import OPTIONS, Option
from conformance.config.settings import RunSettings
from conformance.errors import UsageError
from tests.conftest import SuiteRun

EMULATED = ["run", "--profile", "tourpaq", "--emulate"]
LIVE = ["run", "--profile", "tourpaq", "--url", "https://api.example.com"]
# What each option of `conformance run` is given in the round trip, and against which target.
SAMPLES: dict[str, tuple[list[str], list[str]]] = {
    "profile": (EMULATED, []),
    "url": (LIVE, []),
    "emulate": (EMULATED, []),
    "resource-path": (LIVE, ["--resource-path", "/protected"]),
    "expiry-wait": (LIVE, ["--expiry-wait", "2.5"]),
    "report-dir": (EMULATED, []),  # every round trip gives one
    "timeout": (LIVE, ["--timeout", "3.5"]),
    "defect": (EMULATED, ["--defect", "token-type-mac", "--defect", "accepts-wrong-client-secret"]),
    "variant": (EMULATED, ["--variant", "hex-tokens"]),
    "lifetime": (EMULATED, ["--lifetime", "60"]),
    "max-requests": (LIVE, ["--max-requests", "7"]),
    "max-rps": (LIVE, ["--max-rps", "2.5"]),
    "max-tokens": (LIVE, ["--max-tokens", "4"]),
    "allow-insecure-http": (LIVE, ["--allow-insecure-http"]),
    "yes": (LIVE, ["--yes"]),
    "dry-run": (LIVE, ["--dry-run"]),
    "examples": (EMULATED, ["--examples", "12"]),
    "seed": (EMULATED, ["--seed", "42"]),
    "baseline": (EMULATED, ["--baseline", "accepted.yaml"]),
    "strict-baseline": (EMULATED, ["--baseline", "accepted.yaml", "--strict-baseline"]),
    "select": (
        EMULATED,
        ["--select", "test_scope.py", "--select", "lifecycle/test_refresh.py::test_x[password]"],
    ),
}
RUN_OPTIONS = [o for o in OPTIONS if o.pytest and "run" in o.commands]


def _subcommand(command: str) -> argparse.ArgumentParser:
    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    parser: argparse.ArgumentParser = subparsers.choices[command]
    return parser


@pytest.mark.parametrize("row", OPTIONS, ids=lambda o: o.name)
def test_each_subcommand_takes_the_options_declared_for_it(row: Option) -> None:
    assert row.commands, f"{row.name}: declared for no subcommand"
    for command in row.commands:
        assert row.cli_flag in _subcommand(command)._option_string_actions, (command, row.cli_flag)


def test_every_pytest_option_and_ini_twin_is_registered(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    registered = {flag for option in config._parser._anonymous.options for flag in option.names()}
    registered |= {
        flag for group in config._parser._groups for option in group.options for flag in option.names()
    }
    for row in (o for o in OPTIONS if o.pytest):
        assert row.pytest_flag in registered
        config.getini(row.ini)  # raises ValueError for an unknown ini key
    assert set(SAMPLES) == {o.name for o in RUN_OPTIONS}, "give each new option of `run` a sample"


@pytest.mark.parametrize("row", RUN_OPTIONS, ids=lambda o: o.name)
def test_cli_argv_and_settings_round_trip(pytester: pytest.Pytester, row: Option) -> None:
    """`conformance run` → its RunSettings, and → the suite's argv → the plugin's RunSettings: equal."""
    target, given = SAMPLES[row.name]
    report = ["--report-dir", str(pytester.path / "reports")]
    args = build_parser().parse_args([*target, *report, *given])
    from_cli = RunSettings.from_given(Given.from_arguments(args, "run"))
    config = pytester.parseconfig(*pytest_arguments(args, args.report_dir))
    assert from_cli is not None and from_cli == RunSettings.from_config(config)
    if given:  # the option did something: without it the settings differ
        without = RunSettings.from_given(
            Given.from_arguments(build_parser().parse_args([*target, *report]), "run")
        )
        assert from_cli != without


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--max-requests", "x", "--max-requests: not a whole number: 'x'"),
        ("--max-requests", "2.5", "--max-requests: not a whole number: '2.5'"),
        ("--examples", "many", "--examples: not a whole number: 'many'"),
        ("--timeout", "soon", "--timeout: not a number of seconds: 'soon'"),
        ("--expiry-wait", "-1", "--expiry-wait: must not be negative: '-1'"),
        ("--jobs", "0", "--jobs: must be at least 1: '0'"),
    ],
)
def test_a_bad_cli_value_is_one_line_naming_the_flag_as_typed(
    capsys: pytest.CaptureFixture[str], flag: str, value: str, message: str
) -> None:
    assert main([*EMULATED, flag, value]) == 4
    assert capsys.readouterr().err == f"conformance: error: {message}\n"


def test_a_bad_pytest_value_names_the_pytest_flag_or_the_ini_key(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig(
        "--conformance-profile", "tourpaq", "--conformance-emulate", "--conformance-max-requests", "x"
    )
    with pytest.raises(UsageError, match=r"^--conformance-max-requests: not a whole number: 'x'$"):
        RunSettings.from_config(config)
    pytester.makeini("[pytest]\nconformance_expiry_wait = later\n")
    config = pytester.parseconfig("--conformance-profile", "tourpaq", "--conformance-emulate")
    with pytest.raises(UsageError, match=r"^conformance_expiry_wait: not a number of seconds: 'later'$"):
        RunSettings.from_config(config)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--profile", "tourpaq", "--url", "https://api.example.com", "--emulate"],
        ["run", "--profile", "tourpaq"],
        ["run", "--profile", "tourpaq", "--emulate", "--no-such-option"],
        ["emulate", "--port", "eighty"],
        ["no-such-command"],
    ],
)
def test_every_usage_error_exits_4_with_one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 4
    err = capsys.readouterr().err
    assert err.startswith("conformance: error: ") and err.count("\n") == 1, err


def test_option_conflicts_name_the_cli_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*LIVE, "--defect", "token-type-mac"]) == 4
    assert capsys.readouterr().err == "conformance: error: --defect and --lifetime need --emulate\n"
    assert main([*EMULATED, "--strict-baseline"]) == 4
    assert capsys.readouterr().err == "conformance: error: --strict-baseline needs --baseline FILE\n"


def test_jobs_spread_the_suite_over_xdist_workers(tmp_path: Path) -> None:
    argv = pytest_arguments(build_parser().parse_args([*EMULATED, "--jobs", "2"]), tmp_path)
    assert argv[argv.index("-n") :][:4] == ["-n", "2", "--dist", "loadgroup"]
    assert "-n" not in pytest_arguments(build_parser().parse_args(EMULATED), tmp_path)  # default: 1 process


def test_selftest_jobs_keep_their_meaning() -> None:
    args = build_parser().parse_args(["selftest", "--jobs", "3"])
    assert args.jobs == 3  # worker processes of the matrix (conformance.selftest), not xdist's
    assert build_parser().parse_args(["selftest"]).jobs is None  # the CPU count


def test_suite_argv_refuses_what_is_not_a_pytest_option() -> None:
    with pytest.raises(ValueError, match="no conformance option named 'profiles'"):
        suite_argv({"profiles": "tourpaq"})
    with pytest.raises(ValueError, match="'jobs' is not a pytest option"):
        suite_argv({"jobs": 2})


def test_a_suite_run_loads_no_conftest_of_the_callers_project(
    pytester: pytest.Pytester, run_suite: Callable[..., SuiteRun]
) -> None:
    """`conformance run` started in a project: its tests/conftest.py (fixtures, hooks, autouse
    set-up) stays out of the suite's run."""
    for where in ("conftest.py", "tests/conftest.py"):
        pytester.makepyfile(
            **{
                where[:-3]: "def pytest_configure(config):\n"
                f"    open({where.replace('/', '-')!r} + '.loaded', 'w').close()\n"
            }
        )
    run = run_suite("machine", "-k", "client_credentials_grant_issues")
    assert run.ret == 0, run.output
    assert sorted(p.name for p in pytester.path.glob("*.loaded")) == []
    # The same conftests do load where pytest finds the tests itself (a user's own scenarios).
    assert "--noconftest" not in suite_argv({}, scenarios=None)
