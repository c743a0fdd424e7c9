"""Who the suite logs in as, and the Basic credential RFC 6749 builds from a client's pair.

Shared by the client, which sends them, and the emulator, which accepts them: a module of its
own so that neither layer imports the other for them.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote_plus, unquote_plus

from conformance.errors import UsageError
from conformance.profile import Profile
from conformance.redaction import Redactor

__all__ = [
    "GRANT_LABELS",
    "ISSUING_GRANTS",
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_PASSWORD",
    "ENV_RESTRICTED_CLIENT_ID",
    "ENV_RESTRICTED_CLIENT_SECRET",
    "ENV_USERNAME",
    "ClientCredentials",
    "Credentials",
    "basic_authorization",
    "decode_basic",
    "basic_pair",
    "changed_by_form_encoding",
    "offers",
]

ENV_CLIENT_ID = "CONFORMANCE_CLIENT_ID"
ENV_CLIENT_SECRET = "CONFORMANCE_CLIENT_SECRET"
ENV_USERNAME = "CONFORMANCE_USERNAME"
ENV_PASSWORD = "CONFORMANCE_PASSWORD"
# Optional: a second client registered without the client credentials and password grants
# (unauthorized_client), owner of none of the first client's tokens.
ENV_RESTRICTED_CLIENT_ID = "CONFORMANCE_RESTRICTED_CLIENT_ID"
ENV_RESTRICTED_CLIENT_SECRET = "CONFORMANCE_RESTRICTED_CLIENT_SECRET"


# The grants the suite obtains tokens by, in the order it prefers them, and how it names them.
ISSUING_GRANTS = ("password", "client_credentials")
GRANT_LABELS = {
    "password": "password",
    "client_credentials": "client credentials",
    "refresh_token": "refresh",
}


def offers(profile: Profile, grant: str) -> bool:
    """Whether the profile says the grant is offered (the documentation's silence is not)."""
    if grant == "password":
        return profile.grant_password is True
    if grant == "client_credentials":
        return profile.grant_client_credentials is True
    return profile.refresh.supported is True


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who the suite logs in as. Values never appear in a repr.

    username and password are empty where the profile offers no password grant: nothing asks
    for them. `restricted_client` is a client allowed neither the client credentials nor the
    password grant, where one is known."""

    client: ClientCredentials | None
    username: str = field(repr=False)
    password: str = field(repr=False)
    restricted_client: ClientCredentials | None = None

    @classmethod
    def from_environment(cls, profile: Profile) -> Credentials:
        """Credentials for a live target, from CONFORMANCE_* variables only.

        A run runs what its credentials allow: the grants they cannot exercise are "not checked"
        with what would make them run. Only credentials that exercise no offered grant at all
        are a usage error."""
        client = None
        if (
            profile.client_auth != "none"
            and os.environ.get(ENV_CLIENT_ID)
            and os.environ.get(ENV_CLIENT_SECRET)
        ):
            client = ClientCredentials(os.environ[ENV_CLIENT_ID], os.environ[ENV_CLIENT_SECRET])
        restricted = None
        if os.environ.get(ENV_RESTRICTED_CLIENT_ID) and os.environ.get(ENV_RESTRICTED_CLIENT_SECRET):
            restricted = ClientCredentials(
                os.environ[ENV_RESTRICTED_CLIENT_ID], os.environ[ENV_RESTRICTED_CLIENT_SECRET]
            )
        users = profile.grant_password is not False
        username = os.environ.get(ENV_USERNAME, "") if users else ""
        password = os.environ.get(ENV_PASSWORD, "") if users else ""
        credentials = cls(client, username, password, restricted)
        if not credentials.issuing_grants(profile):
            offered = [g for g in ISSUING_GRANTS if offers(profile, g)]
            if not offered:
                raise UsageError(
                    f"profile {profile.name} offers neither the password grant nor the client credentials "
                    f"grant ({profile.source_of('grants')}): the suite has no way to obtain a token"
                )
            lacking = {g: ", ".join(credentials.missing_for(profile, g)) for g in offered}
            needs = (
                lacking[offered[0]]
                if len(offered) == 1
                else " or ".join(f"{names} ({GRANT_LABELS[g]} grant)" for g, names in lacking.items())
            )
            raise UsageError(
                f"profile {profile.name} needs credentials in the environment: set {needs} "
                "(never on the command line)"
            )
        return credentials

    def missing_for(self, profile: Profile, grant: str) -> list[str]:
        """The CONFORMANCE_* variables a run needs to obtain tokens by `grant`, and lacks."""
        missing = []
        if grant == "password":
            missing += [
                name
                for name, value in ((ENV_USERNAME, self.username), (ENV_PASSWORD, self.password))
                if not value
            ]
        if profile.client_auth != "none" and self.client is None:
            missing += [ENV_CLIENT_ID, ENV_CLIENT_SECRET]
        return missing

    def grant_unavailable(self, profile: Profile, grant: str) -> str | None:
        """Why the run cannot obtain tokens by `grant`, in the user's terms; None when it can."""
        label = GRANT_LABELS[grant]
        if not offers(profile, grant):
            value = profile.grant_password if grant == "password" else profile.grant_client_credentials
            source = profile.source_of("grants")
            if value == "unspecified":
                # What would make it run, in the user's terms.
                return (
                    f"profile {profile.name} does not say whether the {label} grant is offered ({source}): "
                    f"where it is, say so (grants.{grant}: true) to check it"
                )
            return f"profile {profile.name}: the {label} grant is not offered ({source})"
        if grant == "client_credentials" and profile.client_auth == "none":
            return f"profile {profile.name}: no client authentication ({profile.source_of('client_auth')})"
        missing = self.missing_for(profile, grant)
        if missing:
            return f"not checked: the {label} grant needs {' and '.join(missing)}"
        return None

    def issuing_grants(self, profile: Profile) -> tuple[str, ...]:
        """The grants this run can obtain tokens by, the password grant first."""
        return tuple(g for g in ISSUING_GRANTS if self.grant_unavailable(profile, g) is None)

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
        if profile.client_auth != "none":
            # A second registered client: allowed neither the client credentials nor the password
            # grant, and owner of none of the first client's tokens.
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

    def environment(self) -> dict[str, str]:
        """Each credential under the CONFORMANCE_* variable it is read from: what a replay line
        names instead of the value."""
        pairs = {
            ENV_USERNAME: self.username,
            ENV_PASSWORD: self.password,
            ENV_CLIENT_ID: self.client.client_id if self.client else "",
            ENV_CLIENT_SECRET: self.client.client_secret if self.client else "",
            ENV_RESTRICTED_CLIENT_ID: self.restricted_client.client_id if self.restricted_client else "",
            ENV_RESTRICTED_CLIENT_SECRET: (
                self.restricted_client.client_secret if self.restricted_client else ""
            ),
        }
        return {name: value for name, value in pairs.items() if value}

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


def basic_pair(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: the id and secret, each form-urlencoded, joined by a colon."""
    return f"{quote_plus(client_id)}:{quote_plus(client_secret)}"


def changed_by_form_encoding(client_id: str, client_secret: str) -> bool:
    """Whether §2.3.1's form encoding changes the id or the secret (+, /, %, a space...): only
    then does a server that does not form-decode Basic credentials refuse them."""
    return quote_plus(client_id) != client_id or quote_plus(client_secret) != client_secret


@lru_cache(maxsize=64)
def basic_authorization(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: form-urlencode id and secret, then Basic-encode them."""
    return "Basic " + base64.b64encode(basic_pair(client_id, client_secret).encode("utf-8")).decode("ascii")


def decode_basic(credential: str, form_decoded: bool = True) -> tuple[str, str] | None:
    """The (client id, secret) of a Basic credential (the part after "Basic "), or None.

    RFC 6749 §2.3.1: base64 of form-urlencoded id ':' secret; `form_decoded=False` takes the two
    as they stand (a server that skips the form decoding)."""
    try:
        decoded = base64.b64decode(credential, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):  # ValueError: non-ASCII characters
        return None
    if ":" not in decoded:
        return None
    client_id, secret = decoded.split(":", 1)
    if not form_decoded:
        return client_id, secret
    return unquote_plus(client_id), unquote_plus(secret)
