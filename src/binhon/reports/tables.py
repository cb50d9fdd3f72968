"""The Tết review as tidy tables (pandas), with Vietnamese headers and formatted text, for notebooks and "
"pages."""

from __future__ import annotations

import pandas as pd

from binhon.formatting import format_change, format_date, format_percent, format_vnd
from binhon.programme.risk import CommitmentStatus
from binhon.reports.tet import TetReport
from binhon.tet import PHASE_LABELS

__all__ = ["commitments_table", "forecast_table", "phase_table"]


def _vnd(x: float | None) -> str:
    return "" if x is None or pd.isna(x) else format_vnd(int(round(float(x))))


def _chg(x: float | None, decimals: int) -> str:
    return "không có số liệu" if x is None else format_change(x, decimals)


def phase_table(report: TetReport, *, with_data_only: bool = True) -> pd.DataFrame:
    """One row per commodity and phase: mean level and the three comparisons, written out."""
    rows = []
    for c in report.commodities:
        if (
            with_data_only
            and not c.has_data
            and all(p.previous[0].average is None for p in c.phases if p.previous)
        ):
            continue
        for p in c.phases:
            prev = p.previous[0] if p.previous else None
            rows.append(
                {
                    "Mặt hàng": c.name,
                    "Giai đoạn": PHASE_LABELS[p.phase],
                    "Từ ngày": format_date(p.start),
                    "Đến ngày": format_date(p.end),
                    f"Giá bình quân Tết {report.year}": _vnd(p.average),
                    f"Tết {prev.year if prev else ''} cùng ngày": _vnd(prev.average if prev else None),
                    "So với Tết năm trước": _chg(p.change_previous_tet, report.decimals),
                    "So tháng trước": _chg(p.change_month, report.decimals),
                    "So cùng kỳ": _chg(p.change_year, report.decimals),
                }
            )
    return pd.DataFrame(rows)


def forecast_table(report: TetReport) -> pd.DataFrame:
    """One row per commodity and phase: forecast with its interval, actual if known, backtest errors."""
    level = format_percent(1 - report.config.forecast.alpha, 0)
    rows = []
    for c in report.commodities:
        fr = c.forecast
        if fr is None or fr.forecast is None:
            continue
        for pf in fr.forecast.phases:
            rows.append(
                {
                    "Mặt hàng": c.name,
                    "Giai đoạn": PHASE_LABELS[pf.phase],
                    "Dự báo từ ngày": format_date(fr.forecast.origin),
                    "Giá dự báo": _vnd(pf.point),
                    f"Khoảng dự báo {level}": f"{_vnd(pf.lower)} – {_vnd(pf.upper)}",
                    "Giá thực tế": _vnd(pf.actual),
                    "Sai số kiểm định (MAPE)": "" if fr.mape is None else format_percent(fr.mape, 1),
                    "MAPE nếu giữ nguyên giá": ""
                    if fr.naive_mape is None
                    else format_percent(fr.naive_mape, 1),
                    "Số lần kiểm định": fr.n_scored,
                }
            )
    return pd.DataFrame(rows)


def commitments_table(rows: list[CommitmentStatus]) -> pd.DataFrame:
    """Commitments with their status and the reasons, as officers read them."""
    return pd.DataFrame(
        [
            {
                "Doanh nghiệp": r.enterprise,
                "Mặt hàng": r.commodity_name,
                "Cam kết": r.commitment_text,
                "Thời gian": f"{format_date(r.period_start)} – {format_date(r.period_end)}",
                "Giá bán gần nhất": _vnd(r.latest_price_vnd),
                "Mức tối đa theo cam kết": _vnd(r.limit_vnd),
                "Tình trạng": r.status_label,
                "Lý do": "; ".join(r.reasons),
            }
            for r in rows
        ]
    )
