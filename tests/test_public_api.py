"""The public API: `conformance/__init__.py` exports what embedding programs need, cheaply.

Each exported name must be the very object of the module that owns it (an alias to a copy, or
to the wrong function, would drift); `import conformance` must stay light, because the pytest
plugin and every script import it first; `run_suite` must be the CLI's run, not a second one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import conformance

# Independent of conformance/__init__.py's own table: where each name is documented to live.
HOMES = {
    "Clock": "conformance.clock",
    "ConformanceError": "conformance.errors",
    "ConformanceRun": "conformance.engine.run",
    "Credentials": "conformance.credentials",
    "Emulator": "conformance.emulator",
    "Finding": "conformance.engine.findings",
    "FindingLog": "conformance.engine.findings",
    "InProcessASGITransport": "conformance.client",
    "Level": "conformance.requirements",
    "ManualClock": "conformance.clock",
    "Profile": "conformance.profile",
    "Requirement": "conformance.requirements",
    "RunSettings": "conformance.config.settings",
    "SystemClock": "conformance.clock",
    "all_requirements": "conformance.requirements",
    "applies": "conformance.pytest_plugin.markers",
    "load_profile": "conformance.profile",
    "requirement": "conformance.requirements:get",
    "run_suite": "conformance.suite",
    "serve": "conformance.emulator.server",
}
# Imported by the suite, the emulator or the plugin, and not needed to import the package.
HEAVY = ("pytest", "_pytest", "xdist", "schemathesis", "hypothesis", "httpx", "starlette", "uvicorn")


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_all_lists_exactly_the_documented_names() -> None:
    assert sorted(conformance.__all__) == sorted([*HOMES, "__version__"])


@pytest.mark.parametrize("name", sorted(HOMES))
def test_each_name_is_the_object_of_its_home_module(name: str) -> None:
    module, _, attribute = HOMES[name].partition(":")
    home = __import__(module, fromlist=["_"])
    assert getattr(conformance, name) is getattr(home, attribute or name)
    assert name in dir(conformance)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'get'"):
        conformance.get  # noqa: B018 - the catalogue's `get` is exported as `requirement` only


def test_version_is_the_packages() -> None:
    from importlib.metadata import version

    assert conformance.__version__ == version("conformance")


def test_import_is_light_and_the_plugin_imports_without_a_cycle(tmp_path: Path) -> None:
    heavy = json.dumps(HEAVY)
    code = (
        "import sys, json, conformance\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy})))\n"
        # The plugin's entry point, in an interpreter that imported only the package.
        "import conformance.pytest_plugin.hooks\n"
        "assert conformance.run_suite.__module__ == 'conformance.suite'\n"
    )
    completed = _python(code, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[0]) == []


def test_run_suite_runs_the_scenarios_and_writes_the_verdicts(tmp_path: Path) -> None:
    code = (
        "import json, pathlib, conformance\n"
        "code = conformance.run_suite('tourpaq', emulate=True, report_dir='out', "
        "defect=['wrong-token-type'], pytest_args=['-k', 'test_token_issuance'])\n"
        "results = json.loads(pathlib.Path('out/results.json').read_text())\n"
        "print(json.dumps([code, [r['id'] for r in results['requirements'] if r['status'] == 'failed'], "
        "results['settings']['defects']]))\n"
    )
    completed = _python(code, tmp_path)
    assert completed.returncode == 0, completed.stderr
    exit_code, failed, defects = json.loads(completed.stdout.splitlines()[-1])
    assert (exit_code, failed, defects) == (1, ["RFC6749-5.1-token-type"], ["wrong-token-type"])
    assert not (tmp_path / "out" / "report.html").exists()  # reports=True asks for it


def test_run_suite_usage_errors_exit_4_having_sent_nothing(tmp_path: Path) -> None:
    code = (
        "import os, conformance\n"
        "for name in ('CLIENT_ID', 'CLIENT_SECRET', 'USERNAME', 'PASSWORD'):\n"
        "    os.environ['CONFORMANCE_' + name] = 'x'\n"
        "print(conformance.run_suite('tourpaq', emulate=True, report_dir='a', defect=['no-such-defect']))\n"
        "print(conformance.run_suite('tourpaq', url='https://api.example.invalid', report_dir='b'))\n"
        "try:\n"
        "    conformance.run_suite('tourpaq', emulate=True, report_dir='c', expiry_weight=5)\n"
        "except ValueError as error:\n"
        "    print(error)\n"
    )
    completed = _python(code, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-3:] == ["4", "4", "no conformance option named 'expiry-weight'"]
    assert "no defect named 'no-such-defect'" in completed.stderr
    assert "refusing to start without confirmation" in completed.stderr
    assert not any((tmp_path / d / "results.json").exists() for d in "abc")
