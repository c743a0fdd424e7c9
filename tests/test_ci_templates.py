"""The CI templates in ci/ call only commands and options that exist, and every job of both runs
green as written: its install steps in a fresh virtual environment, against served emulators."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shlex
import shutil
import socket
import string
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from conformance.cli import build_parser
from conformance.client import ClientCredentials, Credentials
from conformance.clock import SystemClock
from conformance.emulator import Emulator
from conformance.emulator.server import serve
from conformance.errors import UsageError
from conformance.profile import load_profile
from tests.ci_jobs import GithubRunner, GitlabRunner, JobOutcome, declared_scripts

CI = Path(__file__).resolve().parent.parent / "ci"
TEMPLATES = ("github-actions.yml", "gitlab-ci.yml")
SHELL_OPERATORS = {"&", "&&", "||", ";", "|", "(", ")"}
REDIRECTIONS = {">", ">>", "<", "2>", ">&"}


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
        elif token in REDIRECTIONS and words and words[-1] in {"0", "1", "2"}:
            words[-1] = token  # `2>&1`: the descriptor belongs to the redirection
        elif words or token not in {"if", "then", "else", "fi", "do", "done"}:
            words.append(token)


def _commands(template: str) -> list[list[str]]:
    """Each `conformance` command of a template, its variables as the template declares them
    (`--port "$EMULATOR_PORT"` is `--port 8000`) and GitHub's expressions as a placeholder."""
    document = yaml.safe_load((CI / template).read_text())
    found = []
    for script, declared in declared_scripts(document):
        values = {k: re.sub(r"\$\{\{.*?\}\}", "x", str(v)) for k, v in declared.items()}
        for line in re.sub(r"\$\{\{.*?\}\}", "x", script).splitlines():
            found += [
                [string.Template(w).safe_substitute(values) for w in argv]
                for argv in conformance_commands(line)
            ]
    return found


def _parse(argv: list[str]) -> argparse.Namespace:
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            return build_parser().parse_args(argv)
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
        "conformance emulate --profile tourpaq --port 8000 > emulator.log 2>&1 & echo started\n"
        'if [ -f a ]; then conformance diff a b --format markdown >> "$GITHUB_STEP_SUMMARY"; fi'
    )
    found = [words for line in script.splitlines() for words in conformance_commands(line)]
    assert found == [
        ["emulate", "--profile", "tourpaq", "--port", "8000"],
        ["diff", "a", "b", "--format", "markdown"],
    ]
    with pytest.raises(pytest.fail.Exception, match="unrecognized arguments: --no-such-option"):
        _parse(["run", "--profile", "tourpaq", "--emulate", "--no-such-option"])


# -- every job, run as written ---------------------------------------------------------------

# A client's own test, as the templates' "your client's own tests" step runs it.
CLIENT_TEST = """
import os

import httpx


def test_the_provider_issues_a_token():
    answer = httpx.post(
        os.environ["TOURPAQ_BASE_URL"] + "/api/token",
        auth=(os.environ["CONFORMANCE_CLIENT_ID"], os.environ["CONFORMANCE_CLIENT_SECRET"]),
        data={"grant_type": "password", "scope": "read",
              "username": os.environ["CONFORMANCE_USERNAME"], "password": os.environ["CONFORMANCE_PASSWORD"]},
    )
    assert answer.status_code == 200 and answer.json()["access_token"]
"""
ROOT = CI.parent
# What a team's repository holds: the suite under vendor/conformance (CONFORMANCE_SOURCE), the
# templates' companions at its root, and a client with its own test.
SOURCE = ("pyproject.toml", "README.md", "conformance", "profiles", "schemas")
STAGING = {"CONFORMANCE_CLIENT_ID": "staging-client", "CONFORMANCE_CLIENT_SECRET": "staging-secret-7Qw"}
STAGING |= {"CONFORMANCE_USERNAME": "staging-user", "CONFORMANCE_PASSWORD": "staging-password-3Rt"}


@pytest.fixture(scope="module")
def runner_env(tmp_path_factory: pytest.TempPathFactory, checkout: Path) -> dict[str, str]:
    """A runner's environment: a fresh virtual environment first on PATH, nothing installed in it.
    Each job's own install steps install the suite (`pip install "$CONFORMANCE_SOURCE"`: no extra,
    so `--jobs` must work without `[dev]`). The jobs share the environment, as one job's steps
    do: the first installs, the others find it satisfied. CONFORMANCE_SOURCE names a wheel of the
    vendored checkout, built once (the templates take a wheel, a checkout or a git URL): a
    checkout would be built again by every job's install."""
    runner = tmp_path_factory.mktemp("runner")
    subprocess.run([sys.executable, "-m", "venv", str(runner / "venv")], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(runner / "wheels"),
            "./vendor/conformance",
        ],
        cwd=checkout,
        check=True,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFORMANCE_", "VIRTUAL_ENV", "PYTEST"))}
    env["PATH"] = os.pathsep.join([str(runner / "venv" / "bin"), env.get("PATH", "")])
    env["CONFORMANCE_SOURCE"] = str(next((runner / "wheels").glob("conformance-*.whl")))
    return env


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("checkout")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    vendored = root / "vendor" / "conformance"
    vendored.mkdir(parents=True)
    for name in SOURCE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, vendored / name, ignore=ignore)
        else:
            shutil.copy2(source, vendored / name)
    shutil.copy2(CI / "my-client.yaml", root / "my-client.yaml")
    shutil.copy2(CI / "conformance-baseline.yaml", root / "conformance-baseline.yaml")
    (root / "requirements.txt").write_text("httpx\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_client.py").write_text(CLIENT_TEST)
    return root


