"""Refresh, learned from the tokens the probe already holds: whether the issuing grant returns a
refresh token, whether a refresh works and rotates it, what the used one gets, and what became of
the access token the refresh replaced.

That last one is told apart from the invalidation rule (RFC 6749 §6 and RFC 9700 §4.14 let a
refresh revoke the access token of the pair it replaces; that is not "a new login logs out the
earlier ones"), so it is judged only where a new token request was seen to leave earlier tokens
valid, and only while the replaced token is young enough not to have simply expired.
"""

from __future__ import annotations

import secrets

from conformance.client import ConformanceClient, Exchange
from conformance.probe.draft import Draft, outcome
from conformance.probe.lifetime import still_young

__all__ = ["RefreshProbe"]


class RefreshProbe:
    """The refresh experiments, writing into the draft; `run` returns the newest token issued."""

    def __init__(self, client: ConformanceClient, draft: Draft, *, resource_works: bool) -> None:
        self.client = client
        self.draft = draft
        self.resource_works = resource_works

    def issued_by(self, grants: list[Exchange], beside: Exchange | None) -> None:
        """Which grants return a refresh token, where both were seen issuing one (RFC 6749 §4.4.3:
        the client credentials grant SHOULD NOT)."""
        if beside is None or beside.issued_token is None:
            return
        password = any(isinstance(e.json.get("refresh_token"), str) for e in grants)
        client_credentials = isinstance(beside.json.get("refresh_token"), str)
        self.draft.learn(
            "refresh.issued_by",
            ["password"] * password + ["client_credentials"] * client_credentials,
            f"a refresh_token in the password grant's responses: {'yes' if password else 'no'}; in the "
            f"client credentials grant's ({outcome(beside)}): {'yes' if client_credentials else 'no'}",
        )

    def run(self, grants: list[Exchange]) -> Exchange | None:
        draft, client = self.draft, self.client
        with_refresh = [e for e in grants if isinstance(e.json.get("refresh_token"), str)]
        seqs = ", ".join(f"#{e.seq}" for e in grants)
        draft.source("refresh", "probe §refresh")
        if not with_refresh:
            draft.learn("refresh.issues_refresh_token", False, f"no refresh_token in {seqs}")
            for path in ("refresh.rotation", "refresh.used_refresh_token"):
                draft.learn(path, "unspecified", "no refresh token is issued")
            self._made_up()
            return None
        if len(with_refresh) < len(grants):
            draft.learn("refresh.issues_refresh_token", "unspecified", f"only sometimes ({seqs})")
        else:
            draft.learn("refresh.issues_refresh_token", True, f"a refresh_token in every response ({seqs})")
        pair = with_refresh[-1]
        old = pair.json["refresh_token"]
        first = client.refresh_grant(old, "token: refresh grant")
        if first.issued_token is None:
            draft.learn(
                "grants.refresh_token",
                False,
                f"a refresh token just issued (#{pair.seq}) was refused: {outcome(first)}; "
                "review: the refresh may need a scope or another client authentication",
            )
            return None
        draft.learn("grants.refresh_token", True, f"a refresh issued a new access token ({outcome(first)})")
        new = first.json.get("refresh_token")
        if isinstance(new, str) and new and new != old:
            draft.learn(
                "refresh.rotation", True, f"the refresh returned a new refresh token ({outcome(first)})"
            )
        else:
            what = "the same refresh token again" if new == old else "no refresh_token"
            draft.learn("refresh.rotation", False, f"the refresh returned {what} ({outcome(first)})")
        if self.resource_works:
            client.call_resource(first.json["access_token"], "resource: the refreshed access token")
            self._replaced(pair, first)
        again = client.refresh_grant(old, "token: the used refresh token again")
        if again.issued_token is not None:
            used: object = "accepted"
        elif again.status is not None and 400 <= again.status < 500:
            used = "rejected"
        else:
            used = "unspecified"
        draft.learn(
            "refresh.used_refresh_token",
            used,
            f"the refresh token of #{pair.seq} used again: {outcome(again)}",
        )
        return again if again.issued_token is not None else first

    def _made_up(self) -> None:
        """No refresh token issued: is there a refresh grant at all?"""
        made_up = self.client.refresh_grant(secrets.token_hex(16), "token: refresh with a made-up token")
        if made_up.issued_token is not None:
            how = f"a made-up refresh token was accepted ({outcome(made_up)})"
            self.draft.learn("grants.refresh_token", "unspecified", how)
        else:
            how = f"no refresh token is issued; a refresh with a made-up one: {outcome(made_up)}"
            self.draft.learn("grants.refresh_token", False, how)

    def _replaced(self, replaced: Exchange, refresh: Exchange) -> None:
        """Whether the refresh revoked the access token of the pair it replaced."""
        if self.draft.value("invalidation.new_token_invalidates_earlier") is not False:
            return
        if not still_young(replaced, self.client.clock.now()):
            return
        seen = self.client.call_resource(
            replaced.json["access_token"], "resource: the access token the refresh replaced"
        )
        pair = (
            f"the access token of #{replaced.seq} after a refresh with its refresh token "
            f"({outcome(refresh)}): {outcome(seen)}"
        )
        value: object = "unspecified"
        if seen.ok:
            value, how = False, f"still accepted: {pair}"
        elif seen.status is not None and 400 <= seen.status < 500:
            value, how = True, f"refused: {pair}; a new token request leaves earlier tokens valid"
        else:
            how = f"undecided: {pair}"
        self.draft.learn("refresh.revokes_replaced_access_token", value, how)
