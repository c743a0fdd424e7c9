"""Properties of the token endpoint and the resource, searched with generated requests.

Scripted scenarios check what someone thought of; these search for what nobody did. Every
generated request is judged by the exchange checks (a 5xx or a malformed refusal is a
finding whatever was sent) and against what its moves allow (see conformance.strategies):
nothing but the documented credentials yields a token, a request the RFC still calls valid
does, and a refusal carries an error code that fits. A failing example is shrunk to a minimal
one, which the failure shows with the seed to replay it.
"""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_accepted
from conformance.checks.generated import judge_resource, judge_token
from conformance.checks.token_sample import judge_issuances
from conformance.client import Exchange
from conformance.engine.counterexample import Example, Search, search_id
from conformance.engine.scenario import Scenario
from conformance.engine.search import LIVE_EXAMPLES, budget_for
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749, rfc6750
from conformance.strategies import (
    BearerCase,
    RequestCase,
    Verdict,
    bearer_cases,
    bearer_moves,
    key_case,
    move_catalogue,
    scope_requests,
    token_requests,
)

requirement = pytest.mark.requirement

TOKEN_REQUIREMENTS = (
    rfc6749.ERROR_RESPONSE,
    rfc6749.PASSWORD_GRANT_ISSUES,
    rfc6749.WRONG_CREDENTIALS,
    rfc6749.MISSING_PARAMETER,
    rfc6749.MISSING_GRANT_TYPE,
    rfc6749.UNSUPPORTED_GRANT,
    rfc6749.UNKNOWN_PARAMETER_IGNORED,
    rfc6749.REPEATED_PARAMETER,
    rfc6749.CLIENT_AUTH_REQUIRED,
)


def _send(case: RequestCase, example: Example) -> Exchange | None:
    client = example.search.conformance.client
    if case.verdict is not Verdict.REFUSE and not client.token_budget.affords(1):
        # A request a conforming server may answer with a token costs one: none is left to spend.
        example.note(f"not sent: {case!r} may obtain a token, and the run's token budget is spent")
        if case.verdict is Verdict.ISSUE:
            why = client.token_budget.spent_reason("requests that obtain a token")
            for judged in dict.fromkeys(case.blame(m.requirement) for m in case.moves) or [
                case.blame(rfc6749.PASSWORD_GRANT_ISSUES)
            ]:
                example.search.untested.setdefault(judged.id, why)
        return None
    # A run that counts its tokens does not send a refused request twice: each may be a failed login.
    frugal = example.search.conformance.settings.frugal and case.verdict is Verdict.REFUSE
    # One a conforming server may answer with a token is paid for by the budget (checked above).
    asks = case.verdict is not Verdict.REFUSE
    exchange = case.send(client, f"token: generated: {case!r}", refused_before=frugal, asks_token=asks)
    if exchange is not client.exchanges[-1]:
        example.note(f"{case!r} (the RFC and the profile: refuse): refused before, not sent again")
    else:
        example.note(f"sent {case!r} (the RFC and the profile: {case.verdict.name.lower()})")
    example.note(f"got {exchange.summary()}")
    example.expect(judge_token(case, exchange))
    return exchange


# What the search judges through each grant: the password grant's own requirements, or the
# client credentials grant's; the rest is not about one grant.
BY_GRANT = {
    "password": TOKEN_REQUIREMENTS,
    "client_credentials": (
        rfc6749.ERROR_RESPONSE,
        rfc6749.CC_ISSUES,
        rfc6749.MISSING_GRANT_TYPE,
        rfc6749.UNSUPPORTED_GRANT,
        rfc6749.UNKNOWN_PARAMETER_IGNORED,
        rfc6749.REPEATED_PARAMETER,
        rfc6749.CC_CLIENT_AUTH,
    ),
}


def _judged(case: RequestCase, example: Example) -> None:
    _send(case, example)


@requirement(*dict.fromkeys(r for judged in BY_GRANT.values() for r in judged))
@pytest.mark.spends_tokens(order=0)  # its key cases first: the deviations real servers show
def test_token_endpoint_answers_generated_requests(
    conformance: Scenario, request: pytest.FixtureRequest, grant: str
) -> None:
    judged = BY_GRANT[grant]
    for other in {r for rs in BY_GRANT.values() for r in rs} - set(judged):
        conformance.log.not_checked(other, f"not applicable to requests of the {grant} grant")
    # The documented request first: a grant the server refuses this client is not searched.
    conformance.grant_is_issued(f"token: {grant} grant, the documented request before the search")
    search = Search.for_test(conformance, request, "requests", f"generated {grant} grant requests", *judged)
    profile, credentials, live = conformance.profile, conformance.client.credentials, search.budget.live
    strategy = token_requests(profile, credentials, protect_account=live, grant=grant)
    # Every fixed move alone first (not on a live target: that is a request each), then the search;
    # on every target, the cases that matter most (KEY_CASES).
    catalogue = move_catalogue(profile, credentials, grant)
    if live:
        alone = [RequestCase((move,), grant) for move in catalogue if key_case(move)]
    else:
        alone = [RequestCase((move,), grant) for move in catalogue]
    search.run_given(strategy, _judged, explicit=alone)


