"""The department's reports as downloads: the TT29 monthly price table and the Tết market report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from binhon.reports.common import monthly_filename, tet_filename
from binhon.reports.monthly import ReportError, build_monthly_xlsx
from binhon.reports.tet import build_tet_report, media_type
from binhon.web.deps import ApiStaff, SessionDep

router = APIRouter(prefix="/reports", tags=["báo cáo"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/monthly.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "Bảng giá thị trường tháng (Thông tư 29/2024)"}},
)
def monthly_report(
    db: SessionDep,
    me: ApiStaff,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Tháng, dạng YYYY-MM")],
) -> Response:
    """Bảng giá thị trường tháng theo mẫu Thông tư 29/2024 (.xlsx)."""
    year = int(month[:4])
    if not 1901 <= year <= 2100:
        raise HTTPException(422, "Tháng phải trong các năm 1901–2100")
    first = dt.date(year, int(month[5:7]), 1)
    try:
        data = build_monthly_xlsx(db, first)
    except (ReportError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    return Response(data, media_type=XLSX, headers=_attachment(monthly_filename(first)))


@router.get(
    "/tet.{fmt}",
    response_class=Response,
    responses={
        200: {"content": {XLSX: {}, DOCX: {}}, "description": "Báo cáo thị trường trước, trong và sau Tết"}
    },
)
def tet_report(
    db: SessionDep,
    me: ApiStaff,
    fmt: Annotated[Literal["xlsx", "docx"], Path(description="Định dạng: xlsx hoặc docx")],
    year: Annotated[int, Query(ge=1903, le=2100, description="Năm dương lịch của Tết (ví dụ 2027)")],
) -> Response:
    """Báo cáo thị trường trước, trong và sau Tết của năm âm lịch bắt đầu trong năm này."""
    try:
        data = build_tet_report(db, year, fmt)
    except (ReportError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    return Response(data, media_type=media_type(fmt), headers=_attachment(tet_filename(year, fmt)))
