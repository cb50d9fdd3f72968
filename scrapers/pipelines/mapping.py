"""Map each product to a commodity (config/product_mapping.yaml); unmapped ones are kept for review."""

from __future__ import annotations

from typing import Any

from binhon.scraping.mapping import Mapper
from binhon.scraping.parsers import SCOPES
from binhon.scraping.process import map_products
from binhon.scraping.types import RawProduct
from scrapers.pipelines.collector import collector_of


class MappingPipeline:
    """Places products on commodities with pack-size conversion; never guesses."""

    def __init__(self, crawler: Any, mapper: Mapper | None = None) -> None:
        self.crawler = crawler
        self.mapper = mapper or Mapper.load()

    @classmethod
    def from_crawler(cls, crawler: Any) -> MappingPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, RawProduct):
            return item
        collector = collector_of(self.crawler)
        done = map_products([item], self.mapper, scope=SCOPES.get(item.spider, "grocery"))
        collector.processed.mapped.extend(done.mapped)
        collector.processed.unmapped.extend(done.unmapped)
        collector.processed.errors.extend(done.errors)
        stats = self.crawler.stats
        stats.inc_value("binhon/mapped", len(done.mapped))
        stats.inc_value("binhon/unmapped", len(done.unmapped))
        stats.inc_value("binhon/price_errors", len(done.errors))
        return item
