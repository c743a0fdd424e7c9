"""tests/ mirrors conformance/: a test of conformance/X/Y.py lives in tests/X/test_Y.py.

Tests of a top-level module (conformance/report/diff.py) and cross-cutting ones (the README, static
checks, whole runs searched for secrets, served suites) stay at the top level. Two rules keep
the layout from rotting: every folder of tests is a package named after a subpackage of
conformance, and no top-level test is named after a module that lives in a subpackage.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Not tests: files the tests read, and Python's caches.
NOT_TESTS = {"data", "__pycache__"}
# The one cross-cutting folder: real servers (tests/realservers/<name>/, each with its host app),
# which the suite as a whole is run against. It mirrors no subpackage.
CROSS_CUTTING = {"realservers"}


def unmirrored_folders(tests: Path, package: Path) -> list[str]:
    """Folders of tests that are not a package named after a subpackage of `package`."""
    problems = []
    for folder in sorted(p for p in tests.rglob("*") if p.is_dir()):
        relative = folder.relative_to(tests)
        if NOT_TESTS & set(relative.parts) or relative.parts[0] in CROSS_CUTTING:
            continue
        if not (package / relative / "__init__.py").is_file():
            problems.append(f"tests/{relative.as_posix()}/: no conformance/{relative.as_posix()}/ package")
        elif not (folder / "__init__.py").is_file():
            # Without it two folders' test_x.py would be one module `test_x` to pytest.
            problems.append(f"tests/{relative.as_posix()}/: no __init__.py")
    return problems


def misplaced_tests(tests: Path, package: Path) -> list[str]:
    """Top-level tests named after a subpackage or one of its modules, and not a top-level one."""
    top_level = {p.stem for p in package.glob("*.py")}
    home: dict[str, str] = {}
    for init in sorted(package.rglob("__init__.py")):
        folder = init.parent
        if folder == package:
            continue
        where = folder.relative_to(package).as_posix()
        home.setdefault(folder.name, where)
        for module in folder.glob("*.py"):
            # A scenario module is already called test_x.py: its test is test_x.py too.
            home.setdefault(module.stem.removeprefix("test_"), where)
    problems = []
    for path in sorted(tests.glob("test_*.py")):
        name = path.stem.removeprefix("test_")
        if name in home and name not in top_level:
            problems.append(f"tests/{path.name}: belongs in tests/{home[name]}/")
    return problems


def test_every_test_folder_mirrors_a_subpackage() -> None:
    assert unmirrored_folders(ROOT / "tests", ROOT / "conformance") == []


def test_no_top_level_test_belongs_in_a_subfolder() -> None:
    assert misplaced_tests(ROOT / "tests", ROOT / "conformance") == []


def test_the_rules_catch_a_stray_folder_and_a_flat_test(tmp_path: Path) -> None:
    package, tests = tmp_path / "conformance", tmp_path / "tests"
    for folder in (package / "probe", package / "scenarios", tests / "probe", tests / "data"):
        folder.mkdir(parents=True)
    for path in (
        package / "__init__.py",
        package / "diff.py",
        package / "probe" / "__init__.py",
        package / "probe" / "learn.py",
        package / "scenarios" / "__init__.py",
        package / "scenarios" / "test_races.py",
        tests / "probe" / "__init__.py",
        tests / "probe" / "test_learn.py",
        tests / "test_diff.py",
        tests / "test_readme.py",
    ):
        path.write_text("")
    assert unmirrored_folders(tests, package) == [] and misplaced_tests(tests, package) == []
    (tests / "helpers").mkdir()
    (tests / "scenarios").mkdir()
    for path in (tests / "test_learn.py", tests / "test_probe.py", tests / "test_races.py"):
        path.write_text("")
    assert unmirrored_folders(tests, package) == [
        "tests/helpers/: no conformance/helpers/ package",
        "tests/scenarios/: no __init__.py",
    ]
    assert misplaced_tests(tests, package) == [
        "tests/test_learn.py: belongs in tests/probe/",
        "tests/test_probe.py: belongs in tests/probe/",
        "tests/test_races.py: belongs in tests/scenarios/",
    ]
