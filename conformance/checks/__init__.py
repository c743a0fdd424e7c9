"""Checks: pure functions from exchanges to findings.

Importing this package registers every exchange check (token responses, token errors,
resource refusals); `expectations` holds what scenarios expect of particular exchanges.
"""

from __future__ import annotations

from conformance.checks import error_response, resource, token_response
from conformance.checks.registry import CHECKS, audit, check, classify

CHECKS.freeze()  # every module that declares exchange checks has loaded

__all__ = ["audit", "check", "classify", "error_response", "resource", "token_response"]
