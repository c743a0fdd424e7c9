"""Requirements that come from a provider's own documentation (the profile)."""

from __future__ import annotations

from conformance.requirements.catalogue import Level, register

__all__ = [
    "DOCUMENTED_FIELDS",
    "EXPIRES_IN_UNIT",
    "INTROSPECTION_MEMBERS",
    "INVALIDATES_EARLIER",
    "KEEPS_EARLIER",
    "NOMINAL_LIFETIME",
    "REFRESHED_ACCESS_TOKEN",
    "REFRESH_NEW_PAIR",
    "REFRESH_NOT_OFFERED",
    "REJECTION_BODY",
    "REJECTION_CHALLENGE",
    "REJECTION_STATUS",
    "REQUIRED_SCOPE",
    "SCOPE_UNENFORCED",
]

DOCUMENTED_FIELDS = register(
    "DOC-response-fields",
    Level.PROVIDER,
    "provider documentation (profile token_response)",
    "Every successful token response holds the members the documentation promises.",
)
EXPIRES_IN_UNIT = register(
    "DOC-expires-in-unit",
    Level.PROVIDER,
    "provider documentation (profile expiry)",
    "expires_in fits a documented reading of its unit: against the documented lifespan and, "
    "where observed, the token's real lifetime.",
)
NOMINAL_LIFETIME = register(
    "DOC-nominal-lifetime",
    Level.SHOULD,
    "provider documentation (profile expiry)",
    "The stated lifetime equals the documented nominal lifetime (deployments may configure "
    "another, so this only warns).",
)
REFRESH_NEW_PAIR = register(
    "DOC-refresh-new-pair",
    Level.PROVIDER,
    "provider documentation (profile refresh)",
    "A refresh returns a new access token and, where the profile says it rotates, a new refresh "
    "token; the password grant issues a refresh token where documented.",
)
REFRESH_NOT_OFFERED = register(
    "DOC-no-refresh",
    Level.PROVIDER,
    "provider documentation (profile grants)",
    "A provider without refresh issues no refresh_token and refuses the refresh_token grant.",
)
REFRESHED_ACCESS_TOKEN = register(
    "DOC-refreshed-access-token",
    Level.PROVIDER,
    "provider documentation (profile refresh.revokes_replaced_access_token)",
    "A refresh revokes the access token of the pair it replaces, or leaves it valid for the rest of "
    "its life, as the documentation says.",
)
INVALIDATES_EARLIER = register(
    "DOC-invalidates-earlier",
    Level.PROVIDER,
    "provider documentation (profile invalidation)",
    "Each token request invalidates every earlier access token of the account.",
)
KEEPS_EARLIER = register(
    "DOC-keeps-earlier",
    Level.PROVIDER,
    "provider documentation (profile invalidation)",
    "A new token request leaves earlier access tokens valid.",
)
REJECTION_STATUS = register(
    "DOC-rejection-status",
    Level.PROVIDER,
    "provider documentation (profile resource.rejection)",
    "The protected resource refuses an unusable token with the documented status.",
)
# Split from DOC-rejection-status, which once judged the challenge's scheme too.
REJECTION_CHALLENGE = register(
    "DOC-rejection-challenge",
    Level.PROVIDER,
    "provider documentation (profile resource.rejection)",
    "The refusal of an unusable token carries a WWW-Authenticate challenge of the documented scheme.",
)
REJECTION_BODY = register(
    "DOC-rejection-body",
    Level.PROVIDER,
    "provider documentation (profile resource.rejection)",
    "The refusal body follows the documented shape.",
)
SCOPE_UNENFORCED = register(
    "DOC-scope-unenforced",
    Level.PROVIDER,
    "provider documentation (profile scope)",
    "Where the documentation says scope is not enforced, any scope value is treated like the "
    "documented one: the token request succeeds and its token works alike.",
)
INTROSPECTION_MEMBERS = register(
    "DOC-introspection-members",
    Level.PROVIDER,
    "provider documentation (profile introspection)",
    "An introspection answer for a live token holds the members the documentation promises.",
)
REQUIRED_SCOPE = register(
    "DOC-required-scope",
    Level.PROVIDER,
    "provider documentation (profile resource.required_scope)",
    "Where the documentation names the scope the resource requires, a token granted without it "
    "is refused and a token granted with it is served.",
)
