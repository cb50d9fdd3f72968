"""The Tết market report: prices before, during and after Tết, alerts, the bình ổn programme, forecast.

:func:`tet_report_data` assembles the review of one lunar year's Tết (the data object the notebook
also uses); :func:`build_tet_report` renders it as .xlsx or .docx bytes (the CLI's
``binhon report tet`` and the web app's download).

Contents, in the department's vocabulary (DOMAIN §5.3, §6):

* each phase (trước / trong / sau Tết, windows of ``config/calendar.yaml``): every reviewed
  commodity's mean province level, *so với Tết năm trước* (lunar-aligned, same days to Tết) and
  with the Tết before that, *so tháng trước* (the 30 days before the phase) and *so cùng kỳ* (same
  calendar dates a year earlier) — see :mod:`binhon.review.seasons` — and the breadth summary
  ("X mặt hàng tăng giá, Y mặt hàng giảm giá, Z mặt hàng không có số liệu", lists sorted by size);
* the alerts first raised in the season's window, by kind and severity, and the outlets and areas
  that drove them, against the previous Tết's count;
* the programme of the season: decision, participants, loans, commitments and their status
  (:mod:`binhon.programme.risk`), reserves, field visits;
* the forecast of each commodity's phases with prediction intervals and its backtest error on the
  previous Tết seasons (:mod:`binhon.review.forecast`).

Only data dated on or before ``as_of`` is used (default: the last day with prices), so a report
made during the season is what was known then.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from binhon.db.models import Enterprise, FieldVisit, Observation, Outlet, Participant
from binhon.formatting import format_change, format_date, format_number, format_percent, format_vnd
from binhon.programme.risk import CommitmentStatus, commitment_status
from binhon.programme.service import ProgrammeSummary, programme_for_date, programme_summary
from binhon.reports.common import (
    DOCX_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    date_line,
    number_line,
    xlsx_formats,
)
from binhon.reports.config import ReportsConfig, load_reports_config
from binhon.reports.monthly import ReportError
from binhon.review.alerts import KIND_LABELS, SEVERITY_LABELS, AlertsSummary, load_alerts, summarise_alerts
from binhon.review.breadth import Breadth, breadth, breadth_sentence
from binhon.review.forecast import ForecastResult, forecast_with_backtest
from binhon.review.seasons import PHASES, PhaseComparison, compare_phases, season_curves
from binhon.review.series import commodity_table, load_levels
from binhon.settings import get_settings
from binhon.tet import PHASE_LABELS, TetPhase, TetWindows, load_calendar_config, lunar_year_name, tet_date

__all__ = [
    "CommodityReview",
    "TetReport",
    "build_tet_report",
    "media_type",
    "render_tet_docx",
    "render_tet_xlsx",
    "tet_report_data",
]

Comparison = Literal["previous_tet", "month", "year"]
COMPARISON_LABELS: dict[str, str] = {
    "previous_tet": "so với Tết năm trước",
    "month": "so tháng trước",
    "year": "so cùng kỳ",
}
PHASE_TITLES = {"before": "Trước Tết", "during": "Trong Tết", "after": "Sau Tết"}


def media_type(fmt: str) -> str:
    """The HTTP media type of a report format."""
    return {"xlsx": XLSX_MEDIA_TYPE, "docx": DOCX_MEDIA_TYPE}[fmt]


def _short(name: str) -> str:
    short = name.split(" (")[0].strip() or name
    if len(short) > 1 and short[0].isupper() and not short[1].isupper():
        return short[0].lower() + short[1:]
    return short


@dataclass
class CommodityReview:
    """One commodity's review: the three phases compared, the forecast, the season curves."""

    commodity_id: int
    code: str
    name: str
    unit: str
    group: str
    phases: list[PhaseComparison]
    forecast: ForecastResult | None
    curves: pd.DataFrame

    @property
    def short(self) -> str:
        """The name as it reads in a sentence."""
        return _short(self.name)

    def phase(self, name: TetPhase) -> PhaseComparison:
        """The comparison of one phase."""
        return next(p for p in self.phases if p.phase == name)

    def change(self, phase: TetPhase, comparison: Comparison) -> float | None:
        """A phase's relative change against the previous Tết, the month before, or the same dates last "
        "year."""
        p = self.phase(phase)
        if comparison == "previous_tet":
            return p.change_previous_tet
        if comparison == "month":
            return p.change_month
        return p.change_year

    @property
    def has_data(self) -> bool:
        """Whether the season has any level."""
        return any(p.average is not None for p in self.phases)


