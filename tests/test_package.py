"""A plain `pip install .` carries the built-in profiles and schemas inside the package."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_builtin_profiles_and_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hatchling.builders.wheel import WheelBuilder

    monkeypatch.chdir(ROOT)
    wheel = Path(next(iter(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))))
    names = set(zipfile.ZipFile(wheel).namelist())
    for profile in ("tourpaq", "daysoutguide", "rfc6749"):
        assert f"conformance/_builtin/profiles/{profile}.yaml" in names
    for schema in ("profile", "token-response", "rfc6749-error", "daysoutguide-denied", "json-object"):
        assert f"conformance/_builtin/schemas/{schema}.schema.json" in names
    assert "conformance/config/_pytest.ini" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert (
        "conformance = conformance.pytest_plugin.hooks" in text
        and "conformance = conformance.cli:main" in text
    )
