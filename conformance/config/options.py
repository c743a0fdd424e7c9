"""Every option of a conformance run, declared once.

Each row of `OPTIONS` generates, wherever the option exists (`conformance.config.arguments`):

* the pytest option `--conformance-NAME` and its ini twin `conformance_NAME`;
* the argument `--NAME` of each CLI subcommand that takes it;
* its place in the pytest argument list of a suite run (`suite_argv`, the only builder of one);
* its typed value in `RunSettings` (`Given`, read from pytest or from the CLI).

Values are converted by one converter per kind, and a bad value is reported under the name the
user typed: `--max-requests` on the command line, `--conformance-max-requests` under pytest,
`conformance_max_requests` in an ini file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from conformance.errors import UsageError

__all__ = [
    "LIVE_MAX_REQUESTS",
    "LIVE_MAX_RPS",
    "LIVE_MAX_TOKENS",
    "LIVE_MAX_TOKENS_INVALIDATING",
    "OPTIONS",
    "Option",
    "Use",
    "option",
]

# Live servers are someone's production: a bounded, unhurried run unless told otherwise.
LIVE_MAX_REQUESTS = 300
LIVE_MAX_RPS = 5.0
# Where a new token logs the account's other sessions out (Days Out Guide), each token issued is
# a log-out of the account's real users: a run obtains few, and reuses them.
LIVE_MAX_TOKENS = 10
LIVE_MAX_TOKENS_INVALIDATING = 8  # where the profile says every new token ends the earlier ones

# text: a string; flag: on or off; names: repeatable strings; count: a whole number;
# seconds and rate: a number (float); path: a file or directory.
Kind = Literal["text", "flag", "names", "count", "seconds", "rate", "path"]
_NOUN = {"count": "a whole number", "seconds": "a number of seconds", "rate": "a number"}


@dataclass(frozen=True, slots=True)
class Use:
    """How one CLI subcommand takes an option, where it differs from the row."""

    required: bool = False
    default: object = None  # typed; None: the row's default
    help: str | None = None
    exclusive: str | None = None  # a required mutually exclusive group of this name


@dataclass(frozen=True, slots=True)
class Option:
    name: str  # the CLI flag without "--"; "--conformance-" + name under pytest
    kind: Kind
    help: str  # "{emulate}" stands for the emulate flag as spelled where the help is shown
    commands: Mapping[str, Use] = field(default_factory=dict)  # CLI subcommands that take it
    default: object = None  # typed, when not given; RunSettings applies it
    metavar: str | None = None
    minimum: int = 0  # for numbers
    pytest: bool = True  # also a pytest option with an ini twin

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    @property
    def cli_flag(self) -> str:
        return f"--{self.name}"

    @property
    def pytest_flag(self) -> str:
        return f"--conformance-{self.name}"

    @property
    def ini(self) -> str:
        return f"conformance_{self.dest}"

    def convert(self, raw: object, spelled: str) -> object:
        """`raw` (a string, a flag or a list of strings) as this option's type; `spelled` names it."""
        if self.kind == "flag":
            return bool(raw)
        if self.kind == "names":
            return tuple(str(item) for item in raw) if isinstance(raw, list | tuple) else (str(raw),)
        if self.kind == "path":
            return Path(str(raw))
        if self.kind == "text":
            return str(raw)
        try:
            value: float = int(str(raw)) if self.kind == "count" else float(str(raw))
        except ValueError:
            raise UsageError(f"{spelled}: not {_NOUN[self.kind]}: {raw!r}") from None
        if value < self.minimum:
            floor = "must not be negative" if self.minimum == 0 else f"must be at least {self.minimum}"
            raise UsageError(f"{spelled}: {floor}: {raw!r}")
        return value


