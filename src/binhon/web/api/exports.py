"""Exports: prices as an Excel workbook (Vietnamese headers, real numbers and dates) or as the
observations CSV, and alerts as the alerts CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from binhon.detection.export import ALERT_COLUMNS
from binhon.exports import export_observations_csv
from binhon.web import queries
from binhon.web.declarations import today_vn
from binhon.web.deps import ApiStaff, ApiUser, SessionDep, scope_of
from binhon.web.labels import OUTLET_TYPE_LABELS, PRICE_TYPE_LABELS
from binhon.web.queries import AlertFilters
from binhon.web.schemas import QText

router = APIRouter(prefix="/exports", tags=["xuất dữ liệu"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 200_000


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/prices.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "Bảng giá (Excel)"}},
)
def prices_xlsx(
    db: SessionDep,
    me: ApiUser,
    since: Annotated[dt.date | None, Query(description="Từ ngày (mặc định: 31 ngày trước)")] = None,
    until: Annotated[dt.date | None, Query(description="Đến ngày")] = None,
    commodity: Annotated[QText | None, Query(max_length=64)] = None,
    area: Annotated[QText | None, Query(max_length=40)] = None,
) -> Response:
    """Bảng giá dạng Excel: tiêu đề tiếng Việt, ô số và ô ngày thật (dd/mm/yyyy)."""
    import xlsxwriter

    today = today_vn()
    start = since or today - dt.timedelta(days=31)
    rows = queries.observations(
        session=db,
        scope=scope_of(db, me),
        commodity=commodity,
        area=area,
        since=start,
        until=until,
        limit=MAX_ROWS,
    )
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Bảng giá")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    money = book.add_format({"num_format": "#,##0"})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    headers = [
        "Ngày",
        "Mã hàng hóa",
        "Tên hàng hóa",
        "Đơn vị tính",
        "Mã điểm bán",
        "Tên điểm bán",
        "Loại điểm bán",
        "Địa bàn",
        "Loại giá",
        "Giá (đồng)",
        "Nguồn",
    ]
    widths = [12, 20, 32, 12, 18, 32, 18, 28, 18, 14, 16]
    for col, (h, w) in enumerate(zip(headers, widths, strict=True)):
        sheet.write(0, col, h, bold)
        sheet.set_column(col, col, w)
    for i, r in enumerate(reversed(rows), start=1):
        sheet.write_datetime(i, 0, dt.datetime.combine(r.obs_date, dt.time()), date_fmt)
        sheet.write(i, 1, r.commodity)
        sheet.write(i, 2, r.commodity_name)
        sheet.write(i, 3, r.unit)
        sheet.write(i, 4, r.outlet)
        sheet.write(i, 5, r.outlet_name)
        sheet.write(i, 6, OUTLET_TYPE_LABELS.get(r.outlet_type, r.outlet_type))
        sheet.write(i, 7, r.area_name or "")
        sheet.write(i, 8, PRICE_TYPE_LABELS.get(r.price_type, r.price_type))
        sheet.write_number(i, 9, r.price_vnd, money)
        sheet.write(i, 10, r.source)
    sheet.freeze_panes(1, 0)
    book.close()
    name = f"bao-cao-gia-{today.isoformat()}.xlsx"
    return Response(buf.getvalue(), media_type=XLSX, headers=_attachment(name))


@router.get(
    "/observations.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "Giá theo các cột của tệp CSV nhập"}},
)
def observations_csv(
    db: SessionDep,
    me: ApiUser,
    since: Annotated[dt.date | None, Query()] = None,
    until: Annotated[dt.date | None, Query()] = None,
    commodity: Annotated[QText | None, Query(max_length=64)] = None,
) -> Response:
    """Giá hiện hành theo đúng các cột của tệp CSV nhập (nhập lại được)."""
    scope = scope_of(db, me)
    outlets = None
    if scope is not None:
        outlets = [o.code for o in queries.outlets(session=db, scope=scope)]
        if not outlets:
            outlets = ["\x01none"]
    with tempfile.TemporaryDirectory() as tmp:
        path = FsPath(tmp) / "observations.csv"
        export_observations_csv(
            db, path, start=since, end=until, commodities=[commodity] if commodity else None, outlets=outlets
        )
        data = path.read_bytes()
    return Response(
        data, media_type="text/csv; charset=utf-8", headers=_attachment(f"gia-{today_vn().isoformat()}.csv")
    )


@router.get(
    "/alerts.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "Cảnh báo theo các cột của CONTRACT"}},
)
def alerts_csv(
    request: Request, db: SessionDep, _me: ApiStaff, since: Annotated[dt.date | None, Query()] = None
) -> Response:
    """Cảnh báo dạng CSV: id, kind, severity, commodity, outlet, area, first_date, … (như alerts export)."""
    try:
        from binhon.detection.export import export_alerts
    except ModuleNotFoundError:
        export_alerts = None
    if export_alerts is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = FsPath(tmp) / "alerts.csv"
            export_alerts(db, path, fmt="csv", since=since)
            data = path.read_bytes()
    else:
        rows = queries.alerts(
            session=db,
            filters=AlertFilters(since=since),
            limit=MAX_ROWS,
            windows=request.app.state.tet_windows,
        )
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(ALERT_COLUMNS)
        for r in rows:
            f = r.csv_fields()
            writer.writerow(
                [
                    "" if f[c] is None else (f[c].isoformat() if isinstance(f[c], dt.date) else f[c])
                    for c in ALERT_COLUMNS
                ]
            )
        data = buf.getvalue().encode("utf-8")
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"canh-bao-{today_vn().isoformat()}.csv"),
    )
