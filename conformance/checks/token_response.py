"""Checks of every successful token response (RFC 6749 §5.1, the profile's promises)."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.registry import check
from conformance.client.exchange import Exchange
from conformance.engine.findings import Finding
from conformance.profile import Profile
from conformance.requirements import Requirement, provider
from conformance.requirements.rfc import rfc6749
from conformance.schemas import violations

__all__ = ["MEMBER_REQUIREMENT", "describe_value"]

# Which requirement a schema violation at a given member breaks.
MEMBER_REQUIREMENT: dict[str, Requirement] = {
    "access_token": rfc6749.ACCESS_TOKEN_CHARSET,
    "token_type": rfc6749.TOKEN_TYPE,
    "expires_in": rfc6749.EXPIRES_IN_TYPE,
    "refresh_token": rfc6749.REFRESH_TOKEN_CHARSET,
    "scope": rfc6749.SUCCESS_JSON,
}
_SECRET_MEMBERS = {"access_token", "refresh_token"}


def describe_value(member: str, value: object) -> str:
    """A value as a finding may show it: tokens by shape only, never in clear."""
    if member in _SECRET_MEMBERS and isinstance(value, str):
        return f"a string of {len(value)} characters"
    return f"{value!r} ({type(value).__name__})"


@check("token-success")
def success_is_json_200(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    content_type = exchange.header("content-type") or "(none)"
    problems = []
    if exchange.status != 200:
        problems.append(f"HTTP {exchange.status}")
    if "application/json" not in content_type.lower():
        problems.append(f"Content-Type {content_type}")
    not_an_object = exchange.json_object_problem
    if not_an_object:
        problems.append(not_an_object)
    if problems:
        yield Finding(
            rfc6749.SUCCESS_JSON,
            "HTTP 200, Content-Type application/json, a JSON object",
            "; ".join(problems),
            exchange,
        )


@check("token-success")
def success_matches_schema(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    if not isinstance(exchange.json, dict):
        return
    for error in violations("token-response", exchange.json):
        if error.validator == "required":
            member = str(error.message).split("'")[1]
            expected, got = f"a {member} member (REQUIRED)", f"no {member} member"
        else:
            member = str(error.absolute_path[0]) if error.absolute_path else ""
            rule = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
            expected = f"{member}: {error.validator} {error.validator_value!r}" + (
                f" ({rule})" if rule else ""
            )
            got = f"{member} is {describe_value(member, error.instance)}"
        requirement = MEMBER_REQUIREMENT.get(member, rfc6749.SUCCESS_JSON)
        if member == "access_token" and error.validator == "required":
            requirement = rfc6749.SUCCESS_JSON
        yield Finding(requirement, f"{expected} per token-response.schema.json", got, exchange)


@check("token-success")
def token_type_is_documented(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    if not isinstance(exchange.json, dict):
        return
    value = exchange.json.get("token_type")
    if isinstance(value, str) and value.lower() != profile.token_type.lower():
        yield Finding(
            rfc6749.TOKEN_TYPE,
            f"token_type {profile.token_type!r} in any letter case",
            f"token_type {value!r}",
            exchange,
        )


@check("token-success")
def documented_fields_present(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    if not isinstance(exchange.json, dict):
        return
    promised = set(profile.response_fields)
    if exchange.grant_type == "refresh_token" and profile.refresh.rotation is not True:
        # RFC 6749 §6: a refresh response may omit refresh_token; the old one stays valid.
        promised.discard("refresh_token")
    if (
        exchange.grant_type in ("password", "client_credentials")
        and exchange.grant_type not in profile.refresh.issued_by
    ):
        # A grant the documentation does not say returns one (RFC 6749 §4.4.3 asks client
        # credentials not to).
        promised.discard("refresh_token")
    missing = sorted(m for m in promised if m not in exchange.json)
    if missing:
        yield Finding(
            provider.DOCUMENTED_FIELDS,
            f"members {', '.join(sorted(promised))} ({profile.source_of('token_response')})",
            f"missing {', '.join(missing)}",
            exchange,
        )


@check("token-success")
def no_refresh_token_when_not_offered(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    if profile.refresh.issues_refresh_token is False and isinstance(exchange.json, dict):
        if "refresh_token" in exchange.json:
            yield Finding(
                provider.REFRESH_NOT_OFFERED,
                f"no refresh_token ({profile.refresh.source})",
                "a refresh_token member",
                exchange,
            )


def _directives(values: list[str]) -> set[str]:
    return {d.strip().split("=", 1)[0].lower() for v in values for d in v.split(",") if d.strip()}


@check("token-success")
def cache_control_no_store(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    values = exchange.headers_named("cache-control")
    if "no-store" not in _directives(values):
        got = f"Cache-Control: {', '.join(values)}" if values else "no Cache-Control header"
        yield Finding(rfc6749.NO_STORE, "Cache-Control: no-store", got, exchange)


@check("token-success")
def pragma_no_cache(profile: Profile, exchange: Exchange) -> Iterator[Finding]:
    values = exchange.headers_named("pragma")
    if "no-cache" not in _directives(values):
        got = f"Pragma: {', '.join(values)}" if values else "no Pragma header"
        yield Finding(rfc6749.PRAGMA_NO_CACHE, "Pragma: no-cache", got, exchange)
