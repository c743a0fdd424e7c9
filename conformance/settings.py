"""The run's settings, read from pytest options or their ini twins."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.errors import UsageError
from conformance.loopback import is_loopback

__all__ = ["LIVE_MAX_REQUESTS", "LIVE_MAX_RPS", "OPTIONS", "RunSettings", "add_options"]

# Live servers are someone's production: a bounded, unhurried run unless told otherwise.
LIVE_MAX_REQUESTS = 300
LIVE_MAX_RPS = 5.0

# (flag suffix, ini type, help); the ini key is the flag with '-' -> '_'.
OPTIONS: list[tuple[str, str, str]] = [
    (
        "profile",
        "string",
        "provider profile: a built-in name (tourpaq, daysoutguide, rfc6749) or a YAML path",
    ),
    ("url", "string", "base URL of a live target, e.g. https://api.example.com"),
    ("emulate", "bool", "run against the profile's in-process emulator"),
    ("resource-path", "string", "path of a Bearer-protected resource (overrides the profile)"),
    ("expiry-wait", "string", "seconds the suite may wait in real time to watch a token expire (default 0)"),
    ("report-dir", "string", "directory for results.json (report.html and junit.xml come from the CLI)"),
    ("timeout", "string", "seconds before a request is abandoned (default 10)"),
    ("defect", "linelist", "with --conformance-emulate: switch on an emulator defect (repeatable)"),
    (
        "variant",
        "linelist",
        "with --conformance-emulate: switch on a benign emulator variant (repeatable)",
    ),
    ("lifetime", "string", "with --conformance-emulate: access token lifetime in seconds"),
    (
        "max-requests",
        "string",
        f"request budget: the run stops when it is spent (live default {LIVE_MAX_REQUESTS})",
    ),
    ("max-rps", "string", f"at most this many requests per second (live default {LIVE_MAX_RPS:g})"),
    ("allow-insecure-http", "bool", "allow credentials over plain http:// to a host other than loopback"),
    ("yes", "bool", "confirm a run against a live, non-loopback target (its side effects are listed first)"),
    ("dry-run", "bool", "list the scenarios and the requests each would send; send nothing to the target"),
    (
        "examples",
        "string",
        "examples per property-based search (default: thorough against the emulator, few live)",
    ),
    ("baseline", "string", "YAML file of accepted deviations: a run whose every failure is listed passes"),
    ("strict-baseline", "bool", "fail the run when a baselined requirement now holds (remove it)"),
]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "token endpoint conformance")
    for suffix, ini_type, help_text in OPTIONS:
        dest = "conformance_" + suffix.replace("-", "_")
        flag = f"--conformance-{suffix}"
        if ini_type == "bool":
            group.addoption(flag, action="store_true", default=None, dest=dest, help=help_text)
        elif ini_type == "linelist":
            group.addoption(flag, action="append", default=None, dest=dest, metavar="NAME", help=help_text)
        else:
            group.addoption(flag, action="store", default=None, dest=dest, help=help_text)
        parser.addini(dest, help=help_text, type=ini_type)  # type: ignore[arg-type]


def _value(config: pytest.Config, suffix: str) -> object:
    dest = "conformance_" + suffix.replace("-", "_")
    given = config.getoption(dest)
    return given if given not in (None, []) else config.getini(dest)


def _number(config: pytest.Config, suffix: str, default: float) -> float:
    raw = _value(config, suffix)
    if raw in (None, ""):
        return default
    try:
        value = float(str(raw))
    except ValueError:
        raise UsageError(f"--conformance-{suffix}: {raw!r} is not a number of seconds") from None
    if value < 0:
        raise UsageError(f"--conformance-{suffix}: {raw!r} must not be negative")
    return value


@dataclass(frozen=True, slots=True)
class RunSettings:
    profile: str
    url: str | None
    emulate: bool
    resource_path: str | None
    expiry_wait: float
    report_dir: Path | None
    timeout: float
    defects: tuple[str, ...]
    lifetime: float | None
    max_requests: int | None = None
    max_rps: float | None = None
    allow_insecure_http: bool = False
    confirmed: bool = False
    dry_run: bool = False
    examples: int | None = None  # per property-based search; None: conformance.search decides
    variants: tuple[str, ...] = ()  # benign emulator variants (conformance.emulator.variants)
    baseline: Path | None = None  # accepted deviations (conformance.baseline)
    strict_baseline: bool = False

    @property
    def live(self) -> bool:
        """Requests really go to someone's server."""
        return not self.emulate and not self.dry_run

    @classmethod
    def from_config(cls, config: pytest.Config) -> RunSettings | None:
        """None when no conformance run was asked for: the plugin then stays out of the way."""
        profile = _value(config, "profile")
        if not profile:
            return None
        url = _value(config, "url") or None
        emulate = bool(_value(config, "emulate"))
        if url and emulate:
            raise UsageError("give either --conformance-url or --conformance-emulate, not both")
        if not url and not emulate:
            raise UsageError("no target: give --conformance-url URL or --conformance-emulate")
        if url and not str(url).startswith(("http://", "https://")):
            raise UsageError(f"--conformance-url {url!r}: expected an http:// or https:// URL")
        report_dir = _value(config, "report-dir")
        lifetime = _value(config, "lifetime")
        given_defects = _value(config, "defect") or []
        defects = tuple(str(d) for d in given_defects) if isinstance(given_defects, list) else ()
        given_variants = _value(config, "variant") or []
        variants = tuple(str(v) for v in given_variants) if isinstance(given_variants, list) else ()
        dry_run = bool(_value(config, "dry-run"))
        if (defects or lifetime) and not emulate:
            raise UsageError("--conformance-defect and --conformance-lifetime need --conformance-emulate")
        if variants and not emulate:
            raise UsageError("--conformance-variant needs --conformance-emulate")
        if _value(config, "strict-baseline") and not _value(config, "baseline"):
            raise UsageError("--conformance-strict-baseline needs --conformance-baseline FILE")
        # Someone else's server gets the polite defaults; this machine's gets none.
        live = not emulate and not dry_run and not is_loopback(str(url))
        max_requests = _number(config, "max-requests", LIVE_MAX_REQUESTS if live else 0.0)
        max_rps = _number(config, "max-rps", LIVE_MAX_RPS if live else 0.0)
        return cls(
            profile=str(profile),
            url=str(url).rstrip("/") if url else None,
            emulate=emulate,
            resource_path=str(_value(config, "resource-path") or "") or None,
            expiry_wait=_number(config, "expiry-wait", 0.0),
            report_dir=Path(str(report_dir)) if report_dir else None,
            timeout=_number(config, "timeout", 10.0),
            defects=defects,
            lifetime=_number(config, "lifetime", 0.0) or None,
            max_requests=int(max_requests) or None,
            max_rps=max_rps or None,
            allow_insecure_http=bool(_value(config, "allow-insecure-http")),
            confirmed=bool(_value(config, "yes")),
            dry_run=dry_run,
            examples=int(_number(config, "examples", 0.0)) or None,
            variants=variants,
            baseline=Path(str(_value(config, "baseline"))) if _value(config, "baseline") else None,
            strict_baseline=bool(_value(config, "strict-baseline")),
        )
