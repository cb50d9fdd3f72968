"""ALPS and IPA for reports: a commodity's monthly means at an outlet, in a district or province-wide."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import Area, Commodity, Observation, Outlet
from binhon.detection.alps import PriceIndicators, indicators, monthly_means
from binhon.detection.config import DetectionConfig, load_detection_config
from binhon.detection.panel import day_of

__all__ = ["price_indicators"]


def price_indicators(
    session: Session,
    *,
    commodity: str,
    as_of: dt.date,
    outlet: str | None = None,
    district: str | None = None,
    price_type: str = "retail",
    config: DetectionConfig | None = None,
) -> PriceIndicators | None:
    """ALPS and IPA (plain and with Tết) of the month of ``as_of``, from prices dated ≤ ``as_of``.

    The monthly series is the mean price of the commodity at ``outlet`` (its code), else at the
    outlets of the former ``district`` (its code), else at every outlet of the province.
    """
    cfg = config or load_detection_config()
    stmt = (
        select(Observation.obs_date, Observation.price_vnd)
        .join(Commodity, Commodity.id == Observation.commodity_id)
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .where(
            Observation.is_current,
            Commodity.code == commodity,
            Observation.price_type == price_type,
            Observation.obs_date <= as_of,
        )
    )
    if outlet:
        stmt = stmt.where(Outlet.code == outlet)
    elif district:
        ids = select(Area.id).where(Area.code == district, Area.level == "district")
        stmt = stmt.where(Outlet.district_id.in_(ids))
    rows = session.execute(stmt).all()
    if not rows:
        return None
    days = pd.Series([day_of(d) for d, _ in rows])
    return indicators(monthly_means(days, pd.Series([p for _, p in rows])), config=cfg.alps)
