"""`conformance probe`: learn a draft profile from a live server, by experiment.

Documentation is where a profile starts, and documentation is wrong in places (the Days Out
Guide says milliseconds and means seconds). The probe asks the server itself, within a small
request budget and without retries, and writes a profile whose every value says how it was
learned, for a person to review and commit.

    learn      ProbeSettings + Credentials -> ProbeResult (the YAML text and the Draft)
    experiments  the questions, in the order a live server can bear them
    metadata   what RFC 8414 and RFC 9728 metadata advertise, read first
    discovery  how tokens are issued: the grant, every client authentication method, the location
    scope      the scope to ask for, an unknown scope's fate, the scope the resource needs
    services   revocation and introspection: advertised, or looked for beside the token endpoint
    rejection  how the resource refuses a token
    refresh    the refresh grant, rotation, a used refresh token, the access token a refresh replaced
    lifetime   the real lifetime of a token, and the unit of expires_in it implies
    draft      learned values, each with how it was learned
    render     the YAML with its comments, validated against the profile schema
"""

from __future__ import annotations

from conformance.probe.draft import Draft, Fact
from conformance.probe.learn import DEFAULT_MAX_REQUESTS, ProbeResult, ProbeSettings, learn_profile

__all__ = [
    "DEFAULT_MAX_REQUESTS",
    "Draft",
    "Fact",
    "ProbeResult",
    "ProbeSettings",
    "learn_profile",
]
