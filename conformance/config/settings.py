"""The run's settings, read from pytest options or their ini twins, or from `conformance run`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.config.arguments import Given, add_pytest_options
from conformance.config.loopback import is_loopback
from conformance.config.options import (
    LIVE_MAX_REQUESTS,
    LIVE_MAX_RPS,
    LIVE_MAX_TOKENS,
    LIVE_MAX_TOKENS_INVALIDATING,
    OPTIONS,
)
from conformance.errors import ProfileError, UsageError

__all__ = [
    "LIVE_MAX_REQUESTS",
    "LIVE_MAX_RPS",
    "LIVE_MAX_TOKENS",
    "OPTIONS",
    "RunSettings",
    "add_options",
    "live_token_budget",
]


def live_token_budget(profile: str) -> int:
    """The token budget of a live run of `profile`: fewer where every new token logs the account's
    other sessions out (the profile says so)."""
    from conformance.profile import load_profile  # a profile loads only where a live run needs it

    try:
        invalidates = load_profile(profile).invalidates_earlier is True
    except ProfileError:
        return LIVE_MAX_TOKENS  # the run itself says what is wrong with the profile
    return LIVE_MAX_TOKENS_INVALIDATING if invalidates else LIVE_MAX_TOKENS


add_options = add_pytest_options  # the plugin's pytest_addoption


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
    max_tokens: int | None = None  # access tokens the run may obtain (None: no budget)
    allow_insecure_http: bool = False
    confirmed: bool = False
    dry_run: bool = False
    examples: int | None = None  # per property-based search; None: conformance.engine.search decides
    seed: int = 0  # what each search's seed is derived from (conformance.engine.search)
    variants: tuple[str, ...] = ()  # benign emulator variants (conformance.emulator.variants)
    baseline: Path | None = None  # accepted deviations (conformance.report.baseline)
    strict_baseline: bool = False
    select: tuple[str, ...] = ()  # node ids: only these tests run (the summary's ids, pasted back)

    @property
    def live(self) -> bool:
        """Requests really go to someone's server."""
        return not self.emulate and not self.dry_run

    @property
    def frugal(self) -> bool:
        """Tokens are counted: the run reuses the ones it holds, and the target keeps its state
        from one scenario to the next (an emulator is not reset between tests)."""
        return self.max_tokens is not None

    @classmethod
    def from_config(cls, config: pytest.Config) -> RunSettings | None:
        """None when no conformance run was asked for: the plugin then stays out of the way."""
        return cls.from_given(Given.from_config(config))

    @classmethod
    def from_given(cls, given: Given) -> RunSettings | None:
        """The settings of the options given, checked together; errors name each flag as given."""
        profile = given.text("profile")
        if not profile:
            return None
        url, emulate, spell = given.text("url"), given.flag("emulate"), given.spell
        if url and emulate:
            raise UsageError(f"give either {spell('url')} or {spell('emulate')}, not both")
        if not url and not emulate:
            raise UsageError(f"no target: give {spell('url')} URL or {spell('emulate')}")
        if url and not url.startswith(("http://", "https://")):
            raise UsageError(f"{spell('url')} {url!r}: expected an http:// or https:// URL")
        defects, variants = given.names("defect"), given.names("variant")
        dry_run = given.flag("dry-run")
        if (defects or given.has("lifetime")) and not emulate:
            raise UsageError(f"{spell('defect')} and {spell('lifetime')} need {spell('emulate')}")
        if variants and not emulate:
            raise UsageError(f"{spell('variant')} needs {spell('emulate')}")
        if given.flag("strict-baseline") and not given.has("baseline"):
            raise UsageError(f"{spell('strict-baseline')} needs {spell('baseline')} FILE")
        # Someone else's server gets the polite defaults; this machine's gets none. A dry run of a
        # live target plans with the budgets the live run would have, and sends at no pace.
        remote = not emulate and not is_loopback(str(url))
        live = remote and not dry_run
        return cls(
            profile=profile,
            url=url.rstrip("/") if url else None,
            emulate=emulate,
            resource_path=given.text("resource-path") or None,
            expiry_wait=given.number("expiry-wait") or 0.0,
            report_dir=given.path("report-dir"),
            timeout=given.number("timeout") or 0.0,
            defects=defects,
            lifetime=given.number("lifetime") or None,
            max_requests=given.count("max-requests", LIVE_MAX_REQUESTS if remote else 0) or None,
            max_tokens=given.count("max-tokens", live_token_budget(profile) if remote else 0) or None,
            max_rps=given.number("max-rps", LIVE_MAX_RPS if live else 0.0) or None,
            allow_insecure_http=given.flag("allow-insecure-http"),
            confirmed=given.flag("yes"),
            dry_run=dry_run,
            examples=given.count("examples") or None,
            seed=given.count("seed") or 0,
            variants=variants,
            baseline=given.path("baseline"),
            strict_baseline=given.flag("strict-baseline"),
            select=given.names("select"),
        )
