"""Running the web app with uvicorn.

    python -m binhon.web.server [--host H] [--port P] [--workers N] [--log-level L]

serves the app of BINHON_DATABASE_URL as it is (``binhon serve`` also updates the schema and the
catalogues first); the load test (benchmarks/web_load.py) starts the server this way.
"""

from __future__ import annotations

import argparse
import gc
import logging
import socket
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

log = logging.getLogger("binhon.web")

APP = "binhon.web.server:create_served_app"


def create_served_app() -> FastAPI:
    """create_app() for a server process, made ready for its first requests.

    Every template is compiled now rather than by the first request that shows it. Then the objects
    that exist after start-up (modules of pandas, SQLAlchemy, FastAPI..., the app: some 160 000) are
    moved out of the garbage collector's reach (gc.freeze): they live as long as the process, and a full
    collection scanning them stopped every request of the worker for ~100 ms now and then.
    """
    from binhon.web.app import create_app

    app = create_app()
    env = app.state.templates.env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    gc.collect()
    gc.freeze()
    return app


class TcpConfig(uvicorn.Config):
    """uvicorn's Config, with a listening socket that says it is TCP.

    With several workers uvicorn binds the socket itself as ``socket.socket(AF_INET)``, whose protocol
    number is 0; asyncio sets TCP_NODELAY only on accepted sockets whose protocol is IPPROTO_TCP, so
    every connection kept Nagle's algorithm: a response written in two parts (headers, then body) waited
    for the client's delayed ACK, ~40 ms on Linux, on most requests of a keep-alive connection. The same
    descriptor, declared as TCP, gets TCP_NODELAY like a single worker's connections do.
    """

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            tcp = socket.socket(sock.family, socket.SOCK_STREAM, socket.IPPROTO_TCP, fileno=sock.detach())
            tcp.set_inheritable(True)
            return tcp
        return sock


def run(*, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, **options: Any) -> None:
    """Serve the app (uvicorn.run's steps, with TcpConfig); options are uvicorn.Config's."""
    config = TcpConfig(APP, factory=True, host=host, port=port, workers=workers, **options)
    server = uvicorn.Server(config=config)
    if config.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        server.run()


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    workers: int = 1,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
    log_level: str = "info",
) -> None:
    """Serve the web app on host:port until interrupted (schema and catalogues are updated first)."""
    from binhon.db.engine import get_engine
    from binhon.sync import ensure_ready
    from binhon.web.settings import get_web_settings

    ensure_ready(get_engine(), actor="web")
    settings = get_web_settings()
    run(
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        timeout_keep_alive=75,  # longer than a browser's or a reverse proxy's idle reuse
        log_level=log_level,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
    )


def main() -> None:
    """python -m binhon.web.server: serve the database as it is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    run(
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        server_header=False,
        timeout_keep_alive=75,
    )


if __name__ == "__main__":
    main()
