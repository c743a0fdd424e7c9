"""Hypothesis strategies for token endpoints: requests a profile allows and ones it must refuse.

A generated request is the documented one changed by a few named moves (`model`); the moves
on parameters and their encoding are in `params`, those on credentials in headers in `auth`,
and `requests` assembles them into strategies for a profile.
"""

from __future__ import annotations

from conformance.expected import Outcome, Verdict
from conformance.strategies.auth import BearerCase, BearerMove, bearer_moves
from conformance.strategies.model import Move, RequestCase
from conformance.strategies.requests import (
    bearer_cases,
    key_case,
    move_catalogue,
    scope_requests,
    scope_values,
    token_requests,
)

__all__ = [
    "BearerCase",
    "BearerMove",
    "Move",
    "Outcome",
    "RequestCase",
    "Verdict",
    "bearer_cases",
    "bearer_moves",
    "key_case",
    "move_catalogue",
    "scope_requests",
    "scope_values",
    "token_requests",
]
