"""Deficient client authentication, one case at a time: shared by the password and refresh grants.

RFC 6749 §4.3.2 and §6 ask the same of both grants, and real servers get one right and the
other wrong, so both are tried with the same cases.
"""

from __future__ import annotations

import pytest

from conformance.client import ClientCredentials, Exchange
from conformance.client.client import basic_authorization
from conformance.engine.scenario import Scenario
from conformance.pytest_plugin.markers import applies

__all__ = ["CASES", "client_auth_attempt", "second_client", "wrong_secret"]

CASES = [
    "no client credentials",
    "wrong client secret",
    # The client's id with an empty secret (Basic "id:"; client_secret= in the body, which RFC 6749
    # §3.2 reads as omitted): a confidential client is never downgraded to a public one.
    "empty client secret",
    "unknown client",
    # Where clients authenticate in the body, a Basic header is a supported scheme (RFC 6749 §2.3.1).
    pytest.param("wrong authentication scheme", marks=applies(client_auth="basic")),
]


def wrong_secret(secret: str) -> str:
    """The right secret with its last character changed: the nearest wrong one."""
    return secret[:-1] + ("x" if not secret.endswith("x") else "y")


def client_auth_attempt(
    conformance: Scenario, case: str, params: list[tuple[str, str]], grant: str
) -> Exchange:
    """A token request with `params` whose client authentication is deficient as `case` says."""
    real = conformance.client.credentials.client
    assert real is not None
    purpose = f"token: {grant}, {case}"
    if case == "wrong authentication scheme":
        # The right credentials under another scheme (RFC 6749 §2.3.1 names Basic): a server
        # that reads them whatever the scheme has stopped checking how the client authenticates.
        encoded = basic_authorization(real.client_id, real.client_secret).split(" ", 1)[1]
        return conformance.client.token_request(
            params, purpose=purpose, client=None, headers={"Authorization": "Bearer " + encoded}
        )
    client = {
        "no client credentials": None,
        "wrong client secret": ClientCredentials(real.client_id, wrong_secret(real.client_secret)),
        "empty client secret": ClientCredentials(real.client_id, ""),
        "unknown client": ClientCredentials("conformance-no-such-client", real.client_secret),
    }[case]
    return conformance.client.token_request(params, purpose=purpose, client=client)


def second_client(conformance: Scenario, lacking: str = "") -> ClientCredentials:
    """The second registered client (allowed neither issuing grant, owner of none of the first
    client's tokens), or the scenario is skipped saying how to name one: it is a fact of the
    deployment, not of its documentation."""
    other = conformance.client.credentials.restricted_client
    known = f"no client {lacking} is known" if lacking else "no second client is known"
    conformance.requires(
        other is not None,
        f"{known} (set CONFORMANCE_RESTRICTED_CLIENT_ID and CONFORMANCE_RESTRICTED_CLIENT_SECRET)",
    )
    assert other is not None
    return other
