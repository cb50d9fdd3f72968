"""Stored prices as tidy, integer-coded pandas frames for the detectors (database → memory).

Only current observations (``is_current``) dated on or before the as-of date are read, in one
streamed query with only the columns the detectors need, all as integers: the day as days since
1970-01-01, ids, the price, a price-type code, the time of day in minutes (-1 unknown) and the
fuel zone (0 unknown). Both databases return the rows packed into two comma-separated strings of
integers (``string_agg`` / ``group_concat``), parsed by numpy. A date range (an incremental run) is
read by the covering index ``ix_observations_current_date``; a whole history by a table scan.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import CTE, func, select
from sqlalchemy.orm import Session

from binhon.db.models import LIMITS_WHERE, Area, Commodity, Observation, Outlet, OutletSuspension

__all__ = [
    "EPOCH",
    "PRICE_TYPE_CODES",
    "Catalog",
    "day_of",
    "date_of",
    "load_catalog",
    "load_limits",
    "load_observations",
    "latest_observation_date",
    "max_observation_id",
    "rows_since",
]

EPOCH = dt.date(1970, 1, 1)
PRICE_TYPE_CODES = {"retail": 0, "wholesale": 1, "ceiling": 2, "committed": 3}
OBS_COLUMNS = ("day", "commodity_id", "outlet_id", "price", "ptype", "minutes", "zone")
_DTYPES = {
    "day": np.int32,
    "commodity_id": np.int32,
    "outlet_id": np.int32,
    "price": np.int64,
    "ptype": np.int8,
    "minutes": np.int16,
    "zone": np.int8,
}
_CHUNK = 200_000


def day_of(d: dt.date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


def date_of(day: int) -> dt.date:
    """The date of a day number."""
    return EPOCH + dt.timedelta(days=int(day))


@dataclass
class Catalog:
    """Reference data of a run: commodities, outlets, areas (frames indexed by id), suspensions."""

    commodities: pd.DataFrame
    outlets: pd.DataFrame
    areas: pd.DataFrame
    suspensions: pd.DataFrame
    fuel_codes: frozenset[str] = field(default_factory=frozenset)

    def commodity(self, commodity_id: int) -> pd.Series:
        """One commodity's row."""
        return self.commodities.loc[commodity_id]

    def outlet(self, outlet_id: int) -> pd.Series:
        """One outlet's row."""
        return self.outlets.loc[outlet_id]

    def area_code(self, area_id: float | int | None) -> str:
        """An area's code ('' when unknown)."""
        if area_id is None or pd.isna(area_id) or int(area_id) not in self.areas.index:
            return ""
        return str(self.areas.at[int(area_id), "code"])

    def area_name(self, area_id: float | int | None) -> str:
        """An area's name ('' when unknown)."""
        if area_id is None or pd.isna(area_id) or int(area_id) not in self.areas.index:
            return ""
        return str(self.areas.at[int(area_id), "name"])

    def outlet_area_id(self, outlet_id: int) -> int | None:
        """The outlet's current commune, else former district, else registered area."""
        row = self.outlets.loc[outlet_id]
        for col in ("commune_id", "district_id", "area_id"):
            value = row[col]
            if pd.notna(value):
                return int(value)
        return None


def load_catalog(session: Session, *, fuel_codes: frozenset[str] = frozenset()) -> Catalog:
    """Commodities, outlets, areas and outlet suspensions."""
    com = pd.DataFrame(
        session.execute(select(Commodity.id, Commodity.code, Commodity.name, Commodity.unit)).all(),
        columns=["id", "code", "name", "unit"],
    ).set_index("id")
    com["fuel"] = com["code"].isin(fuel_codes)
    out = pd.DataFrame(
        session.execute(
            select(
                Outlet.id,
                Outlet.code,
                Outlet.name,
                Outlet.outlet_type,
                Outlet.district_id,
                Outlet.commune_id,
                Outlet.area_id,
                Outlet.zone,
                Outlet.active_to,
            )
        ).all(),
        columns=[
            "id",
            "code",
            "name",
            "outlet_type",
            "district_id",
            "commune_id",
            "area_id",
            "zone",
            "active_to",
        ],
    ).set_index("id")
    for col in ("district_id", "commune_id", "area_id", "zone"):
        out[col] = out[col].astype("float64")
    out["active_to_day"] = [
        day_of(d) if d is not None and not pd.isna(d) else np.nan for d in out["active_to"]
    ]
    areas = pd.DataFrame(
        session.execute(select(Area.id, Area.code, Area.name, Area.level)).all(),
        columns=["id", "code", "name", "level"],
    ).set_index("id")
    sus = pd.DataFrame(
        session.execute(
            select(OutletSuspension.outlet_id, OutletSuspension.start, OutletSuspension.end)
        ).all(),
        columns=["outlet_id", "start", "end"],
    )
    sus["start_day"] = [day_of(d) for d in sus["start"]]
    sus["end_day"] = [day_of(d) if d is not None and not pd.isna(d) else 10**6 for d in sus["end"]]
    return Catalog(com, out, areas, sus, fuel_codes)


