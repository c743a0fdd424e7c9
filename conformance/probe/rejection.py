"""How the protected resource refuses a token, in the terms a profile records it.

The suite checks every refusal against the profile's status, challenge scheme and body
schema; so the probe records only what held for both refusals it provoked (no token, a
made-up token), and names a built-in provider's body schema when one fits, else json-object.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from conformance.checks.challenge import parse_challenges
from conformance.client import Exchange
from conformance.config.resources import builtin_profile_names
from conformance.probe.draft import Draft, outcome
from conformance.profile import load_profile
from conformance.redaction import Redactor
from conformance.schemas import violations

__all__ = ["learn_rejection", "rejection_schemas"]


@cache
def rejection_schemas() -> tuple[str, ...]:
    """The provider-specific rejection body schemas the built-in profiles name (json-object aside)."""
    named = {load_profile(n).resource.rejection.body_schema for n in builtin_profile_names()}
    return tuple(sorted(n for n in named if n is not None and n != "json-object"))


def learn_rejection(draft: Draft, bare: Exchange, made_up: Exchange, redactor: Redactor) -> None:
    """Status, challenge scheme and body shape of the resource's refusals, as the suite checks them."""
    both = f"{outcome(bare)} without a token, {outcome(made_up)} with a made-up one"
    if made_up.status is not None and 400 <= made_up.status < 500:
        draft.learn("resource.rejection.status", made_up.status, f"a made-up token: {outcome(made_up)}")
    offered = [c.scheme for c in parse_challenges(made_up.headers_named("www-authenticate"))]
    without = {c.scheme.lower() for c in parse_challenges(bare.headers_named("www-authenticate"))}
    scheme = next((s for s in offered if s.lower() in without and len(s) < 40), None)
    draft.learn(
        "resource.rejection.www_authenticate",
        redactor.scrub(scheme) if scheme else None,
        f"the challenge scheme of both refusals ({both})"
        if scheme
        else f"no challenge scheme common to both refusals ({both}); RFC 6750 §3 asks for a Bearer one",
    )
    bodies = [e.json if e.json_object_problem is None else None for e in (bare, made_up)]
    schema, example = None, None
    if all(b is not None for b in bodies):
        fitting = [n for n in rejection_schemas() if not any(violations(n, b) for b in bodies)]
        schema = fitting[0] if fitting else "json-object"
        example = _safe_example(bodies[1], redactor)
    how = (
        f"both refusals' bodies are JSON objects matching schemas/{schema}.schema.json"
        if schema
        else "the refusals' bodies are not both JSON objects"
    )
    draft.learn("resource.rejection.body_schema", schema, how)
    if example is not None:
        draft.learn("resource.rejection.body_example", example, f"the body of {outcome(made_up)}")
    draft.source("resource", "probe §resource (refusals without a token and with a made-up one)")


def _safe_example(body: Any, redactor: Redactor) -> dict[str, Any] | None:
    """The refusal body, verbatim, only if it is small and carries nothing the run knows as secret."""
    if not isinstance(body, dict) or len(str(body)) > 400:
        return None
    text = repr(body)
    if redactor.scrub(text) != text or any(
        not isinstance(v, str | int | float | bool | None) for v in body.values()
    ):
        return None
    return body
