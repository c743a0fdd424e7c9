"""Schemathesis against the document a profile implies: its cases sent by our client, its
checks run on our exchanges, each failure mapped onto the requirement catalogue.

Schemathesis generates the requests (positive and negative, from `conformance.profile.openapi`), but
never sends them: every request goes through `ConformanceClient`, with its budget, rate limit,
recording and redaction, in-process or over HTTP alike. Its checks then judge the answer:

| schemathesis check            | token endpoint                       | protected resource     |
|-------------------------------|--------------------------------------|------------------------|
| not_a_server_error            | RFC6749-5.2-error                    | RFC6750-3-reject       |
| status_code_conformance       | RFC6749-5.2-error                    | RFC6750-3-reject       |
| content_type_conformance      | RFC6749-5.1-json / RFC6749-5.2-error | DOC-rejection-body     |
| response_schema_conformance   | RFC6749-5.1-json (a documented member:  | DOC-rejection-body     |
|                               | DOC-response-fields) / RFC6749-5.2-error |                     |
| response_headers_conformance  | RFC6749-5.1-no-store, -pragma        | RFC6750-3-challenge    |
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests
from schemathesis import Case, CheckFunction
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conformance.checks.token_response import MEMBER_REQUIREMENT
from conformance.client import ConformanceClient, Exchange
from conformance.engine.findings import Finding
from conformance.profile import Profile
from conformance.requirements import Requirement, provider
from conformance.requirements.rfc import rfc6749, rfc6750

__all__ = ["CHECKS", "findings_for", "response_of", "send_case"]

_DROPPED_HEADERS = {"user-agent", "accept-encoding", "connection", "content-length", "host"}
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 §5.1 field-name


def _sendable(name: str, value: str) -> tuple[str, str] | None:
    """The header as HTTP/1.1 can carry it (RFC 9110 §5.5: surrounding blanks are not part of a
    field value; control characters cannot be sent), or None."""
    value = value.strip(" \t")
    if not _TOKEN.fullmatch(name) or any(c < " " and c != "\t" or c == "\x7f" for c in value):
        return None
    return name, value


CHECKS: dict[str, CheckFunction] = {
    "not_a_server_error": not_a_server_error,
    "status_code_conformance": status_code_conformance,
    "content_type_conformance": content_type_conformance,
    "response_schema_conformance": response_schema_conformance,
    "response_headers_conformance": response_headers_conformance,
}


def _form_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _form(data: dict[str, Any]) -> str:
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, _form_value(item)))
    return urlencode(pairs)


def send_case(
    client: ConformanceClient,
    case: Case[Any],
    kind: str,
    authorization: str | None = None,
    token: str | None = None,
    asks_token: bool = False,
) -> Exchange:
    """Send a schemathesis case through our client (`authorization` replaces the generated one;
    `asks_token`: the token budget paid for what it may obtain)."""
    kwargs = case.as_transport_kwargs(base_url="")
    sendable = (_sendable(str(k), str(v)) for k, v in kwargs.get("headers", {}).items())
    headers = [h for h in sendable if h is not None and h[0].lower() not in _DROPPED_HEADERS]
    if authorization is not None:
        headers = [(k, v) for k, v in headers if k.lower() != "authorization"] + [
            ("Authorization", authorization)
        ]
    params = kwargs.get("params") or {}
    query = urlencode([(k, _form_value(v)) for k, v in params.items()])
    content: bytes | None = None
    if "json" in kwargs:
        content = json.dumps(kwargs["json"]).encode()
    elif isinstance(kwargs.get("data"), dict):
        content = _form(kwargs["data"]).encode()
    elif isinstance(kwargs.get("data"), str | bytes):
        data = kwargs["data"]
        content = data.encode() if isinstance(data, str) else data
    target = case.formatted_path + (f"?{query}" if query else "")
    grant = (
        kwargs.get("data", {}).get("grant_type")
        if isinstance(kwargs.get("data"), dict)
        else params.get("grant_type")
    )
    return client.send_raw(
        case.method,
        target,
        kind="token" if kind == "token" else "resource",
        purpose=f"{kind}: schemathesis {case.meta.generation.mode.value if case.meta else 'explicit'} case",
        headers=headers,
        content=content,
        grant_type=grant if isinstance(grant, str) else None,
        token=token,
        asks_token=asks_token,
    )


def response_of(exchange: Exchange) -> Response:
    """The exchange as schemathesis sees a response (its body re-serialised from the parsed JSON,
    so checks see the real types; the request as recorded, redacted)."""
    if exchange.json is not None and not exchange.json_error:
        content = json.dumps(exchange.json).encode()
    else:
        content = exchange.response_body.encode()
    headers: dict[str, list[str]] = {}
    for name, value in exchange.response_headers:
        headers.setdefault(name, []).append(value)
    sent = requests.Request(
        exchange.method, exchange.url, headers=dict(exchange.request_headers), data=exchange.request_body
    ).prepare()
    return Response(exchange.status or 0, headers, content, sent, exchange.elapsed, verify=True)


# "Schema at /components/schemas/RFC6749TokenResponse/properties/<member>" or "'<member>' is a
# required property": which member of the token response a schema failure is about.
_SCHEMA_MEMBER = re.compile(r"/properties/(\w+)|['\"](\w+)['\"] is a required property")


def _member_requirement(message: str) -> Requirement:
    """The requirement the scripted schema check names for the same member (one judge per statement)."""
    found = _SCHEMA_MEMBER.search(message)
    if found is None:
        return rfc6749.SUCCESS_JSON
    member, required = found.group(1) or found.group(2), found.group(2) is not None
    if member == "access_token" and required:
        return rfc6749.SUCCESS_JSON
    return MEMBER_REQUIREMENT.get(member, rfc6749.SUCCESS_JSON)


def _requirement(
    check: str, kind: str, profile: Profile, exchange: Exchange, failure: Failure
) -> Requirement:
    ok = exchange.ok
    if kind == "token":
        if check == "response_headers_conformance":
            return rfc6749.PRAGMA_NO_CACHE if "pragma" in failure.message.lower() else rfc6749.NO_STORE
        if check == "response_schema_conformance" and ok:
            documented = set(profile.response_fields) - {"access_token", "token_type"}
            named = any(
                f"{quote}{field}{quote} is a required property" in failure.message
                for field in documented
                for quote in "'\""
            )
            return provider.DOCUMENTED_FIELDS if named else _member_requirement(failure.message)
        if check in ("content_type_conformance", "response_schema_conformance") and ok:
            return rfc6749.SUCCESS_JSON
        return rfc6749.ERROR_RESPONSE
    if check == "response_headers_conformance":
        return rfc6750.CHALLENGE
    if check in ("content_type_conformance", "response_schema_conformance"):
        return provider.REJECTION_BODY
    return rfc6750.REJECTS_BAD_TOKEN


def findings_for(
    case: Case[Any], exchange: Exchange, kind: str, profile: Profile, scrub: Callable[[str], str]
) -> list[Finding]:
    """Every schemathesis check on this exchange; each failure as a finding of its requirement."""
    if exchange.status is None:
        return []
    response = response_of(exchange)
    findings = []
    body = exchange.json
    holds_token = isinstance(body, dict) and "access_token" in body
    for name, check in CHECKS.items():
        if kind == "token" and name == "response_headers_conformance" and not holds_token:
            continue  # RFC 6749 §5.1's no-store and no-cache are for responses containing tokens
        try:
            case.validate_response(response, checks=[check])
        except (FailureGroup, Failure) as error:
            failures = list(error.exceptions) if isinstance(error, FailureGroup) else [error]
            for failure in failures:
                requirement = _requirement(name, kind, profile, exchange, failure)
                message = scrub(" ".join(failure.message.split()))[:500]
                expected = f"schemathesis {name}: no {failure.title.lower()}"
                findings.append(Finding(requirement, expected, message or failure.title, exchange))
    return findings
