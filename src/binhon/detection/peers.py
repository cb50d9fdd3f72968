"""Comparisons with peers on the same day: pure functions over numpy/pandas, no database.

Model
-----
*Difference in differences (series).* The deviation :math:`e_{s,t}` of a series from its own
Tết-aware baseline (see :mod:`binhon.detection.baseline`) is compared with the median deviation of
its peers on the same day, :math:`m_{-d,t}` — the same commodity and price type at outlets outside
its own former district (``peers.exclude_own_district``) and of its own outlet class when at least
``peers.min_peers`` of those report (``peers.same_class``; else every class), each peer's last
deviation counting for ``peers.max_age_days`` (not across the start or end of a Tết ramp, where
the expected level changes): :math:`u_{s,t} = e_{s,t} - m_{-d,t}`. A movement every outlet shares (this
year's Tết ramp being a little steeper, a province-wide price change) cancels; what one outlet or
one district does alone remains. The cross-sectional spread of the peers' deviations
(1.4826 · MAD) measures how much outlets normally differ on that day.

*District.* The district's median deviation :math:`a_{d,t}` against the rest of the province:
:math:`v_{d,t} = a_{d,t} - m_{-d,t}`.

*Province.* The median deviation of all series :math:`p_t` (judged against history only).

*Outlet outlier.* The log price against the median log price of the outlet's class (market,
store, …) in its district — the class in the whole province when the district has too few — on the
same day: :math:`o_{s,t} = y_{s,t} - \\mathrm{med}_g(y_t)`, scaled by the group's 1.4826 · MAD. An
outlet that is always dearer than its peers is not an outlier: the deviation counted is the smaller
of :math:`o` and :math:`o` minus the outlet's usual gap (median of its past :math:`o`). A price
that far from its peers (``persistence.continue_ratio`` × the outlier stress level, either way)
is *outlying*: an anomaly of that outlet, left out of its baseline's levels
(:func:`outlying_prices`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from binhon.detection.baseline import MAD_TO_SIGMA, anchored_rolling, nanmedian
from binhon.detection.config import DetectionConfig

__all__ = [
    "DistrictComparison",
    "outlying_prices",
    "OutlierComparison",
    "PeerComparison",
    "district_deviation",
    "outlier_comparison",
    "peer_deviation",
    "recent",
]


def recent(a: np.ndarray, max_age: int, regime: np.ndarray | None = None) -> np.ndarray:
    """Each column's last value carried forward at most ``max_age`` rows.

    With ``regime`` (per row), a value is not carried into a row of another regime: a deviation
    judged against a Tết ramp means nothing the day the ramp ends (the expected level changes).
    """
    if max_age <= 0:
        return a
    out = pd.DataFrame(a).ffill(limit=max_age).to_numpy(copy=True)
    if regime is not None:
        rows = np.where(~np.isnan(a), np.arange(a.shape[0])[:, None], -1)
        src = np.maximum.accumulate(rows, axis=0)
        regime = np.asarray(regime)
        crossed = (src >= 0) & (regime[np.clip(src, 0, None)] != regime[:, None])
        out[crossed] = np.nan
    return out


def _median_spread(block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise median, 1.4826·MAD and count of non-NaN values."""
    med = nanmedian(block, axis=1)
    mad = nanmedian(np.abs(block - med[:, None]), axis=1) * MAD_TO_SIGMA
    count = np.sum(~np.isnan(block), axis=1)
    return med, mad, count


@dataclass
class PeerComparison:
    """Per day and series: ``u`` deviation net of peers (NaN with too few peers), ``m`` the peers'
    median deviation, ``n`` how many peers, ``xs`` their cross-sectional spread."""

    u: np.ndarray
    m: np.ndarray
    n: np.ndarray
    xs: np.ndarray


