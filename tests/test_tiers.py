"""The tests run in two tiers, and the project keeps the layout it was founded on.

The default `pytest` runs the fast tier; `pytest -m slow` runs the tests that start a server,
a browser or a subprocess that serves, sleep in real time, or run the self-test matrix. A run
deselects `slow` only through pyproject.toml's addopts, so these tests check the configuration
does it, that every such test carries the mark, and that no scenario does (a plain
`pytest --pyargs conformance.scenarios` from the repository reads the same addopts).
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import SuiteRun

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

# What makes a test slow, spelled as the tests spell it. A real sleep: `time.sleep(...)`,
# `anyio.sleep(...)`, `asyncio.sleep(...)`. A server: `serve(...)` (uvicorn, from
# conformance.emulator.server), anything from uvicorn, a long-lived `subprocess.Popen` (a served
# emulator, a browser) or any subprocess given the `emulate` command. The matrix: `selftest(...)`.
SLEEPERS = {"time", "anyio", "asyncio", "trio"}
SERVER_MODULES = {"conformance.emulator.server": {"serve"}, "conformance.cli.selftest": {"selftest"}}


def _is_slow_mark(node: ast.expr) -> bool:
    """`pytest.mark.slow`, called or not."""
    if isinstance(node, ast.Call):
        node = node.func
    return isinstance(node, ast.Attribute) and node.attr == "slow"


def _module_is_slow(tree: ast.Module) -> bool:
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in statement.targets
        ):
            value = statement.value
            marks = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            return any(_is_slow_mark(mark) for mark in marks)
    return False


def _serving_names(tree: ast.Module) -> set[str]:
    """Names this module imports that start a server or run the matrix."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in SERVER_MODULES:
            names |= {
                alias.asname or alias.name
                for alias in node.names
                if alias.name in SERVER_MODULES[node.module]
            }
    return names


def _slow_by_itself(function: ast.AST, serving: set[str]) -> str | None:
    """Why this function's own body (nested functions included) is slow, or None."""
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in SLEEPERS and node.attr == "sleep":
                return f"{node.value.id}.sleep"
            if node.value.id == "uvicorn":
                return "uvicorn"
            if node.value.id == "subprocess" and node.attr == "Popen":
                return "subprocess.Popen"
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in serving:
                return f"{node.func.id}(...)"
            if (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "subprocess"
                and any(
                    isinstance(c, ast.Constant) and c.value == "emulate"
                    for a in node.args
                    for c in ast.walk(a)
                )
            ):
                return "a subprocess serving an emulator"
    return None


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}


def _is_fixture(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any("fixture" in ast.unparse(d) for d in function.decorator_list)


def _uses(
    function: ast.FunctionDef | ast.AsyncFunctionDef, fixtures: set[str], helpers: set[str]
) -> set[str]:
    """What a function reaches: the fixtures it requests and the helper functions its body reads."""
    arguments = function.args
    requested = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    read = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return (requested & fixtures) | (read & helpers)


def _slow_reasons(
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], serving: set[str]
) -> dict[str, str]:
    """Each function that is slow by itself or through a function or fixture it uses."""
    reasons = {name: why for name, f in functions.items() if (why := _slow_by_itself(f, serving)) is not None}
    fixtures = {name for name, f in functions.items() if _is_fixture(f)}
    helpers = functions.keys() - fixtures
    changed = True
    while changed:
        changed = False
        for name, function in functions.items():
            if name in reasons:
                continue
            through = sorted(_uses(function, fixtures, helpers) & reasons.keys() - {name})
            if through:
                reasons[name] = f"{through[0]} ({reasons[through[0]]})"
                changed = True
    return reasons


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def unmarked_slow_tests(tests: Path) -> Iterator[str]:
    """Every test in `tests` that is slow by the rules above and carries no `slow` mark."""
    conftest = _parse(tests / "conftest.py")
    shared = _functions(conftest)
    shared_serving = _serving_names(conftest)
    for path in sorted(tests.rglob("test_*.py")):
        tree = _parse(path)
        own = _functions(tree)
        reasons = _slow_reasons({**shared, **own}, shared_serving | _serving_names(tree))
        if _module_is_slow(tree):
            continue
        for name, function in own.items():
            if not name.startswith("test_") or name not in reasons:
                continue
            if not any(_is_slow_mark(d) for d in function.decorator_list):
                yield f"{path.relative_to(tests).as_posix()}::{name}: {reasons[name]}"