def latest_observation_date(session: Session) -> dt.date | None:
    """The date of the latest current observation."""
    return session.scalar(select(func.max(Observation.obs_date)).where(Observation.is_current))


def earliest_observation_date(session: Session, *, as_of: dt.date) -> dt.date | None:
    """The date of the earliest current observation on or before ``as_of``."""
    return session.scalar(
        select(func.min(Observation.obs_date)).where(Observation.is_current, Observation.obs_date <= as_of)
    )


def max_observation_id(session: Session) -> int:
    """The largest observation id (0 without observations): later rows have larger ids."""
    return int(session.scalar(select(func.max(Observation.id))) or 0)


def rows_since(session: Session, *, after_id: int, current: bool = True) -> CTE:
    """The observations stored after observation ``after_id`` (current ones only by default).

    Selected by id (the primary key), so it is cheap: a materialized CTE, since otherwise a
    planner may answer ``min(obs_date)`` by walking the date index until it meets a new row.
    """
    stmt = select(
        Observation.id, Observation.obs_date, Observation.commodity_id, Observation.price_type
    ).where(Observation.id > after_id)
    if current:
        stmt = stmt.where(Observation.is_current)
    cte = stmt.cte("new_rows")
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" or (dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)):
        cte = cte.prefix_with("MATERIALIZED")
    return cte


def earliest_date_since(session: Session, *, after_id: int, as_of: dt.date) -> dt.date | None:
    """The earliest date of current observations stored after observation ``after_id``."""
    new = rows_since(session, after_id=after_id)
    return session.scalar(select(func.min(new.c.obs_date)).where(new.c.obs_date <= as_of))


def date_span_since(session: Session, *, after_id: int) -> tuple[dt.date | None, dt.date | None]:
    """(earliest, latest) date of current observations stored after observation ``after_id``."""
    new = rows_since(session, after_id=after_id)
    row = session.execute(select(func.min(new.c.obs_date), func.max(new.c.obs_date))).one()
    return row[0], row[1]


LIMIT_PRICE_TYPES = ("ceiling", "committed")
# The detection's date-range index (migration 0006) and the condition of the limits index.
DATE_INDEX = "ix_observations_current_date"


def _quote_ids(ids: list[int] | tuple[int, ...]) -> str:
    return ", ".join(str(int(i)) for i in ids)


def _where(
    ranges: list[tuple[dt.date, dt.date]] | None,
    as_of: dt.date,
    *,
    commodity_ids: list[int] | tuple[int, ...] | None = None,
    limits_before: dt.date | None = None,
) -> str:
    if limits_before is not None:
        # Exactly the limits index's condition (SQLite uses a partial index only when it sees it).
        return f"{LIMITS_WHERE} AND obs_date < '{limits_before.isoformat()}'"
    where = f"is_current AND obs_date <= '{as_of.isoformat()}'"
    if ranges:
        parts = " OR ".join(f"(obs_date BETWEEN '{a.isoformat()}' AND '{b.isoformat()}')" for a, b in ranges)
        where += f" AND ({parts})"
    if commodity_ids is not None:
        where += f" AND commodity_id IN ({_quote_ids(commodity_ids) or 'NULL'})"
    return where


_MINUTES = (
    "CASE WHEN obs_time IS NULL OR obs_time = '' THEN -1 ELSE "
    "CAST(substr(obs_time, 1, 2) AS INTEGER) * 60 + CAST(substr(obs_time, 4, 2) AS INTEGER) END"
)
_PTYPE = "CASE price_type WHEN 'retail' THEN 0 WHEN 'wholesale' THEN 1 WHEN 'ceiling' THEN 2 ELSE 3 END"


def _pg_sql(where: str) -> str:
    # psycopg costs ~1.5 µs per row of a COPY (one message per row): as with SQLite, the columns are
    # packed into two integers per row and returned as two comma-separated strings, parsed by numpy.
    day = "(obs_date - DATE '1970-01-01')::bigint"
    a = f"(({day}) << 36) | (commodity_id::bigint << 22) | outlet_id::bigint"
    b = (
        f"(price_vnd::bigint << 16) | (({_PTYPE})::bigint << 14) | (COALESCE(zone, 0)::bigint << 12)"
        f" | (({_MINUTES}) + 1)::bigint"
    )
    return (
        f"SELECT string_agg(({a})::text, ','), string_agg(({b})::text, ',') FROM observations WHERE {where}"
    )


