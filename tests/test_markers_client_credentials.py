"""The needs of issue 11's client credentials scenarios (conformance.markers): each judged from
the profile, each unmet one skipped with the profile's reason."""

from __future__ import annotations

import dataclasses

from conformance.markers import NEEDS
from conformance.profile import load_profile


def test_client_credentials_needs_the_grant_and_client_authentication() -> None:
    judge = NEEDS["client_credentials"]
    machine = load_profile("machine")
    assert judge(machine, None, True) is None
    assert "grants.client_credentials is unspecified" in str(judge(load_profile("tourpaq"), None, True))
    refused = dataclasses.replace(machine, grant_client_credentials=False)
    assert "no client credentials grant" in str(judge(refused, None, True))
    public = dataclasses.replace(machine, client_auth="none", client_auth_methods=("none",))
    assert "no client authentication" in str(judge(public, None, True))


def test_auth_method_needs_are_judged_from_the_listed_methods() -> None:
    machine = load_profile("machine")
    basic_only = dataclasses.replace(machine, client_auth_methods=("client_secret_basic",))
    assert NEEDS["auth_method"](machine, None, "client_secret_post") is None
    assert "not client_secret_post" in str(NEEDS["auth_method"](basic_only, None, "client_secret_post"))
    assert NEEDS["auth_method_unlisted"](basic_only, None, "client_secret_post") is None
    assert "documented" in str(NEEDS["auth_method_unlisted"](machine, None, "client_secret_post"))


def test_scope_unknown_needs_the_documented_rule_and_a_scope() -> None:
    judge = NEEDS["scope_unknown"]
    machine = load_profile("machine")
    assert judge(machine, None, "refused") is None
    assert "an unknown scope is refused" in str(judge(machine, None, "ignored"))
    assert "scope.unknown is unspecified" in str(judge(load_profile("tourpaq"), None, "refused"))
    assert "no known scope" in str(judge(dataclasses.replace(machine, scope_value=None), None, "refused"))
