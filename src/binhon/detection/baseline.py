"""The Tết-aware baseline of a price series: pure functions over numpy/pandas, no database.

Model
-----
Let :math:`y_{s,t}` be the log price of series *s* (a commodity at an outlet, one price type) on
day *t*, and :math:`k(t)` the signed number of days from the nearest mùng 1 Tết.

*Ramp profile.* For a past Tết season *j* the season's reference level is the median of
:math:`y_{s,t}` over the reference window (``tet.reference_window``, e.g. k ∈ [−60, −45]), its end
level the median over its last ``tet.end_window_days`` (up to ``tet.profile_end``), and the
season's log-ramp :math:`r_{s,j}(k)` is :math:`y_{s,T_j+k}` less the line joining the two (so that
prices drifting across that season are not learned as ramp). For the current season the typical
ramp at offset *k* is learned from the ``tet.past_seasons`` previous seasons:

.. math::

    P_s(k) = \\frac{n_s\\,\\tilde r_s(k) + \\kappa\\,\\tilde r_g(k)}{n_s + \\kappa}

where :math:`\\tilde r_s(k)` is the series' own past ramp — the median over offsets
k ± ``smoothing_days`` within each of its n_s past seasons, then the median over those seasons —,
:math:`\\tilde r_g(k)` the median pooled over the peers of its outlet class g (or the whole
commodity when the class pool is small) and κ = ``own_weight_prior``. A new outlet without past
seasons therefore uses its peers' ramp. The pool's robust spread
:math:`\\tau_g(k) = 1.4826\\,\\mathrm{MAD}` measures how much ramps vary; the own ramp is kept
within ``tet.own_max_z`` × :math:`\\tau_g(k)` of the pool's (a past season disturbed by an anomaly
of the series — a fall, a level shift — must not give it a ramp of its own). For outlet types that
run promotions the regular-price quantile (``promotion.level_quantile``) replaces the medians of
the series' own prices, after the promotions of each past season (short dips that came back,
:func:`past_dips`) are left out. Ramps vary from year to year in proportion to their size: the
spreads used in a ramp are at least ``tet.min_rel_spread`` × the season's peak ramp.

*Expected level.* On a day inside the ramp (k after the reference window up to
``tet.profile_end``) the expected log price is the season's reference level plus :math:`P_s(k)`.
On any other day (the reference window included, where there is no ramp by definition) it is the
local level: the median of the ramp-adjusted log price :math:`y - P` over the past
``history.level_window_days`` days ending ``level_gap_days`` before the day. When the season's
reference level is missing (a series that started in the season) the local level is used in the
ramp too. Prices far from the same-day peers beyond the outlet's usual gap (``outlying``: an
anomaly of that outlet, see :func:`binhon.detection.peers.outlying_prices`) are left out of the
local, regular-price and reference levels while enough other prices remain, so that a level does
not follow an anomaly and the return to normal is not a new one.

*Promotions.* For outlet types that run promotions (``promotion.outlet_types``) a dip starts with
a sudden fall: a price at least ``promotion.min_dip_pct`` below both the previous price and the
series' regular-price level — the rolling ``promotion.level_quantile`` quantile of :math:`y - P`
over the past ``promotion.regular_window_days``, robust to the promotion prices in it and long
enough to span a reporting gap; it goes on while the prices stay that far below the price before
it, for at most ``promotion.max_days`` (:func:`promotion_dips`). A slow drift below the regular
level is no promotion. Promotion prices (``promo_dip``) are left out of the local level, the
reference level, the spread and the price step, so the return to the regular price is not a
spike; the detectors raise no fall on them and leave them out of the peer comparisons.

*Deviation and spread.* :math:`e_{s,t} = y_{s,t} - \\hat y_{s,t}`. The series' own spread
:math:`\\sigma_{s,t}` is the interquartile range / 1.349 of its deviations outside Tết ramps over
the past ``spread_window_days`` (ending ``spread_gap_days`` before), at least ``tick_factor`` ×
its price step; a series with fewer than ``min_spread_obs`` deviations borrows the median spread
of its class on that day. In a ramp, prices may have drifted since the reference window: the
drift (spread of the local level's change over ``history.drift_days``, grown as the square root
of the days since the reference window) is reported for the comparisons without peers.

Assumptions: prices move multiplicatively (log scale); the shape of the Tết ramp is stable across
years up to a level shift; the look-back windows only look backwards, so the judgement of day *t*
uses data dated ≤ *t* only (causal), and only data within ``DetectionConfig.lookback_days`` of *t*
(so an incremental run reproduces a full run exactly).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from binhon.detection.config import DetectionConfig
from binhon.detection.panel import day_of
from binhon.tet import MAX_YEAR, MIN_YEAR, tet_date

__all__ = [
    "Baseline",
    "SeasonProfile",
    "baseline",
    "nanmedian",
    "robust_iqr_sigma",
    "season_profile",
    "tet_days",
    "tet_offsets",
]

MAD_TO_SIGMA = 1.4826
IQR_TO_SIGMA = 1.349


def nanquantile(a: np.ndarray, q: np.ndarray | float, axis: int) -> np.ndarray:
    """Quantile ``q`` (linear interpolation) ignoring NaN along ``axis``; ``q`` may vary along the
    other axes (broadcast against the result's shape). NaN where all are NaN."""
    a = np.asarray(a, dtype=float)
    moved = np.moveaxis(a, axis, -1)
    if moved.shape[-1] == 0:
        return np.full(moved.shape[:-1], np.nan)
    srt = np.sort(moved, axis=-1)  # NaN sort last
    count = np.sum(~np.isnan(srt), axis=-1)
    pos = np.broadcast_to(np.asarray(q, dtype=float), count.shape) * np.clip(count - 1, 0, None)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.clip(count - 1, 0, None))
    frac = pos - lo
    v_lo = np.take_along_axis(srt, lo[..., None], axis=-1)[..., 0]
    v_hi = np.take_along_axis(srt, hi[..., None], axis=-1)[..., 0]
    return np.where(count > 0, v_lo + frac * (v_hi - v_lo), np.nan)


