"""Schemathesis against the OpenAPI document the profile implies (`conformance openapi`).

Positive and negative cases for the token endpoint and the protected resource, sent by our
client, judged by schemathesis's checks for server errors, status codes, content types,
response schemas and headers, and by our own exchange checks; each failure is reported
under the requirement it breaks (see conformance.checks.openapi).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode

from conformance.checks.openapi import findings_for, send_case
from conformance.client.client import basic_authorization
from conformance.engine.counterexample import Example, Search
from conformance.engine.scenario import Scenario
from conformance.profile.openapi import FORM, openapi_document
from conformance.pytest_plugin.markers import applies
from conformance.requirements import provider
from conformance.requirements.rfc import rfc6749, rfc6750

requirement = pytest.mark.requirement

MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@requirement(
    rfc6749.ERROR_RESPONSE,
    rfc6749.SUCCESS_JSON,
    rfc6749.NO_STORE,
    rfc6749.PRAGMA_NO_CACHE,
    provider.DOCUMENTED_FIELDS,
    rfc6750.REJECTS_BAD_TOKEN,
    rfc6750.CHALLENGE,
)
@pytest.mark.parametrize("operation", ["token", pytest.param("resource", marks=applies(resource=True))])
def test_schemathesis_against_the_documented_api(
    conformance: Scenario, request: pytest.FixtureRequest, operation: str
) -> None:
    profile, client = conformance.profile, conformance.client
    document = openapi_document(profile, client.target.resource_path)
    schema = schemathesis.openapi.from_dict(document)
    path = profile.token_path if operation == "token" else client.target.resource_path
    assert path is not None
    method = profile.token_method if operation == "token" else profile.resource.method
    api = schema[path][method.upper()]
    scrub = client.redactor.scrub
    credentials = client.credentials.client
    documented = (
        basic_authorization(credentials.client_id, credentials.client_secret)
        if credentials is not None and profile.client_auth == "basic"
        else None
    )

    # The documented request once, so the success response is checked against its schema too.
    documented_case: Case[Any] = api.Case(media_type=FORM if profile.parameter_location == "body" else None)
    if operation == "token":
        token = conformance.obtain_token("token: the documented request, checked by schemathesis")
        conformance.expect(findings_for(documented_case, token.exchange, "token", profile, scrub))

    search = Search.for_test(
        conformance,
        request,
        "schema",
        f"schemathesis, {method} {path}",
        rfc6749.ERROR_RESPONSE if operation == "token" else rfc6750.REJECTS_BAD_TOKEN,
    )

    def check(case: Case[Any], example: Example) -> None:
        positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
        # Positive cases carry the documented client credentials, to reach past client auth.
        authorization = documented if operation == "token" and positive else None
        if operation == "token" and positive and not client.token_budget.affords(1):
            # With the client's own credentials it may obtain a token: none is left to spend.
            example.note("a positive case, not sent: the run's token budget is spent")
            search.shortened = search.shortened or client.token_budget.shortened("positive token requests")
            return
        exchange = send_case(client, case, operation, authorization, asks_token=authorization is not None)
        example.note(f"sent a {'positive' if positive else 'negative'} case: {exchange.summary()}")
        example.expect(findings_for(case, exchange, operation, profile, scrub))

    strategy = st.sampled_from(MODES).flatmap(lambda mode: api.as_strategy(generation_mode=mode))
    search.run_given(strategy, check)
