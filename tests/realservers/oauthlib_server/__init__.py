"""oauthlib (https://github.com/oauthlib/oauthlib), the Python OAuth 2.0 provider framework, as its
documentation shows it used: an in-memory `RequestValidator` behind the pre-configured
all-in-one `oauthlib.oauth2.Server`, served by a small standard-library WSGI app
(`hostapp/oauthlib_server.py`): token (password, refresh token, client credentials), revocation
(RFC 7009), introspection (RFC 7662) and a Bearer-protected resource that needs the scope `read`.
`profile.yaml` says what oauthlib's documentation states; where it is silent, `unspecified`.

Two legs: `password`, with the client registered for all three grants and the user; and
`encoded-client`, with the client whose id and secret hold characters RFC 6749 §2.3.1
form-encodes in HTTP Basic (`:`, a space, `@`, `+`, `%`, `/`, a non-ASCII letter), registered for
the client credentials grant alone (no user: the password and refresh scenarios read "not
checked"). The probe learns the server with the password leg's credentials; the host app
publishes no RFC 8414 metadata, so it is told the token endpoint.
"""

from tests.realservers.servers import Leg, RealServer

RESTRICTED = {
    "CONFORMANCE_RESTRICTED_CLIENT_ID": "conformance-restricted-client",
    "CONFORMANCE_RESTRICTED_CLIENT_SECRET": "conformance-restricted-secret-9c4f02",
}

SERVER = RealServer(
    name="oauthlib_server",
    kind="python",
    entry="oauthlib_server.py",
    library="oauthlib",
    legs=(
        Leg(
            "password",
            "the client of all three grants and the user: every grant, revocation, introspection",
            {
                "CONFORMANCE_CLIENT_ID": "conformance-client",
                "CONFORMANCE_CLIENT_SECRET": "conformance-secret-7f3a9c",
                "CONFORMANCE_USERNAME": "conformance-user",
                "CONFORMANCE_PASSWORD": "conformance-password-51d2",
                **RESTRICTED,
            },
        ),
        Leg(
            "encoded-client",
            "a client credentials client whose id and secret change under form-encoding (RFC 6749 §2.3.1)",
            {
                "CONFORMANCE_CLIENT_ID": "conformance:special client",
                "CONFORMANCE_CLIENT_SECRET": "p@ss:w+rd %/\u00e9",
                **RESTRICTED,
            },
        ),
    ),
    resource_path="/api/resource",
    token_path="/token",
)
