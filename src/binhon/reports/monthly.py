"""The monthly market-price table in the layout of Thông tư 29/2024/TT-BTC ("BẢNG GIÁ THỊ TRƯỜNG THÁNG …").

Columns (CONTRACT "Reports"): STT, Mã hàng hóa, Tên hàng hóa dịch vụ, Đặc điểm kinh tế kỹ
thuật/quy cách, Đơn vị tính, Loại giá, Giá kỳ trước, Giá kỳ này, Mức tăng (giảm), Tỷ lệ tăng (giảm)
(%), Nguồn thông tin, Ghi chú.

How the figures are made:

* **Giá kỳ này / Giá kỳ trước** — the month's *average price* ("giá bình quân kỳ", the figure the
  Thông tư 29 forms and the provincial price databases carry as GiaBinhQuanKyNay/KyTruoc): the
  mean over the days of the month of the daily province level, where the level of a day is the
  median over outlets of each outlet's price that day (:mod:`binhon.review.series`). Taking the
  daily median first means that an outlet with an odd price, or one that reports more often than
  the others, does not move the average; taking the mean over days then weighs every day alike, as
  a monthly average should. For the official ceiling (giá bán lẻ tối đa) the price in force is
  carried to every day until the next adjustment, so the average weighs each ceiling by the days it
  was in force. Averages are rounded half up to whole đồng.
* **Mức tăng (giảm)** = Giá kỳ này − Giá kỳ trước (column 9 = 8 − 7), from the rounded prices, so
  the printed table adds up; a fall is shown in parentheses.
* **Tỷ lệ tăng (giảm) (%)** = Mức / Giá kỳ trước × 100 (column 10 = 9 / 7 × 100), rounded half up
  to ``monthly.rate_decimals`` places.
* **Nguồn thông tin** — "Sở Công Thương – khảo sát chợ, siêu thị, …" naming the kinds of outlets
  that priced the item in the month, or "Bộ Công Thương (giá trần)" for the official ceiling.
* **Ghi chú** — "không có số liệu" (no price in the month), "không có số liệu kỳ trước", and the
  fuel zone of a ceiling.

A month still running is reported from the days with data so far; the title then says up to
which day ("số liệu đến ngày …"), the department's *ước* (estimate).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from binhon.catalog import load_commodities
from binhon.db.models import OUTLET_TYPES, Observation
from binhon.errors import BinhonError
from binhon.formatting import format_date
from binhon.reports.common import (
    PRICE_TYPE_LABELS,
    date_line,
    month_label,
    num_rate,
    roman,
    round_half_up,
    xlsx_formats,
)
from binhon.reports.config import ReportsConfig, load_reports_config
from binhon.review.breadth import Breadth, breadth, breadth_sentence
from binhon.review.series import commodity_table, daily_levels, load_observations

__all__ = ["COLUMNS", "MonthlyRow", "MonthlyTable", "build_monthly_xlsx", "monthly_table", "parse_month"]

#: The twelve columns of the table, in order.
COLUMNS = (
    "STT",
    "Mã hàng hóa",
    "Tên hàng hóa dịch vụ",
    "Đặc điểm kinh tế kỹ thuật/quy cách",
    "Đơn vị tính",
    "Loại giá",
    "Giá kỳ trước",
    "Giá kỳ này",
    "Mức tăng (giảm)",
    "Tỷ lệ tăng (giảm) (%)",
    "Nguồn thông tin",
    "Ghi chú",
)
NO_DATA = "không có số liệu"
NO_PREVIOUS = "không có số liệu kỳ trước"
#: How far before the previous month a ceiling in force is looked for.
CEILING_LOOKBACK_DAYS = 120


class ReportError(BinhonError):
    """A report cannot be made with these arguments (message for users)."""


def parse_month(value: str | dt.date) -> dt.date:
    """The first day of a month given as ``YYYY-MM`` (also ``MM/YYYY``) or a date."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or None
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    else:
        m = re.fullmatch(r"(\d{1,2})/(\d{4})", text)
        if not m:
            raise ReportError(f"tháng '{text}' không hợp lệ (dùng YYYY-MM, ví dụ 2027-01)")
        year, month = int(m.group(2)), int(m.group(1))
    if not 1 <= month <= 12 or not 1900 < year < 2200:
        raise ReportError(f"tháng '{text}' không hợp lệ (dùng YYYY-MM, ví dụ 2027-01)")
    return dt.date(year, month, 1)


