"""Forecast of the coming Tết window of a commodity, with prediction intervals, backtested on past Tết.

The model (statsmodels ``UnobservedComponents``) is fitted to one commodity's province level
(:mod:`binhon.review.series`), averaged in bins of ``forecast.bin_days`` days that end at the
forecast origin, in logs:

.. math::

    \\log p_t = \\mu_t + \\sum_j \\beta_j x_{j,t} + \\varepsilon_t, \\qquad
    \\mu_{t+1} = \\mu_t + \\eta_t,

a random-walk level :math:`\\mu_t` plus Tết effects. :math:`x_{j,t}` is the share of bin
:math:`t`'s days that fall in segment :math:`j` of the nearest Tết (the "genhol" regressors of
X-13 practice, REFERENCE.md B7): the first and second half of the "before" window, the "during"
window and the "after" window of ``config/calendar.yaml``. The effects :math:`\\beta_j` are learnt
from the Tết seasons in the training span (as states of the Kalman filter, ``mle_regression=False``,
so only the two variances are estimated by maximum likelihood), so the forecast carries the usual
pre-Tết rise and post-Tết fall on top of the current level. Prediction intervals come from the
state-space forecast: level, observation noise and the uncertainty of the Tết effects (the two
variances taken as known).

A phase's forecast is the day-weighted mean of its bins' forecasts (back-transformed); its interval
is the day-weighted mean of the bins' bounds, which is exact when the bins' errors are perfectly
correlated and otherwise slightly conservative (random-walk errors are strongly correlated).

*Backtest.* The same model is refitted on each of the previous ``forecast.backtest_seasons`` Tết
seasons, from the same days to Tết as the forecast origin and with only the data before that
origin, and its phase forecasts are compared with what happened: absolute percentage errors
(MAPE over seasons and phases), interval coverage, and the same errors for a naive forecast (the
level of the last ``forecast.naive_days`` days before the origin) as a benchmark.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from binhon.reports.config import ForecastConfig
from binhon.tet import TetPhase, TetWindows, tet_date

__all__ = [
    "ForecastResult",
    "PhaseForecast",
    "TetForecast",
    "forecast_tet",
    "forecast_with_backtest",
    "tet_regressors",
]

PHASES: tuple[TetPhase, ...] = ("before", "during", "after")
MODEL_NAME = "UnobservedComponents (mức ngẫu nhiên + hiệu ứng Tết), log giá, bình quân theo kỳ"


class NoForecast(Exception):
    """Not enough data for a forecast; the message says why (Vietnamese)."""


@dataclass(frozen=True)
class PhaseForecast:
    """The forecast mean level of one phase, its interval, and (when known) what happened."""

    phase: TetPhase
    start: dt.date
    end: dt.date
    point: float
    lower: float
    upper: float
    naive: float
    actual: float | None = None

    @property
    def error(self) -> float | None:
        """Absolute percentage error of the forecast (fraction)."""
        return None if self.actual is None else abs(self.point - self.actual) / self.actual

    @property
    def naive_error(self) -> float | None:
        """Absolute percentage error of the naive forecast (fraction)."""
        return None if self.actual is None else abs(self.naive - self.actual) / self.actual

    @property
    def covered(self) -> bool | None:
        """Whether the actual level fell inside the interval."""
        return None if self.actual is None else self.lower <= self.actual <= self.upper


@dataclass(frozen=True)
class TetForecast:
    """A forecast of one Tết season's phases made at ``origin``."""

    year: int
    origin: dt.date
    phases: tuple[PhaseForecast, ...]
    bins: pd.DataFrame
    alpha: float
    training_seasons: int

    def phase(self, name: TetPhase) -> PhaseForecast:
        """The forecast of one phase."""
        return next(p for p in self.phases if p.phase == name)


