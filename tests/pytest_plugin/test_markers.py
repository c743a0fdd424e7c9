"""The two markers: `requirement` takes catalogue requirements and nothing it cannot resolve;
`applies` skips a scenario at collection, naming the profile field's source."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import conformance.scenarios
from conformance.pytest_plugin.markers import applies
from conformance.requirements import Requirement

RUN = ("--conformance-emulate", "-p", "no:cacheprovider", "-p", "no:randomly")


@pytest.mark.parametrize(
    ("argument", "says"),
    [
        ('"RFC6749-5.1-no-such-thing"', "unknown requirement id 'RFC6749-5.1-no-such-thing'"),
        (
            'Requirement("RFC6749-5.1-json", Level.SHOULD, "made up", "a lookalike")',
            "requirement 'RFC6749-5.1-json' is not the catalogue's",
        ),
        ("rfc6749", "is not a requirement (pass those of conformance.requirements)"),
        ("42", "42 is not a requirement"),
    ],
    ids=["unknown id", "lookalike requirement", "a module", "a number"],
)
def test_a_marker_naming_no_catalogue_requirement_fails_collection(
    pytester: pytest.Pytester, argument: str, says: str
) -> None:
    pytester.makepyfile(
        test_mine=f"""
        import pytest
        from conformance.requirements import Level, Requirement
        from conformance.requirements.rfc import rfc6749

        @pytest.mark.requirement(rfc6749.SUCCESS_JSON, {argument})
        def test_typo(conformance):
            pass
        """
    )
    result = pytester.runpytest_inprocess("--conformance-profile", "tourpaq", *RUN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR: conformance:")]
    assert len(errors) == 1 and errors[0].startswith("ERROR: conformance: test_mine.py::test_typo: ")
    assert says in errors[0]


def test_requirement_objects_and_ids_tie_a_test_to_its_rows(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mine="""
        import pytest
        from conformance.requirements.rfc import rfc6749

        @pytest.mark.requirement(rfc6749.SUCCESS_JSON, "RFC6749-5.1-no-store")
        def test_mine(conformance):
            conformance.obtain_token()
        """
    )
    result = pytester.runpytest_inprocess(
        "--conformance-profile", "tourpaq", *RUN, "--conformance-report-dir", "out"
    )
    assert result.ret == 0, result.stdout.str()
    rows = {
        r["id"]: r for r in json.loads((pytester.path / "out" / "results.json").read_text())["requirements"]
    }
    for requirement_id in ("RFC6749-5.1-json", "RFC6749-5.1-no-store"):
        assert rows[requirement_id]["tests"] == ["test_mine.py::test_mine"]


SCENARIO = """
import pytest
from conformance.pytest_plugin.markers import applies

@applies(refresh=True, resource=True)
def test_refreshes(conformance):
    raise AssertionError("an inapplicable scenario ran")

@applies(client_auth=True)
@pytest.mark.parametrize("case", ["body", pytest.param("header", marks=applies(client_auth="basic"))])
def test_client(conformance, case):
    pass