@dataclass
class TetReport:
    """Everything the Tết report shows (see the module notes)."""

    year: int
    tet: dt.date
    lunar_name: str
    windows: TetWindows
    as_of: dt.date
    data_until: dt.date | None
    config: ReportsConfig
    commodities: list[CommodityReview] = field(default_factory=list)
    previous_years: list[int] = field(default_factory=list)
    alerts: AlertsSummary | None = None
    previous_alerts: AlertsSummary | None = None
    programme: ProgrammeSummary | None = None
    commitments: list[CommitmentStatus] = field(default_factory=list)
    visits: list[tuple[dt.date, str, str, str, bool | None]] = field(default_factory=list)

    @property
    def season_start(self) -> dt.date:
        """First day of the "before" phase."""
        return self.tet + dt.timedelta(days=self.windows.before[0])

    @property
    def season_end(self) -> dt.date:
        """Last day of the "after" phase."""
        return self.tet + dt.timedelta(days=self.windows.after[1])

    @property
    def title(self) -> str:
        """The report's title line."""
        return (
            f"Tình hình thị trường, giá cả hàng hóa trước, trong và sau Tết Nguyên đán {self.lunar_name} "
            f"năm {self.year}"
        )

    @property
    def decimals(self) -> int:
        """Decimals of percentages in sentences."""
        return self.config.tet_report.change_decimals

    def breadth(self, phase: TetPhase, comparison: Comparison = "previous_tet") -> Breadth:
        """The breadth of one phase's changes (catalogue names, sorted by size)."""
        return breadth(
            [(c.short, c.change(phase, comparison)) for c in self.commodities], decimals=self.decimals
        )

    def breadth_text(self, phase: TetPhase, comparison: Comparison = "previous_tet") -> str:
        """ "09 mặt hàng tăng giá (…), 03 mặt hàng giảm giá (…) và 01 mặt hàng không có số liệu (…)"."""
        return breadth_sentence(self.breadth(phase, comparison), decimals=self.decimals)

    def phase_dates(self, phase: TetPhase) -> tuple[dt.date, dt.date]:
        """First and last day of a phase."""
        a, b = getattr(self.windows, phase)
        return self.tet + dt.timedelta(days=a), self.tet + dt.timedelta(days=b)

    def review(self, code: str) -> CommodityReview:
        """The review of one commodity by code."""
        return next(c for c in self.commodities if c.code == code)

    @property
    def at_risk(self) -> list[CommitmentStatus]:
        """Commitments in breach or at risk."""
        return [c for c in self.commitments if c.status in ("breach", "at_risk")]


def _windows() -> TetWindows:
    windows, _season = load_calendar_config(get_settings().config_dir / "calendar.yaml")
    return windows


def tet_report_data(
    session: Session,
    year: int,
    *,
    as_of: dt.date | None = None,
    config: ReportsConfig | None = None,
    windows: TetWindows | None = None,
) -> TetReport:
    """Assemble the review of Tết ``year`` from the data dated on or before ``as_of``."""
    config = config or load_reports_config()
    windows = windows or _windows()
    tc, fc = config.tet_report, config.forecast
    try:
        tet = tet_date(year)
    except (TypeError, ValueError) as exc:
        raise ReportError(f"năm {year!r} không hợp lệ: {exc}") from None
    latest = session.scalar(select(func.max(Observation.obs_date)).where(Observation.is_current.is_(True)))
    as_of = as_of or latest or dt.date.today()
    season_end = tet + dt.timedelta(days=windows.after[1])
    end = min(as_of, season_end)
    data_until = min(latest, end) if latest is not None else None
    back = max(tc.previous_seasons, fc.backtest_seasons if fc.enabled else 0)
    start = (
        tet_date(year - back - 1)
        + dt.timedelta(days=windows.before[0])
        - dt.timedelta(days=tc.month_before_days + 200)
    )
    commodities = commodity_table(session, codes=tc.commodities)
    unknown = sorted(set(tc.commodities) - set(commodities["code"]))
    if unknown:
        raise ReportError(
            f"config/reports.yaml tet_report.commodities: mã không có trong danh mục: {', '.join(unknown)}"
        )
    levels = load_levels(
        session, start=start, end=end, price_types=["retail"], commodity_ids=list(commodities.index)
    )
    series = {
        int(cid): g.set_index("date")["level"].sort_index() for cid, g in levels.groupby("commodity_id")
    }
    report = TetReport(
        year=year,
        tet=tet,
        lunar_name=lunar_year_name(year),
        windows=windows,
        as_of=as_of,
        data_until=data_until,
        config=config,
        previous_years=[year - i for i in range(1, tc.previous_seasons + 1)],
    )
    first_k = windows.before[0] - tc.month_before_days
    for cid, c in commodities.iterrows():
        s = series.get(int(cid), pd.Series(dtype="float64", index=pd.DatetimeIndex([])))
        phases = compare_phases(
            s,
            year=year,
            windows=windows,
            previous_seasons=tc.previous_seasons,
            month_before_days=tc.month_before_days,
            as_of=end,
        )
        forecast = (
            forecast_with_backtest(s, year=year, windows=windows, config=fc, as_of=end)
            if fc.enabled and not s.empty
            else None
        )
        curves = season_curves(
            s, years=[year, *report.previous_years], first=first_k, last=windows.after[1], as_of=end
        )
        report.commodities.append(
            CommodityReview(
                commodity_id=int(cid),
                code=str(c["code"]),
                name=str(c["name"]),
                unit=str(c["unit"]),
                group=str(c["group"]),
                phases=phases,
                forecast=forecast,
                curves=curves,
            )
        )
    # Alerts of the season's window, and of the previous Tết's for comparison.
    report.alerts = summarise_alerts(
        load_alerts(session, start=report.season_start, end=end),
        start=report.season_start,
        end=end,
        top=tc.top_drivers,
    )
    prev_tet = tet_date(year - 1)
    p_start = prev_tet + dt.timedelta(days=windows.before[0])
    p_end = prev_tet + dt.timedelta(days=windows.after[1])
    report.previous_alerts = summarise_alerts(
        load_alerts(session, start=p_start, end=p_end), start=p_start, end=p_end, top=tc.top_drivers
    )
    # The programme of the season.
    programme = programme_for_date(session=session, on=tet)
    if programme is not None:
        report.programme = programme_summary(session=session, year=programme.year)
        forecasts = {}
        if end < report.season_start:
            for c in report.commodities:
                if c.forecast is not None and c.forecast.forecast is not None:
                    forecasts[c.commodity_id] = c.forecast.forecast.phase("before").point
        report.commitments = commitment_status(
            session, as_of=end, year=programme.year, config=config.commitments, forecasts=forecasts
        )
        rows = session.execute(
            select(
                FieldVisit.visit_date, Enterprise.name, Outlet.name, FieldVisit.findings, FieldVisit.compliant
            )
            .join(Participant, Participant.id == FieldVisit.participant_id)
            .join(Enterprise, Enterprise.id == Participant.enterprise_id)
            .outerjoin(Outlet, Outlet.id == FieldVisit.outlet_id)
            .where(Participant.programme_id == programme.id, FieldVisit.visit_date <= end)
            .order_by(FieldVisit.visit_date)
        ).all()
        report.visits = [(d, e, o or "", f, c) for d, e, o, f, c in rows]
    return report


