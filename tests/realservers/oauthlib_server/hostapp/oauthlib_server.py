"""A minimal OAuth 2.0 provider built on oauthlib, the way oauthlib's documentation shows it.

"Creating a Provider" (https://oauthlib.readthedocs.io/en/latest/oauth2/server.html): a
`RequestValidator` subclass over a datastore (here in memory), the pre-configured all-in-one
`oauthlib.oauth2.Server`, and thin views that hand (uri, http_method, body, headers) to the
server and send back the (headers, body, status) it returns, unchanged:

    POST /token        server.create_token_response(...)       (password, refresh_token, client_credentials)
    POST /revoke_token server.create_revocation_response(...)  (RFC 7009)
    POST /introspect   server.create_introspect_response(...)  (RFC 7662)
    GET  /api/resource server.verify_request(..., scopes=["read"]): 200, or a plain 403 as the
                       docs' resource example does ("else: return an http forbidden 403")

Registered (fresh on every start, in memory):
    conformance-client             confidential; password, refresh_token, client_credentials;
                                   scopes read write
    conformance-restricted-client  confidential; authorization_code, refresh_token only (no password,
                                   no client_credentials); scopes read write
    conformance:special client     confidential; client_credentials; a client id and secret with
                                   characters RFC 6749 §2.3.1 has form-encoded in HTTP Basic
    user conformance-user          password conformance-password-51d2

Started as `python oauthlib_server.py <port> <state-dir>` (port 0: any free one; the state lives
in memory, the folder is not used). Binds 127.0.0.1 and prints `LISTENING <port>` once it
accepts connections. Uses the standard library only, beside oauthlib.
"""

from __future__ import annotations

import base64
import hmac
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from socketserver import ThreadingMixIn
from urllib.parse import unquote_plus
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.util import request_uri

from oauthlib.oauth2 import RequestValidator, Server

RESOURCE_PATH = "/api/resource"
RESOURCE_SCOPES = ["read"]


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str
    grant_types: frozenset[str]
    scopes: frozenset[str]
    default_scopes: tuple[str, ...]


@dataclass
class AccessToken:
    client_id: str
    user: str | None
    scopes: list[str]
    issued_at: float
    expires_at: float
    refresh_token: str | None
    revoked: bool = False


@dataclass
class RefreshToken:
    client_id: str
    user: str | None
    scopes: list[str]
    issued_at: float
    access_tokens: list[str] = field(default_factory=list)
    revoked: bool = False


CLIENTS = {
    c.client_id: c
    for c in (
        Client(
            "conformance-client",
            "conformance-secret-7f3a9c",
            frozenset({"password", "refresh_token", "client_credentials"}),
            frozenset({"read", "write"}),
            ("read",),
        ),
        Client(
            "conformance-restricted-client",
            "conformance-restricted-secret-9c4f02",
            frozenset({"authorization_code", "refresh_token"}),
            frozenset({"read", "write"}),
            ("read",),
        ),
        Client(
            "conformance:special client",
            "p@ss:w+rd %/\u00e9",
            frozenset({"client_credentials"}),
            frozenset({"read", "write"}),
            ("read",),
        ),
    )
}
USERS = {"conformance-user": "conformance-password-51d2"}


