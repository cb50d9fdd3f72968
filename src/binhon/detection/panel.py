"""Stored prices as tidy, integer-coded pandas frames for the detectors (database → memory).

Only current observations (``is_current``) dated on or before the as-of date are read, in one
streamed query with only the columns the detectors need, all as integers: the day as days since
1970-01-01, ids, the price, a price-type code, the time of day in minutes (-1 unknown) and the
fuel zone (0 unknown). PostgreSQL streams the rows with COPY; SQLite with a raw cursor in chunks.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from binhon.db.models import Area, Commodity, Observation, Outlet, OutletSuspension

__all__ = [
    "EPOCH",
    "PRICE_TYPE_CODES",
    "Catalog",
    "day_of",
    "date_of",
    "load_catalog",
    "load_observations",
    "latest_observation_date",
    "max_observation_id",
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


def earliest_date_since(session: Session, *, after_id: int, as_of: dt.date) -> dt.date | None:
    """The earliest date of current observations stored after observation ``after_id``."""
    return session.scalar(
        select(func.min(Observation.obs_date)).where(
            Observation.id > after_id, Observation.is_current, Observation.obs_date <= as_of
        )
    )


def date_span_since(session: Session, *, after_id: int) -> tuple[dt.date | None, dt.date | None]:
    """(earliest, latest) date of current observations stored after observation ``after_id``.

    Selected by id (the primary key), so it is cheap.
    """
    row = session.execute(
        select(func.min(Observation.obs_date), func.max(Observation.obs_date)).where(
            Observation.id > after_id, Observation.is_current
        )
    ).one()
    return row[0], row[1]


def _where(ranges: list[tuple[dt.date, dt.date]] | None, as_of: dt.date) -> str:
    where = f"is_current AND obs_date <= '{as_of.isoformat()}'"
    if ranges:
        parts = " OR ".join(f"(obs_date BETWEEN '{a.isoformat()}' AND '{b.isoformat()}')" for a, b in ranges)
        where += f" AND ({parts})"
    return where


_MINUTES = (
    "CASE WHEN obs_time IS NULL OR obs_time = '' THEN -1 ELSE "
    "CAST(substr(obs_time, 1, 2) AS INTEGER) * 60 + CAST(substr(obs_time, 4, 2) AS INTEGER) END"
)
_PTYPE = "CASE price_type WHEN 'retail' THEN 0 WHEN 'wholesale' THEN 1 WHEN 'ceiling' THEN 2 ELSE 3 END"


def _pg_sql(ranges: list[tuple[dt.date, dt.date]] | None, as_of: dt.date) -> str:
    return (
        f"SELECT (obs_date - DATE '1970-01-01'), commodity_id, outlet_id, price_vnd, {_PTYPE}, {_MINUTES}, "
        f"COALESCE(zone, 0) FROM observations WHERE {_where(ranges, as_of)}"
    )


def _sqlite_sql(ranges: list[tuple[dt.date, dt.date]] | None, as_of: dt.date) -> str:
    # Python's sqlite3 costs ~2 µs per fetched row: the columns are packed into two integers per row
    # and returned as two comma-separated strings (group_concat), parsed by numpy. NOT INDEXED: the
    # partial unique index would turn the scan into millions of random table lookups.
    day = "CAST(julianday(obs_date) - 2440587.5 AS INTEGER)"
    a = f"(({day}) << 36) | (commodity_id << 22) | outlet_id"
    b = f"(price_vnd << 16) | (({_PTYPE}) << 14) | (COALESCE(zone, 0) << 12) | (({_MINUTES}) + 1)"
    return (
        f"SELECT group_concat({a}, ','), group_concat({b}, ',') "
        f"FROM observations NOT INDEXED WHERE {_where(ranges, as_of)}"
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: np.array([], dtype=t) for c, t in _DTYPES.items()})


def load_observations(
    session: Session, *, as_of: dt.date, ranges: list[tuple[dt.date, dt.date]] | None = None
) -> pd.DataFrame:
    """Current observations dated ≤ ``as_of`` (within ``ranges`` when given), integer-coded.

    Columns: ``day`` (days since 1970-01-01), ``commodity_id``, ``outlet_id``, ``price`` (đồng),
    ``ptype`` (:data:`PRICE_TYPE_CODES`), ``minutes`` (time of day, -1 unknown), ``zone`` (0 unknown).
    """
    bind = session.get_bind()
    dialect = bind.dialect.name
    conn = session.connection().connection.dbapi_connection
    if dialect == "postgresql":
        sql = _pg_sql(ranges, as_of)
        buf = io.BytesIO()
        with conn.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:  # type: ignore[union-attr]
            for block in copy:
                buf.write(block)
        if buf.tell() == 0:
            return _empty()
        buf.seek(0)
        return pd.read_csv(buf, header=None, names=list(OBS_COLUMNS), dtype=_DTYPES, engine="c")
    if dialect != "sqlite":
        raise NotImplementedError(f"detection reads observations from SQLite or PostgreSQL, not {dialect}")
    cur = conn.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(_sqlite_sql(ranges, as_of))
        packed_a, packed_b = cur.fetchone()
    finally:
        cur.close()
    if not packed_a:
        return _empty()
    a = np.fromstring(packed_a, dtype=np.int64, sep=",")
    b = np.fromstring(packed_b, dtype=np.int64, sep=",")
    del packed_a, packed_b
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
