"""Helpers of the scraper tests: fixtures paths and a parse context; nothing here touches the network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from binhon.scraping.config import load_scrapers_config
from binhon.scraping.mapping import Mapper
from binhon.scraping.parsers import ParseContext
from binhon.scraping.replay import context_for

DATA = Path(__file__).resolve().parents[1] / "data" / "scrapers"
FETCHED = dt.datetime(2026, 7, 10, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def scrapers_cfg():  # type: ignore[no-untyped-def]
    return load_scrapers_config()


@pytest.fixture(scope="session")
def mapper() -> Mapper:
    return Mapper.load()


def ctx(spider: str, url: str = "https://example.invalid/page", **kw: object) -> ParseContext:
    """The context the spider would give a page fetched at FETCHED."""
    cfg = load_scrapers_config()
    return context_for(spider, cfg.spiders[spider], url=url, fetched_at=FETCHED, **kw)  # type: ignore[arg-type]
