"""Promotion-aware detection: a short supermarket promotion is not an anomaly, a lasting fall is."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import Alert
from binhon.detection import run_detection
from binhon.detection.baseline import run_age
from tests.detection.synth import ingest, market_records

START = dt.date(2024, 3, 1)
END = dt.date(2024, 10, 31)
PROMO = (dt.date(2024, 6, 3), dt.date(2024, 6, 7))  # 5 days, −20 %, at ST-00
PROMO_2 = (dt.date(2024, 7, 8), dt.date(2024, 7, 10))  # 3 days, −15 %, at ST-00
FALL = (dt.date(2024, 8, 1), dt.date(2024, 8, 20))  # 20 days, −20 %, at ST-11
SPIKE = (dt.date(2024, 9, 10), dt.date(2024, 9, 14))  # +30 %, at ST-22


def _store_events(code: str, district: str, d: dt.date) -> float:
    if code == "ST-00" and PROMO[0] <= d <= PROMO[1]:
        return float(np.log(0.80))
    if code == "ST-00" and PROMO_2[0] <= d <= PROMO_2[1]:
        return float(np.log(0.85))
    if code == "ST-11" and FALL[0] <= d <= FALL[1]:
        return float(np.log(0.80))
    if code == "ST-22" and SPIKE[0] <= d <= SPIKE[1]:
        return float(np.log(1.30))
    return 0.0


def _alerts(session: Session, code: str) -> list[Alert]:
    return [a for a in session.scalars(select(Alert)) if a.outlet is not None and a.outlet.code == code]


def _within(a: Alert, lo: dt.date, hi: dt.date) -> bool:
    return lo <= a.first_date <= hi


def test_supermarket_promotion_is_not_an_anomaly_but_a_lasting_fall_and_a_spike_are(session: Session) -> None:
    records = market_records(start=START, end=END, peak=0.0, seed=3)
    records += market_records(
        start=START,
        end=END,
        peak=0.0,
        noise=0.004,
        seed=5,
        outlet_type="supermarket",
        prefix="ST",
        bump=_store_events,
    )
    ingest(session, records)
    run_detection(session, actor="test")
    session.commit()
    # The 5-day −20 % promotion (and a 3-day −15 % one): no drop, no downward outlier, and no spike
    # when the price returns to normal.
    after_promos = dt.date(2024, 7, 31)
    promo = [a for a in _alerts(session, "ST-00") if _within(a, PROMO[0], after_promos)]
    assert promo == [], [(a.kind, a.first_date, a.explanation) for a in promo]
    # A 20-day −20 % fall at a supermarket still raises a drop (once it outlasts a promotion).
    fall = [a for a in _alerts(session, "ST-11") if a.kind == "drop" and _within(a, FALL[0], FALL[1])]
    assert fall, "lasting fall at a supermarket not detected"
    # A genuine spike at a supermarket still alerts, on its first days.
    spike = [a for a in _alerts(session, "ST-22") if a.kind == "spike" and _within(a, SPIKE[0], SPIKE[1])]
    assert spike and min(a.first_date for a in spike) <= SPIKE[0] + dt.timedelta(days=1)
    # No district- or province-wide fall from one store's promotion.
    areas = [
        a
        for a in session.scalars(select(Alert).where(Alert.kind == "drop"))
        if a.outlet is None and _within(a, PROMO[0], after_promos)
    ]
    assert areas == []


def test_run_age_counts_days_since_the_run_started() -> None:
    days = np.arange(10, 18)
    flag = np.array([0, 1, 1, 0, 1, 1, 0, 0], dtype=bool)[:, None]
    observed = np.array([1, 1, 1, 0, 1, 1, 1, 0], dtype=bool)[:, None]
    age = run_age(flag, observed, days)[:, 0]
    # row 3 has no price: the run goes on; row 6 is an ordinary price: it ends the run.
    assert np.isnan(age[0]) and age[1] == 0 and age[2] == 1 and np.isnan(age[3])
    assert age[4] == 3 and age[5] == 4 and np.isnan(age[6])
