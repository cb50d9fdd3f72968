"""FastAPI dependencies: the DB session, settings, who is calling (session cookie or API token), CSRF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from binhon.accounts.service import load_session, outlet_scope, user_for_token
from binhon.db.models import User, WebSession
from binhon.web.security import CSRF_FIELD, read_session_cookie, same_origin, tokens_match
from binhon.web.settings import WebSettings


def get_db(request: Request) -> Iterator[Session]:
    """One Session per request, on one connection for the whole request; rolled back unless the route
    committed.

    The session is bound to a connection checked out once: a session bound to the engine gives its
    connection back to the pool at every commit (the sign-in check commits, then the route works), and
    each checkout costs a liveness ping and each return a reset, round trips to PostgreSQL.
    """
    connection = request.app.state.engine.connect()
    session: Session = request.app.state.sessionmaker(bind=connection)
    try:
        yield session
    finally:
        try:
            session.close()
        finally:
            connection.close()


def get_settings_dep(request: Request) -> WebSettings:
    """The app's web settings."""
    settings: WebSettings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[WebSettings, Depends(get_settings_dep)]


@dataclass
class Principal:
    """The signed-in user and how they authenticated."""

    user: User
    via: str  # "session" or "token"
    web_session: WebSession | None = None

    @property
    def role(self) -> str:
        """The user's role."""
        return self.user.role

    @property
    def is_staff(self) -> bool:
        """Officers and administrators."""
        return self.user.role in ("officer", "admin")

    @property
    def actor(self) -> str:
        """How the user is recorded in provenance and the audit log."""
        return f"{'web' if self.via == 'session' else 'api'}:{self.user.username}"

    @property
    def csrf_token(self) -> str:
        """The session's CSRF token ("" for token callers)."""
        return self.web_session.csrf_token if self.web_session else ""


# --- pages ------------------------------------------------------------------------------------------------


class LoginRequired(Exception):
    """A page needs a signed-in user; the handler redirects to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def _session_principal(request: Request, db: Session, settings: WebSettings) -> Principal | None:
    cookie = read_session_cookie(request)
    if not cookie:
        return None
    row = load_session(session=db, token=cookie, idle=dt.timedelta(minutes=settings.session_idle_minutes))
    db.commit()
    if row is None:
        return None
    return Principal(row.user, "session", row)


def optional_user(request: Request, db: SessionDep, settings: SettingsDep) -> Principal | None:
    """The signed-in user of a page request, or None."""
    principal = _session_principal(request, db, settings)
    request.state.principal = principal
    return principal


def page_user(principal: Annotated[Principal | None, Depends(optional_user)], request: Request) -> Principal:
    """The signed-in user; otherwise a redirect to the sign-in page."""
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return principal


def page_staff(principal: Annotated[Principal, Depends(page_user)]) -> Principal:
    """An officer or administrator (403 for retailers)."""
    if not principal.is_staff:
        raise HTTPException(403, "Trang này dành cho cán bộ quản lý")
    return principal


def page_retailer(principal: Annotated[Principal, Depends(page_user)]) -> Principal:
    """A retailer (403 for others)."""
    if principal.role != "retailer":
        raise HTTPException(403, "Trang này dành cho doanh nghiệp, cửa hàng khai giá")
    return principal


def page_admin(principal: Annotated[Principal, Depends(page_user)]) -> Principal:
    """An administrator (403 for others)."""
    if principal.role != "admin":
        raise HTTPException(403, "Trang này dành cho quản trị hệ thống")
    return principal


async def verify_csrf(request: Request, principal: Annotated[Principal, Depends(page_user)]) -> Principal:
    """Every form post carries the session's CSRF token and comes from this site."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not same_origin(request) or not tokens_match(
        principal.csrf_token, given if isinstance(given, str) else None
    ):
        raise HTTPException(403, "Phiên làm việc không hợp lệ hoặc đã hết hạn: hãy tải lại trang rồi thử lại")
    return principal


PageUser = Annotated[Principal, Depends(page_user)]
PageStaff = Annotated[Principal, Depends(page_staff)]
PageRetailer = Annotated[Principal, Depends(page_retailer)]
PageAdmin = Annotated[Principal, Depends(page_admin)]
OptionalUser = Annotated[Principal | None, Depends(optional_user)]
CsrfUser = Annotated[Principal, Depends(verify_csrf)]


# --- API --------------------------------------------------------------------------------------------------

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="Mã truy cập API: `binhon tokens create --username U` (gửi: `Authorization: Bearer …`).",
)


def api_user(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The caller of an API route: a Bearer token, or (for reading only) a signed-in browser session."""
    if credentials is not None and credentials.scheme.lower() == "bearer":
        user = user_for_token(session=db, token=credentials.credentials)
        db.commit()
        if user is not None:
            return Principal(user, "token")
    elif request.method in ("GET", "HEAD"):
        principal = _session_principal(request, db, settings)
        if principal is not None:
            return principal
    raise HTTPException(
        401, "Cần mã truy cập hợp lệ (Authorization: Bearer …)", headers={"WWW-Authenticate": "Bearer"}
    )


def api_staff(principal: Annotated[Principal, Depends(api_user)]) -> Principal:
    """An officer or administrator."""
    if not principal.is_staff:
        raise HTTPException(403, "Chỉ cán bộ quản lý hoặc quản trị được dùng chức năng này")
    return principal


ApiUser = Annotated[Principal, Depends(api_user)]
ApiStaff = Annotated[Principal, Depends(api_staff)]


def scope_of(db: Session, principal: Principal) -> set[int] | None:
    """Outlet ids the principal may see (None = all)."""
    return outlet_scope(session=db, user=principal.user)
