"""The README tells the truth: its catalogue is generated, its profiles load, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.cli import requirements_markdown
from conformance.profile import load_profile

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_requirement_table_is_generated_from_the_catalogue() -> None:
    section = README.split("<!-- requirements:start", 1)[1].split("-->", 1)[1]
    table = section.split("<!-- requirements:end -->", 1)[0].strip()
    assert table == requirements_markdown().strip(), "run `conformance requirements --markdown`"


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
    from conformance.settings import LIVE_MAX_REQUESTS, LIVE_MAX_RPS

    expected = (
        f"at most {LIVE_MAX_REQUESTS} requests per run and at most {LIVE_MAX_RPS:g} requests per second"
    )
    assert expected in " ".join(README.split())
