"""Writing validated rows: new prices in bulk, changed prices as audited revisions, repeats skipped."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Date, bindparam, insert, select, text, update
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


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    """Query rows as a DataFrame, built from plain tuples column by column.

    (pandas probes every SQLAlchemy Row for named-tuple attributes, ~15 µs a row; a transpose of the
    fetched rows is a C loop.)
    """
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True)))


STORED_PRICE_COLUMNS = ["commodity_id", "outlet_id", "price_type", "price_vnd"]
_STORED_PRICES = text(
    f"SELECT {', '.join(STORED_PRICE_COLUMNS)} FROM observations "
    "WHERE is_current AND obs_date >= :start AND obs_date <= :end AND commodity_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def stored_price_rows(
    session: Session, commodity_ids: list[int], start: dt.date, end: dt.date
) -> Sequence[Any]:
    """Current stored prices of these commodities in [start, end] (for plausibility checks), as
    tuples of STORED_PRICE_COLUMNS."""
    if not commodity_ids:
        return []
    return session.execute(_STORED_PRICES, {"start": start, "end": end, "ids": commodity_ids}).all()


def stored_prices(session: Session, commodity_ids: list[int], start: dt.date, end: dt.date) -> pd.DataFrame:
    """stored_price_rows as a DataFrame."""
    return _frame(stored_price_rows(session, commodity_ids, start, end), STORED_PRICE_COLUMNS)


CURRENT_COLUMNS = [
    "id",
    "commodity_id",
    "outlet_id",
    "obs_date",
    "price_type",
    "obs_time",
    "price_vnd",
    "batch_id",
]


def current_rows(
    session: Session,
    *,
    outlet_ids: list[int],
    start: dt.date,
    end: dt.date,
    commodity_ids: list[int] | None = None,
) -> Sequence[Any]:
    """Current stored observations of these outlets (and commodities) dated in [start, end], as tuples
    of CURRENT_COLUMNS."""
    sql = (
        f"SELECT {', '.join(CURRENT_COLUMNS)} FROM observations WHERE is_current "
        "AND obs_date >= :start AND obs_date <= :end AND outlet_id IN :outlets"
    )
    params: dict[str, Any] = {"start": start, "end": end, "outlets": outlet_ids}
    stmt = text(sql).bindparams(bindparam("outlets", expanding=True))
    if commodity_ids is not None:
        stmt = text(sql + " AND commodity_id IN :commodities").bindparams(
            bindparam("outlets", expanding=True), bindparam("commodities", expanding=True)
        )
        params["commodities"] = commodity_ids
    return session.execute(stmt.columns(obs_date=Date), params).all()


def existing_for(session: Session, rows: pd.DataFrame) -> pd.DataFrame:
    """Current stored observations sharing a series and date range with rows."""
    found = current_rows(
        session,
        outlet_ids=sorted({int(v) for v in rows["outlet_id"].unique()}),
        start=rows["obs_date"].min().date(),
        end=rows["obs_date"].max().date(),
    )
    frame = _frame(found, CURRENT_COLUMNS)
    if not frame.empty:
        frame["obs_date"] = pd.to_datetime(frame["obs_date"]).dt.normalize()
        frame["obs_time"] = frame["obs_time"].fillna("")
    return frame


def _dbapi(session: Session) -> Any:
    return session.connection().connection.dbapi_connection


def _nullable(s: pd.Series) -> list[Any]:
    """The column's values, missing ones (None, NaN, NA) as None."""
    missing = s.isna()
    if missing.all():
        return [None] * len(s)
    if not missing.any():
        return s.tolist()
    return s.astype(object).where(~missing, None).tolist()


def _nullable_int(s: pd.Series) -> list[Any]:
    """An integer column (possibly nullable Int64) as Python ints, missing ones as None."""
    missing = s.isna()
    if missing.all():
        return [None] * len(s)
    if not missing.any():
        return s.astype(np.int64).tolist()
    return [None if m else int(v) for v, m in zip(s.astype(object).tolist(), missing.tolist(), strict=True)]


def _iso_dates(s: pd.Series) -> list[str]:
    """Dates as YYYY-MM-DD, formatted once per distinct date."""
    codes, uniques = pd.factorize(s)
    texts = np.datetime_as_string(np.asarray(uniques, dtype="datetime64[D]"), unit="D").astype(object)
    return texts[codes].tolist()


