"""`binhon scrape replay`: CSV columns, --store idempotent on every backend, runs and the broken alert."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select
from typer.testing import CliRunner

from binhon.cli import app
from binhon.db.engine import session_scope
from binhon.db.models import Alert, Observation, Outlet, ScrapeRun, UnmappedProduct
from tests.conftest import shared_path
from tests.scrapers.conftest import DATA

CONTRACT = ["date", "commodity", "outlet", "price_vnd", "price_type", "outlet_type", "area", "zone", "source"]


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["scrape", "replay", *args])


def test_replay_prints_contract_columns_and_name_raw() -> None:
    bulletin = shared_path("fixtures", "moit", "bulletin_20260709.html")
    res = _run("moit_fuel_bulletin", str(bulletin))
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    header = res.stdout.splitlines()[0].split(",")
    assert header[: len(CONTRACT)] == CONTRACT and "name_raw" in header
    zone1 = {r["commodity"]: r for r in rows if r["zone"] == "1"}
    assert zone1["xang-e5-ron92"]["price_vnd"] == "19191"
    assert zone1["xang-e10-ron95-iii"]["price_vnd"] == "20003"
    assert zone1["dau-do-005s"]["price_vnd"] == "21745"
    assert {(r["date"], r["time"], r["price_type"]) for r in rows} == {("2026-07-09", "15:00", "ceiling")}
    assert (
        zone1["xang-e5-ron92"]["name_raw"] == "Xăng E5RON92"
        and zone1["xang-e5-ron92"]["outlet"] == "moit-vung-1"
    )


def test_replay_every_capture_runs() -> None:
    cases = [
        ("moit_fuel_bulletin", shared_path("fixtures", "moit", "bulletin_20260709.html"), 0),
        ("petrolimex", shared_path("fixtures", "petrolimex", "petrolimex_api_shape_sample.json"), 0),
        ("bachhoaxanh", shared_path("fixtures", "bachhoaxanh", "debug_product.html"), 0),
        ("bachhoaxanh", shared_path("fixtures", "bachhoaxanh", "debug_category.html"), 1),
        ("bachhoaxanh", shared_path("fixtures", "bachhoaxanh", "debug_search.html"), 1),
    ] + [
        (spider, DATA / name, code)
        for spider, name, code in (
            ("petrolimex", "constructed_petrolimex_zone_prices.json", 0),
            ("pvoil", "constructed_pvoil_tin_gia_xang_dau.html", 0),
            ("pvoil", "constructed_pvoil_cloudflare.html", 1),
            ("winmart", "constructed_winmart_item_search.json", 0),
            ("coop_online", "constructed_coop_search_skus.json", 0),
            ("bachhoaxanh", "constructed_bhx_getcate.json", 0),
            ("moit_fuel_bulletin", "constructed_moit_listing.json", 0),
        )
    ]
    for spider, path, code in cases:
        res = _run(spider, str(path), "--date", "2026-07-10")
        assert res.exit_code == code, (spider, path, res.output)
        assert res.stdout.startswith("date,commodity,outlet,price_vnd")


def test_replay_products_shows_bhx_price() -> None:
    page = shared_path("fixtures", "bachhoaxanh", "debug_product.html")
    res = _run("bachhoaxanh", str(page), "--products", "--date", "2025-12-10")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [(r["name_raw"], r["price_vnd"], r["commodity"]) for r in rows] == [("Ba rọi heo", "50700", "")]
    assert "50.700" in res.stderr


def test_replay_store_is_idempotent(db_url: str, engine) -> None:  # type: ignore[no-untyped-def]
    bulletin = shared_path("fixtures", "moit", "bulletin_20260709.html")
    first = _run("moit_fuel_bulletin", str(bulletin), "--store")
    assert first.exit_code == 0, first.output
    second = _run("moit_fuel_bulletin", str(bulletin), "--store")
    assert second.exit_code == 0, second.output
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Observation)) == 6
        prices = dict(
            s.execute(
                select(
                    Outlet.code + ":" + Observation.zone.cast(__import__("sqlalchemy").String),
                    Observation.price_vnd,
                )
                .join(Outlet)
                .where(Observation.name_raw == "Xăng E5RON92")
            ).all()
        )
        assert prices == {"moit-vung-1:1": 19191, "moit-vung-2:2": 19574}
        obs = s.scalars(
            select(Observation).where(Observation.name_raw == "Xăng E10RON95-III", Observation.zone == 1)
        ).one()
        assert (obs.price_type, obs.obs_time, obs.source) == ("ceiling", "15:00", "moit_fuel_bulletin")
        assert obs.source_url.startswith("https://moit.gov.vn/tin-tuc/")
        runs = s.scalars(select(ScrapeRun).order_by(ScrapeRun.id)).all()
        assert [(r.items, r.stored, r.unmapped, r.errors, r.status) for r in runs] == [
            (8, 6, 1, 0, "ok"),
            (8, 0, 1, 0, "ok"),
        ]
        assert runs[1].details["unchanged"] == 6
        mazut = s.scalars(select(UnmappedProduct)).one()
        assert (mazut.name_raw, mazut.times_seen) == ("Dầu madút 180CST 3.5S", 2)
        assert s.scalars(select(Alert)).all() == []


def test_zero_items_raises_one_broken_alert_per_day(db_url: str, engine) -> None:  # type: ignore[no-untyped-def]
    shell = shared_path("fixtures", "bachhoaxanh", "debug_search.html")
    for _ in range(2):
        res = _run("bachhoaxanh", str(shell), "--store")
        assert res.exit_code == 1
        assert "scraper_broken" in res.stderr
    with session_scope(engine) as s:
        alerts = s.scalars(select(Alert)).all()
        assert len(alerts) == 1
        a = alerts[0]
        assert (a.kind, a.severity, a.status) == ("scraper_broken", "alert", "new")
        assert a.dedupe_key.startswith("scraper_broken:bachhoaxanh:")
        assert "https://www.bachhoaxanh.com" in a.explanation
        runs = s.scalars(select(ScrapeRun)).all()
        assert [(r.items, r.errors, r.status) for r in runs] == [(0, 1, "failed"), (0, 1, "failed")]
        assert runs[0].details["parse_errors"][0]["url"] == "https://www.bachhoaxanh.com"


def test_mostly_errors_raises_stress_alert(db_url: str, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    body = (
        '{"data": [{"name": "Gạo ST25 túi 5kg", "price": 150000, "uomName": "Gói"}'
        + ', {"name": "x"}' * 3
        + "]}"
    )
    page = tmp_path / "winmart.json"
    page.write_text(body, encoding="utf-8")
    res = _run("winmart", str(page), "--store", "--date", "2026-07-10")
    assert res.exit_code == 0, res.output
    with session_scope(engine) as s:
        run = s.scalars(select(ScrapeRun)).one()
        assert (run.items, run.errors, run.status) == (1, 3, "degraded")
        assert s.scalars(select(Alert.severity)).all() == ["stress"]
