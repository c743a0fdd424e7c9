"""The unit of expires_in from a watched token: pure judgement, no waiting."""

from __future__ import annotations

import pytest

from conformance.engine.liveness import ALLOWANCE
from conformance.probe.lifetime import Watch, judge, schedule


def test_days_out_guide_case_seconds_not_milliseconds() -> None:
    # expires_in 2 on a 3-second token: as milliseconds it would be dead long before 2.5 s.
    reading = judge(2, Watch(last_accepted=2.52, first_refused=3.37, waited=3.37, polls=10))
    assert (reading.unit, reading.verified, reading.alternatives) == ("seconds", True, ())
    assert reading.nominal == 3
    assert "milliseconds (0.002 s) ruled out: still accepted at 2.52 s" in reading.how


def test_milliseconds_when_the_token_dies_at_expires_in_thousandths() -> None:
    reading = judge(1799000, Watch(last_accepted=1779.0, first_refused=1819.0, waited=1819.0, polls=14))
    assert (reading.unit, reading.verified) == ("milliseconds", True)
    assert reading.nominal == 1799
    assert "seconds" in reading.how and "already refused at 1819.00 s" in reading.how


def test_outliving_the_wait_rules_out_only_what_it_can() -> None:
    # Tourpaq on a live server with a 60 s wait: milliseconds (1.8 s) are ruled out, seconds not
    # observed; the lifetime comes from expires_in.
    reading = judge(1799, Watch(last_accepted=60.0, first_refused=None, waited=60.0, polls=14))
    assert (reading.unit, reading.verified, reading.nominal) == ("seconds", True, 1799)
    assert "not observed to run out" in reading.nominal_how


def test_both_readings_beyond_the_wait_stay_unverified() -> None:
    reading = judge(86399, Watch(last_accepted=60.0, first_refused=None, waited=60.0, polls=14))
    assert (reading.unit, reading.verified, reading.alternatives) == ("seconds", False, ("milliseconds",))
    assert reading.how.startswith("UNDECIDED")


def test_not_watched_is_recorded_as_unverified() -> None:
    reading = judge(86399, None, "--expiry-wait is 0")
    assert (reading.unit, reading.verified, reading.alternatives) == ("seconds", False, ("milliseconds",))
    assert reading.how.startswith("UNVERIFIED") and "--expiry-wait is 0" in reading.how
    assert reading.nominal == 86399


def test_neither_reading_fits() -> None:
    # Stated 1799 but dead after about 900 s: the suite will report it; the closer reading is written.
    reading = judge(1799, Watch(last_accepted=880.0, first_refused=920.0, waited=920.0, polls=14))
    assert (reading.unit, reading.verified) == ("seconds", False)
    assert reading.how.startswith("NEITHER READING FITS")
    assert reading.nominal == 900


@pytest.mark.parametrize("expires_in", [None, "1799", 0, True])
def test_no_usable_expires_in(expires_in: object) -> None:
    reading = judge(expires_in, Watch(last_accepted=2.0, first_refused=3.0, waited=3.0, polls=5))
    assert (reading.unit, reading.verified, reading.nominal) == ("seconds", False, 2)


def test_schedule_probes_just_inside_and_just_outside_each_readings_tolerance() -> None:
    ages = schedule(1799, 2000, 14)
    assert ages == sorted(ages) and len(ages) <= 14 and ages[-1] <= 2000
    slack = ALLOWANCE
    assert any(1799 - slack - 0.1 < a < 1799 - slack for a in ages)
    assert any(1799 + slack < a < 1799 + slack + 0.1 for a in ages)
    assert all(b - a >= 0.09 for a, b in zip(ages, ages[1:], strict=False))


def test_schedule_respects_wait_and_polls() -> None:
    assert schedule(2, 0, 10) == []
    assert schedule(2, 6, 0) == []
    assert len(schedule(2, 6, 4)) == 4
    assert max(schedule(86399, 60, 14)) == 60
