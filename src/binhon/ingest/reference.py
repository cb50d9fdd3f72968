"""A snapshot of the catalogues an ingest checks rows against (commodities, outlets, areas).

A file import loads every active commodity and every outlet once. A small batch (an API call, a form)
loads only the codes its rows name (two indexed queries, whatever the size of the catalogues); the full
list of commodity codes is then read only if a code is unknown, for the "did you mean" hint.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
    # Every usable commodity code, when commodities holds only some of them.
    _all_codes: list[str] | None = field(default=None, repr=False)
    complete: bool = True

    @classmethod
    def load(
        cls,
        session: Session,
        *,
        commodity_codes: Iterable[str] | None = None,
        outlet_codes: Iterable[str] | None = None,
    ) -> Reference:
        """Read the active commodities and all outlets; only those with the given codes when given (both)."""
        partial = commodity_codes is not None and outlet_codes is not None
        com_stmt = select(*_COMMODITY_COLUMNS).where(Commodity.active)
        out_stmt = select(Outlet.id, Outlet.code, Outlet.outlet_type, Outlet.zone)
        if partial:
            assert commodity_codes is not None and outlet_codes is not None
            com_stmt = com_stmt.where(Commodity.code.in_(sorted(set(commodity_codes))))
            out_stmt = out_stmt.where(Outlet.code.in_(sorted(set(outlet_codes))))
        commodities = _commodity_refs(session.execute(com_stmt))
        outlets = {
            code: OutletRef(oid, code, otype, zone) for oid, code, otype, zone in session.execute(out_stmt)
        }
        return cls(session, commodities, outlets, complete=not partial)

    def commodity_codes(self) -> list[str]:
        """Every active commodity code (the choices for a misspelt code)."""
        if self.complete:
            return list(self.commodities)
        if self._all_codes is None:
            stmt = select(*_COMMODITY_COLUMNS).where(Commodity.active)
            self._all_codes = list(_commodity_refs(self.session.execute(stmt)))
        return self._all_codes

    @property
    def resolver(self) -> AreaResolver:
        """The area resolver over the stored gazetteer and config aliases."""
        if self._resolver is None:
            from binhon.catalog import load_areas
            from binhon.geo import AreaResolver

            self._resolver = AreaResolver.from_session(self.session, load_areas())
        return self._resolver


_COMMODITY_COLUMNS = (
    Commodity.id,
    Commodity.code,
    Commodity.name,
    Commodity.unit,
    Commodity.min_vnd,
    Commodity.max_vnd,
)
# A unit text always names the same measure (Measure is immutable): parse each one once per process.
_measure = functools.lru_cache(maxsize=1024)(parse_measure)


def _commodity_refs(rows: Iterable[Any]) -> dict[str, CommodityRef]:
    commodities: dict[str, CommodityRef] = {}
    for cid, code, name, unit, min_vnd, max_vnd in rows:
        measure = _measure(unit)
        if measure is None:  # guarded by catalogue validation; skip rather than crash
            continue
        commodities[code] = CommodityRef(cid, code, name, unit, measure, min_vnd, max_vnd)
    return commodities
