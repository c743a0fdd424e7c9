"""The two rules every layer reads off an exchange: was a token issued, is the body a JSON object."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks import audit
from conformance.checks.expectations import expect_issued
from conformance.checks.generated import judge_token
from conformance.client import Exchange
from conformance.credentials import Credentials
from conformance.expected import Verdict
from conformance.profile import load_profile
from conformance.requirements.rfc import rfc6749
from conformance.strategies import RequestCase, move_catalogue
from tests.exchanges import recorded

TOURPAQ = load_profile("tourpaq")


def answer(status: int | None, body: Any = None, json_error: str | None = None) -> Exchange:
    return recorded(
        status=status,
        response_headers=[("Content-Type", "application/json")],
        json=body,
        json_error=json_error,
    )


@pytest.mark.parametrize(
    ("status", "body", "token"),
    [
        (200, {"access_token": "abc"}, "abc"),
        (201, {"access_token": ""}, ""),  # empty, but issued: the checks judge its value
        (400, {"access_token": "abc"}, None),
        (200, {"access_token": 5}, None),
        (200, ["access_token"], None),
        (None, None, None),
    ],
)
def test_issued_token(status: int | None, body: Any, token: str | None) -> None:
    assert answer(status, body).issued_token == token


def test_an_empty_token_is_issued_for_a_judge_but_no_token_to_go_on_with() -> None:
    empty = answer(200, {"access_token": ""})
    moves = move_catalogue(TOURPAQ, Credentials.for_emulator(TOURPAQ))
    refused = next(m for m in moves if m.verdict is Verdict.REFUSE)
    assert judge_token(RequestCase((refused,)), empty), "a refused request got a token, even an empty one"
    assert expect_issued(empty, rfc6749.PASSWORD_GRANT_ISSUES, "the documented request")


@pytest.mark.parametrize(
    ("body", "json_error", "problem"),
    [
        ({"error": "invalid_grant"}, None, None),
        (["error"], None, "body is a JSON list, not an object"),
        ("error", None, "body is a JSON str, not an object"),
        (None, "body is not JSON (JSONDecodeError)", "body is not JSON (JSONDecodeError)"),
    ],
)
def test_json_object_problem(body: Any, json_error: str | None, problem: str | None) -> None:
    assert answer(400, body, json_error).json_object_problem == problem


@pytest.mark.parametrize("status", [200, 400])
def test_success_and_refusal_checks_name_the_same_problem(status: int) -> None:
    findings = audit(TOURPAQ, answer(status, [1, 2]))
    assert any("body is a JSON list, not an object" in f.got for f in findings), findings
