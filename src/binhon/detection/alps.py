"""ALPS (WFP) and IPA (FAO) on monthly mean prices, plain and with Tết regressors.

These are the indicators of international practice, computed for comparability and shown as
extra figures (alert details, reports); they are not the alerting signal. Unlike WFP's
published ALPS, which is refitted on the whole series every month and so rewrites its past
classes, each figure here is computed from the months up to the one it describes (causal) and is
frozen in the alert that carries it.

ALPS (REFERENCE.md B1)
    OLS without constant on the monthly mean price:
    :math:`P_t = \\alpha t + \\sum_{m=1}^{12} \\beta_m D_{m,t} + \\varepsilon_t`;
    :math:`\\mathrm{ALPS}_t = (P_t - \\hat P_t)/\\hat\\sigma_\\varepsilon` with
    :math:`\\hat\\sigma_\\varepsilon = \\sqrt{\\mathrm{SSR}/(n-13)}`. Classes: normal < 0.25 ≤ stress
    < 1 ≤ alert < 2 ≤ crisis (``alps.classes``).
ALPS with Tết (REFERENCE.md B7)
    The same with two genhol-style regressors: the share of the pre-Tết window (the
    ``alps.tet_pre_days`` days before mùng 1) and of the post-Tết window (``tet_post_days`` days from
    mùng 1) falling in each month, each centred on its calendar-month mean over the sample. Calendar
    dummies cannot represent a holiday that moves between 21/01 and 20/02; these regressors can.
IPA (REFERENCE.md B2)
    Compound growth over 3 and 12 months, :math:`\\mathrm{CGR}_t = (P_t/P_{t-n})^{1/n} - 1`, adjusted
    for volatility :math:`v\\mathrm{CGR}_t = \\mathrm{CGR}_t(1-\\sigma_t)` (σ: standard deviation of the
    n monthly log changes); standardised by the weighted mean and standard deviation of the same
    calendar month in earlier years (weights 1..N, oldest lightest; at least ``ipa_min_years``
    years); combined :math:`\\gamma\\,\\mathrm{IPA}^Q + (1-\\gamma)\\,\\mathrm{IPA}^A` with γ the first
    eigenvalue's share of the two scores' covariance (PCA). Classes: ≥ 0.5 moderately high, ≥ 1
    abnormally high (``alps.ipa_classes``). Prices are nominal (no CPI deflation). The Tết variant
    computes IPA on the monthly series with the estimated Tết effect removed.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from binhon.detection.config import AlpsConfig
from binhon.tet import tet_date

__all__ = [
    "AlpsResult",
    "IpaResult",
    "PriceIndicators",
    "alps",
    "indicators",
    "ipa",
    "monthly_means",
    "tet_regressors",
]

ALPS_LABELS = ("bình thường", "căng thẳng", "cảnh báo", "khủng hoảng")
ALPS_CLASSES = ("normal", "stress", "alert", "crisis")
IPA_CLASSES = ("normal", "moderately_high", "abnormally_high")
IPA_LABELS = ("bình thường", "cao vừa phải", "cao bất thường")


@dataclass(frozen=True)
class AlpsResult:
    """ALPS of the last month: value, class, the month's price and its estimated normal price."""

    value: float
    cls: str
    price: float
    expected: float
    sigma: float
    months: int


@dataclass(frozen=True)
class IpaResult:
    """IPA of the last month: combined value, class, quarterly and annual scores, weight γ."""

    value: float
    cls: str
    quarterly: float | None
    annual: float | None
    gamma: float


