"""Signing in and out, and the user's own account (password, API tokens)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from binhon.accounts.passwords import verify_password
from binhon.accounts.service import (
    AccountError,
    Throttle,
    authenticate,
    create_token,
    end_session,
    list_tokens,
    outlets_of,
    revoke_token,
    set_password,
    start_session,
)
from binhon.web.deps import CsrfUser, OptionalUser, PageUser, SessionDep, SettingsDep
from binhon.web.labels import sentence
from binhon.web.pages.common import FormDep, field_text, home_for, redirect, render, safe_next
from binhon.web.security import (
    clear_session_cookie,
    login_csrf_token,
    read_login_csrf,
    read_session_cookie,
    same_origin,
    set_login_csrf_cookie,
    set_session_cookie,
    tokens_match,
)

router = APIRouter()


@router.get("/")
def home(me: OptionalUser) -> Response:
    """Trang đầu: chuyển tới trang phù hợp với vai trò."""
    if me is None:
        return redirect("/dang-nhap")
    return redirect(home_for(me))


def _login_page(
    request: Request,
    settings: SettingsDep,
    *,
    next_url: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    token, new = login_csrf_token(request)
    response = render(
        request,
        "login.html",
        {"next": next_url, "username": username, "error": error, "login_csrf": token},
        status_code=status_code,
    )
    if new:
        set_login_csrf_cookie(response, request, settings, token)
    return response


@router.get("/dang-nhap")
def login_form(
    request: Request, me: OptionalUser, settings: SettingsDep, next: str | None = None
) -> Response:
    """Trang đăng nhập."""
    target = safe_next(next, "")
    if me is not None:
        return redirect(target or home_for(me))
    return _login_page(request, settings, next_url=target)


@router.post("/dang-nhap")
def login(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Đăng nhập: kiểm tra mật khẩu (giới hạn số lần sai), mở phiên mới."""
    if not same_origin(request) or not tokens_match(read_login_csrf(request), csrf_token):
        return _login_page(
            request,
            settings,
            next_url=safe_next(next, ""),
            username=username,
            error="Phiên đăng nhập đã hết hạn, hãy thử lại.",
            status_code=403,
        )
    throttle = Throttle(
        max_failures=settings.login_max_failures,
        max_failures_per_address=settings.login_max_failures_per_address,
        window=dt.timedelta(minutes=settings.login_window_minutes),
    )
    address = request.client.host if request.client else None
    result = authenticate(
        session=db, username=username, password=password, address=address, throttle=throttle
    )
    db.commit()
    if result.locked:
        return _login_page(
            request,
            settings,
            next_url=safe_next(next, ""),
            username=username,
            status_code=429,
            error=f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {result.retry_after_minutes} phút.",
        )
    if result.user is None:
        return _login_page(
            request,
            settings,
            next_url=safe_next(next, ""),
            username=username,
            status_code=401,
            error="Tên đăng nhập hoặc mật khẩu không đúng.",
        )
    new = start_session(session=db, user=result.user, lifetime=dt.timedelta(hours=settings.session_hours))
    db.commit()
    from binhon.web.deps import Principal

    target = safe_next(next, home_for(Principal(result.user, "session")))
    response = redirect(target)
    set_session_cookie(response, request, settings, new.token, int(settings.session_hours * 3600))
    return response


@router.post("/dang-xuat")
def logout(request: Request, db: SessionDep, settings: SettingsDep, me: CsrfUser) -> Response:
    """Đăng xuất: kết thúc phiên trên máy chủ."""
    cookie = read_session_cookie(request)
    if cookie:
        end_session(session=db, token=cookie)
        db.commit()
    response = redirect("/dang-nhap")
    clear_session_cookie(response, request, settings)
    return response


def _account_page(
    request: Request,
    db: SessionDep,
    me: PageUser,
    *,
    new_token: str | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    tokens = list_tokens(session=db, user=me.user)
    outlets = outlets_of(session=db, user=me.user) if me.role == "retailer" else []
    return render(
        request,
        "account.html",
        {
            "tokens": tokens,
            "outlets": outlets,
            "new_token": new_token,
            "errors": errors or {},
            "message": message,
        },
        status_code=status_code,
    )


@router.get("/tai-khoan")
def account(request: Request, db: SessionDep, me: PageUser) -> Response:
    """Tài khoản của tôi: đổi mật khẩu, mã truy cập API."""
    return _account_page(request, db, me)


@router.post("/tai-khoan/mat-khau")
def change_password(
    request: Request, db: SessionDep, settings: SettingsDep, me: CsrfUser, form: FormDep
) -> Response:
    """Đổi mật khẩu (phải nhập mật khẩu hiện tại)."""
    current = field_text(form, "current_password", 1000)
    new = field_text(form, "new_password", 1000)
    again = field_text(form, "new_password2", 1000)
    errors: dict[str, str] = {}
    if not verify_password(current, me.user.password_hash):
        errors["current_password"] = "Mật khẩu hiện tại không đúng"
    if new != again:
        errors["new_password2"] = "Hai lần nhập mật khẩu mới không khớp"
    if not errors:
        try:
            set_password(session=db, user=me.user, password=new, actor=me.actor)
        except AccountError as exc:
            errors["new_password"] = sentence(str(exc))
    if errors:
        db.rollback()
        return _account_page(request, db, me, errors=errors, status_code=422)
    new_session = start_session(session=db, user=me.user, lifetime=dt.timedelta(hours=settings.session_hours))
    db.commit()
    response = redirect("/tai-khoan?doi-mat-khau=1")
    set_session_cookie(response, request, settings, new_session.token, int(settings.session_hours * 3600))
    return response


@router.post("/tai-khoan/ma-truy-cap")
def new_token(request: Request, db: SessionDep, me: CsrfUser, form: FormDep) -> Response:
    """Tạo mã truy cập API cho chính mình (hiện một lần)."""
    name = field_text(form, "name", 120) or None
    token = create_token(session=db, user=me.user, actor=me.actor, name=name)
    db.commit()
    return _account_page(request, db, me, new_token=token)


@router.post("/tai-khoan/ma-truy-cap/{token_id}/thu-hoi")
def drop_token(request: Request, db: SessionDep, me: CsrfUser, token_id: int) -> Response:
    """Thu hồi một mã truy cập của chính mình."""
    if not any(t.id == token_id for t in list_tokens(session=db, user=me.user)):
        raise HTTPException(404, "Không có mã truy cập này")
    revoke_token(session=db, token_id=token_id, actor=me.actor)
    db.commit()
    return redirect("/tai-khoan")
