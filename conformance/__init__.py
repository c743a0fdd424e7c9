"""Contract and conformance test suite for OAuth 2.0-style token endpoints.

The public API, for those who embed the suite, the emulator or the catalogue in their own code
(docs/how-to/python.md): each name lives in its own module and is imported from there
on first use (PEP 562), so `import conformance` stays cheap and imports neither pytest nor the
HTTP stack, and the pytest plugin (`conformance.pytest_plugin.hooks`, loaded by entry point) can import the
package without a cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.client.transport import InProcessASGITransport
    from conformance.clock import Clock, ManualClock, SystemClock
    from conformance.config.settings import RunSettings
    from conformance.credentials import Credentials
    from conformance.emulator.app import Emulator
    from conformance.emulator.server import serve
    from conformance.engine.findings import Finding, FindingLog
    from conformance.engine.run import ConformanceRun
    from conformance.errors import ConformanceError
    from conformance.profile.loader import load_profile
    from conformance.profile.model import Profile
    from conformance.pytest_plugin.markers import applies
    from conformance.requirements.catalogue import Level, Requirement, all_requirements
    from conformance.requirements.catalogue import get as requirement
    from conformance.suite import run_suite

__all__ = [
    "Clock",
    "ConformanceError",
    "ConformanceRun",
    "Credentials",
    "Emulator",
    "Finding",
    "FindingLog",
    "InProcessASGITransport",
    "Level",
    "ManualClock",
    "Profile",
    "Requirement",
    "RunSettings",
    "SystemClock",
    "__version__",
    "all_requirements",
    "applies",
    "load_profile",
    "requirement",
    "run_suite",
    "serve",
]

__version__ = "0.1.0"

# Public name -> (home module, its name there). `requirement` is the catalogue's `get`: a bare
# `conformance.get` would not say what it gets.
_HOMES: dict[str, tuple[str, str]] = {
    "Clock": ("conformance.clock", "Clock"),
    "ConformanceError": ("conformance.errors", "ConformanceError"),
    "ConformanceRun": ("conformance.engine.run", "ConformanceRun"),
    "Credentials": ("conformance.credentials", "Credentials"),
    "Emulator": ("conformance.emulator.app", "Emulator"),
    "Finding": ("conformance.engine.findings", "Finding"),
    "FindingLog": ("conformance.engine.findings", "FindingLog"),
    "InProcessASGITransport": ("conformance.client.transport", "InProcessASGITransport"),
    "Level": ("conformance.requirements.catalogue", "Level"),
    "ManualClock": ("conformance.clock", "ManualClock"),
    "Profile": ("conformance.profile.model", "Profile"),
    "Requirement": ("conformance.requirements.catalogue", "Requirement"),
    "RunSettings": ("conformance.config.settings", "RunSettings"),
    "SystemClock": ("conformance.clock", "SystemClock"),
    "all_requirements": ("conformance.requirements.catalogue", "all_requirements"),
    "applies": ("conformance.pytest_plugin.markers", "applies"),
    "load_profile": ("conformance.profile.loader", "load_profile"),
    "requirement": ("conformance.requirements.catalogue", "get"),
    "run_suite": ("conformance.suite", "run_suite"),
    "serve": ("conformance.emulator.server", "serve"),
}


def __getattr__(name: str) -> object:
    try:
        module, attribute = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module 'conformance' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # imported once: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