def build_tet_report(
    session: Session,
    year: int,
    fmt: Literal["xlsx", "docx"],
    *,
    as_of: dt.date | None = None,
    report_date: dt.date | None = None,
    config: ReportsConfig | None = None,
) -> bytes:
    """The Tết market report of ``year`` as .xlsx or .docx bytes."""
    if fmt not in ("xlsx", "docx"):
        raise ReportError(f"định dạng '{fmt}' không hỗ trợ (xlsx hoặc docx)")
    report = tet_report_data(session, year, as_of=as_of, config=config)
    if fmt == "xlsx":
        return render_tet_xlsx(report, report_date=report_date)
    return render_tet_docx(report, report_date=report_date)


# --- sentences shared by both renderers --------------------------------------------------------------


def _cap(text: str) -> str:
    """First letter upper case, the rest as written ("so với Tết" -> "So với Tết")."""
    return text[:1].upper() + text[1:]


def _vnd(x: float | None) -> str:
    return "" if x is None else format_vnd(int(round(x)))


def _chg(x: float | None, decimals: int) -> str:
    return "không có số liệu" if x is None else format_change(x, decimals)


def _count(n: int) -> str:
    return format_number(n)


def alerts_sentences(report: TetReport) -> list[str]:
    """The alert section in sentences."""
    a = report.alerts
    prev = report.previous_alerts
    assert a is not None and prev is not None
    prev_text = f"{_count(prev.total)} cảnh báo cùng giai đoạn Tết {lunar_year_name(report.year - 1)}"
    if a.end < a.start:
        return [
            f"Mùa Tết {report.lunar_name} chưa bắt đầu (giai đoạn trước Tết từ ngày {format_date(a.start)}); "
            f"dịp Tết năm trước có {prev_text[: prev_text.index(' cùng')]}."
        ]
    span = f"từ {format_date(a.start)} đến {format_date(a.end)}"
    if a.total == 0:
        first = f"Trong dịp Tết ({span}), không có cảnh báo giá nào"
    else:
        kinds = "; ".join(f"{label} {_count(n)}" for _k, label, n in a.by_kind)
        sev = ", ".join(f"{_count(n)} mức {label}" for _s, label, n in a.by_severity)
        first = (
            f"Trong dịp Tết ({span}), hệ thống ghi nhận {_count(a.total)} cảnh báo giá "
            f"({kinds}; trong đó {sev})"
        )
    first += f", so với {prev_text}."
    out = [first]
    if a.top_outlets:
        out.append(
            "Các điểm bán có nhiều cảnh báo nhất: "
            + "; ".join(
                f"{name} ({area}) {_count(n)} cảnh báo" if area else f"{name} {_count(n)} cảnh báo"
                for name, area, n in a.top_outlets
            )
            + "."
        )
    if a.top_areas:
        out.append("Theo địa bàn: " + "; ".join(f"{area} {_count(n)}" for area, n in a.top_areas) + ".")
    if a.top_commodities:
        out.append(
            "Theo mặt hàng: "
            + "; ".join(f"{_short(name)} {_count(n)}" for name, n in a.top_commodities)
            + "."
        )
    return out


