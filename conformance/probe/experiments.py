"""The probe's experiments: each asks the live server one question with as few requests as it can.

Order matters on a real server. Client authentication and parameter location come first (no
other question can be asked without a token); then the resource, whose answers every later
experiment needs; then invalidation (one more token) and refresh; the expiry watch comes
last, because any token request after it could invalidate the token being watched.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from conformance.client import ConformanceClient, Exchange
from conformance.client.client import PROFILE_DEFAULT
from conformance.errors import BudgetExhausted, ConformanceError
from conformance.probe.draft import Draft
from conformance.probe.evidence import outcome
from conformance.probe.lifetime import judge, schedule, watch
from conformance.probe.rejection import learn_rejection
from conformance.profile import ClientAuth
from conformance.redaction import Redactor
from conformance.schemas import violations

__all__ = ["NoTokenIssued", "Prober", "RESPONSE_FIELDS"]

RESPONSE_FIELDS = ("access_token", "token_type", "expires_in", "refresh_token", "scope")
MAX_POLLS = 14
Location = Literal["body", "query"]
UNLEARNED = {
    "refresh.issues_refresh_token": "unspecified",
    "grants.refresh_token": "unspecified",
    "refresh.rotation": "unspecified",
    "refresh.used_refresh_token": "unspecified",
    "invalidation.new_token_invalidates_earlier": "unspecified",
}


class NoTokenIssued(ConformanceError):
    """No way of asking for a token worked: there is nothing further to learn."""


class Prober:
    """Runs the experiments in order against one client, writing what it learns into a Draft.

    The client's profile is the draft's own: discovery switches its client authentication and
    parameter location until a token is issued, and every later request is made that way.
    """

    def __init__(
        self,
        client: ConformanceClient,
        draft: Draft,
        *,
        expiry_wait: float,
        has_client_credentials: bool,
        say: Callable[[str], None],
    ) -> None:
        self.client = client
        self.draft = draft
        self.expiry_wait = expiry_wait
        self.has_client_credentials = has_client_credentials
        self.redactor: Redactor = client.redactor
        self.say = say
        self.grants: list[Exchange] = []  # successful password grants
        self.latest: Exchange | None = None
        self.resource_works = False
        client.listeners.append(self._show)

    # -- the sequence --------------------------------------------------------------------
    def run(self) -> Draft:
        first = self.discover()
        self.learn_response(first)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("the protected resource", self.learn_resource),
            ("invalidation", self.learn_invalidation),
            ("refresh", self.learn_refresh),
            ("error shape", self.learn_errors),
            ("expiry", self.learn_lifetime),
        ]
        for name, step in steps:
            try:
                step()
            except BudgetExhausted:
                budget = self.client.budget.max_requests
                note = f"not learned: the request budget of {budget} ran out during {name}"
                self.draft.remarks.append(f"{note} (raise it with --max-requests)")
                self.say(f"  {note}")
                self._fill_unlearned(note)
                break
        self._fill_unlearned("not learned")
        self.learn_fields()
        return self.draft

    def _fill_unlearned(self, why: str) -> None:
        for path, value in UNLEARNED.items():
            self.draft.learn_unless_known(path, value, why)
        if "expiry.unit" not in self.draft.facts:
            self._learn_reading(None, why)
        self.draft.learn_unless_known("errors.style", "rfc6749", f"{why}: RFC 6749 §5.2 assumed")

    def _show(self, exchange: Exchange) -> None:
        """Every exchange, as it completes, by number and outcome (the client redacted it)."""
        self.say(self.redactor.scrub(f"  {outcome(exchange)}  {exchange.purpose}"))

    def _grant(self, purpose: str) -> Exchange:
        exchange = self.client.password_grant(purpose)
        if exchange.issued_token is not None:
            self.grants.append(exchange)
            self.latest = exchange
        return exchange

    # -- client authentication and parameter location ---------------------------------------
    def discover(self) -> Exchange:
        """Try what the credentials allow until a token is issued: the body before the query string
        (RFC 6749 §4.3.2), and no client credentials before any, so `none` is found as `none`."""
        styles: list[ClientAuth] = ["none", "basic", "body"] if self.has_client_credentials else ["none"]
        locations: tuple[Location, ...] = ("body", "query")
        tried: list[str] = []
        for location in locations:
            for style in styles:
                self.client.profile = replace(
                    self.client.profile, client_auth=style, parameter_location=location
                )
                choice = None if style == "none" else PROFILE_DEFAULT
                purpose = f"token: password grant, client auth {style}, parameters in {location}"
                exchange = self.client.password_grant(purpose, client=choice)
                if exchange.issued_token is not None:
                    self.grants.append(exchange)
                    self.latest = exchange
                    self._record_discovery(style, location, exchange, tried)
                    return exchange
                tried.append(f"{style} in {location}: {outcome(exchange)}")
        hint = (
            ""
            if self.has_client_credentials
            else "; CONFORMANCE_CLIENT_ID and CONFORMANCE_CLIENT_SECRET are not set, so only requests "
            "without client authentication were tried"
        )
        raise NoTokenIssued(
            self.redactor.scrub(f"no password grant issued a token ({'; '.join(tried)}){hint}")
        )

    def _record_discovery(self, style: str, location: str, exchange: Exchange, tried: list[str]) -> None:
        before = f" after {'; '.join(tried)}" if tried else ""
        names = {"none": "no client authentication", "basic": "HTTP Basic", "body": "client_id/client_secret"}
        if style == "none":
            why = f"a token was issued without client credentials ({outcome(exchange)})"
            if not self.has_client_credentials:
                why += "; CONFORMANCE_CLIENT_ID and CONFORMANCE_CLIENT_SECRET were not set"
        else:
            why = f"tokens are issued with {names[style]} ({outcome(exchange)}){before}"
        self.draft.learn("client_auth.style", style, why)
        where = "the request body (form-encoded)" if location == "body" else "the query string"
        loc_why = f"parameters in {where} issued a token ({outcome(exchange)})"
        if location == "query":
            loc_why += "; in the body none did. Credentials in a URL end up in server logs"
        self.draft.learn("parameters.location", location, loc_why)
        self.draft.learn("grants.password", True, f"the password grant issued a token ({outcome(exchange)})")
        self.draft.source("client_auth", "probe §client authentication")
        self.draft.source("parameters", "probe §parameter location")
        self.draft.source("grants", "probe §grants")

    def learn_response(self, exchange: Exchange) -> None:
        body: dict[str, Any] = exchange.json
        token_type = body.get("token_type")
        if isinstance(token_type, str) and token_type.isascii() and 0 < len(token_type) < 40:
            self.draft.learn(
                "token_response.token_type",
                self.redactor.scrub(token_type),
                f"as issued ({outcome(exchange)})",
            )
        else:
            self.draft.learn(
                "token_response.token_type", "bearer", "no usable token_type was issued: RFC 6750"
            )
        self.draft.source("token_response", "probe §token response")

    def learn_fields(self) -> None:
        """Members present in every successful password grant (refresh responses may omit some)."""
        present = [f for f in RESPONSE_FIELDS if all(f in e.json for e in self.grants)]
        seqs = ", ".join(f"#{e.seq}" for e in self.grants)
        self.draft.learn(
            "token_response.fields", present, f"members of every password grant response ({seqs})"
        )

    # -- the protected resource ----------------------------------------------------------
    def learn_resource(self) -> None:
        path = self.client.target.resource_path
        if path is None or self.latest is None:
            self.draft.remarks.append(
                "no --resource-path: invalidation, real expiry and the resource's rejection were not probed"
            )
            self.draft.learn_unless_known(
                "invalidation.new_token_invalidates_earlier", "unspecified", "not probed: no --resource-path"
            )
            return
        token = self.latest.json["access_token"]
        fresh = self.client.call_resource(token, "resource: a fresh token")
        if not fresh.ok:
            note = f"the resource did not accept a fresh token ({outcome(fresh)}): check --resource-path"
            self.draft.remarks.append(note + "; invalidation and expiry were not probed")
            self.draft.learn(
                "invalidation.new_token_invalidates_earlier", "unspecified", f"not probed: {note}"
            )
            return
        bare = self.client.call_resource(None, "resource: no token")
        made_up = self.client.call_resource(secrets.token_urlsafe(32), "resource: a made-up token")
        if made_up.ok:
            note = f"the resource accepted a made-up token ({outcome(made_up)}): it does not check tokens"
            self.draft.remarks.append(note)
            self.draft.learn(
                "invalidation.new_token_invalidates_earlier", "unspecified", f"not probed: {note}"
            )
            return
        self.resource_works = True
        learn_rejection(self.draft, bare, made_up, self.redactor)

    # -- invalidation ----------------------------------------------------------------------
    def learn_invalidation(self) -> None:
        if not self.resource_works or self.latest is None:
            return
        first = self.latest
        second = self._grant("token: a second token")
        if second.issued_token is None:
            self.draft.learn(
                "invalidation.new_token_invalidates_earlier",
                "unspecified",
                f"no second token: {outcome(second)}",
            )
            return
        earlier = self.client.call_resource(
            first.json["access_token"], "resource: the first token, after the second"
        )
        newer = self.client.call_resource(second.json["access_token"], "resource: the second token")
        seen = f"first token #{first.seq}, second #{second.seq}; then the first {outcome(earlier)}"
        if not newer.ok:
            value: object = "unspecified"
            how = f"undecided: the second token itself was refused ({outcome(newer)}); {seen}"
        elif earlier.ok:
            value, how = False, f"the first token still works after a second was issued ({seen})"
        elif earlier.status is not None and 400 <= earlier.status < 500:
            value, how = True, f"a new token request invalidated the first token ({seen}, the second works)"
        else:
            value, how = "unspecified", f"undecided ({seen})"
        self.draft.learn("invalidation.new_token_invalidates_earlier", value, how)
        self.draft.source("invalidation", "probe §invalidation")
        if value is True:
            self.draft.remarks.append(
                "EVERY TOKEN REQUEST LOGS OUT EARLIER TOKENS of the account: other clients of the account "
                "were logged out by this probe"
            )

    # -- refresh ---------------------------------------------------------------------------
    def learn_refresh(self) -> None:
        with_refresh = [e for e in self.grants if isinstance(e.json.get("refresh_token"), str)]
        seqs = ", ".join(f"#{e.seq}" for e in self.grants)
        self.draft.source("refresh", "probe §refresh")
        if not with_refresh:
            self.draft.learn("refresh.issues_refresh_token", False, f"no refresh_token in {seqs}")
            for path in ("refresh.rotation", "refresh.used_refresh_token"):
                self.draft.learn(path, "unspecified", "no refresh token is issued")
            made_up = self.client.refresh_grant(secrets.token_hex(16), "token: refresh with a made-up token")
            if made_up.issued_token is not None:
                self.draft.learn(
                    "grants.refresh_token",
                    "unspecified",
                    f"a made-up refresh token was accepted ({outcome(made_up)})",
                )
            else:
                self.draft.learn(
                    "grants.refresh_token",
                    False,
                    f"no refresh token is issued; a refresh with a made-up one: {outcome(made_up)}",
                )
            return
        if len(with_refresh) < len(self.grants):
            self.draft.learn("refresh.issues_refresh_token", "unspecified", f"only sometimes ({seqs})")
        else:
            self.draft.learn(
                "refresh.issues_refresh_token", True, f"a refresh_token in every response ({seqs})"
            )
        old = with_refresh[-1].json["refresh_token"]
        first = self.client.refresh_grant(old, "token: refresh grant")
        if first.issued_token is None:
            self.draft.learn(
                "grants.refresh_token",
                False,
                f"a refresh token just issued (#{with_refresh[-1].seq}) was refused: {outcome(first)}; "
                "review: the refresh may need a scope or another client authentication",
            )
            return
        self.latest = first
        self.draft.learn(
            "grants.refresh_token", True, f"a refresh issued a new access token ({outcome(first)})"
        )
        new = first.json.get("refresh_token")
        if isinstance(new, str) and new and new != old:
            self.draft.learn(
                "refresh.rotation", True, f"the refresh returned a new refresh token ({outcome(first)})"
            )
        else:
            what = "the same refresh token again" if new == old else "no refresh_token"
            self.draft.learn("refresh.rotation", False, f"the refresh returned {what} ({outcome(first)})")
        if self.resource_works:
            self.client.call_resource(first.json["access_token"], "resource: the refreshed access token")
        again = self.client.refresh_grant(old, "token: the used refresh token again")
        if again.issued_token is not None:
            self.latest = again
            used: object = "accepted"
        elif again.status is not None and 400 <= again.status < 500:
            used = "rejected"
        else:
            used = "unspecified"
        self.draft.learn(
            "refresh.used_refresh_token",
            used,
            f"the refresh token of #{with_refresh[-1].seq} used again: {outcome(again)}",
        )

    # -- errors ----------------------------------------------------------------------------
    def learn_errors(self) -> None:
        refusals = [
            e for e in self.client.exchanges if e.kind == "token" and e.status is not None and not e.ok
        ]
        if not refusals:
            params = [("grant_type", "urn:conformance:probe:no-such-grant")]
            refusals = [self.client.token_request(params, purpose="token: an unknown grant")]
        shaped = [
            e
            for e in refusals
            if e.json_object_problem is None
            and "json" in (e.header("content-type") or "").lower()
            and not violations("rfc6749-error", e.json)
        ]
        seen = ", ".join(outcome(e) for e in refusals)
        if len(shaped) == len(refusals):
            how = f"every refusal was RFC 6749 §5.2 JSON ({seen})"
        else:
            how = (
                f"NOT RFC 6749 style: {len(refusals) - len(shaped)} of {len(refusals)} refusals were not "
                f"§5.2 JSON ({seen}); the schema knows no other style, the suite will report it"
            )
        self.draft.learn("errors.style", "rfc6749", how)
        self.draft.source("errors", "probe §errors")

    # -- expiry ------------------------------------------------------------------------------
    def learn_lifetime(self) -> None:
        if not self.resource_works:
            self._learn_reading(None, "no usable --resource-path to watch a token with")
            return
        if self.expiry_wait <= 0:
            self._learn_reading(None, "--expiry-wait is 0")
            return
        budget = self.client.budget
        left = MAX_POLLS if budget.max_requests is None else budget.max_requests - budget.spent - 1
        fresh = self._grant("token: a fresh token to watch expire")
        if fresh.issued_token is None:
            self._learn_reading(None, f"no fresh token: {outcome(fresh)}")
            return
        expires_in = fresh.json.get("expires_in")
        ages = schedule(expires_in, self.expiry_wait, min(MAX_POLLS, left))
        self.say(
            f"  watching token #{fresh.seq} expire: up to {len(ages)} calls within {self.expiry_wait:g} s"
        )
        seen = watch(self.client, fresh.json["access_token"], fresh, ages)
        self._learn_reading(seen, "", fresh)

    def _learn_reading(self, seen: Any, why: str, fresh: Exchange | None = None) -> None:
        source = fresh or self.latest
        expires_in = source.json.get("expires_in") if source is not None else None
        reading = judge(expires_in, seen, why)
        self.draft.learn("expiry.unit", reading.unit, reading.how)
        if reading.alternatives:
            self.draft.learn(
                "expiry.alternative_units",
                list(reading.alternatives),
                "readings the observations could not rule out: the suite decides from evidence",
            )
        self.draft.learn("expiry.nominal_lifetime", reading.nominal, reading.nominal_how)
        self.draft.source(
            "expiry", "probe §expiry" + (" (observed)" if reading.verified else " (unverified)")
        )
