"""A repeated parameter's one rule (RFC 6749 §3.2: "Request and response parameters MUST NOT be
included more than once"; §5.2: such a request is invalid_request), shared by the scenarios that
repeat grant_type, client_secret and refresh_token."""

from __future__ import annotations

from conformance.checks.expectations import expect_refused
from conformance.client import Exchange
from conformance.engine.findings import Finding
from conformance.requirements.rfc import rfc6749

__all__ = ["repeated_refused"]


def repeated_refused(exchange: Exchange, name: str, case: str) -> list[Finding]:
    """A request with `name` twice refused with invalid_request, whatever the parameter and whether
    its values agree (a token, another code or no RFC 6749 answer is a finding)."""
    return expect_refused(
        exchange, rfc6749.REPEATED_PARAMETER, {"invalid_request"}, f"{name} sent twice ({case})"
    )
