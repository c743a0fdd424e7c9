"""The CI templates in ci/ call only commands and options that exist."""

from __future__ import annotations

import argparse
import contextlib
import io
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.cli import _parser
from conformance.errors import UsageError

CI = Path(__file__).resolve().parent.parent / "ci"
TEMPLATES = ("github-actions.yml", "gitlab-ci.yml")
SHELL_OPERATORS = {"&", "&&", "||", ";", "|", "(", ")"}
REDIRECTIONS = {">", ">>", "<", "2>", ">&"}


def _scripts(document: dict[str, Any]) -> Iterator[str]:
    """Every shell script in a workflow (steps' `run`) or a GitLab file (script, before/after)."""
    jobs = document["jobs"] if "jobs" in document else document
    for job in jobs.values():
        if not isinstance(job, dict):
            continue
        for step in job.get("steps", []):
            if "run" in step:
                yield step["run"]
        for key in ("before_script", "script", "after_script"):
            yield from job.get(key, [])


def conformance_commands(script: str) -> Iterator[list[str]]:
    """The argument lists of each `conformance ...` command in one line of shell."""
    lexer = shlex.shlex(script.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words: list[str] = []
    for token in [*lexer, ";"]:
        if token in SHELL_OPERATORS:
            if words and words[0] == "conformance":
                yield words[1:]
            words = []
        elif words and words[-1] in REDIRECTIONS:
            words.pop()  # a redirection and its target are the shell's, not the command's
        elif words or token not in {"if", "then", "else", "fi", "do", "done"}:
            words.append(token)


def _commands(template: str) -> list[list[str]]:
    document = yaml.safe_load((CI / template).read_text())
    found = []
    for script in _scripts(document):
        for line in script.splitlines():
            found += list(conformance_commands(line))
    return found


def _parse(argv: list[str]) -> argparse.Namespace:
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            return _parser().parse_args(argv)
    except UsageError as error:  # the CLI's argparse errors: one line (exit 4 from main)
        pytest.fail(f"`conformance {shlex.join(argv)}`: {error}")


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_command_and_option_exists(template: str) -> None:
    commands = _commands(template)
    assert commands, "no conformance command found: the parsing of the template is wrong"
    for argv in commands:
        _parse(argv)


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_templates_cover_the_three_jobs(template: str) -> None:
    parsed = [_parse(argv) for argv in _commands(template)]
    emulated = [a for a in parsed if a.command == "emulate" or (a.command == "run" and a.emulate)]
    assert emulated, "a client's own tests against the emulator"
    staging = [a for a in parsed if a.command == "run" and a.url and a.baseline is not None]
    assert staging and all(a.yes and a.report_dir for a in staging), "a run against staging with a baseline"
    diffs = [a for a in parsed if a.command == "diff"]
    assert diffs, "a diff against the previous run"


def test_commands_are_found_through_the_shell() -> None:
    """The parsing the tests above rely on: operators, redirections, backgrounds and quotes."""
    script = (
        "conformance emulate --profile tourpaq --port 8000 & echo started\n"
        'if [ -f a ]; then conformance diff a b --format markdown >> "$GITHUB_STEP_SUMMARY"; fi'
    )
    found = [words for line in script.splitlines() for words in conformance_commands(line)]
    assert found == [
        ["emulate", "--profile", "tourpaq", "--port", "8000"],
        ["diff", "a", "b", "--format", "markdown"],
    ]
    with pytest.raises(pytest.fail.Exception, match="unrecognized arguments: --no-such-option"):
        _parse(["run", "--profile", "tourpaq", "--emulate", "--no-such-option"])
