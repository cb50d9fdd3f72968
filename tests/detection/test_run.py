"""run_detection: causal and frozen alerts, incremental runs equal a full run, idempotent reruns."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from binhon.db.models import Alert, AlertReview, DetectionRun
from binhon.detection import run_detection
from binhon.tet import days_to_tet
from tests.detection.synth import ingest, market_records

START = dt.date(2023, 10, 1)
END = dt.date(2026, 3, 10)
D1 = dt.date(2026, 2, 5)
CONTRACT_FROZEN = (
    "kind",
    "commodity_id",
    "outlet_id",
    "area_id",
    "first_date",
    "observed_vnd",
    "expected_vnd",
    "score",
    "explanation",
    "detector",
    "dedupe_key",
)


def _events(code: str, district: str, d: dt.date) -> float:
    k = days_to_tet(d)
    if code == "CHO-21" and d.year == 2026 and -30 <= k <= -3:  # abnormal ramp at one outlet
        return float(np.log(1.45 / 1.20) * (k + 30) / 27)
    if code == "CHO-02" and dt.date(2025, 6, 10) <= d <= dt.date(2025, 6, 20):  # gouging
        return float(np.log(1.3))
    if code == "CHO-30" and dt.date(2026, 2, 1) <= d <= dt.date(2026, 2, 12):  # gouging across D1
        return float(np.log(1.3))
    return 0.0


def _records() -> list[dict[str, object]]:
    recs = market_records(start=START, end=END, bump=_events)
    # one market stops reporting rice: a stale series spanning D1
    recs += [
        {
            "date": d.isoformat(),
            "commodity": "gao-te-thuong",
            "outlet": "CHO-G",
            "price_vnd": 15_000,
            "outlet_type": "market",
            "area": "Huyện Càng Long",
        }
        for d in (START + dt.timedelta(days=i) for i in range((dt.date(2026, 1, 25) - START).days))
    ]
    return recs


def _snapshot(session: Session) -> dict[str, dict[str, object]]:
    session.expire_all()
    return {
        a.dedupe_key: {c: getattr(a, c) for c in (*CONTRACT_FROZEN, "last_date", "severity", "status")}
        for a in session.scalars(select(Alert))
    }


def _wipe_alerts(session: Session) -> None:
    session.execute(delete(AlertReview))
    session.execute(delete(Alert))
    session.execute(delete(DetectionRun))
    session.commit()


def test_frozen_and_causal_then_incremental_equals_full(session: Session) -> None:
    ingest(session, _records())
    first = run_detection(session, as_of=D1, actor="test")
    session.commit()
    assert first.judged_to == D1
    before = _snapshot(session)
    assert any(a["kind"] == "spike" for a in before.values())
    assert any(a["kind"] == "stale" for a in before.values())
    assert all(a["first_date"] <= D1 and a["last_date"] <= D1 for a in before.values())
    second = run_detection(session, actor="test")  # as of the latest date
    session.commit()
    assert second.judged_from == D1 + dt.timedelta(days=1) and second.judged_to == END
    after = _snapshot(session)
    rank = {"stress": 1, "alert": 2, "crisis": 3}
    for key, old in before.items():
        new = after[key]  # never disappears
        for col in CONTRACT_FROZEN:
            assert new[col] == old[col], (key, col)
        assert new["last_date"] >= old["last_date"]
        assert rank[str(new["severity"])] >= rank[str(old["severity"])]
    assert any(after[k]["last_date"] > D1 for k in before)  # something went on after D1 and was extended
    # rerun: nothing new, nothing changed
    again = run_detection(session, actor="test")
    session.commit()
    assert again.raised == 0 and again.judged_from is None
    assert _snapshot(session) == after
    # the same data judged in one run as of the last date gives the very same alerts
    _wipe_alerts(session)
    direct = run_detection(session, actor="test")
    session.commit()
    assert direct.judged_from == START
    fresh = _snapshot(session)
    assert set(fresh) == set(after)
    for key in fresh:
        for col in (*CONTRACT_FROZEN, "last_date", "severity"):
            assert fresh[key][col] == after[key][col], (key, col)


def test_late_prices_are_judged_on_their_own_date(session: Session) -> None:
    recs = market_records(start=START, end=dt.date(2025, 7, 1))
    late = [r for r in recs if r["outlet"] == "CHO-11" and str(r["date"]) >= "2025-06-20"]
    early = [r for r in recs if r not in late]
    ingest(session, early)
    run_detection(session, actor="test", as_of=dt.date(2025, 7, 1))
    session.commit()
    for r in late:
        r["price_vnd"] = int(int(r["price_vnd"]) * 1.4) // 500 * 500
    ingest(session, late)
    result = run_detection(session, actor="test", as_of=dt.date(2025, 7, 1))
    session.commit()
    assert result.judged_from == dt.date(2025, 6, 20)
    spikes = [a for a in session.scalars(select(Alert).where(Alert.kind == "spike")) if a.outlet is not None]
    assert [(a.outlet.code, a.first_date) for a in spikes] == [("CHO-11", dt.date(2025, 6, 20))]


def test_empty_database(session: Session) -> None:
    result = run_detection(session, actor="test")
    session.commit()
    assert result.raised == 0 and result.judged_from is None
