"""Reports page: download the monthly TT29 price table and the Tết market report."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from binhon.tet import lunar_year_name, tet_date
from binhon.web.declarations import today_vn
from binhon.web.deps import PageStaff
from binhon.web.pages.common import render

router = APIRouter()


@router.get("/bao-cao")
def reports_page(request: Request, me: PageStaff) -> Response:
    """Báo cáo theo mẫu của Sở: bảng giá tháng, báo cáo Tết."""
    today = today_vn()
    previous = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    next_tet_year = today.year if today <= tet_date(today.year) else today.year + 1
    years = [next_tet_year - i for i in range(4)]
    return render(
        request,
        "reports.html",
        {
            "month": previous,
            "years": [(y, f"Tết {lunar_year_name(y)} ({tet_date(y):%d/%m/%Y})") for y in years],
        },
        me=me,
    )
