"""What a profile says the token endpoint accepts, in the names RFC 8414 metadata uses: what the
emulator advertises, and what the suite expects a server's metadata to list."""

from __future__ import annotations

from conformance.profile.model import Profile

__all__ = ["auth_method_names", "grant_types_offered"]

# client_auth.style -> its RFC 8414 token_endpoint_auth_methods_supported name.
_AUTH_METHOD = {"basic": "client_secret_basic", "body": "client_secret_post", "none": "none"}


def grant_types_offered(profile: Profile) -> list[str]:
    """The grant types the profile documents as offered, in RFC 6749 order."""
    offered = [
        ("password", profile.grant_password),
        # Read by name: a profile model without the client credentials grant offers none.
        ("client_credentials", getattr(profile, "grant_client_credentials", False)),
        ("refresh_token", profile.refresh.supported),
    ]
    return [name for name, value in offered if value is True]


def auth_method_names(profile: Profile) -> list[str]:
    """The profile's client authentication methods, as token_endpoint_auth_methods_supported names."""
    methods = getattr(profile, "client_auth_methods", None)
    return list(methods) if methods else [_AUTH_METHOD[profile.client_auth]]
