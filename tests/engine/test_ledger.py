"""Token liveness: the ledger judges every use of a token against its stated life."""

from __future__ import annotations

from typing import Any

from conformance.client import Exchange
from conformance.clock import ManualClock
from conformance.engine.ledger import TokenLedger
from conformance.profile import load_profile, profile_from_mapping
from conformance.profile.loader import _load_merged, resolve_profile_path
from conformance.redaction import token_key
from tests.exchanges import recorded


def _issue(
    seq: int, at: float, token: str, expires_in: Any = 1799, answered: float | None = None
) -> Exchange:
    return recorded(
        seq=seq,
        purpose="issue",
        url="u",
        started_at=at,
        finished_at=at if answered is None else answered,
        status=200,
        json={"access_token": token, "token_type": "bearer", "expires_in": expires_in},
    )


def _use(seq: int, at: float, token: str, status: int, answered: float | None = None) -> Exchange:
    return recorded(
        "resource",
        seq=seq,
        purpose="use",
        url="u",
        started_at=at,
        finished_at=at if answered is None else answered,
        status=status,
        token_key=token_key(token),
    )


def _profile(name: str, **invalidation: Any) -> Any:
    data = _load_merged(resolve_profile_path(name))
    if invalidation:
        data["invalidation"] = {**data["invalidation"], **invalidation}
    return profile_from_mapping(data)


def _ids(findings: list[Any]) -> list[str]:
    return [f.requirement.id for f in findings]


def test_accepted_within_life_and_refused_after_is_fine() -> None:
    ledger = TokenLedger(load_profile("tourpaq"), ManualClock())
    ledger.observe(_issue(1, 0, "t1"))
    assert ledger.observe(_use(2, 1700, "t1", 200)) == []
    assert ledger.observe(_use(3, 1830, "t1", 401)) == []


def test_accepted_after_expiry() -> None:
    ledger = TokenLedger(load_profile("tourpaq"), ManualClock())
    ledger.observe(_issue(1, 0, "t1"))
    assert _ids(ledger.observe(_use(2, 1900, "t1", 200))) == ["RFC6749-5.1-lifetime"]


def test_refused_early_without_explanation() -> None:
    ledger = TokenLedger(load_profile("tourpaq"), ManualClock())
    ledger.observe(_issue(1, 0, "t1"))
    assert _ids(ledger.observe(_use(2, 600, "t1", 401))) == ["RFC6749-5.1-lifetime"]


def test_refused_after_a_newer_token_is_explained_when_the_rule_is_unspecified() -> None:
    ledger = TokenLedger(load_profile("tourpaq"), ManualClock())
    ledger.observe(_issue(1, 0, "t1"))
    ledger.observe(_issue(2, 10, "t2"))
    assert ledger.observe(_use(3, 20, "t1", 401)) == []


def test_invalidation_rule_true() -> None:
    ledger = TokenLedger(load_profile("daysoutguide"), ManualClock())
    ledger.observe(_issue(1, 0, "t1", 86399))
    ledger.observe(_issue(2, 10, "t2", 86399))
    assert ledger.observe(_use(3, 20, "t1", 401)) == []
    assert _ids(ledger.observe(_use(4, 20, "t1", 200))) == ["DOC-invalidates-earlier"]
    assert ledger.observe(_use(5, 20, "t2", 200)) == []


def test_invalidation_rule_false() -> None:
    ledger = TokenLedger(_profile("tourpaq", new_token_invalidates_earlier=False), ManualClock())
    ledger.observe(_issue(1, 0, "t1"))
    ledger.observe(_issue(2, 10, "t2"))
    assert _ids(ledger.observe(_use(3, 20, "t1", 401))) == ["DOC-keeps-earlier"]


def test_two_readings_are_judged_leniently() -> None:
    ledger = TokenLedger(load_profile("daysoutguide"), ManualClock())
    ledger.observe(_issue(1, 0, "t1", 86399))  # 86.4 s as milliseconds, 24 h as seconds
    assert ledger.observe(_use(2, 3600, "t1", 200)) == []  # fits the seconds reading
    ledger.observe(_issue(3, 0, "t2", 86399))
    assert ledger.observe(_use(4, 120, "t2", 401)) == []  # fits the milliseconds reading (t1 superseded too)


def test_repeated_token_is_not_unique() -> None:
    ledger = TokenLedger(load_profile("tourpaq"), ManualClock())
    ledger.observe(_issue(1, 0, "same"))
    assert _ids(ledger.observe(_issue(2, 5, "same"))) == ["RFC6749-10.10-unique"]


def test_tokens_without_expires_in_are_not_judged_on_time() -> None:
    ledger = TokenLedger(load_profile("tourpaq"), ManualClock())
    ledger.observe(_issue(1, 0, "t1", expires_in=None))
    assert ledger.observe(_use(2, 10**6, "t1", 200)) == []


def _short_lived(answered: float = 0.1) -> TokenLedger:
    """A token stated to live 3 s, issued by a request sent at 0 and answered at `answered`."""
    ledger = TokenLedger(load_profile("tourpaq"), ManualClock())
    ledger.observe(_issue(1, 0.0, "t1", expires_in=3, answered=answered))
    return ledger


def test_death_well_before_a_short_lifetime_fails_with_the_numbers() -> None:
    # 1.5 s into a 3 s life: no fixed slack (2 s + 1 % once let this pass) hides it.
    findings = _short_lived().observe(_use(2, 1.5, "t1", 401, answered=1.53))
    assert _ids(findings) == ["RFC6749-5.1-lifetime"]
    assert "refused at an age of 1.40-1.53 s; stated 3 s; 1 s allowed for whole-second clocks" in (
        findings[0].got
    )


def test_a_refusal_is_judged_on_the_upper_bound_of_the_age() -> None:
    # Answered 1.999 s after the issuing request was sent: dead before 3 s less 1 s.
    assert _ids(_short_lived().observe(_use(2, 1.9, "t1", 401, answered=1.999))) == ["RFC6749-5.1-lifetime"]
    # Answered 2.001 s after: a whole-second clock may have killed it by then.
    assert _short_lived().observe(_use(2, 1.9, "t1", 401, answered=2.001)) == []
    # Sent early enough, but the answer came late: the age could be 2.05 s, nothing to blame.
    assert _short_lived().observe(_use(2, 1.0, "t1", 401, answered=2.05)) == []


def test_an_acceptance_is_judged_on_the_lower_bound_of_the_age() -> None:
    # Sent 4.001 s after the issuing answer: alive past 3 s plus 1 s.
    late = _short_lived().observe(_use(2, 4.101, "t1", 200, answered=4.2))
    assert _ids(late) == ["RFC6749-5.1-lifetime"]
    assert "accepted at an age of 4.00-4.20 s; stated 3 s" in late[0].got
    # Sent 3.999 s after it: the server may round, or have stated lifetime - 1.
    assert _short_lived().observe(_use(2, 4.099, "t1", 200, answered=4.2)) == []


def test_the_issuing_exchange_bounds_the_age_too() -> None:
    # The same use, judged against an issuance whose answer took 0.5 s: it may be 0.5 s younger.
    assert _short_lived(answered=0.5).observe(_use(2, 4.3, "t1", 200, answered=4.35)) == []
    assert _ids(_short_lived(answered=0.1).observe(_use(2, 4.3, "t1", 200, answered=4.35))) == [
        "RFC6749-5.1-lifetime"
    ]
