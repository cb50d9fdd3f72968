"""A demo programme register on top of the demo prices (DỮ LIỆU MẪU), for the notebook and the demo.

:func:`build_demo_programme` registers, for one programme year, the bình ổn participant of the demo
outlets (chain "Cửu Long Xanh", whose sale points publish ``committed`` prices) with price
commitments at its published prices — and, for a few goods, also a margin ("thấp hơn giá thị
trường 3%") —, a supermarket chain with price commitments a little above its usual prices (its
pre-Tết rises will breach them), loans, and — for the dates already passed on ``as_of`` — reserve
reports (one good short) and a field visit. Everything goes through :mod:`binhon.programme.service`
and is labelled as demo data.
Idempotent: running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from binhon.db.models import Commodity, Enterprise, IngestBatch, Observation, Outlet
from binhon.programme import service as svc
from binhon.tet import lunar_year_name, tet_date

__all__ = ["DemoProgramme", "build_demo_programme", "ensure_demo_programme", "is_demo_database"]

DEMO_NOTE = "DỮ LIỆU MẪU (demo) – không phải số liệu thật"
PARTICIPANT_CHAIN = "Cửu Long Xanh"
SUPERMARKET_TYPES = ("supermarket",)
#: Committed quantities per commodity (in the commodity's unit).
QUANTITIES = {
    "gao-te-thuong": 200_000,
    "gao-thom": 100_000,
    "thit-lon-nac": 20_000,
    "thit-lon-ba-roi": 15_000,
    "ga-ta": 10_000,
    "trung-ga": 50_000,
    "ca-loc": 8_000,
    "duong-trang": 40_000,
    "muoi-hat": 20_000,
    "dau-an": 30_000,
}
MARGIN_GOODS = ("gao-te-thuong", "thit-lon-nac", "trung-ga")
MARGIN_PCT = 3.0
#: The supermarket commits to prices this much above its usual price (rounded up to 500 đồng).
STORE_MARKUP = 1.05
#: Reserve reported at this share of the committed quantity (one good short, for the checks to find).
RESERVE_SHARE = 0.9
SHORT_GOOD = ("thit-lon-nac", 0.6)


@dataclass
class DemoProgramme:
    """What the demo register holds for the year."""

    year: int
    participants: list[str] = field(default_factory=list)
    commitments: int = 0
    reserves: int = 0
    visits: int = 0


def _committed_price(session: Session, commodity_id: int, outlets: list[int], as_of: dt.date) -> int | None:
    """The latest committed price published at the sale points (else a round market price)."""
    latest = session.execute(
        select(Observation.price_vnd)
        .where(
            Observation.is_current.is_(True),
            Observation.price_type == "committed",
            Observation.commodity_id == commodity_id,
            Observation.outlet_id.in_(outlets),
            Observation.obs_date <= as_of,
        )
        .order_by(Observation.obs_date.desc(), Observation.price_vnd.desc())
        .limit(1)
    ).scalar()
    if latest is not None:
        return int(latest)
    avg = session.execute(
        select(func.avg(Observation.price_vnd)).where(
            Observation.is_current.is_(True),
            Observation.price_type == "retail",
            Observation.commodity_id == commodity_id,
            Observation.obs_date > as_of - dt.timedelta(days=30),
            Observation.obs_date <= as_of,
        )
    ).scalar()
    return None if avg is None else int(math.ceil(float(avg) * 1.02 / 500) * 500)


def _usual_price(session: Session, commodity_id: int, outlets: list[int], on: dt.date) -> float | None:
    """Mean retail price at these outlets over the 60 days before ``on``."""
    avg = session.execute(
        select(func.avg(Observation.price_vnd)).where(
            Observation.is_current.is_(True),
            Observation.price_type == "retail",
            Observation.commodity_id == commodity_id,
            Observation.outlet_id.in_(outlets),
            Observation.obs_date > on - dt.timedelta(days=60),
            Observation.obs_date <= on,
        )
    ).scalar()
    return None if avg is None else float(avg)


def build_demo_programme(
    session: Session, *, year: int, as_of: dt.date | None = None, actor: str = "demo"
) -> DemoProgramme:
    """Register a demo programme year (participants, sale points, commitments, reserves, a visit)."""
    tet = tet_date(year)
    if as_of is None:
        as_of = session.scalar(select(func.max(Observation.obs_date)).where(Observation.is_current.is_(True)))
        as_of = as_of or tet
    summary = DemoProgramme(year=year)
    svc.upsert_programme_year(
        session=session,
        year=year,
        actor=actor,
        decision_no=f"{1200 + year % 100}/QĐ-UBND",
        decision_date=dt.date(year - 1, 7, 1),
        title=f"Chương trình bình ổn thị trường năm {year}, Tết {lunar_year_name(year)} ({DEMO_NOTE})",
        note=DEMO_NOTE,
    )
    start, end = tet - dt.timedelta(days=60), tet + dt.timedelta(days=30)
    goods = {
        c.code: c for c in session.scalars(select(Commodity).where(Commodity.code.in_(list(QUANTITIES))))
    }

    # The participant whose sale points publish committed prices.
    sale_points = list(
        session.scalars(select(Outlet).where(Outlet.chain == PARTICIPANT_CHAIN).order_by(Outlet.code))
    )
    if sale_points and sale_points[0].enterprise_id is not None:
        ent = session.get(Enterprise, sale_points[0].enterprise_id)
        assert ent is not None
        p = svc.upsert_participant(
            session=session,
            year=year,
            enterprise=ent.code,
            actor=actor,
            loan_proposed_vnd=25_000_000_000,
            loan_approved_vnd=20_000_000_000,
            loan_disbursed_vnd=15_000_000_000 if as_of >= start else 0,
            note=DEMO_NOTE,
        ).entity
        summary.participants.append(ent.name)
        for o in sale_points:
            svc.upsert_sale_point(session=session, participant_id=p.id, outlet=o.code, actor=actor)
        ids = [o.id for o in sale_points]
        for code, quantity in QUANTITIES.items():
            com = goods.get(code)
            if com is None:
                continue
            price = _committed_price(session, com.id, ids, min(as_of, tet))
            if price is None:
                continue
            svc.upsert_commitment(
                session=session,
                participant_id=p.id,
                commodity=code,
                period_start=start,
                period_end=end,
                actor=actor,
                quantity=float(quantity),
                value_vnd=int(quantity * price),
                committed_price_vnd=price,
                margin_below_market_pct=MARGIN_PCT if code in MARGIN_GOODS else None,
            )
            summary.commitments += 1
            report_day = tet - dt.timedelta(days=50)
            if report_day <= as_of:
                share = SHORT_GOOD[1] if code == SHORT_GOOD[0] else RESERVE_SHARE
                svc.upsert_reserve(
                    session=session,
                    participant_id=p.id,
                    commodity=code,
                    report_date=report_day,
                    quantity=float(round(quantity * share)),
                    value_vnd=int(round(quantity * share) * price),
                    actor=actor,
                )
                summary.reserves += 1
        visit_day = tet - dt.timedelta(days=20)
        if visit_day <= as_of:
            svc.upsert_field_visit(
                session=session,
                participant_id=p.id,
                visit_date=visit_day,
                officer="Đoàn kiểm tra Sở Công Thương (dữ liệu mẫu)",
                findings="Niêm yết giá bình ổn đầy đủ; kiểm tra kho dự trữ hàng Tết (dữ liệu mẫu)",
                outlet=sale_points[0].code,
                compliant=True,
                actor=actor,
            )
            summary.visits += 1

    # A supermarket chain committed to prices a little above its usual ones.
    stores = list(
        session.scalars(
            select(Outlet)
            .where(Outlet.outlet_type.in_(SUPERMARKET_TYPES), Outlet.enterprise_id.is_not(None))
            .order_by(Outlet.code)
        )
    )
    if stores:
        ent = session.get(Enterprise, stores[0].enterprise_id)
        assert ent is not None
        p = svc.upsert_participant(
            session=session,
            year=year,
            enterprise=ent.code,
            actor=actor,
            loan_proposed_vnd=10_000_000_000,
            loan_approved_vnd=8_000_000_000,
            loan_disbursed_vnd=8_000_000_000 if as_of >= start else 0,
            note=DEMO_NOTE,
        ).entity
        summary.participants.append(ent.name)
        for o in stores:
            if o.enterprise_id == ent.id:
                svc.upsert_sale_point(session=session, participant_id=p.id, outlet=o.code, actor=actor)
        store_ids = [o.id for o in stores if o.enterprise_id == ent.id]
        for code in MARGIN_GOODS:
            if code not in goods:
                continue
            usual = _usual_price(session, goods[code].id, store_ids, min(as_of, start))
            if usual is None:
                continue
            svc.upsert_commitment(
                session=session,
                participant_id=p.id,
                commodity=code,
                period_start=start,
                period_end=end,
                actor=actor,
                committed_price_vnd=int(math.ceil(usual * STORE_MARKUP / 500) * 500),
            )
            summary.commitments += 1
    session.flush()
    return summary


def is_demo_database(session: Session) -> bool:
    """Whether the database holds the demo prices (built by ``binhon demo``)."""
    return (
        session.scalar(select(func.count()).select_from(IngestBatch).where(IngestBatch.channel == "demo"))
        != 0
    )


def ensure_demo_programme(session: Session, *, year: int, actor: str = "demo") -> DemoProgramme | None:
    """On the demo database only: register the demo programme of ``year`` (and the two before) if missing.

    Returns what was registered for ``year``, or None when the database is not the demo one or the
    programme year already exists (nothing is touched then).
    """
    if not is_demo_database(session) or svc.get_programme_year(session=session, year=year) is not None:
        return None
    result = None
    for y in (year - 2, year - 1, year):
        if svc.get_programme_year(session=session, year=y) is None:
            made = build_demo_programme(session, year=y, actor=actor)
            if y == year:
                result = made
    return result