def _column_lists(
    rows: pd.DataFrame, *, batch_id: int, actor: str, now: dt.datetime, sqlite: bool
) -> list[Any]:
    """The INSERT_COLUMNS of rows as lists of Python values (constant columns as repeat iterators)."""
    n = len(rows)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now.isoformat()
    true = 1 if sqlite else True
    estimate = rows["is_estimate"].astype(bool)
    return [
        _iso_dates(rows["obs_date"]),
        rows["obs_time"].tolist(),
        rows["commodity_id"].astype(np.int64).tolist(),
        rows["outlet_id"].astype(np.int64).tolist(),
        rows["price_vnd"].astype(np.int64).tolist(),
        rows["price_type"].tolist(),
        _nullable_int(rows["zone"]),
        rows["source"].tolist(),
        estimate.astype(np.int64).tolist() if sqlite else estimate.tolist(),
        _nullable_int(rows["orig_price_vnd"]),
        _nullable(rows["orig_unit"]),
        _nullable(rows["name_raw"]),
        _nullable(rows["source_url"]),
        itertools.repeat(batch_id, n),
        itertools.repeat(actor, n),
        itertools.repeat(stamp, n),
        itertools.repeat(true, n),
    ]


# SQLite page cache while inserting a large batch (KiB): the unique index of observations is filled
# in file order (dates), i.e. all over the index; with the default 2 MiB cache most of those inserts
# miss the cache. The cache is only allocated as pages are used and is restored afterwards.
_SQLITE_BULK_CACHE_KIB = 128 * 1024
_SQLITE_BULK_MIN_ROWS = 10_000

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_BLOCK_ROWS = 50_000


def _copy_text(value: Any) -> str:
    """One (non-missing) value in PostgreSQL's COPY text format."""
    if isinstance(value, bool | np.bool_):
        return "t" if value else "f"
    if isinstance(value, pd.Timestamp | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, np.integer):
        value = int(value)
    return str(value).translate(_COPY_ESCAPES)


def _copy_field(s: pd.Series) -> list[str]:
    """A column as COPY text fields (missing values as \\N), formatted once per distinct value."""
    codes, uniques = pd.factorize(s)  # missing values get code -1: the last text below
    texts = np.array([*(_copy_text(v) for v in uniques), "\\N"], dtype=object)
    return texts[codes].tolist()


def _copy_blocks(rows: pd.DataFrame, *, batch_id: int, actor: str, now: dt.datetime) -> Iterator[str]:
    """The rows in INSERT_COLUMNS order as COPY text, in blocks of lines (bounded memory)."""
    n = len(rows)
    constant = {
        "batch_id": str(batch_id),
        "submitted_by": actor.translate(_COPY_ESCAPES),
        "submitted_at": now.isoformat(),
        "is_current": "t",
    }
    fields = [
        itertools.repeat(constant[c], n) if c in constant else _copy_field(rows[c]) for c in INSERT_COLUMNS
    ]
    fields = [list(f) if isinstance(f, itertools.repeat) else f for f in fields]
    for start in range(0, n, _COPY_BLOCK_ROWS):
        stop = min(start + _COPY_BLOCK_ROWS, n)
        lines = map("\t".join, zip(*(f[start:stop] for f in fields), strict=True))
        yield "\n".join(lines) + "\n"


def bulk_insert(session: Session, rows: pd.DataFrame, *, batch_id: int, actor: str, now: dt.datetime) -> None:
    """Insert new observations fast: executemany on SQLite, COPY (text, built in blocks) on PostgreSQL."""
    if rows.empty:
        return
    # In series order, each index of observations (the current-key index leads with the commodity and
    # outlet, the history index with the outlet) is filled page by page instead of all over the tree.
    rows = rows.sort_values(["outlet_id", "commodity_id", "obs_date"], kind="stable", ignore_index=True)
    dialect = session.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    conn = _dbapi(session)
    cols = ", ".join(INSERT_COLUMNS)
    if sqlite:
        columns = _column_lists(rows, batch_id=batch_id, actor=actor, now=now, sqlite=True)
        marks = ", ".join("?" * len(INSERT_COLUMNS))
        cur = conn.cursor()
        cache = int(cur.execute("PRAGMA cache_size").fetchone()[0])  # < 0: KiB, > 0: pages
        page_kib = int(cur.execute("PRAGMA page_size").fetchone()[0]) // 1024
        cache_kib = -cache if cache < 0 else cache * page_kib
        big = len(rows) >= _SQLITE_BULK_MIN_ROWS and cache_kib < _SQLITE_BULK_CACHE_KIB
        try:
            if big:
                cur.execute(f"PRAGMA cache_size = {-_SQLITE_BULK_CACHE_KIB}")
            cur.executemany(f"INSERT INTO observations ({cols}) VALUES ({marks})", zip(*columns, strict=True))
        finally:
            if big:
                cur.execute(f"PRAGMA cache_size = {cache}")
            cur.close()
    elif dialect == "postgresql":
        with conn.cursor() as cur, cur.copy(f"COPY observations ({cols}) FROM STDIN") as copy:
            for block in _copy_blocks(rows, batch_id=batch_id, actor=actor, now=now):
                copy.write(block)
    else:  # any other database: portable, slower
        columns = _column_lists(rows, batch_id=batch_id, actor=actor, now=now, sqlite=False)
        records = zip(*columns, strict=True)
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
