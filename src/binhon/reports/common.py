"""Shared pieces of the department's reports: labels, rounding, date lines, xlsx formats."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from binhon.reports.config import OfficeConfig

__all__ = [
    "NUM_CHANGE",
    "NUM_INT",
    "NUM_ONE",
    "NUM_PCT",
    "PRICE_TYPE_LABELS",
    "XLSX_MEDIA_TYPE",
    "DOCX_MEDIA_TYPE",
    "date_line",
    "month_label",
    "monthly_filename",
    "num_rate",
    "number_line",
    "round_half_up",
    "roman",
    "tet_filename",
    "xlsx_formats",
]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: "Loại giá" of the Thông tư 29/2024 table.
PRICE_TYPE_LABELS = {
    "retail": "Giá bán lẻ",
    "wholesale": "Giá bán buôn",
    "ceiling": "Giá bán lẻ tối đa",
    "committed": "Giá cam kết bình ổn",
}

# Excel number formats, US-locale codes (rendered in the user's locale: 1.234,5 in Vietnamese
# Windows). A fall is shown in parentheses, the accounting convention of "Mức tăng (giảm)".
NUM_INT = "#,##0"
NUM_ONE = "#,##0.0"
NUM_CHANGE = "#,##0;(#,##0);0"
NUM_PCT = "#,##0.0%;(#,##0.0%);0.0%"


def num_rate(decimals: int) -> str:
    """Number format of a percentage written in points (12,34), falls in parentheses."""
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    zero = "0" + ("." + "0" * decimals if decimals else "")
    return f"{body};({body});{zero}"


def round_half_up(x: float, decimals: int = 0) -> float:
    """Round half up at ``decimals`` places (as Vietnamese reports and spreadsheets do)."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def roman(n: int) -> str:
    """Roman numeral of a section number (1 -> I)."""
    values = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in values:
        while n >= v:
            out += s
            n -= v
    return out


def month_label(month: dt.date) -> str:
    """ "01/2027"."""
    return f"{month.month:02d}/{month.year}"


def date_line(office: OfficeConfig, on: dt.date | None) -> str:
    """ "Vĩnh Long, ngày 20 tháng 02 năm 2027"; a draft without a date keeps the blanks."""
    if on is None:
        return f"{office.place}, ngày      tháng      năm      "
    return f"{office.place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


def number_line(office: OfficeConfig) -> str:
    """ "Số:       /BC-SCT" (the number is given when the report is signed)."""
    return f"Số:        /{office.symbol}"


def xlsx_formats(wb: Any) -> dict[str, Any]:
    """The cell formats the xlsx reports share (Times New Roman, thin borders, wrapped headers)."""
    base = {"font_name": "Times New Roman", "font_size": 11}
    cell = {**base, "border": 1, "valign": "vcenter"}

    def f(**kw: Any) -> Any:
        return wb.add_format({**base, **kw})

    def c(**kw: Any) -> Any:
        return wb.add_format({**cell, **kw})

    return {
        "authority": f(align="center", font_size=12),
        "department": f(align="center", bold=True, font_size=12),
        "nation": f(align="center", bold=True, font_size=12),
        "motto": f(align="center", bold=True, underline=1, font_size=12),
        "title": f(align="center", bold=True, font_size=14),
        "subtitle": f(align="center", italic=True),
        "right": f(align="right", italic=True),
        "left": f(align="left"),
        "bold": f(bold=True),
        "italic": f(italic=True),
        "wrap": f(text_wrap=True, valign="top"),
        "head": c(bold=True, align="center", text_wrap=True, bg_color="#DDEBF7"),
        "colno": c(italic=True, align="center", font_size=10),
        "text": c(text_wrap=True),
        "center": c(align="center"),
        "group": c(bold=True),
        "group_center": c(bold=True, align="center"),
        "int": c(num_format=NUM_INT),
        "one": c(num_format=NUM_ONE),
        "change": c(num_format=NUM_CHANGE),
        "pct": c(num_format=NUM_PCT),
        "date": c(num_format="dd/mm/yyyy", align="center"),
        "sign_title": f(bold=True, align="center"),
        "sign_name": f(bold=True, align="center"),
        "date_line": f(italic=True, align="center"),
    }


def monthly_filename(month: dt.date) -> str:
    """Download name of the monthly table: ``bang-gia-thi-truong-2027-01.xlsx``."""
    return f"bang-gia-thi-truong-{month.year}-{month.month:02d}.xlsx"


def tet_filename(year: int, fmt: str) -> str:
    """Download name of the Tết report: ``bao-cao-thi-truong-tet-2027.docx``."""
    return f"bao-cao-thi-truong-tet-{year}.{fmt}"
