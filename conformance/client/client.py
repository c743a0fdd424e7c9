"""Requests built exactly as the profile says; every exchange recorded once, redacted."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, quote_plus

import h11
import httpx

from conformance.client.budget import RequestBudget, TokenBudget
from conformance.client.curl import curl_line
from conformance.client.exchange import (
    Exchange,
    ExchangeKind,
    redact_request,
    redact_response_body,
    redact_target,
)
from conformance.clock import Clock
from conformance.credentials import (
    GRANT_LABELS,
    ClientCredentials,
    Credentials,
    basic_authorization,
    changed_by_form_encoding,
    offers,
)
from conformance.errors import SuiteError, TargetUnreachable, TransportFailure, UsageError
from conformance.profile import Profile
from conformance.profile.model import CLIENT_AUTH_METHODS, ClientAuthMethod
from conformance.redaction import Redactor, token_key

__all__ = [
    "PROFILE_DEFAULT",
    "ProfileDefault",
    "ClientCredentials",
    "ConformanceClient",
    "Credentials",
    "Target",
    "basic_authorization",
    "form_body",
]

Params = Sequence[tuple[str, str]]


class ProfileDefault:
    """The type of PROFILE_DEFAULT: "as the profile says", where None would mean "none"."""

    def __repr__(self) -> str:
        return "PROFILE_DEFAULT"


PROFILE_DEFAULT: Final = ProfileDefault()


@dataclass(frozen=True, slots=True)
class Target:
    base_url: str
    emulated: bool
    resource_path: str | None
    dry_run: bool = False

    @property
    def description(self) -> str:
        if not self.emulated:
            return self.base_url
        if self.dry_run:
            return f"{self.base_url} (dry run: nothing is sent; an emulator of the profile answers)"
        return f"{self.base_url} (in-process emulator)"


ClientAuthChoice = ClientCredentials | None | ProfileDefault
ExchangeListener = Callable[[Exchange], None]


class ConformanceClient:
    """The only place the suite touches the network."""

    def __init__(
        self,
        profile: Profile,
        target: Target,
        credentials: Credentials,
        redactor: Redactor,
        clock: Clock,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        budget: RequestBudget | None = None,
        token_budget: TokenBudget | None = None,
        offered_grants_only: bool = False,
    ) -> None:
        self.profile = profile
        # A run's scenarios never send a grant the profile does not offer; the probe, which is
        # finding out what is offered, may.
        self.offered_grants_only = offered_grants_only
        self.target = target
        self.credentials = credentials
        self.redactor = redactor
        self.clock = clock
        self.timeout = timeout
        self.budget = budget or RequestBudget()
        self.token_budget = token_budget or TokenBudget()
        self.token_budget.count_with(lambda: self.tokens_asked)
        self.exchanges: list[Exchange] = []
        self._answered: dict[str, Exchange] = {}  # a request's fingerprint -> its latest answer
        self.listeners: list[ExchangeListener] = []
        self._lock = threading.Lock()
        self._http = httpx.Client(
            base_url=target.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "conformance/0.1"},
        )
        credentials.register_with(redactor)
        self._environment = credentials.environment()  # what replay lines name instead of values

    def close(self) -> None:
        self._http.close()

    # -- counts for results.json -------------------------------------------------------
    @property
    def request_count(self) -> int:
        return sum(1 for e in self.exchanges if e.sent)

    @property
    def token_request_count(self) -> int:
        return sum(1 for e in self.exchanges if e.kind == "token" and e.sent)

    @property
    def tokens_issued(self) -> int:
        """Access tokens the server issued: on a profile that invalidates earlier tokens, each one
        logged the account's other sessions out."""
        return sum(1 for e in self.exchanges if e.kind == "token" and e.issued_token is not None)

    @property
    def tokens_asked(self) -> int:
        """Access tokens issued to requests sent to obtain one: what the token budget counts. (A
        server that issues one to a request it must refuse is judged for it; the run cannot keep
        a server from doing so but by not sending the requests that show it.)"""
        return sum(
            1 for e in self.exchanges if e.kind == "token" and e.asks_token and e.issued_token is not None
        )

    # -- token endpoint ------------------------------------------------------------------
    def password_params(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        omit: Sequence[str] = (),
        extra: Params = (),
        grant_type: str = "password",
    ) -> list[tuple[str, str]]:
        params = [("grant_type", grant_type)]
        if self.profile.scope_value is not None:
            params.append(("scope", self.profile.scope_value))
        params.append(("username", self.credentials.username if username is None else username))
        params.append(("password", self.credentials.password if password is None else password))
        return [(k, v) for k, v in params if k not in omit] + list(extra)

    def refresh_params(self, refresh_token: str, *, omit: Sequence[str] = ()) -> list[tuple[str, str]]:
        params = [("grant_type", "refresh_token")]
        if self.profile.scope_value is not None:
            params.append(("scope", self.profile.scope_value))
        params.append(("refresh_token", refresh_token))
        return [(k, v) for k, v in params if k not in omit]

    @property
    def issuing_grants(self) -> tuple[str, ...]:
        """The grants the run can obtain tokens by: offered by the profile, and allowed by the
        credentials it was given (the password grant first)."""
        return self.credentials.issuing_grants(self.profile)

    @property
    def issuing_grant(self) -> str:
        """The grant the suite obtains tokens by where a scenario names none: the password grant,
        or the client credentials grant where the run cannot use that one."""
        grants = self.issuing_grants
        if grants:
            return grants[0]
        profile = self.profile
        if profile.grant_password is False and profile.grant_client_credentials is True:
            return "client_credentials"
        return "password"

    def issuing_params(
        self,
        *,
        extra: Params = (),
        grant: str | None = None,
        scope: str | None | ProfileDefault = PROFILE_DEFAULT,
    ) -> list[tuple[str, str]]:
        """The parameters of a documented token request by `grant` (`issuing_grant` by default),
        with `extra`; `scope` replaces the profile's scope (None: no scope parameter)."""
        if (grant or self.issuing_grant) == "client_credentials":
            params = self.client_credentials_params()
        else:
            params = self.password_params()
        if not isinstance(scope, ProfileDefault):
            at = next((i for i, (k, _) in enumerate(params) if k == "scope"), 1)
            params = [p for p in params if p[0] != "scope"]
            if scope is not None:
                params.insert(at, ("scope", scope))
        return params + list(extra)

    def grant_request(
        self,
        grant: str,
        purpose: str,
        *,
        extra: Params = (),
        client: ClientAuthChoice = PROFILE_DEFAULT,
        method: ClientAuthMethod | None = None,
        scope: str | None | ProfileDefault = PROFILE_DEFAULT,
        expect_token: bool = True,
        paid: bool = False,
    ) -> Exchange:
        """The documented token request of `grant` ("password" or "client_credentials"), changed
        as asked; one meant to obtain a token (`expect_token`) takes one from the token budget,
        unless the caller has made sure of it for several at once (`paid`)."""
        self._check_offered(grant)
        if expect_token and not paid:
            self.token_budget.ensure(purpose)
        params = self.issuing_params(extra=extra, grant=grant, scope=scope)
        # A parameter of the suite's own (`conformance_*`) is one the server must ignore (RFC 6749
        # §3.2): the request is still the documented one.
        documented = (
            all(name.startswith("conformance_") for name, _ in extra)
            and client is PROFILE_DEFAULT
            and method in (None, CLIENT_AUTH_METHODS[self.profile.client_auth])
            and isinstance(scope, ProfileDefault)
        )
        return self.token_request(
            params,
            purpose=purpose,
            client=client,
            method=method,
            documented=documented,
            asks_token=expect_token,
        )

    def client_credentials_params(
        self, *, scope: str | None | ProfileDefault = PROFILE_DEFAULT
    ) -> list[tuple[str, str]]:
        """RFC 6749 §4.4.2: grant_type and, where given (the profile's by default), scope."""
        chosen = self.profile.scope_value if isinstance(scope, ProfileDefault) else scope
        return [("grant_type", "client_credentials")] + ([("scope", chosen)] if chosen is not None else [])

    def client_credentials_grant(
        self,
        purpose: str,
        *,
        client: ClientAuthChoice = PROFILE_DEFAULT,
        method: ClientAuthMethod | None = None,
        scope: str | None | ProfileDefault = PROFILE_DEFAULT,
        expect_token: bool = True,
    ) -> Exchange:
        """RFC 6749 §4.4.2; one meant to obtain a token (`expect_token`) takes one from the budget."""
        self._check_offered("client_credentials")
        if expect_token:
            self.token_budget.ensure(purpose)
        return self.token_request(
            self.client_credentials_params(scope=scope),
            purpose=purpose,
            client=client,
            method=method,
            asks_token=expect_token,
        )

    def password_grant(self, purpose: str, *, expect_token: bool = True, **overrides: object) -> Exchange:
        """The password grant with parameters overridden; one meant to obtain a token
        (`expect_token`) takes one from the budget."""
        self._check_offered("password")
        if expect_token:
            self.token_budget.ensure(purpose)
        client = overrides.pop("client", PROFILE_DEFAULT)
        params = self.password_params(**overrides)  # type: ignore[arg-type]
        return self.token_request(params, purpose=purpose, client=client, asks_token=expect_token)  # type: ignore[arg-type]

    def refresh_grant(
        self,
        refresh_token: str,
        purpose: str,
        *,
        client: ClientAuthChoice = PROFILE_DEFAULT,
        expect_token: bool = True,
        paid: bool = False,
    ) -> Exchange:
        """A refresh; one meant to obtain a token (not a used, revoked or made-up refresh token's)
        takes one from the token budget, unless the caller has made sure of it (`paid`)."""
        if expect_token and not paid:
            self.token_budget.ensure(purpose)
        return self.token_request(
            self.refresh_params(refresh_token), purpose=purpose, client=client, asks_token=expect_token
        )

    def _check_offered(self, grant: str) -> None:
        """A scenario about to send a grant the profile does not offer is a bug of the suite: it
        would judge the server by a request its documentation never promised to answer."""
        if self.offered_grants_only and not offers(self.profile, grant):
            source = self.profile.source_of("grants")
            raise SuiteError(
                f"a scenario sent the {GRANT_LABELS[grant]} grant, which profile {self.profile.name} "
                f"does not offer ({source}): a bug of the suite, nothing was sent"
            )

    def token_request(
        self,
        params: Params,
        *,
        purpose: str,
        client: ClientAuthChoice = PROFILE_DEFAULT,
        location: str | None = None,
        headers: dict[str, str] | None = None,
        method: ClientAuthMethod | None = None,
        documented: bool = False,
        asks_token: bool = False,
        query: Params = (),
    ) -> Exchange:
        """POST the token endpoint with `params` where the profile puts them; the client
        authenticates by `method` (RFC 6749 §2.3), the profile's first by default. `query`: more
        parameters in the URL, whatever the profile says (only made-up values: a URL is a place
        logs keep)."""
        params = list(params)
        request_headers = dict(headers or {})
        credentials = self.credentials.client if client is PROFILE_DEFAULT else client
        assert not isinstance(credentials, ProfileDefault)
        method = method or CLIENT_AUTH_METHODS[self.profile.client_auth]
        encoded = False
        if credentials is not None and method == "client_secret_basic":
            request_headers["Authorization"] = basic_authorization(
                credentials.client_id, credentials.client_secret
            )
            encoded = changed_by_form_encoding(credentials.client_id, credentials.client_secret)
        elif credentials is not None and method == "client_secret_post":
            params += [("client_id", credentials.client_id), ("client_secret", credentials.client_secret)]
        where = location or self.profile.parameter_location
        request = self._build(
            "token",
            purpose,
            self.profile.token_method,
            self.profile.token_path,
            params=[*params, *query] if where == "query" else (list(query) or None),
            content=form_body(params) if where == "body" else None,
            headers=request_headers,
        )
        if where == "body" and "content-type" not in request.headers:
            request.headers["Content-Type"] = "application/x-www-form-urlencoded"
        grant = dict(params)
        # The refresh token presented, keyed like a bearer token: a re-delivered pair is judged by it.
        presented = grant.get("refresh_token") if grant.get("grant_type") == "refresh_token" else None
        return self._send(
            request,
            "token",
            purpose,
            grant_type=grant.get("grant_type"),
            token=presented,
            basic_form_encoded=encoded,
            documented=documented and where == self.profile.parameter_location and not headers and not query,
            asks_token=asks_token,
        )

    # -- protected resource --------------------------------------------------------------
    def call_resource(
        self,
        token: str | None,
        purpose: str,
        *,
        scheme: str = "Bearer",
        authorization: str | None = None,
        lacks_required_scope: bool = False,
    ) -> Exchange:
        """Call the protected resource with `token` (None: no Authorization header).

        `lacks_required_scope`: the token was granted without the scope the resource requires,
        so a refusal is not judged as one of an invalid token (see `Exchange`)."""
        path = self.target.resource_path
        if path is None:
            raise UsageError(f"profile {self.profile.name} names no protected resource: pass --resource-path")
        headers = {}
        if authorization is not None:
            headers["Authorization"] = authorization
        elif token is not None:
            headers["Authorization"] = f"{scheme} {token}"
        request = self._build("resource", purpose, self.profile.resource.method, path, headers=headers)
        return self._send(
            request, "resource", purpose, token=token, lacks_required_scope=lacks_required_scope
        )

    # -- a request exactly as given --------------------------------------------------------
    def send_raw(
        self,
        method: str,
        target: str,
        *,
        kind: ExchangeKind,
        purpose: str,
        headers: Sequence[tuple[str, str | bytes]] = (),
        content: bytes | None = None,
        grant_type: str | None = None,
        token: str | None = None,
        malformed: bool = False,
        basic_form_encoded: bool = False,
        refused_before: bool = False,
        asks_token: bool = False,
    ) -> Exchange:
        """Send `method target` as given: `target` is a path with its raw query string, kept as is.

        `refused_before`: where the run already sent this very request and it was refused, that
        answer, not sent again (a refusal costs a failed login, and a request the server must
        refuse is refused alike each time).

        For requests no profile builds (odd encodings, parameters in the wrong place, other
        content types, malformed headers): the property layer and schemathesis make them. They
        pass the same budget, recording, redaction and checks as every other request; `token`
        is the bearer token presented, so the ledger can follow it. Header values that are `str`
        go out as UTF-8 (non-ASCII ones too: that is the point of some of them).
        """
        try:
            raw = [(k.encode("ascii"), v if isinstance(v, bytes) else v.encode("utf-8")) for k, v in headers]
        except UnicodeEncodeError as exc:
            reason = f"a header name that is not ASCII, or a value that is not text ({exc.reason})"
            raise self._unbuilt(kind, purpose, method, target, reason) from None
        request = self._build(kind, purpose, method, target, content=content, headers=raw)
        if refused_before:
            earlier = self._answered.get(_fingerprint(request))
            if earlier is not None and earlier.status is not None and 400 <= earlier.status < 500:
                return earlier
        return self._send(
            request,
            kind,
            purpose,
            grant_type=grant_type,
            token=token,
            malformed=malformed,
            basic_form_encoded=basic_form_encoded,
            asks_token=asks_token,
        )

    # -- requests the HTTP library refuses: the suite's own fault ------------------------------
    def _build(
        self, kind: ExchangeKind, purpose: str, method: str, url: str, **options: object
    ) -> httpx.Request:
        try:
            return self._http.build_request(method, url, **options)  # type: ignore[arg-type]
        except (httpx.InvalidURL, ValueError, TypeError) as exc:  # UnicodeEncodeError is a ValueError
            reason = f"{exc.__class__.__name__} while building it"
            raise self._unbuilt(kind, purpose, method, url, reason) from None

    def _unbuilt(self, kind: ExchangeKind, purpose: str, method: str, target: str, reason: str) -> SuiteError:
        """A request that could not even be built, recorded with what is known of it."""
        with self._lock:
            exchange = Exchange(
                seq=len(self.exchanges) + 1,
                kind=kind,
                purpose=purpose,
                method=method,
                url=redact_target(target, self.redactor),
                request_headers=[],
                request_body="",
                started_at=self.clock.now(),
                sent=False,
            )
            self.exchanges.append(exchange)
        return self._suite_error(exchange, reason)

    def _suite_error(self, exchange: Exchange, reason: str, token: str | None = None) -> SuiteError:
        exchange.sent = False
        exchange.error = self.redactor.scrub(f"not sent: the HTTP library refuses it: {reason}")
        self._notify(exchange)
        if token is not None and not _VSCHAR.fullmatch(token):
            # The suite presented what the target issued: the token itself cannot travel.
            blame = (
                "the token the target issued holds characters outside RFC 6749 §A.12 VSCHAR, "
                "which no HTTP header can carry; this says nothing of the requirement under test"
            )
        else:
            blame = "this is a bug of the suite, not a fault of the target"
        return SuiteError(
            self.redactor.scrub(
                f"{exchange.purpose}: the suite built a request the HTTP library refuses to send "
                f"({reason}); {blame}: {exchange.summary()}"
            )
        )

    # -- recording -----------------------------------------------------------------------
    def _send(
        self,
        request: httpx.Request,
        kind: ExchangeKind,
        purpose: str,
        *,
        grant_type: str | None = None,
        token: str | None = None,
        lacks_required_scope: bool = False,
        malformed: bool = False,
        basic_form_encoded: bool = False,
        documented: bool = False,
        asks_token: bool = False,
    ) -> Exchange:
        refusal = _unsendable(request)
        if refusal is None:
            self.budget.acquire()
        url, headers, body = redact_request(request, self.redactor)
        auth = request.headers.get("authorization")
        with self._lock:
            exchange = Exchange(
                seq=len(self.exchanges) + 1,
                kind=kind,
                purpose=purpose,
                method=request.method,
                url=url,
                request_headers=headers,
                request_body=body,
                started_at=self.clock.now(),
                auth_scheme_sent=auth.split(None, 1)[0] if auth and auth.strip() else None,
                grant_type=grant_type,
                token_key=token_key(token) if token is not None else None,
                lacks_required_scope=lacks_required_scope,
                malformed=malformed,
                basic_form_encoded=basic_form_encoded,
                documented=documented,
                asks_token=asks_token,
            )
            self.exchanges.append(exchange)
        if refusal is not None:
            raise self._suite_error(exchange, refusal, token)
        line = curl_line(request, self._environment, self.redactor, emulated=self.target.emulated)
        exchange.replay, exchange.replay_blocked = line.text, line.blocked
        began = time.perf_counter()
        try:
            response = self._http.send(request)
        except httpx.LocalProtocolError as exc:  # raised on our side, before the target saw anything
            exchange.elapsed = time.perf_counter() - began
            raise self._suite_error(exchange, _refusal(request, str(exc)), token) from None
        except httpx.TransportError as exc:
            exchange.elapsed = time.perf_counter() - began
            exchange.error = self.redactor.scrub(_describe_transport_error(exc, self.timeout))
            self._notify(exchange)
            error_type = TargetUnreachable if isinstance(exc, httpx.ConnectError) else TransportFailure
            raise error_type(f"{exchange.summary()}") from None
        exchange.elapsed = time.perf_counter() - began
        exchange.finished_at = self.clock.now()
        exchange.last_sent_before_answer = len(self.exchanges)
        text = response.text if response.content else ""
        exchange.status = response.status_code
        try:
            exchange.json = response.json() if response.content else None
        except ValueError as exc:
            exchange.json_error = f"body is not JSON ({exc.__class__.__name__})"
        exchange.response_body = redact_response_body(
            text, response.headers.get("content-type", ""), self.redactor, exchange.json
        )
        exchange.response_headers = [(k, self.redactor.scrub(v)) for k, v in response.headers.multi_items()]
        self._answered[_fingerprint(request)] = exchange
        self._notify(exchange)
        return exchange

    def _notify(self, exchange: Exchange) -> None:
        for listener in self.listeners:
            listener(exchange)


