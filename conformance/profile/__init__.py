"""Provider profiles: YAML, validated by JSON Schema, merged along `extends`, frozen."""

from __future__ import annotations

from conformance.profile.loader import load_profile, profile_from_mapping
from conformance.profile.model import (
    UNSPECIFIED,
    ClientAuth,
    Contradiction,
    EmulatorSettings,
    Expiry,
    Profile,
    Refresh,
    Rejection,
    Resource,
    Tristate,
)

__all__ = [
    "UNSPECIFIED",
    "ClientAuth",
    "Contradiction",
    "EmulatorSettings",
    "Expiry",
    "Profile",
    "Refresh",
    "Rejection",
    "Resource",
    "Tristate",
    "load_profile",
    "profile_from_mapping",
]
