"""Running the web app with uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("binhon.web")


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
    import uvicorn

    from binhon.db.engine import get_engine
    from binhon.sync import ensure_ready
    from binhon.web.settings import get_web_settings

    ensure_ready(get_engine(), actor="web")
    settings = get_web_settings()
    uvicorn.run(
        "binhon.web.app:create_app",
        factory=True,
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
