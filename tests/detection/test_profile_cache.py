"""Incremental runs: the cached Tết ramp profiles and the date-range load give what a full run gives.

Each test compares the flagged rows (every detector's candidates, with their scores) of an
incremental run with those of a full run over the same data, from the incremental run's first
judged day on, and the stored alerts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

import binhon.detection.run as run_module
from binhon.db.models import Alert, AlertReview, DetectionProfile, DetectionRun, Observation
from binhon.detection import run_detection
from binhon.detection.analysis import Analysis
from binhon.detection.config import load_detection_config, with_overrides
from binhon.detection.panel import day_of, load_limits, load_observations
from binhon.detection.profiles import _decode, _encode
from binhon.tet import days_to_tet
from tests.detection.synth import ingest, market_records

START = dt.date(2023, 10, 1)
END = dt.date(2026, 2, 20)
D0 = dt.date(2026, 1, 10)  # 38 days before Tết 2026: the first run already needs its profile
ABNORMAL = float(np.log(1.45 / 1.20))


def _bump(code: str, district: str, d: dt.date) -> float:
    k = days_to_tet(d)
    if code == "CHO-21" and d.year == 2026 and -30 <= k <= -3:  # abnormal ramp at one outlet
        return ABNORMAL * (k + 30) / 27
    if code == "CHO-30" and dt.date(2026, 2, 1) <= d <= dt.date(2026, 2, 12):  # gouging
        return float(np.log(1.3))
    return 0.0


def _records(**kw: Any) -> list[dict[str, object]]:
    return market_records(start=START, end=END, bump=_bump, **kw)


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[Analysis]:
    """Every Analysis computed by run_detection during the test, in order."""
    seen: list[Analysis] = []
    original = run_module.analyse

    def capture(*args: Any, **kwargs: Any) -> Analysis:
        result = original(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(run_module, "analyse", capture)
    return seen


def _flags(analysis: Analysis, from_date: dt.date) -> pd.DataFrame:
    c = analysis.candidates
    c = c[c["day"] >= day_of(from_date)]
    cols = ["kind", "scope", "commodity_id", "ptype", "outlet_id", "district_id", "day"]
    # (the integer width of a column depends on which kinds of rows the whole run flagged)
    return c.sort_values(cols).reset_index(drop=True).astype({"outlet_id": "int64", "district_id": "int64"})


def _alerts(session: Session) -> dict[str, tuple[object, ...]]:
    session.expire_all()
    return {
        a.dedupe_key: (a.first_date, a.last_date, a.severity, a.observed_vnd, a.expected_vnd, a.score)
        for a in session.scalars(select(Alert))
    }


def _cache(session: Session) -> dict[str, Any]:
    run = session.scalars(select(DetectionRun).order_by(DetectionRun.id.desc())).first()
    assert run is not None and run.details
    return dict(run.details["profile_cache"])


def _wipe(session: Session) -> None:
    for model in (AlertReview, Alert, DetectionRun, DetectionProfile):
        session.execute(delete(model))
    session.commit()


def _full_equals(
    session: Session,
    analyses: list[Analysis],
    incremental: Analysis,
    since: dt.date,
    *,
    past_changed: bool = False,
) -> None:
    """A full run over the same data flags the same rows from ``since`` on and stores the same alerts
    (those first dated from ``since`` on, when older prices changed after they were judged)."""
    alerts = _alerts(session)
    _wipe(session)
    run_detection(session, as_of=END, actor="test")
    session.commit()
    assert _cache(session)["used"] == 0
    flags = _flags(incremental, since)
    assert not flags.empty
    pd.testing.assert_frame_equal(flags, _flags(analyses[-1], since))
    full = _alerts(session)
    if past_changed:
        full = {k: v for k, v in full.items() if v[0] >= since}
        alerts = {k: v for k, v in alerts.items() if v[0] >= since}
    assert full == alerts


def test_incremental_run_uses_the_cached_profiles_and_equals_a_full_run(
    session: Session, analyses: list[Analysis]
) -> None:
    ingest(session, _records())
    first = run_detection(session, as_of=D0, actor="test")
    session.commit()
    assert first.judged_to == D0
    assert _cache(session)["stored"] == 1
    assert session.scalar(select(func.count()).select_from(DetectionProfile)) == 1
    second = run_detection(session, as_of=END, actor="test")
    session.commit()
    stats = _cache(session)
    assert (stats["used"], stats["learned"], stats["invalidated"]) == (1, 0, 0)
    # only the recent window was read, not the past seasons
    total = len(load_observations(session, as_of=END))
    assert second.observations < total - 300
    assert any(a.kind == "spike" and a.first_date > D0 for a in session.scalars(select(Alert)))
    _full_equals(session, analyses, analyses[-1], D0 + dt.timedelta(days=1))


def test_new_day_equals_full_run(session: Session, analyses: list[Analysis]) -> None:
    ingest(session, [r for r in _records() if str(r["date"]) < "2026-02-06"])
    run_detection(session, actor="test")
    session.commit()
    ingest(session, [r for r in _records() if str(r["date"]) == "2026-02-06"])
    result = run_detection(session, actor="test")
    session.commit()
    new_day = dt.date(2026, 2, 6)
    assert (result.judged_from, result.judged_to) == (new_day, new_day)
    assert _cache(session)["used"] == 1
    incremental = analyses[-1]
    alerts = _alerts(session)
    _wipe(session)
    run_detection(session, actor="test")
    session.commit()
    flags = _flags(incremental, new_day)
    assert not flags.empty  # the gouging at CHO-30 goes on that day
    pd.testing.assert_frame_equal(flags, _flags(analyses[-1], new_day))
    assert _alerts(session) == alerts


def _season_2025() -> list[dict[str, object]]:
    """Corrections: every market's prices over the 2025 ramp, as steep as CHO-21's in 2026."""
    out = []
    for r in _records():
        d = dt.date.fromisoformat(str(r["date"]))
        k = days_to_tet(d)
        if d.year == 2025 and -30 <= k <= -3:
            bumped = int(str(r["price_vnd"])) * float(np.exp(ABNORMAL * (k + 30) / 27))
            out.append({**r, "price_vnd": int(round(bumped / 500) * 500)})
    return out


def test_corrected_price_in_a_past_season_invalidates_the_cache(
    session: Session, analyses: list[Analysis]
) -> None:
    ingest(session, _records())
    run_detection(session, as_of=D0, actor="test")
    session.commit()
    stored = session.scalars(select(DetectionProfile)).one()
    # Corrections (superseding stored prices) dated in the 2025 season, which the 2026 profile learns from.
    ingest(session, _season_2025())
    before = session.scalars(select(DetectionProfile)).one()
    assert before.data_max_id == stored.data_max_id
    run_detection(session, as_of=END, actor="test")
    session.commit()
    stats = _cache(session)
    assert (stats["invalidated"], stats["used"], stats["learned"], stats["stored"]) == (1, 0, 1, 1)
    _full_equals(session, analyses, analyses[-1], D0 + dt.timedelta(days=1), past_changed=True)


def test_a_stale_profile_would_change_the_figures(session: Session, analyses: list[Analysis]) -> None:
    """Control: the detectors do use the cached profile, so one that is not invalidated when it should
    be gives other figures (here: the stored profile shifted, as a changed past season would)."""
    ingest(session, _records())
    run_detection(session, as_of=D0, actor="test")
    session.commit()
    row = session.scalars(select(DetectionProfile)).one()
    meta = {T: v["profile"] for T, v in row.targets.items()}
    cached = _decode(bytes(row.payload), meta)
    for prof in cached.profiles.values():
        prof.P = prof.P + 0.15
    payload, _ = _encode(cached)  # type: ignore[misc]
    row.payload = payload
    session.commit()
    run_detection(session, as_of=END, actor="test")
    session.commit()
    assert _cache(session)["used"] == 1
    tampered = _flags(analyses[-1], D0 + dt.timedelta(days=1))
    _wipe(session)
    run_detection(session, as_of=END, actor="test")
    session.commit()
    assert not tampered.equals(_flags(analyses[-1], D0 + dt.timedelta(days=1)))


def test_back_filled_price_in_a_past_season_invalidates_the_cache(
    session: Session, analyses: list[Analysis]
) -> None:
    missing = {"2024-12-20", "2024-12-21", "2024-12-22"}
    records = _records()
    late = [r for r in records if r["outlet"] == "CHO-01" and r["date"] in missing]
    ingest(session, [r for r in records if r not in late])
    run_detection(session, as_of=D0, actor="test")
    session.commit()
    # a price back-filled far outside any season window leaves the cache alone ...
    ingest(session, [{**late[0], "date": "2025-08-15", "price_vnd": 100_000}])
    run_detection(session, as_of=D0 + dt.timedelta(days=1), actor="test")
    session.commit()
    assert _cache(session)["used"] == 1 and _cache(session)["invalidated"] == 0
    # ... one in the 2025 season's windows (2024-11-30 .. 2025-02-28) does not
    ingest(session, late)
    run_detection(session, as_of=END, actor="test")
    session.commit()
    stats = _cache(session)
    assert (stats["invalidated"], stats["used"], stats["learned"]) == (1, 0, 1)
    _full_equals(session, analyses, analyses[-1], D0 + dt.timedelta(days=2), past_changed=True)


def test_new_outlet_learns_again(session: Session, analyses: list[Analysis]) -> None:
    ingest(session, _records())
    run_detection(session, as_of=D0, actor="test")
    session.commit()
    newcomer = [
        {**r, "outlet": "CHO-NEW", "outlet_name": "Chợ mới", "outlet_type": "market", "area": "Huyện Cầu Kè"}
        for r in _records()
        if r["outlet"] == "CHO-32" and str(r["date"]) > D0.isoformat()
    ]
    ingest(session, newcomer)
    run_detection(session, as_of=END, actor="test")
    session.commit()
    stats = _cache(session)
    assert (stats["used"], stats["learned"], stats["misses"]) == (0, 1, {"outlets": 1})
    _full_equals(session, analyses, analyses[-1], D0 + dt.timedelta(days=1))


def test_another_configuration_learns_again(session: Session) -> None:
    ingest(session, _records())
    run_detection(session, as_of=D0, actor="test")
    session.commit()
    changed = with_overrides(load_detection_config(), {"tet.smoothing_days": 2})
    run_detection(session, as_of=END, actor="test", config=changed)
    session.commit()
    stats = _cache(session)
    assert (stats["invalidated"], stats["used"], stats["learned"]) == (1, 0, 1)
    row = session.scalars(select(DetectionProfile)).one()
    assert row.data_max_id == session.scalar(select(func.max(Observation.id)))


def test_limits_older_than_the_window_still_apply(session: Session) -> None:
    """A committed price stays in force until replaced, even when older than the recent window."""
    shelf = {
        "commodity": "duong-trang",
        "outlet": "ST-1",
        "outlet_type": "supermarket",
        "area": "Thành phố Trà Vinh",
    }
    records: list[dict[str, object]] = [
        {**shelf, "date": "2024-06-01", "price_vnd": 25_000, "price_type": "committed"}
    ]
    days = [dt.date(2024, 6, 1) + dt.timedelta(days=i) for i in range(0, 600, 3)]
    records += [
        {**shelf, "date": d.isoformat(), "price_vnd": 25_000} for d in days if d < dt.date(2025, 12, 1)
    ]
    ingest(session, records)
    run_detection(session, as_of=dt.date(2025, 11, 30), actor="test")
    session.commit()
    ingest(session, [{**shelf, "date": "2025-12-02", "price_vnd": 27_000}])
    result = run_detection(session, actor="test")
    session.commit()
    assert result.judged_from == dt.date(2025, 12, 1)
    cutoff = load_limits(session, before=dt.date(2025, 5, 1))
    assert list(cutoff["ptype"]) == [3]
    breaches = list(session.scalars(select(Alert).where(Alert.kind == "commitment_breach")))
    assert [(a.first_date, a.expected_vnd) for a in breaches] == [(dt.date(2025, 12, 2), 25_000)]


def test_incremental_load_uses_the_covering_date_index(session: Session) -> None:
    ingest(session, market_records(start=dt.date(2025, 12, 1), end=dt.date(2025, 12, 31)))
    if session.get_bind().dialect.name != "sqlite":
        names = {
            r[0]
            for r in session.execute(
                text("SELECT indexname FROM pg_indexes WHERE tablename = 'observations'")
            )
        }
        assert {"ix_observations_current_date", "ix_observations_current_limits"} <= names
        return
    from binhon.detection import panel

    conn = session.connection().connection.dbapi_connection
    cur = conn.cursor()
    where = panel._where([(dt.date(2025, 12, 10), dt.date(2025, 12, 31))], dt.date(2025, 12, 31))
    sql = panel._sqlite_sql(where, panel._sqlite_hint(cur, "range"))
    plan = " ".join(r[-1] for r in cur.execute("EXPLAIN QUERY PLAN " + sql))
    assert "USING INDEX ix_observations_current_date" in plan
    # covering: every column is read from the index (the table seek is deferred and never made)
    table_reads = [r for r in cur.execute("EXPLAIN " + sql) if r[1] == "Column" and r[2] == 0]
    assert table_reads == []
    limits = panel._where(None, dt.date(2025, 12, 10), limits_before=dt.date(2025, 12, 10))
    plan = " ".join(r[-1] for r in cur.execute("EXPLAIN QUERY PLAN " + panel._sqlite_sql(limits, "")))
    assert "ix_observations_current_limits" in plan
    cur.close()
    assert (
        len(
            load_observations(
                session, as_of=dt.date(2025, 12, 31), ranges=[(dt.date(2025, 12, 10), dt.date(2025, 12, 31))]
            )
        )
        == 12 * 22
    )
