"""`conformance emulate --list-defects | --list-variants`: the catalogue without reading the source."""

from __future__ import annotations

import pytest

from conformance.cli import main
from conformance.emulator.defects import applicable, catalogue
from conformance.emulator.listing import defects_text, variants_text
from conformance.emulator.variants import variants
from conformance.profile import load_profile


def test_every_defect_is_listed_with_what_it_does_and_breaks() -> None:
    text = defects_text()
    assert text.startswith(f"{len(catalogue())} defects ")
    for name, defect in catalogue().items():
        block = text.split(f"\n{name}\n", 1)[1].split("\n    breaks: ", 1)
        assert " ".join(block[0].split()) == defect.summary
        assert block[1].split("\n")[0].startswith(defect.violates[0])


def test_a_profile_lists_only_the_defects_that_apply_to_it() -> None:
    machine = load_profile("machine")
    header, *lines = defects_text(machine).splitlines()
    assert header.startswith(f"{len(applicable(machine))} defects that apply to profile machine")
    assert {line for line in lines if not line.startswith(" ")} == {d.name for d in applicable(machine)}
    assert "accepts-wrong-password" not in lines  # the machine profile offers no password grant


def test_every_variant_is_listed_with_the_rfc_that_allows_it() -> None:
    text = variants_text()
    for name, variant in variants().items():
        assert f"\n{name}\n" in text
        assert "allowed by: " + variant.allowed_by.split()[0] in text


def test_the_cli_lists_without_a_profile_and_serves_only_with_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulate", "--list-defects", "--list-variants"]) == 0
    out = capsys.readouterr().out
    assert "accepts-wrong-client-secret\n    any client secret is accepted" in out
    assert "benign variants" in out
    assert main(["emulate"]) == 4
    assert capsys.readouterr().err == "conformance: error: the following arguments are required: --profile\n"
