"""One cause, one block: the terminal shows a deviation once, however many tests show it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from tests.conftest import SuiteRun

SEVERAL = "test_token_response_is_as_documented or test_refresh_returns_a_new_pair or test_properties"


def test_a_deviation_shown_by_many_tests_is_one_block_in_the_terminal(
    run_suite: Callable[..., SuiteRun],
) -> None:
    run = run_suite("tourpaq", "--conformance-defect", "expires-in-string", "-k", SEVERAL, reports=True)
    assert run.ret == 1, run.output
    failures = run.output.split("= FAILURES =", 1)[1].split("short test summary info", 1)[0]
    failed = re.findall(r"^FAILED (\S+)", run.output, re.MULTILINE)
    assert len(failed) >= 4
    # The finding once, with its exchange and how many other tests show it.
    assert failures.count("got:      expires_in is '1799' (str)") == 1
    assert f"RFC6749-5.1-expires-in: also seen in {len(failed) - 1} other tests" in failures
    assert failures.count("- conformance: the exchange") == 1  # the finding's exchanges, not the test's
    # Every other test: a line that points back, no exchanges of its own.
    pointer = "RFC6749-5.1-expires-in: the cause shown above, by "
    assert failures.count(pointer) == len(failed) - 1
    assert "conformance exchanges" not in failures
    # The reports keep every finding of every test.
    junit = ET.parse(run.report_dir / "junit.xml").getroot()
    texts = [f.text or "" for f in junit.iter("failure")]
    assert len(texts) == len(failed)
    assert all("expires_in is '1799' (str)" in text for text in texts)