def _month_end(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


@dataclass
class MonthlyRow:
    """One line of the table (a commodity and a price type), with the figures as written."""

    stt: int
    commodity_id: int
    commodity_code: str
    code: str
    name: str
    spec: str
    unit: str
    price_type: str
    previous: int | None
    current: int | None
    change: int | None
    rate: float | None
    source: str
    note: str
    group: str

    @property
    def price_type_label(self) -> str:
        """ "Giá bán lẻ", "Giá bán buôn", "Giá bán lẻ tối đa"."""
        return PRICE_TYPE_LABELS[self.price_type]

    @property
    def relative_change(self) -> float | None:
        """Mức / Giá kỳ trước (fraction), for sentences."""
        if self.change is None or not self.previous:
            return None
        return self.change / self.previous


@dataclass
class MonthlyTable:
    """The monthly table and what goes around it."""

    month: dt.date
    previous_month: dt.date
    data_until: dt.date | None
    rows: list[MonthlyRow] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)
    breadth: Breadth = field(default_factory=Breadth)

    @property
    def complete(self) -> bool:
        """Whether the month had ended on the last day with data."""
        return self.data_until is not None and self.data_until >= _month_end(self.month)

    @property
    def title(self) -> str:
        """ "BẢNG GIÁ THỊ TRƯỜNG THÁNG 01/2027"."""
        return f"BẢNG GIÁ THỊ TRƯỜNG THÁNG {month_label(self.month)}"

    def row(self, commodity_code: str, price_type: str = "retail") -> MonthlyRow | None:
        """The row of a commodity and price type, if listed."""
        return next(
            (r for r in self.rows if r.commodity_code == commodity_code and r.price_type == price_type), None
        )


