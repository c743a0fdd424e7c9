"""Start a Django OAuth Toolkit authorization server for the conformance suite.

    <python> serve.py <port> <state-dir>

Binds 127.0.0.1:<port> (0: any free port), creates a fresh SQLite database in <state-dir>
(migrations, then the user and the clients below), serves the project threaded, as runserver does
(Django's ThreadedWSGIServer and WSGIRequestHandler), and prints `LISTENING <port>` once it
accepts connections. Its accepted sockets set TCP_NODELAY: Django's handler writes an answer's
head and body apart, and without it every answer waits out the client's delayed ACK (about 40 ms
a request: the suite's run of the password leg took 56 s, and takes under half that with it).
Nothing else about the answers changes.

Registered (what an operator would register in the admin, getting_started.rst):
  user conformance-user
  conformance-client            confidential, "Resource owner password-based" grant (the
                                default Application has one grant: advanced_topics.rst,
                                "Multiple Grants"; refresh tokens come with it)
  conformance-restricted-client confidential, "Authorization code" grant: allowed neither the
                                password nor the client credentials grant
  conformance-cc-client         confidential, "Client credentials" grant
  conformance-encoded-client    confidential, password grant, a secret with characters that
                                RFC 6749 §2.3.1 form-encodes in a Basic header
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

USERNAME = "conformance-user"
PASSWORD = "conformance-password-dot-51d2"  # a test user of a throwaway server
CLIENTS = [
    # client_id, secret, grant
    ("conformance-client", "conformance-secret-dot-7f3a9c", "password"),
    ("conformance-restricted-client", "conformance-restricted-secret-dot-9c4f02", "authorization-code"),
    ("conformance-cc-client", "conformance-cc-secret-dot-3b8e1d", "client-credentials"),
    ("conformance-encoded-client", "enc+secret/50% off&more=yes", "password"),
]
REDIRECT_URI = "http://127.0.0.1/conformance/callback"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: serve.py <port> <state-dir>", file=sys.stderr)
        return 2
    port, state = int(argv[0]), Path(argv[1]).resolve()
    state.mkdir(parents=True, exist_ok=True)
    database = state / "db.sqlite3"
    for leftover in state.glob("db.sqlite3*"):
        leftover.unlink()
    sys.path.insert(0, str(HERE))
    os.environ["DJANGO_SETTINGS_MODULE"] = "dotserver.settings"
    os.environ["DOT_STATE_DIR"] = str(state)

    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", interactive=False, verbosity=0)
    assert database.exists()
    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    application = get_application_model()
    for client_id, secret, grant in CLIENTS:
        application.objects.create(
            name=client_id,
            client_id=client_id,
            client_secret=secret,  # hashed on save (hash_client_secret defaults to True)
            client_type=application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=grant,
            redirect_uris=REDIRECT_URI if grant == "authorization-code" else "",
            user=user,
        )

    class Server(ThreadedWSGIServer):
        def get_request(self) -> tuple[socket.socket, object]:
            connection, address = super().get_request()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

    httpd = Server(("127.0.0.1", port), WSGIRequestHandler, ipv6=False)
    httpd.set_app(get_wsgi_application())
    print(f"LISTENING {httpd.server_address[1]}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
