"""The emulator's token store: thread- and task-safe, driven by an injectable clock."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.clock import Clock

__all__ = ["AccessRecord", "RefreshRecord", "TokenStore"]


@dataclass(slots=True)
class AccessRecord:
    account: str
    client_id: str
    expires_at: float
    revoked: bool = False
    valid_from: float = 0.0


@dataclass(slots=True)
class RefreshRecord:
    account: str
    client_id: str
    expires_at: float
    used: bool = False
    revoked: bool = False
    access: str | None = None  # the access token issued with it, in one pair
    scopes: frozenset[str] | None = None  # the scope originally granted (None: scope not enforced)
    successor: str | None = None  # the refresh token its use issued (rotation)


class TokenStore:
    def __init__(self, clock: Clock, token_factory: Callable[[], str]) -> None:
        self.clock = clock
        self._new_token = token_factory  # how every opaque token value is made (Behaviour.token_factory)
        # (account, client id, issued at, expires at) -> an access token that carries them (a JWT,
        # RFC 9068); None: access tokens are made by the token factory, like refresh tokens.
        self.new_access_token: Callable[[str, str, float, float], str] | None = None
        self._access: dict[str, AccessRecord] = {}
        self._refresh: dict[str, RefreshRecord] = {}
        # A used refresh token -> (client id, the pair its first use issued), while that answer
        # is on its way (Behaviour.refresh_grace_pair).
        self._grace: dict[str, tuple[str, dict[str, Any]]] = {}
        self.lock = threading.RLock()

    def reset(self) -> None:
        with self.lock:
            self._access.clear()
            self._refresh.clear()
            self._grace.clear()

    def issue_access(
        self,
        account: str,
        client_id: str,
        lifetime: float,
        invalidate_earlier: bool,
        *,
        reuse: bool = False,
        activation_delay: float = 0.0,
        whole_seconds: bool = False,
    ) -> str:
        """A new access token; with `reuse`, the account's newest still-valid one instead.

        `whole_seconds`: its expiry is stored truncated to a whole second, so it dies up to a
        second before `lifetime` has passed.
        """
        with self.lock:
            now = self.clock.now()
            if reuse:
                for token, record in reversed(self._access.items()):
                    if record.account == account and not record.revoked and now < record.expires_at:
                        return token
            if invalidate_earlier:
                for record in self._access.values():
                    if record.account == account:
                        record.revoked = True
            expires_at = float(math.floor(now + lifetime)) if whole_seconds else now + lifetime
            minted = self.new_access_token
            token = minted(account, client_id, now, expires_at) if minted else self._new_token()
            self._access[token] = AccessRecord(
                account, client_id, expires_at, valid_from=now + activation_delay
            )
            return token

    def revoke_access(self, token: str) -> None:
        with self.lock:
            record = self._access.get(token)
            if record is not None:
                record.revoked = True

    def revive(self, account: str, lifetime: float) -> None:
        """Extend every unrevoked access token of `account` to live `lifetime` from now."""
        with self.lock:
            until = self.clock.now() + lifetime
            for record in self._access.values():
                if record.account == account and not record.revoked:
                    record.expires_at = max(record.expires_at, until)

    def issue_refresh(
        self,
        account: str,
        client_id: str,
        lifetime: float,
        access: str | None = None,
        scopes: frozenset[str] | None = None,
    ) -> str:
        with self.lock:
            token = self._new_token()
            expires = self.clock.now() + lifetime
            self._refresh[token] = RefreshRecord(account, client_id, expires, access=access, scopes=scopes)
            return token

    def issued_tokens(self) -> list[str]:
        """Every access and refresh token issued since the last reset (for tests and probes)."""
        with self.lock:
            return [*self._access, *self._refresh]

    def access_valid(self, token: str, *, check_expiry: bool = True) -> bool:
        with self.lock:
            record = self._access.get(token)
            now = self.clock.now()
            return (
                record is not None
                and not record.revoked
                and now >= record.valid_from
                and (not check_expiry or now < record.expires_at)
            )

    def take_refresh(
        self, token: str, client_id: str, reusable: bool, *, bound_to_client: bool = True
    ) -> RefreshRecord | None:
        """The record if `token` may be used now by `client_id` (any client, unless
        `bound_to_client`: RFC 6749 §6); marks it used atomically."""
        with self.lock:
            record = self._refresh.get(token)
            bound = bound_to_client and record is not None and record.client_id != client_id
            if record is None or record.revoked or bound:
                return None
            if self.clock.now() >= record.expires_at or (record.used and not reusable):
                return None
            record.used = True
            return record

    def was_used(self, token: str) -> bool:
        """`token` is a refresh token this store issued and saw used (rotated out)."""
        with self.lock:
            record = self._refresh.get(token)
            return record is not None and record.used

    def open_grace(self, token: str, client_id: str, payload: dict[str, Any]) -> None:
        """Until `close_grace`, a refresh with the used `token` receives `payload` again."""
        with self.lock:
            self._grace[token] = (client_id, payload)

    def grace_pair(self, token: str, client_id: str) -> dict[str, Any] | None:
        """A copy of the pair `token`'s first use issued, while that answer is on its way."""
        with self.lock:
            held = self._grace.get(token)
            return dict(held[1]) if held is not None and held[0] == client_id else None

    def opened_grace(self, token: str | None, payload: dict[str, Any]) -> bool:
        """This answer is the one that opened a grace period for `token`."""
        with self.lock:
            held = self._grace.get(token or "")
            return held is not None and held[1] is payload

    def close_grace(self, token: str) -> None:
        with self.lock:
            self._grace.pop(token, None)

    # -- revocation and introspection (RFC 7009, RFC 7662) ------------------------------------
    def access_record(self, token: str) -> AccessRecord | None:
        with self.lock:
            return self._access.get(token)

    def refresh_record(self, token: str) -> RefreshRecord | None:
        with self.lock:
            return self._refresh.get(token)

    def refresh_live(self, token: str) -> bool:
        """`token` is a refresh token that a refresh grant would still take."""
        with self.lock:
            record = self._refresh.get(token)
            return (
                record is not None
                and not record.revoked
                and not record.used
                and self.clock.now() < record.expires_at
            )

    def revoke_refresh(self, token: str) -> None:
        with self.lock:
            record = self._refresh.get(token)
            if record is not None:
                record.revoked = True

    def revoke_successors(self, token: str, *, with_access: bool = False) -> None:
        """A used refresh token presented again (RFC 9700 §4.14.2): the refresh tokens its use
        issued, and theirs in turn, are revoked; `with_access`, their access tokens too (OAuth 2.1:
        "as well as the access authorization grant")."""
        with self.lock:
            seen = {token}
            record = self._refresh.get(token)
            while record is not None and record.successor is not None and record.successor not in seen:
                seen.add(record.successor)
                record = self._refresh.get(record.successor)
                if record is None:
                    break
                record.revoked = True
                if with_access and record.access is not None:
                    access = self._access.get(record.access)
                    if access is not None:
                        access.revoked = True

    def revoke_access_of(self, account: str, client_id: str) -> None:
        """Every access token of `account` issued to `client_id`: the grant a refresh token stood for."""
        with self.lock:
            for record in self._access.values():
                if record.account == account and record.client_id == client_id:
                    record.revoked = True
