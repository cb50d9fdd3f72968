"""Data freshness: which outlets have not reported, and since when."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from binhon.web import queries
from binhon.web.declarations import today_vn
from binhon.web.deps import PageStaff, SessionDep, SettingsDep
from binhon.web.labels import OUTLET_TYPE_LABELS
from binhon.web.pages.common import render

router = APIRouter()


@router.get("/cap-nhat")
def freshness_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    me: PageStaff,
    outlet_type: str | None = None,
    all: str | None = None,
) -> Response:
    """Độ mới của dữ liệu: điểm bán chưa báo giá, từ ngày nào."""
    otype = outlet_type if outlet_type in OUTLET_TYPE_LABELS else None
    today = today_vn()
    rows = queries.freshness(
        session=db, today=today, outlet_type=otype, only_stale_days=None if all else settings.freshness_days
    )
    return render(
        request,
        "freshness.html",
        {
            "rows": rows,
            "today": today,
            "days": settings.freshness_days,
            "outlet_type": otype or "",
            "show_all": bool(all),
        },
        me=me,
    )
