"""Hypothesis strategies: token requests a profile allows and ones it must refuse, and the
credentials presented to the protected resource."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from conformance.client import Credentials
from conformance.expected import Verdict
from conformance.profile import Profile
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749
from conformance.strategies.auth import BearerCase, bearer_moves, client_auth_moves
from conformance.strategies.model import Move, RequestCase, literal, secrets_of
from conformance.strategies.params import (
    NON_ASCII,
    content_type_moves,
    encoding_moves,
    extra_parameter,
    parameter_moves,
    placement_moves,
    unknown_user,
)

__all__ = [
    "MAX_MOVES",
    "key_case",
    "bearer_cases",
    "documented_names",
    "move_catalogue",
    "scope_requests",
    "scope_values",
    "token_requests",
]

MAX_MOVES = 3
# RFC 6749 §3.3, Appendix A.4: scope-token = 1*NQCHAR (%x21 / %x23-5B / %x5D-7E).
_NQCHAR = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\')


def documented_names(profile: Profile, grant: str = "password") -> list[str]:
    """The parameters of the documented request of `grant`."""
    names = ["grant_type", "username", "password"] if grant == "password" else ["grant_type"]
    if profile.scope_value is not None:
        names.insert(1, "scope")
    if profile.client_auth == "body":
        names += ["client_id", "client_secret"]
    return names


def move_catalogue(profile: Profile, credentials: Credentials, grant: str = "password") -> list[Move]:
    """Every fixed move for this profile and grant, the simplest first (hypothesis shrinks
    towards them)."""
    secrets = secrets_of(credentials)
    names = documented_names(profile, grant)
    moves = parameter_moves(names, secrets, profile.scope_value, grant)
    moves += client_auth_moves(profile.client_auth if credentials.client else "none")
    client_auth = profile.client_auth != "none" and credentials.client is not None
    moved = ["grant_type", "password"] if grant == "password" else ["grant_type"]
    moves += placement_moves(profile.parameter_location, moved, client_auth)
    if profile.parameter_location == "body":
        moves += content_type_moves(client_auth)
    moves += encoding_moves(names, secrets, profile.scope_value, grant)
    return moves


def scope_values() -> st.SearchStrategy[str]:
    """Syntactically valid scope values (RFC 6749 §3.3): space-separated scope tokens."""
    token = st.text(alphabet=_NQCHAR, min_size=1, max_size=16)
    return st.lists(token, min_size=1, max_size=3).map(" ".join)


def _scope_move(profile: Profile, value: str) -> Move:
    if profile.scope_enforced is False:
        verdict, requirement = Verdict.ISSUE, provider.SCOPE_UNENFORCED
    elif profile.scope_unknown == "refused":
        verdict, requirement = Verdict.EITHER, rfc6749.INVALID_SCOPE
    else:
        verdict, requirement = Verdict.EITHER, rfc6749.ERROR_RESPONSE
    return Move(
        f"scope: {value!r}",
        verdict,
        requirement,
        lambda d: d.set("scope", literal(value)),
        frozenset({"invalid_scope"}),
        "scope",
    )


def _extra_parameters() -> st.SearchStrategy[Move]:
    names = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=6).map(
        lambda s: f"x_conformance_{s}"
    )
    values = st.one_of(
        st.text(alphabet=string.printable.strip() + " ", max_size=20),
        st.sampled_from(NON_ASCII).map(lambda c: f"value {c}"),
        st.sampled_from([201, 1024, 5000]).map(lambda n: "v" * n),
    )
    return st.builds(extra_parameter, names, values)


def _protect(case: RequestCase) -> RequestCase:
    """On a live target a changed password goes to an unknown user: no failed login is spent on
    the real account (it might lock it)."""
    spends = any(m.target == "password" and m.verdict != Verdict.ISSUE for m in case.moves)
    # A repeated username still carries the real one: only a move that replaces it is a wrong user.
    wrong_user = any(
        m.target == "username" and m.verdict == Verdict.REFUSE and "sent twice" not in m.what
        for m in case.moves
    )
    if not spends or wrong_user:
        return case
    kept = tuple(m for m in case.moves if m.target != "username")
    return RequestCase((*kept, unknown_user()), case.grant)


def token_requests(
    profile: Profile,
    credentials: Credentials,
    *,
    protect_account: bool = False,
    max_moves: int = MAX_MOVES,
    grant: str = "password",
) -> st.SearchStrategy[RequestCase]:
    """The documented request of `grant` changed by up to `max_moves` moves, each on a
    different target."""
    fixed = st.sampled_from(move_catalogue(profile, credentials, grant))
    choices = [fixed, _extra_parameters()]
    if profile.scope_value is not None:
        choices.append(scope_values().map(lambda v: _scope_move(profile, v)))
    move = st.one_of(*choices)
    cases = st.lists(move, max_size=max_moves, unique_by=lambda m: m.target).map(
        lambda moves: RequestCase(tuple(moves), grant)
    )
    return cases.map(_protect) if protect_account and grant == "password" else cases


def scope_requests(profile: Profile, grant: str = "password") -> st.SearchStrategy[RequestCase]:
    """The documented request with another (syntactically valid) scope value."""
    return scope_values().map(lambda v: RequestCase((_scope_move(profile, v),), grant))


# The moves every search tries on its own, on every target however small its budget: where real
# servers differ most (RFC 6749 §3.2 repeated and empty parameters, parameter names and scheme
# letter case), so that a verdict on them never depends on what a seed happened to draw.
_KEY_WHAT = ("sent twice, the second time", "sent twice, the first time", ": empty", "scheme written 'basic'")


def key_case(move: Move) -> bool:
    """Whether `move` is one of the cases that matter enough to be tried in every search."""
    return any(key in move.what for key in _KEY_WHAT)


def bearer_cases() -> st.SearchStrategy[BearerCase]:
    return st.sampled_from(bearer_moves()).map(BearerCase)
