"""The suite's two markers: what a test checks, and what it needs of the profile and target.

* `@pytest.mark.requirement(rfc6749.NO_STORE, rfc6749.ERROR_RESPONSE)` ties a test to the
  catalogue requirements it checks (results.json, junit.xml and the HTML report list it under
  each). It takes the `Requirement` objects of `conformance.requirements`, so a mistyped name
  fails at import; a catalogue id as a string is accepted too, for tests written elsewhere. An
  unknown id, or anything else, fails collection with one line naming the test: a requirement
  nobody checks must not read as covered.
* `@applies(refresh=True, resource=True)` says what a scenario needs. At collection a scenario
  whose needs the run's profile or target does not meet is skipped, with the profile's reason
  and the document it cites; it sends nothing. Needs are judged in the order of `applies`'
  parameters, and the first one unmet gives the reason. A parametrized case may add its own
  (`pytest.param(..., marks=applies(client_auth="basic"))`): the closest marker wins a keyword.

Registered by the plugin (`pytest_plugins`); the checks are plain functions of the markers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

import pytest

from conformance.credentials import ISSUING_GRANTS, ClientCredentials, Credentials
from conformance.profile import UNSPECIFIED, Profile
from conformance.profile.model import ClientAuthMethod
from conformance.pytest_plugin.stash import RUN
from conformance.registry import Registry
from conformance.requirements import Requirement, get

if TYPE_CHECKING:
    from conformance.engine.run import ConformanceRun

__all__ = [
    "NEEDS",
    "Need",
    "Subject",
    "applies",
    "check_requirement_markers",
    "requirement_ids",
    "skip_inapplicable",
    "unmet_need",
]


# -- requirement(*requirements) ----------------------------------------------------------------
def _requirement_id(item: pytest.Item, value: object) -> str:
    """The catalogue id `value` names, or a usage error naming the test."""
    if isinstance(value, Requirement):
        try:
            known = get(value.id)
        except KeyError:
            known = None
        if known == value:
            return value.id
        problem = f"requirement {value.id!r} is not the catalogue's"
    elif isinstance(value, str):
        try:
            return get(value).id
        except KeyError:
            problem = f"unknown requirement id {value!r}"
    else:
        problem = f"{value!r} is not a requirement (pass those of conformance.requirements)"
    raise pytest.UsageError(
        f"conformance: {item.nodeid}: {problem} in its requirement marker (see `conformance requirements`)"
    )


def check_requirement_markers(items: Iterable[pytest.Item]) -> None:
    """A typo in a marker would report on nothing: collection fails and names the test."""
    for item in items:
        requirement_ids(item)


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    """The ids of the requirements `item`'s markers name, closest marker first."""
    return tuple(
        _requirement_id(item, value) for marker in item.iter_markers("requirement") for value in marker.args
    )


# -- applies(**needs) ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Subject:
    """What a scenario's needs are judged against: the run's profile, the resource it may call,
    and the credentials it was given (None: judged from the profile alone)."""

    profile: Profile
    resource_path: str | None = None
    credentials: Credentials | None = None


Unmet = Callable[[Subject, Any], str | None]


@dataclass(frozen=True, slots=True)
class Need:
    """One keyword of `applies`: the values it takes, what it means, and its judge (the reason
    the run does not meet it, or None)."""

    name: str
    allowed: tuple[object, ...]  # the values it takes; (int,): any whole number
    doc: str
    judge: Unmet

    def admits(self, value: object) -> bool:
        if self.allowed == (int,):
            return isinstance(value, int) and not isinstance(value, bool)
        # `True == 1`: a value is one of the allowed ones only with its type.
        return any(value == a and type(value) is type(a) for a in self.allowed)

    @property
    def takes(self) -> str:
        return "a whole number" if self.allowed == (int,) else " or ".join(repr(a) for a in self.allowed)

    def __call__(self, subject: Subject, value: object) -> str | None:
        return self.judge(subject, value)


# Every need, in the order they are judged (the first unmet one gives the reason): their order here.
NEEDS: Registry[Need] = Registry(
    "need",
    unknown=lambda name, hint: TypeError(f"applies: no need {name!r}{hint} (the needs: {', '.join(NEEDS)})"),
)


def need(*allowed: object, doc: str) -> Callable[[Unmet], Unmet]:
    """Declare the judge below as the need of `applies` named after it (`_refresh`: `refresh`)."""

    def declare(judge: Unmet) -> Unmet:
        name = judge.__name__.lstrip("_")
        NEEDS.register(name, Need(name, allowed, doc, judge))
        return judge

    return declare


