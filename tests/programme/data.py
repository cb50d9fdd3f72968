"""Small datasets for the programme and report tests, built through the ingest path and the service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from binhon.ingest import ingest_records
from binhon.programme import service as svc

AREA_A = "Huyện Càng Long"
AREA_B = "Thành phố Trà Vinh"


def d(text: str) -> dt.date:
    """A date from YYYY-MM-DD."""
    return dt.date.fromisoformat(text)


def price(
    day: str,
    commodity: str,
    outlet: str,
    vnd: int,
    *,
    outlet_type: str = "market",
    area: str = AREA_A,
    price_type: str = "retail",
    zone: str = "",
) -> dict[str, object]:
    """One observation with the CSV's fields."""
    return {
        "date": day,
        "commodity": commodity,
        "outlet": outlet,
        "price_vnd": vnd,
        "price_type": price_type,
        "outlet_type": outlet_type,
        "area": "" if outlet_type == "official" else area,
        "zone": zone,
    }


def ingest(session: Session, records: list[dict[str, object]]) -> None:
    """Store records through the one ingest path and commit."""
    ingest_records(session, records, actor="test", channel="test", source_default="test")
    session.commit()


def programme(session: Session, *, year: int = 2026, enterprise: str = "CLX") -> int:
    """A programme year with one participant; returns the participant id."""
    svc.create_programme_year(
        session=session,
        year=year,
        actor="test",
        decision_no="1215/QĐ-UBND",
        decision_date=dt.date(year - 1, 7, 1),
    )
    p = svc.add_participant(
        session=session,
        year=year,
        enterprise=enterprise,
        enterprise_name="Công ty CP Thương mại Cửu Long Xanh",
        actor="test",
        loan_proposed_vnd=25_000_000_000,
        loan_approved_vnd=20_000_000_000,
        loan_disbursed_vnd=15_000_000_000,
    )
    session.flush()
    return p.id
