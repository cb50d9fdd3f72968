"""All detectors over loaded prices: candidate flags per series and day (no database).

For each commodity and monitored price type the prices are laid on a daily grid (rows = days,
columns = outlets); the Tết-aware baseline, the peer comparisons and the decisions are computed
with vector operations on the grid's recent part; the rules work on the raw prices (times matter
on ceiling adjustment days). The output is one row per series and day that is flagged or that
continues a flag, from the first judged day on, plus stale episodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from binhon.detection.baseline import (
    SeasonProfile,
    baseline,
    nanmedian,
    robust_iqr_sigma,
    season_profile,
    tet_offsets,
)
from binhon.detection.config import DetectionConfig, PriceDetectorConfig
from binhon.detection.decide import decide, own_move
from binhon.detection.panel import PRICE_TYPE_CODES, Catalog, day_of
from binhon.detection.peers import (
    PeerComparison,
    district_deviation,
    outlier_comparison,
    outlying_prices,
    peer_deviation,
    recent,
)
from binhon.detection.rules import StaleEpisode, ceiling_flags, commitment_flags, stale_episodes
from binhon.tet import tet_date

__all__ = [
    "Analysis",
    "Block",
    "CANDIDATE_COLUMNS",
    "CachedProfiles",
    "analyse",
    "column_info",
    "profile_targets",
]

CANDIDATE_COLUMNS = [
    "kind",
    "scope",
    "commodity_id",
    "ptype",
    "outlet_id",
    "district_id",
    "day",
    "raise_ok",
    "severity",
    "score",
    "pct",
    "observed_vnd",
    "expected_vnd",
    "prev_day",
    "k",
    "method",
    "z_hist",
    "z_peer",
    "n_peers",
    "limit_day",
    "limit_minutes",
    "zone",
]


@dataclass
class Block:
    """The daily grid of one commodity and price type: log prices of each outlet."""

    commodity_id: int
    ptype: int
    outlet_ids: np.ndarray
    district: np.ndarray
    classes: np.ndarray
    day0: int
    Y: np.ndarray
    promo: np.ndarray | None = None

    @property
    def days(self) -> np.ndarray:
        """Day numbers of the grid's rows."""
        return self.day0 + np.arange(self.Y.shape[0])


@dataclass
class CachedProfiles:
    """The Tết ramp profiles of one grid (commodity, price type) learned from past seasons.

    ``outlet_ids``: the grid's columns (sorted) the profiles' per-outlet rows belong to;
    ``profiles``: per Tết (its day number), the :class:`~binhon.detection.baseline.SeasonProfile`.
    """

    outlet_ids: np.ndarray
    profiles: dict[int, SeasonProfile]


@dataclass
class Analysis:
    """What the detectors found: flagged rows and stale episodes.

    ``profiles``: the ramp profiles learned in this run from complete past seasons (per commodity
    and price type code), of the Tết seasons from ``keep_profiles_from`` on, to be cached.
    """

    candidates: pd.DataFrame
    stale: list[StaleFound] = field(default_factory=list)
    judged_series: int = 0
    profiles: dict[tuple[int, int], CachedProfiles] = field(default_factory=dict)


