"""Exchange checks are pure functions: crafted exchanges in, findings out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from conformance.checks import audit
from conformance.client import Exchange
from conformance.client.exchange import ExchangeKind
from conformance.profile import load_profile
from tests.exchanges import recorded

TOURPAQ = load_profile("tourpaq")
DOG = load_profile("daysoutguide")
GOOD_HEADERS = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
]
GOOD_BODY = {"access_token": "a" * 40, "token_type": "bearer", "expires_in": 1799, "refresh_token": "r" * 32}


def exchange(
    kind: ExchangeKind = "token",
    status: int = 200,
    headers: list[tuple[str, str]] | None = None,
    body: Any = None,
    auth: str | None = None,
    grant: str | None = "password",
    token_key: str | None = None,
) -> Exchange:
    return recorded(
        kind,
        status=status,
        response_headers=list(GOOD_HEADERS if headers is None else headers),
        json=body,
        auth_scheme_sent=auth,
        grant_type=grant,
        token_key=token_key,
    )


def ids(findings: list[Any]) -> set[str]:
    return {f.requirement.id for f in findings}


def test_conformant_token_response_has_no_findings() -> None:
    assert audit(TOURPAQ, exchange(body=GOOD_BODY)) == []


@pytest.mark.parametrize(
    ("change", "requirement"),
    [
        ({"token_type": "mac"}, "RFC6749-5.1-token-type"),
        ({"token_type": None}, "RFC6749-5.1-token-type"),
        ({"expires_in": "1799"}, "RFC6749-5.1-expires-in"),
        ({"expires_in": 0}, "RFC6749-5.1-expires-in"),
        ({"expires_in": 17.5}, "RFC6749-5.1-expires-in"),
        ({"access_token": ""}, "RFC6749-A.12"),
        ({"access_token": "tab\there"}, "RFC6749-A.12"),
        ({"refresh_token": "é" * 20}, "RFC6749-A.17"),
    ],
)
def test_token_response_member_deviations(change: dict[str, Any], requirement: str) -> None:
    body = {k: v for k, v in {**GOOD_BODY, **change}.items() if v is not None}
    assert requirement in ids(audit(TOURPAQ, exchange(body=body)))


def test_bearer_in_any_case_is_fine() -> None:
    assert audit(TOURPAQ, exchange(body={**GOOD_BODY, "token_type": "Bearer"})) == []


def test_missing_documented_member_is_a_provider_finding() -> None:
    body = {k: v for k, v in GOOD_BODY.items() if k != "refresh_token"}
    assert ids(audit(TOURPAQ, exchange(body=body))) == {"DOC-response-fields"}


def test_refresh_token_where_the_provider_issues_none() -> None:
    body = {**GOOD_BODY, "expires_in": 86399}
    assert ids(audit(DOG, exchange(body=body))) == {"DOC-no-refresh"}


@pytest.mark.parametrize(
    ("headers", "requirement"),
    [
        ([("Content-Type", "application/json"), ("Pragma", "no-cache")], "RFC6749-5.1-no-store"),
        (
            [("Content-Type", "application/json"), ("Cache-Control", "no-cache"), ("Pragma", "no-cache")],
            "RFC6749-5.1-no-store",
        ),
        (
            [("Content-Type", "application/json"), ("Cache-Control", "private, no-store")],
            "RFC6749-5.1-pragma",
        ),
        (
            [("Content-Type", "text/plain"), ("Cache-Control", "no-store"), ("Pragma", "no-cache")],
            "RFC6749-5.1-json",
        ),
    ],
)
def test_token_response_header_deviations(headers: list[tuple[str, str]], requirement: str) -> None:
    assert ids(audit(TOURPAQ, exchange(headers=headers, body=GOOD_BODY))) == {requirement}


def test_cache_control_directives_in_any_order_and_case() -> None:
    headers = [
        ("Content-Type", "application/json"),
        ("Cache-Control", "No-Cache, NO-STORE"),
        ("Pragma", "no-cache"),
    ]
    assert audit(TOURPAQ, exchange(headers=headers, body=GOOD_BODY)) == []


def test_created_instead_of_ok() -> None:
    assert ids(audit(TOURPAQ, exchange(status=201, body=GOOD_BODY))) == {"RFC6749-5.1-json"}


JSON = [("Content-Type", "application/json")]


@pytest.mark.parametrize(
    ("status", "body", "auth", "headers", "expected"),
    [
        (400, {"error": "invalid_grant"}, None, JSON, set()),
        (401, {"error": "invalid_client"}, "Basic", JSON + [("WWW-Authenticate", 'Basic realm="x"')], set()),
        (400, {"error": "invalid_client"}, None, JSON, set()),
        (400, {"error": "invalid_client"}, "Basic", JSON, {"RFC6749-5.2-invalid-client-401"}),
        (
            401,
            {"error": "invalid_client"},
            "Basic",
            JSON + [("WWW-Authenticate", "Bearer")],
            {"RFC6749-5.2-invalid-client-401"},
        ),
        # A 401 without a challenge breaks RFC 9110 too; that finding follows from the wrong status
        # (test_a_401_without_a_challenge_is_judged_by_rfc9110 below).
        (401, {"error": "invalid_grant"}, None, JSON, {"RFC6749-5.2-error", "RFC9110-15.5.2-challenge"}),
        (401, {"error": "invalid_client"}, None, JSON, {"RFC9110-15.5.2-challenge"}),
        (
            401,
            {"error": "invalid_client"},
            None,
            JSON + [("WWW-Authenticate", 'Basic realm="x"')],
            set(),
        ),
        (500, {"error": "server_error"}, None, JSON, {"RFC6749-5.2-error"}),
        (400, {"error": "bad_password"}, None, JSON, {"RFC6749-5.2-error"}),
        (400, {"message": "nope"}, None, JSON, {"RFC6749-5.2-error"}),
        (400, None, None, [("Content-Type", "text/html")], {"RFC6749-5.2-error"}),
    ],
)
def test_token_error_responses(
    status: int, body: Any, auth: str | None, headers: list[tuple[str, str]], expected: set[str]
) -> None:
    assert ids(audit(TOURPAQ, exchange(status=status, body=body, auth=auth, headers=headers))) == expected


def test_a_401_without_a_challenge_is_judged_by_rfc9110() -> None:
    """Body credentials refused with 401 and no challenge (as node-oidc-provider answers) break
    RFC 9110 §15.5.2 alone; a 401 for another error follows from its wrong status."""
    body_auth = audit(
        TOURPAQ, exchange(status=401, body={"error": "invalid_client"}, auth=None, headers=JSON)
    )
    (alone,) = body_auth
    assert alone.requirement.id == "RFC9110-15.5.2-challenge" and not alone.follows_from
    wrong = audit(TOURPAQ, exchange(status=401, body={"error": "invalid_grant"}, auth=None, headers=JSON))
    following = next(f for f in wrong if f.requirement.id == "RFC9110-15.5.2-challenge")
    assert following.follows_from == ("RFC6749-5.2-error",)


def _rejection(
    status: int = 401,
    challenge: str | None = 'Bearer realm="x", error="invalid_token"',
    body: Any = None,
    auth: str | None = "Bearer",
    key: str | None = "k",
) -> Exchange:
    headers = [("Content-Type", "application/json")] + (
        [("WWW-Authenticate", challenge)] if challenge else []
    )
    return exchange(
        "resource",
        status,
        headers,
        body if body is not None else {"Message": "denied"},
        auth=auth,
        grant=None,
        token_key=key,
    )


def test_conformant_rejection() -> None:
    assert audit(TOURPAQ, _rejection()) == []


@pytest.mark.parametrize(
    ("rejection", "expected"),
    [
        (
            _rejection(challenge=None),
            {"RFC6750-3-challenge", "RFC6750-3.1-invalid-token-code", "DOC-rejection-challenge"},
        ),
        # One statement, one requirement: a 403 is the status's fault only, a bare challenge the code's.
        (_rejection(status=403), {"RFC6750-3.1-invalid-token", "DOC-rejection-status"}),
        (_rejection(challenge="Bearer"), {"RFC6750-3.1-invalid-token-code"}),
        (
            _rejection(challenge='Bearer realm="a", realm="b", error="invalid_token"'),
            {"RFC6750-3-realm-once"},
        ),
        (
            _rejection(auth=None, key=None, challenge='Bearer error="invalid_token"'),
            {"RFC6750-3.1-no-error-code"},
        ),
        # a malformed request: 400 invalid_request is what RFC 6750 §3.1 asks for
        (_rejection(status=400, key=None, challenge='Bearer error="invalid_request"'), set()),
    ],
)
def test_resource_rejections(rejection: Exchange, expected: set[str]) -> None:
    assert ids(audit(TOURPAQ, rejection)) == expected


def test_a_request_with_credentials_of_any_kind_may_get_an_error_code() -> None:
    """RFC 6750 §3.1's "no error code" is for a request without authentication information: an
    empty Authorization header (malformed: invalid_request) or a token in the query is not one."""
    challenge = [("WWW-Authenticate", 'Bearer error="invalid_request"')]
    empty = replace(
        recorded("resource", status=400, response_headers=challenge), request_headers=[("authorization", "")]
    )
    queried = recorded("resource", status=401, response_headers=challenge, url="http://x/r?access_token=<t>")
    bare = recorded("resource", status=401, response_headers=challenge)
    assert "RFC6750-3.1-no-error-code" not in ids(audit(TOURPAQ, empty))
    assert "RFC6750-3.1-no-error-code" not in ids(audit(TOURPAQ, queried))
    assert "RFC6750-3.1-no-error-code" in ids(audit(TOURPAQ, bare))


def test_documented_rejection_body() -> None:
    good = _rejection(body={"message": "Authorization has been denied for this request."})
    assert audit(DOG, good) == []
    assert ids(audit(DOG, _rejection(body={"error": "invalid_token"}))) == {"DOC-rejection-body"}


def test_media_type_refusal_of_a_non_form_body_is_allowed() -> None:
    refusal = exchange(status=415, body=None, headers=[("Content-Type", "text/html")])
    refusal.request_headers = [("Content-Type", "application/json")]
    assert audit(TOURPAQ, refusal) == []
    form = exchange(status=415, body=None, headers=[("Content-Type", "text/html")])
    form.request_headers = [("Content-Type", "application/x-www-form-urlencoded")]
    assert ids(audit(TOURPAQ, form)) == {"RFC6749-5.2-error"}
