"""`binhon detect`: run every detector over the stored prices, causally, and keep alerts frozen.

A run as of D judges every day from the day after the latest as-of date already judged (the first
run: every stored day, or ``run.first_run_days``) up to D; days up to ``run.late_data_days`` back
are judged again when prices dated there were stored since the previous run. The judgement of a
day t uses only prices dated ≤ t, and only those within ``DetectionConfig.lookback_days`` of t
plus the past Tết seasons the ramp profile learns from — so an incremental run loads a bounded
window and reproduces exactly what a full run computes.

An incremental run reads the recent window (by the covering date index), the official ceilings and
committed prices dated before it (a limit stays in force until replaced), and the ramp profiles
cached by earlier runs (:mod:`binhon.detection.profiles`); only the grids whose cached profile is
missing or no longer valid (a price corrected or back-filled in a past season, a new outlet, a new
Tết season, another configuration) load their past seasons and learn it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import Alert, DetectionRun, Observation, utcnow
from binhon.detection.alps import indicators, monthly_means
from binhon.detection.analysis import Analysis, CachedProfiles, analyse
from binhon.detection.baseline import tet_offsets
from binhon.detection.config import DetectionConfig, load_detection_config
from binhon.detection.explain import (
    explain_ceiling,
    explain_commitment,
    explain_outlier,
    explain_price,
    explain_stale,
    tet_phrase,
)
from binhon.detection.panel import (
    PRICE_TYPE_CODES,
    Catalog,
    date_of,
    date_span_since,
    day_of,
    earliest_date_since,
    earliest_observation_date,
    latest_observation_date,
    load_catalog,
    load_limits,
    load_observations,
    max_observation_id,
)
from binhon.detection.profiles import ProfileCache, needed_targets
from binhon.detection.rules import counted_days
from binhon.detection.store import PTYPE_NAMES, Reconciler, series_key
from binhon.tet import PHASE_LABELS, TetWindows, tet_date, tet_phase

log = logging.getLogger(__name__)

__all__ = ["DetectionRunResult", "run_detection"]

DETECTORS = {
    ("spike", "outlet"): "tet_baseline",
    ("drop", "outlet"): "tet_baseline",
    ("spike", "district"): "district_baseline",
    ("drop", "district"): "district_baseline",
    ("spike", "province"): "province_baseline",
    ("drop", "province"): "province_baseline",
    ("outlet_outlier", "outlet"): "peer_outlier",
    ("ceiling_breach", "outlet"): "ceiling_rule",
    ("commitment_breach", "outlet"): "commitment_rule",
}
OUTLET_TYPE_LABELS = {
    "market": "chợ",
    "supermarket": "siêu thị",
    "convenience": "cửa hàng tiện lợi",
    "enterprise": "doanh nghiệp",
    "petrol": "cửa hàng xăng dầu",
    "official": "nguồn chính thức",
}


@dataclass
class DetectionRunResult:
    """What a run did.

    ``run_id``: the stored :class:`~binhon.db.models.DetectionRun`; ``as_of``: the last day judged;
    ``judged_from``/``judged_to``: the days judged (None when there was nothing new to judge);
    ``raised``/``extended``: alerts raised by this run and earlier alerts it extended;
    ``raised_by_kind``: raised alerts per kind; ``raised_ids``: their ids; ``series``: series on
    the grids; ``observations``: prices loaded; ``seconds``: wall time.
    """

    run_id: int
    as_of: dt.date | None
    judged_from: dt.date | None
    judged_to: dt.date | None
    raised: int = 0
    extended: int = 0
    raised_by_kind: dict[str, int] = field(default_factory=dict)
    raised_ids: list[int] = field(default_factory=list)
    series: int = 0
    observations: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _merge(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _season_ranges(
    tail_start: dt.date, as_of: dt.date, config: DetectionConfig
) -> list[tuple[dt.date, dt.date]]:
    """Windows of the past Tết seasons the profiles of the seasons touching the tail learn from."""
    t = config.tet
    days = np.arange(day_of(tail_start), day_of(as_of) + 1)
    k, tet = tet_offsets(days)
    targets = np.unique(tet[(k >= t.reference_window[0]) & (k <= t.profile_end)])
    ranges = []
    for T in targets:
        year = date_of(int(T)).year
        for i in range(1, t.past_seasons + 1):
            try:
                ty = tet_date(year - i)
            except ValueError:
                continue
            ranges.append(
                (ty + dt.timedelta(days=t.reference_window[0]), ty + dt.timedelta(days=t.profile_end))
            )
    return ranges


class _Describer:
    """Explanation, detector name and details of a new alert from its candidate row."""

    def __init__(self, catalog: Catalog, config: DetectionConfig) -> None:
        self.catalog = catalog
        self.config = config
        self.window = (config.tet.reference_window[0], config.tet.profile_end)
        self.phase_windows = TetWindows()

    def place(self, row: pd.Series) -> str:
        scope = row["scope"]
        if scope == "outlet":
            return f"tại {self.catalog.outlets.at[int(row['outlet_id']), 'name']}"
        n = int(row["n_peers"]) if not pd.isna(row["n_peers"]) else 0
        if scope == "district":
            return f"ở {self.catalog.area_name(int(row['district_id']))} (trung vị {n} điểm bán)"
        return f"toàn tỉnh (trung vị {n} điểm bán)"

    def __call__(self, row: pd.Series, key: str) -> tuple[str, str, dict[str, Any]]:
        kind, scope = str(row["kind"]), str(row["scope"])
        com = self.catalog.commodities.loc[int(row["commodity_id"])]
        day = date_of(int(row["day"]))
        k = int(row["k"])
        tet = tet_phrase(k, window=self.window)
        phase = tet_phase(day, windows=self.phase_windows)
        details: dict[str, Any] = {
            "scope": scope,
            "price_type": PTYPE_NAMES[int(row["ptype"])],
            "days_to_tet": k,
            "tet_date": (day - dt.timedelta(days=k)).isoformat(),
            "phase": PHASE_LABELS[phase] if phase else "",
            "pct": float(row["pct"]),
            "method": str(row["method"] or ""),
        }
        if scope == "district":
            details["district"] = self.catalog.area_code(int(row["district_id"]))
        elif scope == "outlet" and int(row["district_id"]) >= 0:
            details["district"] = self.catalog.area_code(int(row["district_id"]))
        for name in ("z_hist", "z_peer", "n_peers"):
            if not pd.isna(row[name]) and row[name] != -1:
                details[name] = float(row[name]) if name != "n_peers" else int(row[name])
        observed, expected = int(row["observed_vnd"]), int(row["expected_vnd"])
        place = self.place(row)
        if kind in ("spike", "drop"):
            text = explain_price(
                day=day,
                commodity=com["name"],
                unit=com["unit"],
                place=place,
                observed_vnd=observed,
                expected_vnd=expected,
                up=kind == "spike",
                tet=tet,
            )
        elif kind == "outlet_outlier":
            otype = self.catalog.outlets.at[int(row["outlet_id"]), "outlet_type"]
            label = OUTLET_TYPE_LABELS.get(str(otype), str(otype))
            local = int(row["district_id"]) >= 0 and row["method"] == "district"
            district = self.catalog.area_name(int(row["district_id"])) if local else ""
            group = f"({label}{', ' + district if district else ''})"
            text = explain_outlier(
                day=day,
                commodity=com["name"],
                unit=com["unit"],
                place=place,
                observed_vnd=observed,
                peer_vnd=expected,
                peers=int(row["n_peers"]),
                group=group,
            )
        elif kind == "ceiling_breach":
            minutes = int(row["limit_minutes"])
            since_time = f"{minutes // 60:02d}:{minutes % 60:02d}" if minutes >= 0 else None
            details.update(
                {
                    "zone": int(row["zone"]),
                    "ceiling_date": date_of(int(row["limit_day"])).isoformat(),
                    "ceiling_time": since_time,
                }
            )
            text = explain_ceiling(
                day=day,
                commodity=com["name"],
                unit=com["unit"],
                place=place,
                observed_vnd=observed,
                ceiling_vnd=expected,
                zone=int(row["zone"]),
                since=date_of(int(row["limit_day"])),
                since_time=since_time,
            )
        else:
            details["committed_date"] = date_of(int(row["limit_day"])).isoformat()
            text = explain_commitment(
                day=day,
                commodity=com["name"],
                unit=com["unit"],
                place=place,
                observed_vnd=observed,
                committed_vnd=expected,
                since=date_of(int(row["limit_day"])),
            )
        return text, DETECTORS.get((kind, scope), kind), details


class _Monthly:
    """Monthly mean prices of the series behind new alerts, up to their first date."""

    def __init__(self, session: Session, obs: pd.DataFrame, complete: bool) -> None:
        self.session = session
        self.complete = complete
        self.by_commodity = {int(c): g for c, g in obs.groupby("commodity_id")} if complete else {}

    def series(self, commodity_id: int, ptype: int, outlet_ids: list[int] | None, upto: dt.date) -> pd.Series:
        if self.complete:
            g = self.by_commodity.get(commodity_id)
            if g is None:
                return pd.Series(dtype=float)
            mask = (g["ptype"].to_numpy() == ptype) & (g["day"].to_numpy() <= day_of(upto))
            if outlet_ids is not None:
                mask &= np.isin(g["outlet_id"].to_numpy(), outlet_ids)
            sub = g[mask]
            return monthly_means(sub["day"], sub["price"])
        stmt = select(Observation.obs_date, Observation.price_vnd).where(
            Observation.is_current,
            Observation.commodity_id == commodity_id,
            Observation.price_type == PTYPE_NAMES[ptype],
            Observation.obs_date <= upto,
        )
        if outlet_ids is not None:
            stmt = stmt.where(Observation.outlet_id.in_(outlet_ids))
        rows = self.session.execute(stmt).all()
        if not rows:
            return pd.Series(dtype=float)
        days = pd.Series([day_of(d) for d, _ in rows])
        return monthly_means(days, pd.Series([p for _, p in rows]))


def _add_indicators(
    alerts: list[Alert], monthly: _Monthly, catalog: Catalog, config: DetectionConfig
) -> None:
    if not config.alps.enabled:
        return
    for alert in alerts:
        if alert.kind not in ("spike", "drop", "outlet_outlier") or alert.commodity_id is None:
            continue
        details = dict(alert.details or {})
        ptype = PRICE_TYPE_CODES.get(str(details.get("price_type", "retail")), 0)
        scope = details.get("scope")
        if scope == "outlet":
            outlets: list[int] | None = [int(alert.outlet_id)] if alert.outlet_id is not None else None
        elif scope == "district":
            outlets = [int(i) for i in catalog.outlets.index[catalog.outlets["district_id"] == alert.area_id]]
        else:
            outlets = None
        series = monthly.series(int(alert.commodity_id), ptype, outlets, alert.first_date)
        result = indicators(series, config=config.alps)
        if result is not None:
            details["indicators"] = result.as_dict()
            alert.details = details


def _stale_episodes(
    analysis: Analysis, catalog: Catalog, config: DetectionConfig
) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for found in analysis.stale:
        ep = found.episode
        oid = found.outlet_id
        com = catalog.commodities.loc[found.commodity_id]
        outlet = catalog.outlets.loc[oid]
        key = series_key("stale", str(com["code"]), PTYPE_NAMES[found.ptype], "outlet", str(outlet["code"]))
        first = date_of(ep.first_day)
        text = explain_stale(
            day=first,
            commodity=str(com["name"]),
            place=f"tại {outlet['name']}",
            last_obs=date_of(ep.last_obs_day),
            silent_days=int(ep.first_day - ep.last_obs_day),
            usual_days=ep.usual_days,
        )
        out.append(
            (
                key,
                {
                    "first_date": first,
                    "last_date": date_of(ep.last_day),
                    "severity": ep.severity,
                    "commodity_id": found.commodity_id,
                    "outlet_id": oid,
                    "area_id": catalog.outlet_area_id(oid),
                    "observed_vnd": found.observed_vnd,
                    "score": ep.silent_at_first / ep.threshold_days,
                    "explanation": text,
                    "details": {
                        "scope": "outlet",
                        "price_type": PTYPE_NAMES[found.ptype],
                        "last_obs_date": date_of(ep.last_obs_day).isoformat(),
                        "threshold_days": ep.threshold_days,
                        "usual_days": ep.usual_days,
                        "days_to_tet": int(tet_offsets(np.array([ep.first_day]))[0][0]),
                    },
                },
            )
        )
    return out


def _series_outlets(obs: pd.DataFrame, config: DetectionConfig) -> dict[tuple[int, int], np.ndarray]:
    """Per monitored series grid (commodity, price type code): its outlets (sorted)."""
    monitored = [PRICE_TYPE_CODES[p] for p in config.history.price_types]
    series = obs[obs["ptype"].isin(monitored)]
    group = series["commodity_id"].to_numpy().astype(np.int64) * 4 + series["ptype"].to_numpy()
    pairs = np.unique((group << 32) | series["outlet_id"].to_numpy().astype(np.int64))
    keys, starts = np.unique(pairs >> 32, return_index=True)
    outlets = np.split((pairs & 0xFFFFFFFF).astype(series["outlet_id"].dtype), starts[1:])
    return {(int(k) // 4, int(k) % 4): o for k, o in zip(keys, outlets, strict=True)}


def _load(
    session: Session,
    config: DetectionConfig,
    cache: ProfileCache,
    *,
    as_of: dt.date,
    tail_start: dt.date,
    complete: bool,
    max_id: int,
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[tuple[int, int], CachedProfiles]]:
    """The prices a run needs: (series and limits, older limits for the rules, cached profiles).

    A complete run reads every price ≤ ``as_of``. An incremental one reads ``tail_start .. as_of``,
    the ceilings and committed prices dated before (for the rules), the cached ramp profiles of the
    Tết seasons the window reaches and, for the grids without a usable one, their past seasons.
    """
    if complete:
        return load_observations(session, as_of=as_of), None, {}
    obs = load_observations(session, as_of=as_of, ranges=[(tail_start, as_of)])
    limits = load_limits(session, before=tail_start)
    targets = needed_targets(day_of(tail_start), day_of(as_of), config)
    if not targets or obs.empty:
        return obs, limits, {}
    cache.load()
    cache.check(max_id)
    groups = _series_outlets(obs, config)
    cached = cache.usable(groups, targets)
    missing = sorted(set(groups) - set(cached))
    if missing:
        before = tail_start - dt.timedelta(days=1)
        ranges = [
            (a, min(b, before)) for a, b in _merge(_season_ranges(tail_start, as_of, config)) if a <= before
        ]
        if ranges:
            past = load_observations(
                session, as_of=as_of, ranges=ranges, commodity_ids=sorted({c for c, _ in missing})
            )
            keys = past["commodity_id"].to_numpy().astype(np.int64) * 16 + past["ptype"].to_numpy()
            wanted = np.array([c * 16 + p for c, p in missing], dtype=np.int64)
            past = past[np.isin(keys, wanted)]
            if not past.empty:
                obs = pd.concat([past, obs], ignore_index=True)
    return obs, limits, cached


def _iso(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def run_detection(
    session: Session,
    *,
    as_of: dt.date | None = None,
    actor: str,
    config: DetectionConfig | None = None,
) -> DetectionRunResult:
    """Run every detector as of ``as_of`` (default: the latest price's date); the caller commits.

    Raises alerts for days not judged before (and re-judges recent days that received late
    prices), extends open alerts, records a :class:`~binhon.db.models.DetectionRun` and returns
    what it did. Running again as of the same date adds nothing.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    cfg = config or load_detection_config()
    runs = session.execute(
        select(DetectionRun.as_of, DetectionRun.details)
        .where(DetectionRun.finished_at.is_not(None))
        .order_by(DetectionRun.id)
    ).all()
    watermark = max((r.as_of for r in runs), default=None)
    previous = (runs[-1].details or {}) if runs else {}
    last_max_id = int(previous.get("max_observation_id", 0))
    # The span of stored dates: from the previous run's record plus the rows stored since (by id).
    if "data_first" in previous and "data_last" in previous:
        new_first, new_last = date_span_since(session, after_id=last_max_id)
        firsts = [d for d in (_iso(previous["data_first"]), new_first) if d]
        lasts = [d for d in (_iso(previous["data_last"]), new_last) if d]
        data_first = min(firsts) if firsts else None
        data_last = max(lasts) if lasts else None
    else:
        data_first = earliest_observation_date(session, as_of=dt.date.max)
        data_last = latest_observation_date(session)
    as_of = as_of or data_last or dt.date.today()
    earliest = data_first if data_first is not None and data_first <= as_of else None
    run = DetectionRun(as_of=as_of, actor=actor, alerts_raised=0, alerts_extended=0, details={})
    session.add(run)
    session.flush()
    result = DetectionRunResult(run_id=run.id, as_of=as_of, judged_from=None, judged_to=None)
    max_id = max_observation_id(session)
    judge_from: dt.date | None = None
    if earliest is not None:
        if watermark is None:
            judge_from = earliest
            if cfg.run.first_run_days is not None:
                judge_from = max(earliest, as_of - dt.timedelta(days=cfg.run.first_run_days - 1))
        else:
            judge_from = watermark + dt.timedelta(days=1)
            late = earliest_date_since(session, after_id=last_max_id, as_of=min(watermark, as_of))
            if late is not None:
                bound = as_of - dt.timedelta(days=cfg.run.late_data_days - 1)
                judge_from = min(judge_from, max(late, bound))
        judge_from = max(judge_from, earliest)
    if judge_from is None or judge_from > as_of:
        run.finished_at = utcnow()
        run.details = {
            "max_observation_id": max_id,
            "data_first": data_first.isoformat() if data_first else None,
            "data_last": data_last.isoformat() if data_last else None,
            "judged": None,
        }
        session.flush()
        result.seconds = time.perf_counter() - started
        return result
    tail_start = judge_from - dt.timedelta(days=cfg.context_days + cfg.lookback_days)
    complete = tail_start <= earliest
    from binhon.catalog import load_commodities

    fuel = frozenset(c.code for c in load_commodities().commodities if c.fuel)
    catalog = load_catalog(session, fuel_codes=fuel)
    cache = ProfileCache(session, cfg, catalog)
    t = time.perf_counter()
    obs, limits, cached = _load(
        session, cfg, cache, as_of=as_of, tail_start=tail_start, complete=complete, max_id=max_id
    )
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    # Profiles learned in this run are kept for the Tết seasons the coming runs may still need.
    keep_from = day_of(as_of) + 1 - cfg.context_days - cfg.lookback_days - cfg.run.late_data_days
    analysis = analyse(
        obs,
        catalog,
        last_day=day_of(as_of),
        tail_start=day_of(tail_start),
        judge_from=day_of(judge_from),
        config=cfg,
        workers=cfg.run.workers,
        cached=cached,
        keep_profiles_from=keep_from,
        grid_from=None if complete else day_of(tail_start),
        rule_obs=limits,
    )
    timings["analyse"] = time.perf_counter() - t
    t = time.perf_counter()
    cache.store(analysis.profiles, max_id)
    timings["profiles"] = time.perf_counter() - t
    t = time.perf_counter()
    rec = Reconciler(session, catalog, cfg, run.id, judge_from, as_of, _Describer(catalog, cfg))
    rec.load()
    rec.apply(analysis.candidates)
    if cfg.stale.enabled:
        ids = {(str(c), int(i)) for i, c in catalog.commodities["code"].items()}
        com_ids = dict(ids)
        out_ids = {str(c): int(i) for i, c in catalog.outlets["code"].items()}

        def first_obs_after(key: str, day: dt.date) -> dt.date | None:
            _, com, ptype, target = key.split("|")
            oid = out_ids.get(target.split(":", 1)[1])
            cid = com_ids.get(com)
            if oid is None or cid is None:
                return None
            m = (obs["commodity_id"].to_numpy() == cid) & (obs["outlet_id"].to_numpy() == oid)
            m &= (obs["ptype"].to_numpy() == PRICE_TYPE_CODES[ptype]) & (obs["day"].to_numpy() > day_of(day))
            return date_of(int(obs["day"].to_numpy()[m].min())) if m.any() else None

        def silent_between(a: dt.date, b: dt.date) -> int:
            if b <= a:
                return 0
            days = np.arange(day_of(a) + 1, day_of(b) + 1)
            return int(counted_days(days, config=cfg).sum())

        rec.apply_stale(
            _stale_episodes(analysis, catalog, cfg),
            first_obs_after=first_obs_after,
            silent_between=silent_between,
        )
    session.flush()
    timings["store"] = time.perf_counter() - t
    t = time.perf_counter()
    # The bình ổn register's checks (committed price / margin below market / reserves) feed the same desk.
    from binhon.programme.alerts import commitment_candidates, store_candidates

    programme = store_candidates(session, commitment_candidates(session, as_of=as_of), run_id=run.id)
    timings["programme"] = time.perf_counter() - t
    t = time.perf_counter()
    _add_indicators(rec.raised, _Monthly(session, obs, complete), catalog, cfg)
    timings["indicators"] = time.perf_counter() - t
    by_kind = Counter(a.kind for a in rec.raised)
    if programme.raised:
        by_kind["commitment_breach"] += programme.raised
    run.alerts_raised = len(rec.raised) + programme.raised
    run.alerts_extended = len(rec.extended) + programme.extended
    run.finished_at = utcnow()
    run.details = {
        "max_observation_id": max_id,
        "data_first": data_first.isoformat() if data_first else None,
        "data_last": data_last.isoformat() if data_last else None,
        "judged": [judge_from.isoformat(), as_of.isoformat()],
        "loaded_observations": int(len(obs)),
        "full_load": complete,
        "profile_cache": cache.stats.as_dict(),
        "raised_by_kind": dict(by_kind),
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }
    session.flush()
    result.judged_from, result.judged_to = judge_from, as_of
    result.raised, result.extended = run.alerts_raised, run.alerts_extended
    result.raised_by_kind = dict(by_kind)
    result.raised_ids = [int(a.id) for a in rec.raised]
    result.series = analysis.judged_series
    result.observations = int(len(obs))
    result.timings = timings
    result.seconds = time.perf_counter() - started
    return result


def open_alerts(session: Session) -> list[Alert]:
    """Alerts not yet resolved or dismissed, newest first."""
    return list(
        session.scalars(
            select(Alert)
            .where(Alert.status.in_(("new", "acknowledged", "escalated")))
            .order_by(Alert.first_date.desc())
        )
    )