def column_info(
    outlet_ids: np.ndarray, catalog: Catalog, config: DetectionConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per grid column (outlet): former district id (-1 unknown), peer class name, promotion flag."""
    info = catalog.outlets.reindex(outlet_ids)
    district = info["district_id"].fillna(-1).to_numpy().astype(np.int64)
    class_names = info["outlet_type"].map(config.peers.classes).fillna(info["outlet_type"]).fillna("?")
    promo = info["outlet_type"].isin(list(config.promotion.outlet_types)).to_numpy()
    return district, class_names.to_numpy().astype(str), promo


def _build_block(
    rows: pd.DataFrame,
    *,
    commodity_id: int,
    ptype: int,
    day0: int,
    last_day: int,
    catalog: Catalog,
    config: DetectionConfig,
    outlet_ids: np.ndarray | None = None,
) -> Block:
    """The grid of ``rows`` from ``day0``.

    Columns: the rows' outlets, or ``outlet_ids`` (sorted, a superset of them: a cached profile's).
    """
    rows = rows.sort_values(["outlet_id", "day", "minutes"]).drop_duplicates(
        ["outlet_id", "day"], keep="last"
    )
    if outlet_ids is None:
        outlet_ids, col = np.unique(rows["outlet_id"].to_numpy(), return_inverse=True)
    else:
        col = np.searchsorted(outlet_ids, rows["outlet_id"].to_numpy())
    Y = np.full((last_day - day0 + 1, outlet_ids.size), np.nan)
    Y[rows["day"].to_numpy() - day0, col] = np.log(rows["price"].to_numpy().astype(float))
    district, class_names, promo = column_info(outlet_ids, catalog, config)
    _, classes = np.unique(class_names, return_inverse=True)
    return Block(commodity_id, ptype, outlet_ids, district, classes.astype(np.int64), day0, Y, promo)


def profile_targets(tail_days: np.ndarray, config: DetectionConfig) -> np.ndarray:
    """Day numbers of the Tết seasons whose ramp profile the judgement of ``tail_days`` needs."""
    t = config.tet
    k, tet = tet_offsets(tail_days)
    return np.unique(tet[(k >= t.reference_window[0]) & (k <= t.profile_end)])


def _profiles(block: Block, tail_days: np.ndarray, config: DetectionConfig) -> dict[int, SeasonProfile]:
    t = config.tet
    targets = profile_targets(tail_days, config)
    out = {}
    n_k = t.profile_end - t.reference_window[0] + 1
    for T in targets:
        year = pd.Timestamp(int(T), unit="D").year
        blocks = []
        for i in range(1, t.past_seasons + 1):
            try:
                Ty = day_of(tet_date(year - i))
            except ValueError:
                continue
            start = Ty + t.reference_window[0] - block.day0
            part = np.full((n_k, block.Y.shape[1]), np.nan)
            lo, hi = max(start, 0), min(start + n_k, block.Y.shape[0])
            if hi > lo:
                part[lo - start : hi - start] = block.Y[lo:hi]
            if not np.all(np.isnan(part)):
                blocks.append(part)
        out[int(T)] = season_profile(blocks, classes=block.classes, config=config, promo=block.promo)
    return out


def _rows(
    kind: str,
    scope: str,
    block: Block,
    mask: np.ndarray,
    *,
    days: np.ndarray,
    dec,
    score,
    pct,
    observed,
    expected,
    ids: np.ndarray,
    districts: np.ndarray,
    k: np.ndarray,
    method=None,
    z_hist=None,
    z_peer=None,
    n_peers=None,
) -> pd.DataFrame:
    r, c = np.nonzero(mask)
    if r.size == 0:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    prev = dec.prev[r, c]

    def pick(a, default=np.nan):
        return a[r, c] if a is not None else np.full(r.size, default)

    return pd.DataFrame(
        {
            "kind": kind,
            "scope": scope,
            "commodity_id": block.commodity_id,
            "ptype": block.ptype,
            "outlet_id": ids[c] if scope == "outlet" else -1,
            "district_id": districts[c],
            "day": days[r],
            "raise_ok": dec.raise_ok[r, c],
            "severity": dec.severity[r, c],
            "score": score[r, c],
            "pct": pct[r, c],
            "observed_vnd": np.rint(observed[r, c]).astype(np.int64),
            "expected_vnd": np.rint(expected[r, c]).astype(np.int64),
            "prev_day": np.where(prev >= 0, days[np.clip(prev, 0, None)], -1),
            "k": k[r],
            "method": pick(method, "") if method is not None else "",
            "z_hist": pick(z_hist),
            "z_peer": pick(z_peer),
            "n_peers": pick(n_peers, -1),
            "limit_day": -1,
            "limit_minutes": -1,
            "zone": 0,
        }
    )


def _two_sided(
    kind_up: str,
    kind_down: str,
    scope: str,
    block: Block,
    *,
    dev,
    z,
    judged,
    cfg_up: PriceDetectorConfig,
    cfg_down: PriceDetectorConfig,
    config: DetectionConfig,
    days,
    first_row: int,
    observed_log,
    ids,
    districts,
    k,
    no_raise_down=None,
    **extra,
) -> list[pd.DataFrame]:
    out = []
    pct_up = np.expm1(dev)
    for kind, cfg, sign in ((kind_up, cfg_up, 1.0), (kind_down, cfg_down, -1.0)):
        if not cfg.enabled or kind is None:
            continue
        zz = sign * z
        pp = pct_up if sign > 0 else -pct_up
        dec = decide(zz, pp, judged, levels=cfg.levels, persistence=config.persistence)
        if sign < 0 and no_raise_down is not None:
            dec.raise_ok = dec.raise_ok & ~no_raise_down
        if scope == "outlet" and config.persistence.own_move:
            # The outlet's own price must have moved that way (not only its peers or its baseline).
            moved = sign * own_move(observed_log, dec.severity >= 1)
            dec.raise_ok = dec.raise_ok & (np.nan_to_num(moved, nan=1.0) > 0)
        mask = dec.cont.copy()
        mask[:first_row] = False
        observed = np.exp(observed_log)
        expected = observed / np.exp(dev)
        out.append(
            _rows(
                kind,
                scope,
                block,
                mask,
                days=days,
                dec=dec,
                score=zz if sign > 0 else z,
                pct=pct_up,
                observed=observed,
                expected=expected,
                ids=ids,
                districts=districts,
                k=k,
                **extra,
            )
        )
    return out


def analyse_block(
    block: Block,
    *,
    tail_start: int,
    judge_from: int,
    context_from: int,
    fuel: bool,
    config: DetectionConfig,
    profiles: dict[int, SeasonProfile] | None = None,
) -> list[pd.DataFrame]:
    """Spike, drop, outlier, district and province candidates of one grid.

    ``profiles``: the ramp profiles of the Tết seasons the grid's tail reaches (learned from the
    grid's past seasons when not given).
    """
    t0 = tail_start - block.day0
    Y = block.Y[t0:]
    days = block.days[t0:]
    n, S = Y.shape
    if n == 0 or S == 0:
        return []
    if profiles is None:
        profiles = _profiles(block, days, config)
    outlying = outlying_prices(
        outlier_comparison(Y, block.classes, block.district, days=days, config=config), config=config
    )
    base = baseline(
        Y,
        days,
        profiles=profiles,  # type: ignore[arg-type]
        classes=block.classes,
        config=config,
        promo=block.promo,
        outlying=outlying,
    )
    # Promotion prices (short dips at outlet types that run promotions) raise no fall and are left
    # out of every comparison with peers (so one store's promotion does not move its district).
    dip = base.promo_dip
    e_cmp = np.where(dip, np.nan, base.e)
    first_row = max(0, judge_from - int(days[0]))
    ctx_row = max(0, context_from - int(days[0]))
    observed_now = ~np.isnan(Y)
    active = np.zeros(n, dtype=bool)
    active[ctx_row:] = True
    out: list[pd.DataFrame] = []
    h = config.history
    floor = max(h.min_rel_spread, config.spike.min_rel_spread)
    ids = block.outlet_ids
    k = base.k
    # --- series: spike / drop --------------------------------------------------------------------
    if not (fuel and config.spike.skip_fuel) and (config.spike.enabled or config.drop.enabled):
        # Peers' medians on the rows judged and on the days their spread is learned from.
        lo = max(0, ctx_row - config.peers.max_age_days - h.spread_window_days - h.spread_gap_days - 6)
        part = peer_deviation(
            e_cmp[lo:], block.district, config=config, regime=base.in_ramp[lo:], classes=block.classes
        )
        peers = PeerComparison(
            *(
                np.vstack([np.full((lo, S), np.nan if a.dtype.kind == "f" else 0), a])
                for a in (part.u, part.m, part.n, part.xs)
            )
        )
        has_peer = ~np.isnan(peers.u)
        sigma = np.maximum(np.nan_to_num(base.sigma), floor)
        ramp = base.in_ramp[:, None]
        # The spread of the deviation net of peers, learned like the series' own spread (outside
        # ramps, promotions and outlying prices): the movements all outlets share (random walk)
        # cancel in it, so it is the right denominator for that deviation.
        u_spread = robust_iqr_sigma(
            np.where(ramp | dip | outlying, np.nan, peers.u),
            window=h.spread_window_days,
            gap=h.spread_gap_days,
            min_obs=h.min_spread_obs,
            days=days,
        )
        u_spread = np.maximum(np.fmax(u_spread, base.tick_floor), floor)
        sigma_u = np.where(np.isnan(u_spread), sigma, u_spread)
        sigma_peer = np.where(ramp, np.maximum(sigma_u, np.nan_to_num(peers.xs)), sigma_u)
        ramp_spread = np.hypot(np.maximum(base.tau, config.tet.min_spread), base.drift)
        sigma_hist = np.where(ramp, np.maximum(sigma, ramp_spread), sigma)
        dev = np.where(has_peer, peers.u, np.where(base.has_profile, base.e, np.nan))
        z = dev / np.where(has_peer, sigma_peer, sigma_hist)
        z_hist = np.where(base.has_profile, base.e / sigma_hist, np.nan)
        z_peer = np.where(has_peer, peers.u / sigma_peer, np.nan)
        judged = observed_now & base.judgeable & active[:, None]
        method = np.where(has_peer, "peers", "history")
        out += _two_sided(
            "spike",
            "drop",
            "outlet",
            block,
            dev=dev,
            z=z,
            judged=judged,
            cfg_up=config.spike,
            cfg_down=config.drop,
            config=config,
            days=days,
            first_row=first_row,
            observed_log=Y,
            ids=ids,
            districts=block.district,
            k=k,
            method=method,
            z_hist=z_hist,
            z_peer=z_peer,
            n_peers=peers.n,
            no_raise_down=dip,
        )
    # --- district --------------------------------------------------------------------------------
    dcfg = config.district
    if dcfg.enabled and not (fuel and dcfg.skip_fuel):
        dd = district_deviation(e_cmp, block.district, config=config, regime=base.in_ramp)
        if dd.districts.size:
            in_ramp = base.in_ramp
            masked = pd.DataFrame(np.where(in_ramp[:, None], np.nan, dd.v))
            sig = robust_iqr_sigma(
                masked,
                window=h.spread_window_days,
                gap=h.spread_gap_days,
                min_obs=h.min_spread_obs,
                days=days,
            )
            sig = np.maximum(np.nan_to_num(sig), dcfg.min_rel_spread)
            # A median of rounded prices moves by their step: not judged finer than the step.
            tick = np.column_stack(
                [nanmedian(base.tick_floor[:, block.district == d], axis=1) for d in dd.districts]
            )
            sig = np.fmax(sig, tick)
            sig = np.where(in_ramp[:, None], np.maximum(sig, np.nan_to_num(dd.across)[:, None]), sig)
            z = dd.v / sig
            judged = (dd.n_today >= 1) & ~np.isnan(dd.v) & active[:, None]
            Yr = recent(Y, config.peers.max_age_days)
            obs_med = np.column_stack([nanmedian(Yr[:, block.district == d], axis=1) for d in dd.districts])
            cfg_drop = dcfg.model_copy(update={"levels": config.drop.levels}) if config.drop.enabled else None
            out += _two_sided(
                "spike",
                "drop" if cfg_drop else None,
                "district",
                block,
                dev=dd.v,
                z=z,
                judged=judged,
                cfg_up=dcfg,
                cfg_down=cfg_drop or dcfg,
                config=config,
                days=days,
                first_row=first_row,
                observed_log=obs_med,
                ids=dd.districts,
                districts=dd.districts,
                k=k,
                n_peers=dd.n,
            )
    # --- province --------------------------------------------------------------------------------
    pcfg = config.province
    if pcfg.enabled and not (fuel and pcfg.skip_fuel):
        E = recent(np.where(base.has_profile, e_cmp, np.nan), config.peers.max_age_days, base.in_ramp)
        count = np.sum(~np.isnan(E), axis=1)
        p = np.where(count >= pcfg.min_series, nanmedian(E, axis=1), np.nan)
        in_ramp = base.in_ramp
        masked = pd.DataFrame(np.where(in_ramp, np.nan, p)[:, None])
        sig = robust_iqr_sigma(
            masked, window=h.spread_window_days, gap=h.spread_gap_days, min_obs=h.min_spread_obs, days=days
        )[:, 0]
        sig = np.fmax(np.maximum(np.nan_to_num(sig), pcfg.min_rel_spread), nanmedian(base.tick_floor, axis=1))
        tau = np.hypot(
            np.maximum(np.nan_to_num(base.tau_province), config.tet.min_spread), base.drift_province
        )
        sig = np.where(in_ramp, np.maximum(sig, tau), sig)
        judged = ((np.sum(observed_now, axis=1) >= 1) & ~np.isnan(p) & active)[:, None]
        Yr = recent(Y, config.peers.max_age_days)
        obs_med = nanmedian(Yr, axis=1)[:, None]
        cfg_drop = pcfg.model_copy(update={"levels": config.drop.levels}) if config.drop.enabled else None
        out += _two_sided(
            "spike",
            "drop" if cfg_drop else None,
            "province",
            block,
            dev=p[:, None],
            z=(p / sig)[:, None],
            judged=judged,
            cfg_up=pcfg,
            cfg_down=cfg_drop or pcfg,
            config=config,
            days=days,
            first_row=first_row,
            observed_log=obs_med,
            ids=np.array([-1]),
            districts=np.array([-1]),
            k=k,
            n_peers=count[:, None],
        )
    # --- outlet outlier --------------------------------------------------------------------------
    ocfg = config.outlier
    if ocfg.enabled and not (fuel and ocfg.skip_fuel):
        oc = outlier_comparison(
            np.where(dip, np.nan, Y), block.classes, block.district, days=days, config=config
        )
        judged = observed_now & ~np.isnan(oc.gap) & active[:, None]
        pct = np.expm1(oc.dev)
        for sign in (1.0, -1.0):
            dec = decide(
                sign * oc.z,
                sign * pct if sign > 0 else -pct,
                judged,
                levels=ocfg.levels,
                persistence=config.persistence,
            )
            mask = dec.cont.copy()
            mask[:first_row] = False
            observed = np.exp(Y)
            expected = observed / np.exp(oc.dev)
            frame = _rows(
                "outlet_outlier",
                "outlet",
                block,
                mask,
                days=days,
                dec=dec,
                score=oc.z,
                pct=pct,
                observed=observed,
                expected=expected,
                ids=ids,
                districts=block.district,
                k=k,
                n_peers=oc.n,
                method=np.where(oc.local, "district", "province"),
            )
            if not frame.empty:
                r, c = np.nonzero(mask)
                frame["expected_vnd"] = np.rint(np.exp(oc.median[r, c])).astype(np.int64)
            out.append(frame)
    return out


def _rule_rows(kind: str, flags: pd.DataFrame, catalog: Catalog, judge_from: int) -> pd.DataFrame:
    if flags.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    f = flags[(flags["breach"]) & (flags["day"] >= judge_from)]
    if f.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    k, _ = tet_offsets(f["day"].to_numpy())
    return pd.DataFrame(
        {
            "kind": kind,
            "scope": "outlet",
            "commodity_id": f["commodity_id"].to_numpy(),
            "ptype": PRICE_TYPE_CODES["retail"],
            "outlet_id": f["outlet_id"].to_numpy(),
            "district_id": catalog.outlets["district_id"]
            .reindex(f["outlet_id"])
            .fillna(-1)
            .to_numpy()
            .astype(np.int64),
            "day": f["day"].to_numpy(),
            "raise_ok": True,
            "severity": f["severity"].to_numpy(),
            "score": f["pct"].to_numpy(),
            "pct": f["pct"].to_numpy(),
            "observed_vnd": f["observed_vnd"].to_numpy().astype(np.int64),
            "expected_vnd": f["limit_vnd"].to_numpy().astype(np.int64),
            "prev_day": f["prev_day"].to_numpy(),
            "k": k,
            "method": "rule",
            "z_hist": np.nan,
            "z_peer": np.nan,
            "n_peers": -1,
            "limit_day": f["limit_day"].to_numpy(),
            "limit_minutes": f["limit_minutes"].to_numpy(),
            "zone": f["zone"].to_numpy(),
        }
    )


@dataclass
class StaleFound:
    """A stale episode of one series, with the series' last price before the silence."""

    commodity_id: int
    ptype: int
    outlet_id: int
    observed_vnd: int
    episode: StaleEpisode