def programme_sentences(report: TetReport) -> list[str]:
    """The programme section in sentences."""
    p = report.programme
    if p is None:
        return [
            f"Chưa có chương trình bình ổn thị trường nào được khai báo cho Tết {report.lunar_name} năm "
            f"{report.year}."
        ]
    out = [
        f"Chương trình bình ổn thị trường năm {p.year} ({p.decision_text()}): {_count(p.participants)} "
        "doanh nghiệp "
        f"tham gia với {_count(p.sale_points)} điểm bán, {_count(p.commitments)} mặt hàng cam kết"
        + (
            f", tổng giá trị hàng cam kết {format_vnd(p.committed_value_vnd)}"
            if p.committed_value_vnd
            else ""
        )
        + "."
    ]
    if p.loan_proposed_vnd or p.loan_approved_vnd:
        loan = (
            f"Vốn vay đề xuất {format_vnd(p.loan_proposed_vnd)}, được duyệt {format_vnd(p.loan_approved_vnd)}"
        )
        if p.approved_share is not None:
            loan += f" (đạt {format_percent(p.approved_share, 2)} vốn đề xuất)"
        loan += f", đã giải ngân {format_vnd(p.loan_disbursed_vnd)}"
        if p.disbursed_share is not None:
            loan += f" (đạt {format_percent(p.disbursed_share, 2)} vốn được duyệt)"
        out.append(loan + ".")
    if report.commitments:
        counts = {
            k: sum(1 for c in report.commitments if c.status == k)
            for k in ("breach", "at_risk", "ok", "no_data")
        }
        out.append(
            f"Đến ngày {format_date(min(report.as_of, report.season_end))}: {_count(counts['breach'])} cam "
            "kết đang vi phạm, "
            f"{_count(counts['at_risk'])} cam kết có nguy cơ, {_count(counts['ok'])} cam kết đạt, "
            f"{_count(counts['no_data'])} cam kết chưa có số liệu."
        )
    if report.visits:
        bad = sum(1 for v in report.visits if v[4] is False)
        out.append(
            f"Đã kiểm tra thực tế {_count(len(report.visits))} lượt tại doanh nghiệp, điểm bán"
            + (f", phát hiện {_count(bad)} lượt chưa đúng cam kết." if bad else ", không phát hiện vi phạm.")
        )
    return out


def forecast_sentences(report: TetReport) -> list[str]:
    """How the forecast was made and how well it did on past Tết."""
    origins = {c.forecast.forecast.origin for c in report.commodities if c.forecast and c.forecast.forecast}
    if not origins:
        return ["Chưa đủ số liệu để dự báo giá các giai đoạn Tết."]
    level = format_percent(1 - report.config.forecast.alpha, 0)
    mapes = [c.forecast.mape for c in report.commodities if c.forecast and c.forecast.mape is not None]
    naive = [
        c.forecast.naive_mape for c in report.commodities if c.forecast and c.forecast.naive_mape is not None
    ]
    out = [
        f"Dự báo từ số liệu đến ngày {format_date(max(origins))}, theo mô hình chuỗi thời gian có mức giá "
        "thay đổi dần "
        "và hiệu ứng các giai đoạn Tết học từ các mùa Tết trước (statsmodels, UnobservedComponents); "
        "khoảng dự báo "
        f"{level}."
    ]
    if mapes:
        text = (
            f"Kiểm định trên {report.config.forecast.backtest_seasons} mùa Tết trước (dự báo từ cùng thời "
            "điểm trước Tết): "
            f"sai số bình quân (MAPE) {format_percent(float(pd.Series(mapes).median()), 1)} (trung vị các "
            "mặt hàng)"
        )
        if naive:
            text += (
                f", so với {format_percent(float(pd.Series(naive).median()), 1)} nếu giữ nguyên giá hiện tại"
            )
        out.append(text + ".")
    return out


def assessment(report: TetReport) -> str:
    """ "Đánh giá chung" from the figures (stable market or the items that moved most)."""
    movers: list[tuple[str, float, TetPhase]] = []
    for phase in PHASES:
        b = report.breadth(phase, "previous_tet")
        movers.extend((n, ch, phase) for n, ch in (*b.up, *b.down) if abs(ch) >= 0.10)
    crisis = report.alerts is not None and any(s == "crisis" for s, _l, _n in report.alerts.by_severity)
    with_data = sum(1 for c in report.commodities if c.has_data)
    if with_data == 0:
        return (
            f"Chưa có số liệu giá của mùa Tết {report.lunar_name} năm {report.year} (số liệu đến ngày "
            f"{format_date(report.data_until) if report.data_until else '—'}); báo cáo nêu kết quả các mùa "
            "Tết trước, "
            "dự báo và tình hình chuẩn bị của chương trình bình ổn."
        )
    if not movers and not crisis:
        return (
            "Nhìn chung, thị trường hàng hóa thiết yếu trước, trong và sau Tết ổn định; giá các mặt hàng "
            "biến động "
            "trong phạm vi dưới 10% so với cùng thời điểm Tết năm trước."
        )
    movers.sort(key=lambda x: -abs(x[1]))
    named = "; ".join(
        f"{n} {PHASE_LABELS[p]} {format_change(ch, report.decimals)}" for n, ch, p in movers[:5]
    )
    text = "Thị trường hàng hóa thiết yếu cơ bản ổn định, nguồn cung đáp ứng nhu cầu"
    if movers:
        text += f"; một số mặt hàng biến động từ 10% trở lên so với cùng thời điểm Tết năm trước: {named}"
    if crisis:
        text += "; có cảnh báo ở mức nghiêm trọng cần tiếp tục theo dõi, xử lý"
    return text + "."


