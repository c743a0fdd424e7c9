"""The lifecycle model predicts what each profile documents, and leaves the rest open."""

from __future__ import annotations

from conformance.lifecycle import STEPS, Model, Verdict
from conformance.profile import load_profile
from conformance.requirements import provider, rfc6749, rfc9700

BODY = {"expires_in": 1799, "refresh_token": "r1"}


def test_expiry_with_the_ledger_tolerance() -> None:
    model = Model(load_profile("tourpaq"))
    held = model.issue("a1", BODY, now=0.0)
    assert model.access(held, 0.0).verdict is Verdict.ACCEPT
    assert model.access(held, 1770.0).verdict is Verdict.ACCEPT
    assert model.access(held, 1790.0).verdict is Verdict.UNJUDGED  # within 2 s + 1 % of 1799 s
    late = model.access(held, 1820.0)
    assert late.verdict is Verdict.REFUSE and late.requirement is rfc6749.LIFETIME_AS_STATED


def test_days_out_guide_units_leave_the_middle_open() -> None:
    model = Model(load_profile("daysoutguide"))
    held = model.issue("a1", {"expires_in": 86399}, now=0.0)
    assert model.access(held, 80.0).verdict is Verdict.ACCEPT  # 86.4 s, read as milliseconds
    assert model.access(held, 3600.0).verdict is Verdict.UNJUDGED
    assert model.access(held, 90000.0).verdict is Verdict.REFUSE


def test_invalidation_as_documented() -> None:
    dog = Model(load_profile("daysoutguide"))
    first = dog.issue("a1", {"expires_in": 86399}, now=0.0)
    dog.issue("a2", {"expires_in": 86399}, now=0.0)
    assert dog.access(first, 0.0).requirement is provider.INVALIDATES_EARLIER
    assert dog.access(first, 0.0).verdict is Verdict.REFUSE
    tourpaq = Model(load_profile("tourpaq"))
    one = tourpaq.issue("a1", BODY, now=0.0)
    tourpaq.issue("a2", {**BODY, "refresh_token": "r2"}, now=0.0)
    assert tourpaq.access(one, 0.0).verdict is Verdict.UNJUDGED  # the documents are silent


def test_refresh_rotation_and_reuse() -> None:
    tourpaq = Model(load_profile("tourpaq"))
    held = tourpaq.issue("a1", BODY, now=0.0)
    assert tourpaq.refresh(held, 10.0).verdict is Verdict.ACCEPT
    tourpaq.issue("a2", {**BODY, "refresh_token": "r2"}, now=10.0, via=held)
    assert held.refresh_used
    reuse = tourpaq.refresh(held, 10.0)
    assert reuse.verdict is Verdict.UNJUDGED and reuse.requirement is rfc9700.USED_REFRESH_TOKEN_REJECTED
    assert tourpaq.refresh(tourpaq.held[-1], 5000.0).verdict is Verdict.UNJUDGED  # its life is undocumented


def test_clock_steps_aim_at_the_newest_token() -> None:
    model = Model(load_profile("tourpaq"))
    model.issue("a1", BODY, now=0.0)
    seconds = {kind: model.step(kind, now=0.0)[0] for kind in STEPS}
    assert seconds["to just past its life"] > 1799 + 19.99
    assert seconds["to just inside its life"] < 1799 - 17.99
    assert model.step("to just past its life", now=2000.0)[0] == 1.0  # already past: a second
