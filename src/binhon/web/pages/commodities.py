"""Commodity pages: the list with latest medians, and one commodity across outlets and areas over time."""

from __future__ import annotations

import datetime as dt
import statistics

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from binhon.web import charts, queries
from binhon.web.declarations import today_vn
from binhon.web.deps import PageStaff, SessionDep
from binhon.web.pages.common import render

router = APIRouter()
PERIODS = {"90": 90, "180": 180, "365": 365, "730": 730}


@router.get("/mat-hang")
def commodity_index(request: Request, db: SessionDep, me: PageStaff) -> Response:
    """Danh mục mặt hàng theo nhóm."""
    groups = request.app.state.group_names
    items = queries.commodities(session=db)
    by_group: dict[str, list[object]] = {}
    for c in items:
        by_group.setdefault(c.group, []).append(c)
    return render(request, "commodities/index.html", {"by_group": by_group, "groups": groups}, me=me)


def _commodity_or_404(db: SessionDep, code: str):  # type: ignore[no-untyped-def]
    c = queries.commodity_by_code(session=db, code=code[:64])
    if c is None:
        raise HTTPException(404, "Không có mặt hàng này")
    return c


@router.get("/mat-hang/{code}")
def commodity_page(
    request: Request, db: SessionDep, me: PageStaff, code: str, days: str = "180", area: str | None = None
) -> Response:
    """Một mặt hàng: giá theo thời gian ở các địa bàn, giá mới nhất ở từng điểm bán."""
    c = _commodity_or_404(db, code)
    period = days if days in PERIODS else "180"
    latest = queries.latest_by_outlet(session=db, commodity_id=c.id)
    rows = []
    for outlet, d, price in latest:
        a = queries.outlet_area(outlet)
        rows.append({"outlet": outlet, "area": a, "date": d, "price": price})
    rows.sort(key=lambda r: (r["area"].name if r["area"] else "", r["outlet"].code))
    prices = [r["price"] for r in rows]
    summary = {
        "median": int(statistics.median(prices)) if prices else None,
        "min": min(prices) if prices else None,
        "max": max(prices) if prices else None,
        "count": len(prices),
    }
    return render(
        request,
        "commodities/detail.html",
        {
            "c": c,
            "rows": rows,
            "summary": summary,
            "days": period,
            "periods": PERIODS,
            "area": area or "",
            "areas": queries.areas_in_use(session=db),
            "group_name": request.app.state.group_names.get(c.group),
        },
        me=me,
    )


@router.get("/mat-hang/{code}/bieu-do.svg")
def commodity_chart(
    db: SessionDep, me: PageStaff, code: str, days: str = "180", area: str | None = None
) -> Response:
    """Biểu đồ giá của mặt hàng theo địa bàn (SVG)."""
    c = _commodity_or_404(db, code)
    # Old and demo data sets end before today: the chart ends at the latest price.
    end = min(today_vn(), queries.last_date_of(session=db, commodity_id=c.id) or today_vn())
    start = end - dt.timedelta(days=PERIODS.get(days, 180))
    svg = charts.commodity_chart(session=db, commodity=c, since=start, until=end, area_code=(area or None))
    return Response(svg, media_type="image/svg+xml")
