"""The strategies: safe to print, every move meaningful, verdicts that fit a conformant server."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks.generated import judge_resource, judge_token
from conformance.client import ClientCredentials, Credentials
from conformance.profile import Profile, load_profile
from conformance.strategies import (
    BearerCase,
    RequestCase,
    Verdict,
    bearer_cases,
    move_catalogue,
    token_requests,
)
from conformance.strategies.model import secrets_of
from tests.conftest import emulated_client

FORM = "application/x-www-form-urlencoded"

QUICK = settings(max_examples=150, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def _secrets(profile: Profile) -> list[str]:
    """Credentials and near misses of them: none may appear in a repr."""
    values = [v for v in secrets_of(Credentials.for_emulator(profile)).values() if len(v) > 4]
    return values + [v[:-1] for v in values]


def test_reprs_hold_no_credential(seed_profile: Profile) -> None:
    credentials = Credentials.for_emulator(seed_profile)
    hidden = _secrets(seed_profile)

    @QUICK
    @given(token_requests(seed_profile, credentials))
    def check(case: RequestCase) -> None:
        shown = repr(case) + repr(case.moves)
        assert not any(secret in shown for secret in hidden), shown

    check()


def test_each_move_alone_against_the_conformant_emulator(seed_profile: Profile) -> None:
    """The emulator follows the RFC: no move alone makes it contradict the move's verdict."""
    client, _ = emulated_client(seed_profile)
    try:
        for move in move_catalogue(seed_profile, client.credentials):
            case = RequestCase((move,))
            exchange = case.send(client, repr(case))
            assert judge_token(case, exchange) == [], (move, exchange.render())
            assert exchange.status is not None and exchange.status < 500, move
    finally:
        client.close()


def test_refusing_moves_change_what_is_sent(seed_profile: Profile) -> None:
    """A move that says 'must be refused' really changes the request (no silent no-op)."""
    credentials = Credentials.for_emulator(seed_profile)
    documented = RequestCase().build(seed_profile, credentials)
    for move in move_catalogue(seed_profile, credentials):
        if move.verdict is Verdict.REFUSE:
            assert RequestCase((move,)).build(seed_profile, credentials) != documented, move


def test_live_search_spends_no_failed_login_on_the_account() -> None:
    profile = load_profile("tourpaq")
    credentials = Credentials.for_emulator(profile)

    @QUICK
    @given(token_requests(profile, credentials, protect_account=True))
    def check(case: RequestCase) -> None:
        wrong_password = any(m.target == "password" and m.verdict is not Verdict.ISSUE for m in case.moves)
        if wrong_password:
            username = case.draft(profile, credentials).params
            sent = [p.value.render(secrets_of(credentials)) for p in username if p.name == "username"]
            assert credentials.username not in sent

    check()


@pytest.mark.parametrize("profile_name", ["tourpaq", "daysoutguide"])
def test_bearer_cases_against_the_conformant_emulator(profile_name: str) -> None:
    profile = load_profile(profile_name)
    client, _ = emulated_client(profile)
    token = client.password_grant("token")
    access = token.json["access_token"]
    path = client.target.resource_path
    assert path is not None
    try:

        @QUICK
        @given(bearer_cases())
        def check(case: BearerCase) -> None:
            header = case.move.header(access)
            query = case.move.query(access) if case.move.query else ""
            exchange = client.send_raw(
                "GET",
                path + (f"?{query}" if query else ""),
                kind="resource",
                purpose=repr(case),
                headers=[("Authorization", header)] if header is not None else [],
            )
            assert judge_resource(case, exchange) == [], exchange.render()

        check()
    finally:
        client.close()


def test_strategies_build_requests_without_hypothesis_errors() -> None:
    profile = load_profile("rfc6749")
    credentials = Credentials.for_emulator(profile)
    cases = st.lists(token_requests(profile, credentials), min_size=1, max_size=3)

    @QUICK
    @given(cases)
    def check(batch: list[RequestCase]) -> None:
        for case in batch:
            built = case.build(profile, credentials)
            assert built.target.startswith(profile.token_path)

    check()


def test_a_request_in_another_shape_carries_made_up_credentials(seed_profile: Profile) -> None:
    """Parameters in the other place or another Content-Type: the real credentials stay home,
    so no token may come of it (issue 8, point 6)."""
    client = ClientCredentials("cid-Zq81", "sec-Wf93") if seed_profile.client_auth != "none" else None
    credentials = Credentials(client, "user-Hn27", "pw-Xy64")  # none of them a word of a request
    real = [v for v in secrets_of(credentials).values() if v]
    documented = RequestCase().build(seed_profile, credentials)
    reshaping = [m for m in move_catalogue(seed_profile, credentials) if m.reshapes]
    assert {m.target for m in reshaping} >= {"location"}
    for move in move_catalogue(seed_profile, credentials):
        built = RequestCase((move,)).build(seed_profile, credentials)
        if move.reshapes:
            sent = built.target + repr(built.headers) + (built.content or b"").decode("utf-8", "replace")
            assert not any(v in sent for v in real), move
            assert move.verdict is Verdict.REFUSE and "made-up" in move.what, move
        elif move.target in ("location", "content-type"):
            # Only the documented media type with a charset keeps the documented shape.
            content_type = str(dict(built.headers).get("Content-Type", ""))
            assert built.target == documented.target and content_type.startswith(FORM), move
