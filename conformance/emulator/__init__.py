"""The emulator: the reference implementation of a profile, with injectable defects."""

from __future__ import annotations

from conformance.emulator.app import Emulator
from conformance.emulator.behaviour import Behaviour
from conformance.emulator.defects import Defect, applicable, catalogue, defect, get_defect

__all__ = ["Behaviour", "Defect", "Emulator", "applicable", "catalogue", "defect", "get_defect"]
