"""Frozen alerts: raise, extend, never rewrite.

An alert's identity (``dedupe_key``) is its kind, commodity, price type, scope (outlet, district,
province) with the outlet's or area's code, and its first date. A run as of D raises an alert on a
day t ≤ D from data dated ≤ t only. A flagged day of a series extends the series' latest alert of
the same kind when it follows the alert's last date without a normal price in between (or within
``persistence.extend_gap_days``): only ``last_date`` moves, ``severity`` may only rise, and the
latest figures go to ``details['latest']``; ``first_date``, ``kind``, the raising figures
(observed, expected, score) and the explanation never change. Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import SEVERITIES, Alert, utcnow
from binhon.detection.config import DetectionConfig
from binhon.detection.panel import Catalog, date_of, day_of

__all__ = ["Reconciler", "SEVERITY_RANK", "series_key", "split_key"]

SEVERITY_RANK = {name: i for i, name in enumerate(SEVERITIES, start=1)}
PTYPE_NAMES = {0: "retail", 1: "wholesale", 2: "ceiling", 3: "committed"}
PROVINCE_CODE = "tinh"


def series_key(kind: str, commodity: str, ptype: str, scope: str, code: str) -> str:
    """The identity of an alert without its first date."""
    return f"{kind}|{commodity}|{ptype}|{scope}:{code}"


def split_key(dedupe_key: str) -> tuple[str, str]:
    """(series key, first date ISO) of a dedupe key."""
    head, _, first = dedupe_key.rpartition("|")
    return head, first


def _clean(value: Any) -> Any:
    """JSON-ready scalars (numpy types, NaN -> None)."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not np.isfinite(value):
            return None
        return round(value, 6)
    return value