# --- xlsx ---------------------------------------------------------------------------------------------


def render_tet_xlsx(report: TetReport, *, report_date: dt.date | None = None) -> bytes:
    """The Tết report as an .xlsx workbook: summary, phases, daily levels, alerts, programme, forecast."""
    import xlsxwriter

    office = report.config.office
    d = report.decimals
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": report.title, "author": office.department_name, "comments": "binhon"})
    fmt = xlsx_formats(wb)
    y1 = report.previous_years[0] if report.previous_years else report.year - 1

    # Summary -----------------------------------------------------------------------------------------
    ws = wb.add_worksheet("Tổng hợp")
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 150)
    ws.write(0, 1, office.authority, fmt["left"])
    ws.write(1, 1, office.department, fmt["bold"])
    ws.write(3, 1, f"BÁO CÁO {report.title.upper()}", fmt["title"])
    lines: list[tuple[str, str]] = [
        (
            "",
            f"Mùng 1 Tết {report.lunar_name}: {format_date(report.tet)}. "
            + "; ".join(
                f"{PHASE_LABELS[p]}: {format_date(a)} – {format_date(b)}"
                for p in PHASES
                for a, b in [report.phase_dates(p)]
            )
            + ".",
        ),
        ("", f"Số liệu giá đến ngày {format_date(report.data_until) if report.data_until else '—'}."),
        ("bold", "I. TÌNH HÌNH GIÁ CẢ THỊ TRƯỜNG"),
    ]
    for i, phase in enumerate(PHASES, start=1):
        a, b = report.phase_dates(phase)
        lines.append(("bold", f"{i}. {PHASE_TITLES[phase]} (từ {format_date(a)} đến {format_date(b)})"))
        for comp in ("previous_tet", "month", "year"):
            lines.append(("", f"- {_cap(COMPARISON_LABELS[comp])}: {report.breadth_text(phase, comp)}."))
    lines.append(("bold", "II. CẢNH BÁO GIÁ"))
    lines.extend(("", s) for s in alerts_sentences(report))
    lines.append(("bold", "III. THỰC HIỆN CHƯƠNG TRÌNH BÌNH ỔN THỊ TRƯỜNG"))
    lines.extend(("", s) for s in programme_sentences(report))
    lines.append(("bold", "IV. DỰ BÁO"))
    lines.extend(("", s) for s in forecast_sentences(report))
    lines.append(("bold", "V. ĐÁNH GIÁ CHUNG"))
    lines.append(("", assessment(report)))
    r = 5
    for style, text in lines:
        ws.write(r, 1, text, fmt["bold"] if style == "bold" else fmt["wrap"])
        if style != "bold":
            ws.set_row(r, 15 * max(1, len(text) // 140 + 1))
        r += 1
    r += 1
    ws.write(r, 1, date_line(office, report_date), fmt["italic"])
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)

    # Phases ------------------------------------------------------------------------------------------
    ws = wb.add_worksheet("Giá theo giai đoạn")
    head = [
        "STT",
        "Mã hàng hóa",
        "Tên hàng hóa",
        "Đơn vị tính",
        "Giai đoạn",
        "Từ ngày",
        "Đến ngày",
        "Giá bình quân (đồng)",
        "Số ngày có số liệu",
        f"Tết {y1}, cùng ngày so với Tết (đồng)",
        "So với Tết năm trước",
        "Diễn biến so với Tết năm trước",
    ]
    for y in report.previous_years[1:]:
        head += [f"Tết {y}, cùng ngày so với Tết (đồng)", f"So với Tết {y}"]
    head += [
        f"Bình quân {report.config.tet_report.month_before_days} ngày trước giai đoạn (đồng)",
        "So tháng trước",
        "Diễn biến so tháng trước",
        "Cùng kỳ năm trước (đồng)",
        "So cùng kỳ",
        "Diễn biến so cùng kỳ",
    ]
    widths = {0: 5, 1: 16, 2: 26, 3: 11, 4: 11, 5: 11, 6: 11}
    for j, h in enumerate(head):
        ws.write(0, j, h, fmt["head"])
        ws.set_column(j, j, widths.get(j, 15))
    ws.set_row(0, 48)
    r = 1
    stt = 0
    for c in report.commodities:
        stt += 1
        for p in c.phases:
            row: list[tuple[Any, str]] = [
                (stt, "center"),
                (c.code, "text"),
                (c.name, "text"),
                (c.unit, "center"),
                (PHASE_LABELS[p.phase], "text"),
                (p.start, "date"),
                (p.end, "date"),
                (p.average, "int"),
                (p.days, "int"),
                (p.previous[0].average if p.previous else None, "int"),
                (p.change_previous_tet, "pct"),
                (_chg(p.change_previous_tet, d) if p.average is not None else "không có số liệu", "text"),
            ]
            for prev in p.previous[1:]:
                row += [(prev.average, "int"), (prev.change, "pct")]
            row += [
                (p.month_before, "int"),
                (p.change_month, "pct"),
                (_chg(p.change_month, d), "text"),
                (p.same_period, "int"),
                (p.change_year, "pct"),
                (_chg(p.change_year, d), "text"),
            ]
            _write_row(ws, r, row, fmt)
            r += 1
    ws.freeze_panes(1, 3)
    ws.autofilter(0, 0, max(r - 1, 1), len(head) - 1)

    # Daily levels (lunar-aligned) -------------------------------------------------------------------
    ws = wb.add_worksheet("Theo ngày âm lịch")
    years = [report.year, *report.previous_years]
    head = ["Mã hàng hóa", "Tên hàng hóa", "Số ngày so với mùng 1 Tết"]
    for y in years:
        head += [f"Ngày (Tết {y})", f"Giá Tết {y} (đồng)"]
    for j, h in enumerate(head):
        ws.write(0, j, h, fmt["head"])
        ws.set_column(j, j, 14 if j != 1 else 26)
    ws.set_row(0, 32)
    r = 1
    for c in report.commodities:
        if c.curves.dropna(how="all").empty:
            continue
        for k, vals in c.curves.iterrows():
            row = [(c.code, "text"), (c.name, "text"), (int(k), "int")]  # type: ignore[call-overload]
            for y in years:
                row += [
                    (tet_date(y) + dt.timedelta(days=int(k)), "date"),
                    (None if pd.isna(vals[y]) else float(vals[y]), "int"),
                ]
            _write_row(ws, r, row, fmt)
            r += 1
    ws.freeze_panes(1, 3)

    # Alerts ------------------------------------------------------------------------------------------
    ws = wb.add_worksheet("Cảnh báo")
    head = [
        "Số",
        "Loại",
        "Mức độ",
        "Mặt hàng",
        "Điểm bán",
        "Địa bàn",
        "Ngày đầu",
        "Ngày cuối",
        "Giá ghi nhận (đồng)",
        "Mức so sánh (đồng)",
        "Trạng thái",
        "Nội dung",
    ]
    widths2 = [7, 22, 12, 20, 26, 30, 11, 11, 14, 14, 12, 90]
    for j, h in enumerate(head):
        ws.write(0, j, h, fmt["head"])
        ws.set_column(j, j, widths2[j])
    r = 1
    alerts = report.alerts.alerts if report.alerts is not None else pd.DataFrame()
    for al in alerts.head(report.config.tet_report.max_alerts_listed).itertuples():
        _write_row(
            ws,
            r,
            [
                (int(al.id), "int"),
                (KIND_LABELS.get(al.kind, al.kind), "text"),
                (SEVERITY_LABELS.get(al.severity, al.severity), "text"),
                (al.commodity, "text"),
                (al.outlet, "text"),
                (al.area, "text"),
                (al.first_date, "date"),
                (al.last_date, "date"),
                (None if pd.isna(al.observed_vnd) else float(al.observed_vnd), "int"),
                (None if pd.isna(al.expected_vnd) else float(al.expected_vnd), "int"),
                (al.status, "text"),
                (al.explanation, "text"),
            ],
            fmt,
        )
        r += 1
    ws.freeze_panes(1, 0)

    # Programme ---------------------------------------------------------------------------------------
    ws = wb.add_worksheet("Bình ổn")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 14, 15)
    r = 0
    for text in programme_sentences(report):
        ws.merge_range(r, 0, r, 12, text, fmt["wrap"])
        ws.set_row(r, 30)
        r += 1
    r += 1
    head = [
        "Doanh nghiệp",
        "Mặt hàng",
        "Đơn vị tính",
        "Từ ngày",
        "Đến ngày",
        "Giá cam kết (đồng)",
        "Thấp hơn giá thị trường (%)",
        "Lượng cam kết",
        "Giá trị cam kết (đồng)",
        "Giá bán gần nhất (đồng)",
        "Ngày",
        "Mức tối đa theo cam kết (đồng)",
        "Dự trữ báo cáo",
        "Tỷ lệ dự trữ / cam kết",
        "Số đợt vi phạm",
        "Tình trạng",
        "Ghi chú",
    ]
    for j, h in enumerate(head):
        ws.write(r, j, h, fmt["head"])
    ws.set_column(16, 16, 80)
    ws.set_row(r, 45)
    r += 1
    for cs in report.commitments:
        _write_row(
            ws,
            r,
            [
                (cs.enterprise, "text"),
                (cs.commodity_name, "text"),
                (cs.unit, "center"),
                (cs.period_start, "date"),
                (cs.period_end, "date"),
                (cs.committed_price_vnd, "int"),
                (cs.margin_pct, "one"),
                (cs.quantity, "int"),
                (cs.value_vnd, "int"),
                (cs.latest_price_vnd, "int"),
                (cs.latest_date, "date"),
                (cs.limit_vnd, "int"),
                (cs.reserve_quantity, "int"),
                (cs.reserve_ratio, "pct"),
                (cs.breaches, "int"),
                (cs.status_label, "text"),
                ("; ".join(cs.reasons), "text"),
            ],
            fmt,
        )
        r += 1
    if report.visits:
        r += 1
        for j, h in enumerate(["Ngày kiểm tra", "Doanh nghiệp", "Điểm bán", "Kết quả", "Đạt yêu cầu"]):
            ws.write(r, j, h, fmt["head"])
        r += 1
        for vd, ent, outlet, findings, ok in report.visits:
            _write_row(
                ws,
                r,
                [
                    (vd, "date"),
                    (ent, "text"),
                    (outlet, "text"),
                    (findings, "text"),
                    ("" if ok is None else ("có" if ok else "không"), "text"),
                ],
                fmt,
            )
            r += 1

    # Forecast ----------------------------------------------------------------------------------------
    ws = wb.add_worksheet("Dự báo")
    level = format_percent(1 - report.config.forecast.alpha, 0)
    head = [
        "Mã hàng hóa",
        "Tên hàng hóa",
        "Đơn vị tính",
        "Giai đoạn",
        "Dự báo từ ngày",
        "Giá dự báo (đồng)",
        f"Cận dưới {level} (đồng)",
        f"Cận trên {level} (đồng)",
        "Giá thực tế (đồng)",
        "Sai số kiểm định MAPE",
        "MAPE giữ nguyên giá",
        "Tỷ lệ thực tế nằm trong khoảng",
        "Số lần kiểm định",
        "Ghi chú",
    ]
    for j, h in enumerate(head):
        ws.write(0, j, h, fmt["head"])
        ws.set_column(j, j, 15 if j not in (1, 13) else 28)
    ws.set_row(0, 45)
    r = 1
    for c in report.commodities:
        fr = c.forecast
        if fr is None:
            continue
        if fr.forecast is None:
            _write_row(
                ws,
                r,
                [(c.code, "text"), (c.name, "text"), (c.unit, "center")]
                + [(None, "text")] * 10
                + [(fr.reason or "", "text")],
                fmt,
            )
            r += 1
            continue
        for pf in fr.forecast.phases:
            _write_row(
                ws,
                r,
                [
                    (c.code, "text"),
                    (c.name, "text"),
                    (c.unit, "center"),
                    (PHASE_LABELS[pf.phase], "text"),
                    (fr.forecast.origin, "date"),
                    (pf.point, "int"),
                    (pf.lower, "int"),
                    (pf.upper, "int"),
                    (pf.actual, "int"),
                    (fr.mape, "pct"),
                    (fr.naive_mape, "pct"),
                    (fr.coverage, "pct"),
                    (fr.n_scored, "int"),
                    ("", "text"),
                ],
                fmt,
            )
            r += 1
    r += 1
    for text in forecast_sentences(report):
        ws.merge_range(r, 0, r, 13, text, fmt["wrap"])
        ws.set_row(r, 30)
        r += 1
    ws.freeze_panes(1, 2)
    wb.close()
    return buf.getvalue()


