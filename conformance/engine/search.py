"""How hard the property layer searches, and how one search runs.

Three hypothesis settings profiles are registered on import (pick one with
`--hypothesis-profile NAME`; the default follows the target):

* `conformance-ci`: the default against the emulator. Each search is seeded from the test's
  name, so every run tries the same examples; a failure prints the seed.
* `conformance-dev`: a fresh random seed each run, printed with any failure.
* `conformance-live`: the default against a live target. Few examples and no shrinking: each
  shrinking step is another request to someone's server.

`--conformance-examples N` (`conformance run --examples N`) sets every search's number of
examples; `--hypothesis-seed S` replays a seed a failure printed. The request budget and rate
limit of the client apply to every request the searches send.
"""

from __future__ import annotations

import functools
import random
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.internal.conjecture import providers

from conformance.config.loopback import is_loopback
from conformance.config.settings import RunSettings

__all__ = [
    "DEV",
    "EXAMPLES",
    "LIVE",
    "FRUGAL_EXAMPLES",
    "LIVE_EXAMPLES",
    "SEEDED",
    "Budget",
    "budget_for",
    "register_profiles",
    "strategies_alone",
]

DEV = "conformance-dev"
SEEDED = "conformance-ci"
LIVE = "conformance-live"

# Examples per search kind against the emulator, and against a live target.
EXAMPLES = {"requests": 120, "resource": 60, "scope": 15, "lifecycle": 40, "schema": 30}
LIVE_EXAMPLES = {"requests": 10, "resource": 6, "scope": 3, "lifecycle": 3, "schema": 4}
# A run that counts its tokens (live by default, --max-tokens) sends few requests a scripted
# scenario does not: the failed logins of generated requests are what locks accounts, and each
# generated request a server may answer with a token is a session. Its token search tries the
# key cases only (conformance.strategies.key_case).
FRUGAL_EXAMPLES = {"requests": 0, "resource": 6, "scope": 3, "lifecycle": 2, "schema": 1}
STEPS = 10
LIVE_STEPS = 5

_BASE = settings(
    deadline=None,  # servers take their time; a slow answer is no counterexample
    database=None,  # examples hold near misses of credentials: nothing is written to disk
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@contextmanager
def strategies_alone() -> Iterator[None]:
    """While a search runs, hypothesis draws from its strategies alone.

    Hypothesis also draws the string and number constants of the local modules loaded at the time
    (its "local constants"): which are loaded differs between a serial run and its xdist workers,
    with the tests selected, and from one user's project to the next, so the same `--seed` would
    draw other examples (a drawn Authorization value of 16 characters or more is also registered
    as a secret, and was masked in test ids). Outside the suite's searches nothing is changed."""
    original, cache = providers._get_local_constants, providers.CONSTANTS_CACHE
    # The cache of the constants each kind of draw may take holds the local ones too: a cache of
    # our own while the search runs.
    providers._get_local_constants = _no_local_constants
    providers.CONSTANTS_CACHE = type(cache)(1024)
    try:
        yield
    finally:
        providers._get_local_constants, providers.CONSTANTS_CACHE = original, cache


def _no_local_constants() -> Any:
    return providers.Constants()  # type: ignore[attr-defined]


@functools.cache  # once; never at import: nothing here happens because a module was imported
def register_profiles() -> None:
    """The suite's hypothesis profiles, for `--hypothesis-profile` and for every search: asked for
    by the plugin when pytest starts (before hypothesis loads the chosen one), and by each search."""
    settings.register_profile(DEV, max_examples=EXAMPLES["requests"], stateful_step_count=STEPS, parent=_BASE)
    settings.register_profile(
        SEEDED, max_examples=EXAMPLES["requests"], stateful_step_count=STEPS, derandomize=True, parent=_BASE
    )
    settings.register_profile(
        LIVE,
        max_examples=LIVE_EXAMPLES["requests"],
        stateful_step_count=LIVE_STEPS,
        derandomize=True,
        phases=(Phase.explicit, Phase.generate),
        report_multiple_bugs=False,
        parent=_BASE,
    )


@dataclass(frozen=True, slots=True)
class Budget:
    """One search's settings, and how to replay it."""

    profile: str
    settings: settings
    seed: int
    live: bool
    generated: bool = True  # False: the explicit examples only (FRUGAL_EXAMPLES)

    @property
    def examples(self) -> int:
        return int(self.settings.max_examples) if self.generated else 0

    def replay_hint(self) -> str:
        if not self.generated:
            return (
                "the key cases only, no generated examples: a run that counts its tokens sends no "
                "others (--examples N asks for N)"
            )
        return (
            f"hypothesis profile {self.profile}, {self.examples} examples, seed {self.seed}: replay the "
            f"run with the same `--seed` (every search derives its seed from it), or this search alone "
            f"with `--hypothesis-seed {self.seed}` (`conformance run ... -- --hypothesis-seed {self.seed}`)"
        )


def _option(config: pytest.Config, name: str) -> object:
    try:
        return config.getoption(name)
    except ValueError:  # the hypothesis plugin is not loaded
        return None


def budget_for(config: pytest.Config, run: RunSettings, kind: str, test_id: str) -> Budget:
    """The settings of one search of `kind` (a key of EXAMPLES) in the test `test_id` (its name,
    not its path, so that the seed does not depend on where pytest was started)."""
    # Someone else's server gets the polite search (no shrinking, few examples), also in a dry run
    # (which shows what a live run would send), and so does any run that counts its tokens; a
    # server on this machine is searched as thoroughly, but over HTTP with the smaller example
    # counts.
    live = run.frugal or (not run.emulate and not is_loopback(str(run.url)))
    register_profiles()
    chosen = _option(config, "hypothesis_profile")
    name = str(chosen) if chosen else (LIVE if live else SEEDED)
    base = settings.get_profile(name)
    conformance_profile = name in (DEV, SEEDED, LIVE)
    examples = run.examples
    if examples is None:
        table = FRUGAL_EXAMPLES if run.frugal else EXAMPLES if run.emulate and not live else LIVE_EXAMPLES
        examples = table[kind] if conformance_profile else int(base.max_examples)
    seed_option = _option(config, "hypothesis_seed")
    if seed_option not in (None, ""):
        seed = int(str(seed_option))
    elif base.derandomize:
        # The run's seed (--seed, 0 by default) and the test's name: the same examples wherever
        # the run is started; another --seed draws others, and the same one replays them.
        salt = f" {run.seed}" if run.seed else ""
        seed = zlib.crc32(f"{test_id} {run.profile}{salt}".encode())
    else:
        seed = random.SystemRandom().getrandbits(32)
    derived = settings(base, max_examples=max(1, examples), derandomize=False)
    if examples == 0:
        return Budget(name, derived, seed, live, generated=False)
    return Budget(name, derived, seed, live)
