"""`conformance openapi`: a valid OpenAPI 3.1 document (docs/reference/openapi.md shows Tourpaq's:
tests/test_docs.py keeps it current)."""

from __future__ import annotations

import json

import pytest
import schemathesis
import yaml

from conformance.cli import main
from conformance.profile import load_profile
from conformance.profile.openapi import openapi_document


@pytest.mark.parametrize("name", ["tourpaq", "daysoutguide", "rfc6749"])
def test_document_validates_as_openapi_3_1(name: str) -> None:
    document = openapi_document(load_profile(name), "/protected")
    assert document["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(document).validate()


def test_validation_is_real() -> None:
    document = openapi_document(load_profile("tourpaq"))
    document["paths"]["/api/token"]["post"]["responses"] = "none"
    with pytest.raises(Exception, match="responses|not of type"):
        schemathesis.openapi.from_dict(document).validate()


def test_profile_facts_in_the_document() -> None:
    tourpaq = openapi_document(load_profile("tourpaq"))
    token = tourpaq["paths"]["/api/token"]["post"]
    assert token["security"] == [{"clientBasic": []}]
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["properties"]["grant_type"]["enum"] == ["password", "refresh_token"]
    resource = tourpaq["paths"]["/api/HotelListExport/2013499853"]["get"]["responses"]["401"]
    assert resource["headers"]["WWW-Authenticate"]["required"] is True
    dog = openapi_document(load_profile("daysoutguide"))
    query = {p["name"]: p for p in dog["paths"]["/token"]["post"]["parameters"]}
    assert (
        set(query) == {"grant_type", "username", "password"}
        and "requestBody" not in dog["paths"]["/token"]["post"]
    )
    assert dog["paths"]["/token"]["post"]["security"] == []
    assert len(dog["paths"]) == 1  # the document names no resource


def test_cli_prints_yaml_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "--profile", "tourpaq"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == openapi_document(load_profile("tourpaq"))
    assert main(["openapi", "--profile", "daysoutguide", "--resource-path", "/api/x", "--json"]) == 0
    assert "/api/x" in json.loads(capsys.readouterr().out)["paths"]
