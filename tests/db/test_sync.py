"""Loading the catalogues into the database: idempotent, changes audited, removals retired."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.catalog import load_commodities
from binhon.db.models import AuditEntry, Commodity
from binhon.sync import sync_commodities


def test_commodity_sync_is_idempotent_audited_and_never_deletes(session: Session) -> None:
    catalog = load_commodities()
    again = sync_commodities(session=session, catalog=catalog, actor="test")
    assert (again.added, again.changed, again.retired) == (0, 0, 0)

    first, *rest = catalog.commodities
    renamed = first.model_copy(update={"name": first.name + " (mới)"})
    edited = catalog.model_copy(update={"commodities": (renamed, *rest[:-1])})
    report = sync_commodities(session=session, catalog=edited, actor="officer")
    session.commit()
    assert (report.added, report.changed, report.retired) == (0, 1, 1)
    row = session.scalars(select(Commodity).where(Commodity.code == first.code)).one()
    assert row.name.endswith("(mới)")
    retired = session.scalars(select(Commodity).where(Commodity.code == rest[-1].code)).one()
    assert retired.active is False
    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "commodity", AuditEntry.action == "update")
    ).one()
    assert audit.actor == "officer" and audit.details is not None and "name" in audit.details
