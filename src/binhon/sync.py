"""Loading the configured catalogues into the database, idempotently and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from binhon.catalog import CommodityCatalog, OutletRegistry, load_areas, load_commodities
from binhon.db.engine import session_scope
from binhon.db.migrate import upgrade
from binhon.db.models import AuditEntry, Commodity, Enterprise, Outlet


@dataclass
class SyncReport:
    """How many rows a sync added, changed or retired."""

    added: int = 0
    changed: int = 0
    retired: int = 0


def _update_audited(
    session: Session,
    row: Commodity | Outlet,
    values: dict[str, object],
    *,
    entity: str,
    reason: str,
    actor: str,
) -> bool:
    """Set the fields of row that differ from values, with one audit entry listing old and new; changed?"""
    diff = {k: (getattr(row, k), v) for k, v in values.items() if getattr(row, k) != v}
    if not diff:
        return False
    for key, (_old, new) in diff.items():
        setattr(row, key, new)
    session.add(
        AuditEntry(
            actor=actor,
            action="update",
            entity=entity,
            entity_id=row.id,
            reason=reason,
            details={k: [str(o), str(n)] for k, (o, n) in diff.items()},
        )
    )
    return True


def sync_commodities(*, session: Session, catalog: CommodityCatalog, actor: str) -> SyncReport:
    """Make the commodities table match the catalogue; removed codes are retired, never deleted."""
    report = SyncReport()
    stored = {c.code: c for c in session.scalars(select(Commodity))}
    for spec in catalog.commodities:
        measure = spec.measure
        values = {
            "name": spec.name,
            "unit": spec.unit,
            "dimension": measure.dimension,
            "unit_quantity": float(measure.quantity),
            "group": spec.group,
            "spec": spec.spec,
            "is_stabilised": spec.stabilised,
            "report_code": spec.report_code,
            "min_vnd": spec.bounds[0],
            "max_vnd": spec.bounds[1],
            "active": True,
        }
        row = stored.get(spec.code)
        if row is None:
            row = Commodity(code=spec.code, **values)
            session.add(row)
            session.flush()
            report.added += 1
            continue
        if _update_audited(
            session, row, values, entity="commodity", reason="đồng bộ từ config/commodities.yaml", actor=actor
        ):
            report.changed += 1
    codes = {c.code for c in catalog.commodities}
    for code, row in stored.items():
        if code not in codes and row.active:
            row.active = False
            session.add(
                AuditEntry(
                    actor=actor,
                    action="retire",
                    entity="commodity",
                    entity_id=row.id,
                    reason="không còn trong config/commodities.yaml",
                )
            )
            report.retired += 1
    session.flush()
    return report


def sync_outlets(*, session: Session, registry: OutletRegistry, actor: str) -> SyncReport:
    """Register or update outlets from a registry file (areas resolved through the gazetteer)."""
    from binhon.geo import AreaResolver

    resolver = AreaResolver.from_session(session, load_areas())
    report = SyncReport()
    stored = {o.code: o for o in session.scalars(select(Outlet))}
    enterprises = {e.code: e for e in session.scalars(select(Enterprise))}
    for spec in registry.outlets:
        enterprise_id = None
        if spec.enterprise:
            ent = enterprises.get(spec.enterprise)
            if ent is None:
                ent = Enterprise(code=spec.enterprise, name=spec.enterprise)
                session.add(ent)
                session.flush()
                enterprises[spec.enterprise] = ent
            enterprise_id = ent.id
        on = spec.active_from or dt.date.today()
        area = resolver.resolve(spec.area, on=on) if spec.area else None
        commune = resolver.current_commune(area) if area else None
        district = resolver.former_district(area) if area else None
        values = {
            "name": spec.name,
            "outlet_type": spec.outlet_type,
            "area_id": area.id if area else None,
            "commune_id": commune.id if commune else None,
            "district_id": district.id if district else None,
            "zone": spec.zone,
            "market_grade": spec.market_grade,
            "chain": spec.chain,
            "enterprise_id": enterprise_id,
            "address": spec.address,
            "licence_no": spec.licence_no,
            "licence_status": spec.licence_status,
            "active_from": spec.active_from,
        }
        row = stored.get(spec.code)
        if row is None:
            row = Outlet(code=spec.code, **values)
            session.add(row)
            session.flush()
            session.add(
                AuditEntry(
                    actor=actor,
                    action="register",
                    entity="outlet",
                    entity_id=row.id,
                    reason="sổ đăng ký điểm bán",
                )
            )
            report.added += 1
            continue
        if _update_audited(session, row, values, entity="outlet", reason="sổ đăng ký điểm bán", actor=actor):
            report.changed += 1
    session.flush()
    return report


def sync_config(
    *, session: Session, actor: str, config_dir: Path | None = None
) -> dict[str, SyncReport | dict[str, int]]:
    """Load commodities and the gazetteer from config into the database."""
    from binhon.geo import sync_areas

    commodities = sync_commodities(session=session, catalog=load_commodities(config_dir), actor=actor)
    areas = sync_areas(session=session, config=load_areas(config_dir))
    return {"commodities": commodities, "areas": areas}


def ensure_ready(engine: Engine, *, actor: str) -> None:
    """Bring the schema to the newest revision and the catalogues up to date (idempotent, cheap)."""
    upgrade(engine)
    with session_scope(engine) as session:
        sync_config(session=session, actor=actor)


def is_empty(engine: Engine) -> bool:
    """Whether the database has no binhon schema yet."""
    if not inspect(engine).has_table("commodities"):
        return True
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Commodity)) == 0
