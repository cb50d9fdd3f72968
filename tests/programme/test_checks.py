"""Commitment checks: price, margin and reserve rules, hand-computed, causal and frozen once stored."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from binhon.db.models import Alert
from binhon.programme import service as svc
from binhon.programme.alerts import commitment_candidates, run_commitment_checks, store_candidates
from binhon.programme.checks import market_reference
from binhon.programme.risk import commitment_status, commitments_at_risk
from tests.programme.data import AREA_B, d, ingest, price, programme

RICE, PORK = "gao-te-thuong", "thit-lon-nac"


@pytest.fixture
def scenario(session: Session) -> Session:
    """Three markets, one bình ổn sale point, a price and a margin commitment, reserve reports."""
    sp = {"outlet_type": "enterprise", "area": AREA_B}
    ingest(
        session,
        [
            price("2026-01-05", RICE, "BO-1", 14500, **sp),
            price("2026-01-06", RICE, "BO-1", 15500, **sp),
            price("2026-01-07", RICE, "BO-1", 16500, **sp),
            price("2026-01-08", RICE, "BO-1", 14800, **sp),
            price("2026-01-09", RICE, "BO-1", 18000, **sp),
            price("2026-01-12", PORK, "CHO-A", 100000),
            price("2026-01-12", PORK, "CHO-B", 110000),
            price("2026-01-12", PORK, "CHO-C", 120000, area=AREA_B),
            price("2026-01-12", PORK, "BO-1", 106000, **sp),
            price("2026-01-13", PORK, "CHO-A", 100000),
            price("2026-01-13", PORK, "CHO-B", 104000),
            price("2026-01-13", PORK, "BO-1", 98000, **sp),
        ],
    )
    pid = programme(session)
    svc.add_sale_point(session=session, participant_id=pid, outlet="BO-1", actor="test")
    start, end = d("2026-01-01"), d("2026-03-31")
    svc.add_commitment(
        session=session,
        participant_id=pid,
        commodity=RICE,
        period_start=start,
        period_end=end,
        committed_price_vnd=15000,
        quantity=1000,
        actor="test",
    )
    svc.add_commitment(
        session=session,
        participant_id=pid,
        commodity=PORK,
        period_start=start,
        period_end=end,
        margin_below_market_pct=5,
        actor="test",
    )
    for day, qty in (("2026-01-05", 1000), ("2026-01-20", 700), ("2026-02-01", 1000)):
        svc.upsert_reserve(
            session=session,
            participant_id=pid,
            commodity=RICE,
            report_date=d(day),
            quantity=qty,
            actor="test",
        )
    session.commit()
    return session


def by_rule(cands: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for c in cands:
        out.setdefault(c.details["rule"], []).append(c)
    return out


def test_price_margin_and_reserve_rules_by_hand(scenario: Session) -> None:
    cands = by_rule(commitment_candidates(scenario, as_of=d("2026-02-16")))
    assert sorted(cands) == ["margin", "price", "reserve"]

    # Price rule: 15.500 and 16.500 above 15.000 (one episode, ended by 14.800), then 18.000.
    first, second = sorted(cands["price"], key=lambda c: c.first_date)
    assert (first.first_date, first.last_date) == (d("2026-01-06"), d("2026-01-07"))
    assert (first.observed_vnd, first.expected_vnd) == (15500, 15000)
    assert first.score == pytest.approx(round(15500 / 15000 - 1, 4))
    assert first.severity == "alert"  # 16.500 is 10 % above: ≥ 5 % (alert), < 15 % (crisis)
    assert first.kind == "commitment_breach" and first.outlet_code == "BO-1" and first.commodity_code == RICE
    assert "cao hơn giá cam kết bình ổn 15.000 ₫/kg" in first.explanation
    assert "15.500 ₫/kg" in first.explanation and "06/01/2026" in first.explanation
    assert (second.first_date, second.last_date, second.severity) == (
        d("2026-01-09"),
        d("2026-01-09"),
        "crisis",
    )
    assert second.score == pytest.approx(0.2)

    # Margin rule on 12/01: market median of 100.000/110.000/120.000 = 110.000; limit 110.000 × 0,95.
    (margin,) = cands["margin"]
    assert margin.first_date == margin.last_date == d("2026-01-12")
    assert (margin.observed_vnd, margin.expected_vnd) == (106000, 104500)
    assert margin.score == pytest.approx(round(106000 / 104500 - 1, 4))
    assert margin.severity == "stress"
    assert margin.details["market_vnd"] == 110000 and margin.details["market_outlets"] == 3
    assert "ít nhất 5%" in margin.explanation and "110.000 ₫/kg" in margin.explanation
    # 13/01: CHO-C's 12/01 price still counts (7-day window): median(100.000, 104.000, 120.000) =
    # 104.000, limit 98.800, and 98.000 is below it: no breach.

    # Reserve rule: 700 of 1.000 kg reported on 20/01 (30 % short: alert) until 1.000 on 01/02.
    (reserve,) = cands["reserve"]
    assert (reserve.first_date, reserve.last_date) == (d("2026-01-20"), d("2026-01-31"))
    assert reserve.score == pytest.approx(0.3) and reserve.severity == "alert"
    assert reserve.outlet_id is None and reserve.details["committed_quantity"] == 1000
    assert (
        "700 kg" in reserve.explanation
        and "1.000 kg" in reserve.explanation
        and "Bính Ngọ" in reserve.explanation
    )
    for c in (first, second, margin, reserve):
        assert not re.search(r"(^|\s)[-−]\s?\d", c.explanation)  # directions are words, never signs


def test_missing_reserve_report_is_flagged_after_the_grace_days(session: Session) -> None:
    pid = programme(session)
    svc.add_commitment(
        session=session,
        participant_id=pid,
        commodity=RICE,
        period_start=d("2026-01-01"),
        period_end=d("2026-03-31"),
        committed_price_vnd=15000,
        quantity=1000,
        actor="test",
    )
    session.commit()
    (cand,) = commitment_candidates(session, as_of=d("2026-01-15"))
    # Reserve window of Tết 17/02/2026 starts 03/01 (−45 days); 7 days in: 10/01.
    assert (cand.first_date, cand.last_date) == (d("2026-01-10"), d("2026-01-15"))
    assert cand.details["missing_report"] is True and cand.severity == "alert"
    assert "chưa báo cáo lượng dự trữ" in cand.explanation


def test_causal_and_frozen_once_stored(scenario: Session) -> None:
    early = commitment_candidates(scenario, as_of=d("2026-01-06"))
    assert [(c.details["rule"], c.first_date, c.last_date, c.severity) for c in early] == [
        ("price", d("2026-01-06"), d("2026-01-06"), "stress")
    ]
    result = store_candidates(scenario, early)
    scenario.commit()
    assert result.raised == 1
    alert = scenario.scalars(select(Alert)).one()
    frozen = (
        alert.first_date,
        alert.kind,
        alert.observed_vnd,
        alert.expected_vnd,
        alert.score,
        alert.explanation,
    )

    later = run_commitment_checks(scenario, as_of=d("2026-02-16"), actor="test")
    scenario.commit()
    assert (later.raised, later.extended) == (3, 1)
    scenario.refresh(alert)
    assert (
        alert.first_date,
        alert.kind,
        alert.observed_vnd,
        alert.expected_vnd,
        alert.score,
        alert.explanation,
    ) == frozen
    assert (alert.last_date, alert.severity) == (d("2026-01-07"), "alert")

    again = run_commitment_checks(scenario, as_of=d("2026-02-16"), actor="test")
    scenario.commit()
    assert (again.raised, again.extended, again.unchanged) == (0, 0, 4)
    assert scenario.scalar(select(func.count()).select_from(Alert)) == 4


def test_alerts_up_to_a_day_do_not_depend_on_later_data(scenario: Session) -> None:
    day = d("2026-01-10")
    as_of_day = {c.dedupe_key: c for c in commitment_candidates(scenario, as_of=day)}
    later = {
        c.dedupe_key: c for c in commitment_candidates(scenario, as_of=d("2026-03-31")) if c.first_date <= day
    }
    assert as_of_day.keys() == later.keys()
    for key, c in as_of_day.items():
        assert (c.observed_vnd, c.expected_vnd, c.score, c.explanation) == (
            later[key].observed_vnd,
            later[key].expected_vnd,
            later[key].score,
            later[key].explanation,
        )


def test_market_reference_is_causal_median_of_latest_prices() -> None:
    prices = pd.DataFrame(
        {
            "commodity_id": [1, 1, 1, 1, 1],
            "outlet_id": [1, 2, 3, 1, 2],
            "date": pd.to_datetime(["2026-01-12", "2026-01-12", "2026-01-12", "2026-01-13", "2026-01-13"]),
            "price_vnd": [100000, 110000, 120000, 100000, 104000],
        }
    )
    m = market_reference(prices, window_days=7, min_outlets=3, end=dt.date(2026, 1, 20))
    values = dict(zip(m["date"].dt.date, m["market_vnd"], strict=True))
    assert values[dt.date(2026, 1, 12)] == 110000
    assert values[dt.date(2026, 1, 13)] == 104000
    assert values[dt.date(2026, 1, 18)] == 104000  # the 12/01 price of outlet 3 still counts
    assert dt.date(2026, 1, 19) not in values  # outlet 3 dropped out of the 7-day window: 2 outlets


def test_status_and_risk(scenario: Session) -> None:
    rows = {r.commodity_code: r for r in commitment_status(scenario, as_of=d("2026-01-09"))}
    rice = rows[RICE]
    assert rice.status == "breach" and rice.latest_price_vnd == 18000 and rice.limit_vnd == 15000
    assert rice.reserve_quantity == 1000 and rice.reserve_ratio == 1.0
    risky = commitments_at_risk(scenario, as_of=d("2026-01-08"))
    assert [r.commodity_code for r in risky] == [RICE]
    # 14.800 is 1,4 % below 15.000 (< 3 % headroom): at risk, with the earlier breach mentioned.
    assert risky[0].status == "at_risk"
    assert any("chỉ thấp hơn mức tối đa theo cam kết 15.000 ₫/kg 1,4%" in r for r in risky[0].reasons)
    # A market forecast above the committed price is a risk too.
    with_forecast = commitment_status(scenario, as_of=d("2026-01-05"), forecasts={rice.commodity_id: 16000.0})
    rice_early = next(r for r in with_forecast if r.commodity_code == RICE)
    assert rice_early.status == "at_risk"
    assert any("giá thị trường dự báo trước Tết Bính Ngọ 16.000 ₫/kg" in r for r in rice_early.reasons)