class Store:
    """The datastore of the docs' section 2 ("Create your datastore models"), in memory."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class InMemoryValidator(RequestValidator):
    """Every RequestValidator method the password, refresh token and client credentials grants,
    the revocation, introspection and resource endpoints call, following each docstring."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- client authentication ------------------------------------------------------------
    # client_authentication_required: the default (True). Every registered client is
    # confidential, and RFC 6749 §4.3.2 / §6 require them to authenticate.

    @staticmethod
    def _basic_credentials(request) -> tuple[str, str] | None:
        """HTTP Basic (RFC 6749 §2.3.1): base64 of the form-encoded client id and secret joined
        by a colon. None when the request carries no Basic credentials."""
        authorization = request.headers.get("Authorization")
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except ValueError:  # not ASCII, not base64 (binascii.Error) or not UTF-8 (UnicodeDecodeError)
            return ("", "")
        client_id, colon, secret = decoded.partition(":")
        if not colon:
            return ("", "")
        return unquote_plus(client_id), unquote_plus(secret)

    def authenticate_client(self, request, *args, **kwargs):
        # "Means of authentication is negotiated beforehand and may for example be HTTP Basic":
        # HTTP Basic when the request carries it, else client_id/client_secret in the body
        # (RFC 6749 §2.3.1 allows both).
        credentials = self._basic_credentials(request)
        if credentials is None:
            credentials = (request.client_id, request.client_secret)
        client_id, secret = credentials
        client = CLIENTS.get(client_id) if client_id else None
        if client is None or not secret or not _equal(client.secret, secret):
            return False
        request.client = client
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        # "Ensure client_id belong to a non-confidential client": there are none.
        return False

    def validate_client_id(self, client_id, request, *args, **kwargs):
        client = CLIENTS.get(client_id)
        if client is None:
            return False
        request.client = client
        return True

    # -- grants and scopes ------------------------------------------------------------------

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        client = client or CLIENTS.get(client_id)
        return client is not None and grant_type in client.grant_types

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        client = client or CLIENTS.get(client_id)
        return client is not None and all(scope in client.scopes for scope in scopes)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        client = CLIENTS.get(client_id)
        return list(client.default_scopes) if client else []

    def validate_user(self, username, password, client, request, *args, **kwargs):
        known = USERS.get(username)
        if known is None or not _equal(known, password):
            return False
        request.user = username
        return True

    # -- authorization codes: this host app has no authorization endpoint, so none exist ----

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        return False

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        return False

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        return None

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        return None

    # -- tokens ----------------------------------------------------------------------------

    def save_bearer_token(self, token, request, *args, **kwargs):
        # "associated with: a client, a resource owner (request.user), authorized scopes
        # (request.scopes), an expiration time, a refresh token, if issued".
        now = time.time()
        client_id = request.client.client_id if request.client else request.client_id
        user = getattr(request, "user", None)
        scopes = list(request.scopes or [])
        new_refresh = token.get("refresh_token")
        with self.store.lock:
            old_refresh = request.refresh_token if request.grant_type == "refresh_token" else None
            refresh_scopes = scopes
            if old_refresh and old_refresh in self.store.refresh_tokens:
                old = self.store.refresh_tokens[old_refresh]
                # RFC 6749 §6: a new refresh token has the scope of the one it replaces.
                refresh_scopes = list(old.scopes)
                if new_refresh and new_refresh != old_refresh:
                    # rotate_refresh_token (default True): the old one is replaced.
                    old.revoked = True
            self.store.access_tokens[token["access_token"]] = AccessToken(
                client_id=client_id,
                user=user,
                scopes=scopes,
                issued_at=now,
                expires_at=now + int(token["expires_in"]),
                refresh_token=new_refresh,
            )
            if new_refresh:
                record = self.store.refresh_tokens.get(new_refresh)
                if record is None:
                    record = RefreshToken(client_id, user, refresh_scopes, now)
                    self.store.refresh_tokens[new_refresh] = record
                record.access_tokens.append(token["access_token"])

    def _active_access_token(self, token: str | None) -> AccessToken | None:
        record = self.store.access_tokens.get(token) if token else None
        if record is None or record.revoked or time.time() >= record.expires_at:
            return None
        return record

    def _active_refresh_token(self, token: str | None) -> RefreshToken | None:
        record = self.store.refresh_tokens.get(token) if token else None
        if record is None or record.revoked:
            return None
        return record

    def validate_bearer_token(self, token, scopes, request):
        # "always ensure the token has not expired!"; scopes: all(scopes) of the resource.
        with self.store.lock:
            record = self._active_access_token(token)
            if record is None:
                return False
            if not all(scope in record.scopes for scope in (scopes or [])):
                return False
            request.client = CLIENTS.get(record.client_id)
            request.user = record.user
            request.scopes = list(record.scopes)
            return True

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        # Valid, not revoked, and issued to the authenticated client; sets request.user.
        with self.store.lock:
            record = self._active_refresh_token(refresh_token)
            if record is None or client is None or record.client_id != client.client_id:
                return False
            request.user = record.user
            return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        with self.store.lock:
            record = self.store.refresh_tokens.get(refresh_token)
            return list(record.scopes) if record else []

    # is_within_original_scope and rotate_refresh_token: the documented defaults (False, True).

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        # RFC 7009 §2.1: only a token issued to the requesting client; a refresh token takes the
        # access tokens issued with it along. The hint only orders the lookup.
        client_id = request.client.client_id if request.client else None
        with self.store.lock:
            access = self.store.access_tokens.get(token)
            refresh = self.store.refresh_tokens.get(token)
            if token_type_hint == "refresh_token" and refresh is not None:
                access = None
            if access is not None:
                if access.client_id == client_id:
                    access.revoked = True
            elif refresh is not None and refresh.client_id == client_id:
                refresh.revoked = True
                for value in refresh.access_tokens:
                    if value in self.store.access_tokens:
                        self.store.access_tokens[value].revoked = True

    def introspect_token(self, token, token_type_hint, request, *args, **kwargs):
        # The claims of an active token, None for an unknown, expired or revoked one
        # (oauthlib adds "active").
        with self.store.lock:
            order = (
                ["refresh_token", "access_token"]
                if token_type_hint == "refresh_token"
                else ["access_token", "refresh_token"]
            )
            for kind in order:
                if kind == "access_token":
                    record = self._active_access_token(token)
                    if record is not None:
                        return {
                            "scope": " ".join(record.scopes),
                            "client_id": record.client_id,
                            "username": record.user,
                            "token_type": "Bearer",
                            "exp": int(record.expires_at),
                            "iat": int(record.issued_at),
                        }
                else:
                    refresh = self._active_refresh_token(token)
                    if refresh is not None:
                        return {
                            "scope": " ".join(refresh.scopes),
                            "client_id": refresh.client_id,
                            "username": refresh.user,
                            "iat": int(refresh.issued_at),
                        }
            return None