def _unspecified(profile: Profile, value: object, field_name: str, section: str) -> str | None:
    if value == UNSPECIFIED:
        return (
            f"profile {profile.name}: {field_name} is unspecified "
            f"({profile.source_of(section)}): the documentation is silent"
        )
    return None


@need(True, False, doc="True, the refresh grant is documented as offered; False, as not offered.")
def _refresh(subject: Subject, offered: bool) -> str | None:
    profile = subject.profile
    supported = profile.refresh.supported
    silent = _unspecified(profile, supported, "grants.refresh_token", "grants")
    if silent is not None:
        return silent
    if offered and supported is not True:
        return f"profile {profile.name}: no refresh grant ({profile.source_of('grants')})"
    if not offered and supported is not False:
        return f"profile {profile.name}: the refresh grant is offered"
    return None


@need(
    True,
    "rejected",
    doc='True, the profile says what a used refresh token does; "rejected", that it is refused.',
)
def _used_refresh_token(subject: Subject, rule: object) -> str | None:
    profile = subject.profile
    refresh = profile.refresh
    silent = _unspecified(profile, refresh.used_refresh_token, "refresh.used_refresh_token", "refresh")
    if silent is not None or rule is True:
        return silent
    if refresh.used_refresh_token != rule:
        return (
            f"profile {profile.name}: a used refresh token stays valid ({refresh.source}): "
            "concurrent refreshes may all succeed"
        )
    return None


@need(True, doc="the profile says whether a new token invalidates earlier ones.")
def _invalidation(subject: Subject, documented: object) -> str | None:
    profile = subject.profile
    return _unspecified(
        profile, profile.invalidates_earlier, "invalidation.new_token_invalidates_earlier", "invalidation"
    )


@need(True, "basic", doc='True, clients authenticate; "basic", with an HTTP Basic header.')
def _client_auth(subject: Subject, scheme: object) -> str | None:
    profile = subject.profile
    if profile.client_auth == "none":
        return f"profile {profile.name}: no client authentication ({profile.source_of('client_auth')})"
    if scheme == "basic" and profile.client_auth != "basic":
        return (
            f"profile {profile.name}: clients authenticate in the body: a Basic header is a "
            "supported scheme (RFC 6749 §2.3.1)"
        )
    return None


@need(True, doc="the password grant is offered, and the credentials allow it.")
def _grant_password(subject: Subject, offered: object) -> str | None:
    return _issuing_grant(subject, "password")


@need(True, doc="the client credentials grant is offered, to an authenticating client.")
def _client_credentials(subject: Subject, offered: object) -> str | None:
    profile = subject.profile
    silent = _unspecified(profile, profile.grant_client_credentials, "grants.client_credentials", "grants")
    if silent is not None:
        return silent
    return _issuing_grant(subject, "client_credentials")


@need(
    "password",
    "client_credentials",
    doc=(
        "the run can obtain tokens by this grant (offered, and credentials for it). A scenario "
        "that takes a `grant` argument is run once per grant, each case marked so."
    ),
)
def _issuing_grant(subject: Subject, grant: object) -> str | None:
    """The run obtains tokens by `grant`: the profile offers it and the credentials allow it."""
    credentials = subject.credentials
    if credentials is None:
        credentials = Credentials(
            ClientCredentials("", "") if subject.profile.client_auth != "none" else None, "-", "-"
        )
    return credentials.grant_unavailable(subject.profile, str(grant))


@need(*get_args(ClientAuthMethod), doc="the profile lists this client authentication method (RFC 6749 §2.3).")
def _auth_method(subject: Subject, method: object) -> str | None:
    profile = subject.profile
    if method not in profile.client_auth_methods:
        listed = ", ".join(profile.client_auth_methods)
        return (
            f"profile {profile.name}: clients authenticate by {listed}, not {method} "
            f"({profile.source_of('client_auth')})"
        )
    return None


@need(*get_args(ClientAuthMethod), doc="the profile does not list this method.")
def _auth_method_unlisted(subject: Subject, method: object) -> str | None:
    profile = subject.profile
    if method in profile.client_auth_methods:
        return f"profile {profile.name}: {method} is a documented client authentication method"
    return None


