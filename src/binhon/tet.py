"""Tết (Vietnamese lunar new year) and back-to-school seasons: the two bình ổn seasons.

Tết dates come from the Vietnamese lunar calendar (new moons computed at UTC+7), never the
Chinese one (UTC+8): the two differ in some years, e.g. 2030 (Việt Nam 02/02, China 03/02),
2007 and 1985. The dates are taken from the ``holidays`` package, whose Vietnamese calendar
overrides the Chinese dates where they differ; it covers the years 1901–2100.

Offsets are counted in days from mùng 1 Tết of the *nearest* Tết: negative before Tết, 0 on
mùng 1, positive after. Phase windows (:class:`TetWindows`) and the back-to-school season
(:class:`SchoolSeason`) are configurable through ``config/calendar.yaml``
(:func:`load_calendar_config`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from binhon.errors import ConfigError

__all__ = [
    "MAX_WINDOW_OFFSET",
    "MAX_YEAR",
    "MIN_YEAR",
    "PHASE_LABELS",
    "SchoolSeason",
    "TetPhase",
    "TetWindows",
    "days_to_tet",
    "in_school_season",
    "load_calendar_config",
    "lunar_year_name",
    "nearest_tet",
    "school_season",
    "season_label",
    "tet_date",
    "tet_phase",
    "tet_window",
    "tet_year_of",
]

#: First and last Gregorian years whose Tết date is known (range of the ``holidays`` tables).
MIN_YEAR = 1901
MAX_YEAR = 2100

#: Largest |offset| a window may reach. Consecutive Tết are at least 354 days apart, so any day
#: within 170 days of a Tết has that Tết as its nearest one: windows never straddle two Tết.
MAX_WINDOW_OFFSET = 170

TetPhase = Literal["before", "during", "after"]
_PHASES: tuple[TetPhase, ...] = ("before", "during", "after")

#: Vietnamese label of each Tết phase (shown to users).
PHASE_LABELS: dict[TetPhase, str] = {"before": "trước Tết", "during": "trong Tết", "after": "sau Tết"}
SCHOOL_SEASON_LABEL = "mùa khai giảng"
ORDINARY_LABEL = "ngày thường"

# Name of mùng 1 Tết in the ``holidays`` Vietnamese (language="vi") holiday list.
_HOLIDAYS_TET_NAME = "Tết Nguyên Đán"

_CAN = ("Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý")
_CHI = ("Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi")

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


# --------------------------------------------------------------------------------------------
# Tết dates and offsets
# --------------------------------------------------------------------------------------------


def _check_year(year: int) -> None:
    """Raise TypeError/ValueError unless ``year`` is an int within MIN_YEAR..MAX_YEAR."""
    if not isinstance(year, int) or isinstance(year, bool):
        raise TypeError(f"Năm phải là số nguyên, nhận được {year!r}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Năm {year} nằm ngoài phạm vi lịch âm được hỗ trợ ({MIN_YEAR}–{MAX_YEAR})")


def _as_date(d: date) -> date:
    """The calendar date of ``d`` (a datetime is truncated to its date)."""
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise TypeError(f"Cần một ngày (datetime.date), nhận được {d!r}")
    return d


@lru_cache(maxsize=256)
def tet_date(year: int) -> date:
    """Mùng 1 Tết (Vietnamese calendar, UTC+7) of the lunar year starting in Gregorian ``year``.

    Raises
    ------
    ValueError
        If ``year`` is outside 1901–2100.
    """
    _check_year(year)
    vn = holidays.country_holidays("VN", years=year, language="vi")
    found = [d for d in vn.get_named(_HOLIDAYS_TET_NAME, lookup="exact") if d.year == year]
    if not found:
        # Future versions may label estimated dates, e.g. "Tết Nguyên Đán (dự kiến)".
        found = [d for d in vn.get_named(_HOLIDAYS_TET_NAME, lookup="startswith") if d.year == year]
    if not found:
        raise ValueError(f"Không tìm thấy ngày Tết Nguyên Đán năm {year} trong gói holidays")
    return min(found)


def lunar_year_name(year: int) -> str:
    """Can-chi name of the lunar year starting in Gregorian ``year`` (2026 -> "Bính Ngọ")."""
    if not isinstance(year, int) or isinstance(year, bool):
        raise TypeError(f"Năm phải là số nguyên, nhận được {year!r}")
    return f"{_CAN[(year + 6) % 10]} {_CHI[(year + 8) % 12]}"


def nearest_tet(d: date) -> date:
    """The Tết date nearest to ``d`` (a tie, mid-year, goes to the earlier Tết).

    Raises
    ------
    ValueError
        If the nearest Tết may lie outside 1901–2100.
    """
    d = _as_date(d)
    out_of_range = ValueError(
        f"Ngày {d:%d/%m/%Y} nằm ngoài phạm vi lịch âm được hỗ trợ ({MIN_YEAR}–{MAX_YEAR})"
    )
    # Every Tết falls between 21/01 and 20/02; outside the known years only these bounds are used.
    if d.year == MIN_YEAR - 1:
        following = tet_date(MIN_YEAR)
        if d > date(d.year, 2, 20) and following - d < d - date(d.year, 2, 20):
            return following
        raise out_of_range
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise out_of_range
    this_year = tet_date(d.year)
    if d <= this_year:
        # A day before Tết is at most ~50 days from it and over 300 days from the previous one.
        return this_year
    if d.year == MAX_YEAR:
        if d - this_year <= date(MAX_YEAR + 1, 1, 21) - d:
            return this_year
        raise out_of_range
    next_year = tet_date(d.year + 1)
    return this_year if (d - this_year) <= (next_year - d) else next_year


def days_to_tet(d: date) -> int:
    """Signed offset in days of ``d`` from the nearest mùng 1 Tết (negative before, 0 on it)."""
    d = _as_date(d)
    return (d - nearest_tet(d)).days


def tet_year_of(d: date) -> int:
    """Gregorian year of the Tết nearest to ``d`` (2026-12-30 -> 2027)."""
    return nearest_tet(d).year


# --------------------------------------------------------------------------------------------
# Tết phase windows
# --------------------------------------------------------------------------------------------


def _check_window(name: str, value: Any) -> tuple[int, int]:
    """Validate one window ``[start, end]`` of day offsets and return it as a tuple."""
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"'{name}' phải là cặp số nguyên [đầu, cuối], nhận được {value!r}")
    start, end = int(value[0]), int(value[1])
    if start > end:
        raise ValueError(f"'{name}': ngày đầu ({start}) phải nhỏ hơn hoặc bằng ngày cuối ({end})")
    if max(abs(start), abs(end)) > MAX_WINDOW_OFFSET:
        raise ValueError(
            f"'{name}': các mốc phải nằm trong khoảng ±{MAX_WINDOW_OFFSET} ngày quanh Tết, "
            f"nhận được [{start}, {end}]"
        )
    return start, end


class TetWindows(BaseModel):
    """Phase windows, in days relative to mùng 1 Tết, both ends inclusive.

    ``reference`` < ``before`` < ``during`` < ``after``: the windows are ordered and do not
    overlap. ``reference`` is a pre-Tết window giving the usual price level to compare with.
    Invalid values raise ``pydantic.ValidationError`` (a ``ValueError``) naming the field.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    before: tuple[int, int] = (-30, -3)
    during: tuple[int, int] = (-2, 6)
    after: tuple[int, int] = (7, 30)
    reference: tuple[int, int] = (-60, -45)

    @field_validator("before", "during", "after", "reference", mode="before")
    @classmethod
    def _valid_window(cls, value: Any, info: ValidationInfo) -> tuple[int, int]:
        """Each window is a pair of ints [start, end] with start <= end."""
        return _check_window(str(info.field_name), value)

    @field_validator("during", "after")
    @classmethod
    def _after_previous(cls, value: tuple[int, int], info: ValidationInfo) -> tuple[int, int]:
        """``during`` starts after ``before`` ends; ``after`` starts after ``during`` ends."""
        previous = {"during": "before", "after": "during"}[str(info.field_name)]
        prev = info.data.get(previous)
        if prev is not None and value[0] <= prev[1]:
            raise ValueError(
                f"'{info.field_name}' ({value[0]}) phải bắt đầu sau khi '{previous}' kết thúc ({prev[1]})"
            )
        return value

    @field_validator("reference")
    @classmethod
    def _before_before(cls, value: tuple[int, int], info: ValidationInfo) -> tuple[int, int]:
        """``reference`` ends before ``before`` starts."""
        before = info.data.get("before")
        if before is not None and value[1] >= before[0]:
            raise ValueError(
                f"'reference' ({value[1]}) phải kết thúc trước khi 'before' bắt đầu ({before[0]})"
            )
        return value


