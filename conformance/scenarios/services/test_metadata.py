"""Published metadata: RFC 8414 authorization server metadata and RFC 9728 protected resource
metadata, where the profile says where they are; checked for their required members and against
what the server does."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.checks.expectations import outcome
from conformance.checks.services import (
    identifier_from,
    member_type_findings,
    metadata_document,
    required_member_findings,
)
from conformance.client import Exchange
from conformance.client.endpoints import fetch_metadata
from conformance.engine.findings import Finding
from conformance.engine.scenario import Scenario
from conformance.profile.model import CLIENT_AUTH_METHODS, ClientAuthMethod
from conformance.profile.offered import auth_method_names, grant_types_offered
from conformance.pytest_plugin.markers import applies
from conformance.requirements.rfc import rfc6749, rfc8414
from conformance.requirements.rfc.rfc8414 import AS_METADATA_PATH, PR_METADATA_PATH

requirement = pytest.mark.requirement

# RFC 8414 §2: grant_types_supported, when omitted, is ["authorization_code", "implicit"]; the
# implicit grant never reaches the token endpoint.
_DEFAULT_GRANTS = ["authorization_code", "implicit"]


def _same_identifier(got: object, expected: str) -> bool:
    """RFC 8414 §3.1: a terminating "/" is removed before the well-known segment is inserted."""
    return isinstance(got, str) and got.rstrip("/") == expected.rstrip("/")


def _endpoint_findings(conformance: Scenario, document: dict[str, Any], exchange: Exchange) -> list[Finding]:
    """The endpoints the document names are the ones the profile's scenarios reach."""
    profile = conformance.profile
    named = [("token_endpoint", profile.token_path)]
    if profile.revocation is not None:
        named.append(("revocation_endpoint", profile.revocation.path))
    if profile.introspection is not None:
        named.append(("introspection_endpoint", profile.introspection.path))
    findings = []
    for member, path in named:
        value = document.get(member)
        if isinstance(value, str) and urlsplit(value).path.rstrip("/") != path.rstrip("/"):
            findings.append(
                Finding(
                    rfc8414.ADVERTISED_WORKS,
                    f"{member} at {path}, where that endpoint answers",
                    f"{member} names the path {urlsplit(value).path}",
                    exchange,
                )
            )
    return findings


@requirement(
    rfc8414.REQUIRED_MEMBERS,
    rfc8414.ISSUER,
    rfc8414.MEMBER_TYPES,
    rfc8414.ADVERTISED_WORKS,
    rfc8414.LISTS_SUPPORTED,
)
@applies(metadata="authorization_server")
def test_authorization_server_metadata(conformance: Scenario) -> None:
    assert conformance.profile.metadata is not None
    path = conformance.profile.metadata.authorization_server
    assert path is not None
    exchange = fetch_metadata(conformance.client, path, "metadata: authorization server (RFC 8414)")
    document, findings = metadata_document(exchange, rfc8414.REQUIRED_MEMBERS, "RFC 8414 §3.2")
    if document is None:
        conformance.expect(findings)
        return
    findings += required_member_findings(document, exchange)
    conformance.expect(findings, rfc8414.REQUIRED_MEMBERS)
    target = conformance.client.target.base_url
    conformance.expect(member_type_findings(document, exchange, target), rfc8414.MEMBER_TYPES)
    expected_issuer = identifier_from(conformance.client.target.base_url, path, AS_METADATA_PATH)
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        wrong = (
            []
            if _same_identifier(issuer, expected_issuer)
            else [
                Finding(
                    rfc8414.ISSUER,
                    f"issuer {expected_issuer} (the metadata URL without {AS_METADATA_PATH})",
                    f"issuer {issuer}",
                    exchange,
                )
            ]
        )
        conformance.expect(wrong, rfc8414.ISSUER)
    advertised = _endpoint_findings(conformance, document, exchange)
    unpaid: list[str] = []  # what the token budget could not pay to try
    grants = document.get("grant_types_supported", _DEFAULT_GRANTS)
    for grant in grants if isinstance(grants, list) else []:
        if not isinstance(grant, str) or grant == "implicit":
            continue
        # Only the grant type: whatever else is missing, a grant the server supports is refused
        # for that (invalid_request, invalid_grant), never as unsupported_grant_type.
        params = [("grant_type", grant)]
        purpose = f"token: advertised grant type {grant}"
        # The client credentials grant asks for nothing more: this is its documented request.
        answer = _issuing(conformance, grant == "client_credentials", purpose, params)
        if answer is None:
            unpaid.append(f"grant_type {grant}")
            continue
        made_up = MADE_UP_GRANT_PARAMETERS.get(grant)
        if made_up is not None:
            # And with its own parameter, made up: refused as RFC 6749 §5.2 (and RFC 8628 §3.5 for
            # the device grant) say, which the exchange checks judge.
            conformance.client.token_request(
                [*params, *made_up],
                purpose=f"token: advertised grant type {grant}, a made-up {made_up[0][0]}",
            )
        if answer.error_code == "unsupported_grant_type":
            advertised.append(
                Finding(
                    rfc8414.ADVERTISED_WORKS,
                    f"grant_type {grant}, advertised in grant_types_supported, supported",
                    outcome(answer),
                    answer,
                )
            )
    advertised += _advertised_methods_work(conformance, document, unpaid)
    if unpaid and not advertised:
        why = conformance.client.token_budget.spent_reason(f"the requests that try {', '.join(unpaid)}")
        conformance.log.partial(rfc8414.ADVERTISED_WORKS, f"every other advertised value works; {why}")
    else:
        conformance.expect(advertised, rfc8414.ADVERTISED_WORKS)
    conformance.expect(_unlisted(conformance, document, exchange), rfc8414.LISTS_SUPPORTED)