@dataclass(frozen=True)
class PriceIndicators:
    """ALPS and IPA, plain and with Tết regressors, for one month."""

    month: str
    alps: AlpsResult | None
    alps_tet: AlpsResult | None
    ipa: IpaResult | None
    ipa_tet: IpaResult | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready dict."""
        return {
            "month": self.month,
            "alps": asdict(self.alps) if self.alps else None,
            "alps_tet": asdict(self.alps_tet) if self.alps_tet else None,
            "ipa": asdict(self.ipa) if self.ipa else None,
            "ipa_tet": asdict(self.ipa_tet) if self.ipa_tet else None,
        }


def monthly_means(days: pd.Series, prices: pd.Series) -> pd.Series:
    """Mean price per calendar month (PeriodIndex), from day numbers and prices."""
    dates = pd.to_datetime(np.asarray(days, dtype="int64"), unit="D")
    frame = pd.DataFrame({"month": dates.to_period("M"), "price": np.asarray(prices, dtype=float)})
    return frame.groupby("month")["price"].mean().sort_index()


def _window_share(month_start: dt.date, month_end: dt.date, start: dt.date, end: dt.date) -> float:
    """Share of the days start..end (inclusive) that fall in the month month_start..month_end."""
    total = (end - start).days + 1
    lo, hi = max(start, month_start), min(end, month_end)
    return max(0, (hi - lo).days + 1) / total


def _months_info(months: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(months.year), np.asarray(months.month)


def _tet_arrays(years: np.ndarray, month_no: np.ndarray, *, config: AlpsConfig) -> dict[str, np.ndarray]:
    """Genhol-style pre- and post-Tết regressors (month shares), centred on their calendar-month means."""
    pre = np.zeros(years.size)
    post = np.zeros(years.size)
    for i, (y, mo) in enumerate(zip(years.tolist(), month_no.tolist(), strict=True)):
        if mo > 3:
            continue  # Tết falls between 21/01 and 20/02: its windows never reach April
        m0 = dt.date(y, mo, 1)
        m1 = dt.date(y, mo + 1, 1) - dt.timedelta(days=1)
        tet = tet_date(y)
        pre[i] = _window_share(
            m0, m1, tet - dt.timedelta(days=config.tet_pre_days), tet - dt.timedelta(days=1)
        )
        if config.tet_post_days > 0:
            post[i] = _window_share(m0, m1, tet, tet + dt.timedelta(days=config.tet_post_days - 1))
    out = {}
    for name, values in (("tet_pre", pre), ("tet_post", post)):
        centred = values.copy()
        for mo in np.unique(month_no):
            sel = month_no == mo
            centred[sel] -= values[sel].mean()
        if np.any(np.abs(centred) > 1e-12):
            out[name] = centred
    return out


def tet_regressors(months: pd.PeriodIndex, *, config: AlpsConfig) -> pd.DataFrame:
    """Genhol-style pre- and post-Tết regressors, centred on their calendar-month means."""
    years, month_no = _months_info(months)
    return pd.DataFrame(_tet_arrays(years, month_no, config=config), index=months)


def _design_arrays(
    years: np.ndarray, month_no: np.ndarray, *, tet: bool, config: AlpsConfig
) -> tuple[np.ndarray, list[str]]:
    n = years.size
    cols = [np.arange(1, n + 1, dtype=float)]
    names = ["trend"]
    for mo in range(1, 13):
        col = (month_no == mo).astype(float)
        if col.any():
            cols.append(col)
            names.append(f"m{mo}")
    if tet:
        for name, values in _tet_arrays(years, month_no, config=config).items():
            cols.append(values)
            names.append(name)
    return np.column_stack(cols), names


def _design(months: pd.PeriodIndex, *, tet: bool, config: AlpsConfig) -> pd.DataFrame:
    years, month_no = _months_info(months)
    X, names = _design_arrays(years, month_no, tet=tet, config=config)
    return pd.DataFrame(X, index=months, columns=names)


def _classify(value: float, limits: tuple[float, ...], names: tuple[str, ...]) -> str:
    cls = names[0]
    for limit, name in zip(limits, names[1:], strict=True):
        if value >= limit:
            cls = name
    return cls


def _ols(y: np.ndarray, X: np.ndarray):  # type: ignore[no-untyped-def]
    """OLS by pseudo-inverse. A short or gappy history leaves some month or Tết columns without
    data (rank-deficient design): expected here, and the pseudo-inverse fit is what is wanted, so
    statsmodels' warning about it (which it forces to "always" show) is not passed on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SingularMatrixWarning)
        return sm.OLS(y, X, hasconst=False).fit()


def _alps_arrays(
    y: np.ndarray, years: np.ndarray, month_no: np.ndarray, *, config: AlpsConfig, tet: bool
) -> AlpsResult | None:
    if y.size < config.min_months:
        return None
    X, _ = _design_arrays(years, month_no, tet=tet, config=config)
    fit = _ols(y, X)
    if fit.df_resid <= 0:
        return None
    sigma = float(np.sqrt(fit.mse_resid))
    expected = float(fit.fittedvalues[-1])
    if sigma <= 0 or not np.isfinite(sigma):
        return None
    value = (y[-1] - expected) / sigma
    return AlpsResult(
        value=round(float(value), 4),
        cls=_classify(value, tuple(config.classes), ALPS_CLASSES),
        price=round(float(y[-1]), 2),
        expected=round(expected, 2),
        sigma=round(sigma, 4),
        months=int(y.size),
    )


def alps(monthly: pd.Series, *, config: AlpsConfig, tet: bool = False) -> AlpsResult | None:
    """ALPS of the last month of ``monthly`` (mean prices by month), or None with too few months."""
    monthly = monthly.dropna()
    years, month_no = _months_info(pd.PeriodIndex(monthly.index, freq="M"))
    return _alps_arrays(monthly.to_numpy(dtype=float), years, month_no, config=config, tet=tet)


def _vcgr(p: np.ndarray, n: int) -> np.ndarray:
    out = np.full(p.size, np.nan)
    if p.size <= n:
        return out
    growth = (p[n:] / p[:-n]) ** (1.0 / n) - 1.0
    dlog = np.diff(np.log(p))  # dlog[i] = log p[i+1] - log p[i]
    windows = np.lib.stride_tricks.sliding_window_view(dlog, n)  # windows[j] = dlog[j : j+n]
    vol = windows.std(axis=1, ddof=1) if n > 1 else np.zeros(windows.shape[0])
    out[n:] = growth * (1.0 - vol[: p.size - n])
    return out