@dataclass(frozen=True)
class ForecastResult:
    """The forecast of a season with its backtests on earlier seasons."""

    year: int
    forecast: TetForecast | None
    backtests: tuple[TetForecast, ...] = field(default_factory=tuple)
    reason: str | None = None
    model: str = MODEL_NAME

    def _scored(self) -> list[PhaseForecast]:
        return [p for f in self.backtests for p in f.phases if p.actual is not None]

    @property
    def n_scored(self) -> int:
        """How many (season, phase) backtest forecasts were scored."""
        return len(self._scored())

    @property
    def mape(self) -> float | None:
        """Mean absolute percentage error of the backtests (fraction)."""
        errors = [p.error for p in self._scored() if p.error is not None]
        return float(np.mean(errors)) if errors else None

    @property
    def naive_mape(self) -> float | None:
        """The same for the naive benchmark."""
        errors = [p.naive_error for p in self._scored() if p.naive_error is not None]
        return float(np.mean(errors)) if errors else None

    @property
    def coverage(self) -> float | None:
        """Share of backtest actuals inside their interval."""
        hits = [p.covered for p in self._scored() if p.covered is not None]
        return float(np.mean(hits)) if hits else None


# --- regressors -------------------------------------------------------------------------------------


def _segments(windows: TetWindows) -> list[tuple[str, int, int]]:
    a, b = windows.before
    mid = (a + b) // 2
    return [
        ("before_early", a, mid),
        ("before_late", mid + 1, b),
        ("during", *windows.during),
        ("after", *windows.after),
    ]


def _days_to_nearest_tet(days: pd.DatetimeIndex) -> np.ndarray:
    years = range(days.min().year - 1, days.max().year + 2)
    tets = np.array([np.datetime64(tet_date(y)) for y in years], dtype="datetime64[D]")
    d = days.to_numpy().astype("datetime64[D]")
    diff = (d[:, None] - tets[None, :]).astype(np.int64)
    nearest = np.abs(diff).argmin(axis=1)
    return diff[np.arange(len(d)), nearest]


def tet_regressors(bins: list[tuple[dt.date, dt.date]], *, windows: TetWindows) -> pd.DataFrame:
    """Share of each bin's days in each Tết segment (first/second half of before, during, after)."""
    segs = _segments(windows)
    names = [s[0] for s in segs]
    if not bins:
        return pd.DataFrame(columns=names, dtype="float64")
    days = pd.date_range(min(a for a, _ in bins), max(b for _, b in bins), freq="D")
    k = _days_to_nearest_tet(days)
    inside = np.stack([(k >= lo) & (k <= hi) for _, lo, hi in segs], axis=1).astype(float)
    cum = np.vstack([np.zeros((1, len(segs))), np.cumsum(inside, axis=0)])
    first = days[0].date()
    a_idx = np.array([(a - first).days for a, _ in bins])
    b_idx = np.array([(b - first).days for _, b in bins])
    share = (cum[b_idx + 1] - cum[a_idx]) / (b_idx - a_idx + 1)[:, None]
    return pd.DataFrame(share, columns=names)


# --- one forecast -----------------------------------------------------------------------------------


def _bin_means(log_levels: pd.Series, bins: list[tuple[dt.date, dt.date]]) -> np.ndarray:
    """Mean of the values dated in each (contiguous, ordered) bin; NaN for a bin without data."""
    out = np.full(len(bins), np.nan)
    s = log_levels.dropna()
    if s.empty or not bins:
        return out
    starts = np.array([np.datetime64(a) for a, _ in bins], dtype="datetime64[D]")
    ends = np.array([np.datetime64(b) for _, b in bins], dtype="datetime64[D]")
    d = s.index.to_numpy().astype("datetime64[D]")
    pos = np.searchsorted(starts, d, side="right") - 1
    ok = (pos >= 0) & (d <= ends[np.clip(pos, 0, None)])
    sums = np.bincount(pos[ok], weights=s.to_numpy()[ok], minlength=len(bins))
    counts = np.bincount(pos[ok], minlength=len(bins))
    with np.errstate(invalid="ignore"):
        means = sums / counts
    out[counts > 0] = means[counts > 0]
    return out


