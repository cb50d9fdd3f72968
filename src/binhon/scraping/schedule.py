"""The fuel price adjustment calendar (Decree 80/2023/NĐ-CP and the Tết rule of REFERENCE.md C.4).

Prices change every Thursday at 15:00. Around Tết: if the Thursday is the last day of the lunar year
(29 or 30 Tết) the adjustment is on the Wednesday before; if it is mùng 1–3 Tết, on mùng 4. If the
Thursday is another public holiday, it moves to the first working day after. Dates the Ministry moves
otherwise are listed in config/scrapers.yaml (fuel_schedule.extra_dates / skip_dates).
"""

from __future__ import annotations

import datetime as dt

import holidays

from binhon.scraping.config import FuelSchedule
from binhon.tet import tet_date


def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=range(year - 1, year + 2))


def adjustment_day(week_day: dt.date, *, schedule: FuelSchedule | None = None) -> dt.date:
    """The day the adjustment of the week of ``week_day``'s regular weekday actually happens."""
    sched = schedule or FuelSchedule()
    regular = week_day + dt.timedelta(days=sched.weekday - week_day.weekday())
    tet = min(
        (tet_date(y) for y in (regular.year - 1, regular.year, regular.year + 1)),
        key=lambda t: abs((regular - t).days),
    )
    if regular == tet - dt.timedelta(days=1):
        return regular - dt.timedelta(days=1)  # last day of the lunar year → the Wednesday before
    if tet <= regular <= tet + dt.timedelta(days=2):
        return tet + dt.timedelta(days=3)  # mùng 1–3 → mùng 4
    if abs((regular - tet).days) <= 7:
        return regular  # the Tết rule above is the only move around Tết
    off = _holidays(regular.year)
    day = regular
    while day in off or (day != regular and day.weekday() >= 5):
        day += dt.timedelta(days=1)
    return day


def adjustment_days(year: int, *, schedule: FuelSchedule | None = None) -> list[dt.date]:
    """Every fuel adjustment day of a calendar year, configured exceptions applied."""
    sched = schedule or FuelSchedule()
    first = dt.date(year, 1, 1)
    first += dt.timedelta(days=(sched.weekday - first.weekday()) % 7)
    days: set[dt.date] = set()
    d = first
    while d.year == year:
        days.add(adjustment_day(d, schedule=sched))
        d += dt.timedelta(days=7)
    days -= set(sched.skip_dates)
    days |= {x for x in sched.extra_dates if x.year == year}
    return sorted(x for x in days if x.year == year)


def is_adjustment_day(day: dt.date, *, schedule: FuelSchedule | None = None) -> bool:
    """Whether fuel prices are adjusted on this day."""
    return day in adjustment_days(day.year, schedule=schedule)
