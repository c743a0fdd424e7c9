"""RFC 6749 (OAuth 2.0) requirements on the token endpoint."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register
from conformance.requirements.peers import authlib, doorkeeper, dot, oauthlib

__all__ = [
    "ERROR_CODES",
    "REFRESH_CLIENT_BINDING",
    "REFRESH_MISSING_TOKEN",
    "REFRESH_SCOPE",
    "REFRESH_SCOPE_KEPT",
    "BASIC_FORM_ENCODED",
    "EMPTY_PARAMETER",
    "FAILED_BASIC",
    "ISSUES_BY_GRANT",
    "ACCESS_TOKEN_CHARSET",
    "BASIC_SUPPORTED",
    "CREDENTIALS_NOT_IN_URI",
    "CC_CLIENT_AUTH",
    "CC_ISSUES",
    "CC_NO_REFRESH_TOKEN",
    "CC_UNAUTHORIZED_CLIENT",
    "PASSWORD_UNAUTHORIZED_CLIENT",
    "CLIENT_AUTH_REQUIRED",
    "ERROR_RESPONSE",
    "EXPIRES_IN_TYPE",
    "INVALID_CLIENT_401",
    "INVALID_SCOPE",
    "LIFETIME_AS_STATED",
    "LISTED_AUTH_METHODS",
    "MISSING_GRANT_TYPE",
    "MISSING_PARAMETER",
    "NO_STORE",
    "ONE_AUTH_METHOD",
    "PASSWORD_GRANT_ISSUES",
    "POST_ONLY",
    "PRAGMA_NO_CACHE",
    "REFRESH_CLIENT_AUTH",
    "REFRESH_TOKEN_CHARSET",
    "REFRESH_UNKNOWN_TOKEN",
    "REFRESH_USED_TOKEN_CODE",
    "REFRESH_WORKS",
    "REPEATED_PARAMETER",
    "STRUCTURED_PARAMETER",
    "SCOPE_ENCODING",
    "SCOPE_RETURNED",
    "SUCCESS_JSON",
    "TOKENS_160_BITS",
    "TOKENS_UNGUESSABLE",
    "TOKENS_UNIQUE",
    "TOKEN_TYPE",
    "UNKNOWN_PARAMETER_IGNORED",
    "UNSUPPORTED_GRANT",
    "WRONG_CREDENTIALS",
]

# Peer test files cited more than once.
_DK_REFRESH = "lib/oauth/refresh_token_request_spec.rb"

SUCCESS_JSON = register(
    "RFC6749-5.1-json",
    Level.MUST,
    "RFC 6749 §5.1",
    "A successful token response is HTTP 200 with Content-Type application/json and a JSON object "
    "holding access_token and token_type.",
)
TOKEN_TYPE = register(
    "RFC6749-5.1-token-type",
    Level.MUST,
    "RFC 6749 §5.1, §7.1; RFC 6750 §4",
    "token_type is the documented type (bearer), compared case-insensitively.",
)
EXPIRES_IN_TYPE = register(
    "RFC6749-5.1-expires-in",
    Level.MUST,
    "RFC 6749 §5.1, Appendix A.14",
    "expires_in, when present, is a positive integer (a JSON number, not a string).",
)
NO_STORE = register(
    "RFC6749-5.1-no-store",
    Level.MUST,
    "RFC 6749 §5.1",
    "A response containing tokens carries Cache-Control: no-store.",
)
PRAGMA_NO_CACHE = register(
    "RFC6749-5.1-pragma",
    Level.MUST,
    "RFC 6749 §5.1",
    "A response containing tokens carries Pragma: no-cache.",
)
ACCESS_TOKEN_CHARSET = register(
    "RFC6749-A.12",
    Level.MUST,
    "RFC 6749 Appendix A.12",
    "access_token is a non-empty string of visible ASCII characters (1*VSCHAR).",
)
REFRESH_TOKEN_CHARSET = register(
    "RFC6749-A.17",
    Level.MUST,
    "RFC 6749 Appendix A.17",
    "refresh_token is a non-empty string of visible ASCII characters (1*VSCHAR).",
)
TOKENS_UNIQUE = register(
    "RFC6749-10.10-unique",
    Level.MUST,
    "RFC 6749 §10.10",
    "Every issuance yields an access token (and refresh token) never issued before.",
)
TOKENS_UNGUESSABLE = register(
    "RFC6749-10.10-guessing",
    Level.MUST,
    "RFC 6749 §10.10",
    "The probability of guessing a token is at most 2^-128: its length and alphabet can carry "
    "128 bits, and consecutive tokens do not differ only in their last characters (a counter).",
)
TOKENS_160_BITS = register(
    "RFC6749-10.10-entropy",
    Level.SHOULD,
    "RFC 6749 §10.10",
    "The probability of guessing a token should be at most 2^-160: its length and alphabet can "
    "carry 160 bits.",
)
LIFETIME_AS_STATED = register(
    "RFC6749-5.1-lifetime",
    Level.MUST,
    "RFC 6749 §5.1",
    "expires_in states the access token's real lifetime: accepted until then, rejected after "
    "(1 s allowed either way for whole-second clocks).",
)
ERROR_RESPONSE = register(
    "RFC6749-5.2-error",
    Level.MUST,
    "RFC 6749 §5.2",
    "A token error is HTTP 400 (401 for invalid_client) with a JSON body whose error is one of the "
    "RFC 6749 codes, in the allowed characters.",
)
INVALID_CLIENT_401 = register(
    "RFC6749-5.2-invalid-client-401",
    Level.MUST,
    "RFC 6749 §5.2",
    "invalid_client after HTTP authentication is HTTP 401 with a WWW-Authenticate header naming "
    "the scheme the client used.",
)
PASSWORD_GRANT_ISSUES = register(
    "RFC6749-4.3-issue",
    Level.MUST,
    "RFC 6749 §4.3.2, §4.3.3",
    "Valid resource owner credentials (and client credentials) yield an access token.",
)
WRONG_CREDENTIALS = register(
    "RFC6749-4.3-invalid-grant",
    Level.MUST,
    "RFC 6749 §4.3.2, §5.2",
    "A wrong password, an empty password or an unknown user is refused with invalid_grant.",
)
MISSING_PARAMETER = register(
    "RFC6749-4.3-missing-parameter",
    Level.MUST,
    "RFC 6749 §4.3.2, §5.2",
    "A request missing username or password is refused with invalid_request.",
)
MISSING_GRANT_TYPE = register(
    "RFC6749-5.2-missing-grant-type",
    Level.MUST,
    "RFC 6749 §4.3.2, §5.2",
    "A request without grant_type is refused with invalid_request.",
)
UNSUPPORTED_GRANT = register(
    "RFC6749-5.2-unsupported-grant",
    Level.MUST,
    "RFC 6749 §5.2",
    "An unknown grant_type is refused with unsupported_grant_type.",
)
UNKNOWN_PARAMETER_IGNORED = register(
    "RFC6749-3.2-unknown-parameter",
    Level.MUST,
    "RFC 6749 §3.2",
    "The token endpoint ignores unrecognized request parameters.",
)
CLIENT_AUTH_REQUIRED = register(
    "RFC6749-4.3-client-auth",
    Level.MUST,
    "RFC 6749 §4.3.2, §2.3.1, §5.2",
    "A confidential client must authenticate: missing or wrong client credentials, its id with an "
    "empty secret among them, are refused with invalid_client.",
    peers=[
        doorkeeper(
            "requests/flows/password_spec.rb",
            "doesn't downgrade a partial Basic auth attempt (empty secret) to no authentication",
        ),
        doorkeeper("requests/flows/password_spec.rb", "doesn't issue new token with bad client credentials"),
        authlib("test_password_grant.py", "test_invalid_client"),
    ],
)
REFRESH_WORKS = register(
    "RFC6749-6-refresh",
    Level.MUST,
    "RFC 6749 §6",
    "A valid refresh token, with client authentication, yields a new access token.",
)
REFRESH_UNKNOWN_TOKEN = register(
    "RFC6749-6-invalid-refresh-token",
    Level.MUST,
    "RFC 6749 §6, §5.2",
    "An unknown refresh token is refused with invalid_grant.",
)
# Split from RFC9700-4.14.2-rotation, which once bundled the refusal and its code.
REFRESH_USED_TOKEN_CODE = register(
    "RFC6749-6-used-refresh-token-code",
    Level.MUST,
    "RFC 6749 §6, §5.2",
    "A used (rotated-out) refresh token, when refused, is refused with invalid_grant (revoked).",
)
REFRESH_CLIENT_AUTH = register(
    "RFC6749-6-client-auth",
    Level.MUST,
    "RFC 6749 §6",
    "A refresh without client authentication, or with a wrong or empty client secret, is refused "
    "(invalid_client) when the client is confidential.",
    peers=[
        authlib("test_refresh_token.py", "test_invalid_client"),
        oauthlib("grant_types/test_refresh_token.py", "test_invalid_client"),
        doorkeeper("requests/flows/refresh_token_spec.rb", "returns an error with wrong credentials"),
    ],
)
REPEATED_PARAMETER = register(
    "RFC6749-3.2-repeated-parameter",
    Level.MUST,
    "RFC 6749 §3.2, §5.2",
    "A token request that repeats a parameter, with the same value or another, is refused with "
    "invalid_request, whichever parameter it is; it never yields a token.",
    peers=[
        oauthlib("grant_types/test_resource_owner_password.py", "test_invalid_request_duplicates"),
        oauthlib("endpoints/test_error_responses.py", "test_invalid_request_duplicate_params"),
    ],
)

# RFC 6749 §3.2: "The client MUST use the HTTP "POST" method when making access token requests"
# (RFC 7009 §2.1 and RFC 7662 §2.1 likewise): the MUST binds the client, so a server that serves a
# GET is warned, not failed (OAuch's IsGetSupportedTest reads it so too).
POST_ONLY = register(
    "RFC6749-3.2-post-only",
    Level.SHOULD,
    "RFC 6749 §3.2; RFC 7009 §2.1; RFC 7662 §2.1",
    "A request by GET at the token, revocation or introspection endpoint is refused (405, or HTTP "
    "400 invalid_request), not served: it yields no token, no revocation and no introspection "
    "answer.",
    peers=[
        oauthlib("endpoints/test_error_responses.py", "test_invalid_request_method"),
        oauthlib("endpoints/test_revocation_endpoint.py", "test_revoke_invalid_request_method"),
        oauthlib("endpoints/test_introspect_endpoint.py", "test_introspect_invalid_request_method"),
    ],
)

# Rails, Express (qs) and PHP turn `scope[a]=b` and `grant_type[]=password` into an object and an
# array: a flat reader ignores such a name (§3.2), a structured one must refuse the non-string.
STRUCTURED_PARAMETER = register(
    "RFC6749-3.2-structured-parameter",
    Level.MUST,
    "RFC 6749 §3.2, §5.2, Appendix B",
    "A parameter name with brackets (scope[a]=b, grant_type[]=password) is ignored as an "
    "unrecognized parameter or refused (invalid_request; invalid_scope for scope, "
    "unsupported_grant_type for grant_type): it never yields a token the request without it would "
    "not get, nor a server error.",
    peers=[
        doorkeeper(
            "requests/flows/client_credentials_spec.rb",
            "responds with invalid_request instead of a 500 (RFC 6749 §3.3)",
        ),
    ],
)

# -- the client credentials grant (§4.4) and client authentication methods (§2.3) ----------------
CC_ISSUES = register(
    "RFC6749-4.4-issue",
    Level.MUST,
    "RFC 6749 §4.4.2, §4.4.3",
    "A client credentials grant request with valid client authentication yields an access token.",
)
CC_CLIENT_AUTH = register(
    "RFC6749-4.4-client-auth",
    Level.MUST,
    "RFC 6749 §4.4.2, §3.2.1, §5.2",
    "The client credentials grant requires client authentication: a request without it, or with a "
    "wrong or empty secret, is refused with invalid_client.",
    peers=[authlib("test_client_credentials_grant.py", "test_invalid_client")],
)
CC_UNAUTHORIZED_CLIENT = register(
    "RFC6749-4.4-unauthorized-client",
    Level.MUST,
    "RFC 6749 §4.4.2, §5.2",
    "A client that authenticates but is not authorized to use the client credentials grant is "
    "refused with unauthorized_client.",
)
# RFC 6749 §5.2 unauthorized_client: "The authenticated client is not authorized to use this
# authorization grant type", as §4.4.2 for the client credentials grant.
PASSWORD_UNAUTHORIZED_CLIENT = register(
    "RFC6749-4.3-unauthorized-client",
    Level.MUST,
    "RFC 6749 §4.3.2, §5.2",
    "A client that authenticates but is not authorized to use the password grant is refused with "
    "unauthorized_client; it never yields a token.",
    peers=[
        authlib("test_password_grant.py", "test_invalid_grant_type"),
        oauthlib("endpoints/test_error_responses.py", "test_unauthorized_client"),
    ],
)
CC_NO_REFRESH_TOKEN = register(
    "RFC6749-4.4.3-no-refresh-token",
    Level.SHOULD,
    "RFC 6749 §4.4.3",
    "The client credentials grant's token response should not include a refresh token.",
)
ONE_AUTH_METHOD = register(
    "RFC6749-2.3-one-method",
    # §2.3's MUST NOT binds the client; §5.2 names invalid_request for such a request, but
    # widely used servers let the Authorization header win (Keycloak, Doorkeeper): a warning.
    Level.SHOULD,
    "RFC 6749 §2.3, §5.2; RFC 7009 §2.1; RFC 7662 §2.1",
    "A request that authenticates the client by more than one method (HTTP Basic and body "
    "credentials together) should be refused with invalid_request, at the token, revocation and "
    "introspection endpoints alike; one whose Basic header and body name two clients is never "
    "served as either.",
    peers=[
        doorkeeper("requests/flows/client_credentials_spec.rb", "rejects the request per RFC 6749 §2.3"),
        doorkeeper(
            "requests/flows/client_credentials_spec.rb",
            "does not authenticate as the Basic client when the body names another client",
        ),
        doorkeeper(
            "requests/flows/revoke_token_spec.rb",
            "rejects the request per RFC 6749 §2.3 and does not revoke the token",
        ),
    ],
)
BASIC_SUPPORTED = register(
    "RFC6749-2.3.1-basic",
    Level.MUST,
    "RFC 6749 §2.3.1",
    "The authorization server supports HTTP Basic authentication for clients issued a client "
    "password: the right credentials in a Basic header yield a token.",
)
LISTED_AUTH_METHODS = register(
    "RFC6749-2.3-listed-methods",
    Level.PROVIDER,
    "RFC 6749 §2.3; the provider's documentation",
    "Each client authentication method the documentation lists yields a token; client credentials "
    "in the body, where it lists only HTTP Basic, are refused with invalid_client.",
)
INVALID_SCOPE = register(
    "RFC6749-3.3-invalid-scope",
    Level.MUST,
    "RFC 6749 §3.3, §5.2",
    "Where the provider refuses unknown scopes, a request for one is refused with invalid_scope; "
    "it never yields a token.",
)
SCOPE_RETURNED = register(
    "RFC6749-5.1-scope-returned",
    Level.MUST,
    "RFC 6749 §3.3, §5.1",
    "A granted scope that differs from the requested one (an unknown scope ignored) is returned in "
    "the token response's scope, without the scope not granted.",
)
# RFC 6749 Appendix B: parameters are application/x-www-form-urlencoded, where "+" is a space and
# "%2B" a "+"; §3.3: scope-tokens are NQCHAR, "+" among them, delimited by spaces.
SCOPE_ENCODING = register(
    "RFC6749-3.3-scope-encoding",
    Level.MUST,
    "RFC 6749 §3.3, Appendix B",
    "A scope is read form-decoded: '+' between scope values is a space as '%20' is (read+write asks "
    "for read and write), and '%2B' is a '+' inside one scope value (read%2Bwrite names one scope, "
    "refused where unknown scopes are, never granted as read and write).",
    peers=[
        doorkeeper("requests/flows/refresh_token_spec.rb", "treats '+' between scopes as an encoded space"),
        doorkeeper(
            "requests/flows/refresh_token_spec.rb",
            "treats a percent-encoded '+' as part of a single scope name and rejects it when unknown",
        ),
    ],
)

FAILED_BASIC = register(
    "RFC6749-5.2-failed-basic",
    Level.MUST,
    "RFC 6749 §5.2, §2.3",
    "A request whose HTTP Basic client authentication fails is refused (invalid_client, HTTP 401; "
    "or invalid_request for two methods), whatever credentials its body carries: never served.",
)
BASIC_FORM_ENCODED = register(
    "RFC6749-2.3.1-form-encoding",
    Level.MUST,
    "RFC 6749 §2.3.1, Appendix B",
    "The client identifier and secret are form-urlencoded before HTTP Basic encoding: credentials "
    "holding characters that encoding changes (+, /, %, a space) authenticate when sent encoded.",
)
# RFC 6749 §2.3.1: client credentials "can only be transmitted in the request-body and MUST NOT be
# included in the request URI"; RFC 7009 §2.1 and RFC 7662 §2.1 authenticate clients the same way.
CREDENTIALS_NOT_IN_URI = register(
    "RFC6749-2.3.1-not-in-uri",
    Level.MUST,
    "RFC 6749 §2.3.1; RFC 7009 §2.1; RFC 7662 §2.1",
    "Client credentials in the request URI are not read: with the client authenticated as "
    "documented, a made-up client_id and client_secret in the query are never taken for the "
    "client's (invalid_client); the request is served, or refused as a whole (invalid_request), at "
    "the token, revocation and introspection endpoints.",
    peers=[
        doorkeeper(
            "requests/flows/revoke_token_spec.rb",
            "does not authenticate the client and does not revoke the token (RFC 6749 §2.3.1)",
        ),
        doorkeeper(
            "requests/flows/revoke_token_spec.rb",
            "does not revoke the token when client_id is only in the query string (RFC 6749 §2.3.1)",
        ),
        oauthlib("endpoints/test_revocation_endpoint.py", "test_revoke_bad_post_request"),
        oauthlib("endpoints/test_introspect_endpoint.py", "test_introspect_bad_post_request"),
    ],
)
EMPTY_PARAMETER = register(
    "RFC6749-3.2-empty-parameter",
    Level.MUST,
    "RFC 6749 §3.2",
    "A parameter sent without a value is treated as omitted: the request with `scope=` or "
    "`refresh_token=` is answered as the request without it.",
)

REFRESH_SCOPE = register(
    "RFC6749-6-scope",
    Level.MUST,
    "RFC 6749 §6, §5.2, §5.1",
    "A refresh that asks for a scope not originally granted is refused with invalid_scope, or "
    "granted no more than the original scope (its scope member then says what was granted).",
    peers=[
        authlib("test_refresh_token.py", "test_invalid_scope"),
        dot("test_authorization_code.py", "test_refresh_bad_scopes"),
        oauthlib("grant_types/test_refresh_token.py", "test_invalid_scope"),
        doorkeeper(_DK_REFRESH, "validates that scopes are included in the original access token"),
    ],
)
# RFC 6749 §6: scope "if omitted is treated as equal to the scope originally granted by the
# resource owner"; a narrower one is the client's right (§3.3, §5.1: a scope granted otherwise
# than asked is said in the response's scope member).
REFRESH_SCOPE_KEPT = register(
    "RFC6749-6-scope-kept",
    Level.MUST,
    "RFC 6749 §6, §3.3, §5.1",
    "A refresh without a scope parameter is granted the scope originally granted (a scope member, "
    "if any, says exactly that); a refresh asking for part of the original scope is served, "
    "granted no scope beyond the original.",
    peers=[
        oauthlib("grant_types/test_refresh_token.py", "test_create_token_inherit_scope"),
        oauthlib("grant_types/test_refresh_token.py", "test_create_token_within_original_scope"),
        authlib("test_refresh_token.py", "test_authorize_token_no_scope"),
        authlib("test_refresh_token.py", "test_authorize_token_scope"),
        dot("test_authorization_code.py", "test_refresh_no_scopes"),
        doorkeeper(_DK_REFRESH, "transfers scopes from the old token to the new token"),
        doorkeeper(_DK_REFRESH, "reduces scopes to the provided scopes"),
    ],
)
# RFC 6749 §6: refresh_token is REQUIRED; §5.2 invalid_request: "missing a required parameter".
REFRESH_MISSING_TOKEN = register(
    "RFC6749-6-missing-refresh-token",
    Level.MUST,
    "RFC 6749 §6, §5.2",
    "A refresh request without the refresh_token parameter (REQUIRED) is refused with invalid_request.",
    peers=[
        authlib("test_refresh_token.py", "test_invalid_refresh_token"),
        oauthlib("grant_types/test_refresh_token.py", "test_invalid_refresh_token"),
        doorkeeper(_DK_REFRESH, "requires the refresh token"),
    ],
)

REFRESH_CLIENT_BINDING = register(
    "RFC6749-6-client-binding",
    Level.MUST,
    "RFC 6749 §6, §10.4, §5.2",
    "A refresh token presented by another client than the one it was issued to is refused "
    "(invalid_grant, or unauthorized_client for a client without the grant): it never yields a token.",
    peers=[
        doorkeeper(_DK_REFRESH, "requires the token's client and current client to match"),
        authlib("test_refresh_token.py", "test_invalid_grant_type"),
    ],
)

# RFC 6749 §5.2: the error codes a token endpoint refusal may carry.
ERROR_CODES = frozenset(
    {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    }
)

# The requirement a grant's documented request stands for: it yields a token.
ISSUES_BY_GRANT = {"password": PASSWORD_GRANT_ISSUES, "client_credentials": CC_ISSUES}