_EMULATED = "with {emulate}: "
OPTIONS: tuple[Option, ...] = (
    Option(
        "profile",
        "text",
        "provider profile: a built-in name (tourpaq, daysoutguide, rfc6749) or a YAML path",
        {"run": Use(required=True), "emulate": Use(required=True), "openapi": Use(required=True)},
        metavar="NAME|PATH",
    ),
    Option(
        "url",
        "text",
        "base URL of a live target, e.g. https://api.example.com",
        {
            "run": Use(exclusive="target"),
            "probe": Use(required=True, help="base URL of the server to learn from"),
        },
        metavar="URL",
    ),
    Option(
        "emulate", "flag", "run against the profile's in-process emulator", {"run": Use(exclusive="target")}
    ),
    Option(
        "resource-path",
        "text",
        "path of a Bearer-protected resource (overrides the profile)",
        {
            "run": Use(),
            "openapi": Use(),
            "probe": Use(
                help="a Bearer-protected resource; without it invalidation, expiry and rejections "
                "are not learned"
            ),
        },
        metavar="PATH",
    ),
    Option(
        "expiry-wait",
        "seconds",
        "seconds the suite may wait in real time to watch a token expire (default 0)",
        {
            "run": Use(),
            "probe": Use(
                help="seconds the probe may wait to watch a token expire (default 0: expiry is not watched)"
            ),
        },
        default=0.0,
        metavar="SECONDS",
    ),
    Option(
        "report-dir",
        "path",
        "directory for results.json (report.html and junit.xml come from the CLI)",
        {
            "run": Use(help="where reports go (default reports/<profile>/)"),
            "replay": Use(help="where the replay's reports go (default: replay/ beside RESULTS.json)"),
        },
        metavar="DIR",
    ),
    Option(
        "timeout",
        "seconds",
        "seconds before a request is abandoned (default 10)",
        {"run": Use(), "probe": Use()},
        default=10.0,
        metavar="SECONDS",
    ),
    Option(
        "defect",
        "names",
        _EMULATED + "switch on an emulator defect (repeatable)",
        {"run": Use(), "emulate": Use(), "selftest": Use(help="only this defect (repeatable)")},
        default=(),
        metavar="NAME",
    ),
    Option(
        "variant",
        "names",
        _EMULATED
        + "switch on a benign emulator variant: behaviour real servers show and the RFCs allow (repeatable)",
        {
            "run": Use(),
            "emulate": Use(),
            "selftest": Use(
                help="only this benign variant (repeatable; naming only defects runs no variant)"
            ),
        },
        default=(),
        metavar="NAME",
    ),
    Option(
        "lifetime",
        "seconds",
        _EMULATED + "access token lifetime in seconds (default: the profile's)",
        {"run": Use(), "emulate": Use()},
        metavar="SECONDS",
    ),
    Option(
        "max-requests",
        "count",
        f"request budget: the run stops when it is spent (live default {LIVE_MAX_REQUESTS})",
        {"run": Use(), "probe": Use()},  # probe: its own default and help (conformance.cli.probe)
        metavar="N",
    ),
    Option(
        "max-tokens",
        "count",
        "budget of access tokens the run obtains, apart from the request budget: tokens are reused "
        f"across scenarios and checks that would need more are partial (live default {LIVE_MAX_TOKENS}, "
        f"{LIVE_MAX_TOKENS_INVALIDATING} where every new token logs the account's other sessions out; "
        "none on loopback)",
        {"run": Use()},
        metavar="N",
    ),
    Option(
        "max-rps",
        "rate",
        f"at most this many requests per second (live default {LIVE_MAX_RPS:g}; none on loopback)",
        {"run": Use(), "probe": Use()},
        metavar="R",
    ),
    Option(
        "allow-insecure-http",
        "flag",
        "allow credentials over plain http:// to a host other than loopback",
        {"run": Use(), "probe": Use()},
    ),
    Option(
        "yes",
        "flag",
        "confirm a run against a live, non-loopback target (its side effects are listed first)",
        {"run": Use(), "probe": Use(), "replay": Use()},
    ),
    Option(
        "dry-run",
        "flag",
        "list the scenarios and the requests each would send; send nothing to the target",
        {"run": Use()},
    ),
    Option(
        "examples",
        "count",
        "examples per property-based search (default: thorough against the emulator, few live)",
        {"run": Use()},
        metavar="N",
    ),
    Option(
        "seed",
        "count",
        "the seed every property-based search derives its own from (default 0: the same examples "
        "every run, wherever it is started); a failure prints it, and the same --seed replays it",
        {"run": Use()},
        metavar="N",
    ),
    Option(
        "baseline",
        "path",
        "YAML file of accepted deviations: a run whose every failure is listed passes",
        {"run": Use()},
        metavar="FILE",
    ),
    Option(
        "strict-baseline",
        "flag",
        "fail the run when a baselined requirement now holds (remove it)",
        {"run": Use()},
    ),
    Option(
        "select",
        "names",
        "run only this test, by the node id the summary prints (test_refresh.py::test_x[password]; "
        "repeatable); `conformance run` also takes node ids after --",
        {"run": Use()},
        metavar="NODEID",
    ),
    Option(
        "jobs",
        "count",
        "pytest-xdist workers for the suite (default 1: one process)",
        {"run": Use(default=1), "selftest": Use(help="worker processes (default: CPU count)")},
        metavar="N",
        minimum=1,
        pytest=False,
    ),
)
_BY_NAME = {o.name: o for o in OPTIONS}


def option(name: str) -> Option:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"no conformance option named {name!r}") from None
