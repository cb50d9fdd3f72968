"""`binhon demo`: build the embedded demo database, run detection, create demo accounts, serve."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

DEMO_DB = "binhon-demo.db"


def _demo_url(database: str | None) -> str:
    if database:
        return database
    return f"sqlite:///{DEMO_DB}"


def _fresh_sqlite(url: str) -> None:
    """Remove a previous SQLite demo file (and its WAL files) so the build starts from nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    for suffix in ("", "-wal", "-shm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            candidate.unlink()


def demo_command(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Dừng sau khi dựng dữ liệu mẫu")] = False,
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng")] = 8000,
    database: Annotated[
        str | None,
        typer.Option(
            "--database", help=f"CSDL cho dữ liệu mẫu (mặc định: SQLite {DEMO_DB} trong thư mục hiện tại)"
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Hạt giống ngẫu nhiên (cùng hạt giống → cùng dữ liệu)")
    ] = 2027,
) -> None:
    """Dựng CSDL mẫu (DỮ LIỆU MẪU, không phải số liệu thật), chạy phát hiện bất thường, tạo tài khoản mẫu,
    rồi mở ứng dụng web."""
    from binhon.accounts.demo import create_demo_accounts
    from binhon.cli import say, warn
    from binhon.db.engine import get_engine, session_scope
    from binhon.demo import build_demo
    from binhon.detection.run import run_detection
    from binhon.programme.demo import ensure_demo_programme
    from binhon.settings import get_settings

    url = _demo_url(database)
    _fresh_sqlite(url)
    os.environ["BINHON_DATABASE_URL"] = url  # the web app and every later step use the demo database
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine(url)
    say(f"Đang dựng CSDL mẫu tại {make_url(url).render_as_string(hide_password=True)} …")
    summary = build_demo(engine, seed=seed)
    for line in summary.describe():
        say(line)
    with session_scope(engine) as session:
        ensure_demo_programme(session, year=summary.end.year + 1)
    with session_scope(engine) as session:
        result = run_detection(session, as_of=summary.end, actor="demo")
        say(
            f"Phát hiện bất thường đến ngày {summary.end:%d/%m/%Y}: {result.raised} cảnh báo mới "
            + (
                "("
                + ", ".join(f"{kind} {count}" for kind, count in sorted(result.raised_by_kind.items()))
                + ")"
                if result.raised_by_kind
                else ""
            )
        )
    with session_scope(engine) as session:
        accounts = create_demo_accounts(session)
    say("Tài khoản mẫu (tên đăng nhập / mật khẩu / vai trò):")
    for username, password, role in accounts:
        say(f"  {username} / {password} / {role}")
    if no_serve:
        say(f"Xong. Mở ứng dụng sau bằng: BINHON_DATABASE_URL={url} binhon serve")
        return
    from binhon.web.server import serve

    warn(f"binhon (DỮ LIỆU MẪU) đang chạy tại http://{host}:{port}/  — API: http://{host}:{port}/docs")
    serve(host, port)


def register(app: typer.Typer) -> None:
    """Add `demo` to the binhon CLI."""
    app.command("demo")(demo_command)
