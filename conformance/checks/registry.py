"""Checks that judge every exchange on its own: one signature, registered by decorator.

A check is `(profile, exchange) -> Iterable[Finding]`; the kind of exchange it applies to is
declared where it is registered, never tested inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Literal

from conformance.client.exchange import Exchange
from conformance.engine.findings import Finding
from conformance.profile import Profile
from conformance.registry import Registry

__all__ = ["CHECKS", "ExchangeCheck", "Applicability", "audit", "check", "classify", "registered"]

Applicability = Literal["token-success", "token-error", "resource-rejection", "service-error"]
ExchangeCheck = Callable[[Profile, Exchange], Iterable[Finding]]

# "applicability module.check" -> what it applies to, and the check; filled by the modules of
# `conformance.checks`, which freezes it once they have loaded.
CHECKS: Registry[tuple[Applicability, ExchangeCheck]] = Registry("check", load="conformance.checks")


def check(applies_to: Applicability) -> Callable[[ExchangeCheck], ExchangeCheck]:
    def register(func: ExchangeCheck) -> ExchangeCheck:
        CHECKS.register(f"{applies_to} {func.__module__}.{func.__qualname__}", (applies_to, func))
        return func

    return register


def classify(exchange: Exchange) -> Applicability | None:
    if exchange.status is None:
        return None
    if exchange.kind == "token":
        # A 2xx whose JSON says "error" and holds no token is a refusal with the wrong status (as
        # GitHub sends): judged as an error response, not as a token response missing its members.
        body = exchange.json
        refusal = isinstance(body, dict) and "error" in body and "access_token" not in body
        return "token-success" if exchange.ok and not refusal else "token-error"
    if exchange.kind == "resource" and 400 <= exchange.status < 500:
        return "resource-rejection"
    if exchange.kind in ("revocation", "introspection") and not exchange.ok:
        # Their errors follow RFC 6749 §5.2 (RFC 7009 §2.2.1, RFC 7662 §2.3); what they answer
        # otherwise is judged by their own scenarios.
        return "service-error"
    # Metadata exchanges are judged by their own scenarios.
    return None


def registered(kind: Applicability) -> list[ExchangeCheck]:
    return [func for applies_to, func in CHECKS.values() if applies_to == kind]


def audit(profile: Profile, exchange: Exchange) -> list[Finding]:
    """Every registered check that applies to this exchange. What they say is the form of an
    answer (`judges="form"`): should the exchange not have been refused at all, it follows from
    that (`conformance.engine.findings.attribute`)."""
    kind = classify(exchange)
    if kind is None:
        return []
    return [
        replace(finding, judges="form") for func in registered(kind) for finding in func(profile, exchange)
    ]
