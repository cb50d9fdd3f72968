"""Administration: accounts (create, lock, reset password, bind outlets, API tokens) and catalogues."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from binhon.accounts.service import (
    AccountError,
    create_token,
    create_user,
    list_tokens,
    list_users,
    set_active,
    set_outlets,
    set_password,
)
from binhon.db.models import ROLES, User
from binhon.web import queries
from binhon.web.catalogs import CatalogError, enterprises, register_outlet
from binhon.web.deps import CsrfUser, PageAdmin, Principal, SessionDep
from binhon.web.labels import sentence
from binhon.web.pages.common import FormDep, field_text, redirect, render

router = APIRouter(prefix="/quan-tri")


def _require_admin(me: Principal) -> None:
    if me.role != "admin":
        raise HTTPException(403, "Trang này dành cho quản trị hệ thống")


def _users_page(
    request: Request,
    db: SessionDep,
    me: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    new_token: tuple[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    users = list_users(session=db)
    tokens = list_tokens(session=db)
    return render(
        request,
        "admin/users.html",
        {
            "users": users,
            "tokens": tokens,
            "roles": ROLES,
            "errors": errors or {},
            "values": values or {},
            "new_token": new_token,
            "message": message,
            "outlets": queries.outlets(session=db, scope=None),
            "enterprises": enterprises(session=db),
        },
        status_code=status_code,
        me=me,
    )


@router.get("/nguoi-dung")
def users_page(request: Request, db: SessionDep, me: PageAdmin) -> Response:
    """Quản trị tài khoản."""
    return _users_page(request, db, me)


@router.post("/nguoi-dung")
def users_create(request: Request, db: SessionDep, me: CsrfUser, form: FormDep) -> Response:
    """Tạo tài khoản."""
    _require_admin(me)
    values = {k: field_text(form, k, 300) for k in ("username", "role", "full_name", "enterprise")}
    outlets = [v.strip() for v in form.getlist("outlets") if isinstance(v, str) and v.strip()]
    password = field_text(form, "password", 1000)
    try:
        create_user(
            session=db,
            username=values["username"],
            password=password,
            role=values["role"],
            actor=me.actor,
            outlets=outlets,
            enterprise=values["enterprise"] or None,
            full_name=values["full_name"] or None,
        )
        db.commit()
    except AccountError as exc:
        db.rollback()
        return _users_page(
            request, db, me, errors={"create": sentence(str(exc))}, values=values, status_code=422
        )
    return redirect("/quan-tri/nguoi-dung?da-tao=1")


def _user_or_404(db: SessionDep, user_id: int) -> User:
    user = db.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise HTTPException(404, "Không có tài khoản này")
    return user


@router.post("/nguoi-dung/{user_id}/khoa")
def users_lock(request: Request, db: SessionDep, me: CsrfUser, user_id: int, form: FormDep) -> Response:
    """Khóa hoặc mở khóa tài khoản."""
    _require_admin(me)
    user = _user_or_404(db, user_id)
    active = field_text(form, "active", 5) == "1"
    if user.id == me.user.id and not active:
        return _users_page(
            request, db, me, errors={"user": "Không thể tự khóa tài khoản của mình"}, status_code=422
        )
    set_active(session=db, user=user, active=active, actor=me.actor)
    db.commit()
    return redirect("/quan-tri/nguoi-dung")


@router.post("/nguoi-dung/{user_id}/mat-khau")
def users_password(request: Request, db: SessionDep, me: CsrfUser, user_id: int, form: FormDep) -> Response:
    """Đặt lại mật khẩu của một tài khoản."""
    _require_admin(me)
    user = _user_or_404(db, user_id)
    try:
        set_password(session=db, user=user, password=field_text(form, "password", 1000), actor=me.actor)
        db.commit()
    except AccountError as exc:
        db.rollback()
        return _users_page(
            request, db, me, errors={f"password_{user.id}": sentence(str(exc))}, status_code=422
        )
    return _users_page(request, db, me, message=f"Đã đặt lại mật khẩu cho {user.username}")


@router.post("/nguoi-dung/{user_id}/diem-ban")
def users_outlets(request: Request, db: SessionDep, me: CsrfUser, user_id: int, form: FormDep) -> Response:
    """Gán điểm bán cho tài khoản doanh nghiệp."""
    _require_admin(me)
    user = _user_or_404(db, user_id)
    codes = [v.strip() for v in form.getlist("outlets") if isinstance(v, str) and v.strip()]
    try:
        set_outlets(session=db, user=user, outlets=codes, actor=me.actor)
        db.commit()
    except AccountError as exc:
        db.rollback()
        return _users_page(
            request, db, me, errors={f"outlets_{user.id}": sentence(str(exc))}, status_code=422
        )
    return redirect("/quan-tri/nguoi-dung")


@router.post("/nguoi-dung/{user_id}/ma-truy-cap")
def users_token(request: Request, db: SessionDep, me: CsrfUser, user_id: int, form: FormDep) -> Response:
    """Tạo mã truy cập API cho một tài khoản (hiện một lần)."""
    _require_admin(me)
    user = _user_or_404(db, user_id)
    try:
        token = create_token(
            session=db, user=user, actor=me.actor, name=field_text(form, "name", 120) or None
        )
        db.commit()
    except AccountError as exc:
        db.rollback()
        return _users_page(request, db, me, errors={"user": sentence(str(exc))}, status_code=422)
    return _users_page(request, db, me, new_token=(user.username, token))


@router.get("/danh-muc")
def catalog_page(request: Request, db: SessionDep, me: PageAdmin) -> Response:
    """Danh mục: mặt hàng (từ config/commodities.yaml) và điểm bán."""
    return _catalog_page(request, db, me)


def _catalog_page(
    request: Request,
    db: SessionDep,
    me: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/catalog.html",
        {
            "commodities": queries.commodities(session=db, active_only=False),
            "groups": request.app.state.group_names,
            "outlets": queries.outlets(session=db, scope=None, limit=5000),
            "enterprises": enterprises(session=db),
            "errors": errors or {},
            "values": values or {},
            "area_of": queries.outlet_area,
        },
        status_code=status_code,
        me=me,
    )


@router.post("/diem-ban")
def catalog_outlet(request: Request, db: SessionDep, me: CsrfUser, form: FormDep) -> Response:
    """Đăng ký điểm bán mới."""
    _require_admin(me)
    values = {
        k: field_text(form, k, 300) for k in ("code", "name", "outlet_type", "area", "zone", "enterprise")
    }
    try:
        register_outlet(session=db, actor=me.actor, **values)
        db.commit()
    except CatalogError as exc:
        db.rollback()
        return _catalog_page(request, db, me, errors=exc.errors, values=values, status_code=422)
    return redirect("/quan-tri/danh-muc?da-them=1")
