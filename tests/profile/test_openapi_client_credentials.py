"""The OpenAPI document of a client-credentials-only profile (conformance.profile.openapi): the grant it
offers, no resource owner parameters, valid OpenAPI 3.1 (schemathesis runs on it)."""

from __future__ import annotations

import schemathesis

from conformance.profile import load_profile
from conformance.profile.openapi import openapi_document


def test_machine_document_offers_the_client_credentials_grant_only() -> None:
    document = openapi_document(load_profile("machine"), "/protected")
    schemathesis.openapi.from_dict(document).validate()
    form = document["paths"]["/token"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    schema = form["schema"]
    assert schema["properties"]["grant_type"]["enum"] == ["client_credentials"]
    assert not {"username", "password"} & set(schema["properties"])
    assert schema["oneOf"] == [
        {"properties": {"grant_type": {"const": "client_credentials"}}, "required": ["grant_type"]}
    ]