_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")  # what quote_plus leaves as it is
_VSCHAR = re.compile(r"[\x20-\x7e]*")  # RFC 6749 §A.12: what a token is made of


def _fingerprint(request: httpx.Request) -> str:
    """What tells two requests apart as a server reads them, hashed (no secret is kept twice): the
    method, the path, the parameters of the query and of a form body decoded, each name's values
    in their order (a server keeps the first of a repeated one, or the last), and the headers but
    the length."""
    digest = hashlib.sha256()
    form = "application/x-www-form-urlencoded" in request.headers.get("content-type", "")
    body = _parameters(request.content.decode("latin-1")) if form else ""
    query = _parameters(request.url.query.decode("latin-1"))
    parts = [request.method, request.url.path, query, body]
    parts += [
        f"{k.lower()}: {v}" for k, v in sorted(request.headers.items()) if k.lower() != "content-length"
    ]
    if not form:
        parts.append(request.content.decode("latin-1"))
    for part in parts:
        encoded = part.encode("utf-8", "surrogateescape")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return digest.hexdigest()


def _parameters(encoded: str) -> str:
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(encoded, keep_blank_values=True):
        values.setdefault(name, []).append(value)
    return repr(sorted(values.items()))


def _quote(text: str) -> str:
    return text if _UNQUOTED.fullmatch(text) else quote_plus(text)


