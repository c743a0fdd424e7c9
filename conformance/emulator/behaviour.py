"""How the emulator behaves: derived from a profile, then bent by defects.

`Behaviour` is the one place every switch lives. The conformant emulator is
`Behaviour.from_profile(profile)`; a defect is a function that changes a copy of it
(see `conformance.emulator.defects`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.profile import Profile
from conformance.profile.model import UNIT_FACTORS

__all__ = ["Behaviour", "ResponseHook", "default_expires_in_unit"]

# (kind, status, headers, payload) -> (status, headers, payload); kind is "token" or "resource".
ResponseHook = Callable[[str, int, dict[str, str], Any], tuple[int, dict[str, str], Any]]


def default_expires_in_unit(profile: Profile) -> str:
    """The reading of expires_in that the documented example supports, else the claimed unit."""
    if profile.emulator.expires_in_unit:
        return profile.emulator.expires_in_unit
    example, nominal = profile.expiry.example_expires_in, profile.expiry.nominal_lifetime
    if example is not None and isinstance(nominal, int):
        def distance(unit: str) -> float:
            return abs(example * UNIT_FACTORS[unit] - nominal)
        return min(profile.expiry.readings, key=distance)
    return profile.expiry.unit


@dataclass
class Behaviour:
    client_auth: str
    parameter_location: str
    token_path: str
    password_grant: bool
    refresh_grant: bool
    issues_refresh_token: bool
    rotation: bool
    used_refresh_token_accepted: bool
    invalidate_earlier: bool
    lifetime: float
    expires_in_unit: str
    refresh_token_lifetime: float
    token_type: str = "bearer"
    # What the checks guard; each defect turns one of these off or bends one value.
    check_client: bool = True
    check_password: bool = True
    real_lifetime_factor: float = 1.0
    rejection_status: int = 401
    rejection_body: Any = None
    response_hooks: list[ResponseHook] = field(default_factory=list)

    @classmethod
    def from_profile(cls, profile: Profile, lifetime: float | None = None) -> Behaviour:
        refresh = profile.refresh.supported is True
        rejection = profile.resource.rejection
        if rejection.body_example is not None:
            body: Any = dict(rejection.body_example)
        elif rejection.body_schema is not None:
            body = {"Message": "Authorization has been denied for this request."}
        else:
            body = {"error": "invalid_token"}
        status = rejection.status if isinstance(rejection.status, int) else 401
        return cls(
            client_auth=profile.client_auth,
            parameter_location=profile.parameter_location,
            token_path=profile.token_path,
            password_grant=profile.grant_password is not False,
            refresh_grant=refresh,
            issues_refresh_token=refresh and profile.refresh.issues_refresh_token is not False,
            rotation=profile.refresh.rotation is True,
            used_refresh_token_accepted=profile.refresh.used_refresh_token == "accepted",
            invalidate_earlier=profile.invalidates_earlier is True,
            lifetime=float(lifetime if lifetime is not None else profile.emulator.lifetime),
            expires_in_unit=default_expires_in_unit(profile),
            refresh_token_lifetime=float(profile.emulator.refresh_token_lifetime),
            token_type=profile.token_type,
            rejection_status=status,
            rejection_body=body,
        )

    def stated_expires_in(self) -> int:
        """expires_in as the documented examples state it: one second short of the lifetime."""
        return int(round((self.lifetime - 1) / UNIT_FACTORS[self.expires_in_unit]))
