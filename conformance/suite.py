"""Run the scenario suite from Python, in this process: what `conformance run` does, minus the prompt.

`run_suite("tourpaq", emulate=True)` runs every scenario against the profile's in-process
emulator and returns pytest's exit code (0, 1, 2 or 4, as docs/reference/cli.md's *Exit codes*); the
verdicts are in `<report_dir>/results.json`. The argument list is `arguments.suite_argv`'s, the
one builder of it, under the package's own pytest settings: a pytest.ini or pyproject.toml
around the caller's working directory does not change the run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from conformance.config.arguments import suite_argv

__all__ = ["run_suite"]


def run_suite(
    profile: str | Path,
    *,
    url: str | None = None,
    emulate: bool = False,
    report_dir: str | Path | None = None,
    reports: bool = False,
    quiet: bool = True,
    jobs: int = 1,
    pytest_args: Sequence[str] = (),
    **options: object,
) -> int:
    """Run the scenarios against `url` or, with `emulate=True`, the profile's emulator.

    `profile`: a built-in name or a YAML path. `report_dir`: where results.json goes (default
    `reports/<profile name>/`, as `conformance run`); `reports=True` writes report.html and
    junit.xml beside it. `options`: any other option of the table (`conformance.config.options`), by
    name with underscores: `defect=["token-type-mac"]`, `expiry_wait=5`, `yes=True`. A live,
    non-loopback `url` runs only with `yes=True`: nobody is asked. `jobs` > 1: that many
    pytest-xdist workers. `pytest_args`: passed on (`["-k", "refresh"]`).

    A profile that does not load, for the default report directory, raises its ConformanceError;
    every other usage error is exit code 4 with its one line on stderr, as from the command line.
    """
    import pytest

    if report_dir is None:
        from conformance.profile import load_profile

        report_dir = Path("reports") / load_profile(str(profile)).name
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, object] = {
        "profile": str(profile),
        "url": url,
        "emulate": emulate,
        "report-dir": report_dir,
        **{name.replace("_", "-"): value for name, value in options.items()},
    }
    argv = suite_argv(values, quiet=quiet, rootdir=os.getcwd(), reports=reports, jobs=jobs, extra=pytest_args)
    return int(pytest.main(argv))
