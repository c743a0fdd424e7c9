"""Who the suite logs in as, and the Basic credential RFC 6749 builds from a client's pair.

Shared by the client, which sends them, and the emulator, which accepts them: a module of its
own so that neither layer imports the other for them.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote_plus

from conformance.errors import UsageError
from conformance.profile import Profile
from conformance.redaction import Redactor

__all__ = [
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_PASSWORD",
    "ENV_RESTRICTED_CLIENT_ID",
    "ENV_RESTRICTED_CLIENT_SECRET",
    "ENV_USERNAME",
    "ClientCredentials",
    "Credentials",
    "basic_authorization",
]

ENV_CLIENT_ID = "CONFORMANCE_CLIENT_ID"
ENV_CLIENT_SECRET = "CONFORMANCE_CLIENT_SECRET"
ENV_USERNAME = "CONFORMANCE_USERNAME"
ENV_PASSWORD = "CONFORMANCE_PASSWORD"
# Optional: a second client registered without the client credentials grant (unauthorized_client).
ENV_RESTRICTED_CLIENT_ID = "CONFORMANCE_RESTRICTED_CLIENT_ID"
ENV_RESTRICTED_CLIENT_SECRET = "CONFORMANCE_RESTRICTED_CLIENT_SECRET"


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who the suite logs in as. Values never appear in a repr.

    username and password are empty where the profile offers no password grant: nothing asks
    for them. `restricted_client` is a client not allowed the client credentials grant, where
    one is known."""

    client: ClientCredentials | None
    username: str = field(repr=False)
    password: str = field(repr=False)
    restricted_client: ClientCredentials | None = None

    @classmethod
    def from_environment(cls, profile: Profile) -> Credentials:
        """Credentials for a live target, from CONFORMANCE_* variables only."""
        users = profile.grant_password is not False
        needed = [ENV_USERNAME, ENV_PASSWORD] if users else []
        if profile.client_auth != "none":
            needed += [ENV_CLIENT_ID, ENV_CLIENT_SECRET]
        missing = [name for name in needed if not os.environ.get(name)]
        if missing:
            raise UsageError(
                f"profile {profile.name} needs credentials in the environment: "
                f"set {', '.join(missing)} (never on the command line)"
            )
        client = None
        if profile.client_auth != "none":
            client = ClientCredentials(os.environ[ENV_CLIENT_ID], os.environ[ENV_CLIENT_SECRET])
        restricted = None
        if os.environ.get(ENV_RESTRICTED_CLIENT_ID) and os.environ.get(ENV_RESTRICTED_CLIENT_SECRET):
            restricted = ClientCredentials(
                os.environ[ENV_RESTRICTED_CLIENT_ID], os.environ[ENV_RESTRICTED_CLIENT_SECRET]
            )
        if not users:
            return cls(client, "", "", restricted)
        return cls(client, os.environ[ENV_USERNAME], os.environ[ENV_PASSWORD], restricted)

    @classmethod
    def for_emulator(cls, profile: Profile) -> Credentials:
        """The emulator's known test credentials; CONFORMANCE_* variables override them."""
        settings = profile.emulator
        client = None
        if profile.client_auth != "none":
            client = ClientCredentials(
                os.environ.get(ENV_CLIENT_ID) or settings.client_id,
                os.environ.get(ENV_CLIENT_SECRET) or settings.client_secret,
            )
        restricted = None
        if profile.grant_client_credentials is True and profile.client_auth != "none":
            restricted = ClientCredentials(
                os.environ.get(ENV_RESTRICTED_CLIENT_ID) or settings.restricted_client_id,
                os.environ.get(ENV_RESTRICTED_CLIENT_SECRET) or settings.restricted_client_secret,
            )
        return cls(
            client,
            os.environ.get(ENV_USERNAME) or settings.username,
            os.environ.get(ENV_PASSWORD) or settings.password,
            restricted,
        )

    def register_with(self, redactor: Redactor) -> None:
        redactor.add_credentials(
            self.client.client_id if self.client else None,
            self.client.client_secret if self.client else None,
            self.username,
            self.password,
        )
        if self.restricted_client is not None:
            redactor.add_credentials(
                self.restricted_client.client_id, self.restricted_client.client_secret, None, None
            )


@lru_cache(maxsize=64)
def basic_authorization(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: form-urlencode id and secret, then Basic-encode them."""
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
