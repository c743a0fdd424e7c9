"""A used refresh token, judged by the credentials it yields, not by status codes (RFC 9700 §4.14.2).

Rotation means one refresh token buys one new pair. A server may hand that one pair to every
request that presented the token at once (a grace period limited to concurrent requests, as Ory
Hydra and Keycloak offer): nothing more was issued. What breaks rotation is a second, different
pair from the same token, or the token still yielding credentials once its use has settled.

Presented again after the use has settled, the token must be refused with invalid_grant. An
answer with the very pair it already bought is not a new credential, so it is not judged at
once: a grace period may still be open. On the in-process emulator the clock is moved past any
grace period a deployed server uses (`GRACE_ALLOWANCE`) and the token tried once more; on a live
target that wait is not spent, and the requirement is reported as checked in part.
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.checks.expectations import outcome
from conformance.client import Exchange
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.redaction import token_key
from conformance.requirements.rfc import rfc6749, rfc9700

__all__ = [
    "GRACE_ALLOWANCE",
    "Pair",
    "different_pairs",
    "pair_of",
    "present_again",
    "refused_without_invalid_grant",
]

# Seconds: the longest reuse grace period of widely deployed servers' defaults and limits (Okta
# allows at most 60 s, WSO2 at most 60 s, Auth0's leeway is usually under a minute).
GRACE_ALLOWANCE = 60.0

Pair = tuple[str | None, str | None]  # token keys of the access and refresh token


def pair_of(exchange: Exchange) -> Pair:
    body = exchange.json
    assert isinstance(body, dict)
    access, refresh = body.get("access_token"), body.get("refresh_token")
    return (
        token_key(access) if isinstance(access, str) and access else None,
        token_key(refresh) if isinstance(refresh, str) and refresh else None,
    )


def different_pairs(winners: Sequence[Exchange]) -> tuple[Exchange, Exchange] | None:
    """Two answers to one refresh token that carry different credentials, if any."""
    first = winners[0] if winners else None
    for other in winners[1:]:
        assert first is not None
        if pair_of(other) != pair_of(first):
            return first, other
    return None


def two_pairs(first: Exchange, second: Exchange, source: str, what: str) -> Finding:
    return Finding(
        rfc9700.USED_REFRESH_TOKEN_REJECTED,
        f"one new pair per refresh token, however often it is presented ({source})",
        f"{what}: exchanges #{first.seq} and #{second.seq} received different access or refresh tokens",
        second,
    )


def refused_without_invalid_grant(answers: Sequence[Exchange], what: str) -> list[Finding]:
    """Refusals of a used refresh token must say invalid_grant (RFC 6749 §5.2: revoked)."""
    return [
        Finding(
            rfc6749.REFRESH_USED_TOKEN_CODE,
            f"{what} refused with invalid_grant (RFC 6749 §5.2: revoked)",
            outcome(e),
            e,
        )
        for e in answers
        if e.issued_token is None
        and e.status is not None
        and e.status < 500
        and e.error_code != "invalid_grant"
    ]


def present_again(
    conformance: Scenario, refresh_token: str, bought: Sequence[Exchange], purpose: str
) -> str | None:
    """Present a refresh token once its use has settled; findings go to the log.

    `bought`: the answers that issued credentials for it (its one pair, possibly delivered more
    than once). Returns what was seen where nothing was wrong and all was checked, else None
    (a finding, or a grace period not watched: the log says which).
    """
    source = conformance.profile.refresh.source
    again = conformance.client.refresh_grant(refresh_token, f"token: {purpose}", expect_token=False)
    if again.issued_token is None:
        return _refused(conformance, again, "refused once used")
    pairs = {pair_of(e) for e in bought}
    if pair_of(again) not in pairs or len(pairs) != 1:
        conformance.expect([two_pairs(bought[0], again, source, "the used refresh token again")])
        return None
    if not conformance.clock.is_manual:
        conformance.log.partial(
            rfc9700.USED_REFRESH_TOKEN_REJECTED,
            f"presented again, the used refresh token returned the pair it had bought (exchange "
            f"#{again.seq}): no second pair; whether it is refused once a grace period is over was "
            f"not watched (that would take up to {GRACE_ALLOWANCE:.0f} s)",
        )
        return None
    conformance.clock.advance(GRACE_ALLOWANCE)
    late = conformance.client.refresh_grant(
        refresh_token,
        f"token: {purpose}, {GRACE_ALLOWANCE:.0f} s later (past any grace period)",
        expect_token=False,
    )
    if late.issued_token is not None:
        conformance.expect(
            [
                Finding(
                    rfc9700.USED_REFRESH_TOKEN_REJECTED,
                    f"a used refresh token refused once any grace period is over ({source})",
                    f"{outcome(late)}, {GRACE_ALLOWANCE:.0f} s after the pair it bought was issued "
                    f"(exchange #{bought[0].seq})",
                    late,
                )
            ]
        )
        return None
    return _refused(conformance, late, f"the same pair again at once, refused {GRACE_ALLOWANCE:.0f} s later")


def _refused(conformance: Scenario, answer: Exchange, note: str) -> str | None:
    findings = refused_without_invalid_grant([answer], "a used refresh token")
    conformance.expect(findings)
    return None if findings else note
