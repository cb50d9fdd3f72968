"""Three reference detectors, run on the same observations as binhon, all causal.

Every baseline looks at one retail series (outlet × commodity, ``price_type == "retail"``; several
prices of a series on one day are averaged) and flags each observation day as up (+1), down (−1)
or nothing (0) using only the series' observations dated on or before that day. Consecutive flagged
observations of the same direction form ONE detection (``first_date`` = the first flagged day,
``last_date`` = the last); an unflagged observation or a gap of more than ``MAX_GAP_DAYS`` days
between flagged observations ends it. Up detections have kind ``spike``, down ones ``drop``. The
baselines know nothing of ceilings, peers or Tết.

1. ``median30`` — "more than 10 % above the 30-day median": up when the price is above 1.10 × the
   median of the series' observations of the previous 30 days (days t−30 … t−1, at least 5 of
   them); down, symmetrically, when below 0.90 × that median.
2. ``alps`` — WFP ALPS with calendar-month dummies (REFERENCE.md B1): the monthly series is the mean
   price of each calendar month; for month M, OLS ``P_m = α·T_m + Σ_k β_k·D_{k,m} + ε`` (trend T =
   month number, 12 month dummies, no constant) is fitted on the COMPLETED months before M (an
   expanding window; at least ``ALPS_MIN_MONTHS`` = 24 of them and every calendar month present —
   WFP asks for 36, relaxed for the short synthetic history); σ̂ = residual standard deviation with
   n − 13 degrees of freedom. On each observation day d of month M, the month's value so far (the
   mean of M's observations up to d) gives ``ALPS = (value − P̂_M) / σ̂``; up when ALPS ≥ 1 (classes
   "alert" and "crisis"), down when ALPS ≤ −1. Before 24 completed months it is silent.
3. ``stl_z`` — STL robust z-score (REFERENCE.md B5), made causal: log prices, one value a day,
   missing days linearly interpolated. Every ``STL_REFIT_DAYS`` = 28 days (monthly), ``STL(period=7,
   robust=True)`` (weekly seasonality; statsmodels' default seasonal and trend windows; 3
   robustness iterations) is refitted on the last 365 days up to that day (at least 56 days of
   history). Until the next refit, day t is forecast as the last trend value + the seasonal value
   of t's weekday in the last week; the residual r_t = log price − forecast. The robust z is
   ``z = (r_t − median(R)) / max(1.4826·MAD(R), 0.015)`` with R the residuals of the same kind of
   the previous 365 days (at least 28; the in-sample residuals of the fit itself are far too small
   for out-of-sample days and gave about a hundred false alarms per series). The 1.5 % floor is
   the price grid: shops quote in steps of 500–5 000 đ, up to ~3 % of the price, so a sticky series
   has a MAD near 0 and one step would otherwise look extreme. Up when z ≥ 3.5, down when
   z ≤ −3.5. A fixed period cannot represent Tết (REFERENCE.md B6), so Tết shows as residual.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_GAP_DAYS = 7
MEDIAN_WINDOW_DAYS = 30
MEDIAN_MIN_OBS = 5
MEDIAN_THRESHOLD = 0.10
ALPS_MIN_MONTHS = 24
ALPS_THRESHOLD = 1.0
STL_REFIT_DAYS = 28
STL_WINDOW_DAYS = 365
STL_MIN_DAYS = 56
STL_THRESHOLD = 3.5
STL_SCALE_FLOOR = 0.015
STL_OUTER_ITER = 3
STL_MIN_RESIDUALS = 28

DETECTION_COLUMNS = [
    "detector",
    "kind",
    "commodity",
    "outlet",
    "area",
    "level",
    "first_date",
    "last_date",
    "observed_vnd",
    "expected_vnd",
    "covered",
]


# ----------------------------------------------------------------------------------------------
# Per-series rules: (days as int64 day numbers, prices as float) -> (flags, expected prices)
# ----------------------------------------------------------------------------------------------


def median30_flags(days: np.ndarray, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baseline 1: the 30-day median rule."""
    n = len(days)
    flags = np.zeros(n, dtype=np.int8)
    expected = np.full(n, np.nan)
    lo = 0
    for i in range(n):
        while days[lo] < days[i] - MEDIAN_WINDOW_DAYS:
            lo += 1
        if i - lo < MEDIAN_MIN_OBS:
            continue
        med = float(np.median(prices[lo:i]))
        expected[i] = med
        if prices[i] > (1 + MEDIAN_THRESHOLD) * med:
            flags[i] = 1
        elif prices[i] < (1 - MEDIAN_THRESHOLD) * med:
            flags[i] = -1
    return flags, expected