def slow_tests(tests: Path) -> set[str]:
    """Every test in `tests` that carries the `slow` mark, on itself or its module."""
    marked: set[str] = set()
    for path in sorted(tests.rglob("test_*.py")):
        tree = _parse(path)
        whole = _module_is_slow(tree)
        for name, function in _functions(tree).items():
            if name.startswith("test_") and (whole or any(_is_slow_mark(d) for d in function.decorator_list)):
                marked.add(f"{path.relative_to(tests).as_posix()}::{name}")
    return marked


def _ini_options() -> dict[str, object]:
    options: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"
    ]
    return options


def test_slow_is_declared_and_the_default_run_deselects_it(pytester: pytest.Pytester) -> None:
    options = {k: v for k, v in _ini_options().items() if k != "testpaths"}
    markers = options["markers"]
    assert isinstance(markers, list) and any(str(m).startswith("slow:") for m in markers)
    # The project's own pytest configuration, in a project of one fast and one slow test.
    body = "\n".join(f"{key} = {json.dumps(value)}" for key, value in options.items())
    pytester.makepyprojecttoml(f"[tool.pytest.ini_options]\n{body}\n")
    pytester.makepyfile(
        """
        import pytest

        def test_fast():
            pass

        @pytest.mark.slow
        def test_slow():
            pass
        """
    )
    # One process here (`-n 0` replaces the addopts' workers): the outcome is the same either way.
    fast = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-v", "--strict-markers", "-n", "0")
    fast.assert_outcomes(passed=1, deselected=1)
    fast.stdout.fnmatch_lines(["*::test_fast PASSED*"])
    slow = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-v", "--strict-markers", "-n", "0", "-m", "slow"
    )
    slow.assert_outcomes(passed=1, deselected=1)
    slow.stdout.fnmatch_lines(["*::test_slow PASSED*"])


def test_in_process_runs_of_the_scenarios_inherit_neither_tier_nor_workers(
    run_suite: Callable[..., SuiteRun],
) -> None:
    # The project's addopts (`-m 'not slow'`, `-n auto`) must not reach a run of the scenarios a
    # test makes in-process: it would deselect scenarios, or split the run over workers that
    # the test's monkeypatches do not reach. A profile given by a path inside the repository is
    # what once led pytest to the project's pyproject.toml.
    run = run_suite(str(ROOT / "profiles" / "tourpaq.yaml"), "--collect-only")
    # Pinned to conformance's own pytest.ini, as `conformance run` is, whatever lies around.
    configfile = next(line for line in run.output.splitlines() if line.startswith("configfile: "))
    assert configfile.endswith("conformance/config/_pytest.ini") and f"rootdir: {ROOT}\n" not in run.output
    assert " workers\n" not in run.output and "deselected" not in run.output  # xdist: "created: 2/2 workers"
    assert "test_token_issuance.py" in run.output


def test_every_served_real_time_or_matrix_test_is_marked_slow() -> None:
    assert list(unmarked_slow_tests(TESTS)) == [], "mark these @pytest.mark.slow"


def test_the_slow_test_finder_sees_servers_sleeps_and_the_matrix(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "import pytest\n"
        "from conformance.emulator.server import serve\n"
        "@pytest.fixture\n"
        "def served():\n"
        "    with serve(None) as url:\n"
        "        yield url\n"
    )
    (tmp_path / "test_cases.py").write_text(
        "import subprocess, time\n"
        "import pytest\n"
        "from conformance.cli.selftest import selftest\n"
        "def _helper():\n"
        "    time.sleep(1)\n"
        "def test_fixture(served): pass\n"
        "def test_helper(): _helper()\n"
        "def test_matrix(): selftest()\n"
        "def test_emulate(): subprocess.run(['conformance', 'emulate'])\n"
        "@pytest.mark.slow\n"
        "def test_marked(served): pass\n"
        "def test_plain(): pass\n"
    )
    assert sorted(name.split(":")[2] for name in unmarked_slow_tests(tmp_path)) == [
        "test_emulate",
        "test_fixture",
        "test_helper",
        "test_matrix",
    ]
    (tmp_path / "test_cases.py").write_text(
        "import pytest\npytestmark = pytest.mark.slow\n" + "def test_x(served): pass\n"
    )
    assert list(unmarked_slow_tests(tmp_path)) == []


