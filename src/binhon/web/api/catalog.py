"""Catalogues: commodities, areas, outlets, and the caller's own account."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from binhon.accounts.service import outlets_of
from binhon.web import queries
from binhon.web.deps import ApiUser, SessionDep, scope_of
from binhon.web.schemas import AreaOut, CommodityOut, MeOut, OutletOut, QText

router = APIRouter(tags=["danh mục"])


@router.get("/commodities", response_model=list[CommodityOut])
def list_commodities(request: Request, db: SessionDep, _me: ApiUser) -> list[CommodityOut]:
    """Danh mục mặt hàng theo dõi giá."""
    groups: dict[str, str] = request.app.state.group_names
    return [
        CommodityOut(
            code=c.code,
            name=c.name,
            unit=c.unit,
            group=c.group,
            group_name=groups.get(c.group),
            stabilised=c.is_stabilised,
            min_vnd=c.min_vnd,
            max_vnd=c.max_vnd,
        )
        for c in queries.commodities(session=db)
    ]


@router.get("/areas", response_model=list[AreaOut])
def list_areas(
    db: SessionDep,
    _me: ApiUser,
    level: Annotated[
        Literal["province", "district", "commune"] | None, Query(description="Cấp hành chính")
    ] = None,
    current: Annotated[bool, Query(description="Chỉ đơn vị đang tồn tại (từ 01/07/2025)")] = True,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AreaOut]:
    """Địa bàn: xã/phường từ 01/07/2025 và các đơn vị cũ."""
    rows = queries.areas(session=db, level=level, current_only=current, limit=limit, offset=offset)
    return [
        AreaOut(
            code=a.code,
            name=a.name,
            level=a.level,
            kind=a.kind,
            parent=a.parent.code if a.parent else None,
            valid_from=a.valid_from,
            valid_to=a.valid_to,
        )
        for a in rows
    ]


@router.get("/outlets", response_model=list[OutletOut])
def list_outlets(
    db: SessionDep,
    me: ApiUser,
    outlet_type: Annotated[
        Literal["market", "supermarket", "convenience", "petrol", "enterprise", "official"] | None, Query()
    ] = None,
    area: Annotated[QText | None, Query(max_length=40, description="Mã địa bàn")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[OutletOut]:
    """Điểm bán (doanh nghiệp chỉ thấy điểm bán của mình)."""
    rows = queries.outlets(
        session=db,
        scope=scope_of(db, me),
        outlet_type=outlet_type,
        area_code=area,
        limit=limit,
        offset=offset,
    )
    out = []
    for o in rows:
        a = queries.outlet_area(o)
        out.append(
            OutletOut(
                code=o.code,
                name=o.name,
                outlet_type=o.outlet_type,
                area=a.code if a else None,
                area_name=a.name if a else None,
                zone=o.zone,
                enterprise=o.enterprise.code if o.enterprise else None,
            )
        )
    return out


@router.get("/me", response_model=MeOut, tags=["tài khoản"])
def who_am_i(db: SessionDep, me: ApiUser) -> MeOut:
    """Tài khoản đang gọi API và các điểm bán được khai giá."""
    codes = [o.code for o in outlets_of(session=db, user=me.user)] if me.role == "retailer" else []
    return MeOut(username=me.user.username, full_name=me.user.full_name, role=me.role, outlets=codes)
