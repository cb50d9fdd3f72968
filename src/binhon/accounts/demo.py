"""Demo accounts for the demo database: an administrator, two officers and a few retailers.

The accounts and passwords are deterministic so that the demo's instructions stay valid; they are
demo credentials only (the demo database is labelled DỮ LIỆU MẪU) and must never be created on a
real database. Running it again resets the same accounts to the same passwords.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.accounts.service import AccountError, create_user, get_user, set_active, set_outlets, set_password
from binhon.db.models import Enterprise, Outlet

DEMO_ACTOR = "demo"

# (username, password, role, full name)
_STAFF = (
    ("quantri", "demo-quantri-2027", "admin", "Quản trị hệ thống (demo)"),
    ("canbo.gia", "demo-canbo-gia-2027", "officer", "Cán bộ theo dõi giá (demo)"),
    ("canbo.thitruong", "demo-canbo-thitruong-2027", "officer", "Cán bộ quản lý thị trường (demo)"),
)
# Retailers: (username, password, outlet type to bind, how many outlets of that type, bind the
# outlet's whole enterprise instead, full name)
_RETAILERS = (
    ("cuahang.demo", "demo-cuahang-2027", "convenience", 1, False, "Cửa hàng tiện lợi (demo)"),
    ("sieuthi.demo", "demo-sieuthi-2027", "supermarket", 1, False, "Siêu thị (demo)"),
    ("xangdau.demo", "demo-xangdau-2027", "petrol", 2, False, "Cửa hàng xăng dầu (demo)"),
    ("binhon.demo", "demo-binhon-2027", "enterprise", 1, True, "Doanh nghiệp bình ổn (demo)"),
)


def _outlets_of_type(session: Session, outlet_type: str, count: int) -> list[Outlet]:
    """The first count outlets of this type (by code), so the choice is deterministic."""
    return list(
        session.scalars(
            select(Outlet).where(Outlet.outlet_type == outlet_type).order_by(Outlet.code).limit(count)
        )
    )


def _ensure(
    session: Session,
    username: str,
    password: str,
    role: str,
    full_name: str,
    outlets: list[str],
    enterprise: str | None = None,
) -> None:
    user = get_user(session=session, username=username)
    if user is None:
        create_user(
            session=session,
            username=username,
            password=password,
            role=role,
            actor=DEMO_ACTOR,
            outlets=outlets,
            enterprise=enterprise,
            full_name=full_name,
        )
        return
    if user.role != role:
        raise AccountError(f"tài khoản '{username}' đã có với vai trò khác ({user.role})")
    set_password(session=session, user=user, password=password, actor=DEMO_ACTOR)
    if not user.active:
        set_active(session=session, user=user, active=True, actor=DEMO_ACTOR)
    if role == "retailer":
        if enterprise is not None:
            user.enterprise_id = session.scalars(
                select(Enterprise.id).where(Enterprise.code == enterprise)
            ).one()
        set_outlets(session=session, user=user, outlets=outlets, actor=DEMO_ACTOR)


def create_demo_accounts(session: Session) -> list[tuple[str, str, str]]:
    """Create (or reset) the demo accounts; (username, password, role) of each, staff first.

    Retailers are bound to outlets looked up by type; a retailer whose outlet type has no outlet in
    the database is skipped. The caller commits.
    """
    made: list[tuple[str, str, str]] = []
    for username, password, role, full_name in _STAFF:
        _ensure(session, username, password, role, full_name, [])
        made.append((username, password, role))
    for username, password, outlet_type, count, whole_enterprise, full_name in _RETAILERS:
        outlets = _outlets_of_type(session, outlet_type, count)
        if not outlets:
            continue
        enterprise = outlets[0].enterprise.code if whole_enterprise and outlets[0].enterprise else None
        codes = [] if enterprise else [o.code for o in outlets]
        _ensure(session, username, password, "retailer", full_name, codes, enterprise)
        made.append((username, password, "retailer"))
    session.flush()
    return made
