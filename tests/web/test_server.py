"""How the app is served: every connection without Nagle's delay, also with several workers."""

from __future__ import annotations

import asyncio
import socket

from binhon.web.server import TcpConfig


def test_connections_of_a_multi_worker_socket_get_tcp_nodelay() -> None:
    config = TcpConfig(
        "binhon.web.server:create_served_app", factory=True, host="127.0.0.1", port=0, workers=2
    )
    sock = config.bind_socket()  # what uvicorn hands to each worker process
    assert sock.proto == socket.IPPROTO_TCP

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                seen.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Protocol, sock=sock)
        try:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            value = await asyncio.wait_for(seen, 5)
            writer.close()
            return value
        finally:
            server.close()

    try:
        assert asyncio.run(accepted_nodelay()) != 0
    finally:
        sock.close()
