"""The README tells the truth: its catalogue is generated, its profiles load, its commands exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.profile import load_profile
from conformance.requirements.coverage import coverage_markdown, requirements_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_requirement_table_is_generated_from_the_catalogue() -> None:
    section = README.split("<!-- requirements:start", 1)[1].split("-->", 1)[1]
    table = section.split("<!-- requirements:end -->", 1)[0].strip()
    assert table == requirements_markdown().strip(), "run `conformance requirements --markdown`"


def test_coverage_table_is_generated_from_the_catalogue() -> None:
    section = README.split("<!-- coverage:start", 1)[1].split("-->", 1)[1]
    table = section.split("<!-- coverage:end -->", 1)[0].strip()
    assert table == coverage_markdown().strip(), "run `conformance requirements --coverage`"


def test_first_two_commands() -> None:
    commands = re.search(r"```sh\n(.*?)```", README, re.S)
    assert commands is not None
    lines = [line for line in commands.group(1).splitlines() if line and not line.startswith("#")]
    assert lines[0].endswith("conformance run --profile tourpaq --emulate")
    # Both tiers, the fast one first (pyproject.toml deselects `slow` and asks for the workers).
    assert lines[1].endswith(".venv/bin/python -m pytest && .venv/bin/python -m pytest -m slow")
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "\n.venv/bin/python -m pytest && .venv/bin/python -m pytest -m slow\n" in ci


@pytest.mark.parametrize("block", re.findall(r"```yaml\n(.*?)```", README, re.S))
def test_profile_examples_load(block: str, tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(block)
    assert load_profile(str(path)).name


def test_safety_defaults_are_the_real_ones() -> None:
    from conformance.config.settings import LIVE_MAX_REQUESTS, LIVE_MAX_RPS

    expected = (
        f"at most {LIVE_MAX_REQUESTS} requests per run and at most {LIVE_MAX_RPS:g} requests per second"
    )
    assert expected in " ".join(README.split())


def _section(heading: str) -> str:
    """The text of a `## heading` section, up to the next `## ` heading."""
    return README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


USING = re.findall(r"```python\n(.*?)```", _section("Using it from Python"), re.S)


def test_using_it_from_python_shows_the_suite_the_emulator_in_process_and_served() -> None:
    assert len(USING) == 3
    assert "run_suite(" in USING[0] and "InProcessASGITransport(" in USING[1] and "serve(" in USING[2]


@pytest.mark.parametrize(
    "block",
    # The suite run (about 10 s on a loaded machine) and the served emulator belong to the slow tier.
    [pytest.param(b, marks=[pytest.mark.slow] if "run_suite(" in b or "serve(" in b else []) for b in USING],
    ids=["run_suite", "in_process", "served"][: len(USING)],
)
def test_using_it_from_python_runs_as_written(block: str, tmp_path: Path) -> None:
    # A fresh interpreter, as a reader's script: nothing of this test process leaks in, and the
    # run's reports land in the temporary directory.
    completed = subprocess.run(
        [sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_architecture_names_only_files_that_exist() -> None:
    section = _section("Architecture")
    paths = set(re.findall(r"`((?:conformance|schemas|profiles)/[\w/.*]*?)`", section))
    assert len(paths) >= 30, paths
    missing = sorted(p for p in paths if not list(ROOT.glob(p.rstrip("/"))))
    assert not missing, missing
    # The layout sketch: each name under `conformance/` is a module or package of it.
    sketch = section.split("```\n", 2)[1]
    listed = re.findall(r"^  ([\w./, ]+?)(?:  |$)", sketch.split("conformance/\n", 1)[1], re.M)
    names = {n.strip() for entry in listed for n in entry.split(",")}
    assert len(names) >= 10, names
    assert not sorted(n for n in names if not (ROOT / "conformance" / n.rstrip("/")).exists())
    # The scenario shown in a recipe is a real one.
    for name in re.findall(r"def (test_\w+)", section):
        scenarios = (ROOT / "conformance" / "scenarios").rglob("*.py")
        assert any(f"def {name}(" in p.read_text() for p in scenarios)


def test_using_it_from_python_names_every_export() -> None:
    import conformance

    section = _section("Using it from Python")
    assert not [name for name in conformance.__all__ if f"`{name}" not in section]
