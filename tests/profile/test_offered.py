"""The grants and client authentication a profile offers, in RFC 8414 metadata names."""

from __future__ import annotations

from conformance.profile import load_profile
from conformance.profile.offered import auth_method_names, grant_types_offered


def test_the_seed_profiles_in_metadata_names() -> None:
    tourpaq, days = load_profile("tourpaq"), load_profile("daysoutguide")
    assert grant_types_offered(tourpaq) == ["password", "refresh_token"]
    assert grant_types_offered(days) == ["password"]
    assert auth_method_names(tourpaq) == ["client_secret_basic"]
    assert auth_method_names(days) == ["none"]
