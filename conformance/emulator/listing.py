"""The emulator's catalogue as text: `conformance emulate --list-defects | --list-variants`.

What each defect does and the requirements it breaks, what each benign variant does and the RFC
sentence that allows it: enough to choose one without reading the source.
"""

from __future__ import annotations

import textwrap

from conformance.emulator.defects import applicable, catalogue
from conformance.emulator.variants import applicable_variants, variants
from conformance.profile import Profile

__all__ = ["defects_text", "variants_text"]

_WIDTH = 100


def _entry(name: str, summary: str, details: list[tuple[str, str]]) -> list[str]:
    lines = [name, *textwrap.wrap(summary, _WIDTH, initial_indent="    ", subsequent_indent="    ")]
    for label, text in details:
        lines += textwrap.wrap(
            f"{label}: {text}", _WIDTH, initial_indent="    ", subsequent_indent=" " * (6 + len(label))
        )
    return lines


def defects_text(profile: Profile | None = None) -> str:
    """Every defect (those that apply to `profile`, when given): name, what it does, what it breaks."""
    chosen = applicable(profile) if profile is not None else list(catalogue().values())
    where = f" that apply to profile {profile.name}" if profile is not None else ""
    lines = [
        f"{len(chosen)} defects{where} (conformance emulate --defect NAME; run --emulate --defect NAME):"
    ]
    for defect in chosen:
        lines += _entry(defect.name, defect.summary, [("breaks", ", ".join(defect.violates))])
    return "\n".join(lines) + "\n"


def variants_text(profile: Profile | None = None) -> str:
    """Every benign variant (those that apply to `profile`, when given): name, what it does, the RFC
    sentence that allows it, and the servers seen doing it."""
    chosen = applicable_variants(profile) if profile is not None else list(variants().values())
    where = f" that apply to profile {profile.name}" if profile is not None else ""
    lines = [
        f"{len(chosen)} benign variants{where}: behaviour the RFCs allow, which must fail nothing "
        "(conformance emulate --variant NAME; run --emulate --variant NAME):"
    ]
    for variant in chosen:
        lines += _entry(
            variant.name,
            variant.summary,
            [("allowed by", variant.allowed_by), ("seen in", variant.seen_in)],
        )
    return "\n".join(lines) + "\n"