def nanmedian(a: np.ndarray, axis: int) -> np.ndarray:
    """Median ignoring NaN along ``axis`` (NaN where all are NaN); sorts instead of masked arrays."""
    a = np.asarray(a, dtype=float)
    if a.size == 0:
        shape = list(a.shape)
        del shape[axis]
        return np.full(shape, np.nan)
    moved = np.moveaxis(a, axis, -1)
    srt = np.sort(moved, axis=-1)  # NaN sort last
    count = np.sum(~np.isnan(srt), axis=-1)
    lo = np.clip((count - 1) // 2, 0, None)
    hi = np.clip(count // 2, 0, srt.shape[-1] - 1)
    v_lo = np.take_along_axis(srt, lo[..., None], axis=-1)[..., 0]
    v_hi = np.take_along_axis(srt, hi[..., None], axis=-1)[..., 0]
    return np.where(count > 0, (v_lo + v_hi) / 2.0, np.nan)


ANCHOR_DAYS = 7


def rolling_columns(
    values: np.ndarray, *, window: int, min_obs: int, quantiles: tuple[float, ...], step: int = 1
) -> list[np.ndarray]:
    """Per-column rolling quantiles (rows = days) in one pass over all columns.

    The columns are laid end to end, separated by ``window`` NaN rows so that no window mixes two
    columns (pandas would otherwise loop over the columns). With ``step`` > 1 only every
    ``step``-th row (from row 0) is evaluated; the result then has one row per evaluated row.
    """
    n, S = values.shape
    n_out = -(-n // step)
    if n == 0 or S == 0:
        return [np.full((n_out, S), np.nan) for _ in quantiles]
    bottom = (-n) % step
    sep = -(-window // step) * step
    stride = sep + n + bottom
    flat = np.full((stride, S), np.nan)
    flat[sep : sep + n] = values
    series = pd.Series(flat.ravel(order="F"))
    roll = series.rolling(window=window, min_periods=min_obs, step=step)
    out = []
    for q in quantiles:
        res = (roll.median() if q == 0.5 else roll.quantile(q)).to_numpy()
        res = res.reshape(S, stride // step).T[sep // step : sep // step + n_out]
        out.append(np.ascontiguousarray(res))
    return out


def anchored_rolling(
    values: np.ndarray,
    days: np.ndarray,
    *,
    window: int,
    gap: int,
    min_obs: int,
    quantiles: tuple[float, ...],
) -> list[np.ndarray]:
    """Rolling quantiles over ``window`` days, evaluated on anchor days and used from ``gap`` days on.

    For speed the long-window statistics are evaluated once a week, on the days whose number is a
    multiple of 7 (an absolute calendar, so every run gets the same values): the value used on day
    t is the one of the last anchor a ≤ t − gap, over the days a − window + 1 .. a.
    """
    n, S = values.shape
    if n == 0:
        return [np.full((0, S), np.nan) for _ in quantiles]
    d0 = int(days[0])
    pad = d0 % ANCHOR_DAYS
    padded = np.vstack([np.full((pad, S), np.nan), values]) if pad else values
    start = d0 - pad
    anchor = (np.asarray(days, dtype=np.int64) - gap - start) // ANCHOR_DAYS
    out = []
    for at in rolling_columns(padded, window=window, min_obs=min_obs, quantiles=quantiles, step=ANCHOR_DAYS):
        res = np.full((n, S), np.nan)
        ok = (anchor >= 0) & (anchor < at.shape[0])
        res[ok] = at[anchor[ok]]
        out.append(res)
    return out


@lru_cache(maxsize=8)
def _tet_table(first_year: int, last_year: int) -> np.ndarray:
    return np.array([day_of(tet_date(y)) for y in range(first_year, last_year + 1)], dtype=np.int64)


def tet_days(first_day: int, last_day: int) -> np.ndarray:
    """Day numbers of every mùng 1 Tết from the year before ``first_day`` to the year after ``last_day``."""
    from binhon.detection.panel import date_of

    y0 = max(MIN_YEAR, date_of(first_day).year - 1)
    y1 = min(MAX_YEAR, date_of(last_day).year + 1)
    return _tet_table(y0, y1)


def tet_offsets(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each day number: its offset k from the nearest Tết, and that Tết's day number.

    A day exactly half-way between two Tết goes to the earlier one (as :func:`binhon.tet.nearest_tet`).
    """
    days = np.asarray(days, dtype=np.int64)
    if days.size == 0:
        return days.copy(), days.copy()
    tets = tet_days(int(days.min()), int(days.max()))
    idx = np.searchsorted(tets, days, side="left")
    idx = np.clip(idx, 1, len(tets) - 1)
    before, after = tets[idx - 1], tets[idx]
    nearest = np.where(after - days < days - before, after, before)
    nearest = np.where(days == after, after, nearest)
    return days - nearest, nearest


def robust_iqr_sigma(
    frame: pd.DataFrame | np.ndarray, *, window: int, gap: int, min_obs: int, days: np.ndarray
) -> np.ndarray:
    """Rolling (IQR / 1.349) over ``window`` days ending ``gap`` days before (weekly anchors)."""
    values = frame.to_numpy() if isinstance(frame, pd.DataFrame) else np.asarray(frame, dtype=float)
    q75, q25 = anchored_rolling(values, days, window=window, gap=gap, min_obs=min_obs, quantiles=(0.75, 0.25))
    return (q75 - q25) / IQR_TO_SIGMA


@dataclass
class SeasonProfile:
    """The ramp profile for one target season, over offsets ``k0 .. k0 + n_k - 1``.

    ``P`` (n_k, S): expected log-ratio to the reference level per series (NaN: no knowledge);
    ``tau`` (n_k, S): spread of ramps in the series' pool; ``province`` (n_k,): province median
    ramp; ``tau_province`` (n_k,): its year-to-year spread (NaN with fewer than two seasons);
    ``seasons``: how many past seasons had data.
    """

    k0: int
    P: np.ndarray
    tau: np.ndarray
    province: np.ndarray
    tau_province: np.ndarray
    seasons: int


def _shift_pool(R: np.ndarray, h: int) -> np.ndarray:
    """(J, n_k, S) -> (J, 2h+1, n_k, S): values at k+δ for δ in [-h, h] (NaN outside)."""
    J, n_k, S = R.shape
    out = np.full((J, 2 * h + 1, n_k, S), np.nan)
    for i, d in enumerate(range(-h, h + 1)):
        if d >= 0:
            out[:, i, : n_k - d, :] = R[:, d:, :]
        else:
            out[:, i, -d:, :] = R[:, : n_k + d, :]
    return out


def past_dips(y: np.ndarray, *, cut: float, max_days: int) -> np.ndarray:
    """Promotion prices in a past stretch of one daily series (NaN: no price), seen from both sides.

    A promotion is a run of prices, spanning at most ``max_days`` days, that starts with a fall of
    ``cut`` (a log ratio < 0) or more from the price before it and is followed by a price back
    above that level less ``cut`` (the next price, however late: stores also stop reporting for a
    while). Used on past Tết seasons (wholly in the past of the days judged with them), so the
    price after the run may be looked at; a fall that does not come back (the end of a Tết ramp, a
    lasting cut) is no promotion.
    """
    rows = np.flatnonzero(~np.isnan(y))
    out = np.zeros(y.shape[0], dtype=bool)
    v = y[rows]
    i = 1
    while i < rows.size:
        anchor = v[i - 1]
        if v[i] - anchor > cut:
            i += 1
            continue
        j = i + 1
        while j < rows.size and v[j] - anchor <= cut:
            j += 1
        if j < rows.size and rows[j - 1] - rows[i] <= max_days:
            out[rows[i:j]] = True
        i = j
    return out


def season_profile(
    past_blocks: list[np.ndarray],
    *,
    classes: np.ndarray,
    config: DetectionConfig,
    promo: np.ndarray | None = None,
) -> SeasonProfile:
    """The ramp profile learned from past seasons' blocks of log prices (each (n_k, S), rows k0..).

    ``promo`` (S,) marks series of outlet types that run promotions: their own reference level and
    ramp are the regular-price quantile (``promotion.level_quantile``) instead of the median, so
    that promotion prices in a past season do not enter the profile.
    """
    t = config.tet
    q = np.full(classes.shape[0], 0.5)
    if promo is not None and config.promotion.enabled:
        q = np.where(promo, config.promotion.level_quantile, 0.5)
    k0 = t.reference_window[0]
    ref_len = t.reference_window[1] - k0 + 1
    offsets = np.arange(k0, t.profile_end + 1, dtype=float)
    ref_center = (t.reference_window[0] + t.reference_window[1]) / 2.0
    end_center = t.profile_end - (t.end_window_days - 1) / 2.0
    n_k = t.profile_end - k0 + 1
    S = classes.shape[0]
    empty = SeasonProfile(
        k0,
        np.full((n_k, S), np.nan),
        np.full((n_k, S), np.nan),
        np.full(n_k, np.nan),
        np.full(n_k, np.nan),
        0,
    )
    ramps = []
    pr = config.promotion
    promo_cols = np.flatnonzero(promo) if promo is not None and pr.enabled else np.array([], dtype=int)
    for block in past_blocks:
        if promo_cols.size:
            block = block.copy()
            cut = float(np.log1p(-pr.min_dip_pct))
            for c in promo_cols:
                block[past_dips(block[:, c], cut=cut, max_days=pr.max_days), c] = np.nan
        ref_rows = block[:ref_len]
        count = np.sum(~np.isnan(ref_rows), axis=0)
        ref = nanquantile(ref_rows, q, axis=0)
        ref = np.where(count >= t.min_reference_obs, ref, np.nan)
        if np.all(np.isnan(ref)):
            continue
        # The season's end level (its last tet.end_window_days): the ramp is measured from the line
        # joining the reference level to it, so that prices drifting across that season (a random
        # walk, inflation) are not learned as part of the Tết ramp. Without an end level: no line.
        end_rows = block[n_k - t.end_window_days :]
        end_count = np.sum(~np.isnan(end_rows), axis=0)
        end = np.where(end_count >= t.min_reference_obs, nanquantile(end_rows, q, axis=0), np.nan)
        slope = np.nan_to_num((end - ref) / (end_center - ref_center))
        ramps.append(block - ref[None, :] - slope[None, :] * (offsets - ref_center)[:, None])
    if not ramps:
        return empty
    R = np.stack(ramps)  # (J, n_k, S)
    J = R.shape[0]
    pooled = _shift_pool(R, t.smoothing_days)  # (J, D, n_k, S)
    has_season = np.any(~np.isnan(pooled), axis=1)  # (J, n_k, S)
    n_own = has_season.sum(axis=0).astype(float)  # (n_k, S)
    flat = pooled.reshape(J * pooled.shape[1], n_k, S)
    # The series' own ramp: smoothed within each season, then the median over seasons (one odd
    # season — a market-wide surge, a promotion — does not set it).
    own_season = nanquantile(np.moveaxis(pooled, 1, -1), q[None, None, :], axis=-1)  # (J, n_k, S)
    own = nanmedian(own_season, axis=0)  # (n_k, S)

    def pool(cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        v = np.moveaxis(flat[:, :, cols], 1, 0).reshape(n_k, -1)
        med = nanmedian(v, axis=1)
        mad = nanmedian(np.abs(v - med[:, None]), axis=1) * MAD_TO_SIGMA
        size = has_season[:, :, cols].sum(axis=(0, 2))
        return med, mad, size

    all_cols = np.arange(S)
    p_all, tau_all, size_all = pool(all_cols)
    p_peer = np.tile(p_all[:, None], (1, S))
    tau_peer = np.tile(tau_all[:, None], (1, S))
    for c in np.unique(classes):
        cols = np.flatnonzero(classes == c)
        p_c, tau_c, size_c = pool(cols)
        ok = size_c >= t.min_pool
        p_peer[:, cols] = np.where(ok[:, None], p_c[:, None], p_all[:, None])
        tau_peer[:, cols] = np.where(ok[:, None], tau_c[:, None], tau_all[:, None])
    small = size_all < t.min_pool
    p_peer[small, :] = np.nan
    tau_peer[small, :] = np.nan
    # A past season disturbed by an anomaly of the series (a fall, a level shift, a promotion)
    # would give it a ramp of its own: the own ramp differs from the peers' by at most
    # tet.own_max_z pool spreads.
    limit = t.own_max_z * tau_peer
    own = np.where(np.isnan(limit) | np.isnan(p_peer), own, p_peer + np.clip(own - p_peer, -limit, limit))
    kappa = t.own_weight_prior
    w_own = np.where(np.isnan(own), 0.0, n_own)
    w_peer = np.where(np.isnan(p_peer), 0.0, kappa)
    total = w_own + w_peer
    with np.errstate(invalid="ignore", divide="ignore"):
        P = (w_own * np.nan_to_num(own) + w_peer * np.nan_to_num(p_peer)) / total
    P = np.where(total > 0, P, np.nan)
    tau = np.where(np.isnan(tau_peer), np.nan, tau_peer)
    # Province median ramp per season and its year-to-year spread.
    per_season = nanmedian(np.moveaxis(pooled, 3, 1).reshape(J, S * pooled.shape[1], n_k), axis=1)  # (J, n_k)
    prov = nanmedian(per_season, axis=0)
    valid = np.sum(~np.isnan(per_season), axis=0)
    tau_prov = nanmedian(np.abs(per_season - prov[None, :]), axis=0) * MAD_TO_SIGMA
    tau_prov = np.where(valid >= 2, tau_prov, np.nan)
    return SeasonProfile(k0, P, tau, prov, tau_prov, J)


@dataclass
class Baseline:
    """Per day and series of a grid (rows = days, columns = series).

    ``expected``: expected log price; ``e``: deviation y − expected; ``sigma``: own robust spread
    (NaN when neither own nor class spread exists); ``in_ramp``: day inside a Tết ramp (per row);
    ``judgeable``: the expected level exists (and, in a ramp, a profile or the peers will be
    needed); ``has_profile``: the ramp profile is known (always true outside ramps); ``tau``:
    spread of the ramp pool (0 outside ramps); ``tau_province`` (per row) and ``k`` (per row);
    ``promo_dip``: the price is a promotion (a short dip of an outlet type that runs promotions);
    ``drift`` (per day and series) and ``drift_province`` (per row): how far the level may have
    wandered since the season's reference window (0 outside ramps); ``tick_floor``: the smallest
    spread the price step allows (``history.tick_factor`` × the step; NaN unknown).
    """

    expected: np.ndarray
    e: np.ndarray
    sigma: np.ndarray
    in_ramp: np.ndarray
    judgeable: np.ndarray
    has_profile: np.ndarray
    tau: np.ndarray
    tau_province: np.ndarray
    k: np.ndarray
    tet: np.ndarray
    promo_dip: np.ndarray
    drift: np.ndarray
    drift_province: np.ndarray
    tick_floor: np.ndarray


def _rolling_level(Z: np.ndarray, h, quantile: float, window: int | None = None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Rolling ``quantile`` of each column over ``window`` (default ``level_window_days``) days,
    ending ``level_gap_days`` back."""
    n, S = Z.shape
    (rolled,) = rolling_columns(
        Z, window=window or h.level_window_days, min_obs=h.min_level_obs, quantiles=(quantile,)
    )
    level = np.full((n, S), np.nan)
    if h.level_gap_days < n:
        level[h.level_gap_days :] = rolled[: n - h.level_gap_days]
    return level


def run_age(
    flag: np.ndarray, observed: np.ndarray, days: np.ndarray, restart: np.ndarray | None = None
) -> np.ndarray:
    """Days since the first price of the current run of consecutive flagged prices (NaN: not flagged).

    A run is broken by an observed unflagged price; days without a price do not break it; a
    flagged price where ``restart`` is true starts a new run.
    """
    n, S = flag.shape
    start = np.full(S, np.nan)
    out = np.full((n, S), np.nan)
    for r in range(n):
        f = flag[r] & observed[r]
        new = np.isnan(start) if restart is None else np.isnan(start) | restart[r]
        start = np.where(f & new, float(days[r]), start)
        start = np.where(observed[r] & ~f, np.nan, start)
        out[r] = np.where(f, days[r] - start, np.nan)
    return out


def promotion_dips(
    Z: np.ndarray, days: np.ndarray, regular: np.ndarray, *, cut: float, max_days: int, max_gap: int
) -> np.ndarray:
    """Promotion prices of each column (rows = days): short dips that start with a sudden fall.

    A dip starts at a price that is ``cut`` (a log ratio < 0) or more below both the previous price
    (at most ``max_gap`` days back; without one — a store back from a reporting gap — only the
    regular level counts) and the regular level ``regular``; the dip's anchor is the previous
    price (else the regular level). Later prices stay in the dip while they are still ``cut``
    below the anchor and the dip is at most ``max_days`` days old; a price back near the anchor
    ends it. A slow drift below the regular
    level is therefore no promotion, and the price after a promotion is a regular price again.
    """
    n, S = Z.shape
    out = np.zeros((n, S), dtype=bool)
    prev = np.full(S, np.nan)  # last price
    prev_day = np.full(S, -np.inf)
    anchor = np.full(S, np.nan)  # NaN: not in a dip
    start = np.zeros(S)
    for r in range(n):
        z = Z[r]
        seen = ~np.isnan(z)
        if not seen.any():
            continue
        d = float(days[r])
        recent_prev = np.where(d - prev_day <= max_gap, prev, np.nan)
        going = seen & ~np.isnan(anchor) & (z - anchor <= cut) & (d - start <= max_days)
        below_regular = z - regular[r] <= cut
        fell = np.where(np.isnan(recent_prev), True, z - recent_prev <= cut)
        new = seen & ~going & below_regular & fell
        anchor = np.where(seen & ~going, np.nan, anchor)
        anchor = np.where(new, np.where(np.isnan(recent_prev), regular[r], recent_prev), anchor)
        start = np.where(new, d, start)
        out[r] = going | new
        prev = np.where(seen, z, prev)
        prev_day = np.where(seen, d, prev_day)
    return out


def baseline(
    Y: np.ndarray,
    days: np.ndarray,
    *,
    profiles: dict[int, SeasonProfile],
    classes: np.ndarray,
    config: DetectionConfig,
    promo: np.ndarray | None = None,
    outlying: np.ndarray | None = None,
) -> Baseline:
    """The Tết-aware expected log price, deviation and spread on a contiguous daily grid.

    ``Y`` (n_days, S) log prices with NaN where a series has no price; ``days`` the grid's day
    numbers (consecutive); ``profiles`` the ramp profile of each Tết (by its day number) whose
    season the grid reaches; ``promo`` (S,) marks the series of outlet types that run promotions
    (``promotion.outlet_types``): their short dips are flagged in ``promo_dip`` and left out of the
    level and the spread; ``outlying`` (n_days, S) marks prices far from their peers that day (see
    :func:`binhon.detection.peers.outlying_prices`): they are left out of the local, regular and
    reference levels (while enough other prices remain) and of the spread.
    """
    h, t = config.history, config.tet
    n, S = Y.shape
    k, tet = tet_offsets(days)
    k0 = t.reference_window[0]
    in_profile = (k >= k0) & (k <= t.profile_end)
    in_ramp = (k >= t.ramp_start) & (k <= t.profile_end)
    Pfill = np.zeros((n, S))
    has_profile = np.ones((n, S), dtype=bool)
    tau = np.zeros((n, S))
    tau_prov = np.full(n, np.nan)
    for T, prof in profiles.items():
        rows = np.flatnonzero(in_profile & (tet == T))
        if rows.size == 0:
            continue
        idx = k[rows] - prof.k0
        P_rows = prof.P[idx]
        ramp_rows = in_ramp[rows]
        # The reference window is where the ramp is measured from: no ramp there by definition.
        Pfill[rows] = np.where(ramp_rows[:, None], np.nan_to_num(P_rows), 0.0)
        has_profile[rows] = ~(np.isnan(P_rows) & ramp_rows[:, None])
        # Ramps vary from year to year in size and timing (when they start, how fast they recede)
        # in proportion to their size: their spread is at least tet.min_rel_spread of the
        # season's peak ramp (a few past seasons give an unreliable spread).
        in_season = slice(t.ramp_start - prof.k0, None)
        peak = np.max(np.abs(np.nan_to_num(prof.P[in_season])), axis=0, initial=0.0)
        peak_prov = float(np.max(np.abs(np.nan_to_num(prof.province[in_season])), initial=0.0))
        rel = t.min_rel_spread
        tau_rows = np.fmax(np.nan_to_num(prof.tau[idx]), rel * peak[None, :])
        tau[rows] = np.where(ramp_rows[:, None], tau_rows, 0.0)
        tau_prov[rows] = np.where(ramp_rows, np.fmax(prof.tau_province[idx], rel * peak_prov), np.nan)
    for T in np.unique(tet[in_ramp]):
        if int(T) not in profiles:
            rows = np.flatnonzero(in_ramp & (tet == T))
            has_profile[rows] = False
    Z = Y - Pfill
    # Prices far from the same-day peers beyond the outlet's usual gap (an anomaly of that outlet)
    # are left out of its levels, so that the level does not follow an anomaly and the return to
    # normal is no new anomaly; with too few other prices in a window the plain level is used.
    Zc = Z if outlying is None else np.where(outlying, np.nan, Z)

    def level_of(
        values: np.ndarray, clean: np.ndarray, quantile: float, window: int | None = None
    ) -> np.ndarray:
        plain = _rolling_level(values, h, quantile, window)
        if clean is values:
            return plain
        return np.where(np.isnan(robust := _rolling_level(clean, h, quantile, window)), plain, robust)

    level = level_of(Z, Zc, 0.5)
    dip = np.zeros((n, S), dtype=bool)
    pr = config.promotion
    if promo is not None and pr.enabled and np.any(promo):
        pc = np.flatnonzero(promo)
        # Regular-price level (a high quantile: robust to promotion prices in the window); prices
        # well below it are in a dip; a dip younger than promotion.max_days is a promotion.
        regular = level_of(Z[:, pc], Zc[:, pc], pr.level_quantile, pr.regular_window_days)
        dip[:, pc] = promotion_dips(
            Z[:, pc],
            days,
            regular,
            cut=float(np.log1p(-pr.min_dip_pct)),
            max_days=pr.max_days,
            max_gap=pr.max_days,
        )
        Z = np.where(dip, np.nan, Z)
        Zc = np.where(dip, np.nan, Zc)
        level[:, pc] = level_of(Z[:, pc], Zc[:, pc], 0.5)
    local = level.copy()
    # In a ramp: the season's reference level (median over the reference window), when it exists.
    ref_lo, ref_hi = t.reference_window
    for T in np.unique(tet[in_ramp]):
        rows = np.flatnonzero(in_ramp & (tet == T))
        ref_rows = np.flatnonzero((tet == T) & (k >= ref_lo) & (k <= ref_hi))
        if ref_rows.size == 0:
            level[rows] = np.where(has_profile[rows], level[rows], np.nan)
            continue
        block = Zc[ref_rows]
        count = np.sum(~np.isnan(block), axis=0)
        ref = np.where(count >= t.min_reference_obs, nanmedian(block, axis=0), np.nan)
        level[rows] = np.where(np.isnan(ref)[None, :], level[rows], ref[None, :])
        # Without the reference level and without a ramp profile, the ramp cannot be told from an
        # anomaly: such days are not judged (a rolling level would lag behind the ramp).
        blind = np.isnan(ref)[None, :] & ~has_profile[rows]
        level[rows] = np.where(blind, np.nan, level[rows])
    expected = level + Pfill
    e = Y - expected
    masked = pd.DataFrame(np.where(in_ramp[:, None] | dip | np.isnan(Zc), np.nan, e))
    sigma = robust_iqr_sigma(
        masked, window=h.spread_window_days, gap=h.spread_gap_days, min_obs=h.min_spread_obs, days=days
    )
    # Price step: the median non-zero change between consecutive prices (rounded prices move in
    # steps); promotion prices are left out (the fall into a promotion and the return from it are
    # no price step).
    regular_prices = np.where(dip, np.nan, Y)
    last = pd.DataFrame(regular_prices).ffill(limit=config.persistence.max_obs_gap_days).shift(1).to_numpy()
    step = np.abs(regular_prices - last)
    step = np.where(step > 1e-9, step, np.nan)
    (tick,) = anchored_rolling(
        step, days, window=h.spread_window_days, gap=h.spread_gap_days, min_obs=3, quantiles=(0.5,)
    )
    tick_floor = h.tick_factor * tick
    sigma = np.fmax(sigma, tick_floor)
    for c in np.unique(classes):
        cols = np.flatnonzero(classes == c)
        fallback = nanmedian(sigma[:, cols], axis=1)
        sub = sigma[:, cols]
        sigma[:, cols] = np.where(np.isnan(sub), fallback[:, None], sub)
    # Drift: in a ramp the expected level is the season's reference level plus the ramp, so prices
    # that wander (random walk) since the reference window show as a deviation that grows with the
    # days since it. The drift scale is the spread of the local level's change over
    # history.drift_days (outside ramps, over the spread window), grown as the square root of time.
    D = h.drift_days
    change = np.full((n, S), np.nan)
    if D < n:
        change[D:] = local[D:] - local[:-D]
    change = np.where(in_ramp[:, None], np.nan, change)
    spread_kw = {"window": h.spread_window_days, "gap": h.spread_gap_days, "min_obs": h.min_spread_obs}
    drift_scale = robust_iqr_sigma(change, days=days, **spread_kw)
    # The province's level change: the interquartile mean over series (medians of rounded prices
    # move in steps, so the median change is mostly zero; a mean of the middle half is not).
    lo_q, hi_q = nanquantile(change, 0.25, axis=1), nanquantile(change, 0.75, axis=1)
    middle = np.where((change >= lo_q[:, None]) & (change <= hi_q[:, None]), change, np.nan)
    count = np.sum(~np.isnan(middle), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        common = np.where(count > 0, np.nansum(middle, axis=1) / count, np.nan)
    drift_scale_prov = robust_iqr_sigma(common[:, None], days=days, **spread_kw)[:, 0]
    since = np.where(in_ramp, np.sqrt(np.clip(k - (ref_lo + ref_hi) / 2.0, 0.0, None) / D), 0.0)
    drift = np.nan_to_num(drift_scale) * since[:, None]
    drift_prov = np.nan_to_num(drift_scale_prov) * since
    judgeable = ~np.isnan(expected)
    return Baseline(
        expected,
        e,
        sigma,
        in_ramp,
        judgeable,
        has_profile,
        tau,
        tau_prov,
        k,
        tet,
        dip,
        drift,
        drift_prov,
        tick_floor,
    )
