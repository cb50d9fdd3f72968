"""Vietnamese explanations of alerts, readable at a glance by a trade officer.

Example: "Ngày 05/02/2026, giá thịt lợn nạc tại Chợ Cầu Kè 135.000 ₫/kg, cao hơn 22% so với mức
bình thường 110.500 ₫/kg ở thời điểm 12 ngày trước Tết."
"""

from __future__ import annotations

import datetime as dt
import re

from binhon.formatting import format_date, format_percent, format_vnd

__all__ = [
    "commodity_label",
    "explain_ceiling",
    "explain_commitment",
    "explain_outlier",
    "explain_price",
    "explain_stale",
    "pct_text",
    "tet_phrase",
]

_PARENS = re.compile(r"\s*\([^)]*\)\s*$")


def commodity_label(name: str) -> str:
    """The commodity's name as it reads inside a sentence ("Thịt lợn nạc (nạc dăm)" -> "thịt lợn nạc")."""
    short = _PARENS.sub("", name).strip() or name
    if len(short) > 1 and short[0].isupper() and not short[1].isupper():
        return short[0].lower() + short[1:]
    return short


def per_unit(unit: str) -> str:
    """ "₫/kg"-style suffix for a price per ``unit``."""
    return f"/{unit}" if unit else ""


def price_text(vnd: int, unit: str) -> str:
    """ "135.000 ₫/kg"."""
    return f"{format_vnd(int(vnd))}{per_unit(unit)}"


def pct_text(fraction: float) -> str:
    """A relative gap as users read it: whole percent from 10 %, one decimal below ("22%", "8,5%")."""
    value = abs(fraction)
    return format_percent(value, 0 if value >= 0.1 else 1)


def tet_phrase(k: int, *, window: tuple[int, int]) -> str | None:
    """ "12 ngày trước Tết", "mùng 3 Tết", "15 ngày sau Tết", or None outside ``window`` (days to Tết)."""
    if not window[0] <= k <= window[1]:
        return None
    if k < 0:
        return f"{-k} ngày trước Tết"
    if k <= 9:
        return f"mùng {k + 1} Tết"
    return f"{k} ngày sau Tết"


def _opening(day: dt.date, commodity: str, place: str) -> str:
    """ "Ngày 05/02/2026, giá thịt lợn nạc tại Chợ Cầu Kè"."""
    return f"Ngày {format_date(day)}, giá {commodity_label(commodity)} {place}"


def _when(tet: str | None) -> str:
    return f" ở thời điểm {tet}" if tet else " của những tuần gần đây"


def explain_price(
    *,
    day: dt.date,
    commodity: str,
    unit: str,
    place: str,
    observed_vnd: int,
    expected_vnd: int,
    up: bool,
    tet: str | None,
    peers_note: str | None = None,
) -> str:
    """Spike/drop of an outlet, a district ("ở Huyện Cầu Kè") or the province ("toàn tỉnh")."""
    gap = observed_vnd / expected_vnd - 1 if expected_vnd else 0.0
    word = "cao hơn" if up else "thấp hơn"
    text = (
        f"{_opening(day, commodity, place)} {price_text(observed_vnd, unit)}, "
        f"{word} {pct_text(gap)} so với mức bình thường {price_text(expected_vnd, unit)}{_when(tet)}"
    )
    if peers_note:
        text += f"; {peers_note}"
    return text + "."


def explain_outlier(
    *,
    day: dt.date,
    commodity: str,
    unit: str,
    place: str,
    observed_vnd: int,
    peer_vnd: int,
    peers: int,
    group: str,
) -> str:
    """One outlet far from its peers on the same day."""
    gap = observed_vnd / peer_vnd - 1 if peer_vnd else 0.0
    word = "cao hơn" if gap >= 0 else "thấp hơn"
    return (
        f"{_opening(day, commodity, place)} {price_text(observed_vnd, unit)}, "
        f"{word} {pct_text(gap)} so với giá phổ biến {price_text(peer_vnd, unit)} của {peers} điểm bán "
        f"cùng loại {group} trong cùng ngày."
    )


def explain_ceiling(
    *,
    day: dt.date,
    commodity: str,
    unit: str,
    place: str,
    observed_vnd: int,
    ceiling_vnd: int,
    zone: int,
    since: dt.date,
    since_time: str | None,
) -> str:
    """A retail price above the official ceiling in force."""
    gap = observed_vnd / ceiling_vnd - 1
    when = f"{since_time} ngày {format_date(since)}" if since_time else f"ngày {format_date(since)}"
    return (
        f"{_opening(day, commodity, place)} {price_text(observed_vnd, unit)}, "
        f"vượt giá bán lẻ tối đa {price_text(ceiling_vnd, unit)} (vùng {zone}, áp dụng từ {when}) "
        f"{pct_text(gap)}."
    )


def explain_commitment(
    *,
    day: dt.date,
    commodity: str,
    unit: str,
    place: str,
    observed_vnd: int,
    committed_vnd: int,
    since: dt.date,
) -> str:
    """A bình ổn participant above its committed price."""
    gap = observed_vnd / committed_vnd - 1
    return (
        f"{_opening(day, commodity, place)} {price_text(observed_vnd, unit)}, "
        f"cao hơn giá cam kết bình ổn {price_text(committed_vnd, unit)} "
        f"(cam kết từ ngày {format_date(since)}) "
        f"{pct_text(gap)}."
    )


def explain_stale(
    *,
    day: dt.date,
    commodity: str,
    place: str,
    last_obs: dt.date,
    silent_days: int,
    usual_days: float,
) -> str:
    """A monitored series gone quiet."""
    usual = max(1, round(usual_days))
    cadence = "hằng ngày" if usual <= 1 else f"khoảng {usual} ngày một lần"
    return (
        f"Ngày {format_date(day)}, giá {commodity_label(commodity)} {place} chưa được cập nhật từ ngày "
        f"{format_date(last_obs)} ({silent_days} ngày không có giá, trong khi thường có giá {cadence})."
    )
