"""Where the built-in profiles and schemas live, in a wheel and in a source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["builtin_dir", "builtin_profile_names"]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # conformance/


def builtin_dir(kind: str) -> Path:
    """The directory of built-in `profiles` or `schemas`.

    A wheel carries them inside the package (`conformance/_builtin/`); a source
    checkout or editable install keeps them beside the package.
    """
    installed = _PACKAGE_DIR / "_builtin" / kind
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / kind


def builtin_profile_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir("profiles").glob("*.yaml"))
