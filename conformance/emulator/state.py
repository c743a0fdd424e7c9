"""The emulator's token store: thread- and task-safe, driven by an injectable clock."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from conformance.clock import Clock

__all__ = ["AccessRecord", "RefreshRecord", "TokenStore"]


@dataclass(slots=True)
class AccessRecord:
    account: str
    client_id: str
    expires_at: float
    revoked: bool = False


@dataclass(slots=True)
class RefreshRecord:
    account: str
    client_id: str
    expires_at: float
    used: bool = False
    revoked: bool = False


class TokenStore:
    def __init__(self, clock: Clock, token_factory: Callable[[], str] | None = None) -> None:
        self.clock = clock
        self.new_token: Callable[[], str] = token_factory or (lambda: secrets.token_urlsafe(32))
        self._access: dict[str, AccessRecord] = {}
        self._refresh: dict[str, RefreshRecord] = {}
        self.lock = threading.RLock()

    def reset(self) -> None:
        with self.lock:
            self._access.clear()
            self._refresh.clear()

    def issue_access(self, account: str, client_id: str, lifetime: float, invalidate_earlier: bool) -> str:
        with self.lock:
            if invalidate_earlier:
                for record in self._access.values():
                    if record.account == account:
                        record.revoked = True
            token = self.new_token()
            self._access[token] = AccessRecord(account, client_id, self.clock.now() + lifetime)
            return token

    def issue_refresh(self, account: str, client_id: str, lifetime: float) -> str:
        with self.lock:
            token = self.new_token()
            self._refresh[token] = RefreshRecord(account, client_id, self.clock.now() + lifetime)
            return token

    def issued_tokens(self) -> list[str]:
        """Every access and refresh token issued since the last reset (for tests and probes)."""
        with self.lock:
            return [*self._access, *self._refresh]

    def access_valid(self, token: str) -> bool:
        with self.lock:
            record = self._access.get(token)
            return record is not None and not record.revoked and self.clock.now() < record.expires_at

    def take_refresh(self, token: str, client_id: str, reusable: bool) -> RefreshRecord | None:
        """The record if `token` may be used now by `client_id`; marks it used atomically."""
        with self.lock:
            record = self._refresh.get(token)
            if record is None or record.revoked or record.client_id != client_id:
                return None
            if self.clock.now() >= record.expires_at or (record.used and not reusable):
                return None
            record.used = True
            return record
