"""Django OAuth Toolkit (django-oauth-toolkit on PyPI, built on oauthlib): an OAuth 2.0
authorization server for Django, here a small Django project set up as DOT's "Getting started" and
tutorial pages show (`oauth2_provider` installed, its URLs under `o/`, a `ProtectedResourceView` at
`/api/hello`), SQLite for its state, library defaults otherwise: access tokens of 36000 s, refresh
token rotation, revocation at `/o/revoke_token/`, introspection at `/o/introspect/`, RFC 8414
metadata.

DOT's default Application model allows one grant per client (advanced_topics.rst, "Multiple
Grants"), so the suite runs in two legs: `password`, with the password client (refresh tokens
come with its grant) and the user, and `client-credentials`, with the client credentials client
alone (no user: the password and refresh scenarios read "not checked"). In both, the second
client, registered for the authorization code grant, is the one allowed neither grant. One more
client is registered for hand checks, not used by the suite: `conformance-encoded-client` (secret
`enc+secret/50% off&more=yes`, the password grant: RFC 6749 §2.3.1 form-encoding in Basic).
The probe learns the server with the password leg's credentials, from its RFC 8414 metadata.
"""

from tests.realservers.servers import Leg, RealServer

RESTRICTED = {
    "CONFORMANCE_RESTRICTED_CLIENT_ID": "conformance-restricted-client",
    "CONFORMANCE_RESTRICTED_CLIENT_SECRET": "conformance-restricted-secret-dot-9c4f02",
}

SERVER = RealServer(
    name="django_oauth_toolkit",
    kind="python",
    entry="serve.py",
    library="django-oauth-toolkit",
    legs=(
        Leg(
            "password",
            "the password client and the user: password and refresh grants, revocation, introspection",
            {
                "CONFORMANCE_CLIENT_ID": "conformance-client",
                "CONFORMANCE_CLIENT_SECRET": "conformance-secret-dot-7f3a9c",
                "CONFORMANCE_USERNAME": "conformance-user",
                "CONFORMANCE_PASSWORD": "conformance-password-dot-51d2",
                **RESTRICTED,
            },
        ),
        Leg(
            "client-credentials",
            "the client credentials client alone: that grant, revocation, introspection",
            {
                "CONFORMANCE_CLIENT_ID": "conformance-cc-client",
                "CONFORMANCE_CLIENT_SECRET": "conformance-cc-secret-dot-3b8e1d",
                **RESTRICTED,
            },
        ),
    ),
    resource_path="/api/hello",
)
