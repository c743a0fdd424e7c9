"""The loopback server the served tests, `serve()` users and the benchmarks talk to."""

from __future__ import annotations

import asyncio
import socket

from conformance.emulator.server import listening_socket


def test_accepted_connections_send_without_waiting_for_an_ack() -> None:
    """uvicorn serves on an asyncio server; a connection it accepts must have TCP_NODELAY, or
    each answer on a kept-alive connection waits for the client's delayed ACK."""

    async def accept_one() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted = transport.get_extra_info("socket")
                seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listening_socket())
        async with server:
            port = server.sockets[0].getsockname()[1]
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                return await asyncio.wait_for(seen, timeout=10)
            finally:
                writer.close()

    assert asyncio.run(accept_one()) != 0


def test_the_socket_is_bound_to_a_free_loopback_port() -> None:
    with listening_socket() as sock:
        host, port = sock.getsockname()
        assert host == "127.0.0.1"
        assert port > 0
