"""Client authentication at the token endpoint (RFC 6749 §2.3.1, §4.3.2, §5.2)."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_refused
from conformance.client import ClientCredentials
from conformance.requirements import rfc6749
from conformance.scenario import Scenario

requirement = pytest.mark.requirement


def _needs_client_auth(conformance: Scenario) -> None:
    profile = conformance.profile
    conformance.requires(
        profile.client_auth != "none",
        f"no client authentication ({profile.source_of('client_auth')})",
    )


@requirement(rfc6749.CLIENT_AUTH_REQUIRED.id, rfc6749.ERROR_RESPONSE.id, rfc6749.INVALID_CLIENT_401.id)
@pytest.mark.parametrize("case", ["no client credentials", "wrong client secret", "unknown client"])
def test_client_must_authenticate(conformance: Scenario, case: str) -> None:
    _needs_client_auth(conformance)
    real = conformance.client.credentials.client
    assert real is not None
    client = {
        "no client credentials": None,
        "wrong client secret": ClientCredentials(
            real.client_id, real.client_secret[:-1] + ("x" if not real.client_secret.endswith("x") else "y")
        ),
        "unknown client": ClientCredentials("conformance-no-such-client", real.client_secret),
    }[case]
    exchange = conformance.client.password_grant(f"token: password grant, {case}", client=client)
    conformance.expect(
        expect_refused(exchange, rfc6749.CLIENT_AUTH_REQUIRED, {"invalid_client"}, case),
        rfc6749.CLIENT_AUTH_REQUIRED,
    )
