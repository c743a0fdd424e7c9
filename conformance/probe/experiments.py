"""The probe's experiments: each asks the live server one question with as few requests as it can.

Order matters on a real server. How tokens are issued comes first (no other question can be
asked without a token): by the password grant where user credentials are given, else by the
client credentials grant; then the client credentials grant beside the password grant, and the
scope the run will ask for; then the resource, whose answers every later experiment needs;
then invalidation (one more token) and refresh; then the revocation and introspection endpoints
(revoking a token the rest no longer needs); the expiry watch comes last, because any token
request after it could invalidate the token being watched.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, Literal

from conformance.client import ConformanceClient, Exchange
from conformance.errors import BudgetExhausted
from conformance.probe.discovery import (
    NoTokenIssued,
    discover_client_credentials,
    discover_password,
    learn_client_credentials,
)
from conformance.probe.draft import Draft, outcome
from conformance.probe.lifetime import judge, schedule, watch
from conformance.probe.metadata import Advertised
from conformance.probe.refresh import RefreshProbe
from conformance.probe.rejection import learn_rejection
from conformance.probe.scope import (
    challenged,
    learn_scope,
    learn_unknown_scope,
    record_required,
    scope_tokens,
    set_scope,
)
from conformance.probe.services import learn_live_token, look_for_services
from conformance.redaction import Redactor
from conformance.schemas import violations

__all__ = ["RESPONSE_FIELDS", "IssuingGrant", "NoTokenIssued", "Prober"]

RESPONSE_FIELDS = ("access_token", "token_type", "expires_in", "refresh_token", "scope")
MAX_POLLS = 14
IssuingGrant = Literal["password", "client_credentials"]
_LABELS = {"password": "password grant", "client_credentials": "client credentials grant"}
UNLEARNED = {
    "refresh.issues_refresh_token": "unspecified",
    "grants.refresh_token": "unspecified",
    "refresh.rotation": "unspecified",
    "refresh.used_refresh_token": "unspecified",
    "invalidation.new_token_invalidates_earlier": "unspecified",
}


class Prober:
    """Runs the experiments in order against one client, writing what it learns into a Draft.

    The client's profile is the draft's own: discovery switches its client authentication and
    parameter location until a token is issued, the scope step sets the scope it asks for, and
    every later request is made that way, by `grant`: the password grant where user
    credentials are given, else the client credentials grant.
    """

    def __init__(
        self,
        client: ConformanceClient,
        draft: Draft,
        *,
        grant: IssuingGrant,
        advertised: Advertised,
        expiry_wait: float,
        has_client_credentials: bool,
        say: Callable[[str], None],
    ) -> None:
        self.client = client
        self.draft = draft
        self.grant = grant
        self.advertised = advertised
        self.expiry_wait = expiry_wait
        self.has_client_credentials = has_client_credentials
        self.redactor: Redactor = client.redactor
        self.say = say
        self.grants: list[Exchange] = []  # tokens issued by `grant`, asked as the suite asks
        self.shaped_from = 0  # grants from this exchange on asked for the scope the draft writes
        self.latest: Exchange | None = None
        self.beside: Exchange | None = None  # the client credentials grant beside the password grant
        self.resource_works = False
        client.listeners.append(self._show)

    # -- the sequence --------------------------------------------------------------------
    def run(self) -> Draft:
        if self.grant == "password":
            issued = discover_password(self.client, self.draft, has_client=self.has_client_credentials)
        else:
            issued = discover_client_credentials(self.client, self.draft, self.advertised)
        for exchange in issued:
            self._took(exchange)
        self.learn_response(issued[0])
        steps: list[tuple[str, Callable[[], None]]] = []
        if self.grant == "password" and self.has_client_credentials:
            steps.append(("the client credentials grant", self.learn_client_credentials))
        steps += [
            ("scope", self.learn_scope),
            ("the protected resource", self.learn_resource),
            ("invalidation", self.learn_invalidation),
            ("refresh", self.learn_refresh),
            ("error shape", self.learn_errors),
            ("revocation and introspection", self.learn_services),
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

    def _request(self, purpose: str) -> Exchange:
        """A token request by the probe's grant, as the suite will make it."""
        if self.grant == "client_credentials":
            return self.client.client_credentials_grant(purpose)
        return self.client.password_grant(purpose)

    def _took(self, exchange: Exchange) -> None:
        if exchange.issued_token is not None:
            self.grants.append(exchange)
            self.latest = exchange

    def _grant(self, purpose: str) -> Exchange:
        exchange = self._request(purpose)
        self._took(exchange)
        return exchange

    # -- the client credentials grant beside the password grant, and scope ---------------------
    def learn_client_credentials(self) -> None:
        self.beside = learn_client_credentials(self.client, self.draft, self.advertised)

    def learn_scope(self) -> None:
        asked = learn_scope(self.client, self.draft, self.advertised, self.grants[0], self._grant)
        # The fields are judged on the responses to requests shaped as the suite's: a server may
        # leave scope out where it is the one asked for (RFC 6749 §5.1).
        self.shaped_from = asked.seq if asked is not None else len(self.client.exchanges) + 1
        unknown = learn_unknown_scope(self.client, self.draft, self._request)
        if unknown is not None:
            self.latest = unknown  # the newest token: on some servers the only one still valid

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
        """Members present in every response to a token request shaped as the suite's (refresh
        responses may omit some), and in the client credentials grant's beside the password
        grant where it issued one: the promise holds for every grant the run obtains tokens by."""
        shaped = [e for e in self.grants if e.seq >= self.shaped_from] or self.grants
        seen = shaped + ([self.beside] if self.beside is not None and self.beside.issued_token else [])
        present = [f for f in RESPONSE_FIELDS if all(f in e.json for e in seen)]
        seqs = ", ".join(f"#{e.seq}" for e in seen)
        grants = _LABELS[self.grant] + (" and client credentials grant" if len(seen) > len(shaped) else "")
        self.draft.learn("token_response.fields", present, f"members of every {grants} response ({seqs})")

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
        needed = challenged(fresh)
        if needed:
            fresh = self._ask_for(needed, fresh)
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

    def _ask_for(self, needed: list[str], refused: Exchange) -> Exchange:
        """The resource refused a token for its scope and named the scope (RFC 6750 §3.1): one
        more token, asking for that scope too; what the resource says to it."""
        before = self.client.profile.scope_value
        value = " ".join(dict.fromkeys([*scope_tokens(before), *needed]))
        set_scope(self.client, value)
        issued = self._grant(f"token: asking for the scope the resource named too, {value}")
        if issued.issued_token is not None:
            served = self.client.call_resource(issued.issued_token, "resource: a token granted that scope")
            if served.ok:
                record_required(self.draft, needed, refused, served, value)
                self.shaped_from = issued.seq
                return served
        set_scope(self.client, before)
        return refused

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
            whose = "account" if self.grant == "password" else "client"
            self.draft.remarks.append(
                f"EVERY TOKEN REQUEST LOGS OUT EARLIER TOKENS of the {whose}: other users of the {whose} "
                "were logged out by this probe"
            )

    # -- refresh ---------------------------------------------------------------------------
    def learn_refresh(self) -> None:
        refresh = RefreshProbe(self.client, self.draft, resource_works=self.resource_works)
        refresh.issued_by(self.grants, self.beside if self.grant == "password" else None)
        latest = refresh.run(self.grants)
        self.latest = latest or self.latest

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

    # -- revocation and introspection ----------------------------------------------------------
    def learn_services(self) -> None:
        look_for_services(self.client, self.draft, self.advertised, has_client=self.has_client_credentials)
        learn_live_token(self.client, self.draft, self.latest, resource_works=self.resource_works)

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