_STATE: dict[str, object] = {}


GroupOutput = tuple[list[pd.DataFrame], list["StaleFound"], int, CachedProfiles | None]


def _analyse_group(key: tuple[int, int]) -> GroupOutput:
    """Every grid detector and the stale rule on one commodity and price type."""
    st = _STATE
    rows: pd.DataFrame = st["groups"][key]  # type: ignore[index]
    catalog: Catalog = st["catalog"]  # type: ignore[assignment]
    config: DetectionConfig = st["config"]  # type: ignore[assignment]
    day0, last_day, tail_start, judge_from, context_from = st["days"]  # type: ignore[misc]
    cached: CachedProfiles | None = st["cached"].get(key)  # type: ignore[attr-defined]
    keep_from: int | None = st["keep_from"]  # type: ignore[assignment]
    cid, pt = key
    block = _build_block(
        rows,
        commodity_id=cid,
        ptype=pt,
        day0=day0,
        last_day=last_day,
        catalog=catalog,
        config=config,
        outlet_ids=cached.outlet_ids if cached is not None else None,
    )
    fuel = bool(catalog.commodities.at[cid, "fuel"]) if cid in catalog.commodities.index else False
    start = max(tail_start, day0)
    learned: CachedProfiles | None = None
    if cached is not None:
        profiles = cached.profiles
    else:
        profiles = _profiles(block, block.days[start - block.day0 :], config)
        if keep_from is not None:
            kept = {T: p for T, p in profiles.items() if T + config.tet.profile_end >= keep_from}
            if kept:
                learned = CachedProfiles(block.outlet_ids, kept)
    frames = analyse_block(
        block,
        tail_start=start,
        judge_from=judge_from,
        context_from=context_from,
        fuel=fuel,
        config=config,
        profiles=profiles,
    )
    found: list[StaleFound] = []
    if config.stale.enabled:
        t0 = max(tail_start, day0) - block.day0
        days = block.days[t0:]
        suspended = {}
        sus = catalog.suspensions
        if not sus.empty:
            for col, oid in enumerate(block.outlet_ids):
                mine = sus[sus["outlet_id"] == oid]
                if not mine.empty:
                    mask = np.zeros(days.size, dtype=bool)
                    for a, b in zip(mine["start_day"], mine["end_day"], strict=True):
                        mask |= (days >= a) & (days <= b)
                    suspended[col] = mask
        active_to = catalog.outlets["active_to_day"].reindex(block.outlet_ids).to_numpy()
        for ep in stale_episodes(
            ~np.isnan(block.Y[t0:]),
            days,
            judge_from=judge_from,
            config=config,
            suspended=suspended,
            active_to=active_to,
        ):
            price = int(round(float(np.exp(block.Y[ep.last_obs_day - block.day0, ep.column]))))
            found.append(StaleFound(cid, pt, int(block.outlet_ids[ep.column]), price, ep))
    return [f for f in frames if not f.empty], found, int(block.Y.shape[1]), learned


