"""Tết seasons compared lunar-aligned: phase averages and changes at the same days to Tết.

All functions are pure: they take one commodity's daily province level (a ``pd.Series`` with a
``DatetimeIndex``, see :mod:`binhon.review.series`) and return small result objects.

Vocabulary (DOMAIN §5.3, reproduced in the reports):

*so với Tết năm trước*
    Lunar-aligned: the phase's mean level this season against the previous season's mean over the
    same days to Tết, using only the offsets where both seasons have a level.
*so tháng trước*
    The phase's mean level against the mean level of the ``month_before_days`` days before the
    phase starts (the month leading into it).
*so cùng kỳ*
    Calendar-aligned: the phase's mean level against the mean level of the same calendar dates one
    year earlier (again only the dates where both have a level). Because Tết moves by up to a month
    between years, this and the lunar-aligned change can differ a lot; the report shows both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from binhon.review.series import season_frame
from binhon.tet import TetPhase, TetWindows, tet_date

__all__ = [
    "PHASES",
    "PhaseComparison",
    "SeasonChange",
    "compare_phases",
    "season_curves",
    "same_dates_last_year",
]

PHASES: tuple[TetPhase, ...] = ("before", "during", "after")


@dataclass(frozen=True)
class SeasonChange:
    """This season against one earlier season over the same days to Tết of a phase."""

    year: int
    average: float | None
    matched_this: float | None
    matched_days: int

    @property
    def change(self) -> float | None:
        """Relative change (fraction) of this season against that one, on the matched days."""
        if self.average is None or self.matched_this is None or self.average == 0:
            return None
        return self.matched_this / self.average - 1.0


@dataclass(frozen=True)
class PhaseComparison:
    """One phase of one season of one commodity, with its comparisons."""

    phase: TetPhase
    year: int
    start: dt.date
    end: dt.date
    average: float | None
    days: int
    previous: tuple[SeasonChange, ...] = field(default_factory=tuple)
    month_before: float | None = None
    same_period: float | None = None
    same_period_this: float | None = None

    @property
    def change_previous_tet(self) -> float | None:
        """so với Tết năm trước (the nearest earlier season)."""
        return self.previous[0].change if self.previous else None

    @property
    def change_month(self) -> float | None:
        """so tháng trước."""
        if self.average is None or not self.month_before:
            return None
        return self.average / self.month_before - 1.0

    @property
    def change_year(self) -> float | None:
        """so cùng kỳ (same calendar dates one year earlier)."""
        if self.same_period is None or self.same_period_this is None or self.same_period == 0:
            return None
        return self.same_period_this / self.same_period - 1.0


def _mean(values: np.ndarray) -> float | None:
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else None


def same_dates_last_year(d: dt.date) -> dt.date:
    """The same calendar date one year earlier (29/02 -> 28/02)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def compare_phases(
    levels: pd.Series,
    *,
    year: int,
    windows: TetWindows,
    previous_seasons: int = 2,
    month_before_days: int = 30,
    as_of: dt.date | None = None,
) -> list[PhaseComparison]:
    """Each phase of Tết ``year`` for one commodity, compared with earlier seasons and periods.

    Parameters
    ----------
    levels : Series
        Daily province level with a DatetimeIndex (missing days simply absent or NaN).
    year : int
        Gregorian year of the Tết (mùng 1).
    windows : TetWindows
        Phase windows in days to Tết (config/calendar.yaml).
    previous_seasons : int
        How many earlier Tết seasons to compare with, nearest first.
    month_before_days : int
        Length of the period before each phase for "so tháng trước".
    as_of : date, optional
        Ignore levels after this date (a report made during the season).

    Returns
    -------
    list of PhaseComparison
        One per phase, in order before, during, after.
    """
    s = levels.astype("float64")
    if as_of is not None:
        s = s[s.index <= pd.Timestamp(as_of)]
    tet = tet_date(year)
    out = []
    for phase in PHASES:
        a, b = getattr(windows, phase)
        this = season_frame(s, tet=tet, first=a, last=b)
        this_values = this.to_numpy()
        previous = []
        for back in range(1, previous_seasons + 1):
            other = season_frame(s, tet=tet_date(year - back), first=a, last=b).to_numpy()
            both = ~np.isnan(this_values) & ~np.isnan(other)
            previous.append(
                SeasonChange(
                    year=year - back,
                    average=_mean(other[both]) if both.any() else _mean(other),
                    matched_this=_mean(this_values[both]) if both.any() else None,
                    matched_days=int(both.sum()),
                )
            )
        start = tet + dt.timedelta(days=a)
        end = tet + dt.timedelta(days=b)
        before = s[
            (s.index >= pd.Timestamp(start - dt.timedelta(days=month_before_days)))
            & (s.index < pd.Timestamp(start))
        ]
        dates = [start + dt.timedelta(days=i) for i in range(b - a + 1)]
        last_year = s.reindex(pd.to_datetime([same_dates_last_year(d) for d in dates])).to_numpy()
        both_cal = ~np.isnan(this_values) & ~np.isnan(last_year)
        out.append(
            PhaseComparison(
                phase=phase,
                year=year,
                start=start,
                end=end,
                average=_mean(this_values),
                days=int((~np.isnan(this_values)).sum()),
                previous=tuple(previous),
                month_before=_mean(before.to_numpy()),
                same_period=_mean(last_year[both_cal]) if both_cal.any() else None,
                same_period_this=_mean(this_values[both_cal]) if both_cal.any() else None,
            )
        )
    return out


def season_curves(
    levels: pd.Series, *, years: list[int], first: int, last: int, as_of: dt.date | None = None
) -> pd.DataFrame:
    """Daily levels of several Tết seasons side by side, indexed by days to Tết (columns = years)."""
    s = levels.astype("float64")
    if as_of is not None:
        s = s[s.index <= pd.Timestamp(as_of)]
    return pd.DataFrame({y: season_frame(s, tet=tet_date(y), first=first, last=last) for y in years})