# The longest tests the finder above cannot tell from their text: whole-suite matrices run
# in-process and long property searches (figures in docs/how-to/project-tests.md). Without the mark
# each would put its seconds back into the default run.
LONGEST = (
    "scenarios/test_detects_deviations.py::test_deviation_fails_the_run",
    "scenarios/test_properties.py::test_property_layer_alone_catches",
    "scenarios/test_races.py::test_races_in_process",
    "scenarios/test_races.py::test_the_grace_variant_passes_every_layer",
    "scenarios/test_races.py::test_the_grace_variant_hides_no_defect",
    "scenarios/test_races.py::test_a_used_refresh_token_answering_its_pair_forever_fails_rotation",
    "client/test_sendable.py::test_every_generated_token_request_is_sendable",
    "test_credential_placement.py::test_real_credentials_only_where_the_profile_puts_them",
    "scenarios/test_scenarios_pass.py::test_days_out_guide_unit_contradiction_is_resolved",
    "scenarios/test_scenarios_pass.py::test_days_out_guide_in_milliseconds_also_fits",
    "cli/test_selftest.py::test_command_prints_the_matrix_and_writes_json",
    "cli/test_selftest.py::test_naming_only_variants_runs_no_defect",
)


def test_the_slow_tier_holds_the_served_browser_matrix_and_longest_tests() -> None:
    marked = slow_tests(TESTS)
    served = (
        "test_served.py::test_suite_passes_over_http_with_real_expiry",
        "test_served_expiry.py::test_real_expiry_over_http",
        "test_html_browser.py::test_failure_is_readable_in_chromium",
        "cli/test_selftest.py::test_conformant_emulator_passes_for_every_seed_profile",
    )
    assert [name for name in (*served, *LONGEST) if name not in marked] == []


def test_no_scenario_is_marked_slow() -> None:
    # The scenarios are what a user runs; deselecting one would silently drop a requirement.
    for path in sorted((ROOT / "conformance" / "scenarios").rglob("*.py")):
        tree = _parse(path)
        marks = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "slow"]
        assert not marks, f"{path.name} marks a scenario slow"


CLOCKS = {"perf_counter", "monotonic", "time", "process_time", "perf_counter_ns", "monotonic_ns"}


def _reads_a_clock(node: ast.AST, timed: set[str]) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
            if inner.value.id == "time" and inner.attr in CLOCKS:
                return True
        if isinstance(inner, ast.Name) and inner.id in timed:
            return True
    return False


def wall_clock_asserts(tests: Path) -> Iterator[str]:
    """Asserts over a reading of the wall clock, directly or through a variable set from one."""
    for path in sorted(tests.rglob("*.py")):
        for function in ast.walk(_parse(path)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            timed: set[str] = set()
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and _reads_a_clock(node.value, timed):
                    timed |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            for node in ast.walk(function):
                if isinstance(node, ast.Assert) and _reads_a_clock(node.test, timed):
                    yield f"{path.relative_to(tests).as_posix()}:{node.lineno}"


def test_no_test_asserts_a_wall_clock_time(tmp_path: Path) -> None:
    assert list(wall_clock_asserts(TESTS)) == [], "measure it in benchmarks/ instead"
    (tmp_path / "test_timed.py").write_text(
        # A made-up module for the finder above: it is written to a file, never run.
        "import time\n"
        "LIMIT = 2\n"
        "def test_timed():\n"
        "    began = time.perf_counter()\n"
        "    taken = time.perf_counter() - began\n"
        "    assert taken <= LIMIT\n"
        "    assert time.monotonic() > 0\n"
    )
    assert list(wall_clock_asserts(tmp_path)) == ["test_timed.py:6", "test_timed.py:7"]


def test_reports_folder_holds_a_readme_and_git_ignores_the_rest() -> None:
    readme = ROOT / "reports" / "README.md"
    assert "conformance run" in readme.read_text(encoding="utf-8")
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to ask git about")

    def ignored(path: str) -> bool:
        check = subprocess.run([git, "check-ignore", "-q", "--no-index", path], cwd=ROOT)
        assert check.returncode in (0, 1), check
        return check.returncode == 0

    assert not ignored("reports/README.md")
    assert ignored("reports/tourpaq/results.json") and ignored("reports/merged/overview.html")


def test_the_docs_say_how_to_run_each_tier() -> None:
    section = (ROOT / "docs" / "how-to" / "project-tests.md").read_text(encoding="utf-8")
    commands = [line.split("#")[0].strip() for line in section.splitlines() if line.startswith(".venv/")]
    assert ".venv/bin/python -m pytest" in commands  # the fast tier alone
    assert ".venv/bin/python -m pytest -m slow" in commands  # the slow tier alone
