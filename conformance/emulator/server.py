"""Serving an ASGI app (the emulator, or a test's fault app) over real HTTP on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

__all__ = ["listening_socket", "serve"]


def listening_socket(host: str = "127.0.0.1") -> socket.socket:
    """A TCP socket bound to a free port of `host`, for uvicorn to listen on.

    Its protocol is IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose protocol
    says TCP, and accepted connections inherit it. Without it every answer over keep-alive waits
    for the client's delayed ACK (about 40 ms on Linux) before its body leaves.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@contextmanager
def serve(app: Any, host: str = "127.0.0.1", startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve `app` on a free loopback port in a background thread; yields its base URL."""
    sock = listening_socket(host)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server on {host}:{port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
