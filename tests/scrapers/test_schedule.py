"""The fuel adjustment calendar: Thursdays, the Tết rule, other holidays, configured exceptions."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from binhon.cli import app
from binhon.scraping.config import FuelSchedule
from binhon.scraping.schedule import adjustment_day, adjustment_days, is_adjustment_day


def test_regular_thursday() -> None:
    assert adjustment_day(dt.date(2026, 7, 9)) == dt.date(2026, 7, 9)
    assert is_adjustment_day(dt.date(2026, 7, 9)) and not is_adjustment_day(dt.date(2026, 7, 10))


def test_tet_mung_1_to_3_moves_to_mung_4() -> None:
    # Tết 2026 is Tuesday 17/02: Thursday 19/02 is mùng 3 → mùng 4, Friday 20/02 (PVOIL adjusted that day).
    assert adjustment_day(dt.date(2026, 2, 19)) == dt.date(2026, 2, 20)
    # Tết 2028 is Wednesday 26/01: Thursday 27/01 is mùng 2 → mùng 4, Saturday 29/01.
    assert adjustment_day(dt.date(2028, 1, 27)) == dt.date(2028, 1, 29)


def test_last_day_of_lunar_year_moves_to_wednesday() -> None:
    # Tết 2032 is Wednesday 11/02/2032: Thursday… find a year whose Thursday is the eve.
    from binhon.tet import tet_date

    for year in range(2026, 2060):
        eve = tet_date(year) - dt.timedelta(days=1)
        if eve.weekday() == 3:
            assert adjustment_day(eve) == eve - dt.timedelta(days=1)
            break
    else:  # pragma: no cover
        raise AssertionError("no Thursday Tết eve found")


def test_other_holiday_moves_to_next_working_day() -> None:
    assert adjustment_day(dt.date(2026, 1, 1)) == dt.date(2026, 1, 2)


def test_configured_exceptions() -> None:
    sched = FuelSchedule(extra_dates=(dt.date(2026, 3, 7),), skip_dates=(dt.date(2026, 7, 9),))
    days = adjustment_days(2026, schedule=sched)
    assert dt.date(2026, 3, 7) in days and dt.date(2026, 7, 9) not in days


def test_calendar_command() -> None:
    res = CliRunner().invoke(app, ["scrape", "calendar", "2026"])
    assert res.exit_code == 0
    assert "20/02/2026 thứ Sáu 15:00 (dời lịch)" in res.stdout
