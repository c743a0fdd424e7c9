"""The documentation tells the truth: it builds, its generated pages are current, its examples run.

The pages under docs/ are built by MkDocs (`mkdocs build --strict`: a broken link or anchor, or
a page left out of the navigation, fails); each generated block is what `python docs/generate.py`
makes of its source; the command-line reference names every option of every command; the paths
the pages name exist; their profiles load and their Python runs.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conformance.profile import load_profile

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = {p.relative_to(DOCS).as_posix(): p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.md"))}
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _generator() -> ModuleType:
    """docs/generate.py, a script rather than a module of the package."""
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


GENERATE = _generator()


# -- the site -----------------------------------------------------------------------------------
def test_the_site_builds_strictly(tmp_path: Path) -> None:
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        pytest.skip("mkdocs and mkdocs-material are not installed (pip install -e '.[dev]')")
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml")]
        + ["--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (tmp_path / "site" / "reference" / "cli" / "index.html").is_file()


def test_code_fences_are_ones_the_site_renders() -> None:
    # Python-Markdown drops a fence whose info string it cannot read (```yaml baseline), and
    # swallows the page below it; name a block with a title instead (```yaml title="...").
    opener = re.compile(r'```(?:[\w+-]+(?: title="[^"]+")?)?')
    bad = [
        f"docs/{name}:{number}: {line.strip()}"
        for name, text in PAGES.items()
        for number, line in enumerate(text.splitlines(), 1)
        if line.lstrip().startswith("```") and not opener.fullmatch(line.strip())
    ]
    assert not bad, bad


# -- generated pages ----------------------------------------------------------------------------
@pytest.mark.parametrize("block", GENERATE.BLOCKS, ids=[b.name for b in GENERATE.BLOCKS])
def test_generated_block_is_current(block: Any) -> None:
    content = block.make().strip("\n")
    stale = f"docs/{block.page} is stale: run `python docs/generate.py`"
    assert block.written() == content, stale
    assert block.is_current(content), stale


def test_the_generator_rewrites_a_stale_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.md"
    page.write_text("# A page\n\n<!-- fields:start -->\nold\n<!-- fields:end -->\n\nafter\n")
    monkeypatch.setattr(GENERATE, "DOCS", tmp_path)
    block = GENERATE.Block("page.md", "fields", "`a source`", lambda: "| new |")
    assert block.written() == "old" and not block.is_current("| new |")
    block.rewrite("| new |")
    assert block.is_current("| new |")
    text = page.read_text()
    assert text.startswith("# A page\n\n<!-- fields:start: generated from `a source` by `python docs/gen")
    assert text.endswith("| new |\n<!-- fields:end -->\n\nafter\n")


def test_the_profile_fields_name_every_field_of_the_schema() -> None:
    table = GENERATE.profile_fields()
    for field in ("name", "client_auth.methods", "scope.unknown", "resource.rejection.status"):
        assert f"| `{field}` |" in table, field
    # The value every profile inherits, where rfc6749 sets one.
    assert "| `parameters.location` | `body` \\| `query` | `body` |" in table


# -- the command-line reference -----------------------------------------------------------------
def _help(*args: str) -> str:
    from conformance.cli import main

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            main([*args, "--help"])
    except SystemExit as exited:
        assert exited.code == 0, exited
    return out.getvalue()


COMMANDS = re.findall(r"^    (\w+)", _help().split("positional arguments:", 1)[1], re.M)


def test_every_command_is_in_the_reference() -> None:
    assert len(COMMANDS) >= 10, COMMANDS
    sections = re.findall(r"^## conformance (\w+)$", PAGES["reference/cli.md"], re.M)
    assert sorted(sections) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_the_reference_names_every_option(command: str) -> None:
    section = PAGES["reference/cli.md"].split(f"\n## conformance {command}\n", 1)[1].split("\n## ", 1)[0]
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", _help(command))) - {"--help"}
    missing = sorted(o for o in options if not re.search(re.escape(o) + r"(?![\w-])", section))
    assert not missing, f"docs/reference/cli.md, `conformance {command}`: {missing}"


# -- paths the pages name -----------------------------------------------------------------------


def _exists(path: str) -> bool:
    return any(ROOT.glob(path.rstrip("/")))


NAMED = re.compile(r"`((?:conformance|schemas|profiles|tests|benchmarks|ci|docs)/[\w/.*-]*)`")


@pytest.mark.parametrize("name", ["README.md", *(f"docs/{p}" for p in PAGES)])
def test_paths_the_pages_name_exist(name: str) -> None:
    text = README if name == "README.md" else PAGES[name.removeprefix("docs/")]
    paths = {p for p in NAMED.findall(text) if "/X/" not in p}  # the `tests/X/test_Y.py` rule
    assert not sorted(p for p in paths if not _exists(p))


def test_the_architecture_sketch_names_only_what_exists() -> None:
    page = PAGES["explanation/architecture.md"]
    sketch = page.split("```\n", 2)[1]
    listed = re.findall(r"^  ([\w./, ]+?)(?:  |$)", sketch.split("conformance/\n", 1)[1], re.M)
    names = {n.strip() for entry in listed for n in entry.split(",")}
    assert len(names) >= 15, names
    assert not sorted(n for n in names if not _exists(f"conformance/{n}"))
    owners = set(NAMED.findall(page.split("```", 2)[2]))
    assert len(owners) >= 30, owners


def test_the_scenario_recipe_is_a_real_scenario() -> None:
    (block,) = re.findall(r"```python\n(.*?)```", PAGES["how-to/add-scenario.md"], re.S)
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "conformance" / "scenarios").rglob("*.py")]
    assert any(block in source for source in sources), "the recipe differs from the scenario it quotes"


# -- examples -----------------------------------------------------------------------------------
PROFILES = [
    pytest.param(block, id=f"{name}-{i}")
    for name, text in PAGES.items()
    for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S))
]


@pytest.mark.parametrize("block", PROFILES)
def test_profile_examples_load(block: str, tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(block)
    assert load_profile(str(path)).name


def test_safety_defaults_are_the_real_ones() -> None:
    from conformance.config.settings import LIVE_MAX_REQUESTS, LIVE_MAX_RPS

    expected = (
        f"at most {LIVE_MAX_REQUESTS} requests per run and at most {LIVE_MAX_RPS:g} requests per second"
    )
    assert expected in " ".join(PAGES["explanation/safety.md"].split())
    assert expected in " ".join(README.split())


USING = re.findall(r"```python\n(.*?)```", PAGES["how-to/python.md"], re.S)


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


def test_using_it_from_python_names_every_export() -> None:
    import conformance

    page = PAGES["how-to/python.md"]
    assert not [name for name in conformance.__all__ if f"`{name}" not in page]
