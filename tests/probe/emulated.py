"""Probe an emulator in-process, on a manual clock: the servers the probe has never met, bent by
a profile written in the test (no metadata, endpoints elsewhere, a scope the resource needs)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from conformance.client import ClientCredentials, Credentials, InProcessASGITransport
from conformance.clock import ManualClock
from conformance.emulator import Emulator
from conformance.probe import ProbeResult, ProbeSettings, learn_profile
from conformance.profile import Profile, load_profile

__all__ = ["learned", "probe", "profile_file"]

# The metadata sections of a profile that publishes none (its parent's endpoints stay).
NO_METADATA = "metadata: {authorization_server: null, protected_resource: null}\n"


def profile_file(tmp_path: Path, text: str, name: str = "server") -> Profile:
    """A profile written in the test, loaded as any other (`extends:` a built-in one)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\n{text}", encoding="utf-8")
    return load_profile(str(path))


def probe(
    profile: Profile,
    *,
    user: bool = True,
    with_client: bool = True,
    client: ClientCredentials | None = None,
    token_path: str | None = None,
    resource_path: str | None = "/protected",
    expiry_wait: float = 0.0,
    max_requests: int = 40,
    defects: Sequence[str] = (),
    variants: Sequence[str] = (),
) -> ProbeResult:
    """Probe the profile's emulator: with its user (or only a client pair), with its client (or
    `client`, or none), at `token_path` (None: where the metadata names it)."""
    # From the profile, not the environment: a CONFORMANCE_* variable must not bend the test.
    known = profile.emulator
    main = ClientCredentials(known.client_id, known.client_secret)
    restricted = ClientCredentials(known.restricted_client_id, known.restricted_client_secret)
    served = Credentials(main, known.username, known.password, restricted)
    chosen = (client or main) if with_client else None
    credentials = Credentials(chosen, known.username if user else "", known.password if user else "")
    clock = ManualClock()
    emulator = Emulator(profile, clock=clock, credentials=served, defects=defects, variants=variants)
    return learn_profile(
        ProbeSettings(
            url="http://emulator.probe",
            token_path=token_path,
            resource_path=resource_path,
            expiry_wait=expiry_wait,
            max_requests=max_requests,
        ),
        credentials,
        say=lambda line: None,
        transport=InProcessASGITransport(emulator.app),
        clock=clock,
    )


def learned(result: ProbeResult, tmp_path: Path) -> Profile:
    """The written profile, loaded back as `conformance run` would."""
    path = tmp_path / "learned.yaml"
    path.write_text(result.text, encoding="utf-8")
    return load_profile(str(path))