def peer_deviation(
    e: np.ndarray,
    district: np.ndarray,
    *,
    config: DetectionConfig,
    regime: np.ndarray | None = None,
    classes: np.ndarray | None = None,
) -> PeerComparison:
    """Each series' deviation against its peers' median deviation on the same day.

    With ``peers.same_class`` and ``classes`` (S,), the peers are the outlets of the series' class
    when at least ``peers.min_peers`` of them report that day, else every outlet (``regime``: see
    :func:`recent`).
    """
    p = config.peers
    E = recent(e, p.max_age_days, regime)
    n_rows, S = e.shape
    m = np.full((n_rows, S), np.nan)
    n = np.zeros((n_rows, S), dtype=np.int32)
    xs = np.full((n_rows, S), np.nan)
    cls = classes if (classes is not None and p.same_class) else np.zeros(S, dtype=np.int64)
    has = ~np.isnan(E)
    groups = np.unique(district) if p.exclude_own_district else np.array([-1])
    for d in groups:
        own_d = (district == d) if p.exclude_own_district else np.ones(S, dtype=bool)
        others_d = (district != d) if (p.exclude_own_district and d >= 0) else np.ones(S, dtype=bool)
        med, spread, count = _median_spread(E[:, others_d])
        for c in np.unique(cls[own_d]):
            own = np.flatnonzero(own_d & (cls == c))
            # A series compared with a group it belongs to does not count itself as a peer.
            self_in = (has[:, own] & others_d[own][None, :]).astype(np.int32)
            n_all = count[:, None] - self_in
            same = others_d & (cls == c)
            if same.sum() == others_d.sum():
                use = np.ones_like(n_all, dtype=bool)
                med_c, spread_c, n_c = med, spread, n_all
            else:
                med_c, spread_c, count_c = _median_spread(E[:, same])
                n_c = count_c[:, None] - self_in
                use = n_c >= p.min_peers
            m[:, own] = np.where(use, np.broadcast_to(med_c[:, None], use.shape), med[:, None])
            xs[:, own] = np.where(use, np.broadcast_to(spread_c[:, None], use.shape), spread[:, None])
            n[:, own] = np.where(use, n_c, n_all)
    u = np.where(n >= p.min_peers, e - m, np.nan)
    return PeerComparison(u, m, n, xs)


@dataclass
class DistrictComparison:
    """Per day and district (columns follow ``districts``): the district's median deviation ``a``,
    its deviation net of the rest of the province ``v`` (NaN with too few), how many series count
    (``n``), how many reported that very day (``n_today``), and the spread of ``a`` across districts."""

    districts: np.ndarray
    a: np.ndarray
    v: np.ndarray
    n: np.ndarray
    n_today: np.ndarray
    across: np.ndarray


def district_deviation(
    e: np.ndarray, district: np.ndarray, *, config: DetectionConfig, regime: np.ndarray | None = None
) -> DistrictComparison:
    """Each former district's median deviation against the rest of the province (``regime``: see
    :func:`recent`)."""
    p = config.peers
    E = recent(e, p.max_age_days, regime)
    ds = np.unique(district[district >= 0])
    n_rows = e.shape[0]
    a = np.full((n_rows, ds.size), np.nan)
    v = np.full((n_rows, ds.size), np.nan)
    n = np.zeros((n_rows, ds.size), dtype=np.int32)
    n_today = np.zeros((n_rows, ds.size), dtype=np.int32)
    for i, d in enumerate(ds):
        own = district == d
        med, _, count = _median_spread(E[:, own])
        out_med, _, out_count = _median_spread(E[:, ~own])
        enough = count >= config.district.min_series
        a[:, i] = np.where(enough, med, np.nan)
        v[:, i] = np.where(enough & (out_count >= p.min_peers), med - out_med, np.nan)
        n[:, i] = count
        n_today[:, i] = np.sum(~np.isnan(e[:, own]), axis=1)
    # How much districts differ on a day: the spread of the district medians when three or more
    # districts have one, else (conservatively) the spread of the series' deviations themselves.
    _, series_spread, _ = _median_spread(E)
    if ds.size >= 3:
        across = nanmedian(np.abs(a - nanmedian(a, axis=1)[:, None]), axis=1) * MAD_TO_SIGMA
        across = np.where(np.sum(~np.isnan(a), axis=1) >= 3, across, series_spread)
    else:
        across = series_spread
    return DistrictComparison(ds, a, v, n, n_today, across)


