"""Exports of stored data in the same shape they are imported in."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from binhon.db.models import Area, Commodity, Observation, Outlet
from binhon.ingest.csvfile import CONTRACT_COLUMNS

EXTRA_EXPORT_COLUMNS = ("time", "estimate", "unit", "name_raw", "outlet_name", "source_url", "id")


def export_observations_csv(
    session: Session,
    path: Path,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    commodities: list[str] | None = None,
    outlets: list[str] | None = None,
    extra: bool = False,
    batch_rows: int = 50_000,
) -> int:
    """Write the current prices as an observations CSV (re-importable); return the row count.

    The area column carries the outlet's commune since July 2025 when known (unambiguous today),
    else its former district, else the area it was registered with.
    """
    commune = aliased(Area)
    district = aliased(Area)
    registered = aliased(Area)
    stmt = (
        select(
            Observation.obs_date,
            Commodity.code,
            Outlet.code,
            Observation.price_vnd,
            Observation.price_type,
            Outlet.outlet_type,
            commune.code,
            district.code,
            registered.code,
            Observation.zone,
            Observation.source,
            Observation.obs_time,
            Observation.is_estimate,
            Commodity.unit,
            Observation.name_raw,
            Outlet.name,
            Observation.source_url,
            Observation.id,
        )
        .join(Commodity, Commodity.id == Observation.commodity_id)
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .outerjoin(commune, commune.id == Outlet.commune_id)
        .outerjoin(district, district.id == Outlet.district_id)
        .outerjoin(registered, registered.id == Outlet.area_id)
        .where(Observation.is_current)
        .order_by(
            Observation.obs_date, Commodity.code, Outlet.code, Observation.price_type, Observation.obs_time
        )
    )
    if start:
        stmt = stmt.where(Observation.obs_date >= start)
    if end:
        stmt = stmt.where(Observation.obs_date <= end)
    if commodities:
        stmt = stmt.where(Commodity.code.in_(commodities))
    if outlets:
        stmt = stmt.where(Outlet.code.in_(outlets))
    header = list(CONTRACT_COLUMNS) + (list(EXTRA_EXPORT_COLUMNS) if extra else [])
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        result = session.execute(stmt.execution_options(yield_per=batch_rows))
        for part in result.partitions(batch_rows):
            rows = []
            for (
                obs_date,
                com,
                out,
                price,
                ptype,
                otype,
                c_code,
                d_code,
                r_code,
                zone,
                source,
                obs_time,
                estimate,
                unit,
                name_raw,
                outlet_name,
                url,
                oid,
            ) in part:
                day = obs_date.isoformat() if isinstance(obs_date, dt.date) else str(obs_date)
                row = [
                    day,
                    com,
                    out,
                    price,
                    ptype,
                    otype,
                    c_code or d_code or r_code or "",
                    zone or "",
                    source,
                ]
                if extra:
                    row += [
                        obs_time,
                        "1" if estimate else "0",
                        unit,
                        name_raw or "",
                        outlet_name,
                        url or "",
                        oid,
                    ]
                rows.append(row)
            writer.writerows(rows)
            count += len(rows)
    return count
