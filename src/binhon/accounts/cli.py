"""`binhon users ...` and `binhon tokens ...`: accounts and API tokens from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

users_app = typer.Typer(help="Tài khoản người dùng (doanh nghiệp, cán bộ, quản trị).", no_args_is_help=True)
tokens_app = typer.Typer(help="Mã truy cập API (Bearer token) để gửi giá tự động.", no_args_is_help=True)


def _engine():  # type: ignore[no-untyped-def]
    from binhon.cli import ready_engine

    return ready_engine()


def _actor() -> str:
    from binhon.cli import actor

    return actor()


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Lỗi: {message}", err=True)
    return typer.Exit(1)


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option("--username", help="Tên đăng nhập")],
    role: Annotated[str, typer.Option("--role", help="retailer | officer | admin")],
    password: Annotated[str | None, typer.Option("--password", help="Mật khẩu (bỏ trống để nhập ẩn)")] = None,
    outlet: Annotated[
        list[str] | None, typer.Option("--outlet", help="Mã điểm bán của doanh nghiệp (lặp được)")
    ] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="Mã doanh nghiệp: mọi điểm bán của doanh nghiệp đó")
    ] = None,
    full_name: Annotated[str | None, typer.Option("--full-name", help="Họ tên / tên đơn vị")] = None,
) -> None:
    """Tạo tài khoản; tài khoản doanh nghiệp (retailer) gắn với điểm bán của mình."""
    from binhon.accounts.service import AccountError, create_user
    from binhon.db.engine import session_scope

    if password is None:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope(_engine()) as session:
            user = create_user(
                session=session,
                username=username,
                password=password,
                role=role,
                actor=_actor(),
                outlets=outlet or [],
                enterprise=enterprise,
                full_name=full_name,
            )
            name, codes = user.username, [o.code for o in user.outlets]
    except AccountError as exc:
        raise _fail(str(exc)) from None
    bound = f"; điểm bán: {', '.join(codes)}" if codes else ""
    typer.echo(f"Đã tạo tài khoản '{name}' ({role}){bound}")


@users_app.command("list")
def users_list() -> None:
    """Liệt kê tài khoản."""
    from binhon.accounts.service import list_users
    from binhon.db.engine import session_scope

    with session_scope(_engine()) as session:
        for user in list_users(session=session):
            state = "" if user.active else " (đã khóa)"
            codes = ", ".join(o.code for o in user.outlets)
            ent = f" doanh nghiệp {user.enterprise.code}" if user.enterprise else ""
            typer.echo(f"{user.username}\t{user.role}{state}\t{codes}{ent}")


@users_app.command("set-password")
def users_set_password(
    username: Annotated[str, typer.Option("--username", help="Tên đăng nhập")],
    password: Annotated[str | None, typer.Option("--password", help="Mật khẩu mới")] = None,
) -> None:
    """Đặt lại mật khẩu (kết thúc mọi phiên đăng nhập của tài khoản)."""
    from binhon.accounts.service import AccountError, get_user, set_password
    from binhon.db.engine import session_scope

    if password is None:
        password = typer.prompt("Mật khẩu mới", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope(_engine()) as session:
            user = get_user(session=session, username=username)
            if user is None:
                raise AccountError(f"không có tài khoản '{username}'")
            set_password(session=session, user=user, password=password, actor=_actor())
    except AccountError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Đã đặt lại mật khẩu cho '{username}'")


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Option("--username", help="Tên đăng nhập")]) -> None:
    """Khóa tài khoản: kết thúc các phiên và thu hồi mọi mã truy cập API."""
    from binhon.accounts.service import AccountError, get_user, set_active
    from binhon.db.engine import session_scope

    try:
        with session_scope(_engine()) as session:
            user = get_user(session=session, username=username)
            if user is None:
                raise AccountError(f"không có tài khoản '{username}'")
            set_active(session=session, user=user, active=False, actor=_actor())
    except AccountError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Đã khóa tài khoản '{username}'")


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Option("--username", help="Tên đăng nhập của tài khoản")],
    name: Annotated[str | None, typer.Option("--name", help="Ghi chú: mã này dùng cho việc gì")] = None,
) -> None:
    """In ra một mã truy cập API mới (chỉ hiện một lần; chỉ lưu bản băm)."""
    from binhon.accounts.service import AccountError, create_token, get_user
    from binhon.db.engine import session_scope

    try:
        with session_scope(_engine()) as session:
            user = get_user(session=session, username=username)
            if user is None:
                raise AccountError(f"không có tài khoản '{username}'")
            token = create_token(session=session, user=user, actor=_actor(), name=name)
    except AccountError as exc:
        raise _fail(str(exc)) from None
    typer.echo(token)


@tokens_app.command("list")
def tokens_list(
    username: Annotated[str | None, typer.Option("--username", help="Chỉ của tài khoản này")] = None,
) -> None:
    """Liệt kê mã truy cập (chỉ phần đầu, không bao giờ hiện toàn bộ)."""
    from binhon.accounts.service import as_utc, get_user, list_tokens
    from binhon.db.engine import session_scope
    from binhon.formatting import format_datetime

    with session_scope(_engine()) as session:
        user = get_user(session=session, username=username) if username else None
        if username and user is None:
            raise _fail(f"không có tài khoản '{username}'")
        for t in list_tokens(session=session, user=user):
            state = f"thu hồi {format_datetime(as_utc(t.revoked_at))}" if t.revoked_at else "còn hiệu lực"
            typer.echo(f"{t.id}\t{t.user.username}\t{t.prefix}…\t{state}\t{t.name or ''}")


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="Số của mã truy cập (xem tokens list)")],
) -> None:
    """Thu hồi một mã truy cập."""
    from binhon.accounts.service import AccountError, revoke_token
    from binhon.db.engine import session_scope

    try:
        with session_scope(_engine()) as session:
            revoke_token(session=session, token_id=token_id, actor=_actor())
    except AccountError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Đã thu hồi mã truy cập số {token_id}")


def register(app: typer.Typer) -> None:
    """Add `users` and `tokens` to the binhon CLI."""
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