def _write_row(ws: Any, r: int, cells: list[tuple[Any, str]], fmt: dict[str, Any]) -> None:
    for j, (value, kind) in enumerate(cells):
        f = fmt[kind]
        if value is None or (isinstance(value, float) and pd.isna(value)):
            ws.write_blank(r, j, None, f)
        elif kind == "date":
            ws.write_datetime(r, j, dt.datetime.combine(value, dt.time()), f)
        elif kind in ("int", "one", "pct", "change") and isinstance(value, int | float):
            ws.write_number(r, j, float(value), f)
        else:
            ws.write_string(r, j, str(value), f)


# --- docx ---------------------------------------------------------------------------------------------


def render_tet_docx(report: TetReport, *, report_date: dt.date | None = None) -> bytes:
    """The Tết report as a .docx in the department's BÁO CÁO layout."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    office = report.config.office
    d = report.decimals
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    for name in ("Normal", "Heading 1", "Heading 2", "Table Grid"):
        style = doc.styles[name]
        style.font.name = "Times New Roman"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Times New Roman")
    doc.styles["Normal"].font.size = Pt(13)
    for name, size in (("Heading 1", 13), ("Heading 2", 13)):
        st = doc.styles[name]
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.italic = False
        st.font.color.rgb = None
        st.paragraph_format.space_before = Pt(6)
        st.paragraph_format.space_after = Pt(3)
        st.paragraph_format.keep_with_next = True

    def para(
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        align: Any = None,
        size: int | None = None,
        indent: bool = False,
    ) -> Any:
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            p.paragraph_format.first_line_indent = Cm(1)
        p.paragraph_format.space_after = Pt(3)
        return p

    def cell_text(
        cell: Any,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: int = 13,
        align: Any = WD_ALIGN_PARAGRAPH.CENTER,
        underline: bool = False,
    ) -> None:
        p = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
        p.alignment = align

    # Header block: authority / department / number | nation / motto / date line.
    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    cell_text(left, office.authority, size=13)
    cell_text(left, office.department, bold=True, size=13, underline=True)
    cell_text(left, number_line(office), size=13)
    cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    cell_text(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, underline=True)
    cell_text(right, date_line(office, report_date), italic=True, size=13)
    para()
    para("BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    para(report.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(
        "Thực hiện nhiệm vụ theo dõi, nắm tình hình thị trường, cung cầu, giá cả hàng hóa thiết yếu trên "
        "địa bàn "
        f"{office.province} trước, trong và sau Tết Nguyên đán {report.lunar_name} năm {report.year} (mùng "
        "1 Tết là ngày "
        f"{format_date(report.tet)}), {office.department_name} báo cáo như sau (số liệu giá đến ngày "
        f"{format_date(report.data_until) if report.data_until else '—'}):",
        indent=True,
    )

    doc.add_heading("I. TÌNH HÌNH GIÁ CẢ THỊ TRƯỜNG", level=1)
    for i, phase in enumerate(PHASES, start=1):
        a, b = report.phase_dates(phase)
        doc.add_heading(
            f"{i}. {PHASE_TITLES[phase]} (từ ngày {format_date(a)} đến ngày {format_date(b)})", level=2
        )
        with_data = [c for c in report.commodities if c.phase(phase).average is not None]
        if not with_data:
            para(f"Chưa có số liệu giá của giai đoạn {PHASE_LABELS[phase]}.", indent=True)
        for comp in ("previous_tet", "month", "year"):
            para(f"{_cap(COMPARISON_LABELS[comp])}: {report.breadth_text(phase, comp)}.", indent=True)
        if with_data:
            table = doc.add_table(rows=1, cols=6)
            table.style = "Table Grid"
            heads = [
                "Mặt hàng",
                "Đơn vị tính",
                "Giá bình quân",
                "So với Tết năm trước",
                "So tháng trước",
                "So cùng kỳ",
            ]
            for j, h in enumerate(heads):
                table.rows[0].cells[j].text = ""
                cell_text(table.rows[0].cells[j], h, bold=True, size=11)
            for c in with_data:
                p = c.phase(phase)
                cells = table.add_row().cells
                values = [
                    c.name,
                    c.unit,
                    _vnd(p.average),
                    _chg(p.change_previous_tet, d),
                    _chg(p.change_month, d),
                    _chg(p.change_year, d),
                ]
                for j, v in enumerate(values):
                    cell_text(
                        cells[j],
                        v,
                        size=11,
                        align=WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER,
                    )

    doc.add_heading("II. CẢNH BÁO GIÁ", level=1)
    for s in alerts_sentences(report):
        para(s, indent=True)

    doc.add_heading("III. THỰC HIỆN CHƯƠNG TRÌNH BÌNH ỔN THỊ TRƯỜNG", level=1)
    for s in programme_sentences(report):
        para(s, indent=True)
    if report.commitments:
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for j, h in enumerate(["Doanh nghiệp", "Mặt hàng", "Cam kết", "Dự trữ", "Tình trạng"]):
            cell_text(table.rows[0].cells[j], h, bold=True, size=11)
        for cs in report.commitments:
            cells = table.add_row().cells
            reserve = ""
            if cs.reserve_quantity is not None:
                when = format_date(cs.reserve_date) if cs.reserve_date else ""
                reserve = f"{format_number(cs.reserve_quantity)} {cs.unit} ({when})"
                if cs.reserve_ratio is not None:
                    reserve += f", đạt {format_percent(cs.reserve_ratio, 1)}"
            status = cs.status_label + (f": {'; '.join(cs.reasons)}" if cs.reasons else "")
            for j, v in enumerate([cs.enterprise, cs.commodity_name, cs.commitment_text, reserve, status]):
                cell_text(cells[j], v, size=10, align=WD_ALIGN_PARAGRAPH.LEFT)

    doc.add_heading("IV. DỰ BÁO GIÁ", level=1)
    for s in forecast_sentences(report):
        para(s, indent=True)
    forecasts = [c for c in report.commodities if c.forecast and c.forecast.forecast]
    if forecasts:
        level = format_percent(1 - report.config.forecast.alpha, 0)
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for j, h in enumerate(
            [
                "Mặt hàng",
                "Giai đoạn",
                f"Giá dự báo (khoảng {level})",
                "Giá thực tế",
                "Sai số kiểm định (MAPE)",
            ]
        ):
            cell_text(table.rows[0].cells[j], h, bold=True, size=11)
        for c in forecasts:
            assert c.forecast is not None and c.forecast.forecast is not None
            for pf in c.forecast.forecast.phases:
                cells = table.add_row().cells
                values = [
                    c.name,
                    PHASE_LABELS[pf.phase],
                    f"{_vnd(pf.point)} ({_vnd(pf.lower)} – {_vnd(pf.upper)})",
                    _vnd(pf.actual) if pf.actual is not None else "",
                    format_percent(c.forecast.mape, 1)
                    if c.forecast.mape is not None
                    else "chưa kiểm định được",
                ]
                for j, v in enumerate(values):
                    cell_text(
                        cells[j],
                        v,
                        size=10,
                        align=WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER,
                    )

    doc.add_heading("V. ĐÁNH GIÁ CHUNG", level=1)
    para(assessment(report), indent=True)
    para(
        f"Trên đây là báo cáo {report.title[0].lower() + report.title[1:]} của {office.department_name}./.",
        indent=True,
    )

    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    cell_text(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in office.recipients:
        cell_text(left, f"- {line}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in office.signature:
        cell_text(right, line, bold=True, size=13)
    for _ in range(3):
        cell_text(right, "", size=13)
    if office.signer:
        cell_text(right, office.signer, bold=True, size=13)
    buf = io.BytesIO()
    doc.core_properties.title = report.title
    doc.core_properties.author = office.department_name
    doc.save(buf)
    return buf.getvalue()