# The parameter each advertised grant cannot do without, made up (no account is touched).
MADE_UP_GRANT_PARAMETERS: dict[str, list[tuple[str, str]]] = {
    "authorization_code": [
        ("code", "conformance-made-up-code"),
        ("redirect_uri", "https://conformance.invalid/cb"),
    ],
    "urn:ietf:params:oauth:grant-type:device_code": [("device_code", "conformance-made-up-device-code")],
}


def _issuing(
    conformance: Scenario,
    documented: bool,
    purpose: str,
    params: list[tuple[str, str]],
    method: ClientAuthMethod | None = None,
) -> Exchange | None:
    """The answer to a token request that issues a token if the server works: in a frugal run,
    the run's earlier answer to the same documented request where it has one; else sent, if
    the token budget pays for it (None where it cannot)."""
    client = conformance.client
    grant = params[0][1]
    if documented and conformance.bank is not None:
        earlier = conformance.bank.last_issued(grant)
        if earlier is not None:
            return earlier
    if not client.token_budget.affords(1):
        return None
    return client.token_request(params, purpose=purpose, method=method, asks_token=True)


def _advertised_methods_work(
    conformance: Scenario, document: dict[str, Any], unpaid: list[str]
) -> list[Finding]:
    """Each client authentication method the metadata advertises (of those the suite can use)
    authenticates the client: the real secret goes only in a shape the server advertises."""
    methods = document.get("token_endpoint_auth_methods_supported")
    client = conformance.client
    if not isinstance(methods, list) or client.credentials.client is None:
        return []
    profile = conformance.profile
    findings = []
    for method in [m for m in ("client_secret_basic", "client_secret_post") if m in methods]:
        if getattr(profile, "grant_client_credentials", False) is True:
            params = client.client_credentials_params()
        elif profile.grant_password is True:
            params = client.password_params()
        else:
            return []
        documented = method == CLIENT_AUTH_METHODS[profile.client_auth]
        purpose = f"token: advertised client authentication {method}"
        answer = _issuing(conformance, documented, purpose, params, method)
        if answer is None:
            unpaid.append(method)
            continue
        # Refused as a client (invalid_client, or 401): any other answer means it authenticated.
        if answer.error_code == "invalid_client" or answer.status == 401:
            finding = Finding(
                rfc8414.ADVERTISED_WORKS,
                f"the client authenticated by {method} (token_endpoint_auth_methods_supported)",
                outcome(answer),
                answer,
            )
            # Basic refused for credentials form encoding changes: the server's decoding, not its
            # metadata, is at fault (RFC6749-2.3.1-form-encoding).
            basic = answer.basic_form_encoded
            findings.append(finding.following(rfc6749.BASIC_FORM_ENCODED) if basic else finding)
    return findings


def _unlisted(conformance: Scenario, document: dict[str, Any], exchange: Exchange) -> list[Finding]:
    """What the profile says works but the metadata does not list: advisory only, the members
    being optional (RFC 8414 §2: auth methods default to client_secret_basic)."""
    profile = conformance.profile
    findings = []
    grants = document.get("grant_types_supported")
    if isinstance(grants, list):
        missing = [g for g in grant_types_offered(profile) if g not in grants]
        if missing:
            findings.append(
                Finding(
                    rfc8414.LISTS_SUPPORTED,
                    f"grant_types_supported listing {', '.join(missing)} ({profile.source_of('grants')})",
                    f"grant_types_supported is {grants}",
                    exchange,
                )
            )
    methods = document.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    if isinstance(methods, list) and profile.client_auth != "none":
        missing = [m for m in auth_method_names(profile) if m not in methods]
        if missing:
            findings.append(
                Finding(
                    rfc8414.LISTS_SUPPORTED,
                    f"token_endpoint_auth_methods_supported listing {', '.join(missing)}",
                    f"token_endpoint_auth_methods_supported is {methods}",
                    exchange,
                )
            )
    return findings


@requirement(rfc8414.RESOURCE)
@applies(metadata="protected_resource")
def test_protected_resource_metadata(conformance: Scenario) -> None:
    assert conformance.profile.metadata is not None
    path = conformance.profile.metadata.protected_resource
    assert path is not None
    exchange = fetch_metadata(conformance.client, path, "metadata: protected resource (RFC 9728)")
    document, findings = metadata_document(exchange, rfc8414.RESOURCE, "RFC 9728 §3.2")
    if document is not None:
        expected = identifier_from(conformance.client.target.base_url, path, PR_METADATA_PATH)
        resource = document.get("resource")
        if not _same_identifier(resource, expected):
            findings.append(
                Finding(
                    rfc8414.RESOURCE,
                    f"resource {expected} (the metadata URL without {PR_METADATA_PATH})",
                    f"resource {resource!r}",
                    exchange,
                )
            )
    conformance.expect(findings, rfc8414.RESOURCE)
