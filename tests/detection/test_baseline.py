"""The Tết-aware baseline on synthetic series with real Tết dates (pure functions and full runs)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import Alert
from binhon.detection import load_detection_config, run_detection
from binhon.detection.baseline import season_profile, tet_offsets
from binhon.detection.panel import day_of
from binhon.tet import days_to_tet, tet_date
from tests.detection.synth import ingest, market_records

START = dt.date(2023, 10, 1)
END = dt.date(2026, 3, 10)


def test_tet_offsets_match_calendar() -> None:
    days = np.arange(day_of(dt.date(2024, 1, 1)), day_of(dt.date(2026, 12, 31)))
    k, tet = tet_offsets(days)
    for d, kk in zip(days[::37], k[::37], strict=True):
        date = dt.date(1970, 1, 1) + dt.timedelta(days=int(d))
        assert kk == days_to_tet(date)
    assert day_of(tet_date(2026)) in set(tet.tolist())


def test_profile_learns_the_ramp_and_pools_peers() -> None:
    cfg = load_detection_config()
    k0, k1 = cfg.tet.reference_window[0], cfg.tet.profile_end
    ks = np.arange(k0, k1 + 1)
    ramp = np.where((ks >= -30) & (ks <= -3), 0.2 * (ks + 30) / 27, 0.0)
    rng = np.random.default_rng(1)
    blocks = [np.log(100.0) + ramp[:, None] + rng.normal(0, 0.005, (ks.size, 5)) for _ in range(3)]
    blocks[0][:, 4] = np.nan  # one series without history: borrows the peers' ramp
    blocks[1][:, 4] = np.nan
    blocks[2][:, 4] = np.nan
    prof = season_profile(blocks, classes=np.zeros(5, dtype=int), config=cfg)
    i = int(np.flatnonzero(ks == -5)[0])
    assert prof.P[i, 0] == pytest.approx(ramp[i], abs=0.02)
    assert prof.P[i, 4] == pytest.approx(ramp[i], abs=0.02)
    assert prof.seasons == 3


def _alerts(session: Session, **where: object) -> list[Alert]:
    stmt = select(Alert).order_by(Alert.first_date)
    for k, v in where.items():
        stmt = stmt.where(getattr(Alert, k) == v)
    return list(session.scalars(stmt))


def test_normal_tet_ramp_raises_no_alert(session: Session) -> None:
    ingest(session, market_records(start=START, end=END))
    result = run_detection(session, actor="test")
    session.commit()
    price_alerts = [a for a in _alerts(session) if a.kind in ("spike", "drop", "outlet_outlier")]
    assert price_alerts == [], [a.explanation for a in price_alerts]
    assert result.judged_from == START


def _abnormal_outlet(code: str, district: str, d: dt.date) -> float:
    k = days_to_tet(d)
    if code == "CHO-21" and d.year == 2026 and -30 <= k <= -3:
        return float(np.log(1.45 / 1.20) * (k + 30) / 27)
    return 0.0


def test_abnormal_ramp_at_one_outlet_is_a_spike(session: Session) -> None:
    ingest(session, market_records(start=START, end=END, bump=_abnormal_outlet))
    run_detection(session, actor="test")
    session.commit()
    spikes = [a for a in _alerts(session, kind="spike") if a.outlet is not None]
    assert [a.outlet.code for a in spikes] == ["CHO-21"]
    a = spikes[0]
    assert a.severity in ("alert", "crisis")
    assert -30 <= days_to_tet(a.first_date) <= -3
    assert a.observed_vnd > a.expected_vnd
    assert "trước Tết" in a.explanation and "cao hơn" in a.explanation and "₫/kg" in a.explanation
    assert a.details["method"] == "peers"


def _abnormal_district(code: str, district: str, d: dt.date) -> float:
    k = days_to_tet(d)
    if district == "Huyện Cầu Kè" and d.year == 2026 and -30 <= k <= -3:
        return float(np.log(1.45 / 1.20) * (k + 30) / 27)
    return 0.0


def test_abnormal_ramp_in_one_district_is_an_area_alert(session: Session) -> None:
    ingest(session, market_records(start=START, end=END, bump=_abnormal_district))
    run_detection(session, actor="test")
    session.commit()
    area = [a for a in _alerts(session, kind="spike") if a.outlet_id is None]
    assert len(area) == 1
    assert area[0].area is not None and area[0].area.name == "Huyện Cầu Kè"
    assert area[0].detector == "district_baseline"
    assert "Huyện Cầu Kè" in area[0].explanation
    outlets = {a.outlet.code for a in _alerts(session, kind="spike") if a.outlet is not None}
    assert outlets <= {"CHO-20", "CHO-21", "CHO-22"} and outlets


def test_new_outlet_with_two_months_borrows_from_peers(session: Session) -> None:
    new_start = {"CHO-21": dt.date(2025, 12, 10)}

    def gouge(code: str, district: str, d: dt.date) -> float:
        return (
            float(np.log(1.30))
            if code == "CHO-21" and d >= dt.date(2026, 2, 3) and d <= dt.date(2026, 2, 8)
            else 0.0
        )

    ingest(session, market_records(start=START, end=END, start_of=new_start, bump=gouge))
    run_detection(session, actor="test")
    session.commit()
    alerts = [a for a in _alerts(session) if a.outlet is not None and a.outlet.code == "CHO-21"]
    kinds = {a.kind for a in alerts}
    assert "spike" in kinds
    spike = next(a for a in alerts if a.kind == "spike")
    assert dt.date(2026, 2, 3) <= spike.first_date <= dt.date(2026, 2, 4)
    # the normal ramp of the new outlet (2 months of data, in its first Tết) raised nothing else
    assert all(a.first_date >= dt.date(2026, 2, 3) for a in alerts)


def test_weekly_series_are_judged(session: Session) -> None:
    def gouge(code: str, district: str, d: dt.date) -> float:
        return (
            float(np.log(1.35))
            if code == "CHO-11" and d >= dt.date(2025, 6, 1) and d <= dt.date(2025, 6, 30)
            else 0.0
        )

    ingest(session, market_records(start=START, end=END, step=7, bump=gouge))
    run_detection(session, actor="test")
    session.commit()
    spikes = [a for a in _alerts(session, kind="spike") if a.outlet is not None]
    assert [a.outlet.code for a in spikes] == ["CHO-11"]
    assert dt.date(2025, 6, 1) <= spikes[0].first_date <= dt.date(2025, 6, 15)