def _standardise(values: np.ndarray, month_no: np.ndarray, *, min_years: int) -> np.ndarray:
    """(v − weighted mean) / weighted sd of the same calendar month in earlier years."""
    out = np.full(values.size, np.nan)
    for i in range(values.size):
        if np.isnan(values[i]):
            continue
        sel = (month_no[:i] == month_no[i]) & ~np.isnan(values[:i])
        past = values[:i][sel]
        g = past.size
        if g < min_years:
            continue
        w = np.arange(1, g + 1, dtype=float)
        mean = np.sum(w * past) / w.sum()
        denom = w.sum() * (g - 1) / g if g > 1 else w.sum()
        sd = np.sqrt(np.sum(w * (past - mean) ** 2) / denom)
        if sd > 0:
            out[i] = (values[i] - mean) / sd
    return out


def _ipa_arrays(p: np.ndarray, month_no: np.ndarray, *, config: AlpsConfig) -> IpaResult | None:
    """IPA of the last month of a gap-free monthly array (NaN for missing months)."""
    if np.sum(~np.isnan(p)) < 3 + config.ipa_min_years * 12:
        return None
    q = _standardise(_vcgr(p, 3), month_no, min_years=config.ipa_min_years)
    a = _standardise(_vcgr(p, 12), month_no, min_years=config.ipa_min_years)
    q_last, a_last = q[-1], a[-1]
    if np.isnan(q_last) and np.isnan(a_last):
        return None
    if np.isnan(a_last):
        value, gamma = float(q_last), 1.0
    elif np.isnan(q_last):
        value, gamma = float(a_last), 0.0
    else:
        ok = ~np.isnan(q) & ~np.isnan(a)
        gamma = 0.5
        if ok.sum() >= 3:
            eig = np.linalg.eigvalsh(np.cov(np.vstack([q[ok], a[ok]])))
            if eig.sum() > 0:
                gamma = float(eig.max() / eig.sum())
        value = gamma * float(q_last) + (1 - gamma) * float(a_last)
    return IpaResult(
        value=round(value, 4),
        cls=_classify(value, tuple(config.ipa_classes), IPA_CLASSES),
        quarterly=None if np.isnan(q_last) else round(float(q_last), 4),
        annual=None if np.isnan(a_last) else round(float(a_last), 4),
        gamma=round(gamma, 4),
    )


def _full_months(monthly: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values over every month from the first to the last (NaN where missing), years, months."""
    idx = pd.PeriodIndex(monthly.index, freq="M")
    ordinal = np.asarray(idx.asi8) - int(idx.asi8.min())
    n = int(ordinal.max()) + 1
    values = np.full(n, np.nan)
    values[ordinal] = monthly.to_numpy(dtype=float)
    full = pd.period_range(idx.min(), periods=n, freq="M")
    years, month_no = _months_info(full)
    return values, years, month_no


def ipa(monthly: pd.Series, *, config: AlpsConfig) -> IpaResult | None:
    """IPA of the last month of ``monthly`` (mean prices by month), or None when not computable."""
    monthly = monthly.dropna()
    if monthly.empty:
        return None
    values, _, month_no = _full_months(monthly)
    return _ipa_arrays(values, month_no, config=config)


def indicators(monthly: pd.Series, *, config: AlpsConfig) -> PriceIndicators | None:
    """ALPS and IPA (plain and with Tết) for the last month of ``monthly``."""
    monthly = monthly.dropna()
    if monthly.empty or not config.enabled:
        return None
    values, years, month_no = _full_months(monthly)
    ok = ~np.isnan(values)
    y, yy, mm = values[ok], years[ok], month_no[ok]
    alps_plain = _alps_arrays(y, yy, mm, config=config, tet=False)
    alps_tet = _alps_arrays(y, yy, mm, config=config, tet=True)
    ipa_tet = None
    if y.size >= config.min_months:
        X, names = _design_arrays(yy, mm, tet=True, config=config)
        tet_cols = [i for i, nme in enumerate(names) if nme.startswith("tet_")]
        adjusted = values.copy()
        if tet_cols:
            fit = _ols(np.log(y), X)
            effect = X[:, tet_cols] @ np.asarray(fit.params)[tet_cols]
            adjusted[ok] = y * np.exp(-effect)
        ipa_tet = _ipa_arrays(adjusted, month_no, config=config)
    return PriceIndicators(
        month=str(monthly.index[-1]),
        alps=alps_plain,
        alps_tet=alps_tet,
        ipa=_ipa_arrays(values, month_no, config=config),
        ipa_tet=ipa_tet,
    )
