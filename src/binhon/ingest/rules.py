"""The ingest path's validation rules, defined once for both validators.

``validate.py`` (vectorised with pandas, for files) applies the per-value rules once per distinct value of
a column and the array rules (``outside_bounds``, ``digit_error``, ``converted_price``) to whole columns;
``validate_rows.py`` (plain Python, for small batches such as an API call) applies the same functions to
one row at a time. Every reason a row can get is worded here, so the two paths cannot drift apart
(tests/ingest/test_fast_path.py checks that they give identical results).

Per-value rules take the value as stripped text and return ``(typed value, reason or None)``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import numpy as np

from binhon.db.models import OUTLET_TYPES, PRICE_TYPES
from binhon.formatting import fold_key, format_date, format_vnd, parse_vnd
from binhon.ingest.reference import CommodityRef, OutletRef, Reference
from binhon.units import UnitMismatch, conversion_factor, parse_measure

TRUE_WORDS = frozenset({"1", "true", "yes", "có", "co", "x", "ước", "uoc", "ước tính"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "không", "khong"})

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_VN_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_TIME = re.compile(r"([01]?\d|2[0-3])[:hH]([0-5]\d)")
# Earlier dates are refused: no price series goes back that far, and the plausibility window before a
# date must stay a valid date.
MIN_DATE = dt.date(1900, 1, 1)
# A price needs at most this many digits (10^15 đồng is far beyond any real price; int64 stays safe).
MAX_PRICE = 10**15

# Called for an outlet code that is not registered: (code, outlet_type, area, name, first date)
# -> the registered outlet, or the reason it cannot be registered.
RegisterOutlet = Callable[[str, str, str, str, dt.date], "OutletRef | str"]

MISSING_OUTLET = "thiếu mã điểm bán"
MISSING_COMMODITY = "thiếu mã hàng hóa"


# --- one value at a time ---------------------------------------------------------------------------------


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD (also YYYY-M-D) or dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy); None if neither."""
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _VN_DATE.fullmatch(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def check_date(text: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The date of a row; a date after tomorrow is kept but rejected (it is in the future)."""
    if text == "":
        return None, "thiếu ngày"
    day = parse_date(text)
    if day is None:
        return None, f"ngày không hợp lệ: '{text}' (dùng YYYY-MM-DD hoặc dd/mm/yyyy)"
    if day > today + dt.timedelta(days=1):
        return day, f"ngày {format_date(day)} ở tương lai"
    if day < MIN_DATE:
        return None, f"ngày {format_date(day)} quá xa trong quá khứ (trước năm {MIN_DATE.year})"
    return day, None


def check_price(text: str) -> tuple[int, str | None]:
    """Whole đồng (23500, 23.500, "23.500 ₫"...); a rejected price is 0."""
    if text.isascii() and text.isdigit() and len(text) <= 15:
        value = int(text)
    else:
        try:
            value = parse_vnd(text)
        except ValueError as exc:
            return 0, str(exc)
    if value <= 0:
        return 0, f"giá phải lớn hơn 0 ({text})"
    if value >= MAX_PRICE:
        return 0, f"giá quá lớn ({text})"
    return value, None


def check_choice(text: str, allowed: tuple[str, ...], default: str, what: str) -> tuple[str, str | None]:
    """One of allowed (case-insensitive), default when empty."""
    value = text.lower() if text != "" else default
    if value not in allowed:
        return value, f"{what} '{text}' không hợp lệ (dùng: {', '.join(allowed)})"
    return value, None


def check_price_type(text: str) -> tuple[str, str | None]:
    """retail (default), wholesale, ceiling or committed."""
    return check_choice(text, PRICE_TYPES, "retail", "loại giá")


def check_zone(text: str) -> tuple[int | None, str | None]:
    """Price zone 1 or 2; None when empty (the outlet's zone applies)."""
    if text in ("1", "2"):
        return int(text), None
    if text != "":
        return None, f"vùng giá '{text}' không hợp lệ (1 hoặc 2)"
    return None, None


def check_time(text: str) -> tuple[str, str | None]:
    """Time of day as HH:MM ("" when none or invalid)."""
    if text == "":
        return "", None
    m = _TIME.fullmatch(text)
    if m is None:
        return "", f"giờ '{text}' không hợp lệ (HH:MM)"
    return f"{m.group(1).zfill(2)}:{m.group(2)}", None


def check_estimate(text: str) -> tuple[bool, str | None]:
    """Whether the price is an estimate (1/0, có/không...)."""
    folded = text.lower()
    if folded not in TRUE_WORDS and folded not in FALSE_WORDS:
        return False, f"cột estimate '{text}' không hợp lệ (1/0, có/không)"
    return folded in TRUE_WORDS, None


def source_of(text: str, default: str) -> str:
    """The row's source, else the batch's default (at most 120 characters)."""
    return (text if text != "" else default)[:120]


# --- commodities and outlets -----------------------------------------------------------------------------


def suggestion(value: str, choices: list[str]) -> str:
    """' (có phải: a, b?)' with the closest codes, or ''."""
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    return f" (có phải: {', '.join(close)}?)" if close else ""


def unknown_commodity(code: str, ref: Reference) -> str:
    """Why a row's commodity code is not accepted."""
    if code == "":
        return MISSING_COMMODITY
    return f"mã hàng hóa '{code}' không có trong danh mục{suggestion(code, ref.commodity_codes())}"


def outlet_type_mismatch(given: str, registered: str) -> str:
    """A row's outlet_type (lower case) differs from the registered one."""
    return f"loại điểm bán '{given}' khác với loại đã đăng ký '{registered}'"


def declare_outlet(
    code: str,
    types: Iterable[str],
    areas: Iterable[str],
    names: Iterable[str],
    dates: Iterable[dt.date | None],
    ref: Reference,
    register_outlet: RegisterOutlet | None,
) -> str | None:
    """Register an unknown outlet from its rows' outlet_type, area and outlet_name (in row order) and the
    rows' dates (None where invalid); the reason if it cannot be. The new outlet goes into ref."""
    if register_outlet is None:
        return f"điểm bán '{code}' chưa được đăng ký"
    kinds = {t.lower() for t in types if t}
    places = {fold_key(a): a for a in areas if a}
    official = kinds == {"official"}
    if not kinds or (not places and not official):
        need = " và ".join(n for n, v in (("outlet_type", kinds), ("area", places)) if not v)
        return f"điểm bán '{code}' chưa đăng ký: cần cột {need} để đăng ký mới"
    if len(kinds) > 1 or len(places) > 1:
        return f"điểm bán mới '{code}' được khai báo khác nhau giữa các dòng (loại/địa bàn)"
    (otype,) = kinds
    if otype not in OUTLET_TYPES:
        return f"loại điểm bán '{otype}' không hợp lệ (dùng: {', '.join(OUTLET_TYPES)})"
    given = [n for n in names if n]
    known_dates = [d for d in dates if d is not None]
    on = min(known_dates) if known_dates else dt.date.today()
    area = next(iter(places.values())) if places else ""
    outcome = register_outlet(code, otype, area, given[0] if given else code, on)
    if isinstance(outcome, str):
        return outcome
    ref.outlets[code] = outcome
    return None


# --- units and plausibility ------------------------------------------------------------------------------


def unit_conversion(com: CommodityRef, unit: str) -> tuple[Decimal | None, str | None]:
    """(factor, None) to convert a price per unit into the commodity's unit; (None, None) when unit is
    the commodity's own; (None, reason) when it cannot be converted."""
    if fold_key(unit) == fold_key(com.unit):
        return None, None
    measure = parse_measure(unit)
    if measure is None:
        return None, f"đơn vị '{unit}' không đọc được (ví dụ: kg, 500 g, lít, 10 quả)"
    try:
        return conversion_factor(measure, com.measure), None
    except UnitMismatch:
        return None, f"không quy đổi được đơn vị '{unit}' sang đơn vị của {com.name} ({com.unit})"


def converted_price(price: Any, factor: Decimal) -> Any:
    """A price (an int, or a float array) times factor, in floating point, rounded half to even."""
    if isinstance(price, np.ndarray):
        return np.rint(price * float(factor))
    return round(price * float(factor))


def lost_in_conversion(com: CommodityRef, unit: str, before: int, after: int) -> str | None:
    """Why a positive price cannot be stored once converted (it rounds to 0 đồng per com.unit)."""
    if before > 0 and after <= 0:
        return f"giá {format_vnd(int(before))}/{unit} quy đổi sang {com.unit} còn 0 đồng"
    return None


def bound(value: int | None, missing: float) -> float:
    """A catalogue bound as a number (missing: -inf for a lower bound, +inf for an upper one)."""
    return missing if value is None else value


def outside_bounds(price: Any, low: Any, high: Any) -> Any:
    """A positive price below low or above high (scalars, or arrays element-wise)."""
    return (price > 0) & ((price < low) | (price > high))


def bounds_reason(com: CommodityRef, price: int) -> str:
    """Why a price is outside its commodity's plausible range."""
    return (
        f"giá {format_vnd(int(price))}/{com.unit} nằm ngoài khoảng hợp lý "
        f"{format_vnd(com.min_vnd or 0)} – {format_vnd(com.max_vnd or 0)} của {com.name}"
    )


def median(values: list[float]) -> float:
    """The median as pandas computes it on float64 (mean of the two middle values of an even count)."""
    ordered = sorted(values)
    n = len(ordered)
    half = n // 2
    return ordered[half] if n % 2 else (ordered[half - 1] + ordered[half]) / 2


def usable(level: Any, size: Any, min_history: int) -> Any:
    """A group's median where the group has at least min_history prices, else NaN."""
    if isinstance(size, int | float):
        return level if size >= min_history else float("nan")
    return np.where(size >= min_history, level, np.nan)


def digit_error(price: Any, series_level: Any, peer_level: Any, ratio: float) -> tuple[Any, Any]:
    """(about ratio times too high, about ratio times too low) against the series' and the peers' median
    (NaN: not enough history). Scalars or arrays."""
    r_series = price / series_level
    r_peers = price / peer_level
    high = (r_series >= ratio) | (r_peers >= ratio)
    low = (r_series <= 1 / ratio) | (r_peers <= 1 / ratio)
    return high, low


def digit_reason(price: float, level: float, day: dt.date, high: bool) -> str:
    """Why a price looks like a digit too many (high) or too few; level is the reference median or NaN."""
    shown = int(round(level)) if level == level else 0
    what = "thừa một chữ số" if high else "thiếu một chữ số"
    return (
        f"giá {format_vnd(int(price))} lệch quá xa mức thường gặp {format_vnd(shown)} "
        f"(ngày {format_date(day)}): có thể {what}"
    )


def conflict_reason(lines: Iterable[int], prices: Iterable[int]) -> str:
    """The same key on several rows with different prices."""
    return (
        "cùng ngày, hàng, điểm bán và loại giá ở các dòng "
        + ", ".join(str(v) for v in lines)
        + " nhưng giá khác nhau ("
        + " / ".join(format_vnd(int(v)) for v in prices)
        + ")"
    )
