"""Pipelines in isolation (scrapy.utils.test.get_crawler), the backoff, and `scrapy list`."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

from scrapy.utils.test import get_crawler
from sqlalchemy import select

from binhon.db.models import Alert, Observation, ScrapeRun, UnmappedProduct
from binhon.scraping.types import ParseError, RawProduct
from scrapers.middlewares import backoff_seconds
from scrapers.pipelines.collector import collector_of
from scrapers.pipelines.mapping import MappingPipeline
from scrapers.pipelines.normalize import NormalizePipeline
from scrapers.pipelines.store import StorePipeline
from scrapers.spiders.winmart import WinmartSpider
from tests.scrapers.conftest import FETCHED

REPO = Path(__file__).resolve().parents[2]


def _product(name: str, price: object, **kw: object) -> RawProduct:
    base: dict[str, object] = {
        "spider": "winmart",
        "url": "https://winmart.vn/products/x",
        "outlet": "winmart-tra-vinh",
        "obs_date": FETCHED.date(),
    }
    base.update(kw)
    return RawProduct(name_raw=name, price_raw=price, **base)  # type: ignore[arg-type]


def test_normalize_pipeline_nfc_and_counts() -> None:
    crawler = get_crawler(WinmartSpider)
    crawler.stats.open_spider(None) if False else None
    pipe = NormalizePipeline.from_crawler(crawler)
    item = pipe.process_item(_product(unicodedata.normalize("NFD", "Gạo  ST25\u200b túi 5kg"), " 189.000 "))
    assert item.name_raw == "Gạo ST25 túi 5kg" and unicodedata.is_normalized("NFC", item.name_raw)
    pipe.process_item(ParseError("https://x", "hỏng"))
    assert collector_of(crawler).items == 1 and len(collector_of(crawler).errors) == 1
    assert crawler.stats.get_value("binhon/items") == 1


def test_mapping_pipeline_maps_or_keeps() -> None:
    crawler = get_crawler(WinmartSpider)
    pipe = MappingPipeline.from_crawler(crawler)
    pipe.process_item(_product("Gạo ST25 Ngọc Nương túi 5kg", "189.000"))
    pipe.process_item(_product("Ba rọi heo C.P", 50700))
    pipe.process_item(_product("Dầu ăn 1 lít", "liên hệ"))
    c = collector_of(crawler)
    assert [m.commodity for _p, m in c.processed.mapped] == ["gao-thom"]
    assert [u.product.name_raw for u in c.processed.unmapped] == ["Ba rọi heo C.P"]
    assert len(c.processed.errors) == 1
    assert crawler.stats.get_value("binhon/mapped") == 1


def test_store_pipeline_records_run_and_stores(engine) -> None:  # type: ignore[no-untyped-def]
    crawler = get_crawler(WinmartSpider)
    spider = WinmartSpider()
    crawler.spider = spider
    normalize, mapping = NormalizePipeline.from_crawler(crawler), MappingPipeline.from_crawler(crawler)
    store = StorePipeline(crawler, engine=engine, actor="test")
    store.open_spider(spider)
    for item in (_product("Gạo ST25 Ngọc Nương túi 5kg", 189000), _product("Ba rọi heo C.P", 50700)):
        mapping.process_item(normalize.process_item(item))
    store.close_spider(spider)
    from binhon.db.engine import session_scope

    with session_scope(engine) as s:
        run = s.scalars(select(ScrapeRun)).one()
        assert (run.spider, run.status, run.items, run.stored, run.unmapped, run.errors) == (
            "winmart",
            "ok",
            2,
            1,
            1,
            0,
        )
        obs = s.scalars(select(Observation)).one()
        assert obs.price_vnd == 37800 and obs.orig_price_vnd == 189000 and obs.source == "winmart"
        assert (
            obs.source_url == "https://winmart.vn/products/x"
            and obs.name_raw == "Gạo ST25 Ngọc Nương túi 5kg"
        )
        assert s.scalars(select(UnmappedProduct.name_raw)).all() == ["Ba rọi heo C.P"]
        assert s.scalars(select(Alert)).all() == []


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff_seconds(n, base=10, cap=60) for n in (1, 2, 3, 4)] == [10, 20, 40, 60]


def test_scrapy_list_from_repository_root() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    assert out == ["bachhoaxanh", "coop_online", "moit_fuel_bulletin", "petrolimex", "pvoil", "winmart"]


def test_settings_are_polite() -> None:
    from scrapers import settings

    assert settings.ROBOTSTXT_OBEY is True
    assert settings.DOWNLOAD_DELAY >= 1 and settings.CONCURRENT_REQUESTS_PER_DOMAIN == 1
    assert "Cong Thuong" in settings.USER_AGENT
