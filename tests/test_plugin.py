"""The plugin, from the outside (pytester): quiet when not asked, complete when asked."""

from __future__ import annotations

import json

import pytest

from conformance.config.arguments import suite_argv


def test_plugin_stays_out_of_the_way(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_unrelated():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=1)
    assert "conformance:" not in result.stdout.str()
    assert "conformance summary" not in result.stdout.str()


def test_options_are_listed_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--help")
    out = result.stdout.str()
    for option in (
        "--conformance-profile",
        "--conformance-url",
        "--conformance-emulate",
        "--conformance-resource-path",
        "--conformance-expiry-wait",
        "--conformance-report-dir",
    ):
        assert option in out


def test_ini_keys_configure_a_run(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nconformance_profile = daysoutguide\nconformance_emulate = true\n"
        "conformance_report_dir = out\n"
    )
    result = pytester.runpytest_inprocess("--pyargs", "conformance.scenarios", "-p", "no:cacheprovider")
    assert result.ret == 0
    assert "conformance: profile daysoutguide" in result.stdout.str()
    results = json.loads((pytester.path / "out" / "results.json").read_text())
    assert results["profile"] == "daysoutguide"


def test_both_targets_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--conformance-profile", "tourpaq", "--conformance-emulate", "--conformance-url", "http://x"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "either --conformance-url or --conformance-emulate" in result.stderr.str()


def test_marker_ties_tests_to_requirements(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from conformance.checks.expectations import expect_refused
        from conformance.requirements.rfc import rfc6749

        @pytest.mark.requirement(rfc6749.WRONG_CREDENTIALS.id)
        def test_my_own_scenario(conformance):
            exchange = conformance.client.password_grant("token: my wrong password", password="nope")
            conformance.expect(expect_refused(exchange, rfc6749.WRONG_CREDENTIALS, {"invalid_grant"}, "x"))
        """
    )
    result = pytester.runpytest_inprocess(
        "--conformance-profile",
        "tourpaq",
        "--conformance-emulate",
        "--conformance-report-dir",
        "out",
        "--strict-markers",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=1)
    rows = json.loads((pytester.path / "out" / "results.json").read_text())["requirements"]
    row = next(r for r in rows if r["id"] == "RFC6749-4.3-invalid-grant")
    assert row["status"] == "passed" and row["tests"] == [
        "test_marker_ties_tests_to_requirements.py::test_my_own_scenario"
    ]


def test_should_level_findings_warn_without_failing(pytester: pytest.Pytester) -> None:
    argv = suite_argv({"profile": "daysoutguide", "emulate": True}, extra=["--junitxml", "junit.xml"])
    result = pytester.runpytest_inprocess(*argv)
    assert result.ret == 0
    out = result.stdout.str()
    assert "conformance warnings (SHOULD / INFO" in out
    assert "RFC6750-5.3-short-lived [SHOULD, RFC 6750 §5.3]" in out
    junit = (pytester.path / "junit.xml").read_text()
    assert "RFC6750-5.3-short-lived" in junit  # the warning section travels with the test


def test_skips_carry_the_profile_reason(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(*suite_argv({"profile": "tourpaq", "emulate": True}, extra=["-rs"]))
    out = result.stdout.str()
    assert (
        "profile tourpaq: invalidation.new_token_invalidates_earlier is unspecified (000, 001 (silent))"
        in out
    )


def test_html_report_names_profile_and_verdicts(pytester: pytest.Pytester) -> None:
    html = ["--html", "report.html", "--self-contained-html"]
    result = pytester.runpytest_inprocess(*suite_argv({"profile": "tourpaq", "emulate": True}, extra=html))
    assert result.ret == 0
    page = (pytester.path / "report.html").read_text()
    assert "Conformance: Tourpaq Export API against http://emulator.conformance" in page
    assert "Requirement verdicts" in page and "RFC6749-5.1-no-store" in page
