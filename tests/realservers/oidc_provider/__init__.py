"""panva/node-oidc-provider (npm `oidc-provider` 9.13.3, Node): an OpenID Certified OAuth 2.0 /
OpenID Connect authorization server library, run here as a client-credentials deployment.

The host app (`hostapp/server.mjs`) configures a Provider as the library's documentation shows:
the client credentials grant, token introspection (RFC 7662) and revocation (RFC 7009) enabled;
a "Client Credentials only" client (`token_endpoint_auth_method` left to its default,
`client_secret_basic`); a confidential client registered for the authorization code grant only
(the restricted client); the API's scopes (`read write`) declared through
`features.resourceIndicators`, whose `defaultResource` names the one API when a token request
names none, so every access token is an opaque token for that audience, valid 600 s (the default
`ttl.ClientCredentials`). The Bearer-protected `GET /api/resource` in the same process checks a
token by introspecting it with a "Resource Server only" client (active, `token_type` Bearer,
audience the API) and refuses otherwise with an RFC 6750 §3 challenge. State is the default
in-memory adapter: fresh on every start.

One leg, `encoded-client`: the suite's client is `conformance-encoded-client`, registered like
`conformance-cc-client` (client credentials only, `client_secret_basic`) but with a secret that
RFC 6749 §2.3.1 form-encodes in HTTP Basic (a space, `+`, `/`, `%`, `&`, `:`, `=`), so the one
run also checks that encoding; the two clients are otherwise alike (a run with each gave the same
verdicts). `conformance-cc-client` is for hand checks. The probe reads the RFC 8414 metadata.
"""

from __future__ import annotations

from tests.realservers.servers import Leg, RealServer

SERVER = RealServer(
    name="oidc_provider",
    kind="node",
    entry="server.mjs",
    library="oidc-provider",
    legs=(
        Leg(
            "encoded-client",
            "a client credentials client whose secret changes under form-encoding (RFC 6749 §2.3.1)",
            {
                "CONFORMANCE_CLIENT_ID": "conformance-encoded-client",
                "CONFORMANCE_CLIENT_SECRET": "enc secret+/%&:=~x",
                "CONFORMANCE_RESTRICTED_CLIENT_ID": "conformance-code-client",
                "CONFORMANCE_RESTRICTED_CLIENT_SECRET": "conformance-code-secret-8e3b61c0d2fa",
            },
        ),
    ),
    resource_path="/api/resource",
    # lib/helpers/valid_url.js calls URL.parse, which Node has since 20.18 (and 22.1): on the
    # Node 18 of Debian 12 the Provider cannot be constructed ("URL.parse is not a function").
    minimum_node="20.18",
)
