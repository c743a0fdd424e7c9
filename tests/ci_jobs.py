"""The CI templates' jobs, run as their runners would run them: each `run:` or `script:` as
written, in bash, in a fresh checkout, with the environment the runner gives it.

What the runners do besides is done here the way they do it, as far as the templates use it:
GitHub's `${{ }}` expressions (`vars`, `secrets`, `matrix`, `github`, `env`, `needs`, `always()`,
`success()`, `hashFiles()`), step and job `if:`, a matrix, a job's `environment`, and the
actions the templates use (checkout, setup-python, cache restore and save, artifact upload and
download); GitLab's `variables`, `rules` on `$CI_PIPELINE_SOURCE`, `script` in one shell that
stops at the first failing command, `after_script` (whose exit never fails the job) and `cache`.
An expression or an action this module does not know fails the test: a template that grows one
must grow it here too.

Each job's processes share one process group, ended with the job: a server a step starts in the
background lives until then, as on a runner. A step whose output is still held open by such a
process when the step ends never ends here either (as on GitLab): it fails after `STEP_TIMEOUT`.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

__all__ = ["GithubRunner", "GitlabRunner", "JobOutcome", "declared_scripts"]

STEP_TIMEOUT = 240.0  # seconds: a bound on one step, not a measurement
_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
_GITHUB_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]


@dataclass
class JobOutcome:
    result: str  # "success", "failure" or "skipped"
    log: str = ""
    workspace: Path | None = None
    summary: str = ""  # GitHub's $GITHUB_STEP_SUMMARY


def declared_scripts(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, str]]]:
    """Every shell script of a workflow or GitLab file, with the variables declared around it."""
    if "jobs" in document:  # GitHub
        for job in document["jobs"].values():
            declared = {**document.get("env", {}), **job.get("env", {})}
            for step in job.get("steps", []):
                if "run" in step:
                    yield step["run"], {**declared, **step.get("env", {})}
        return
    for name, job in document.items():
        if not isinstance(job, dict) or name in ("default", "variables", "stages"):
            continue
        declared = {**document.get("variables", {}), **job.get("variables", {})}
        for key in ("before_script", "script", "after_script"):
            for line in job.get(key, []):
                yield line, declared


class _Lenient(SimpleNamespace):
    """A context where an unset name reads as '' (GitHub's vars and secrets do)."""

    def __getattr__(self, name: str) -> str:
        return ""


@contextmanager
def _process_group() -> Iterator[int]:
    """A process group for one job: every step joins it; it ends with the job."""
    anchor = subprocess.Popen(["sleep", "3600"], process_group=0)
    try:
        yield anchor.pid
    finally:
        with _ignoring(ProcessLookupError):
            os.killpg(anchor.pid, signal.SIGTERM)
        anchor.wait()


@contextmanager
def _ignoring(*errors: type[BaseException]) -> Iterator[None]:
    try:
        yield
    except errors:
        pass


def _bash(command: list[str], *, cwd: Path, env: Mapping[str, str], group: int) -> tuple[int, str]:
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            process_group=group,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(
            f"a step did not end within {STEP_TIMEOUT:g} s (a background process holding its "
            f"output open?): {command[-1][:200]}"
        ) from expired
    return completed.returncode, completed.stdout + completed.stderr


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    elif source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


@dataclass
class GithubRunner:
    """Runs a workflow's jobs for one event, in document order."""

    workflow: dict[str, Any]
    checkout: Path  # the repository, copied fresh for every job
    work: Path  # where this runner keeps workspaces, artifacts and the cache
    base_env: Mapping[str, str]
    event: str
    vars: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    environments: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # name -> vars/secrets
    overrides: dict[str, str] = field(default_factory=dict)  # declared env values the repository changed
    run_id: int = 1
    results: dict[str, JobOutcome] = field(default_factory=dict)

    def run(self, only: set[str] | None = None) -> dict[str, JobOutcome]:
        """Every job the event runs (`only`: these, the others left out as if not in the file)."""
        for name, job in self.workflow["jobs"].items():
            if only is None or name in only:
                self.results[name] = self._job(name, job)
        return self.results

    # -- expressions ---------------------------------------------------------------------
    def _evaluate(self, expression: str, scope: dict[str, Any]) -> Any:
        code = expression.replace("&&", " and ").replace("||", " or ")
        if re.search(r"(?<![=!<>])!(?!=)", code):
            raise AssertionError(f"expression not understood here: {expression}")
        return eval(compile(code, "<expression>", "eval"), {"__builtins__": {}}, scope)  # noqa: S307

    def _substitute(self, text: str, scope: dict[str, Any]) -> str:
        return _EXPRESSION.sub(lambda m: str(self._evaluate(m.group(1), scope)), text)

    def _scope(self, matrix: dict[str, str], environment: str | None, workspace: Path) -> dict[str, Any]:
        """What an expression sees; `_failed[0]` says whether a step of the job failed."""
        settings = self.environments.get(environment or "", {})
        needs = {n: SimpleNamespace(result=o.result) for n, o in self.results.items()}
        failed = [False]
        return {
            "github": SimpleNamespace(event_name=self.event, run_id=self.run_id),
            "matrix": SimpleNamespace(**matrix),
            "vars": _Lenient(**{**self.vars, **settings.get("vars", {})}),
            "secrets": _Lenient(**{**self.secrets, **settings.get("secrets", {})}),
            "needs": SimpleNamespace(**needs),
            "env": _Lenient(),
            "always": lambda: True,
            "success": lambda: not failed[0],
            "failure": lambda: failed[0],
            "hashFiles": lambda *patterns: "x" if any(any(workspace.glob(p)) for p in patterns) else "",
            "_failed": failed,
        }

    # -- jobs ------------------------------------------------------------------------------
    def _job(self, name: str, job: dict[str, Any]) -> JobOutcome:
        condition = job.get("if")
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        probe = self._scope({}, None, self.work)
        if condition is not None:
            if not self._evaluate(str(condition), probe):
                return JobOutcome("skipped")
        elif any(self.results[n].result != "success" for n in needs):
            return JobOutcome("skipped")
        matrix = job.get("strategy", {}).get("matrix", {})
        keys = [k for k in matrix if k not in ("include", "exclude")]
        legs = [
            dict(zip(keys, values, strict=True)) for values in itertools.product(*(matrix[k] for k in keys))
        ]
        outcomes = [self._leg(name, job, leg) for leg in legs or [{}]]
        failed = [o for o in outcomes if o.result == "failure"]
        chosen = failed[0] if failed else outcomes[-1]
        return JobOutcome(
            "failure" if failed else "success",
            "\n".join(o.log for o in outcomes),
            chosen.workspace,
            "".join(o.summary for o in outcomes),
        )

    def _leg(self, name: str, job: dict[str, Any], matrix: dict[str, str]) -> JobOutcome:
        leg = "-".join([name, *matrix.values()])
        workspace = self.work / f"{leg}-{self.run_id}" / "workspace"
        shutil.copytree(self.checkout, workspace)
        summary = workspace.parent / "step-summary.md"
        summary.touch()
        scope = self._scope(matrix, None, workspace)
        environment = job.get("environment")
        if environment is not None:
            scope = self._scope(matrix, self._substitute(str(environment), scope), workspace)
        env = {**self.base_env, "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace)}
        env["GITHUB_STEP_SUMMARY"] = str(summary)
        for key, value in {**self.workflow.get("env", {}), **job.get("env", {})}.items():
            env[key] = self._substitute(str(value), scope)
        env.update(self.overrides)
        scope["env"] = _Lenient(**env)
        log: list[str] = []
        with _process_group() as group:
            for step in job["steps"]:
                if not self._evaluate(
                    str(step.get("if", "success()")).removeprefix("${{").removesuffix("}}"), scope
                ):
                    continue
                step_env = {
                    **env,
                    **{k: self._substitute(str(v), scope) for k, v in step.get("env", {}).items()},
                }
                if "run" in step:
                    code, output = _bash(
                        [*_GITHUB_BASH, self._substitute(step["run"], scope)],
                        cwd=workspace,
                        env=step_env,
                        group=group,
                    )
                else:
                    code, output = self._action(step, scope, workspace)
                log.append(
                    f"--- {step.get('name') or step.get('uses') or step['run'][:60]}: exit {code}\n{output}"
                )
                if code != 0:
                    scope["_failed"][0] = True
        result = "failure" if scope["_failed"][0] else "success"
        return JobOutcome(result, "\n".join(log), workspace, summary.read_text(encoding="utf-8"))

    def _action(self, step: dict[str, Any], scope: dict[str, Any], workspace: Path) -> tuple[int, str]:
        action = str(step["uses"]).split("@")[0]
        given = {k: self._substitute(str(v), scope) for k, v in step.get("with", {}).items()}
        cache, artifacts = self.work / "cache", self.work / "artifacts"
        if action in ("actions/checkout", "actions/setup-python"):
            return 0, f"{action}: the checkout is in place; the runner's python is on PATH"
        if action == "actions/cache/restore":
            keys = [given["key"], *given.get("restore-keys", "").split()]
            saved = (
                sorted(cache.glob("*"), key=lambda p: p.stat().st_mtime, reverse=True)
                if cache.is_dir()
                else []
            )
            hit = next((p for key in keys for p in saved if p.name.startswith(key)), None)
            if hit is not None:
                _copy(hit, workspace / given["path"])
            return 0, f"cache restored from {hit.name}" if hit else "no cache"
        if action == "actions/cache/save":
            _copy(workspace / given["path"], cache / given["key"])
            return 0, f"cache saved under {given['key']}"
        if action == "actions/upload-artifact":
            _copy(workspace / given["path"], artifacts / given["name"])
            return 0, f"artifact {given['name']} uploaded"
        if action == "actions/download-artifact":
            found = sorted(
                p for p in artifacts.glob("*") if fnmatch.fnmatch(p.name, given.get("pattern", "*"))
            )
            for artifact in found:
                _copy(artifact, workspace / given.get("path", ".") / artifact.name)
            return 0, f"downloaded {[p.name for p in found]}"
        raise AssertionError(f"action {action} is not known here: teach tests/ci_jobs.py what it does")


@dataclass
class GitlabRunner:
    """Runs the jobs of a GitLab CI file for one pipeline source."""

    document: dict[str, Any]
    checkout: Path
    work: Path
    base_env: Mapping[str, str]
    source: str  # $CI_PIPELINE_SOURCE: "push", "schedule", ...
    variables: dict[str, str] = field(default_factory=dict)  # the project's CI/CD variables
    overrides: dict[str, str] = field(default_factory=dict)
    pipeline: int = 1

    def jobs(self) -> list[str]:
        return [n for n, j in self.document.items() if isinstance(j, dict) and "script" in j]

    def _selected(self, job: dict[str, Any], env: Mapping[str, str]) -> bool:
        rules = job.get("rules")
        if not rules:
            return True
        for rule in rules:
            match = re.fullmatch(r'\$(\w+) (==|!=) "([^"]*)"', str(rule["if"]))
            if match is None:
                raise AssertionError(f"rule not understood here: {rule['if']}")
            name, operator, value = match.groups()
            equal = env.get(name, "") == value
            if equal == (operator == "=="):
                return True
        return False

    def run(self, name: str, *, on_checkout: Callable[[Path], None] | None = None) -> JobOutcome:
        job = self.document[name]
        env = {**self.base_env, "CI": "true", "CI_PIPELINE_SOURCE": self.source, "GITLAB_CI": "true"}
        env.update(
            {k: str(v) for k, v in {**self.document.get("variables", {}), **job.get("variables", {})}.items()}
        )
        env.update(self.variables)
        env.update(self.overrides)
        if not self._selected(job, env):
            return JobOutcome("skipped")
        workspace = self.work / f"{name}-{self.pipeline}" / "workspace"
        shutil.copytree(self.checkout, workspace)
        if on_checkout is not None:
            on_checkout(workspace)
        cache = job.get("cache")
        stored = self.work / "cache" / str(cache["key"]) if cache else None
        if cache and stored is not None:
            for path in cache["paths"]:
                _copy(stored / path, workspace / path)
        with _process_group() as group:
            # The runner runs `script` as one shell that stops at the first command that fails.
            code, output = _bash(
                ["bash", "-eo", "pipefail", "-c", "\n".join(job["script"])],
                cwd=workspace,
                env=env,
                group=group,
            )
            log = [f"--- script: exit {code}\n{output}"]
            if job.get("after_script"):
                after, said = _bash(
                    ["bash", "-eo", "pipefail", "-c", "\n".join(job["after_script"])],
                    cwd=workspace,
                    env=env,
                    group=group,
                )
                log.append(f"--- after_script (its exit never fails the job): exit {after}\n{said}")
        if cache and stored is not None and (code == 0 or cache.get("when") in ("always", "on_failure")):
            for path in cache["paths"]:
                _copy(workspace / path, stored / path)
        return JobOutcome("success" if code == 0 else "failure", "\n".join(log), workspace)
