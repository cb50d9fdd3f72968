"""Rules: official ceiling (incl. the 15:00 change), bình ổn commitment, stale series (Tết closures)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import Alert
from binhon.detection import load_detection_config, run_detection, with_overrides
from tests.detection.synth import daterange, ingest

FUEL = "xang-e5-ron92"


def _ceiling(d: str, price: int, zone: int, time: str = "15:00") -> dict[str, object]:
    # One official source per zone: the observation key has no zone (see the report to the lead).
    return {
        "date": d,
        "commodity": FUEL,
        "outlet": f"BCT-V{zone}",
        "price_vnd": price,
        "price_type": "ceiling",
        "outlet_type": "official",
        "zone": zone,
        "time": time,
    }


def _retail(
    d: str, price: int, outlet: str = "CX-1", time: str = "", zone: int | str = 1
) -> dict[str, object]:
    return {
        "date": d,
        "commodity": FUEL,
        "outlet": outlet,
        "price_vnd": price,
        "outlet_type": "petrol",
        "area": "Huyện Càng Long",
        "zone": zone,
        "time": time,
    }


def _kinds(session: Session, kind: str) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.first_date)))


def test_ceiling_in_force_across_adjustments_and_the_1500_rule(session: Session) -> None:
    records = [
        _ceiling("2026-01-01", 20_000, 1, ""),  # no time: in force from 15:00 of its day
        _ceiling("2026-01-01", 20_400, 2, ""),
        _ceiling("2026-01-11", 19_500, 1),  # cut at 15:00
        _ceiling("2026-01-21", 20_500, 1),  # raise at 15:00
    ]
    # before any ceiling: not judged; 02/01..10/01 under 20.000
    records += [_retail(d.isoformat(), 19_990) for d in daterange(dt.date(2026, 1, 2), dt.date(2026, 1, 5))]
    records += [_retail("2026-01-06", 20_050)]  # breach (20.050 > 20.000)
    records += [_retail("2026-01-07", 20_000)]  # at the ceiling: fine
    # adjustment day 11/01 (20.000 -> 19.500 at 15:00)
    records += [_retail("2026-01-11", 19_900, outlet="CX-2", time="09:00")]  # before 15:00: old ceiling, fine
    records += [_retail("2026-01-11", 19_900, outlet="CX-3", time="16:00")]  # after: new ceiling, breach
    records += [_retail("2026-01-11", 19_900, outlet="CX-4")]  # no time on an adjustment day: not judged
    records += [_retail("2026-01-12", 19_600, outlet="CX-5")]  # day after: 19.500 in force, breach
    # adjustment day 21/01 (19.500 -> 20.500 at 15:00): 20.000 in the morning breaches the old ceiling
    records += [_retail("2026-01-21", 20_000, outlet="CX-6", time="10:30")]
    records += [_retail("2026-01-21", 20_000, outlet="CX-7", time="15:30")]  # fine after the raise
    # zone 2 outlet: judged against the zone 2 ceiling
    records += [_retail("2026-01-06", 20_300, outlet="CX-8", zone=2)]
    ingest(session, records)
    run_detection(session, actor="test")
    session.commit()
    found = {(a.outlet.code, a.first_date.isoformat()) for a in _kinds(session, "ceiling_breach")}
    assert found == {
        ("CX-1", "2026-01-06"),
        ("CX-3", "2026-01-11"),
        ("CX-5", "2026-01-12"),
        ("CX-6", "2026-01-21"),
    }
    a = next(a for a in _kinds(session, "ceiling_breach") if a.outlet.code == "CX-1")
    assert (a.observed_vnd, a.expected_vnd, a.last_date) == (20_050, 20_000, dt.date(2026, 1, 6))
    assert "vượt giá bán lẻ tối đa 20.000 ₫/lít" in a.explanation and "vùng 1" in a.explanation
    assert a.severity == "stress"


def test_ambiguous_day_judged_against_the_higher_ceiling_when_configured(session: Session) -> None:
    records = [_ceiling("2026-01-01", 20_000, 1), _ceiling("2026-01-11", 19_500, 1)]
    records += [_retail("2026-01-11", 19_900, outlet="CX-4"), _retail("2026-01-11", 20_100, outlet="CX-9")]
    ingest(session, records)
    cfg = with_overrides(load_detection_config(), {"ceiling.ambiguous": "higher"})
    run_detection(session, actor="test", config=cfg)
    session.commit()
    assert [a.outlet.code for a in _kinds(session, "ceiling_breach")] == ["CX-9"]


def test_ceiling_breach_extends_while_it_lasts(session: Session) -> None:
    records = [_ceiling("2026-01-01", 20_000, 1)]
    # a one-day dip within persistence.extend_gap_days (2) does not split the alert; a longer one does
    prices = [19_900, 20_100, 20_300, 20_900, 19_900, 20_100, 19_900, 19_900, 19_900, 20_050]
    records += [_retail(f"2026-01-{2 + i:02d}", p) for i, p in enumerate(prices)]
    ingest(session, records)
    run_detection(session, actor="test")
    session.commit()
    alerts = _kinds(session, "ceiling_breach")
    assert [(a.first_date.day, a.last_date.day, a.severity) for a in alerts] == [
        (3, 7, "crisis"),
        (11, 11, "stress"),
    ]
    assert alerts[0].observed_vnd == 20_100  # the raising figures stay as first raised


def _committed(d: str, price: int, outlet: str = "ST-1") -> dict[str, object]:
    return {
        "date": d,
        "commodity": "duong-trang",
        "outlet": outlet,
        "price_vnd": price,
        "price_type": "committed",
        "outlet_type": "supermarket",
        "area": "Thành phố Trà Vinh",
    }


def _shelf(d: str, price: int, outlet: str = "ST-1") -> dict[str, object]:
    return {
        "date": d,
        "commodity": "duong-trang",
        "outlet": outlet,
        "price_vnd": price,
        "outlet_type": "supermarket",
        "area": "Thành phố Trà Vinh",
    }


def test_commitment_breach_until_replaced(session: Session) -> None:
    records = [_committed("2026-01-05", 25_000), _committed("2026-01-20", 27_000)]
    records += [_shelf("2026-01-04", 30_000)]  # before the commitment: not judged
    records += [_shelf("2026-01-10", 25_000), _shelf("2026-01-12", 26_500)]  # breach on 12/01 (6 %: alert)
    records += [_shelf("2026-01-21", 26_500)]  # new commitment 27.000: fine
    records += [_shelf("2026-01-10", 30_000, outlet="ST-2")]  # no commitment at ST-2
    ingest(session, records)
    run_detection(session, actor="test")
    session.commit()
    alerts = _kinds(session, "commitment_breach")
    assert [(a.outlet.code, a.first_date.isoformat(), a.severity) for a in alerts] == [
        ("ST-1", "2026-01-12", "alert")
    ]
    assert "giá cam kết bình ổn 25.000 ₫/kg" in alerts[0].explanation


def test_stale_series_with_tet_closure_excluded(session: Session) -> None:
    tet = dt.date(2026, 2, 17)
    # daily prices until 13/02, then closed over Tết until 23/02 (-4..+6, closure counts -2..+6), back 24/02
    days = [
        d
        for d in daterange(dt.date(2025, 11, 1), dt.date(2026, 3, 31))
        if not (tet - dt.timedelta(days=4) <= d <= tet + dt.timedelta(days=6))
    ]
    records = [
        {
            "date": d.isoformat(),
            "commodity": "gao-te-thuong",
            "outlet": "CHO-A",
            "price_vnd": 15_000,
            "outlet_type": "market",
            "area": "Huyện Cầu Kè",
        }
        for d in days
    ]
    # a second market stops for good on 10/03/2026
    records += [
        {
            "date": d.isoformat(),
            "commodity": "gao-te-thuong",
            "outlet": "CHO-B",
            "price_vnd": 15_500,
            "outlet_type": "market",
            "area": "Huyện Cầu Kè",
        }
        for d in daterange(dt.date(2025, 11, 1), dt.date(2026, 3, 10))
    ]
    # and a third reports until 31/03 (so the data reach 31/03)
    ingest(session, records)
    run_detection(session, as_of=dt.date(2026, 3, 31), actor="test")
    session.commit()
    stale = _kinds(session, "stale")
    assert [(a.outlet.code, a.first_date.isoformat(), a.last_date.isoformat()) for a in stale] == [
        ("CHO-B", "2026-03-14", "2026-03-31")
    ]
    assert stale[0].severity in ("alert", "crisis")
    assert "chưa được cập nhật từ ngày 10/03/2026" in stale[0].explanation