def _naive(levels: pd.Series, origin: dt.date, days: int) -> float | None:
    recent = levels[
        (levels.index > pd.Timestamp(origin - dt.timedelta(days=days)))
        & (levels.index <= pd.Timestamp(origin))
    ]
    if recent.empty:
        recent = levels[
            (levels.index > pd.Timestamp(origin - dt.timedelta(days=60)))
            & (levels.index <= pd.Timestamp(origin))
        ].tail(1)
    return float(recent.mean()) if not recent.empty else None


def _actual(levels: pd.Series, start: dt.date, end: dt.date) -> float | None:
    sel = levels[(levels.index >= pd.Timestamp(start)) & (levels.index <= pd.Timestamp(end))].dropna()
    return float(sel.mean()) if not sel.empty else None


def forecast_tet(
    levels: pd.Series,
    *,
    year: int,
    origin: dt.date,
    windows: TetWindows,
    config: ForecastConfig,
    actuals: pd.Series | None = None,
) -> TetForecast:
    """Forecast the phases of Tết ``year`` from the levels up to ``origin`` (see module notes).

    Parameters
    ----------
    levels : Series
        Daily province level of one commodity (DatetimeIndex); only days ``<= origin`` are used.
    year : int
        The Tết to forecast.
    origin : date
        Forecast origin: the last day of data the forecast may use (before the season's first phase).
    windows : TetWindows
        Phase windows (days to Tết).
    config : ForecastConfig
        Bin width, interval level, training requirements.
    actuals : Series, optional
        Levels to score the forecast against (phase means), for backtests and past seasons.

    Raises
    ------
    NoForecast
        Too little data (message in Vietnamese).
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    tet = tet_date(year)
    last_day = tet + dt.timedelta(days=windows.after[1])
    first_phase = tet + dt.timedelta(days=windows.before[0])
    if origin >= first_phase:
        raise NoForecast("điểm dự báo phải trước khi mùa Tết bắt đầu")
    hist = levels[(levels.index <= pd.Timestamp(origin))].dropna()
    hist = hist[hist > 0]
    if hist.empty:
        raise NoForecast("không có số liệu trước thời điểm dự báo")
    B = config.bin_days
    first = hist.index.min().date()
    n_hist = math.ceil(((origin - first).days + 1) / B)
    past_bins = [
        (origin - dt.timedelta(days=B * (i + 1) - 1), origin - dt.timedelta(days=B * i))
        for i in reversed(range(n_hist))
    ]
    n_future = math.ceil((last_day - origin).days / B)
    future_bins = [
        (origin + dt.timedelta(days=B * j + 1), origin + dt.timedelta(days=B * (j + 1)))
        for j in range(n_future)
    ]
    y = _bin_means(np.log(hist), past_bins)
    if int(np.sum(~np.isnan(y))) < config.min_training_bins:
        raise NoForecast(
            f"chỉ có {int(np.sum(~np.isnan(y)))} kỳ có số liệu (cần ít nhất {config.min_training_bins})"
        )
    X = tet_regressors(past_bins, windows=windows)
    Xf = tet_regressors(future_bins, windows=windows)
    has = ~np.isnan(y)
    # Tết seasons seen in training: seasons whose "before" window has data.
    seen = set()
    for (a, b), ok in zip(past_bins, has, strict=True):
        if ok:
            for yy in (a.year, a.year + 1, b.year, b.year + 1):
                t = tet_date(yy)
                w0, w1 = t + dt.timedelta(days=windows.before[0]), t + dt.timedelta(days=windows.after[1])
                if a <= w1 and b >= w0:
                    seen.add(yy)
    if len(seen) < config.min_training_seasons:
        raise NoForecast(
            f"số liệu các mùa Tết trước chưa đủ ({len(seen)} mùa, cần ít nhất {config.min_training_seasons})"
        )
    usable = [c for c in X.columns if X.loc[has, c].abs().sum() > 0]
    needed = [c for c in Xf.columns if Xf[c].abs().sum() > 0]
    lacking = [c for c in needed if c not in usable]
    if lacking:
        raise NoForecast("số liệu các mùa Tết trước không phủ đủ các giai đoạn trước, trong và sau Tết")
    exog = X[usable].to_numpy() if usable else None
    exog_f = Xf[usable].to_numpy() if usable else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = UnobservedComponents(y, level="llevel", exog=exog, mle_regression=False)
        # Nelder-Mead: two variances only, about three times faster than L-BFGS with numerical
        # gradients here, and the same likelihood to 4 decimals.
        res = model.fit(disp=False, method="nm", maxiter=500)
        pred = res.get_forecast(steps=n_future, exog=exog_f)
        mean = np.asarray(pred.predicted_mean, dtype=float)
        ci = np.asarray(pred.conf_int(alpha=config.alpha), dtype=float)
    if not np.all(np.isfinite(mean)) or not np.all(np.isfinite(ci)):
        raise NoForecast("mô hình không cho kết quả hữu hạn")
    lo, hi = np.minimum(ci[:, 0], mean), np.maximum(ci[:, 1], mean)
    centers = [a + (b - a) / 2 for a, b in future_bins]
    bins = pd.DataFrame(
        {
            "start": [a for a, _ in future_bins],
            "end": [b for _, b in future_bins],
            "center": centers,
            "days_to_tet": [(c - tet).days for c in centers],
            "point": np.exp(mean),
            "lower": np.exp(lo),
            "upper": np.exp(hi),
        }
    )
    naive = _naive(hist, origin, config.naive_days)
    assert naive is not None  # hist is not empty
    phases = []
    for phase in PHASES:
        a_k, b_k = getattr(windows, phase)
        pa, pb = tet + dt.timedelta(days=a_k), tet + dt.timedelta(days=b_k)
        w = np.array(
            [max(0, (min(b, pb) - max(a, pa)).days + 1) for a, b in future_bins],
            dtype=float,
        )
        if w.sum() == 0:
            raise NoForecast("giai đoạn nằm ngoài khoảng dự báo")
        point = float(np.dot(w, bins["point"]) / w.sum())
        lower = float(np.dot(w, bins["lower"]) / w.sum())
        upper = float(np.dot(w, bins["upper"]) / w.sum())
        actual = _actual(actuals, pa, pb) if actuals is not None else None
        phases.append(
            PhaseForecast(
                phase=phase,
                start=pa,
                end=pb,
                point=point,
                lower=min(lower, point),
                upper=max(upper, point),
                naive=naive,
                actual=actual,
            )
        )
    return TetForecast(
        year=year,
        origin=origin,
        phases=tuple(phases),
        bins=bins,
        alpha=config.alpha,
        training_seasons=len(seen),
    )


def forecast_with_backtest(
    levels: pd.Series,
    *,
    year: int,
    windows: TetWindows,
    config: ForecastConfig,
    as_of: dt.date | None = None,
) -> ForecastResult:
    """Forecast Tết ``year`` from the data up to ``as_of`` (or up to the season), and backtest it.

    The origin is the last day with data on or before ``as_of``, and never later than the day
    before the season's first phase (for a past season this gives the forecast that could have
    been made then, scored against what happened). Each backtest season is forecast from the same
    days to Tết as the origin.
    """
    s = levels.astype("float64").dropna()
    if as_of is not None:
        s = s[s.index <= pd.Timestamp(as_of)]
    tet = tet_date(year)
    if s.empty:
        return ForecastResult(year, None, reason="không có số liệu")
    latest = s.index.max().date()
    origin = min(latest, tet + dt.timedelta(days=windows.before[0] - 1))
    offset = (origin - tet).days
    reason = None
    forecast: TetForecast | None
    try:
        forecast = forecast_tet(s, year=year, origin=origin, windows=windows, config=config, actuals=s)
    except NoForecast as exc:
        forecast, reason = None, str(exc)
    backtests = []
    for back in range(1, config.backtest_seasons + 1):
        past = year - back
        past_origin = tet_date(past) + dt.timedelta(days=offset)
        try:
            bt = forecast_tet(s, year=past, origin=past_origin, windows=windows, config=config, actuals=s)
        except NoForecast:
            continue
        if any(p.actual is not None for p in bt.phases):
            backtests.append(bt)
    return ForecastResult(year, forecast, tuple(backtests), reason)
