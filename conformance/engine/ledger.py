"""Token liveness tracking: every token is watched for its whole stated life.

Each issued token is recorded with its stated lifetime (under every reading of `expires_in`
the profile allows) and the span in which the server issued it. Each time the resource accepts
or refuses a token the ledger compares that with the profile's prediction: refused before it
should expire with no invalidation rule to explain it, or accepted after expiry or after the
profile's invalidation, is a finding, whichever scenario noticed it. When a token must work
and when it must not is decided by `conformance.engine.liveness`, from the times the run measured.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from conformance.checks.token_sample import Issuances
from conformance.client.exchange import Exchange
from conformance.clock import Clock
from conformance.engine.findings import Finding
from conformance.engine.liveness import (
    ALLOWANCE_WHY,
    Age,
    Span,
    acceptance_is_late,
    describe_acceptance,
    describe_refusal,
    refusal_is_early,
    seconds,
    stated_lifetimes,
)
from conformance.profile import Profile
from conformance.redaction import token_key
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749

__all__ = ["TokenLedger", "TrackedToken"]


@dataclass(slots=True)
class TrackedToken:
    key: str
    issued_seq: int
    issued: Span  # the server created it between the request and the answer
    lifetimes: tuple[float, ...]  # seconds, one per documented reading; empty if not stated
    superseded_by: int | None = None  # seq of a later issuance for the same account
    # Issued by concurrent requests: which of them the server handled last is unknown.
    concurrent: bool = False
    # seq of the refresh that replaced its pair (its refresh token was used): what becomes of it
    # is the refresh rule's (`refresh.revokes_replaced_access_token`), not the invalidation rule's.
    replaced_by: int | None = None


class TokenLedger:
    """Session-wide: tokens outlive the test that obtained them."""

    def __init__(self, profile: Profile, clock: Clock) -> None:
        self.profile = profile
        self.clock = clock
        self._access: dict[str, TrackedToken] = {}
        self._latest: list[TrackedToken] = []  # not yet superseded, or issued together
        self._pairs: dict[str, TrackedToken] = {}  # a refresh token's key -> its pair's access token
        self._issuances = Issuances()  # RFC 6749 §10.10: no token issued twice
        # The refresh-token line: which tokens each refresh token's use issued, which refresh
        # tokens were rotated out, and which were refused as invalid_grant. A used refresh token
        # presented again may make the server revoke all it issued (RFC 9700 §4.14.2).
        self._issued_from: dict[str, list[str]] = {}
        self._rotated_out: set[str] = set()
        self._refused_refresh: set[str] = set()
        self._lock = threading.Lock()

    def get(self, token: str) -> TrackedToken | None:
        return self._access.get(token_key(token))

    def issued_together(self, tokens: list[str]) -> None:
        """These tokens came from concurrent requests: the server's order among them is unknown.

        Each may have been the last one issued, so none is judged for outliving the others (a
        scenario judges the group: exactly one left valid, or all of them); any later issuance
        supersedes them all as usual.
        """
        with self._lock:
            group = [t for t in (self._access.get(token_key(v)) for v in tokens) if t is not None]
            last = max((t.issued_seq for t in group), default=0)
            for tracked in group:
                tracked.concurrent = True
                tracked.superseded_by = tracked.superseded_by or last
            self._latest += [t for t in group if t not in self._latest]

    def forget(self, token: str) -> None:
        """A token the suite revoked (RFC 7009), or may have revoked along with another: a refusal
        of it from now on says nothing about its lifetime."""
        key = token_key(token)
        with self._lock:
            self._access.pop(key, None)
            self._latest = [t for t in self._latest if t.key != key]

    def observe(self, exchange: Exchange) -> list[Finding]:
        # RFC 6749 §10.10 uniqueness, by the rule every layer uses (it needs every exchange: a
        # repeat waits for the concurrent requests that may make it one issuance).
        unique = self._issuances.observe(exchange)
        if exchange.kind == "token" and exchange.grant_type == "refresh_token" and exchange.token_key:
            return unique + self._refreshed(exchange)
        if exchange.kind == "token" and exchange.ok and isinstance(exchange.json, dict):
            return unique + self._issued(exchange)
        if exchange.kind == "resource" and exchange.token_key and exchange.status is not None:
            if exchange.malformed:
                return unique  # refused as a malformed request, which says nothing of the token's life
            return unique + self._presented(exchange)
        return unique

    def _refreshed(self, exchange: Exchange) -> list[Finding]:
        """A refresh: its pair is tracked as any issuance; a replay of a rotated-out refresh token
        (RFC 9700 §4.14.2) leaves what its use issued unjudged from then on: the server may have
        revoked it, the refresh tokens and, in OAuth 2.1, the whole grant."""
        key = exchange.token_key
        assert key is not None
        body = exchange.json if isinstance(exchange.json, dict) else {}
        findings = self._issued(exchange) if exchange.ok and isinstance(exchange.json, dict) else []
        with self._lock:
            replayed = key in self._rotated_out
            access, refresh = body.get("access_token"), body.get("refresh_token")
            if exchange.ok and isinstance(access, str) and access:
                line = self._issued_from.setdefault(key, [])
                line.append(token_key(access))
                if isinstance(refresh, str) and refresh and token_key(refresh) != key:
                    line.append(token_key(refresh))
                    # Refused as used before this use's answer came: a replay that raced it.
                    replayed = replayed or key in self._refused_refresh
                    self._rotated_out.add(key)
            elif exchange.error_code == "invalid_grant":
                self._refused_refresh.add(key)
            if replayed:
                self._forget_line(key)
        return findings

    def _forget_line(self, key: str) -> None:
        line = list(self._issued_from.get(key, []))
        seen: set[str] = set()
        while line:
            child = line.pop()
            if child in seen:
                continue
            seen.add(child)
            self._access.pop(child, None)
            self._latest = [t for t in self._latest if t.key != child]
            line += self._issued_from.get(child, [])

    def _issued(self, exchange: Exchange) -> list[Finding]:
        body = exchange.json
        assert isinstance(body, dict)
        findings: list[Finding] = []  # uniqueness is judged in observe, for every exchange
        access = body.get("access_token")
        refresh = body.get("refresh_token")
        with self._lock:
            replaced = (
                self._pairs.get(exchange.token_key or "") if exchange.grant_type == "refresh_token" else None
            )
            if replaced is not None and replaced.replaced_by is None:
                replaced.replaced_by = exchange.seq
            if isinstance(access, str) and access:
                key = token_key(access)
                for earlier in self._latest:
                    earlier.concurrent = False
                    if earlier.superseded_by is None and earlier is not replaced:
                        earlier.superseded_by = exchange.seq
                tracked = TrackedToken(
                    key,
                    exchange.seq,
                    Span.of(exchange),
                    stated_lifetimes(self.profile, body.get("expires_in")),
                )
                self._access[key] = tracked
                self._latest = [tracked]
                if isinstance(refresh, str) and refresh:
                    self._pairs[token_key(refresh)] = tracked
                elif replaced is not None and exchange.token_key:
                    self._pairs[exchange.token_key] = tracked  # no rotation: the same refresh token goes on
        return findings

    def _presented(self, exchange: Exchange) -> list[Finding]:
        tracked = self._access.get(exchange.token_key or "")
        status = exchange.status
        if tracked is None or status is None:
            return []
        age = Age.between(tracked.issued, Span.of(exchange))
        lifetimes = tracked.lifetimes
        accepted = 200 <= status < 300
        refused = status in (401, 403)
        rule = self.profile.invalidates_earlier
        if accepted and tracked.superseded_by is not None and rule is True and not tracked.concurrent:
            return [
                Finding(
                    provider.INVALIDATES_EARLIER,
                    f"refusal: exchange #{tracked.superseded_by} requested a newer token "
                    f"({self.profile.source_of('invalidation')})",
                    f"HTTP {status}: the token of exchange #{tracked.issued_seq} still works",
                    exchange,
                )
            ]
        if accepted and acceptance_is_late(age, lifetimes):
            return [
                Finding(
                    rfc6749.LIFETIME_AS_STATED,
                    f"refusal after the stated lifetime of {seconds(max(lifetimes))} ({ALLOWANCE_WHY})",
                    f"HTTP {status}: {describe_acceptance(age, lifetimes)} (token of exchange "
                    f"#{tracked.issued_seq})",
                    exchange,
                )
            ]
        if not refused:
            return []
        if lifetimes and not refusal_is_early(age, lifetimes):
            return []  # the token may have expired under one of the readings
        if tracked.replaced_by is not None:
            # A refresh replaced its pair: the lifecycle judges it by the refresh rule, whatever
            # was issued after.
            return []
        if tracked.superseded_by is not None:
            if rule is False:
                return [
                    Finding(
                        provider.KEEPS_EARLIER,
                        f"the token of exchange #{tracked.issued_seq} still accepted after the newer "
                        f"token of exchange #{tracked.superseded_by} "
                        f"({self.profile.source_of('invalidation')})",
                        f"HTTP {status}",
                        exchange,
                    )
                ]
            return []  # explained by the invalidation rule, or by its being unspecified
        if lifetimes:
            return [
                Finding(
                    rfc6749.LIFETIME_AS_STATED,
                    f"acceptance until the stated lifetime of {seconds(min(lifetimes))} less the "
                    f"{ALLOWANCE_WHY}",
                    f"HTTP {status}: {describe_refusal(age, lifetimes)} (token of exchange "
                    f"#{tracked.issued_seq}), with nothing to explain it",
                    exchange,
                )
            ]
        return []
