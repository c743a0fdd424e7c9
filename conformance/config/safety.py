"""Live targets are someone's production: what a run will do, said before it does it."""

from __future__ import annotations

from urllib.parse import urlsplit

from conformance.config.forecast import Forecast, forecast
from conformance.config.loopback import is_loopback
from conformance.config.settings import RunSettings
from conformance.errors import UsageError
from conformance.profile import Profile

__all__ = ["check_transport_security", "is_loopback", "plan", "side_effects"]


def check_transport_security(settings: RunSettings) -> None:
    """Credentials over plain HTTP only to this machine, unless explicitly allowed."""
    url = settings.url or ""
    if url.startswith("http://") and not is_loopback(url) and not settings.allow_insecure_http:
        raise UsageError(
            f"refusing to send credentials over plain http:// to {urlsplit(url).hostname}: "
            "use https://, or --allow-insecure-http if you really mean it"
        )


def side_effects(profile: Profile) -> list[str]:
    """What the suite's requests do to the account and its other clients, per the profile."""
    effects = [
        "the run requests tokens for the account in CONFORMANCE_USERNAME (with a token budget, "
        "--max-tokens, few: each is lent to every scenario that can use it)",
        "some requests carry a wrong password or client secret on purpose: a provider that "
        "locks accounts after failed logins may lock this one",
    ]
    if profile.invalidates_earlier is True:
        effects.insert(
            0,
            "EVERY TOKEN REQUEST INVALIDATES ALL EARLIER TOKENS OF THIS ACCOUNT: every other "
            f"client using these credentials will be logged out ({profile.source_of('invalidation')})",
        )
    elif profile.invalidates_earlier != False:  # noqa: E712 - a tristate, not a bool
        effects.append(
            "whether a new token logs out earlier ones is not documented "
            f"({profile.source_of('invalidation')}): other clients of the account may be logged out"
        )
    if profile.refresh.supported is True:
        effects.append("refresh tokens obtained by the suite are used, and may be revoked by rotation")
    return effects


def plan(profile: Profile, settings: RunSettings, expected: Forecast | None = None) -> str:
    """What the run will do, its cost counted by its own dry run (`expected`, run if not given)."""
    expected = expected or forecast(settings)
    budget = f"at most {settings.max_requests} requests" if settings.max_requests else "no request budget"
    tokens = f"at most {settings.max_tokens} tokens" if settings.max_tokens else "no token budget"
    rate = f"at most {settings.max_rps:g} per second" if settings.max_rps else "no rate limit"
    wait = (
        f"it may wait up to {settings.expiry_wait:g} s to watch a token expire"
        if settings.expiry_wait
        else "it does not wait for tokens to expire (--expiry-wait 0)"
    )
    lines = [
        f"conformance is about to test {profile.title} (profile {profile.name}) at {settings.url}:",
        f"  {budget} in all, token requests included, {rate}; {tokens}; {wait}.",
    ]
    if expected is not None:
        logouts = (
            f": {expected.tokens_issued} log-outs of the account's other sessions"
            if profile.invalidates_earlier is True
            else ""
        )
        lines.append(
            f"  Against a server that behaves as documented it sends {expected.requests} requests "
            f"({expected.token_requests} to the token endpoint) and obtains {expected.tokens_issued} "
            f"access tokens{logouts} (its dry run, counted"
            + (f"; {expected.stopped}" if expected.stopped else "")
            + ")."
        )
    lines += [
        "  Side effects:",
        *(f"  - {effect}" for effect in side_effects(profile)),
        "  (--dry-run lists every request without sending any.)",
    ]
    return "\n".join(lines)
