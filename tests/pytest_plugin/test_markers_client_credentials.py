"""The needs of issue 11's client credentials scenarios (conformance.pytest_plugin.markers): each judged from
the profile, each unmet one skipped with the profile's reason."""

from __future__ import annotations

import dataclasses

from conformance.profile import load_profile
from conformance.pytest_plugin.markers import NEEDS, Subject


def test_client_credentials_needs_the_grant_and_client_authentication() -> None:
    judge = NEEDS.get("client_credentials")
    machine = load_profile("machine")
    assert judge(Subject(machine), True) is None
    assert "grants.client_credentials is unspecified" in str(judge(Subject(load_profile("tourpaq")), True))
    refused = dataclasses.replace(machine, grant_client_credentials=False)
    assert "the client credentials grant is not offered" in str(judge(Subject(refused), True))
    public = dataclasses.replace(machine, client_auth="none", client_auth_methods=("none",))
    assert "no client authentication" in str(judge(Subject(public), True))


def test_auth_method_needs_are_judged_from_the_listed_methods() -> None:
    machine = load_profile("machine")
    basic_only = dataclasses.replace(machine, client_auth_methods=("client_secret_basic",))
    assert NEEDS.get("auth_method")(Subject(machine), "client_secret_post") is None
    assert "not client_secret_post" in str(
        NEEDS.get("auth_method")(Subject(basic_only), "client_secret_post")
    )
    assert NEEDS.get("auth_method_unlisted")(Subject(basic_only), "client_secret_post") is None
    assert "documented" in str(NEEDS.get("auth_method_unlisted")(Subject(machine), "client_secret_post"))


def test_scope_unknown_needs_the_documented_rule_and_a_scope() -> None:
    judge = NEEDS.get("scope_unknown")
    machine = load_profile("machine")
    assert judge(Subject(machine), "refused") is None
    assert "an unknown scope is refused" in str(judge(Subject(machine), "ignored"))
    assert "scope.unknown is unspecified" in str(judge(Subject(load_profile("tourpaq")), "refused"))
    assert "no known scope" in str(judge(Subject(dataclasses.replace(machine, scope_value=None)), "refused"))