_DEFAULT_WINDOWS = TetWindows()


def tet_phase(d: date, *, windows: TetWindows | None = None) -> TetPhase | None:
    """The Tết phase ``d`` falls in ("before", "during", "after"), or None outside every window."""
    w = windows or _DEFAULT_WINDOWS
    k = days_to_tet(d)
    for phase in _PHASES:
        start, end = getattr(w, phase)
        if start <= k <= end:
            return phase
    return None


def tet_window(year: int, *, windows: TetWindows | None = None) -> dict[str, tuple[date, date]]:
    """Inclusive Gregorian date ranges of "before", "during", "after" and "reference" for Tết ``year``."""
    w = windows or _DEFAULT_WINDOWS
    tet = tet_date(year)
    return {
        name: (tet + timedelta(days=start), tet + timedelta(days=end))
        for name, (start, end) in (
            ("before", w.before),
            ("during", w.during),
            ("after", w.after),
            ("reference", w.reference),
        )
    }


# --------------------------------------------------------------------------------------------
# Back-to-school season (mùa khai giảng)
# --------------------------------------------------------------------------------------------


def _parse_month_day(name: str, value: Any) -> tuple[int, int]:
    """(month, day) of a "MM-DD" string; 02-29 is refused since it does not exist every year."""
    match = _MONTH_DAY.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'\'{name}\' phải là chuỗi dạng "MM-DD" (ví dụ "08-01"), nhận được {value!r}')
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(2001, month, day)  # a non-leap year
    except ValueError:
        raise ValueError(f"'{name}': {value!r} không phải là ngày hợp lệ trong mọi năm") from None
    return month, day