@dataclass
class Reconciler:
    """Applies a run's flagged rows to the stored alerts (inside the caller's transaction)."""

    session: Session
    catalog: Catalog
    config: DetectionConfig
    run_id: int
    judge_from: dt.date
    as_of: dt.date
    describe: Callable[[pd.Series, str], tuple[str, str, dict[str, Any]]]
    raised: list[Alert] = field(default_factory=list)
    extended: set[int] = field(default_factory=set)
    by_series: dict[str, list[Alert]] = field(default_factory=dict)

    def load(self) -> None:
        """Stored alerts that a row of this run may touch (by last date)."""
        p = self.config.persistence
        cutoff = self.judge_from - dt.timedelta(days=p.max_obs_gap_days + p.extend_gap_days + 1)
        for alert in self.session.scalars(select(Alert).where(Alert.last_date >= cutoff)):
            key, _ = split_key(alert.dedupe_key)
            self.by_series.setdefault(key, []).append(alert)
        for alerts in self.by_series.values():
            alerts.sort(key=lambda a: (a.first_date, a.id or 0))

    # -- keys ------------------------------------------------------------------------------------

    def key_of(self, row: pd.Series) -> str:
        """The series key of a candidate row."""
        com = str(self.catalog.commodities.at[int(row["commodity_id"]), "code"])
        scope = str(row["scope"])
        if scope == "outlet":
            code = str(self.catalog.outlets.at[int(row["outlet_id"]), "code"])
        elif scope == "district":
            code = self.catalog.area_code(int(row["district_id"]))
        else:
            code = PROVINCE_CODE
        return series_key(str(row["kind"]), com, PTYPE_NAMES[int(row["ptype"])], scope, code)

    # -- price and rule rows -----------------------------------------------------------------------

    def apply(self, candidates: pd.DataFrame) -> None:
        """Raise or extend alerts from flagged rows (days ≥ judge_from)."""
        if candidates.empty:
            return
        start = day_of(self.judge_from)
        rows = candidates[candidates["day"] >= start]
        if rows.empty:
            return
        rows = rows.sort_values(["kind", "scope", "commodity_id", "ptype", "outlet_id", "district_id", "day"])
        group_cols = ["kind", "scope", "commodity_id", "ptype", "outlet_id", "district_id"]
        p = self.config.persistence
        for _, group in rows.groupby(group_cols, sort=False):
            key = self.key_of(group.iloc[0])
            alerts = self.by_series.setdefault(key, [])
            for row in group.to_dict("records"):
                day = date_of(int(row["day"]))
                sev = int(row["severity"])
                covering = next((a for a in alerts if a.first_date <= day <= a.last_date), None)
                if covering is not None:
                    self._bump(covering, row, sev, latest=day == covering.last_date)
                    continue
                current = max(
                    (a for a in alerts if a.last_date < day), key=lambda a: a.last_date, default=None
                )
                if current is not None:
                    gap = (day - current.last_date).days
                    prev_day = int(row["prev_day"])
                    follows = (
                        prev_day >= 0 and date_of(prev_day) == current.last_date and gap <= p.max_obs_gap_days
                    )
                    if gap <= p.extend_gap_days or follows:
                        current.last_date = day
                        self._bump(current, row, sev, latest=True)
                        continue
                if bool(row["raise_ok"]) and sev >= 1:
                    alerts.append(self._new(key, row, day, sev))

    def _bump(self, alert: Alert, row: pd.Series, sev: int, *, latest: bool) -> None:
        changed = False
        if sev >= 1 and sev > SEVERITY_RANK[alert.severity]:
            alert.severity = SEVERITIES[sev - 1]
            changed = True
        if latest:
            details = dict(alert.details or {})
            details["latest"] = _clean(
                {
                    "date": date_of(int(row["day"])).isoformat(),
                    "observed_vnd": int(row["observed_vnd"]),
                    "expected_vnd": int(row["expected_vnd"]),
                    "score": float(row["score"]),
                    "pct": float(row["pct"]),
                    "severity": SEVERITIES[sev - 1] if sev >= 1 else None,
                }
            )
            if details != alert.details:
                alert.details = details
                changed = True
        if changed or alert.id is None:
            alert.updated_at = utcnow()
            if alert.id is not None and alert.raised_run_id != self.run_id:
                self.extended.add(alert.id)

    def _new(self, key: str, row: pd.Series, day: dt.date, sev: int) -> Alert:
        explanation, detector, details = self.describe(row, key)
        scope = str(row["scope"])
        if scope == "outlet":
            outlet_id: int | None = int(row["outlet_id"])
            area_id = self.catalog.outlet_area_id(int(row["outlet_id"]))
        elif scope == "district":
            outlet_id, area_id = None, int(row["district_id"])
        else:
            outlet_id, area_id = None, None
        alert = Alert(
            kind=str(row["kind"]),
            severity=SEVERITIES[sev - 1],
            commodity_id=int(row["commodity_id"]),
            outlet_id=outlet_id,
            area_id=area_id,
            first_date=day,
            last_date=day,
            observed_vnd=int(row["observed_vnd"]),
            expected_vnd=int(row["expected_vnd"]),
            score=round(float(row["score"]), 4),
            explanation=explanation,
            detector=detector,
            dedupe_key=f"{key}|{day.isoformat()}",
            status="new",
            raised_run_id=self.run_id,
            details=_clean(details),
        )
        self.session.add(alert)
        self.raised.append(alert)
        return alert

    # -- stale -------------------------------------------------------------------------------------

    def apply_stale(
        self,
        episodes: list[tuple[str, dict[str, Any]]],
        *,
        first_obs_after: Callable[[str, dt.date], dt.date | None],
        silent_between: Callable[[dt.date, dt.date], int],
    ) -> None:
        """Raise or extend stale alerts; extend ongoing ones whose silence goes on."""
        touched: set[int] = set()
        for key, ep in episodes:
            first, last = ep["first_date"], ep["last_date"]
            alerts = self.by_series.setdefault(key, [])
            match = next(
                (
                    a
                    for a in alerts
                    if a.first_date <= last
                    and a.last_date >= first - dt.timedelta(days=1)
                    and a.first_date <= first
                ),
                None,
            )
            if match is None:
                match = next((a for a in alerts if a.first_date == first), None)
            if match is None:
                alert = Alert(
                    kind="stale",
                    severity=SEVERITIES[ep["severity"] - 1],
                    commodity_id=ep["commodity_id"],
                    outlet_id=ep["outlet_id"],
                    area_id=ep["area_id"],
                    first_date=first,
                    last_date=last,
                    observed_vnd=ep["observed_vnd"],
                    expected_vnd=None,
                    score=round(float(ep["score"]), 4),
                    explanation=ep["explanation"],
                    detector="stale_rule",
                    dedupe_key=f"{key}|{first.isoformat()}",
                    status="new",
                    raised_run_id=self.run_id,
                    details=_clean(ep["details"]),
                )
                self.session.add(alert)
                self.raised.append(alert)
                alerts.append(alert)
                continue
            touched.add(id(match))
            self._stretch(match, last, ep["severity"])
        # Ongoing stale alerts of series whose last price is older than the loaded window.
        for key, alerts in self.by_series.items():
            if not key.startswith("stale|"):
                continue
            for alert in alerts:
                if id(alert) in touched or alert in self.raised or alert.last_date >= self.as_of:
                    continue
                if alert.last_date < self.judge_from - dt.timedelta(days=1):
                    continue
                resumed = first_obs_after(key, alert.last_date)
                end = self.as_of if resumed is None else min(self.as_of, resumed - dt.timedelta(days=1))
                if end <= alert.last_date:
                    continue
                details = alert.details or {}
                last_obs = dt.date.fromisoformat(details.get("last_obs_date", alert.first_date.isoformat()))
                thr = float(details.get("threshold_days") or 1.0)
                ratio = silent_between(last_obs, end) / thr
                lv = self.config.stale.levels
                sev = 3 if ratio >= lv.crisis else 2 if ratio >= lv.alert else 1
                self._stretch(alert, end, sev)

    def _stretch(self, alert: Alert, last: dt.date, sev: int) -> None:
        changed = False
        if last > alert.last_date:
            alert.last_date = last
            changed = True
        if sev > SEVERITY_RANK[alert.severity]:
            alert.severity = SEVERITIES[sev - 1]
            changed = True
        if changed:
            alert.updated_at = utcnow()
            if alert.id is not None and alert.raised_run_id != self.run_id:
                self.extended.add(alert.id)