@dataclass
class OutlierComparison:
    """Per day and series: ``dev`` the log gap to the group median net of the usual gap, ``z`` it
    over the group's spread, ``median`` the group's median log price, ``n`` group size, ``gap``
    the raw log gap and ``usual`` the usual gap (NaN unknown)."""

    dev: np.ndarray
    z: np.ndarray
    median: np.ndarray
    n: np.ndarray
    gap: np.ndarray
    usual: np.ndarray
    local: np.ndarray


def outlier_comparison(
    Y: np.ndarray, classes: np.ndarray, district: np.ndarray, *, days: np.ndarray, config: DetectionConfig
) -> OutlierComparison:
    """Each outlet's price against its class (in its district, else the province) on the same day."""
    o_cfg, p = config.outlier, config.peers
    Yr = recent(Y, p.max_age_days)
    n_rows, S = Y.shape
    med = np.full((n_rows, S), np.nan)
    spread = np.full((n_rows, S), np.nan)
    n = np.zeros((n_rows, S), dtype=np.int32)
    local = np.zeros((n_rows, S), dtype=bool)
    for c in np.unique(classes):
        in_class = classes == c
        c_med, c_mad, c_n = _median_spread(Yr[:, in_class])
        for d in np.unique(district[in_class]):
            cols = np.flatnonzero(in_class & (district == d))
            if d >= 0:
                d_med, d_mad, d_n = _median_spread(Yr[:, cols])
                use_d = (d_n - 1) >= o_cfg.min_series
            else:
                d_med, d_mad, d_n = c_med, c_mad, c_n
                use_d = np.ones(n_rows, dtype=bool)
            med[:, cols] = np.where(use_d, d_med, c_med)[:, None]
            spread[:, cols] = np.where(use_d, d_mad, c_mad)[:, None]
            n[:, cols] = (np.where(use_d, d_n, c_n) - 1)[:, None]
            local[:, cols] = (use_d & (d >= 0))[:, None]
    gap = np.where(n >= o_cfg.min_series, Y - med, np.nan)
    # The usual gap matters only for outlets far from their group: computed for those columns only.
    floor = np.maximum(np.nan_to_num(spread), o_cfg.min_rel_spread)
    lv = o_cfg.levels.stress
    r = config.persistence.continue_ratio
    far = (
        np.abs(np.nan_to_num(gap)) >= r * np.maximum(lv.pct, 0)
        if lv.pct > 0
        else np.ones_like(gap, dtype=bool)
    )
    far &= np.abs(np.nan_to_num(gap)) / floor >= r * lv.z
    cols = np.flatnonzero(far.any(axis=0))
    usual = np.full(gap.shape, np.nan)
    if cols.size:
        (usual[:, cols],) = anchored_rolling(
            gap[:, cols],
            days,
            window=o_cfg.usual_window_days,
            gap=o_cfg.usual_gap_days,
            min_obs=o_cfg.min_usual_obs,
            quantiles=(0.5,),
        )
    # An outlet without a usual gap is judged only when its group already had prices back then
    # (a new outlet among established ones); at the very start of the data nobody is.
    lag = o_cfg.usual_gap_days + o_cfg.usual_window_days // 2
    group_then = np.zeros_like(n)
    if lag < n_rows:
        group_then[lag:] = n[: n_rows - lag]
    gap = np.where(np.isnan(usual) & (group_then < o_cfg.min_series), np.nan, gap)
    net = gap - np.nan_to_num(usual)
    same_side = np.sign(net) == np.sign(gap)
    dev = np.where(same_side, np.sign(gap) * np.minimum(np.abs(gap), np.abs(net)), 0.0)
    dev = np.where(np.isnan(gap), np.nan, dev)
    z = dev / np.maximum(np.nan_to_num(spread), o_cfg.min_rel_spread)
    return OutlierComparison(dev, z, med, n, gap, usual, local)


def outlying_prices(oc: OutlierComparison, *, config: DetectionConfig) -> np.ndarray:
    """Prices far from their peers that day beyond the outlet's usual gap, in either direction: at
    least ``persistence.continue_ratio`` × the outlier detector's stress level (z and deviation)."""
    lv = config.outlier.levels.stress
    r = config.persistence.continue_ratio
    dev = np.abs(np.nan_to_num(oc.dev))
    z = np.abs(np.nan_to_num(oc.z))
    return (dev >= r * lv.pct) & (z >= r * lv.z)
