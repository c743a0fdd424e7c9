"""The recipes of docs/how-to/add-*.md hold: each is carried out in a copy of the package, by
editing only the files it names, and what it adds then works (listed, run, judged, loaded).

A recipe that needs a third file, or a module that moved, fails here before it misleads the
next person who follows it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "how-to"
RECIPE_TEST = "test_recipe_refresh_token_is_refused"


def _block(page: str, language: str = "python") -> str:
    blocks: list[str] = re.findall(
        rf"```{language}\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.S
    )
    (block,) = blocks
    return block


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The package, its schemas and its profiles, copied: what a contributor would edit."""
    for folder in ("conformance", "schemas", "profiles"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: no {old!r} to edit"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code, encoding="utf-8")


def _python(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Python with the copy first on its path (before the installed package)."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_requirement_is_one_constant_in_the_module_of_its_source(copy: Path) -> None:
    module = copy / "conformance" / "requirements" / "rfc" / "rfc9110.py"
    _edit(module, '__all__ = ["UNAUTHORIZED_CHALLENGE"]', '__all__ = ["RECIPE", "UNAUTHORIZED_CHALLENGE"]')
    _append(
        module,
        'RECIPE = register(\n    "RFC9110-15.5.2-recipe",\n    Level.SHOULD,\n    "RFC 9110 §15.5.2",\n'
        '    "A requirement added by following docs/how-to/add-requirement.md.",\n)\n',
    )
    listed = _python(copy, "-m", "conformance.cli", "requirements")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^RFC9110-15\.5\.2-recipe +SHOULD", listed.stdout, re.M)
    coverage = _python(copy, "-m", "conformance.cli", "requirements", "--coverage")
    assert coverage.returncode == 0 and "RFC9110-15.5.2-recipe" in coverage.stdout, coverage.stderr


def test_a_defect_is_one_function_in_its_area_module_and_the_suite_kills_it(copy: Path) -> None:
    example = _block("add-defect.md")
    name = re.search(r'@defect\(\s*"([\w-]+)"', example)
    assert name is not None
    _append(copy / "conformance" / "emulator" / "defects" / "response.py", example)
    listed = _python(copy, "-m", "conformance.cli", "emulate", "--list-defects")
    assert listed.returncode == 0, listed.stderr
    assert f"\n{name.group(1)}\n" in listed.stdout
    run = _python(
        copy, "-m", "conformance.cli", "run", "--profile", "tourpaq", "--emulate",
        "--defect", name.group(1), "--report-dir", str(copy / "reports"),
        "--", "-k", "test_token_response_is_as_documented", "-p", "no:cacheprovider",
    )  # fmt: skip
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr
    assert "RFC6749-5.1-token-type [MUST" in run.stdout


def test_a_scenario_is_one_test_in_the_module_of_its_area(copy: Path) -> None:
    example = _block("add-scenario.md").replace(
        "def test_unknown_refresh_token_is_refused(", f"def {RECIPE_TEST}("
    )
    area = copy / "conformance" / "scenarios" / "lifecycle"
    # The imports a scenario module of that area starts with (the recipe's test needs no others).
    header = (area / "test_refresh.py").read_text(encoding="utf-8").split("\nrequirement = ", 1)[0]
    (area / "test_recipe.py").write_text(
        f"{header}\nrequirement = pytest.mark.requirement\n\n\n{example}", encoding="utf-8"
    )
    run = _python(
        copy, "-m", "conformance.cli", "run", "--profile", "tourpaq", "--emulate",
        "--report-dir", str(copy / "reports"), "--", "-k", "test_recipe", "-p", "no:cacheprovider",
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    results = json.loads((copy / "reports" / "results.json").read_text(encoding="utf-8"))
    row = next(r for r in results["requirements"] if r["id"] == "RFC6749-6-invalid-refresh-token")
    assert row["status"] == "passed"
    assert row["tests"] == [f"conformance/scenarios/lifecycle/test_recipe.py::{RECIPE_TEST}"]


def test_a_profile_field_is_its_schema_property_and_one_dataclass_line(copy: Path) -> None:
    schema = copy / "schemas" / "profile.schema.json"
    _edit(
        schema,
        '"value": {"type": ["string", "null"], "description": "Scope sent',
        '"recipe_note": {"type": "string", "description": "A field added by the recipe."},\n'
        '        "value": {"type": ["string", "null"], "description": "Scope sent',
    )
    _edit(
        copy / "conformance" / "profile" / "model.py",
        '    scope_unknown: UnknownScope = at("scope.unknown", UNSPECIFIED)\n',
        '    scope_unknown: UnknownScope = at("scope.unknown", UNSPECIFIED)\n'
        '    scope_recipe_note: str | None = at("scope.recipe_note", None)\n',
    )
    (copy / "mine.yaml").write_text("name: mine\nextends: tourpaq\nscope:\n  recipe_note: noted\n")
    loaded = _python(
        copy,
        "-c",
        "from conformance.profile import load_profile\n"
        "print(load_profile('mine.yaml').scope_recipe_note, load_profile('tourpaq').scope_recipe_note)",
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == ["noted", "None"]
