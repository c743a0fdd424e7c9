"""The requirement catalogue: every check names one of these (id, level, source, statement)."""

from __future__ import annotations

from conformance.requirements import provider
from conformance.requirements.catalogue import REQUIREMENTS, Level, Requirement, all_requirements, get
from conformance.requirements.rfc import (
    rfc6749,
    rfc6750,
    rfc7009,
    rfc7662,
    rfc8414,
    rfc9068,
    rfc9110,
    rfc9700,
)

REQUIREMENTS.freeze()  # every module that declares requirements has loaded

__all__ = [
    "Level",
    "Requirement",
    "all_requirements",
    "get",
    "provider",
    "rfc6749",
    "rfc6750",
    "rfc7009",
    "rfc7662",
    "rfc8414",
    "rfc9068",
    "rfc9110",
    "rfc9700",
]
