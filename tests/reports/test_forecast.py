"""The Tết-window forecast: finite backtest errors, intervals containing the point forecasts."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from binhon.reports.config import load_reports_config
from binhon.review.breadth import breadth, breadth_sentence
from binhon.review.forecast import forecast_with_backtest, tet_regressors
from binhon.review.seasons import compare_phases, same_dates_last_year
from binhon.tet import TetWindows, days_to_tet, tet_date


def synthetic(start: str = "2021-10-01", end: str = "2026-11-15", seed: int = 7) -> pd.Series:
    """Daily level: slow trend, a pre-Tết rise of 12 % easing back after Tết, 1 % noise; some gaps."""
    days = pd.date_range(start, end, freq="D")
    rng = np.random.default_rng(seed)
    k = np.array([days_to_tet(x.date()) for x in days])
    bump = np.where((k >= -30) & (k <= -3), 0.12 * (k + 30) / 27, 0.0)
    bump = np.where((k >= -2) & (k <= 6), 0.10, bump)
    bump = np.where((k >= 7) & (k <= 30), 0.10 * (30 - k) / 23, bump)
    t = np.arange(len(days))
    level = np.log(100_000) + 0.00005 * t + bump + rng.normal(0, 0.01, len(days))
    s = pd.Series(np.exp(level), index=days)
    return s[rng.random(len(days)) > 0.15]  # missing days


def test_forecast_with_backtest_on_a_past_season() -> None:
    config = load_reports_config().forecast
    result = forecast_with_backtest(
        synthetic(), year=2026, windows=TetWindows(), config=config, as_of=dt.date(2026, 4, 30)
    )
    f = result.forecast
    assert f is not None and result.reason is None
    assert f.origin == tet_date(2026) - dt.timedelta(days=31)  # the day before the "before" phase
    for p in f.phases:
        assert all(math.isfinite(v) and v > 0 for v in (p.point, p.lower, p.upper))
        assert p.lower <= p.point <= p.upper
        assert p.actual is not None and p.error is not None and p.error < 0.08
    # The model carries the usual Tết rise: "during" above the naive level of the origin.
    assert f.phase("during").point > f.phase("during").naive
    assert [bt.year for bt in result.backtests] == [2025, 2024]
    for bt in result.backtests:
        assert (bt.origin - tet_date(bt.year)).days == (f.origin - tet_date(2026)).days
    assert result.n_scored == 6
    assert result.mape is not None and math.isfinite(result.mape) and result.mape < 0.08
    assert result.naive_mape is not None and math.isfinite(result.naive_mape)
    assert result.mape < result.naive_mape  # better than "prices stay where they are"
    assert result.coverage is not None and 0 <= result.coverage <= 1


def test_forecast_of_the_coming_season() -> None:
    config = load_reports_config().forecast
    result = forecast_with_backtest(synthetic(), year=2027, windows=TetWindows(), config=config)
    f = result.forecast
    assert f is not None and f.origin <= dt.date(2026, 11, 15)
    assert all(p.actual is None and p.lower <= p.point <= p.upper for p in f.phases)
    assert (
        not f.bins.empty
        and (f.bins["lower"] <= f.bins["point"]).all()
        and (f.bins["point"] <= f.bins["upper"]).all()
    )
    assert result.mape is not None and math.isfinite(result.mape)


def test_too_little_data_gives_a_reason_not_an_error() -> None:
    config = load_reports_config().forecast
    short = synthetic(start="2026-09-01")
    result = forecast_with_backtest(short, year=2027, windows=TetWindows(), config=config)
    assert result.forecast is None
    assert result.reason is not None and ("Tết" in result.reason or "kỳ có số liệu" in result.reason)
    assert result.backtests == ()


def test_tet_regressors_are_shares_of_days() -> None:
    tet = tet_date(2026)
    bins = [(tet - dt.timedelta(days=13), tet - dt.timedelta(days=7)), (tet - dt.timedelta(days=6), tet)]
    x = tet_regressors(bins, windows=TetWindows())
    assert list(x.columns) == ["before_early", "before_late", "during", "after"]
    # before = [-30, -3]: early half [-30, -17], late half [-16, -3]; during = [-2, 6].
    assert x.iloc[0].tolist() == [0.0, 1.0, 0.0, 0.0]
    assert x.iloc[1].tolist() == pytest.approx([0.0, 4 / 7, 3 / 7, 0.0])


def test_phase_comparisons_on_a_series() -> None:
    s = synthetic()
    phases = compare_phases(s, year=2026, windows=TetWindows(), previous_seasons=2)
    assert [p.phase for p in phases] == ["before", "during", "after"]
    before = phases[0]
    assert before.change_previous_tet is not None and abs(before.change_previous_tet) < 0.1
    assert [c.year for c in before.previous] == [2025, 2024]
    assert same_dates_last_year(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)


def test_breadth_sentence_sorted_and_zero_apart() -> None:
    b = breadth(
        [("a", 0.02), ("b", 0.15), ("c", -0.03), ("d", -0.2), ("e", None), ("f", 0.0004)],
        decimals=1,
    )
    assert [n for n, _ in b.up] == ["b", "a"] and [n for n, _ in b.down] == ["d", "c"]
    assert b.unchanged == ("f",) and b.missing == ("e",)
    assert breadth_sentence(b) == (
        "02 mặt hàng tăng giá (b tăng 15,0%; a tăng 2,0%), 02 mặt hàng giảm giá (d giảm 20,0%; c giảm 3,0%), "
        "01 mặt hàng giá không đổi (f) và 01 mặt hàng không có số liệu (e)"
    )
    assert (
        breadth_sentence(breadth([], decimals=1))
        == "00 mặt hàng tăng giá, 00 mặt hàng giảm giá và 00 mặt hàng không có số liệu"
    )
