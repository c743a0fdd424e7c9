"""Refusals at the token endpoint (RFC 6749 §4.3.2, §5.2)."""

from __future__ import annotations

import pytest

from conformance.checks.expectations import expect_refused
from conformance.markers import applies
from conformance.requirements import rfc6749
from conformance.scenario import Scenario

requirement = pytest.mark.requirement


# RFC 6749 Appendix B: parameter values are UTF-8; nothing bounds their length. Wrong
# credentials are still wrong when they are not ASCII or are long. Those two go to an unknown
# user, so that a live account's failed-login counter is not spent on them.
CREDENTIAL_CASES = [
    "wrong password",
    "unknown user",
    "empty password",
    "non-ASCII credentials",
    "long password",
]


@requirement(rfc6749.WRONG_CREDENTIALS, rfc6749.ERROR_RESPONSE)
@applies(grant_password=True)
@pytest.mark.parametrize("case", CREDENTIAL_CASES)
def test_wrong_resource_owner_credentials_are_refused(conformance: Scenario, case: str) -> None:
    client = conformance.client
    real = client.credentials
    overrides = {
        "wrong password": {"password": real.password + "x"},
        "unknown user": {"username": "conformance-no-such-user-" + real.username},
        "empty password": {"password": ""},
        "non-ASCII credentials": {
            "username": "conformance-n\u00f6-such-\u00fcser",
            "password": real.password + "\u00e9\u00df\u2603",
        },
        "long password": {"username": "conformance-no-such-user", "password": real.password + "x" * 256},
    }[case]
    # RFC 6749 §3.2: an empty parameter counts as omitted, so invalid_request is right too; a
    # server may likewise judge unusual input malformed rather than wrong.
    codes = (
        {"invalid_grant"}
        if case in ("wrong password", "unknown user")
        else {"invalid_grant", "invalid_request"}
    )
    exchange = client.password_grant(f"token: password grant, {case}", **overrides)
    conformance.expect(
        expect_refused(exchange, rfc6749.WRONG_CREDENTIALS, codes, f"a {case}"), rfc6749.WRONG_CREDENTIALS
    )


@requirement(rfc6749.MISSING_PARAMETER, rfc6749.ERROR_RESPONSE)
@applies(grant_password=True)
@pytest.mark.parametrize("missing", ["username", "password"])
def test_missing_parameter_is_invalid_request(conformance: Scenario, missing: str) -> None:
    client = conformance.client
    exchange = client.token_request(
        client.password_params(omit=[missing]), purpose=f"token: password grant without {missing}"
    )
    conformance.expect(
        expect_refused(
            exchange, rfc6749.MISSING_PARAMETER, {"invalid_request"}, f"a request without {missing}"
        ),
        rfc6749.MISSING_PARAMETER,
    )


@requirement(rfc6749.MISSING_GRANT_TYPE, rfc6749.ERROR_RESPONSE)
def test_missing_grant_type_is_invalid_request(conformance: Scenario) -> None:
    client = conformance.client
    exchange = client.token_request(
        client.password_params(omit=["grant_type"]), purpose="token: request without grant_type"
    )
    conformance.expect(
        expect_refused(
            exchange, rfc6749.MISSING_GRANT_TYPE, {"invalid_request"}, "a request without grant_type"
        ),
        rfc6749.MISSING_GRANT_TYPE,
    )


@requirement(rfc6749.UNSUPPORTED_GRANT, rfc6749.ERROR_RESPONSE)
def test_unknown_grant_type_is_unsupported(conformance: Scenario) -> None:
    client = conformance.client
    exchange = client.token_request(
        client.password_params(grant_type="urn:conformance:no-such-grant"),
        purpose="token: unknown grant_type",
    )
    conformance.expect(
        expect_refused(
            exchange, rfc6749.UNSUPPORTED_GRANT, {"unsupported_grant_type"}, "an unknown grant_type"
        ),
        rfc6749.UNSUPPORTED_GRANT,
    )