@contextmanager
def _staging(defects: tuple[str, ...] = ()) -> Iterator[str]:
    """A deployment, served on this machine: the Tourpaq emulator with the staging credentials."""
    client = ClientCredentials(STAGING["CONFORMANCE_CLIENT_ID"], STAGING["CONFORMANCE_CLIENT_SECRET"])
    credentials = Credentials(client, STAGING["CONFORMANCE_USERNAME"], STAGING["CONFORMANCE_PASSWORD"])
    emulator = Emulator(
        load_profile("tourpaq"),
        clock=SystemClock(show_countdown=False),
        credentials=credentials,
        defects=defects,
    )
    with serve(emulator.app) as url:
        yield url


def _overrides(runner_env: dict[str, str]) -> dict[str, str]:
    """What the repository changes of the templates' declared values: where its suite is, and a
    free port for the emulator (8000 may be taken on this machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    return {"CONFORMANCE_SOURCE": runner_env["CONFORMANCE_SOURCE"], "EMULATOR_PORT": port}


def _failures(outcomes: dict[str, JobOutcome]) -> str:
    return "\n\n".join(
        f"== {n}: {o.result}\n{o.log[-4000:]}" for n, o in outcomes.items() if o.result == "failure"
    )


@pytest.mark.slow
def test_every_github_job_runs_green_as_written(
    runner_env: dict[str, str], checkout: Path, tmp_path: Path
) -> None:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text())
    secrets = dict(STAGING)
    push = GithubRunner(workflow, checkout, tmp_path, runner_env, "push", overrides=_overrides(runner_env))
    pushed = push.run()
    assert pushed["client-against-emulator"].result == "success", _failures(pushed)
    assert {n for n, o in pushed.items() if o.result == "skipped"} == {"staging", "deployments", "overview"}
    assumptions = pushed["client-against-emulator"].workspace
    assert assumptions is not None and (assumptions / "reports/assumptions/results.json").is_file()

    with _staging() as url:

        def night(run_id: int, only: set[str] | None = None) -> dict[str, JobOutcome]:
            environments = {d: {"vars": {"DEPLOYMENT_URL": url}} for d in ("eu-west", "us-east", "ap-south")}
            runner = GithubRunner(
                workflow, checkout, tmp_path, runner_env, "schedule", vars={"STAGING_URL": url},
                secrets=secrets, environments=environments, run_id=run_id, overrides=_overrides(runner_env),
            )  # fmt: skip
            return runner.run(only)

        nightly = ("staging", "deployments", "overview")
        first = night(1)
        assert first["client-against-emulator"].result == "skipped"
        assert all(first[n].result == "success" for n in nightly), _failures(first)
        # The next night compares with this one: the cache brought its results back.
        second = night(2, {"staging"})
        assert second["staging"].result == "success", _failures(second)
    assert (
        "No requirement changed" in second["staging"].summary or "0 new failures" in second["staging"].summary
    )
    merged = first["overview"].workspace
    assert merged is not None
    overview = json.loads((merged / "reports/merged/merged.json").read_text())
    # The three deployments' runs, never another job's reports.
    assert len(overview["runs"]) == 3, [r.get("file") for r in overview["runs"]]


@pytest.mark.slow
def test_every_gitlab_job_runs_green_as_written_and_the_diff_gates(
    runner_env: dict[str, str], checkout: Path, tmp_path: Path
) -> None:
    document = yaml.safe_load((CI / "gitlab-ci.yml").read_text())
    push = GitlabRunner(document, checkout, tmp_path, runner_env, "push", overrides=_overrides(runner_env))
    client = push.run("client-against-emulator")
    assert client.result == "success", client.log[-4000:]
    assert push.run("staging").result == "skipped"

    with _staging() as url:
        nightly = GitlabRunner(
            document, checkout, tmp_path, runner_env, "schedule", {**STAGING, "STAGING_URL": url},
            overrides=_overrides(runner_env),
        )  # fmt: skip
        first = nightly.run("staging")
        assert first.result == "success", first.log[-4000:]
        assert nightly.run("client-against-emulator").result == "skipped"
        nightly.pipeline = 2
        second = nightly.run("staging")
        assert second.result == "success", second.log[-4000:]
        assert second.workspace is not None and (second.workspace / "reports/staging/diff.md").is_file()

    # A deviation the baseline accepts passes the run, yet it is new since the last night: the
    # diff, in the job's script, fails the job (an after_script could not).
    def accepting(workspace: Path) -> None:
        (workspace / "conformance-baseline.yaml").write_text(
            "- requirement: RFC6749-5.1-no-store\n  reason: the CDN rewrites Cache-Control, INFRA-212\n"
        )

    with _staging(("cache-control-no-cache",)) as url:
        nightly = GitlabRunner(
            document, checkout, tmp_path, runner_env, "schedule", {**STAGING, "STAGING_URL": url},
            overrides=_overrides(runner_env), pipeline=3,
        )  # fmt: skip
        third = nightly.run("staging", on_checkout=accepting)
    assert third.result == "failure", third.log[-4000:]
    assert "conformance: PASS" in third.log  # the run passed: the diff failed the job
    assert "RFC6749-5.1-no-store" in (third.workspace / "reports/staging/diff.md").read_text()  # type: ignore[operator]
