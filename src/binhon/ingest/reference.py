"""A snapshot of the catalogues an ingest checks rows against (commodities, outlets, areas)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import Commodity, Outlet
from binhon.units import Measure, parse_measure

if TYPE_CHECKING:
    from binhon.geo import AreaResolver


@dataclass(frozen=True)
class CommodityRef:
    """What validation needs of a commodity."""

    id: int
    code: str
    name: str
    unit: str
    measure: Measure
    min_vnd: int | None
    max_vnd: int | None


@dataclass
class OutletRef:
    """What validation needs of an outlet."""

    id: int
    code: str
    outlet_type: str
    zone: int | None


@dataclass
class Reference:
    """Commodities and outlets by code; the area resolver is built on first use."""

    session: Session
    commodities: dict[str, CommodityRef]
    outlets: dict[str, OutletRef]
    _resolver: AreaResolver | None = field(default=None, repr=False)

    @classmethod
    def load(cls, session: Session) -> Reference:
        """Read the active commodities and all outlets."""
        commodities: dict[str, CommodityRef] = {}
        for c in session.scalars(select(Commodity).where(Commodity.active)):
            measure = parse_measure(c.unit)
            if measure is None:  # guarded by catalogue validation; skip rather than crash
                continue
            commodities[c.code] = CommodityRef(c.id, c.code, c.name, c.unit, measure, c.min_vnd, c.max_vnd)
        outlets = {
            code: OutletRef(oid, code, otype, zone)
            for oid, code, otype, zone in session.execute(
                select(Outlet.id, Outlet.code, Outlet.outlet_type, Outlet.zone)
            )
        }
        return cls(session, commodities, outlets)

    @property
    def resolver(self) -> AreaResolver:
        """The area resolver over the stored gazetteer and config aliases."""
        if self._resolver is None:
            from binhon.catalog import load_areas
            from binhon.geo import AreaResolver

            self._resolver = AreaResolver.from_session(self.session, load_areas())
        return self._resolver
