"""Catalogue administration from the web: registering and editing outlets (admins)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.catalog import load_areas
from binhon.db.models import OUTLET_TYPES, AuditEntry, Enterprise, Outlet
from binhon.errors import BinhonError
from binhon.web.declarations import today_vn

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")


class CatalogError(BinhonError):
    """A catalogue change was refused (message per field, Vietnamese)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def register_outlet(
    *,
    session: Session,
    code: str,
    name: str,
    outlet_type: str,
    area: str,
    zone: str = "",
    enterprise: str = "",
    actor: str,
) -> Outlet:
    """Register an outlet, resolving its area like imports do; the caller commits."""
    from binhon.geo import AreaNotFound, AreaResolver

    errors: dict[str, str] = {}
    code, name, area = code.strip(), name.strip(), area.strip()
    if not CODE_RE.fullmatch(code):
        errors["code"] = "Mã điểm bán: chữ không dấu, số, dấu chấm, gạch ngang (2–64 ký tự)"
    elif session.scalars(select(Outlet.id).where(Outlet.code == code)).first() is not None:
        errors["code"] = f"Mã điểm bán '{code}' đã có"
    if not name:
        errors["name"] = "Hãy nhập tên điểm bán"
    if outlet_type not in OUTLET_TYPES:
        errors["outlet_type"] = "Hãy chọn loại điểm bán"
    zone_value = None
    if zone.strip():
        if zone.strip() not in ("1", "2"):
            errors["zone"] = "Vùng giá xăng dầu là 1 hoặc 2"
        else:
            zone_value = int(zone.strip())
    unit = commune = district = None
    if not area and outlet_type != "official":
        errors["area"] = "Hãy nhập địa bàn (mã hoặc tên xã/phường)"
    elif area:
        resolver = AreaResolver.from_session(session, load_areas())
        try:
            unit = resolver.resolve(area, on=today_vn())
            commune = resolver.current_commune(unit)
            district = resolver.former_district(unit)
        except AreaNotFound as exc:
            errors["area"] = str(exc)
    ent_id = None
    if enterprise.strip():
        ent = session.scalars(select(Enterprise).where(Enterprise.code == enterprise.strip())).first()
        if ent is None:
            errors["enterprise"] = f"Không có doanh nghiệp mã '{enterprise.strip()}'"
        else:
            ent_id = ent.id
    if errors:
        raise CatalogError(errors)
    outlet = Outlet(
        code=code,
        name=name,
        outlet_type=outlet_type,
        area_id=unit.id if unit else None,
        commune_id=commune.id if commune else None,
        district_id=district.id if district else None,
        zone=zone_value,
        enterprise_id=ent_id,
    )
    session.add(outlet)
    session.flush()
    session.add(
        AuditEntry(
            actor=actor,
            action="register",
            entity="outlet",
            entity_id=outlet.id,
            reason="đăng ký trên trang quản trị",
            details={"code": code, "outlet_type": outlet_type, "area": area},
        )
    )
    session.flush()
    return outlet


def enterprises(*, session: Session) -> list[Enterprise]:
    """Every enterprise, by code."""
    return list(session.scalars(select(Enterprise).order_by(Enterprise.code)))