@requirement(rfc6750.ACCEPTS_VALID_TOKEN, rfc6750.REJECTS_BAD_TOKEN, rfc6750.CHALLENGE)
@applies(resource=True)
def test_resource_answers_generated_credentials(
    conformance: Scenario, request: pytest.FixtureRequest
) -> None:
    token = conformance.obtain_token("token: for the generated resource requests")
    client = conformance.client
    path = client.target.resource_path
    assert path is not None
    search = Search.for_test(
        conformance,
        request,
        "resource",
        "generated resource requests",
        rfc6750.ACCEPTS_VALID_TOKEN,
        rfc6750.REJECTS_BAD_TOKEN,
        reset=False,  # the one token stays valid: only the resource is called
    )

    def call(case: BearerCase, example: Example) -> None:
        move = case.move
        header = move.header(token.access_token)
        query = move.query(token.access_token) if move.query else ""
        presented: str | None = None
        if move.outcome.name == "ACCEPT":
            presented = token.access_token
        elif move.well_formed and header is not None:
            presented = header.partition(" ")[2]  # "Bearer" alone when a short token was cut away
        example.note(f"sent {case!r} (RFC 6750: {move.outcome.name.lower()})")
        exchange = client.send_raw(
            client.profile.resource.method,
            path + (f"?{query}" if query else ""),
            kind="resource",
            purpose=f"resource: generated: {move.what}",
            headers=[("Authorization", header)] if header is not None else [],
            token=presented,
            malformed=move.malformed,
        )
        example.note(f"got {exchange.summary()}")
        example.expect(judge_resource(case, exchange))

    # The scheme's letter case is where resources differ most (RFC 7235 §2.1): tried on every
    # target; on this machine every move is tried alone first.
    moves = [m for m in bearer_moves() if not search.budget.live or "scheme written" in m.what]
    search.run_given(bearer_cases(), call, explicit=[BearerCase(m) for m in moves])


@requirement(provider.SCOPE_UNENFORCED, rfc6750.ACCEPTS_VALID_TOKEN)
@applies(scope_unenforced=True)
@pytest.mark.spends_tokens(order=3)
def test_any_scope_behaves_like_the_documented_one(
    conformance: Scenario, request: pytest.FixtureRequest
) -> None:
    profile = conformance.profile
    conformance.grant_is_issued("token: the documented request, before the search")
    search = Search.for_test(conformance, request, "scope", "other scope values", provider.SCOPE_UNENFORCED)
    client = conformance.client

    def check(case: RequestCase, example: Example) -> None:
        exchange = _send(case, example)
        if exchange is None or exchange.issued_token is None or client.target.resource_path is None:
            return
        token = conformance.issued(exchange)
        used = client.call_resource(token.access_token, f"resource: token of {case!r}")
        example.note(f"got {used.summary()}")
        if not used.ok and _documented_token_refused_too(conformance):
            example.note("a token of the documented request is refused alike: the scope is not what differs")
            return
        example.expect(expect_accepted(used, provider.SCOPE_UNENFORCED, f"a token issued for {case!r}"))

    search.run_given(scope_requests(profile, conformance.grant), check)


def _documented_token_refused_too(conformance: Scenario) -> bool:
    """The control for a refused token: is a token of the documented request, issued now, refused
    as well (a store that honours new tokens late, say)? Then no scope value is to blame."""
    client = conformance.client
    control = client.grant_request(conformance.grant, "token: the documented request, as a control")
    if control.issued_token is None:
        return False
    used = client.call_resource(conformance.issued(control).access_token, "resource: the control token")
    return not used.ok


SAMPLE = 12


@requirement(rfc6749.TOKENS_UNIQUE, rfc6749.TOKENS_UNGUESSABLE, rfc6749.TOKENS_160_BITS)
@pytest.mark.spends_tokens(draws_on_run=True)
def test_issued_tokens_are_unique_and_unguessable(
    conformance: Scenario, request: pytest.FixtureRequest, grant: str
) -> None:
    live = budget_for(request.config, conformance.settings, "requests", search_id(request)).live
    size = LIVE_EXAMPLES["resource"] if live else SAMPLE
    client = conformance.client
    # A run that counts its tokens samples every token the grant issued it, and buys only the rest.
    sample = (
        [e for e in client.exchanges if e.kind == "token" and e.grant_type == grant and e.issued_token]
        if conformance.settings.frugal
        else []
    )
    while len(sample) < size and client.token_budget.affords(1):
        sample.append(
            conformance.obtain_token(f"token: sample {len(sample) + 1} of {size}", fresh=True).exchange
        )
    # The one RFC 6749 §10.10 judge (conformance.checks.token_sample), as every layer calls it.
    judged = judge_issuances(sample)
    if len(sample) >= size:
        judged.record(conformance.log)
        return
    conformance.log.extend(judged.findings)
    for requirement in (rfc6749.TOKENS_UNIQUE, rfc6749.TOKENS_UNGUESSABLE, rfc6749.TOKENS_160_BITS):
        if not judged.about(requirement):
            conformance.log.partial(
                requirement,
                f"{len(sample)} tokens the run obtained (of {size} for a full sample): its budget of "
                f"{client.token_budget.max_tokens} tokens is spent (--max-tokens)",
            )
