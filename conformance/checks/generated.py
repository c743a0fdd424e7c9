"""Generated requests judged against what the RFC and the profile allow for them.

The exchange checks (`conformance.checks.audit`) already judge every answer on its own: a 5xx
or a malformed refusal is a finding whatever was sent. These add what only the request's
moves tell: whether a token may come back at all, and which error codes a refusal may carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from conformance.checks.expectations import DOCUMENTED_REFUSED, outcome, without_rfc_code
from conformance.client import Exchange
from conformance.engine.findings import Finding, Judges
from conformance.expected import Outcome, Verdict
from conformance.requirements import Requirement
from conformance.requirements.rfc import rfc6749, rfc6750

__all__ = ["JudgedBearer", "JudgedRequest", "judge_resource", "judge_token"]


# What a judge reads of a generated case, and no more: the generators' cases
# (`conformance.strategies`) fit these shapes without the checks importing them.
class JudgedMove(Protocol):
    @property
    def what(self) -> str: ...
    @property
    def requirement(self) -> Requirement: ...
    @property
    def target(self) -> str: ...
    @property
    def verdict(self) -> Verdict: ...


class JudgedRequest(Protocol):
    @property
    def moves(self) -> Sequence[JudgedMove]: ...
    @property
    def verdict(self) -> Verdict: ...
    @property
    def codes(self) -> frozenset[str]: ...
    @property
    def follows_from(self) -> tuple[Requirement, ...]: ...
    def deciding(self) -> JudgedMove | None: ...
    def blame(self, requirement: Requirement) -> Requirement: ...


class JudgedBearerMove(Protocol):
    @property
    def what(self) -> str: ...
    @property
    def outcome(self) -> Outcome: ...


class JudgedBearer(Protocol):
    @property
    def move(self) -> JudgedBearerMove: ...


def _issue_requirements(case: JudgedRequest, exchange: Exchange) -> list[Requirement]:
    """A request that must succeed: the requirements its moves stand for (an unknown parameter,
    HTTP Basic's scheme in another case), the one the refusal's code points at first
    (invalid_scope: the scope move), else the grant's own."""
    documented = case.blame(rfc6749.PASSWORD_GRANT_ISSUES)
    telling = [
        m for m in case.moves if m.verdict is Verdict.ISSUE and case.blame(m.requirement) != documented
    ]
    telling.sort(key=lambda m: not (exchange.error_code == "invalid_scope" and m.target == "scope"))
    found = list(dict.fromkeys(case.blame(m.requirement) for m in telling))
    return found or [documented]


def judge_token(case: JudgedRequest, exchange: Exchange) -> list[Finding]:
    if exchange.status is None:
        return []
    verdict = case.verdict
    deciding = case.deciding()
    if verdict is Verdict.REFUSE and exchange.issued_token is not None:
        assert deciding is not None
        return [
            Finding(
                case.blame(deciding.requirement),
                f"no token: {deciding.what} makes the request invalid (nothing but the documented "
                "credentials yields a token)",
                outcome(exchange),
                exchange,
            )
        ]
    if verdict is Verdict.ISSUE and exchange.issued_token is None:
        changes = "; ".join(m.what for m in case.moves) or "nothing"
        first, *others = _issue_requirements(case, exchange)
        server_error = exchange.status >= 500
        finding = Finding(
            first,
            f"a token: the documented request with {changes} is still valid",
            outcome(exchange),
            exchange,
            judges="outcome" if not exchange.ok and not server_error else "",
        )
        # Where the documented request itself is refused, or its answer holds no usable token,
        # a changed one failing alike is no deviation of its own; nor is one a server error
        # explains (RFC 6749 §5.2 judges that); nor one another telling move of the case explains.
        causes: list[Requirement | str] = [*DOCUMENTED_REFUSED, *others]
        if exchange.ok:
            causes += [rfc6749.SUCCESS_JSON, rfc6749.ACCESS_TOKEN_CHARSET]
        if server_error:
            causes.append(rfc6749.ERROR_RESPONSE)
        if exchange.error_code == "invalid_client" and exchange.basic_form_encoded:
            causes.append(rfc6749.BASIC_FORM_ENCODED)  # credentials a server did not form-decode
        return [finding.following(*causes)]
    code = exchange.error_code
    allowed = case.codes
    if (
        exchange.issued_token is not None
        or code is None
        or not allowed
        or code in allowed
        or exchange.status >= 500
    ):
        return []
    requirement = case.blame(deciding.requirement) if deciding is not None else rfc6749.ERROR_RESPONSE
    finding = Finding(
        requirement,
        f"a refusal with {' or '.join(sorted(allowed))} (the request has "
        f"{'; '.join(m.what for m in case.moves)})",
        outcome(exchange),
        exchange,
    )
    # A code another move of the case calls for is that move's deviation, if it is one: a request
    # missing both username and grant_type answered as missing grant_type says nothing of username.
    others = [case.blame(m.requirement) for m in case.moves if m is not deciding]
    return [without_rfc_code(finding).following(*case.follows_from, *others, *DOCUMENTED_REFUSED)]


def judge_resource(case: JudgedBearer, exchange: Exchange) -> list[Finding]:
    status = exchange.status
    if status is None:
        return []
    wanted = case.move.outcome
    if status >= 500:
        requirement = rfc6750.ACCEPTS_VALID_TOKEN if wanted is Outcome.ACCEPT else rfc6750.REJECTS_BAD_TOKEN
        judges: Judges = "outcome" if wanted is Outcome.ACCEPT else ""
        what = f"no server error for {case.move.what}"
        return [Finding(requirement, what, outcome(exchange), exchange, judges=judges)]
    if wanted is Outcome.ACCEPT and not 200 <= status < 300:
        return [
            Finding(
                rfc6750.ACCEPTS_VALID_TOKEN,
                f"HTTP 2xx for {case.move.what} (RFC 7235 §2.1: the scheme is case-insensitive)",
                outcome(exchange),
                exchange,
                judges="outcome",
            )
        ]
    if wanted is Outcome.REFUSE and not 400 <= status < 500:
        return [
            Finding(
                rfc6750.REJECTS_BAD_TOKEN, f"a 4xx refusal of {case.move.what}", outcome(exchange), exchange
            )
        ]
    return []
