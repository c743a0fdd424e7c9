"""The README is what a newcomer reads first: short, its two commands first, the rest linked.

Everything else is in docs/, checked by tests/test_docs.py; the README's examples are the docs'
own (the client-assumptions profile is the tutorial's, which a slow test runs).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def test_first_two_commands() -> None:
    commands = re.search(r"```sh\n(.*?)```", README, re.S)
    assert commands is not None
    lines = [line for line in commands.group(1).splitlines() if line and not line.startswith("#")]
    assert lines[0].endswith("conformance run --profile tourpaq --emulate")
    # Both tiers, the fast one first (pyproject.toml deselects `slow` and asks for the workers).
    assert lines[1].endswith(".venv/bin/python -m pytest && .venv/bin/python -m pytest -m slow")
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "\n.venv/bin/python -m pytest && .venv/bin/python -m pytest -m slow\n" in ci


def test_the_readme_is_short() -> None:
    assert len(README.splitlines()) < 250


def test_the_readme_links_every_page_of_the_docs() -> None:
    links = set(re.findall(r"\]\((docs/[\w/.-]+\.md)(?:#[\w-]+)?\)", README))
    assert not sorted(link for link in links if not (ROOT / link).is_file())
    pages = {p.relative_to(ROOT).as_posix() for p in DOCS.rglob("*.md")}
    assert not sorted(pages - links), "pages the README does not link"


def test_the_readme_shows_the_three_uses_with_an_example_each() -> None:
    uses = re.split(r"\n### \d\. ", README.split("\n## What it is for\n", 1)[1].split("\n## ", 1)[0])[1:]
    assert len(uses) == 3
    assert all("```" in use for use in uses)


def test_the_readme_profile_is_the_tutorials() -> None:
    # The tutorial's profile is the one tests/test_client_assumptions.py runs.
    tutorial = (DOCS / "tutorials" / "client-assumptions.md").read_text(encoding="utf-8")
    shown = re.findall(r"```yaml\n(.*?)```", README, re.S)
    assert shown == re.findall(r"```yaml\n(.*?)```", tutorial, re.S)[:1]
