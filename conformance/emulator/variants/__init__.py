"""Benign variants: what widely deployed servers do unlike the plain emulator, and the RFCs allow.

The suite must not blame a server for being unusual. A variant is one decorated function that
bends the emulator like a defect does, but into behaviour the RFCs and the profile's documents
allow; the self-test runs each against every profile it applies to and requires the run to fail
no requirement (a failure is a false alarm of the suite). Each entry says why the behaviour is
allowed (`allowed_by`, with the RFC section) and where it is seen (`seen_in`):

    @variant("token-type-capitalised", 'token_type is "Bearer"',
             allowed_by="RFC 6749 §5.1: the token_type value is case insensitive",
             seen_in="Spring Authorization Server, Authlib, django-oauth-toolkit")
    def _capitalised(emulator: Bendable) -> None:
        emulator.behaviour.token_type = "Bearer"

`applies` keeps a variant away from profiles whose documents it would contradict (a refusal body
that differs from the documented one, a refresh that keeps the refresh token where the documents
promise a new pair).

The registry is `conformance.emulator.bends.VARIANTS` (with `variant` and the profile predicates
the areas share); the areas, each a module of this package: `token_response` (members,
media type, caching headers, token values), `token_errors` (refusals at the token endpoint),
`resource` (the protected resource's refusals), `timing` (clocks and concurrent refreshes),
`services` (revocation, introspection, metadata, JWT access tokens) and `client_credentials`
(the client credentials grant, client authentication methods, scope). Importing the package
imports them all, and each registers its variants as it loads.
"""

from __future__ import annotations

from collections.abc import Iterable

# Each area module registers its variants with `variant` as it loads.
from conformance.emulator.bends import VARIANTS, Bendable, Variant, bend, variant
from conformance.emulator.variants import (
    client_credentials,
    resource,
    services,
    timing,
    token_errors,
    token_response,
)
from conformance.profile import Profile

__all__ = [
    "Variant",
    "applicable_variants",
    "apply_variants",
    "client_credentials",
    "get_variant",
    "resource",
    "services",
    "timing",
    "token_errors",
    "token_response",
    "variant",
    "variants",
]


def variants() -> dict[str, Variant]:
    """Every registered variant by name, in registration order."""
    return VARIANTS.all()


def applicable_variants(profile: Profile) -> list[Variant]:
    return [v for v in VARIANTS.values() if v.applies(profile)]


def get_variant(name: str) -> Variant:
    return VARIANTS.get(name)


def apply_variants(names: Iterable[str], emulator: Bendable) -> None:
    bend(emulator, variants=names)
