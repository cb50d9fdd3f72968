"""Normalise the raw strings of every product (NFC, zero-width characters, whitespace)."""

from __future__ import annotations

from typing import Any

from binhon.formatting import normalize_text
from binhon.scraping.types import ParseError, RawProduct
from scrapers.pipelines.collector import collector_of


class NormalizePipeline:
    """Composed and decomposed Unicode on one page compare equal after this."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalizePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        collector = collector_of(self.crawler)
        if isinstance(item, ParseError):
            collector.errors.append(item)
            self.crawler.stats.inc_value("binhon/parse_errors")
            return item
        if isinstance(item, RawProduct):
            item.name_raw = normalize_text(item.name_raw)
            if isinstance(item.price_raw, str):
                item.price_raw = normalize_text(item.price_raw)
            item.unit_hint = normalize_text(item.unit_hint)
            collector.items += 1
            self.crawler.stats.inc_value("binhon/items")
        return item
