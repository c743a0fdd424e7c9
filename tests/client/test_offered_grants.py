"""A run's scenarios never send a grant the profile does not offer: the client refuses to, as a
bug of the suite (the races once sent password grants to a server documented without them, and
failed its correct refusal). The probe, finding out what is offered, may send any."""

from __future__ import annotations

import pytest

from conformance.client import ConformanceClient, InProcessASGITransport, Target
from conformance.clock import ManualClock
from conformance.credentials import Credentials
from conformance.emulator import Emulator
from conformance.errors import SuiteError
from conformance.profile import load_profile
from conformance.redaction import Redactor


def _client(profile_name: str, *, offered_grants_only: bool) -> tuple[ConformanceClient, Emulator]:
    profile = load_profile(profile_name)
    emulator = Emulator(profile)
    credentials = Credentials.for_emulator(profile)
    client = ConformanceClient(
        profile,
        Target("http://emulator.test", True, "/protected"),
        credentials,
        Redactor(),
        ManualClock(),
        transport=InProcessASGITransport(emulator.app),
        offered_grants_only=offered_grants_only,
    )
    return client, emulator


@pytest.mark.parametrize(
    ("profile_name", "grant"),
    [("machine", "password"), ("tourpaq", "client_credentials"), ("daysoutguide", "client_credentials")],
)
def test_a_grant_the_profile_does_not_offer_is_never_sent(profile_name: str, grant: str) -> None:
    client, emulator = _client(profile_name, offered_grants_only=True)
    try:

        def by_name() -> object:
            return client.grant_request(grant, "token: a grant not offered")

        def by_helper() -> object:
            if grant == "password":
                return client.password_grant("token: a grant not offered")
            return client.client_credentials_grant("token: a grant not offered")

        for send in (by_name, by_helper):
            with pytest.raises(SuiteError, match="does not offer .*bug of the suite, nothing was sent"):
                send()
        assert emulator.requests_served == 0 and client.exchanges == []
    finally:
        client.close()


def test_an_offered_grant_is_sent_and_the_probe_may_send_any() -> None:
    client, _ = _client("machine", offered_grants_only=True)
    probe, emulator = _client("machine", offered_grants_only=False)
    try:
        assert client.grant_request("client_credentials", "token: offered").issued_token is not None
        probe.password_grant("probe: is the password grant offered?")
        assert emulator.requests_served == 1
    finally:
        client.close()
        probe.close()
