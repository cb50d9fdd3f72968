"""The web app: JSON API and Vietnamese server-rendered pages (FastAPI + Jinja2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app", "serve"]


def create_app(**kwargs: Any) -> FastAPI:
    """Build the web app (see binhon.web.app.create_app)."""
    from binhon.web.app import create_app as _create_app

    return _create_app(**kwargs)


def serve(host: str = "127.0.0.1", port: int = 8000, **kwargs: Any) -> None:
    """Serve the web app until interrupted (see binhon.web.server.serve)."""
    from binhon.web.server import serve as _serve

    _serve(host, port, **kwargs)