def form_body(params: Params) -> bytes:
    """application/x-www-form-urlencoded, as the suite sends it (unreserved characters kept)."""
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in params).encode("ascii")


def _unsendable(request: httpx.Request) -> str | None:
    """Why HTTP/1.1 cannot carry `request`, or None.

    The network transport serialises requests with h11, which refuses what RFC 9110 forbids (a
    header value with surrounding blanks or a line break, a target with spaces); the in-process
    transport would pass them on. Asking h11 first makes both behave alike: a request the suite
    could not send to a live server is never sent to the emulator either.
    """
    try:
        h11.Request(method=request.method, target=request.url.raw_path, headers=request.headers.raw)
    except h11.LocalProtocolError as exc:
        return _refusal(request, str(exc))
    return None


def _refusal(request: httpx.Request, message: str) -> str:
    """The library's reason, without the header value it quotes (it may be a credential)."""
    for name, value in request.headers.raw:
        if repr(value) in message:
            header = name.decode("latin-1")
            if value != value.strip(b" \t"):
                return f"the {header} header's value begins or ends with a blank"
            return f"the {header} header's value holds a character HTTP cannot carry (NUL, CR, LF)"
    return message  # about the target or a header name: no value in it


def _describe_transport_error(exc: httpx.TransportError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g} s ({exc.__class__.__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {exc}"
    return f"{exc.__class__.__name__}: {exc}"
