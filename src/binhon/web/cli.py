"""`binhon serve` (and, through binhon.accounts.cli, `binhon users` and `binhon tokens`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=32, help="Số tiến trình xử lý")] = 1,
    ssl_certfile: Annotated[Path | None, typer.Option("--ssl-certfile", help="Chứng chỉ TLS (PEM)")] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option("--ssl-keyfile", help="Khóa riêng TLS (PEM)")] = None,
) -> None:
    """Chạy ứng dụng web: trang khai giá, bàn cảnh báo, API tại /api/v1 (tài liệu tại /docs)."""
    from binhon.web.server import serve

    scheme = "https" if ssl_certfile else "http"
    typer.echo(f"binhon đang chạy tại {scheme}://{host}:{port}/  (API: {scheme}://{host}:{port}/docs)")
    serve(host, port, workers=workers, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)


def register(app: typer.Typer) -> None:
    """Add `serve`, `users` and `tokens` to the binhon CLI."""
    from binhon.accounts.cli import register as register_accounts

    app.command("serve")(serve_command)
    register_accounts(app)