def _ceiling_daily(levels: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Carry each ceiling to every day until the next one (the price in force)."""
    out = []
    days = pd.date_range(start, end, freq="D")
    for cid, g in levels.groupby("commodity_id"):
        s = g.set_index("date")["level"].sort_index()
        full = s.reindex(s.index.union(days)).ffill().reindex(days)
        out.append(
            pd.DataFrame(
                {"commodity_id": cid, "price_type": "ceiling", "date": days, "level": full.to_numpy()}
            )
        )
    if not out:
        return pd.DataFrame(columns=["commodity_id", "price_type", "date", "level"])
    frame = pd.concat(out, ignore_index=True)
    return frame[frame["level"].notna()]


def _sources(obs: pd.DataFrame, config: ReportsConfig) -> dict[tuple[int, str], str]:
    mc = config.monthly
    out: dict[tuple[int, str], str] = {}
    if obs.empty:
        return out
    kinds = obs.groupby(["commodity_id", "price_type"])["outlet_type"].agg(lambda s: set(s))
    for (cid, ptype), types in kinds.items():
        if ptype == "ceiling":
            out[(int(cid), str(ptype))] = mc.ceiling_source
            continue
        names = [mc.source_labels.label(t) for t in OUTLET_TYPES if t in types and t != "official"]
        out[(int(cid), str(ptype))] = f"{mc.source_prefix} {', '.join(names)}" if names else mc.source_prefix
    return out


def monthly_table(
    session: Session, month: str | dt.date, *, config: ReportsConfig | None = None
) -> MonthlyTable:
    """The monthly Thông tư 29/2024 table of ``month`` (``YYYY-MM`` or a date in the month)."""
    config = config or load_reports_config()
    mc = config.monthly
    first = parse_month(month)
    last = _month_end(first)
    prev = _previous_month(first)
    until = session.scalar(
        select(func.max(Observation.obs_date)).where(
            Observation.is_current.is_(True), Observation.obs_date <= last
        )
    )
    data_until = min(until, last) if until is not None else None
    types = list(mc.price_types)
    survey = [t for t in types if t != "ceiling"]
    obs = load_observations(session, start=prev, end=last, price_types=survey) if survey else None
    frames = []
    source_obs = []
    if obs is not None and not obs.empty:
        frames.append(daily_levels(obs))
        source_obs.append(obs)
    if "ceiling" in types:
        cobs = load_observations(
            session,
            start=prev - dt.timedelta(days=CEILING_LOOKBACK_DAYS),
            end=last,
            price_types=["ceiling"],
        )
        if not cobs.empty:
            clevels = daily_levels(cobs, ceiling_zone=mc.ceiling_zone)
            end = min(last, data_until) if data_until else last
            frames.append(_ceiling_daily(clevels, prev, end))
            source_obs.append(cobs[cobs["date"] >= pd.Timestamp(prev)])
    levels = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["commodity_id", "price_type", "date", "level"])
    )
    sources = _sources(pd.concat(source_obs, ignore_index=True) if source_obs else pd.DataFrame(), config)

    levels["month"] = pd.to_datetime(levels["date"]).dt.to_period("M") if not levels.empty else None
    means = (
        levels.groupby(["commodity_id", "price_type", "month"])["level"].mean()
        if not levels.empty
        else pd.Series(dtype="float64")
    )
    this_p, prev_p = pd.Period(first, "M"), pd.Period(prev, "M")

    commodities = commodity_table(session)
    catalog = load_commodities()
    groups = dict(catalog.groups)
    table = MonthlyTable(month=first, previous_month=prev, data_until=data_until, groups=groups)
    group_order = {g: i for i, g in enumerate(groups)}
    ordered = sorted(commodities.itertuples(), key=lambda c: (group_order.get(c.group, 99), c.Index))
    stt = 0
    for c in ordered:
        listed = []
        for ptype in types:
            cur = means.get((c.Index, ptype, this_p)) if not means.empty else None
            prv = means.get((c.Index, ptype, prev_p)) if not means.empty else None
            cur = None if cur is None or pd.isna(cur) else int(round_half_up(cur))
            prv = None if prv is None or pd.isna(prv) else int(round_half_up(prv))
            if cur is None and prv is None:
                continue
            listed.append((ptype, prv, cur))
        if not listed:
            if not mc.include_empty:
                continue
            listed = [(types[0] if types[0] != "ceiling" else "retail", None, None)]
        for ptype, prv, cur in listed:
            stt += 1
            change = cur - prv if cur is not None and prv is not None else None
            rate = round_half_up(change / prv * 100, mc.rate_decimals) if change is not None and prv else None
            notes = []
            if cur is None:
                notes.append(NO_DATA)
            elif prv is None:
                notes.append(NO_PREVIOUS)
            if ptype == "ceiling":
                notes.append(f"vùng {mc.ceiling_zone}")
            table.rows.append(
                MonthlyRow(
                    stt=stt,
                    commodity_id=int(c.Index),
                    commodity_code=c.code,
                    code=c.report_code or c.code,
                    name=c.name,
                    spec=c.spec or "",
                    unit=f"đồng/{c.unit}",
                    price_type=ptype,
                    previous=prv,
                    current=cur,
                    change=change,
                    rate=rate,
                    source=sources.get((int(c.Index), ptype), "")
                    if cur is not None or prv is not None
                    else "",
                    note="; ".join(notes),
                    group=c.group,
                )
            )
    first_type = types[0] if types[0] != "ceiling" else "retail"
    # The breadth counts each commodity once: its first listed price type (retail when it has one).
    per_commodity: dict[int, MonthlyRow] = {}
    for r in table.rows:
        if r.commodity_id not in per_commodity or (
            r.price_type == first_type and per_commodity[r.commodity_id].price_type != first_type
        ):
            per_commodity[r.commodity_id] = r
    items = [
        (
            _short(r.name),
            None if r.rate is None else r.rate / 100.0,
        )
        for r in per_commodity.values()
    ]
    table.breadth = breadth(items, decimals=mc.rate_decimals)
    return table


def _short(name: str) -> str:
    """A commodity name as it reads in a sentence ("Thịt lợn nạc (nạc dăm/nạc đùi)" -> "thịt lợn nạc")."""
    short = name.split(" (")[0].strip() or name
    if len(short) > 1 and short[0].isupper() and not short[1].isupper():
        return short[0].lower() + short[1:]
    return short


def build_monthly_xlsx(
    session: Session,
    month: str | dt.date,
    *,
    config: ReportsConfig | None = None,
    report_date: dt.date | None = None,
) -> bytes:
    """The monthly table as an .xlsx workbook (A4 landscape, frozen header, printable)."""
    config = config or load_reports_config()
    table = monthly_table(session, month, config=config)
    return render_monthly_xlsx(table, config=config, report_date=report_date)


def render_monthly_xlsx(
    table: MonthlyTable, *, config: ReportsConfig, report_date: dt.date | None = None
) -> bytes:
    """Write a :class:`MonthlyTable` as xlsx bytes."""
    import xlsxwriter

    office, mc = config.office, config.monthly
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties(
        {
            "title": table.title,
            "author": office.department_name,
            "company": office.department_name,
            "comments": "binhon",
        }
    )
    fmt = xlsx_formats(wb)
    rate_fmt = wb.add_format(
        {
            "font_name": "Times New Roman",
            "font_size": 11,
            "border": 1,
            "valign": "vcenter",
            "num_format": num_rate(mc.rate_decimals),
        }
    )
    ws = wb.add_worksheet(f"Tháng {month_label(table.month).replace('/', '-')}")
    last_col = len(COLUMNS) - 1
    widths = [6, 13, 28, 34, 12, 14, 13, 13, 13, 12, 30, 20]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)

    ws.merge_range(0, 0, 0, 3, office.authority, fmt["authority"])
    ws.merge_range(1, 0, 1, 3, office.department, fmt["department"])
    ws.merge_range(0, 7, 0, last_col, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fmt["nation"])
    ws.merge_range(1, 7, 1, last_col, "Độc lập - Tự do - Hạnh phúc", fmt["motto"])
    ws.merge_range(3, 0, 3, last_col, table.title, fmt["title"])
    sub = (
        "(Theo mẫu Bảng giá thị trường, Phụ lục II Thông tư số 29/2024/TT-BTC "
        "ngày 16/5/2024 của Bộ Tài chính)"
    )
    ws.merge_range(4, 0, 4, last_col, sub, fmt["subtitle"])
    scope = f"Địa bàn: {office.province}. Đơn vị báo cáo: {office.department_name}."
    if not table.complete and table.data_until is not None:
        scope += f" Số liệu đến ngày {format_date(table.data_until)} (ước)."
    elif table.data_until is None:
        scope += " Chưa có số liệu giá."
    ws.merge_range(5, 0, 5, 8, scope, fmt["left"])
    ws.merge_range(5, 9, 5, last_col, "Đơn vị tính: đồng", fmt["right"])
    header_row = 7
    ws.set_row(header_row, 45)
    for j, name in enumerate(COLUMNS):
        ws.write(header_row, j, name, fmt["head"])
    numbers = [
        "(1)",
        "(2)",
        "(3)",
        "(4)",
        "(5)",
        "(6)",
        "(7)",
        "(8)",
        "(9)=(8)-(7)",
        "(10)=(9)/(7)×100",
        "(11)",
        "(12)",
    ]
    for j, text in enumerate(numbers):
        ws.write(header_row + 1, j, text, fmt["colno"])
    r = header_row + 2
    current_group = None
    group_no = 0
    for row in table.rows:
        if row.group != current_group:
            current_group = row.group
            group_no += 1
            ws.write(r, 0, roman(group_no), fmt["group_center"])
            ws.merge_range(r, 1, r, last_col, table.groups.get(row.group, row.group), fmt["group"])
            r += 1
        ws.write_number(r, 0, row.stt, fmt["center"])
        ws.write_string(r, 1, row.code, fmt["center"])
        ws.write_string(r, 2, row.name, fmt["text"])
        ws.write_string(r, 3, row.spec, fmt["text"])
        ws.write_string(r, 4, row.unit, fmt["center"])
        ws.write_string(r, 5, row.price_type_label, fmt["text"])
        for j, value, f in (
            (6, row.previous, fmt["int"]),
            (7, row.current, fmt["int"]),
            (8, row.change, fmt["change"]),
            (9, row.rate, rate_fmt),
        ):
            if value is None:
                ws.write_blank(r, j, None, f)
            else:
                ws.write_number(r, j, value, f)
        ws.write_string(r, 10, row.source, fmt["text"])
        ws.write_string(r, 11, row.note, fmt["text"])
        r += 1
    r += 1
    notes = [
        "Ghi chú:",
        "- Giá kỳ này, giá kỳ trước: bình quân các ngày trong tháng của giá phổ biến toàn tỉnh (trung vị giá "
        "các điểm bán trong ngày), làm tròn đến đồng; giá bán lẻ tối đa tính theo số ngày áp dụng.",
        "- Mức tăng (giảm) = (8) − (7); tỷ lệ tăng (giảm) = (9) / (7) × 100. Số trong ngoặc đơn ( ) là mức "
        "giảm.",
        f"- So tháng trước: {breadth_sentence(table.breadth, decimals=mc.rate_decimals)}.",
    ]
    for text in notes:
        ws.merge_range(r, 0, r, last_col, text, fmt["bold"] if text == "Ghi chú:" else fmt["wrap"])
        if text.startswith("- So tháng"):
            ws.set_row(r, 15 * max(1, len(text) // 180 + 1))
        r += 1
    r += 1
    ws.merge_range(r, 7, r, last_col, date_line(office, report_date), fmt["date_line"])
    r += 1
    for line in office.signature:
        ws.merge_range(r, 7, r, last_col, line, fmt["sign_title"])
        r += 1
    r += 3
    if office.signer:
        ws.merge_range(r, 7, r, last_col, office.signer, fmt["sign_name"])
        r += 1
    ws.freeze_panes(header_row + 2, 3)
    ws.repeat_rows(header_row, header_row + 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, r, last_col)
    ws.set_footer("&CTrang &P/&N")
    wb.close()
    return buf.getvalue()
