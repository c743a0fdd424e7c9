"""Defects: named deviations a real provider could plausibly ship, switchable one at a time.

A defect is one decorated function that bends the emulator's `Behaviour` (a switch, a
request hook or a response hook). Adding one is one entry in one of the area modules:

    @defect("no-pragma", "token responses carry Cache-Control: no-store but no Pragma",
            violates=["RFC6749-5.1-pragma"])
    def _no_pragma(emulator: Bendable) -> None:
        emulator.behaviour.response_hooks.append(on_token_success(...))

`violates` names the requirements the suite should fail (or, for SHOULD-level ones, warn)
on; `applies` says which profiles the deviation means something for (a refresh defect on a
provider without refresh is no defect). The self-test (`conformance selftest`) switches each
on in turn and checks that the suite notices.

The registry is `conformance.emulator.bends.DEFECTS` (with `defect` and `EXEMPT`); the areas,
each a module of this package: `response` (the token response), `lifetime` (expiry and token
values), `client` (client and resource owner authentication), `client_credentials` (the client
credentials grant, client authentication methods, scope), `errors` (refusals and request
handling), `refresh` (refresh and invalidation), `resource` (the protected resource); beside the
token endpoint, `revocation` (RFC 7009), `introspection` (RFC 7662), `metadata` (RFC 8414,
RFC 9728) and `jwt` (RFC 9068).
Importing the package imports them all, and each registers its defects as it loads; the
registry imports the package before it answers.
"""

from __future__ import annotations

from collections.abc import Iterable

# Each area module registers its defects with `defect` as it loads.
from conformance.emulator.bends import DEFECTS, EXEMPT, Bendable, Defect, bend, defect
from conformance.emulator.defects import (
    client,
    client_credentials,
    errors,
    introspection,
    jwt,
    lifetime,
    metadata,
    refresh,
    resource,
    response,
    revocation,
)
from conformance.profile import Profile

__all__ = [
    "EXEMPT",
    "Defect",
    "applicable",
    "apply_defects",
    "catalogue",
    "client",
    "client_credentials",
    "defect",
    "errors",
    "get_defect",
    "introspection",
    "jwt",
    "lifetime",
    "metadata",
    "refresh",
    "resource",
    "response",
    "revocation",
]


def catalogue() -> dict[str, Defect]:
    """Every registered defect by name, in registration order."""
    return DEFECTS.all()


def applicable(profile: Profile) -> list[Defect]:
    return [d for d in DEFECTS.values() if d.applies(profile)]


def get_defect(name: str) -> Defect:
    return DEFECTS.get(name)


def apply_defects(names: Iterable[str], emulator: Bendable) -> None:
    bend(emulator, defects=names)