class SchoolSeason(BaseModel):
    """Back-to-school season as month-day strings "MM-DD", both ends inclusive, within one year."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    start: str = "08-01"
    end: str = "09-15"

    @field_validator("start", "end", mode="before")
    @classmethod
    def _valid_month_day(cls, value: Any, info: ValidationInfo) -> str:
        """A real "MM-DD" day of every year."""
        _parse_month_day(str(info.field_name), value)
        return str(value)

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, value: str, info: ValidationInfo) -> str:
        """The season does not wrap around the new year."""
        start = info.data.get("start")
        if start is not None and _parse_month_day("end", value) < _parse_month_day("start", start):
            raise ValueError(f"'end' ({value}) phải không sớm hơn 'start' ({start})")
        return value

    def dates(self, year: int) -> tuple[date, date]:
        """First and last day of the season in Gregorian ``year``."""
        return date(year, *_parse_month_day("start", self.start)), date(
            year, *_parse_month_day("end", self.end)
        )


_DEFAULT_SEASON = SchoolSeason()


def school_season(year: int, *, season: SchoolSeason | None = None) -> tuple[date, date]:
    """First and last day (inclusive) of the back-to-school season in ``year``."""
    return (season or _DEFAULT_SEASON).dates(year)


def in_school_season(d: date, *, season: SchoolSeason | None = None) -> bool:
    """Whether ``d`` falls in the back-to-school season of its year."""
    d = _as_date(d)
    start, end = school_season(d.year, season=season)
    return start <= d <= end


def season_label(d: date, *, windows: TetWindows | None = None, season: SchoolSeason | None = None) -> str:
    """Vietnamese season label of ``d``: Tết phases first, then "mùa khai giảng", else "ngày thường"."""
    phase = tet_phase(d, windows=windows)
    if phase is not None:
        return PHASE_LABELS[phase]
    if in_school_season(d, season=season):
        return SCHOOL_SEASON_LABEL
    return ORDINARY_LABEL


# --------------------------------------------------------------------------------------------
# Configuration file
# --------------------------------------------------------------------------------------------

_FILE_KEY = "(tệp)"

# Vietnamese wording of the pydantic errors not raised by our own validators.
_PYDANTIC_MESSAGES = {
    "extra_forbidden": "khóa không được hỗ trợ",
    "model_type": "phải là một bảng khóa: giá trị",
    "dict_type": "phải là một bảng khóa: giá trị",
}


def _config_error(path: Path, section: str, err: ValidationError) -> ConfigError:
    """ConfigError for the first error of a section's validation."""
    first = err.errors()[0]
    key = ".".join([section, *(str(p) for p in first["loc"])])
    if first["type"] == "value_error":
        message = str(first.get("ctx", {}).get("error", first["msg"]))
    else:
        message = _PYDANTIC_MESSAGES.get(first["type"], first["msg"])
    return ConfigError(path, key, message)


def load_calendar_config(path: Path) -> tuple[TetWindows, SchoolSeason]:
    """Tết windows and back-to-school season from a calendar YAML file.

    Missing sections or keys take their defaults; unknown keys are errors.

    Raises
    ------
    binhon.errors.ConfigError
        If the file cannot be read, is not valid YAML, or holds an invalid value.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, _FILE_KEY, "không tìm thấy tệp") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, _FILE_KEY, f"không đọc được tệp ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(path, _FILE_KEY, f"YAML không hợp lệ: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, _FILE_KEY, "nội dung phải là một bảng khóa: giá trị")
    unknown = sorted(str(k) for k in data if k not in ("tet", "school_season"))
    if unknown:
        raise ConfigError(path, unknown[0], "khóa không được hỗ trợ (chỉ có 'tet' và 'school_season')")

    sections: dict[str, Any] = {}
    for section in ("tet", "school_season"):
        value = data.get(section)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise ConfigError(path, section, "phải là một bảng khóa: giá trị")
        sections[section] = value
    try:
        windows = TetWindows.model_validate(sections["tet"])
    except ValidationError as exc:
        raise _config_error(path, "tet", exc) from None
    try:
        season = SchoolSeason.model_validate(sections["school_season"])
    except ValidationError as exc:
        raise _config_error(path, "school_season", exc) from None
    return windows, season