"""


def _skip_reasons(pytester: pytest.Pytester, profile: str) -> dict[str, list[str]]:
    pytester.makepyfile(test_mine=SCENARIO)
    items, _ = pytester.inline_genitems("--conformance-profile", profile, *RUN)
    return {item.name: [m.kwargs["reason"] for m in item.iter_markers("skip")] for item in items}


def test_an_inapplicable_scenario_is_skipped_at_collection_naming_the_source(
    pytester: pytest.Pytester,
) -> None:
    reasons = _skip_reasons(pytester, "daysoutguide")
    # Days Out Guide documents no refresh grant and no client authentication: the first unmet
    # need gives the reason, with the document the profile cites for it.
    assert reasons["test_refreshes"] == [
        'profile daysoutguide: no refresh grant (003 §Request parameters ("Must always be set to password"))'
    ]
    no_client_auth = (
        "profile daysoutguide: no client authentication "
        "(003 §Generating an access token (three parameters, no client credentials))"
    )
    assert reasons["test_client[body]"] == reasons["test_client[header]"] == [no_client_auth]


def test_a_case_adds_its_own_need(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        body_auth="name: body-auth\nextends: tourpaq\nclient_auth:\n  style: body\n  source: our notes §2\n",
    )
    reasons = _skip_reasons(pytester, str(pytester.path / "body_auth.yaml"))
    # Clients authenticate in the body: only the case that needs a Basic header is skipped.
    assert reasons["test_client[body]"] == []
    assert reasons["test_client[header]"] == [
        "profile body-auth: clients authenticate in the body: a Basic header is a supported "
        "scheme (RFC 6749 §2.3.1)"
    ]


def test_an_applicable_scenario_runs(pytester: pytest.Pytester) -> None:
    assert _skip_reasons(pytester, "tourpaq") == {
        "test_refreshes": [],
        "test_client[body]": [],
        "test_client[header]": [],
    }


def test_the_skip_reaches_the_results_as_the_requirement_s_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mine="""
        import pytest
        from conformance.pytest_plugin.markers import applies
        from conformance.requirements.rfc import rfc6749

        @pytest.mark.requirement(rfc6749.REFRESH_WORKS)
        @applies(refresh=True)
        def test_refresh(conformance):
            raise AssertionError("an inapplicable scenario ran")
        """
    )
    result = pytester.runpytest_inprocess(
        "--conformance-profile", "rfc6749", *RUN, "--conformance-report-dir", "out", "-rs"
    )
    result.assert_outcomes(skipped=1)
    reason = (
        "profile rfc6749: grants.refresh_token is unspecified (rfc6749 §4.3, §6): the documentation is silent"
    )
    assert reason in result.stdout.str()
    rows = {
        r["id"]: r for r in json.loads((pytester.path / "out" / "results.json").read_text())["requirements"]
    }
    assert (rows["RFC6749-6-refresh"]["status"], rows["RFC6749-6-refresh"]["message"]) == ("skipped", reason)


def test_a_need_nobody_declared_fails(pytester: pytest.Pytester) -> None:
    with pytest.raises(TypeError):
        applies(refresh_grant=True)
    pytester.makepyfile(
        test_mine="""
        import pytest

        @pytest.mark.applies(refersh=True)
        def test_typo(conformance):
            pass
        """
    )
    result = pytester.runpytest_inprocess("--conformance-profile", "tourpaq", *RUN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "test_mine.py::test_typo: its applies marker names no known need (refersh)" in result.stderr.str()


def test_every_scenario_names_catalogue_requirements_as_objects(pytester: pytest.Pytester) -> None:
    """The scenarios name requirements by their constants: a mistyped name fails at import."""
    items, _ = pytester.inline_genitems(
        "--pyargs", "conformance.scenarios", "--conformance-profile", "tourpaq", *RUN
    )
    assert len(items) > 30
    for item in items:
        values = [value for marker in item.iter_markers("requirement") for value in marker.args]
        assert values and all(isinstance(value, Requirement) for value in values), item.nodeid


def _profile_conditions(tree: ast.AST) -> list[str]:
    """The `conformance.requires(...)` calls whose condition reads the profile or the target."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "requires"
        ):
            condition = ast.unparse(node.args[0]) if node.args else ""
            if any(word in condition for word in ("profile", "refresh.", "resource_path", "client_auth")):
                found.append(condition)
    return found


def test_scenarios_declare_what_they_need_instead_of_checking_inline() -> None:
    """What a scenario needs of the profile is an @applies marker, judged at collection: a skip
    inside the test would come after its set-up, and reads as a branch, not a declaration."""
    scenarios = Path(conformance.scenarios.__file__).parent
    inline = {
        path.name: _profile_conditions(ast.parse(path.read_text()))
        for path in sorted(scenarios.rglob("*.py"))
    }
    assert {name: found for name, found in inline.items() if found} == {}
    # The check itself sees an inline one.
    assert _profile_conditions(ast.parse("conformance.requires(profile.grant_password is True, 'no')"))


def test_a_need_is_declared_once_and_applies_takes_it_as_declared() -> None:
    from conformance.pytest_plugin.markers import NEEDS, applies

    # The documentation of `applies` is made of the needs' own lines, in the order they are judged.
    assert applies.__doc__ is not None
    listed = re.findall(r"^    (\w+): ", applies.__doc__, re.M)
    assert listed == list(NEEDS) and all(need.doc for need in NEEDS.values())
    with pytest.raises(
        TypeError, match=r"no need 'refersh'; did you mean 'refresh'\? \(the needs: refresh, "
    ):
        applies(refersh=True)
    with pytest.raises(
        ValueError, match=r"scope_unknown='accepted'\): scope_unknown takes 'refused' or 'ignored'"
    ):
        applies(scope_unknown="accepted")
    with pytest.raises(ValueError, match="takes a whole number"):
        applies(scope_values=True)
    with pytest.raises(ValueError, match="takes True"):
        applies(resource=1)
    assert applies(scope_values=2, refresh=False).kwargs == {"scope_values": 2, "refresh": False}
