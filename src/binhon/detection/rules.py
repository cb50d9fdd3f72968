"""Rule detectors: official ceiling, bình ổn commitment, series gone quiet. No database.

*Ceiling (kind ``ceiling_breach``).* Ceilings are ``ceiling`` prices stored at outlets of the
types in ``ceiling.source_outlet_types`` (official sources), per fuel zone (the observation's
zone; a ceiling without a zone applies to both zones, a zoned one wins at the same moment). A
ceiling is in force from its date and time — ``ceiling.change_time`` (15:00) when the time is not
given — until the next one. A retail price of the commodity at another outlet whose zone is known
(the observation's, else the outlet's) is compared with the ceiling in force at its date and time.
On a day the ceiling changes, a price whose time is known is judged against the ceiling on its
side of the change; a price without a time is not judged (``ambiguous: skip``) or is judged
against the higher of the two (``ambiguous: higher``). A breach is a price above the ceiling by
more than ``tolerance_vnd``; it raises an alert the same day.

*Commitment (kind ``commitment_breach``).* A ``committed`` price of a commodity at an outlet (a
bình ổn participant) is in force from its date until the next committed price of the same
outlet and commodity (or for ``commitment.max_age_days``). A retail price of that outlet above it by
more than ``tolerance_pct`` is a breach, raised the same day.

*Stale (kind ``stale``).* A series (outlet, commodity, monitored price type) with at least
``stale.min_observations`` prices over the past ``stale.lookback_days`` has a usual interval: the
``gap_quantile`` quantile of the gaps between them. It is stale on the first day its silence, in
days that count, exceeds max(``min_silent_days``, ``factor`` × usual interval,
``max_gap_factor`` × the longest gap over the look-back: a series whose ordinary gaps already
include such silences is not stale). Days when markets
close around Tết (``tet_closure``, days to Tết) and days the outlet is suspended do not count; an
outlet past its ``active_to`` date is no longer monitored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from binhon.detection.baseline import anchored_rolling, tet_offsets
from binhon.detection.config import DetectionConfig, RuleLevels, StaleLevels
from binhon.detection.panel import PRICE_TYPE_CODES, Catalog

__all__ = ["StaleEpisode", "ceiling_flags", "commitment_flags", "rule_severity", "stale_episodes"]

RETAIL = PRICE_TYPE_CODES["retail"]
CEILING = PRICE_TYPE_CODES["ceiling"]
COMMITTED = PRICE_TYPE_CODES["committed"]
MINUTES_PER_DAY = 1440

RULE_COLUMNS = [
    "commodity_id",
    "outlet_id",
    "day",
    "breach",
    "severity",
    "pct",
    "observed_vnd",
    "limit_vnd",
    "limit_day",
    "limit_minutes",
    "zone",
    "prev_day",
]


def rule_severity(pct: np.ndarray, levels: RuleLevels | StaleLevels) -> np.ndarray:
    """1..3 by the first level ``pct`` strictly exceeds (stress: > stress limit)."""
    sev = np.zeros(np.shape(pct), dtype=np.int8)
    for i, lv in enumerate((levels.stress, levels.alert, levels.crisis), start=1):
        sev = np.where(pct > lv if i == 1 else pct >= lv, np.int8(i), sev)
    return sev


def _hhmm(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:5])


def _day_rows(judged: pd.DataFrame) -> pd.DataFrame:
    """One row per (commodity, outlet, day): the worst price of the day; prev judged day per series."""
    judged = judged.sort_values(["commodity_id", "outlet_id", "day", "pct"])
    per_day = judged.drop_duplicates(["commodity_id", "outlet_id", "day"], keep="last").copy()
    per_day["breach"] = per_day.groupby(["commodity_id", "outlet_id", "day"])["breach"].transform("max")
    prev = per_day.groupby(["commodity_id", "outlet_id"])["day"].shift(1)
    per_day["prev_day"] = prev.fillna(-1).astype(np.int64)
    return per_day


def ceiling_flags(obs: pd.DataFrame, catalog: Catalog, *, config: DetectionConfig) -> pd.DataFrame:
    """Every judged retail price of a ceiling-regulated commodity, per outlet and day, with breaches."""
    c = config.ceiling
    outlets = catalog.outlets
    if obs.empty or not c.enabled:
        return pd.DataFrame(columns=RULE_COLUMNS)
    otype = outlets["outlet_type"].reindex(obs["outlet_id"]).to_numpy()
    source = np.isin(otype, list(c.source_outlet_types))
    ceil = obs[(obs["ptype"].to_numpy() == CEILING) & source]
    if ceil.empty:
        return pd.DataFrame(columns=RULE_COLUMNS)
    change = _hhmm(c.change_time)
    retail_mask = (
        (obs["ptype"].to_numpy() == RETAIL)
        & ~source
        & obs["commodity_id"].isin(ceil["commodity_id"]).to_numpy()
    )
    retail = obs[retail_mask].copy()
    zone = retail["zone"].to_numpy().astype(float)
    outlet_zone = outlets["zone"].reindex(retail["outlet_id"]).to_numpy()
    retail["zone_eff"] = np.where(zone > 0, zone, outlet_zone)
    retail = retail[retail["zone_eff"].isin([1, 2])]
    out = []
    for (cid, z), group in retail.groupby(["commodity_id", "zone_eff"], sort=False):
        ev = ceil[(ceil["commodity_id"] == cid) & ceil["zone"].isin([0, int(z)])].copy()
        if ev.empty:
            continue
        ev["minutes_eff"] = np.where(ev["minutes"] >= 0, ev["minutes"], change)
        ev["key"] = ev["day"].astype(np.int64) * MINUTES_PER_DAY + ev["minutes_eff"]
        ev["specific"] = (ev["zone"] > 0).astype(int)
        ev = ev.sort_values(["key", "specific", "price"]).drop_duplicates("key", keep="last")
        keys = ev["key"].to_numpy()
        vals = ev["price"].to_numpy()
        ev_days = ev["day"].to_numpy()
        ev_minutes = ev["minutes_eff"].to_numpy()
        d = group["day"].to_numpy().astype(np.int64)
        m = group["minutes"].to_numpy().astype(np.int64)
        first_today = np.searchsorted(ev_days, d, side="left")
        after_today = np.searchsorted(ev_days, d, side="right")
        adjusted = after_today > first_today
        known_key = d * MINUTES_PER_DAY + np.where(m >= 0, m, 0)
        idx_known = np.searchsorted(keys, known_key, side="right") - 1
        idx_before = first_today - 1
        idx = np.where(m >= 0, idx_known, idx_before)
        limit = np.where(idx >= 0, vals[np.clip(idx, 0, None)], -1).astype(np.int64)
        ambiguous = adjusted & (m < 0)
        if c.ambiguous == "higher":
            day_max = np.array(
                [vals[a:b].max() if b > a else -1 for a, b in zip(first_today, after_today, strict=True)],
                dtype=np.int64,
            )
            limit = np.where(ambiguous, np.maximum(limit, day_max), limit)
            idx = np.where(ambiguous, after_today - 1, idx)
            valid = limit > 0
        else:
            valid = (limit > 0) & ~ambiguous
        g = group[valid].copy()
        lim = limit[valid]
        ii = idx[valid]
        g["limit_vnd"] = lim
        g["limit_day"] = ev_days[np.clip(ii, 0, None)]
        g["limit_minutes"] = ev_minutes[np.clip(ii, 0, None)]
        g["pct"] = g["price"].to_numpy() / lim - 1.0
        g["breach"] = g["price"].to_numpy() > lim + c.tolerance_vnd
        g["zone"] = int(z)
        out.append(g)
    if not out:
        return pd.DataFrame(columns=RULE_COLUMNS)
    judged = pd.concat(out, ignore_index=True)
    per_day = _day_rows(judged)
    per_day["severity"] = np.where(per_day["breach"], rule_severity(per_day["pct"].to_numpy(), c.levels), 0)
    per_day["observed_vnd"] = per_day["price"]
    return per_day[RULE_COLUMNS].reset_index(drop=True)


def commitment_flags(obs: pd.DataFrame, *, config: DetectionConfig) -> pd.DataFrame:
    """Every retail price of an outlet with a committed price in force, per day, with breaches."""
    c = config.commitment
    if obs.empty or not c.enabled:
        return pd.DataFrame(columns=RULE_COLUMNS)
    ptype = obs["ptype"].to_numpy()
    com = obs[ptype == COMMITTED][["commodity_id", "outlet_id", "day", "price"]]
    if com.empty:
        return pd.DataFrame(columns=RULE_COLUMNS)
    com = com.sort_values(["day", "price"]).drop_duplicates(["commodity_id", "outlet_id", "day"], keep="last")
    com = com.rename(columns={"price": "limit_vnd", "day": "limit_day"})
    keys = com[["commodity_id", "outlet_id"]].drop_duplicates()
    retail = obs[ptype == RETAIL].merge(keys, on=["commodity_id", "outlet_id"])
    if retail.empty:
        return pd.DataFrame(columns=RULE_COLUMNS)
    retail = retail.sort_values("day")
    com = com.sort_values("limit_day")
    retail["day64"] = retail["day"].astype(np.int64)
    com["day64"] = com["limit_day"].astype(np.int64)
    merged = pd.merge_asof(
        retail,
        com.drop(columns=["limit_day"]).assign(limit_day=com["limit_day"].to_numpy()),
        on="day64",
        by=["commodity_id", "outlet_id"],
        direction="backward",
    )
    merged = merged[merged["limit_vnd"].notna()].copy()
    if c.max_age_days is not None:
        merged = merged[merged["day"] - merged["limit_day"] <= c.max_age_days]
    if merged.empty:
        return pd.DataFrame(columns=RULE_COLUMNS)
    lim = merged["limit_vnd"].to_numpy().astype(np.int64)
    merged["limit_vnd"] = lim
    merged["limit_day"] = merged["limit_day"].astype(np.int64)
    merged["limit_minutes"] = -1
    merged["pct"] = merged["price"].to_numpy() / lim - 1.0
    merged["breach"] = merged["pct"].to_numpy() > c.tolerance_pct
    merged["zone"] = 0
    per_day = _day_rows(merged)
    per_day["severity"] = np.where(per_day["breach"], rule_severity(per_day["pct"].to_numpy(), c.levels), 0)
    per_day["observed_vnd"] = per_day["price"]
    return per_day[RULE_COLUMNS].reset_index(drop=True)


@dataclass
class StaleEpisode:
    """A silence: last price on ``last_obs_day``, stale from ``first_day`` to ``last_day``."""

    column: int
    last_obs_day: int
    first_day: int
    last_day: int
    threshold_days: float
    usual_days: float
    silent_days: int
    severity: int
    silent_at_first: int


def counted_days(
    days: np.ndarray, *, config: DetectionConfig, suspended: np.ndarray | None = None
) -> np.ndarray:
    """1 for days that count as silent (not a Tết closure day, not suspended), else 0."""
    k, _ = tet_offsets(days)
    lo, hi = config.stale.tet_closure
    count = ~((k >= lo) & (k <= hi))
    if suspended is not None:
        count &= ~suspended
    return count.astype(np.int64)


def stale_episodes(
    observed: np.ndarray,
    days: np.ndarray,
    *,
    judge_from: int,
    config: DetectionConfig,
    suspended: dict[int, np.ndarray] | None = None,
    active_to: np.ndarray | None = None,
) -> list[StaleEpisode]:
    """Stale episodes of the grid's series that reach a day ≥ ``judge_from`` (day number).

    ``observed`` (n_days, S) is True where a series has a price; ``days`` the grid's day numbers;
    ``suspended`` maps a column to a bool mask of its suspended days; ``active_to`` per column the
    last monitored day number (NaN: open-ended).
    """
    s = config.stale
    n, S = observed.shape
    if n == 0 or S == 0:
        return []
    rows = np.arange(n)
    last_obs_row = np.where(observed, rows[:, None], -1)
    last_obs_row = np.maximum.accumulate(last_obs_row, axis=0)
    prev_row = np.full((n, S), -1)
    prev_row[1:] = last_obs_row[:-1]
    gaps = np.where(observed & (prev_row >= 0), rows[:, None] - prev_row, np.nan)
    # Only series with a silence longer than the smallest possible threshold need their cadence.
    nxt_gap = np.full((n, S), np.nan)
    judge_row = judge_from - int(days[0])
    candidates = np.zeros(S, dtype=bool)
    for col in range(S):
        obs_rows = np.flatnonzero(observed[:, col])
        if obs_rows.size:
            nxt = np.append(obs_rows[1:], n)
            long = (nxt - obs_rows - 1 > s.min_silent_days) & (nxt - 1 >= judge_row)
            candidates[col] = bool(long.any())
    del nxt_gap
    q = np.full((n, S), np.nan)
    longest = np.full((n, S), np.nan)
    cols = np.flatnonzero(candidates)
    if cols.size:
        qs = (s.gap_quantile, 1.0) if s.max_gap_factor > 0 else (s.gap_quantile,)
        rolled = anchored_rolling(
            gaps[:, cols],
            days,
            window=s.lookback_days,
            gap=0,
            min_obs=s.min_observations - 1,
            quantiles=qs,
        )
        q[:, cols] = rolled[0]
        if s.max_gap_factor > 0:
            longest[:, cols] = rolled[1]
    # Silent longer than factor × the usual interval and than max_gap_factor × the longest gap seen.
    threshold = np.fmax(np.maximum(s.min_silent_days, s.factor * q), s.max_gap_factor * longest)
    threshold = np.where(np.isnan(q), np.nan, threshold)
    base_count = counted_days(days, config=config)
    episodes: list[StaleEpisode] = []
    last_day = int(days[-1])
    for col in cols:
        obs_rows = np.flatnonzero(observed[:, col])
        if obs_rows.size == 0:
            continue
        nxt = np.append(obs_rows[1:], n)  # n: still silent at the end of the grid
        length = nxt - obs_rows - 1
        thr = threshold[obs_rows, col]
        cand = np.flatnonzero(~np.isnan(thr) & (length > thr) & (nxt - 1 >= judge_row))
        if cand.size == 0:
            continue
        counts = base_count
        if suspended is not None and col in suspended:
            counts = base_count * (~suspended[col]).astype(np.int64)
        end_row = n - 1
        if active_to is not None and not np.isnan(active_to[col]):
            end_row = min(end_row, int(active_to[col]) - int(days[0]))
        for i in cand:
            a, b = obs_rows[i], nxt[i]
            stop = min(b - 1, end_row)
            if stop <= a:
                continue
            silent = np.cumsum(counts[a + 1 : stop + 1])
            over = np.flatnonzero(silent > thr[i])
            if over.size == 0:
                continue
            first = a + 1 + over[0]
            if stop < judge_row:
                continue
            total = int(silent[-1])
            ratio = total / thr[i]
            sev = int(rule_severity(np.array([ratio]), s.levels)[0]) or 1
            episodes.append(
                StaleEpisode(
                    column=col,
                    last_obs_day=int(days[a]),
                    first_day=int(days[first]),
                    last_day=min(int(days[stop]), last_day),
                    threshold_days=float(thr[i]),
                    usual_days=float(q[a, col]),
                    silent_days=total,
                    severity=sev,
                    silent_at_first=int(silent[over[0]]),
                )
            )
    return episodes
