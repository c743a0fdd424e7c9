"""House style: strict mypy and ruff on everything: the package, its tests and the benchmarks."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_checks_the_tests_and_benchmarks_too() -> None:
    # `mypy` with no arguments (as below, and as a developer runs it) checks what pyproject names.
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert mypy["strict"] is True and set(mypy["files"]) == {"conformance", "tests", "benchmarks"}
    assert "ignore_errors" not in mypy and "overrides" not in mypy  # no folder let off


@pytest.mark.skipif(
    shutil.which("mypy", path=str(Path(sys.executable).parent)) is None, reason="mypy not installed"
)
def test_mypy_strict() -> None:
    completed = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout


@pytest.mark.skipif(
    shutil.which("ruff", path=str(Path(sys.executable).parent)) is None, reason="ruff not installed"
)
def test_ruff() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff is not None
    completed = subprocess.run(
        [ruff, "check", "conformance", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout
