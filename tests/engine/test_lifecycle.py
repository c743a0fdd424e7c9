"""The lifecycle model predicts what each profile documents, and leaves the rest open."""

from __future__ import annotations

from conformance.engine.lifecycle import STEPS, Model, Verdict
from conformance.engine.liveness import Span
from conformance.profile import load_profile
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749, rfc9700

BODY = {"expires_in": 1799, "refresh_token": "r1"}
AT_0 = Span.at(0.0)


def test_expiry_by_the_liveness_rules() -> None:
    model = Model(load_profile("tourpaq"))
    held = model.issue("a1", BODY, AT_0)
    assert model.access(held, AT_0).verdict is Verdict.ACCEPT
    assert model.access(held, Span.at(1797.9)).verdict is Verdict.ACCEPT
    assert model.access(held, Span.at(1798.0)).verdict is Verdict.UNJUDGED  # a whole-second clock
    assert model.access(held, Span.at(1800.0)).verdict is Verdict.UNJUDGED  # expires_in = lifetime - 1
    late = model.access(held, Span.at(1800.1))
    assert late.verdict is Verdict.REFUSE and late.requirement is rfc6749.LIFETIME_AS_STATED
    assert "1 s allowed for whole-second clocks" in late.why


def test_the_span_of_the_call_is_judged_not_a_moment() -> None:
    model = Model(load_profile("tourpaq"))
    held = model.issue("a1", BODY, Span(0.0, 0.5))
    # A call sent at 1797.5 and answered at 1798.2: it may have reached the server at 1798.2 s.
    assert model.access(held, Span(1797.5, 1798.2)).verdict is Verdict.UNJUDGED
    assert model.access(held, Span(1797.5, 1797.6)).verdict is Verdict.ACCEPT
    # Sent 1799.9 s after the token's answer: it may be that young, within 1799 s plus 1 s.
    assert model.access(held, Span(1800.4, 1800.7)).verdict is Verdict.UNJUDGED
    # Sent 1800.1 s after it: past 1799 s plus 1 s, however fast the server.
    assert model.access(held, Span(1800.6, 1800.7)).verdict is Verdict.REFUSE


def test_days_out_guide_units_leave_the_middle_open() -> None:
    model = Model(load_profile("daysoutguide"))
    held = model.issue("a1", {"expires_in": 86399}, AT_0)
    assert model.access(held, Span.at(80.0)).verdict is Verdict.ACCEPT  # 86.4 s, read as milliseconds
    assert model.access(held, Span.at(3600.0)).verdict is Verdict.UNJUDGED
    assert model.access(held, Span.at(90000.0)).verdict is Verdict.REFUSE


def test_invalidation_as_documented() -> None:
    dog = Model(load_profile("daysoutguide"))
    first = dog.issue("a1", {"expires_in": 86399}, AT_0)
    dog.issue("a2", {"expires_in": 86399}, AT_0)
    assert dog.access(first, AT_0).requirement is provider.INVALIDATES_EARLIER
    assert dog.access(first, AT_0).verdict is Verdict.REFUSE
    tourpaq = Model(load_profile("tourpaq"))
    one = tourpaq.issue("a1", BODY, AT_0)
    tourpaq.issue("a2", {**BODY, "refresh_token": "r2"}, AT_0)
    assert tourpaq.access(one, AT_0).verdict is Verdict.UNJUDGED  # the documents are silent


def test_refresh_rotation_and_reuse() -> None:
    tourpaq = Model(load_profile("tourpaq"))
    held = tourpaq.issue("a1", BODY, AT_0)
    assert tourpaq.refresh(held, Span.at(10.0)).verdict is Verdict.ACCEPT
    tourpaq.issue("a2", {**BODY, "refresh_token": "r2"}, Span.at(10.0), via=held)
    assert held.refresh_used
    reuse = tourpaq.refresh(held, Span.at(10.0))
    assert reuse.verdict is Verdict.UNJUDGED and reuse.requirement is rfc9700.USED_REFRESH_TOKEN_REJECTED
    newest = tourpaq.held[-1]
    assert tourpaq.refresh(newest, Span.at(5000.0)).verdict is Verdict.UNJUDGED  # its life is undocumented


def test_clock_steps_aim_at_the_newest_token() -> None:
    model = Model(load_profile("tourpaq"))
    model.issue("a1", BODY, Span(0.0, 0.5))
    seconds = {kind: model.step(kind, now=0.5)[0] for kind in STEPS}
    # Past: even its youngest age (from the answer at 0.5) a second beyond 1799 s plus 1 s.
    assert seconds["to just past its life"] == 1799 + 1 + 1
    # Inside: even its oldest age (from the request at 0) a second short of 1799 s less 1 s.
    assert seconds["to just inside its life"] == 1799 - 1 - 1 - 0.5
    assert model.step("to just past its life", now=2000.0)[0] == 1.0  # already past: a second