# -- the WSGI views -------------------------------------------------------------------------

STORE = Store()
server = Server(InMemoryValidator(STORE))


def extract_params(environ):
    """(uri, http_method, body, headers) of a WSGI request, as the docs' views pass them."""
    uri = request_uri(environ, include_query=True)
    http_method = environ["REQUEST_METHOD"]
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = environ["CONTENT_LENGTH"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length).decode("utf-8", errors="replace") if length > 0 else ""
    return uri, http_method, body, headers


def response_from_return(start_response, headers, body, status):
    payload = (body or "").encode("utf-8")
    start_response(
        f"{status} {HTTPStatus(status).phrase}", [*headers.items(), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    uri, http_method, body, headers = extract_params(environ)
    # One request at a time against the store: each request is one transaction.
    with STORE.lock:
        if path == "/token":
            return response_from_return(
                start_response, *server.create_token_response(uri, http_method, body, headers)
            )
        if path == "/revoke_token":
            return response_from_return(
                start_response,
                *server.create_revocation_response(uri, http_method=http_method, body=body, headers=headers),
            )
        if path == "/introspect":
            return response_from_return(
                start_response,
                *server.create_introspect_response(uri, http_method=http_method, body=body, headers=headers),
            )
        if path == RESOURCE_PATH:
            valid, request = server.verify_request(uri, http_method, body, headers, RESOURCE_SCOPES)
            if valid:
                content = json.dumps(
                    {"resource": "protected", "user": request.user, "scopes": request.scopes}
                )
                return response_from_return(
                    start_response, {"Content-Type": "application/json"}, content, 200
                )
            # "else: return an http forbidden 403" (docs, Resource authorization)
            return response_from_return(start_response, {}, "", 403)
    return response_from_return(start_response, {"Content-Type": "text/plain"}, "not found", 404)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def main(argv: list[str]) -> int:
    port = int(argv[1]) if len(argv) > 1 else 0
    httpd = make_server("127.0.0.1", port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    print(f"LISTENING {httpd.server_port}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
