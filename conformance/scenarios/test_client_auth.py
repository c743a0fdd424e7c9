"""Client authentication at the token endpoint (RFC 6749 §2.3.1, §4.3.2, §5.2)."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_refused
from conformance.markers import applies
from conformance.requirements import rfc6749
from conformance.scenario import Scenario
from conformance.scenarios.client_auth_cases import CASES, client_auth_attempt

requirement = pytest.mark.requirement


@requirement(rfc6749.CLIENT_AUTH_REQUIRED, rfc6749.ERROR_RESPONSE, rfc6749.INVALID_CLIENT_401)
@applies(client_auth=True, grant_password=True)
@pytest.mark.parametrize("case", CASES)
def test_client_must_authenticate(conformance: Scenario, case: str) -> None:
    exchange = client_auth_attempt(conformance, case, conformance.client.password_params(), "password grant")
    conformance.expect(
        expect_refused(exchange, rfc6749.CLIENT_AUTH_REQUIRED, {"invalid_client"}, case),
        rfc6749.CLIENT_AUTH_REQUIRED,
    )