def alps_flags(days: np.ndarray, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baseline 2: ALPS with a trend and 12 calendar-month dummies, expanding window."""
    n = len(days)
    flags = np.zeros(n, dtype=np.int8)
    expected = np.full(n, np.nan)
    dates = days.astype("datetime64[D]")
    month_id = dates.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    first_month = int(month_id[0])
    uniq = np.unique(month_id)
    monthly_mean = {int(m): float(prices[month_id == m].mean()) for m in uniq}
    for m in uniq:
        m = int(m)
        done = [k for k in uniq if k < m]
        if len(done) < ALPS_MIN_MONTHS:
            continue
        done_arr = np.array(done, dtype=np.int64)
        cal = done_arr % 12  # 0 = January
        if len(np.unique(cal)) < 12:
            continue
        X = np.zeros((len(done_arr), 13))
        X[:, 0] = done_arr - first_month + 1
        X[np.arange(len(done_arr)), 1 + cal] = 1.0
        y = np.array([monthly_mean[int(k)] for k in done_arr])
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ beta
        dof = len(y) - 13
        if dof < 1:
            continue
        sigma = float(np.sqrt(resid @ resid / dof))
        if sigma <= 1e-6 * float(np.abs(y).mean()):  # a flat series: ALPS is undefined (normal)
            continue
        x_m = np.zeros(13)
        x_m[0] = m - first_month + 1
        x_m[1 + m % 12] = 1.0
        p_hat = float(x_m @ beta)
        idx = np.flatnonzero(month_id == m)
        mtd = np.cumsum(prices[idx]) / np.arange(1, len(idx) + 1)
        alps = (mtd - p_hat) / sigma
        expected[idx] = p_hat
        flags[idx] = np.where(alps >= ALPS_THRESHOLD, 1, np.where(alps <= -ALPS_THRESHOLD, -1, 0))
    return flags, expected


def stl_flags(days: np.ndarray, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baseline 3: STL (weekly period, robust) forecast residuals as robust z-scores."""
    from statsmodels.tsa.seasonal import STL

    n = len(days)
    flags = np.zeros(n, dtype=np.int8)
    expected = np.full(n, np.nan)
    resid = np.full(n, np.nan)  # out-of-sample residual of each scored observation
    logp = np.log(prices)
    first = int(days[0])
    full_days = np.arange(first, int(days[-1]) + 1)
    daily = np.interp(full_days, days, logp)  # interpolation between observed days
    refit = first + STL_MIN_DAYS
    while refit <= days[-1]:
        upto = int(np.searchsorted(days, refit, side="right"))  # observations dated <= refit
        last_obs = int(days[upto - 1])
        lo = max(first, refit - STL_WINDOW_DAYS + 1)
        # the daily series known at `refit`: interpolated up to the last observation, then held flat
        y = daily[lo - first : last_obs - first + 1]
        if refit > last_obs:
            y = np.r_[y, np.full(refit - last_obs, y[-1])]
        nxt = refit + STL_REFIT_DAYS
        score = np.flatnonzero((days > refit) & (days <= nxt))
        if len(score) and len(y) >= 3 * 7:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = STL(y, period=7, robust=True).fit(outer_iter=STL_OUTER_ITER)
            trend_last = float(np.asarray(fit.trend)[-1])
            seasonal = np.asarray(fit.seasonal)[-7:]  # days refit-6 ... refit
            ahead = days[score] - refit
            fc = trend_last + seasonal[(ahead + 6) % 7]  # the same weekday in the last week
            expected[score] = np.exp(fc)
            resid[score] = logp[score] - fc
        refit = nxt
    # robust z of each residual against the residuals of the previous 365 days (strictly before)
    lo = 0
    for i in range(n):
        if np.isnan(resid[i]):
            continue
        while days[lo] < days[i] - STL_WINDOW_DAYS:
            lo += 1
        past = resid[lo:i]
        past = past[~np.isnan(past)]
        if len(past) < STL_MIN_RESIDUALS:
            continue
        med = float(np.median(past))
        scale = max(1.4826 * float(np.median(np.abs(past - med))), STL_SCALE_FLOOR)
        z = (resid[i] - med) / scale
        flags[i] = 1 if z >= STL_THRESHOLD else (-1 if z <= -STL_THRESHOLD else 0)
    return flags, expected


# ----------------------------------------------------------------------------------------------
# Detections
# ----------------------------------------------------------------------------------------------


def group_flags(
    days: np.ndarray, flags: np.ndarray, max_gap: int = MAX_GAP_DAYS
) -> list[tuple[int, int, int]]:
    """Runs of consecutive same-direction flags: (direction, first index, last index)."""
    runs: list[tuple[int, int, int]] = []
    cur: list[int] | None = None  # [direction, first, last]
    for i, f in enumerate(flags):
        f = int(f)
        if cur is not None and (f != cur[0] or days[i] - days[cur[2]] > max_gap):
            runs.append((cur[0], cur[1], cur[2]))
            cur = None
        if f != 0:
            if cur is None:
                cur = [f, i, i]
            else:
                cur[2] = i
    if cur is not None:
        runs.append((cur[0], cur[1], cur[2]))
    return runs


@dataclass(frozen=True)
class Baseline:
    """A documented baseline rule."""

    name: str
    description: str
    rule: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


BASELINES: dict[str, Baseline] = {
    "median30": Baseline(
        "median30", "price > 1.10 × median of the previous 30 days (< 0.90 × for drops)", median30_flags
    ),
    "alps": Baseline(
        "alps", "ALPS, OLS trend + 12 month dummies on completed months, alert at |ALPS| ≥ 1", alps_flags
    ),
    "stl_z": Baseline(
        "stl_z",
        "STL(period 7, robust) refitted every 28 days on 365 days, robust z of the log forecast "
        "residual, |z| ≥ 3.5",
        stl_flags,
    ),
}


def retail_series(observations: pd.DataFrame) -> list[tuple[tuple[str, str, str], np.ndarray, np.ndarray]]:
    """((outlet, commodity, area), day numbers, mean daily price) of every retail series."""
    obs = observations[observations["price_type"].fillna("retail") == "retail"]
    day = pd.to_datetime(obs["date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    frame = pd.DataFrame(
        {
            "outlet": obs["outlet"].to_numpy(),
            "commodity": obs["commodity"].to_numpy(),
            "area": obs["area"].fillna("").to_numpy(),
            "day": day,
            "price": obs["price_vnd"].to_numpy(dtype=float),
        }
    )
    daily = frame.groupby(["outlet", "commodity", "area", "day"], sort=True)["price"].mean().reset_index()
    out = []
    for key, g in daily.groupby(["outlet", "commodity", "area"], sort=True):
        out.append((key, g["day"].to_numpy(), g["price"].to_numpy()))
    return out


def run_baseline(name: str, observations: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """All detections of one baseline on the observations, and the seconds it took."""
    baseline = BASELINES[name]
    t0 = time.perf_counter()
    rows = []
    for (outlet, commodity, area), days, prices in retail_series(observations):
        flags, expected = baseline.rule(days, prices)
        for direction, a, b in group_flags(days, flags):
            rows.append(
                {
                    "detector": name,
                    "kind": "spike" if direction > 0 else "drop",
                    "commodity": commodity,
                    "outlet": outlet,
                    "area": area,
                    "level": "outlet",
                    "first_date": (np.datetime64(int(days[a]), "D")).astype(object),
                    "last_date": (np.datetime64(int(days[b]), "D")).astype(object),
                    "observed_vnd": int(round(prices[a])),
                    "expected_vnd": None if np.isnan(expected[a]) else int(round(expected[a])),
                    "covered": frozenset([outlet]),
                }
            )
    elapsed = time.perf_counter() - t0
    return pd.DataFrame(rows, columns=DETECTION_COLUMNS), elapsed
