"""Alerts as rows for CSV/JSON export and the API: CONTRACT columns first, in CONTRACT order.

``area`` is the outlet's current commune code, else its former district code, else the area it was
registered with; for an alert about a district it is the district's code; empty for the province.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from binhon.db.models import Alert, AlertReview, Area, Commodity, Outlet

__all__ = ["ALERT_COLUMNS", "EXTRA_ALERT_COLUMNS", "alert_rows", "export_alerts"]

ALERT_COLUMNS = (
    "id",
    "kind",
    "severity",
    "commodity",
    "outlet",
    "area",
    "first_date",
    "last_date",
    "observed_vnd",
    "expected_vnd",
    "score",
    "status",
    "explanation",
)
EXTRA_ALERT_COLUMNS = (
    "detector",
    "scope",
    "price_type",
    "district",
    "phase",
    "days_to_tet",
    "commodity_name",
    "outlet_name",
    "area_name",
    "raised_at",
    "updated_at",
    "reviewed_by",
    "reviewed_at",
    "review_note",
    "escalated_to",
)


def alert_rows(
    session: Session,
    *,
    kind: str | None = None,
    severity: str | None = None,
    commodity: str | None = None,
    area: str | None = None,
    status: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    outlet: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Alerts (filtered) as dicts with the CONTRACT fields then the extras, oldest first."""
    commune, district, registered, alert_area = aliased(Area), aliased(Area), aliased(Area), aliased(Area)
    stmt = (
        select(
            Alert,
            Commodity.code,
            Commodity.name,
            Outlet.code,
            Outlet.name,
            commune.code,
            district.code,
            registered.code,
            alert_area.code,
            alert_area.name,
            commune.name,
            district.name,
        )
        .outerjoin(Commodity, Commodity.id == Alert.commodity_id)
        .outerjoin(Outlet, Outlet.id == Alert.outlet_id)
        .outerjoin(commune, commune.id == Outlet.commune_id)
        .outerjoin(district, district.id == Outlet.district_id)
        .outerjoin(registered, registered.id == Outlet.area_id)
        .outerjoin(alert_area, alert_area.id == Alert.area_id)
        .order_by(Alert.first_date, Alert.id)
    )
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    if severity:
        stmt = stmt.where(Alert.severity == severity)
    if commodity:
        stmt = stmt.where(Commodity.code == commodity)
    if status:
        stmt = stmt.where(Alert.status == status)
    if since:
        stmt = stmt.where(Alert.last_date >= since)
    if until:
        stmt = stmt.where(Alert.first_date <= until)
    if outlet:
        stmt = stmt.where(Outlet.code == outlet)
    if area:
        stmt = stmt.where(
            (commune.code == area)
            | (district.code == area)
            | (registered.code == area)
            | (alert_area.code == area)
        )
    if limit:
        stmt = stmt.limit(limit)
    rows = session.execute(stmt).all()
    ids = [r[0].id for r in rows]
    last_review: dict[int, AlertReview] = {}
    for i in range(0, len(ids), 900):
        for rv in session.scalars(
            select(AlertReview).where(AlertReview.alert_id.in_(ids[i : i + 900])).order_by(AlertReview.id)
        ):
            last_review[rv.alert_id] = rv
    out = []
    for (
        a,
        c_code,
        c_name,
        o_code,
        o_name,
        com_code,
        dis_code,
        reg_code,
        al_code,
        al_name,
        com_name,
        dis_name,
    ) in rows:
        details = a.details or {}
        if a.outlet_id is not None:
            area_code = com_code or dis_code or reg_code or ""
            area_name = com_name or dis_name or ""
        else:
            area_code, area_name = al_code or "", al_name or ""
        rv = last_review.get(a.id)
        out.append(
            {
                "id": a.id,
                "kind": a.kind,
                "severity": a.severity,
                "commodity": c_code or "",
                "outlet": o_code or "",
                "area": area_code,
                "first_date": a.first_date.isoformat(),
                "last_date": a.last_date.isoformat(),
                "observed_vnd": a.observed_vnd,
                "expected_vnd": a.expected_vnd,
                "score": None if a.score is None else round(float(a.score), 4),
                "status": a.status,
                "explanation": a.explanation,
                "detector": a.detector,
                "scope": details.get("scope", "outlet" if a.outlet_id else ""),
                "price_type": details.get("price_type", ""),
                "district": dis_code or details.get("district", "") or "",
                "phase": details.get("phase", ""),
                "days_to_tet": details.get("days_to_tet"),
                "commodity_name": c_name or "",
                "outlet_name": o_name or "",
                "area_name": area_name,
                "raised_at": a.raised_at.isoformat() if a.raised_at else "",
                "updated_at": a.updated_at.isoformat() if a.updated_at else "",
                "reviewed_by": rv.actor if rv else "",
                "reviewed_at": rv.at.isoformat() if rv and rv.at else "",
                "review_note": (rv.note or "") if rv else "",
                "escalated_to": (rv.escalated_to or "") if rv else "",
            }
        )
    return out


def export_alerts(session: Session, path: Path, *, fmt: str = "csv", **filters: Any) -> int:
    """Write alerts to ``path`` as CSV (UTF-8, CONTRACT columns first) or JSON; return the count."""
    rows = alert_rows(session, **filters)
    path = Path(path)
    if fmt == "json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        return len(rows)
    if fmt != "csv":
        raise ValueError(f"định dạng không hỗ trợ: {fmt!r} (dùng csv hoặc json)")
    columns = list(ALERT_COLUMNS + EXTRA_ALERT_COLUMNS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return len(rows)
