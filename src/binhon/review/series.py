"""Province price levels per commodity and day, from the current observations.

The *province level* of a commodity on a day is the median, over the outlets that priced it that
day, of each outlet's price (the mean of its prices that day when it has several). Medians keep
one outlet's odd price from moving the level, and taking the outlets' prices once each keeps the
outlets that report most often from weighing more. Only current observations (``is_current``)
are used; official outlets (the Ministry's fuel ceilings) are left out of retail and wholesale
levels and are the only source of ``ceiling`` levels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from binhon.db.models import Commodity, Observation, Outlet

__all__ = [
    "commodity_table",
    "daily_levels",
    "load_levels",
    "load_observations",
    "season_frame",
]

OBS_COLUMNS = ["commodity_id", "outlet_id", "outlet_type", "date", "price_type", "zone", "price_vnd"]
LEVEL_COLUMNS = ["commodity_id", "price_type", "date", "level", "outlets"]


def commodity_table(session: Session, *, codes: Iterable[str] = (), active_only: bool = True) -> pd.DataFrame:
    """Commodities (id index) with code, name, unit, group, spec, report_code, in catalogue order."""
    stmt = select(
        Commodity.id,
        Commodity.code,
        Commodity.name,
        Commodity.unit,
        Commodity.group,
        Commodity.spec,
        Commodity.report_code,
        Commodity.active,
    ).order_by(Commodity.id)
    if active_only:
        stmt = stmt.where(Commodity.active)
    frame = pd.DataFrame(
        session.execute(stmt).all(),
        columns=["id", "code", "name", "unit", "group", "spec", "report_code", "active"],
    ).set_index("id")
    wanted = list(codes)
    if wanted:
        frame = frame[frame["code"].isin(wanted)]
        order = {c: i for i, c in enumerate(wanted)}
        frame = frame.iloc[sorted(range(len(frame)), key=lambda i: order[frame["code"].iloc[i]])]
    return frame


def load_observations(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    price_types: Iterable[str] = ("retail",),
    commodity_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Current observations dated in [start, end] with their outlet's type (``OBS_COLUMNS``)."""
    stmt = (
        select(
            Observation.commodity_id,
            Observation.outlet_id,
            Outlet.outlet_type,
            type_coerce(Observation.obs_date, String),
            Observation.price_type,
            Observation.zone,
            Observation.price_vnd,
        )
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .where(
            # "IS true" rather than the bare column: on SQLite the bare column makes the planner walk the
            # partial unique index, several times slower than a scan for a date range.
            Observation.is_current.is_(True),
            Observation.obs_date >= start,
            Observation.obs_date <= end,
            Observation.price_type.in_(list(price_types)),
        )
    )
    if commodity_ids is not None:
        ids = sorted({int(i) for i in commodity_ids})
        if not ids:
            return pd.DataFrame(columns=OBS_COLUMNS)
        stmt = stmt.where(Observation.commodity_id.in_(ids))
    return _frame(session.execute(stmt).all(), OBS_COLUMNS)


def _frame(rows: list[Any], columns: list[str]) -> pd.DataFrame:
    """Rows of (…, date, …, price) as a typed frame, built column by column (much faster than from rows)."""
    if not rows:
        frame = pd.DataFrame({c: [] for c in columns})
    else:
        frame = pd.DataFrame({c: list(v) for c, v in zip(columns, zip(*rows, strict=True), strict=True)})
    frame["date"] = (
        pd.to_datetime(frame["date"], format="ISO8601") if len(frame) else pd.to_datetime(frame["date"])
    )
    frame["price_vnd"] = frame["price_vnd"].astype("float64")
    frame["zone"] = pd.to_numeric(frame["zone"], errors="coerce")
    return frame


def daily_levels(obs: pd.DataFrame, *, ceiling_zone: int | None = None) -> pd.DataFrame:
    """Province level per commodity, price type and day (``LEVEL_COLUMNS``).

    Parameters
    ----------
    obs : DataFrame
        Observations with ``OBS_COLUMNS``.
    ceiling_zone : int, optional
        For ``ceiling`` prices, keep only this fuel zone (ceilings without a zone apply to both).

    Notes
    -----
    ``level`` = median over outlets of the outlet's mean price that day; ``outlets`` = how many
    outlets priced it. Retail and wholesale levels leave out official outlets; ceiling levels use
    only them.
    """
    if obs.empty:
        return pd.DataFrame(columns=LEVEL_COLUMNS)
    official = obs["outlet_type"] == "official"
    is_ceiling = obs["price_type"] == "ceiling"
    keep = (is_ceiling & official) | (~is_ceiling & ~official)
    if ceiling_zone is not None:
        zone = obs["zone"]
        keep &= ~is_ceiling | zone.isna() | (zone == ceiling_zone)
    obs = obs[keep]
    if obs.empty:
        return pd.DataFrame(columns=LEVEL_COLUMNS)
    per_outlet = obs.groupby(["commodity_id", "price_type", "date", "outlet_id"], as_index=False)[
        "price_vnd"
    ].mean()
    levels = per_outlet.groupby(["commodity_id", "price_type", "date"], as_index=False).agg(
        level=("price_vnd", "median"), outlets=("outlet_id", "nunique")
    )
    return levels[LEVEL_COLUMNS]


def load_levels(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    price_types: Iterable[str] = ("retail",),
    commodity_ids: Iterable[int] | None = None,
    ceiling_zone: int | None = None,
) -> pd.DataFrame:
    """Province levels for [start, end] straight from the database (see :func:`daily_levels`)."""
    obs = load_observations(
        session, start=start, end=end, price_types=price_types, commodity_ids=commodity_ids
    )
    return daily_levels(obs, ceiling_zone=ceiling_zone)


def season_frame(levels: pd.Series, *, tet: dt.date, first: int, last: int) -> pd.Series:
    """The daily level of one commodity re-indexed by days to ``tet`` (first..last; NaN without data).

    ``levels`` is a Series of levels with a DatetimeIndex (one commodity, one price type).
    """
    k = pd.RangeIndex(first, last + 1, name="days_to_tet")
    dates = pd.to_datetime([tet + dt.timedelta(days=int(i)) for i in k])
    values = levels.reindex(dates).to_numpy()
    return pd.Series(values, index=k, dtype="float64")
