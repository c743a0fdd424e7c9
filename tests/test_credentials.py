"""Who the suite logs in as: a client-credentials-only profile asks for no user credentials."""

from __future__ import annotations

import pytest

from conformance.credentials import Credentials
from conformance.errors import UsageError
from conformance.profile import load_profile


def test_a_client_credentials_only_profile_needs_no_user(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("USERNAME", "PASSWORD", "RESTRICTED_CLIENT_ID", "RESTRICTED_CLIENT_SECRET"):
        monkeypatch.delenv(f"CONFORMANCE_{name}", raising=False)
    monkeypatch.setenv("CONFORMANCE_CLIENT_ID", "machine-client")
    monkeypatch.setenv("CONFORMANCE_CLIENT_SECRET", "machine-secret-0123")
    credentials = Credentials.from_environment(load_profile("machine"))
    assert (credentials.username, credentials.password) == ("", "")
    assert credentials.client is not None and credentials.restricted_client is None
    # A password-grant profile still asks for its user, naming the variables.
    with pytest.raises(UsageError, match="CONFORMANCE_USERNAME, CONFORMANCE_PASSWORD"):
        Credentials.from_environment(load_profile("tourpaq"))


def test_the_restricted_client_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFORMANCE_CLIENT_ID", "machine-client")
    monkeypatch.setenv("CONFORMANCE_CLIENT_SECRET", "machine-secret-0123")
    monkeypatch.setenv("CONFORMANCE_RESTRICTED_CLIENT_ID", "restricted-client")
    monkeypatch.setenv("CONFORMANCE_RESTRICTED_CLIENT_SECRET", "restricted-secret-4567")
    credentials = Credentials.from_environment(load_profile("machine"))
    assert credentials.restricted_client is not None
    assert credentials.restricted_client.client_id == "restricted-client"
    assert "restricted-secret" not in repr(credentials)


def test_partial_credentials_run_what_they_allow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile offering both grants, run with client credentials only: the client credentials
    grant is exercised, the password grant is "not checked" naming what would make it run."""
    import dataclasses

    for name in ("USERNAME", "PASSWORD", "RESTRICTED_CLIENT_ID", "RESTRICTED_CLIENT_SECRET"):
        monkeypatch.delenv(f"CONFORMANCE_{name}", raising=False)
    monkeypatch.setenv("CONFORMANCE_CLIENT_ID", "machine-client")
    monkeypatch.setenv("CONFORMANCE_CLIENT_SECRET", "machine-secret-0123")
    both = dataclasses.replace(load_profile("machine"), grant_password=True)
    credentials = Credentials.from_environment(both)
    assert credentials.issuing_grants(both) == ("client_credentials",)
    reason = credentials.grant_unavailable(both, "password")
    assert reason == "not checked: the password grant needs CONFORMANCE_USERNAME and CONFORMANCE_PASSWORD"
    # Nothing at all to exercise: a usage error that names every way out.
    monkeypatch.delenv("CONFORMANCE_CLIENT_SECRET")
    with pytest.raises(
        UsageError, match=r"\(password grant\) or CONFORMANCE_CLIENT_ID, CONFORMANCE_CLIENT_SECRET"
    ):
        Credentials.from_environment(both)
