"""The one registry: each name once, a did-you-mean hint, loaded before it answers, frozen."""

from __future__ import annotations

import pytest

from conformance.registry import Registry, closest


def test_a_name_is_registered_once_and_found_by_name() -> None:
    registry: Registry[int] = Registry("widget")
    registry.register("one", 1)
    assert registry.get("one") == 1 and "one" in registry and registry.all() == {"one": 1}
    with pytest.raises(ValueError, match="widget one registered twice"):
        registry.register("one", 2)


def test_an_unknown_name_says_the_nearest_known_one() -> None:
    registry: Registry[int] = Registry("widget", unknown=lambda name, hint: KeyError(f"{name}{hint}"))
    registry.register("sequential", 1)
    with pytest.raises(KeyError, match="sequental; did you mean 'sequential'"):
        registry.get("sequental")
    with pytest.raises(LookupError, match="no gadget named 'x'$"):
        Registry[int]("gadget").get("x")
    assert closest("sequental", ["sequential", "other"]) == "sequential"
    assert closest("zzz", ["sequential"]) is None


def test_a_frozen_registry_takes_no_more() -> None:
    registry: Registry[int] = Registry("widget")
    registry.freeze()
    with pytest.raises(ValueError, match="frozen"):
        registry.register("late", 1)


def test_the_catalogues_load_their_package_before_they_answer() -> None:
    from conformance.checks.registry import CHECKS
    from conformance.requirements.catalogue import REQUIREMENTS

    assert REQUIREMENTS.frozen and CHECKS.frozen
    assert len(REQUIREMENTS) > 50 and len(CHECKS) > 10
