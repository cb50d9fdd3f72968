"""Scoring detections against injected events.

Detections
----------
A frame with :data:`benchmarks.evaluation.baselines.DETECTION_COLUMNS`: ``kind``, ``commodity``,
``outlet`` ("" when the alert is about an area or the whole province), ``level`` (``outlet``,
``area`` or ``province``), ``covered`` (the frozenset of outlet codes the alert is about: the
outlet, or every outlet of the area; empty for the province), ``first_date``, ``last_date``,
``observed_vnd``, ``expected_vnd``. binhon's alerts are used as stored (one alert = one detection);
a baseline's consecutive daily flags are first grouped into one detection. Only the kinds
``spike``, ``drop``, ``outlet_outlier`` and ``ceiling_breach`` are scored (``stale`` and
``commitment_breach`` say nothing about price anomalies here and are counted apart). Detections
dated before the scenario's warm-up end (``eval_start``) are ignored.

Direction: spike and ceiling_breach are up, drop is down, outlet_outlier is up when
observed ≥ expected and down otherwise.

Matching
--------
A detection MATCHES an event when
  * same commodity;
  * scope: its ``covered`` outlets include one of the event's outlets (an outlet event: that outlet;
    an area event: the area's affected markets) — so an area-level alert matches an outlet event in
    its area, a province-level alert matches no event;
  * kind family (the event's expected alert kinds): spike, tet_abnormal, level_shift and
    outlet_gouging ← spike or an upward outlet_outlier; drop ← drop or a downward outlet_outlier;
    ceiling_breach ← ceiling_breach (a baseline, which has no ceiling rule, gets its upward
    detection on the station counted instead);
  * time: ``event.start − tolerance ≤ first_date ≤ event.end`` (tolerance 3 days by default).
An event is DETECTED (recall) when at least one detection matches it; its delay is
``max(0, first matching first_date − event.start)`` in days.

A detection is a TRUE positive when it matches an event, or, more leniently, when it points at an
event with the same scope, time and direction but another kind (e.g. binhon's spike on a station
whose ceiling_breach is also raised). It is NEUTRAL (left out of precision) when
  * it is about an area or the province (no outlet) and falls on a genuine market-wide move of its
    commodity (``scenario.context``: start − tolerance … end + 10 days); or
  * it is in the opposite direction of an event of the same scope and commodity, between the
    event's start and 10 days after its end (the price going back to normal).
Otherwise it is a FALSE positive.

Per-kind precision
------------------
Each false positive is charged to the kind whose detections it resembles: a ``ceiling_breach``
alert or anything on a fuel → ceiling_breach; a downward one → drop; an upward one dated in a Tết
window (mùng 1 − 30 … + 20 days) → tet_abnormal; any other upward one is shared among spike,
level_shift and outlet_gouging in proportion to their numbers of events. ``precision_k =
TP_k / (TP_k + FP_k)``, TP_k being the true detections whose (first) event is of kind k.
Overall precision = all true / (all true + all false).

Normal Tết windows
------------------
For every retail food series and every scored Tết (``scenario.tet_dates``), the window mùng 1 − 30
… + 20 days is NORMAL when no injected event of that series (or of its area, same commodity) and no
market-wide move of its commodity overlaps it, and the series has data in it. It is ALERTED when a
``spike`` detection covering the series (outlet, area or province level) has its first_date in the
window. The share alerted is reported.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmarks.evaluation.generator import FUELS, KINDS, Scenario

SCORED_ALERT_KINDS = ("spike", "drop", "outlet_outlier", "ceiling_breach")
UP_EVENTS = ("spike", "tet_abnormal", "level_shift", "outlet_gouging", "ceiling_breach")
SHARED_UP = ("spike", "level_shift", "outlet_gouging")
TOLERANCE_DAYS = 3
RETURN_DAYS = 10
TET_BEFORE = 30
TET_AFTER = 20


@dataclass
class KindStats:
    """Counts for one event kind (poolable across scenarios)."""

    events: int = 0
    detected: int = 0
    tp: float = 0.0
    fp: float = 0.0
    delays: list[int] = field(default_factory=list)

    def add(self, other: KindStats) -> None:
        self.events += other.events
        self.detected += other.detected
        self.tp += other.tp
        self.fp += other.fp
        self.delays.extend(other.delays)

    @property
    def recall(self) -> float:
        return self.detected / self.events if self.events else math.nan

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if (self.tp + self.fp) > 0 else math.nan

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if math.isnan(r):
            return math.nan
        if math.isnan(p):  # no detection at all charged to this kind
            p = 0.0 if r == 0 else 1.0
        return 2 * p * r / (p + r) if (p + r) > 0 else 0.0

    @property
    def median_delay(self) -> float:
        return float(np.median(self.delays)) if self.delays else math.nan

    @property
    def p90_delay(self) -> float:
        return float(np.percentile(self.delays, 90)) if self.delays else math.nan


@dataclass
class Score:
    """A detector's score on one or more scenarios."""

    detector: str
    kinds: dict[str, KindStats] = field(default_factory=lambda: {k: KindStats() for k in KINDS})
    tp: int = 0
    fp: int = 0
    neutral: int = 0
    ignored: int = 0  # detections of unscored kinds (stale, ...)
    tet_windows: int = 0
    tet_alerted: int = 0
    runtime: float = 0.0
    fp_by_scope: dict[str, int] = field(default_factory=dict)
    # one row per scored detection: outcome tp/fp/neutral, the event it matched, the FP scope
    outcomes: list[dict[str, object]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # ids of undetected events

    def add(self, other: Score) -> None:
        for k in KINDS:
            self.kinds[k].add(other.kinds[k])
        self.tp += other.tp
        self.fp += other.fp
        self.neutral += other.neutral
        self.ignored += other.ignored
        self.tet_windows += other.tet_windows
        self.tet_alerted += other.tet_alerted
        self.runtime += other.runtime
        self.missed.extend(other.missed)
        for k, v in other.fp_by_scope.items():
            self.fp_by_scope[k] = self.fp_by_scope.get(k, 0) + v

    @property
    def overall(self) -> KindStats:
        total = KindStats()
        for k in KINDS:
            total.events += self.kinds[k].events
            total.detected += self.kinds[k].detected
            total.delays.extend(self.kinds[k].delays)
        total.tp = self.tp
        total.fp = self.fp
        return total

    @property
    def tet_share(self) -> float:
        return self.tet_alerted / self.tet_windows if self.tet_windows else math.nan


def _direction(kind: str, observed: object, expected: object) -> str:
    if kind in ("spike", "ceiling_breach", "commitment_breach"):
        return "up"
    if kind == "drop":
        return "down"
    try:
        if observed is not None and expected is not None and not pd.isna(observed) and not pd.isna(expected):
            return "up" if float(observed) >= float(expected) else "down"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        pass
    return "any"


def _family_ok(event_kind: str, kind: str, direction: str, generic: bool) -> bool:
    """Is an alert of (kind, direction) one the event kind expects?"""
    if event_kind == "ceiling_breach":
        return kind == "ceiling_breach" or (generic and kind == "spike")
    if event_kind == "drop":
        return kind == "drop" or (kind == "outlet_outlier" and direction in ("down", "any"))
    return kind == "spike" or (kind == "outlet_outlier" and direction in ("up", "any"))


def _as_date(x: object) -> dt.date:
    if isinstance(x, pd.Timestamp):
        return x.date()
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    return pd.Timestamp(x).date()  # type: ignore[arg-type]


def score(
    scenario: Scenario,
    detections: pd.DataFrame,
    *,
    detector: str,
    generic: bool = False,
    runtime: float = 0.0,
    tolerance: int = TOLERANCE_DAYS,
) -> Score:
    """Score one detector's detections on one scenario. ``generic``: a baseline (no ceiling rule)."""
    result = Score(detector=detector, runtime=runtime)
    eval_start, end = scenario.eval_start, scenario.end
    tol = dt.timedelta(days=tolerance)

    events = []
    for e in scenario.labels.itertuples(index=False):
        events.append(
            {
                "id": e.event_id,
                "kind": e.kind,
                "commodity": e.commodity,
                "outlets": frozenset(str(e.outlets).split(";")) if e.outlets else frozenset(),
                "start": _as_date(e.start),
                "end": _as_date(e.end),
                "dir": "down" if e.kind == "drop" else "up",
            }
        )
    by_comm: dict[str, list[dict[str, object]]] = {}
    for ev in events:
        by_comm.setdefault(str(ev["commodity"]), []).append(ev)
    moves = [
        (set(str(m.commodity).split("|")), _as_date(m.start), _as_date(m.end))
        for m in scenario.context.itertuples()
    ]
    tet_windows = [
        (t - dt.timedelta(days=TET_BEFORE), t + dt.timedelta(days=TET_AFTER)) for t in scenario.tet_dates
    ]
    all_tets = list(_all_tets(scenario))

    dets = []
    for d in detections.itertuples(index=False):
        first = _as_date(d.first_date)
        if first < eval_start or first > end:
            continue
        if d.kind not in SCORED_ALERT_KINDS:
            result.ignored += 1
            row = d._asdict()
            row.pop("covered", None)
            result.outcomes.append({**row, "direction": "", "outcome": "ignored", "event": "", "scope": ""})
            continue
        covered = d.covered if isinstance(d.covered, frozenset) else frozenset(d.covered or ())
        dets.append(
            {
                "row": d,
                "kind": d.kind,
                "commodity": d.commodity,
                "level": d.level,
                "covered": covered,
                "first": first,
                "dir": _direction(d.kind, d.observed_vnd, d.expected_vnd),
            }
        )

    first_match: dict[str, dt.date] = {}
    share_total = sum(1 for ev in events if ev["kind"] in SHARED_UP)
    for d in dets:
        matched_kind: str | None = None
        matched_id: str | None = None
        lenient_kind: str | None = None
        neutral = False
        for ev in by_comm.get(str(d["commodity"]), []):
            outlets = ev["outlets"]
            in_scope = d["level"] != "province" and bool(d["covered"] & outlets)  # type: ignore[operator]
            if not in_scope:
                continue
            in_time = ev["start"] - tol <= d["first"] <= ev["end"]  # type: ignore[operator]
            if in_time and _family_ok(str(ev["kind"]), str(d["kind"]), str(d["dir"]), generic):
                if matched_kind is None:
                    matched_kind, matched_id = str(ev["kind"]), str(ev["id"])
                key = str(ev["id"])
                if key not in first_match or d["first"] < first_match[key]:  # type: ignore[operator]
                    first_match[key] = d["first"]  # type: ignore[assignment]
            elif in_time and (d["dir"] == ev["dir"] or d["dir"] == "any") and lenient_kind is None:
                lenient_kind = str(ev["kind"])
                if matched_id is None:
                    matched_id = str(ev["id"])
            elif d["dir"] not in (ev["dir"], "any") and ev["start"] <= d["first"] <= ev["end"] + dt.timedelta(
                days=RETURN_DAYS
            ):  # type: ignore[operator]
                neutral = True
        kind_hit = matched_kind or lenient_kind
        if kind_hit is not None:
            result.tp += 1
            result.kinds[kind_hit].tp += 1
            result.outcomes.append({**_row(d), "outcome": "tp", "event": matched_id, "scope": kind_hit})
            continue
        if d["level"] != "outlet" and any(
            d["commodity"] in comms and s - tol <= d["first"] <= e + dt.timedelta(days=RETURN_DAYS)  # type: ignore[operator]
            for comms, s, e in moves
        ):
            neutral = True
        if neutral:
            result.neutral += 1
            result.outcomes.append({**_row(d), "outcome": "neutral", "event": "", "scope": ""})
            continue
        result.fp += 1
        if d["kind"] == "ceiling_breach" or d["commodity"] in FUELS:
            scope = "ceiling_breach"
        elif d["dir"] == "down":
            scope = "drop"
        elif any(
            t - dt.timedelta(days=TET_BEFORE) <= d["first"] <= t + dt.timedelta(days=TET_AFTER)
            for t in all_tets
        ):  # type: ignore[operator]
            scope = "tet_abnormal"
        else:
            scope = "other_up"
        result.fp_by_scope[scope] = result.fp_by_scope.get(scope, 0) + 1
        result.outcomes.append({**_row(d), "outcome": "fp", "event": "", "scope": scope})
        if scope == "other_up":
            if share_total:
                for k in SHARED_UP:
                    n_k = sum(1 for ev in events if ev["kind"] == k)
                    result.kinds[k].fp += n_k / share_total
            else:
                result.kinds["spike"].fp += 1
        else:
            result.kinds[scope].fp += 1

    for ev in events:
        stats = result.kinds[str(ev["kind"])]
        stats.events += 1
        hit = first_match.get(str(ev["id"]))
        if hit is not None:
            stats.detected += 1
            stats.delays.append(max(0, (hit - ev["start"]).days))  # type: ignore[operator]
        else:
            result.missed.append(str(ev["id"]))

    # normal Tết windows
    series = scenario.series[scenario.series["outlet_type"] != "petrol"]
    obs = scenario.observations
    obs_days = {
        key: np.sort(pd.to_datetime(g["date"]).to_numpy().astype("datetime64[D]"))
        for key, g in obs[obs["price_type"] == "retail"].groupby(["outlet", "commodity"])
    }
    spikes = [d for d in dets if d["kind"] == "spike"]
    for x in series.itertuples(index=False):
        days = obs_days.get((x.outlet, x.commodity))
        for lo, hi in tet_windows:
            if any(
                ev["commodity"] == x.commodity
                and x.outlet in ev["outlets"]  # type: ignore[operator]
                and ev["start"] <= hi
                and ev["end"] >= lo
                for ev in events
            ):  # type: ignore[operator]
                continue
            if any(x.commodity in comms and s <= hi and e >= lo for comms, s, e in moves):
                continue
            if days is None or not ((days >= np.datetime64(lo)) & (days <= np.datetime64(hi))).any():
                continue
            result.tet_windows += 1
            if any(
                d["commodity"] == x.commodity
                and lo <= d["first"] <= hi  # type: ignore[operator]
                and (d["level"] == "province" or x.outlet in d["covered"])
                for d in spikes
            ):  # type: ignore[operator]
                result.tet_alerted += 1
    return result


def _row(d: dict[str, object]) -> dict[str, object]:
    row = d["row"]._asdict()  # type: ignore[attr-defined]
    row.pop("covered", None)
    row["direction"] = d["dir"]
    return row


def outcomes_frame(result: Score) -> pd.DataFrame:
    """The per-detection outcomes of a score as a frame (for inspection)."""
    return pd.DataFrame(result.outcomes)


def _all_tets(scenario: Scenario) -> Iterable[dt.date]:
    from binhon.tet import tet_date

    for y in range(scenario.start.year, scenario.end.year + 2):
        t = tet_date(y)
        if scenario.start - dt.timedelta(days=TET_AFTER) <= t <= scenario.end + dt.timedelta(days=TET_BEFORE):
            yield t