@need(
    "refused",
    "ignored",
    doc='the profile says an unknown scope is "refused" or "ignored", and names a scope.',
)
def _scope_unknown(subject: Subject, rule: object) -> str | None:
    profile = subject.profile
    silent = _unspecified(profile, profile.scope_unknown, "scope.unknown", "scope")
    if silent is not None:
        return silent
    if profile.scope_unknown != rule:
        source = profile.source_of("scope")
        return f"profile {profile.name}: an unknown scope is {profile.scope_unknown} ({source})"
    if profile.scope_value is None:
        return f"profile {profile.name}: names no known scope value ({profile.source_of('scope')})"
    return None


@need(int, doc="the profile's scope names at least this many values.")
def _scope_values(subject: Subject, least: object) -> str | None:
    profile = subject.profile
    known = (profile.scope_value or "").split()
    if len(known) < int(str(least)):
        return (
            f"profile {profile.name}: names {len(known)} scope value(s), fewer than {least} "
            f"({profile.source_of('scope')})"
        )
    return None


@need(True, doc="the token request's parameters go in a form body, not the query.")
def _form_body(subject: Subject, needed: object) -> str | None:
    profile = subject.profile
    if profile.parameter_location != "body":
        return f"profile {profile.name}: parameters go in the query ({profile.source_of('parameters')})"
    return None


@need(True, doc="the target has a protected resource (the profile's, or --resource-path).")
def _resource(subject: Subject, needed: object) -> str | None:
    profile, resource_path = subject.profile, subject.resource_path
    if resource_path is None:
        return (
            f"profile {profile.name} names no protected resource "
            f"({profile.resource.source}): pass --resource-path"
        )
    return None


@need(
    True,
    doc=(
        "the profile names the scope its resource requires, and another scope to ask for a token without it."
    ),
)
def _resource_scope(subject: Subject, needed: object) -> str | None:
    profile = subject.profile
    required, other = profile.resource.required_scope, profile.scope_value
    if required is None:
        return f"profile {profile.name}: names no scope its resource requires ({profile.resource.source})"
    if not [s for s in (other or "").split() if s != required]:
        # A token lacking the required scope is asked for with the profile's other scope.
        return (
            f"profile {profile.name}: names no scope other than the resource's {required} "
            f"({profile.source_of('scope')})"
        )
    return None


@need(True, doc="a protected resource, or the refresh grant, to follow tokens by.")
def _resource_or_refresh(subject: Subject, needed: object) -> str | None:
    profile, resource_path = subject.profile, subject.resource_path
    if resource_path is None and profile.refresh.supported is not True:
        return (
            f"profile {profile.name}: no protected resource and no refresh: no lifecycle to follow "
            "(pass --resource-path)"
        )
    return None


@need(True, doc="a protected resource, or an introspection endpoint, to see whether a token still works.")
def _resource_or_introspection(subject: Subject, needed: object) -> str | None:
    profile, resource_path = subject.profile, subject.resource_path
    if resource_path is None and profile.introspection is None:
        return (
            f"profile {profile.name}: no protected resource and no introspection endpoint to see a "
            "token by (pass --resource-path)"
        )
    return None


@need(True, doc="the documentation says scope is not enforced, and names a scope value.")
def _scope_unenforced(subject: Subject, needed: object) -> str | None:
    profile = subject.profile
    if profile.scope_enforced is not False or profile.scope_value is None:
        return f"profile {profile.name}: scope is not documented as unenforced ({profile.source_of('scope')})"
    return None


@need(True, doc="the documentation says scope is enforced, and names a scope value.")
def _scope_enforced(subject: Subject, needed: object) -> str | None:
    profile = subject.profile
    if profile.scope_enforced is not True or profile.scope_value is None:
        return f"profile {profile.name}: scope is not documented as enforced ({profile.source_of('scope')})"
    return None


@need(
    True,
    "access",
    "access_unsupported",
    "access_with_refresh",
    doc=(
        'a revocation endpoint (RFC 7009); "access", whose access tokens can be revoked; '
        '"access_unsupported", whose access tokens cannot; "access_with_refresh", where '
        "revoking a refresh token is documented to revoke its access tokens."
    ),
)
def _revocation(subject: Subject, rule: object) -> str | None:
    profile = subject.profile
    revocation = profile.revocation
    if revocation is None:
        return f"profile {profile.name} names no revocation endpoint (RFC 7009): the provider has none"
    if rule == "access_with_refresh" and revocation.revokes_access_with_refresh is not True:
        return (
            f"profile {profile.name}: revoking a refresh token is not documented to revoke its "
            f"access tokens ({revocation.source})"
        )
    if rule == "access" and revocation.revokes_access_tokens is False:
        return f"profile {profile.name}: access tokens cannot be revoked ({revocation.source})"
    if rule == "access_unsupported" and revocation.revokes_access_tokens is not False:
        return (
            f"profile {profile.name}: access tokens are not documented as unrevocable ({revocation.source})"
        )
    return None


