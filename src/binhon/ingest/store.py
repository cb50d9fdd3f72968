"""Writing validated rows: new prices in bulk, changed prices as audited revisions, repeats skipped."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from binhon.db.models import AuditEntry, Observation, utcnow
from binhon.formatting import format_vnd

KEY = ["commodity_id", "outlet_id", "obs_date", "price_type", "obs_time"]
INSERT_COLUMNS = [
    "obs_date",
    "obs_time",
    "commodity_id",
    "outlet_id",
    "price_vnd",
    "price_type",
    "zone",
    "source",
    "is_estimate",
    "orig_price_vnd",
    "orig_unit",
    "name_raw",
    "source_url",
    "batch_id",
    "submitted_by",
    "submitted_at",
    "is_current",
]


def stored_prices(session: Session, commodity_ids: list[int], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Current stored prices of these commodities in [start, end] (for plausibility checks)."""
    if not commodity_ids:
        return pd.DataFrame(columns=["commodity_id", "outlet_id", "price_type", "price_vnd"])
    stmt = text(
        "SELECT commodity_id, outlet_id, price_type, price_vnd FROM observations "
        "WHERE is_current AND obs_date >= :start AND obs_date <= :end AND commodity_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    result = session.execute(stmt, {"start": start, "end": end, "ids": commodity_ids})
    return pd.DataFrame(result.fetchall(), columns=["commodity_id", "outlet_id", "price_type", "price_vnd"])


def existing_for(session: Session, rows: pd.DataFrame) -> pd.DataFrame:
    """Current stored observations sharing a series and date range with rows."""
    outlets = sorted({int(v) for v in rows["outlet_id"].unique()})
    start = rows["obs_date"].min().date()
    end = rows["obs_date"].max().date()
    stmt = text(
        "SELECT id, commodity_id, outlet_id, obs_date, price_type, obs_time, price_vnd, batch_id "
        "FROM observations WHERE is_current AND obs_date >= :start AND obs_date <= :end "
        "AND outlet_id IN :outlets"
    ).bindparams(bindparam("outlets", expanding=True))
    result = session.execute(stmt, {"start": start, "end": end, "outlets": outlets})
    cols = ["id", "commodity_id", "outlet_id", "obs_date", "price_type", "obs_time", "price_vnd", "batch_id"]
    frame = pd.DataFrame(result.fetchall(), columns=cols)
    if not frame.empty:
        frame["obs_date"] = pd.to_datetime(frame["obs_date"]).dt.normalize()
        frame["obs_time"] = frame["obs_time"].fillna("")
    return frame


def _dbapi(session: Session) -> Any:
    return session.connection().connection.dbapi_connection


def _column_lists(rows: pd.DataFrame, *, batch_id: int, actor: str, now: dt.datetime, sqlite: bool) -> list[list[Any]]:
    n = len(rows)

    def nullable(col: str) -> list[Any]:
        s = rows[col]
        return [None if v is pd.NA or v is None or (isinstance(v, float) and np.isnan(v)) else v for v in s.tolist()]

    dates = rows["obs_date"].dt.strftime("%Y-%m-%d").tolist()
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now.isoformat()
    zone = [None if v is pd.NA else int(v) for v in rows["zone"].astype(object).tolist()]
    orig = [None if v is pd.NA else int(v) for v in rows["orig_price_vnd"].astype(object).tolist()]
    true = 1 if sqlite else True
    return [
        dates,
        rows["obs_time"].tolist(),
        rows["commodity_id"].astype(np.int64).tolist(),
        rows["outlet_id"].astype(np.int64).tolist(),
        rows["price_vnd"].astype(np.int64).tolist(),
        rows["price_type"].tolist(),
        zone,
        rows["source"].tolist(),
        [int(v) for v in rows["is_estimate"].tolist()] if sqlite else rows["is_estimate"].astype(bool).tolist(),
        orig,
        nullable("orig_unit"),
        nullable("name_raw"),
        nullable("source_url"),
        [batch_id] * n,
        [actor] * n,
        [stamp] * n,
        [true] * n,
    ]


def bulk_insert(session: Session, rows: pd.DataFrame, *, batch_id: int, actor: str, now: dt.datetime) -> None:
    """Insert new observations fast: executemany on SQLite, COPY on PostgreSQL."""
    if rows.empty:
        return
    dialect = session.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    columns = _column_lists(rows, batch_id=batch_id, actor=actor, now=now, sqlite=sqlite)
    records = zip(*columns, strict=True)
    conn = _dbapi(session)
    cols = ", ".join(INSERT_COLUMNS)
    if sqlite:
        marks = ", ".join("?" * len(INSERT_COLUMNS))
        cur = conn.cursor()
        cur.executemany(f"INSERT INTO observations ({cols}) VALUES ({marks})", records)
        cur.close()
    elif dialect == "postgresql":
        with conn.cursor() as cur, cur.copy(f"COPY observations ({cols}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(record)
    else:  # any other database: portable, slower
        session.execute(insert(Observation), [dict(zip(INSERT_COLUMNS, r, strict=True)) for r in records])


def revise(
    session: Session,
    changed: pd.DataFrame,
    *,
    batch_id: int,
    actor: str,
    now: dt.datetime,
    reason: str,
) -> None:
    """Supersede stored prices by new ones: the old row is kept, marked, linked, and the change audited."""
    for rec in changed.itertuples(index=False):
        old_id = int(rec.old_id)
        session.execute(update(Observation).where(Observation.id == old_id).values(is_current=False))
        values = {
            "obs_date": rec.obs_date.date(),
            "obs_time": rec.obs_time,
            "commodity_id": int(rec.commodity_id),
            "outlet_id": int(rec.outlet_id),
            "price_vnd": int(rec.price_vnd),
            "price_type": rec.price_type,
            "zone": None if rec.zone is pd.NA else int(rec.zone),
            "source": rec.source,
            "is_estimate": bool(rec.is_estimate),
            "orig_price_vnd": None if rec.orig_price_vnd is pd.NA else int(rec.orig_price_vnd),
            "orig_unit": rec.orig_unit,
            "name_raw": rec.name_raw,
            "source_url": rec.source_url,
            "batch_id": batch_id,
            "submitted_by": actor,
            "submitted_at": now,
            "is_current": True,
        }
        new_id = session.execute(insert(Observation).values(**values).returning(Observation.id)).scalar_one()
        session.execute(update(Observation).where(Observation.id == old_id).values(superseded_by_id=new_id))
        session.add(
            AuditEntry(
                actor=actor,
                action="revise",
                entity="observation",
                entity_id=new_id,
                reason=reason,
                details={
                    "old_id": old_id,
                    "old_price_vnd": int(rec.old_price),
                    "new_price_vnd": int(rec.price_vnd),
                    "line": int(rec.line),
                    "batch_id": batch_id,
                    "change": f"{format_vnd(int(rec.old_price))} → {format_vnd(int(rec.price_vnd))}",
                },
            )
        )


def correct_observation(
    session: Session,
    *,
    observation_id: int,
    price_vnd: int,
    reason: str,
    actor: str,
) -> Observation:
    """Correct one stored price: a new row supersedes it, with the reason in the audit log."""
    old = session.get(Observation, observation_id)
    if old is None:
        raise LookupError(f"không có quan sát giá số {observation_id}")
    if not old.is_current:
        raise ValueError(f"quan sát giá số {observation_id} đã được thay thế bởi số {old.superseded_by_id}")
    if not reason.strip():
        raise ValueError("cần ghi lý do sửa giá")
    if price_vnd <= 0:
        raise ValueError("giá phải lớn hơn 0")
    now = utcnow()
    old.is_current = False
    session.flush()
    new = Observation(
        obs_date=old.obs_date,
        obs_time=old.obs_time,
        commodity_id=old.commodity_id,
        outlet_id=old.outlet_id,
        price_vnd=price_vnd,
        price_type=old.price_type,
        zone=old.zone,
        source=old.source,
        is_estimate=old.is_estimate,
        name_raw=old.name_raw,
        source_url=old.source_url,
        batch_id=None,
        submitted_by=actor,
        submitted_at=now,
        is_current=True,
    )
    session.add(new)
    session.flush()
    old.superseded_by_id = new.id
    session.add(
        AuditEntry(
            actor=actor,
            action="correct",
            entity="observation",
            entity_id=new.id,
            reason=reason,
            details={"old_id": old.id, "old_price_vnd": old.price_vnd, "new_price_vnd": price_vnd},
        )
    )
    session.flush()
    return new


def history_of(session: Session, observation_id: int) -> list[Observation]:
    """Every version of an observation, oldest first (following superseded_by links both ways)."""
    obs = session.get(Observation, observation_id)
    if obs is None:
        return []
    chain = [obs]
    prev = obs
    while True:
        earlier = session.scalars(select(Observation).where(Observation.superseded_by_id == prev.id)).first()
        if earlier is None:
            break
        chain.insert(0, earlier)
        prev = earlier
    nxt = obs
    while nxt.superseded_by_id is not None:
        following = session.get(Observation, nxt.superseded_by_id)
        if following is None:
            break
        chain.append(following)
        nxt = following
    return chain


def to_csv_buffer(frame: pd.DataFrame) -> io.StringIO:
    """A frame as CSV text (helper for COPY-based paths and exports)."""
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    buf.seek(0)
    return buf