def _work(keys: list[tuple[int, int]]) -> list[tuple[tuple[int, int], GroupOutput]]:
    return [(k, _analyse_group(k)) for k in keys]


def analyse(
    obs: pd.DataFrame,
    catalog: Catalog,
    *,
    last_day: int,
    tail_start: int,
    judge_from: int,
    config: DetectionConfig,
    workers: int = 1,
    cached: dict[tuple[int, int], CachedProfiles] | None = None,
    keep_profiles_from: int | None = None,
    grid_from: int | None = None,
    rule_obs: pd.DataFrame | None = None,
) -> Analysis:
    """Run every detector on loaded prices; rows from ``judge_from`` (day number) to ``last_day``.

    With ``workers`` > 1 the commodities are shared among forked worker processes (Linux); the
    result is the same as with one. ``cached``: ramp profiles learned earlier, per (commodity,
    price type code) — those grids then need no past seasons in ``obs``; the others' profiles are
    learned from ``obs`` and, for the Tết seasons ending (``tet.profile_end``) on or after
    ``keep_profiles_from``, returned in :attr:`Analysis.profiles`. ``grid_from``: the grids start
    no later than this day. ``rule_obs``: further rows for the rule detectors only (older limits).
    """
    context_from = judge_from - config.context_days
    frames: list[pd.DataFrame] = []
    result = Analysis(pd.DataFrame(columns=CANDIDATE_COLUMNS))
    if obs.empty:
        return result
    day0 = int(obs["day"].min())
    if grid_from is not None:
        day0 = min(day0, grid_from)
    monitored = [PRICE_TYPE_CODES[p] for p in config.history.price_types]
    series_obs = obs[obs["ptype"].isin(monitored)]
    # The rows of each (commodity, price type), in their loaded order (a stable sort, then slices).
    group = series_obs["commodity_id"].to_numpy().astype(np.int64) * 4 + series_obs["ptype"].to_numpy()
    order = np.argsort(group, kind="stable")
    series_obs = series_obs.iloc[order]
    keys, starts = np.unique(group[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    groups = {
        (int(k) // 4, int(k) % 4): series_obs.iloc[a:b] for k, a, b in zip(keys, starts, ends, strict=True)
    }
    _STATE.update(
        groups=groups,
        catalog=catalog,
        config=config,
        days=(day0, last_day, tail_start, judge_from, context_from),
        cached=cached or {},
        keep_from=keep_profiles_from,
    )
    keys = sorted(groups, key=lambda k: -len(groups[k]))
    outputs: list[tuple[tuple[int, int], GroupOutput]] = []
    try:
        if workers > 1 and len(keys) > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            chunks = [keys[i::workers] for i in range(workers)]
            with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
                for part in pool.map(_work, chunks):
                    outputs.extend(part)
        else:
            outputs = _work(keys)
    finally:
        _STATE.clear()
    for key, (f, found, n, learned) in outputs:
        frames += f
        result.stale.extend(found)
        result.judged_series += n
        if learned is not None:
            result.profiles[key] = learned
    if rule_obs is not None and not rule_obs.empty:
        obs = pd.concat([rule_obs, obs], ignore_index=True)
    frames.append(
        _rule_rows("ceiling_breach", ceiling_flags(obs, catalog, config=config), catalog, judge_from)
    )
    frames.append(_rule_rows("commitment_breach", commitment_flags(obs, config=config), catalog, judge_from))
    frames = [f for f in frames if not f.empty]
    if frames:
        result.candidates = pd.concat(frames, ignore_index=True)
        sort_cols = ["kind", "scope", "commodity_id", "ptype", "outlet_id", "district_id", "day"]
        result.candidates = result.candidates.sort_values(sort_cols, kind="stable").reset_index(drop=True)
    result.stale.sort(key=lambda f: (f.commodity_id, f.ptype, f.outlet_id, f.episode.first_day))
    return result