def _sqlite_sql(where: str, hint: str) -> str:
    # Python's sqlite3 costs ~2 µs per fetched row: the columns are packed into two integers per row
    # and returned as two comma-separated strings (group_concat), parsed by numpy. The hint: a whole
    # history is read NOT INDEXED (the partial unique index would turn the scan into millions of
    # random table lookups); a date range by the covering date index (it holds every column read).
    day = "CAST(julianday(obs_date) - 2440587.5 AS INTEGER)"
    a = f"(({day}) << 36) | (commodity_id << 22) | outlet_id"
    b = f"(price_vnd << 16) | (({_PTYPE}) << 14) | (COALESCE(zone, 0) << 12) | (({_MINUTES}) + 1)"
    return f"SELECT group_concat({a}, ','), group_concat({b}, ',') FROM observations {hint} WHERE {where}"


def _sqlite_hint(cur: object, scan: str) -> str:
    if scan == "all":
        return "NOT INDEXED"
    if scan == "limits":
        return ""  # the limits index, chosen by the planner (its condition is in the query)
    names = {row[1] for row in cur.execute("PRAGMA index_list(observations)").fetchall()}  # type: ignore[attr-defined]
    return f"INDEXED BY {DATE_INDEX}" if DATE_INDEX in names else ""


def _unpack(packed_a: str | None, packed_b: str | None) -> pd.DataFrame:
    if not packed_a:
        return _empty()
    a = np.fromstring(packed_a, dtype=np.int64, sep=",")
    b = np.fromstring(packed_b or "", dtype=np.int64, sep=",")
    return pd.DataFrame(
        {
            "day": (a >> 36).astype(np.int32),
            "commodity_id": ((a >> 22) & 0x3FFF).astype(np.int32),
            "outlet_id": (a & 0x3FFFFF).astype(np.int32),
            "price": b >> 16,
            "ptype": ((b >> 14) & 0x3).astype(np.int8),
            "zone": ((b >> 12) & 0x3).astype(np.int8),
            "minutes": ((b & 0xFFF) - 1).astype(np.int16),
        }
    )[list(OBS_COLUMNS)]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: np.array([], dtype=t) for c, t in _DTYPES.items()})


def _read(session: Session, where: str, *, scan: str) -> pd.DataFrame:
    dialect = session.get_bind().dialect.name
    conn = session.connection().connection.dbapi_connection
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"detection reads observations from SQLite or PostgreSQL, not {dialect}")
    cur = conn.cursor()  # type: ignore[union-attr]
    try:
        if dialect == "postgresql":
            cur.execute(_pg_sql(where))
        else:
            cur.execute(_sqlite_sql(where, _sqlite_hint(cur, scan)))
        packed_a, packed_b = cur.fetchone()
    finally:
        cur.close()
    return _unpack(packed_a, packed_b)


def load_observations(
    session: Session,
    *,
    as_of: dt.date,
    ranges: list[tuple[dt.date, dt.date]] | None = None,
    commodity_ids: list[int] | tuple[int, ...] | None = None,
) -> pd.DataFrame:
    """Current observations dated ≤ ``as_of`` (within ``ranges``, of ``commodity_ids`` when given).

    Columns: ``day`` (days since 1970-01-01), ``commodity_id``, ``outlet_id``, ``price`` (đồng),
    ``ptype`` (:data:`PRICE_TYPE_CODES`), ``minutes`` (time of day, -1 unknown), ``zone`` (0 unknown).
    """
    if not ranges:
        return _read(session, _where(None, as_of, commodity_ids=commodity_ids), scan="all")
    # One query per range (overlapping ones merged: no row twice): a planner given ORed ranges may
    # walk the whole date index instead.
    merged: list[tuple[dt.date, dt.date]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    parts = [
        _read(session, _where([r], as_of, commodity_ids=commodity_ids), scan="range")
        for r in merged
        if r[0] <= as_of
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _empty()
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def load_limits(session: Session, *, before: dt.date) -> pd.DataFrame:
    """Current ceiling and committed prices dated before ``before`` (same columns as observations).

    An incremental run reads a recent window of prices; the limits in force at its start may be
    older (a commitment holds until replaced), so they are read too — by their own small index.
    """
    return _read(session, _where(None, before, limits_before=before), scan="limits")
