"""Which alerts fired in a period, and which outlets, areas and commodities drove them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from binhon.db.models import Alert, Area, Commodity, Outlet

__all__ = [
    "KIND_LABELS",
    "SEVERITY_LABELS",
    "AlertsSummary",
    "load_alerts",
    "summarise_alerts",
]

#: Vietnamese names of the alert kinds (CONTRACT kinds and the extra ones).
KIND_LABELS = {
    "spike": "tăng giá bất thường",
    "drop": "giảm giá bất thường",
    "outlet_outlier": "giá lệch hẳn các điểm bán khác",
    "ceiling_breach": "vượt giá bán lẻ tối đa",
    "commitment_breach": "vi phạm cam kết bình ổn",
    "stale": "ngừng báo giá",
    "scraper_broken": "lỗi thu thập giá tự động",
}
#: Vietnamese names of the severities, in rising order.
SEVERITY_LABELS = {"stress": "cần theo dõi", "alert": "cảnh báo", "crisis": "nghiêm trọng"}

ALERT_COLUMNS = [
    "id",
    "kind",
    "severity",
    "status",
    "commodity_id",
    "commodity",
    "outlet_id",
    "outlet_code",
    "outlet",
    "area",
    "first_date",
    "last_date",
    "observed_vnd",
    "expected_vnd",
    "explanation",
    "detector",
]


def load_alerts(session: Session, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Alerts whose first date is in [start, end], with commodity, outlet and area names.

    ``area`` is the alert's own area, else the outlet's current commune, else its former district;
    a commune is followed by its former district ("Xã Long Sơn (huyện Cầu Ngang cũ)").
    """
    commune = aliased(Area)
    district = aliased(Area)
    own = aliased(Area)
    rows = session.execute(
        select(
            Alert.id,
            Alert.kind,
            Alert.severity,
            Alert.status,
            Alert.commodity_id,
            Commodity.name,
            Alert.outlet_id,
            Outlet.code,
            Outlet.name,
            own.name,
            commune.name,
            district.name,
            Alert.first_date,
            Alert.last_date,
            Alert.observed_vnd,
            Alert.expected_vnd,
            Alert.explanation,
            Alert.detector,
        )
        .outerjoin(Commodity, Commodity.id == Alert.commodity_id)
        .outerjoin(Outlet, Outlet.id == Alert.outlet_id)
        .outerjoin(own, own.id == Alert.area_id)
        .outerjoin(commune, commune.id == Outlet.commune_id)
        .outerjoin(district, district.id == Outlet.district_id)
        .where(Alert.first_date >= start, Alert.first_date <= end)
        .order_by(Alert.first_date, Alert.id)
    ).all()
    out = []
    for r in rows:
        area = _area_label(r[9], r[10], r[11])
        out.append([r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6], r[7] or "", r[8] or "", area, *r[12:]])
    return pd.DataFrame(out, columns=ALERT_COLUMNS)


def _area_label(own: str | None, commune: str | None, district: str | None) -> str:
    if commune and district:
        return f"{commune} ({district[0].lower() + district[1:]} cũ)"
    return own or commune or district or ""


@dataclass
class AlertsSummary:
    """Counts of a period's alerts and the outlets, areas and commodities with the most."""

    start: dt.date
    end: dt.date
    total: int
    by_kind: list[tuple[str, str, int]] = field(default_factory=list)
    by_severity: list[tuple[str, str, int]] = field(default_factory=list)
    top_outlets: list[tuple[str, str, int]] = field(default_factory=list)
    top_areas: list[tuple[str, int]] = field(default_factory=list)
    top_commodities: list[tuple[str, int]] = field(default_factory=list)
    alerts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ALERT_COLUMNS))


def summarise_alerts(alerts: pd.DataFrame, *, start: dt.date, end: dt.date, top: int = 5) -> AlertsSummary:
    """Counts by kind and severity; the ``top`` outlets, areas and commodities by number of alerts.

    Ties are broken by the worst severity, then by name, so the lists are stable.
    """
    if alerts.empty:
        return AlertsSummary(start, end, 0, alerts=alerts)
    by_kind = [
        (k, KIND_LABELS.get(k, k), int(n)) for k, n in alerts["kind"].value_counts().sort_index().items()
    ]
    by_kind.sort(key=lambda x: (-x[2], x[0]))
    by_severity = [
        (s, SEVERITY_LABELS[s], int((alerts["severity"] == s).sum()))
        for s in ("crisis", "alert", "stress")
        if (alerts["severity"] == s).any()
    ]
    rank = alerts["severity"].map({"stress": 1, "alert": 2, "crisis": 3}).fillna(0)
    a = alerts.assign(rank=rank)

    with_outlet = a[a["outlet_id"].notna()]
    top_outlets = []
    if not with_outlet.empty:
        g = with_outlet.groupby(["outlet", "area"]).agg(n=("id", "size"), worst=("rank", "max")).reset_index()
        g = g.sort_values(["n", "worst", "outlet"], ascending=[False, False, True]).head(top)
        top_outlets = [(r.outlet, r.area, int(r.n)) for r in g.itertuples()]
    with_area = a[a["area"] != ""]
    top_areas = []
    if not with_area.empty:
        g = with_area.groupby("area").agg(n=("id", "size"), worst=("rank", "max")).reset_index()
        g = g.sort_values(["n", "worst", "area"], ascending=[False, False, True]).head(top)
        top_areas = [(r.area, int(r.n)) for r in g.itertuples()]
    with_com = a[a["commodity"] != ""]
    top_commodities = []
    if not with_com.empty:
        g = with_com.groupby("commodity").agg(n=("id", "size"), worst=("rank", "max")).reset_index()
        g = g.sort_values(["n", "worst", "commodity"], ascending=[False, False, True]).head(top)
        top_commodities = [(r.commodity, int(r.n)) for r in g.itertuples()]
    return AlertsSummary(
        start=start,
        end=end,
        total=len(alerts),
        by_kind=by_kind,
        by_severity=by_severity,
        top_outlets=top_outlets,
        top_areas=top_areas,
        top_commodities=top_commodities,
        alerts=alerts,
    )