@need(True, doc="an introspection endpoint (RFC 7662).")
def _introspection(subject: Subject, needed: object) -> str | None:
    profile = subject.profile
    if profile.introspection is None:
        return f"profile {profile.name} names no introspection endpoint (RFC 7662): the provider has none"
    return None


@need(
    "authorization_server",
    "protected_resource",
    doc=(
        'the profile names where this metadata is published ("authorization_server": RFC 8414, '
        '"protected_resource": RFC 9728).'
    ),
)
def _metadata(subject: Subject, kind: object) -> str | None:
    profile = subject.profile
    metadata = profile.metadata
    path = None if metadata is None else getattr(metadata, str(kind))
    if path is None:
        what = (
            "authorization server (RFC 8414)"
            if kind == "authorization_server"
            else "protected resource (RFC 9728)"
        )
        return f"profile {profile.name} publishes no {what} metadata"
    return None


@need(True, doc="access tokens are documented as RFC 9068 JWTs.")
def _jwt(subject: Subject, needed: object) -> str | None:
    profile = subject.profile
    access_token = profile.access_token
    if access_token is None or access_token.format != "jwt":
        return f"profile {profile.name}: access tokens are not documented as RFC 9068 JWTs"
    return None


def applies(**needs: object) -> pytest.MarkDecorator:
    """What a scenario needs; without it the scenario is skipped at collection, saying why. An
    unknown need, or a value the need does not take, fails where the scenario is declared."""
    for name, value in needs.items():
        need = NEEDS.get(name)
        if not need.admits(value):
            raise ValueError(f"applies({name}={value!r}): {need.name} takes {need.takes}")
    decorator: pytest.MarkDecorator = pytest.mark.applies(**needs)
    return decorator


def unmet_need(item: pytest.Item, subject: Subject) -> str | None:
    """Why `item` does not apply to this profile, target and credentials, or None when it does."""
    needs: dict[str, Any] = {}
    # The closest marker wins a keyword: a case's own (pytest.param marks), then the function's,
    # its class's and its module's. pytest lists a case's marks after its function's.
    callspec = getattr(item, "callspec", None)
    case = [m for m in callspec.marks if m.name == "applies"] if callspec is not None else []
    for marker in [m for m in reversed(list(item.iter_markers("applies"))) if m not in case] + case:
        unknown = set(marker.kwargs) - set(NEEDS)
        if unknown or marker.args:
            named = ", ".join(sorted(unknown)) if unknown else repr(marker.args)
            raise pytest.UsageError(
                f"conformance: {item.nodeid}: its applies marker names no known need ({named}); "
                "use conformance.applies"
            )
        needs.update(marker.kwargs)
    for name, need in NEEDS.all().items():
        if name in needs:
            reason = need(subject, needs[name])
            if reason is not None:
                return reason
    return None


def skip_inapplicable(items: Iterable[pytest.Item], run: ConformanceRun) -> None:
    """Mark each item whose needs the run does not meet as skipped, with the reason."""
    for item in items:
        reason = unmet_need(item, Subject(run.profile, run.target.resource_path, run.client.credentials))
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


# -- hooks -----------------------------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A scenario that takes `grant` is about no one grant: it runs through each the run can use
    (the others skipped, saying what would make them run)."""
    # Only scenarios (tests that name requirements): a project's own `grant` argument is its own.
    if "grant" in metafunc.fixturenames and metafunc.definition.get_closest_marker("requirement"):
        metafunc.parametrize(
            "grant", [pytest.param(g, id=g, marks=applies(issuing_grant=g)) for g in ISSUING_GRANTS]
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "applies(**needs): what a scenario needs of the profile and target; skipped at collection "
        "without it (see conformance.applies)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    check_requirement_markers(items)
    run = config.stash.get(RUN, None)
    if run is not None:
        skip_inapplicable(items, run)


applies.__doc__ = f"""{applies.__doc__}

    The needs, in the order they are judged:

""" + "\n".join(f"    {n.name}: {n.doc}" for n in NEEDS.values())
NEEDS.freeze()  # every need is declared above
