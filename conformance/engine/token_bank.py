"""The tokens a frugal run holds, lent to every scenario that needs a working token, not a new one.

On a profile whose new tokens log the account's other sessions out, every token issued costs
someone a session: a run with a token budget (`--max-tokens`) obtains a token once and lends
it on. A token is lent only while nothing the run has seen could have ended it: it was not
presented for revocation, its refresh token was not used, the resource never refused it, no
newer token superseded it where the profile says that a new token invalidates earlier ones,
and it has at least half its stated life ahead. Where the profile leaves that open, a token a
newer one superseded is lent only once the resource has accepted it since (one resource call
asks, costing no session). What a scenario does with a lent token is seen here like any other
exchange, so the next borrower never gets a spent one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from conformance.client import Exchange
from conformance.clock import Clock
from conformance.engine.ledger import TokenLedger
from conformance.engine.scenario import IssuedToken
from conformance.profile import Profile
from conformance.redaction import token_key

__all__ = ["TokenBank"]


@dataclass(slots=True)
class _Held:
    grant: str
    token: IssuedToken
    access_key: str
    refresh_key: str | None
    # The latest issuance of the run when the resource last accepted it: seen working since.
    accepted_after: int = 0


class TokenBank:
    def __init__(
        self,
        profile: Profile,
        ledger: TokenLedger,
        clock: Clock,
        still_works: Callable[[IssuedToken], bool] | None = None,
    ) -> None:
        self.profile = profile
        self.ledger = ledger
        self.clock = clock
        # Asks the resource whether a token works (None: the run has no resource to ask).
        self.still_works = still_works
        self._held: list[_Held] = []  # oldest first
        self._spent: set[str] = set()  # keys of access and refresh tokens no longer to lend
        self._latest_issuance = 0  # seq of the run's latest exchange that issued a token
        # Refresh tokens rotated out (their use returned another), those refused as invalid_grant,
        # and the keys of the pairs each one's use issued: a used refresh token presented again
        # may make the server revoke them (RFC 9700 §4.14.2).
        self._rotated_out: set[str] = set()
        self._refused_refresh: set[str] = set()
        self._issued_from: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def _hold(self, grant: str, token: IssuedToken) -> None:
        refresh = token_key(token.refresh_token) if token.refresh_token else None
        self._held.append(_Held(grant, token, token_key(token.access_token), refresh))

    def lend(self, grant: str, *, with_refresh: bool = False) -> IssuedToken | None:
        """The newest held token of `grant` that still works as far as the run can tell (and
        whose refresh token is unused, `with_refresh`); None when there is none."""
        while True:
            with self._lock:
                candidates = [
                    (held, verdict)
                    for held in reversed(self._held)
                    if held.grant == grant
                    and (not with_refresh or held.refresh_key is not None)
                    and (verdict := self._works(held)) != "spent"
                ]
            if not candidates:
                return None
            held, verdict = candidates[0]
            if verdict == "works":
                return held.token
            # Superseded where the profile leaves open whether that ends it: the resource says.
            if self.still_works is not None and self.still_works(held.token):
                with self._lock:
                    held.accepted_after = self._latest_issuance
                return held.token
            with self._lock:
                self._spent.add(held.access_key)

    def lend_oldest(self, grant: str, *, with_refresh: bool = False) -> IssuedToken | None:
        """The oldest held token of `grant` the run has not revoked or replaced, its life over or
        not (and with an unused refresh token, `with_refresh`): a scenario that must let a token
        expire waits least with it, the time having passed while the run did other things."""
        with self._lock:
            for held in self._held:
                if held.grant != grant:
                    continue
                if with_refresh and (held.refresh_key is None or held.refresh_key in self._spent):
                    continue
                tracked = self.ledger.get(held.token.access_token)
                if tracked is not None and tracked.replaced_by is None:
                    return held.token
        return None

    def last_issued(self, grant: str) -> Exchange | None:
        """The latest answer that issued a token to the documented request of `grant`, whether or
        not its token still works: evidence that the server grants it."""
        with self._lock:
            documented = (h.token.exchange for h in reversed(self._held) if h.grant == grant)
            # A pair a refresh handed back is held under its grant, but its answer is a refresh's.
            return next((e for e in documented if e.grant_type == grant), None)

    def observe(self, exchange: Exchange) -> None:
        """Every exchange of the run: a documented request's token to lend, what ends a held
        token, and the pair a refresh of a held one hands back."""
        if exchange.status is None:
            return
        with self._lock:
            if exchange.kind == "token" and exchange.issued_token:
                self._latest_issuance = max(self._latest_issuance, exchange.seq)
            if exchange.kind == "token" and exchange.documented and exchange.grant_type:
                if exchange.issued_token:
                    self._hold(exchange.grant_type, IssuedToken.of(exchange))
                return
            key = exchange.token_key
            if key is None:
                return
            if exchange.kind == "revocation":
                self._spend(key)  # whatever the answer: a token presented for revocation may be gone
            elif exchange.kind == "resource" and exchange.ok:
                for held in self._held:
                    if held.access_key == key:
                        held.accepted_after = self._latest_issuance  # seen working: no need to ask
            elif exchange.kind == "resource" and exchange.status in (401, 403) and not exchange.malformed:
                self._spent.add(key)  # its refresh token may still work: that is not the resource's to say
            elif exchange.kind == "token" and exchange.grant_type == "refresh_token":
                pair = next((h for h in self._held if h.refresh_key == key), None)
                if exchange.error_code == "invalid_client":
                    return  # the client was refused before its refresh token was looked at
                # Presented again once rotated out: a replay, whatever the answer.
                replayed = key in self._rotated_out
                self._spend(key)
                if exchange.issued_token:
                    issued = IssuedToken.of(exchange)
                    self._issued_from.setdefault(key, []).append(token_key(issued.access_token))
                    if issued.refresh_token and token_key(issued.refresh_token) != key:
                        self._issued_from[key].append(token_key(issued.refresh_token))
                        # A presentation refused as used before this use's answer came: a replay
                        # that raced it (the answers of concurrent requests come in any order).
                        replayed = replayed or key in self._refused_refresh
                        self._rotated_out.add(key)
                    if pair is not None and not replayed:
                        self._hold(pair.grant, issued)
                elif exchange.error_code == "invalid_grant":
                    self._refused_refresh.add(key)
                if replayed:
                    self._spend_issued_from(key)

    def _spend(self, key: str) -> None:
        """A token presented to end it, and the other half of its pair: revoking one of a pair may
        revoke both (RFC 7009 §2.1)."""
        self._spent.add(key)
        for held in self._held:
            if key in (held.access_key, held.refresh_key):
                self._spent.add(held.access_key)
                if held.refresh_key is not None:
                    self._spent.add(held.refresh_key)

    def _spend_issued_from(self, key: str) -> None:
        """Every token issued, directly or down the line, by the use of refresh token `key`: a
        replay of it may have revoked them all (RFC 9700 §4.14.2; OAuth 2.1 the whole grant)."""
        line = list(self._issued_from.get(key, []))
        while line:
            child = line.pop()
            if child not in self._spent:
                self._spent.add(child)
                line += self._issued_from.get(child, [])

    def _works(self, held: _Held) -> Literal["works", "ask", "spent"]:
        """Whether the held token may be lent: "ask" when only the resource can tell."""
        if held.access_key in self._spent or (
            held.refresh_key is not None and held.refresh_key in self._spent
        ):
            return "spent"
        tracked = self.ledger.get(held.token.access_token)
        if tracked is None or tracked.replaced_by is not None:
            return "spent"  # forgotten (revoked by a scenario), or its pair was refreshed
        if tracked.lifetimes and self.clock.now() - tracked.issued.sent >= min(tracked.lifetimes) / 2:
            return "spent"
        rule = self.profile.invalidates_earlier
        if tracked.superseded_by is None or rule is False:
            return "works"
        if rule is True or self.still_works is None:
            return "spent"
        return "works" if held.accepted_after >= self._latest_issuance else "ask"
