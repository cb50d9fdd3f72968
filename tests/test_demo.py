"""The demo database: deterministic, realistic, labelled, and built through the ingest path.

The builds here cover a short period around Tết Bính Ngọ (17/02/2026) to stay fast; a full default
build (three years) is timed separately (see the report of the demo issue).
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from binhon.catalog import config_path, load_outlets
from binhon.db.engine import make_engine, session_scope
from binhon.db.models import Area, Commodity, IngestBatch, Observation, Outlet
from binhon.demo import (
    DEMO_LABEL,
    DemoError,
    DemoSummary,
    _adjustment_days,
    build_demo,
    demo_episodes,
    observations_digest,
)
from binhon.tet import tet_date

START = dt.date(2025, 12, 1)
END = dt.date(2026, 3, 15)
TET = tet_date(2026)  # 17/02/2026

FORMER_DISTRICTS = {
    "Thành phố Trà Vinh",
    "Thị xã Duyên Hải",
    "Huyện Càng Long",
    "Huyện Cầu Kè",
    "Huyện Tiểu Cần",
    "Huyện Châu Thành",
    "Huyện Cầu Ngang",
    "Huyện Trà Cú",
    "Huyện Duyên Hải",
}


def _prices(
    engine: Engine,
    *,
    commodity: str,
    outlet: str | None = None,
    market: bool = False,
    first: dt.date,
    last: dt.date,
) -> list[tuple[str, dt.date, int]]:
    """(outlet code, date, price) of current retail prices of a commodity in [first, last]."""
    stmt = (
        select(Outlet.code, Observation.obs_date, Observation.price_vnd)
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .join(Commodity, Commodity.id == Observation.commodity_id)
        .where(
            Commodity.code == commodity,
            Observation.price_type == "retail",
            Observation.is_current,
            Observation.obs_date >= first,
            Observation.obs_date <= last,
        )
    )
    if outlet is not None:
        stmt = stmt.where(Outlet.code == outlet)
    if market:
        stmt = stmt.where(Outlet.outlet_type == "market")
    with session_scope(engine) as session:
        return [(o, d, int(p)) for o, d, p in session.execute(stmt)]


def _check_outlets_cover_every_district(engine: Engine) -> None:
    district = aliased(Area)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Outlet.code, Outlet.outlet_type, district.name).outerjoin(
                district, district.id == Outlet.district_id
            )
        ).all()
    placed = [(code, name) for code, otype, name in rows if otype != "official"]
    assert all(name is not None for _, name in placed), [c for c, n in placed if n is None]
    assert {name for _, name in placed} == FORMER_DISTRICTS
    markets = {name for code, otype, name in rows if otype == "market"}
    assert markets == FORMER_DISTRICTS, "every former district has a market"
    assert 40 <= len(rows) <= 60


def _check_ceilings(engine: Engine) -> None:
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                Observation.obs_date,
                Observation.obs_time,
                Commodity.code,
                Observation.zone,
                Observation.price_vnd,
            )
            .join(Commodity, Commodity.id == Observation.commodity_id)
            .where(Observation.price_type == "ceiling")
        ).all()
    assert {r.zone for r in rows} == {1, 2}
    assert {r.obs_time for r in rows} == {"15:00"}
    by_key = {(r.obs_date, r.code, r.zone): r.price_vnd for r in rows}
    zone1 = {(d, c): p for (d, c, z), p in by_key.items() if z == 1}
    assert zone1, "zone 1 ceilings"
    for (d, c), p1 in zone1.items():
        assert by_key[(d, c, 2)] == round(p1 * 1.02 / 10) * 10
    days = sorted({d for d, _ in zone1})
    assert days[0] <= START, "a ceiling is in force from the first day"
    assert all(3 <= (b - a).days <= 10 for a, b in zip(days, days[1:], strict=False)), days
    # Thursday 19/02/2026 is mùng 3 Tết: the adjustment moves to mùng 4 (20/02/2026).
    assert dt.date(2026, 2, 20) in days and dt.date(2026, 2, 19) not in days


def _check_stations_under_ceiling(engine: Engine, summary: DemoSummary) -> None:
    """Petrol stations sell at or below the ceiling in force for their zone, except the injected breach."""
    breach = next(e for e in summary.episodes if e.kind == "ceiling_breach")
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                Outlet.code,
                Outlet.outlet_type,
                Observation.obs_date,
                Commodity.code,
                Observation.zone,
                Observation.price_type,
                Observation.price_vnd,
            )
            .join(Outlet, Outlet.id == Observation.outlet_id)
            .join(Commodity, Commodity.id == Observation.commodity_id)
            .where(Outlet.outlet_type.in_(("petrol", "official")), Commodity.code != "gas-lpg-12kg")
        ).all()
    ceilings: dict[tuple[str, int], list[tuple[dt.date, int]]] = {}
    for _, _, day, commodity, zone, price_type, price in rows:
        if price_type == "ceiling":
            ceilings.setdefault((commodity, zone), []).append((day, price))
    for series in ceilings.values():
        series.sort()
    above: set[tuple[str, dt.date]] = set()
    checked = 0
    for code, outlet_type, day, commodity, zone, price_type, price in rows:
        if outlet_type != "petrol" or price_type != "retail":
            continue
        series = ceilings[(commodity, zone)]
        i = bisect.bisect_right(series, (day, 10**12)) - 1
        assert i >= 0, (code, day, commodity)
        checked += 1
        if price > series[i][1]:
            above.add((code, day))
    assert checked > 1000
    expected = {
        (code, breach.start + dt.timedelta(days=i))
        for code in breach.outlets
        for i in range((breach.end - breach.start).days + 1)
    }
    assert above == expected


def _check_market_gaps_at_tet(engine: Engine) -> None:
    with session_scope(engine) as session:
        markets = session.scalar(
            select(func.count()).select_from(Outlet).where(Outlet.outlet_type == "market")
        )
        per_day = dict(
            session.execute(
                select(Observation.obs_date, func.count(func.distinct(Observation.outlet_id)))
                .join(Outlet, Outlet.id == Observation.outlet_id)
                .where(
                    Outlet.outlet_type == "market",
                    Observation.obs_date >= TET - dt.timedelta(days=3),
                    Observation.obs_date <= TET + dt.timedelta(days=4),
                )
                .group_by(Observation.obs_date)
            ).all()
        )
    per_day = {(d if isinstance(d, dt.date) else dt.date.fromisoformat(d)): n for d, n in per_day.items()}
    # Markets close from 30 Tết (16/02/2026) to mùng 3 (19/02/2026), and report before and after.
    for offset in (-1, 0, 1, 2):
        assert TET + dt.timedelta(days=offset) not in per_day
    for offset in (-3, -2, 3, 4):
        assert per_day[TET + dt.timedelta(days=offset)] == markets


def _check_pork_episode(engine: Engine, summary: DemoSummary) -> None:
    episode = next(e for e in summary.episodes if e.code == "cho-cau-ngang-thit-lon-tet-2026")
    assert episode.kind == "spike" and episode.outlets == ("CHO-CN",)
    assert episode.start == TET - dt.timedelta(days=7)
    for commodity in ("thit-lon-nac", "thit-lon-ba-roi"):
        during = _prices(engine, commodity=commodity, market=True, first=episode.start, last=episode.end)
        reference = _prices(
            engine,
            commodity=commodity,
            outlet="CHO-CN",
            first=TET - dt.timedelta(days=60),
            last=TET - dt.timedelta(days=45),
        )
        mine = statistics.median(p for o, _, p in during if o == "CHO-CN")
        others = statistics.median(p for o, _, p in during if o != "CHO-CN")
        usual = statistics.median(p for _, _, p in reference)
        assert mine >= 1.35 * usual, (commodity, mine, usual)
        assert mine >= 1.1 * others, (commodity, mine, others)
        assert others <= 1.3 * usual, "the other markets only show the normal pre-Tết rise"


def _check_bounds_and_source(engine: Engine, summary: DemoSummary) -> None:
    with session_scope(engine) as session:
        total = session.scalar(select(func.count()).select_from(Observation))
        outside = session.scalar(
            select(func.count())
            .select_from(Observation)
            .join(Commodity, Commodity.id == Observation.commodity_id)
            .where((Observation.price_vnd < Commodity.min_vnd) | (Observation.price_vnd > Commodity.max_vnd))
        )
        sources = set(session.scalars(select(Observation.source).distinct()))
        batches = session.scalars(select(IngestBatch)).all()
    assert total == summary.observations > 20_000
    assert outside == 0
    assert sources == {"demo"}
    assert len(batches) == 1 and batches[0].channel == "demo"
    details = batches[0].details or {}
    assert details["label"] == DEMO_LABEL
    assert {e["code"] for e in details["episodes"]} == {e.code for e in summary.episodes}
    assert batches[0].rows_stored == summary.observations and batches[0].rows_rejected == 0


def test_demo_database(engine: Engine) -> None:
    summary = build_demo(engine, start=START, end=END)

    assert (summary.start, summary.end) == (START, END)
    assert [t.date for t in summary.tet_seasons] == [TET]
    assert summary.tet_seasons[0].name == "Bính Ngọ"
    assert {e.kind for e in summary.episodes} == {"spike", "outlet_outlier", "ceiling_breach"}
    assert summary.commodities == 21
    assert set(summary.districts) == FORMER_DISTRICTS

    _check_outlets_cover_every_district(engine)
    _check_ceilings(engine)
    _check_stations_under_ceiling(engine, summary)
    _check_market_gaps_at_tet(engine)
    _check_pork_episode(engine, summary)
    _check_bounds_and_source(engine, summary)

    text = "\n".join(summary.describe())
    assert "demo" in text
    assert text.startswith(DEMO_LABEL)
    assert "17/02/2026" in text and "01/12/2025" in text
    assert all(e.description for e in summary.episodes)
    assert demo_episodes(engine) == summary.episodes

    with pytest.raises(DemoError, match="đã có"):
        build_demo(engine, start=START, end=END)
    with pytest.raises(DemoError, match="tương lai"):
        build_demo(engine, end=dt.date.today() + dt.timedelta(days=30))


def test_same_seed_same_content(engine: Engine, tmp_path: Path) -> None:
    # Six weeks around Tết Bính Ngọ, with three injected episodes (two builds: kept short).
    period = {"start": dt.date(2026, 1, 20), "end": dt.date(2026, 3, 5)}
    first = build_demo(engine, **period)
    assert len(first.episodes) == 3
    other = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    try:
        second = build_demo(other, **period)
        assert second.content_sha256 == first.content_sha256
        assert observations_digest(other) == observations_digest(engine)
        assert second.observations == first.observations
        assert [e.to_dict() for e in second.episodes] == [e.to_dict() for e in first.episodes]
    finally:
        other.dispose()


def test_another_seed_other_prices(tmp_path: Path) -> None:
    month = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 1, 31)}
    digests = []
    for seed in (7, 8):
        engine = make_engine(f"sqlite:///{tmp_path / f'seed-{seed}.db'}")
        try:
            summary = build_demo(engine, seed=seed, **month)
            assert summary.observations > 5_000
            digests.append(observations_digest(engine))
        finally:
            engine.dispose()
    assert digests[0] != digests[1]


def test_example_registry_loads() -> None:
    registry = load_outlets(config_path("outlets.example.yaml"))
    by_type: dict[str, int] = {}
    for spec in registry.outlets:
        by_type[spec.outlet_type] = by_type.get(spec.outlet_type, 0) + 1
    assert 40 <= len(registry.outlets) <= 60
    assert by_type["market"] >= 9 and by_type["petrol"] >= 4 and by_type["official"] == 2
    grades = {s.code: s.market_grade for s in registry.outlets if s.outlet_type == "market"}
    assert grades["CHO-TV"] == "I" and set(grades.values()) == {"I", "II", "III"}
    petrol = [s for s in registry.outlets if s.outlet_type == "petrol"]
    assert {s.zone for s in petrol} == {1, 2}
    assert all(s.licence_no for s in petrol)
    assert [s.licence_status for s in petrol].count("suspended") == 1
    officials = [s for s in registry.outlets if s.outlet_type == "official"]
    assert sorted(s.zone for s in officials) == [1, 2] and not any(s.area for s in officials)


def test_fuel_adjustment_calendar() -> None:
    days = _adjustment_days(dt.date(2021, 1, 1), dt.date(2026, 6, 30))
    # Thursday 11/02/2021 was the last day of the lunar year: the Wednesday before.
    assert dt.date(2021, 2, 10) in days and dt.date(2021, 2, 11) not in days
    # Thursday 30/01/2025 was mùng 2 Tết: mùng 4 (01/02/2025).
    assert dt.date(2025, 2, 1) in days and dt.date(2025, 1, 30) not in days
    # Thursday 18/04/2024 was the Hùng Kings' day: the next working day.
    assert dt.date(2024, 4, 19) in days and dt.date(2024, 4, 18) not in days
    # Thursday 01/01/2026: Friday 02/01/2026.
    assert dt.date(2026, 1, 2) in days
    assert all(d.weekday() == 3 for d in days if d.year == 2025 and d.month in (6, 7, 8))
