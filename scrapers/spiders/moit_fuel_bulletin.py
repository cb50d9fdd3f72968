"""The Ministry of Industry and Trade's fuel bulletins: ceilings per product, zone 1 (and 2 by rule)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from scrapers.spiders.base import BinhonSpider


class MoitFuelBulletinSpider(BinhonSpider):
    """Listing API (newest bulletins) → bulletin pages."""

    name = "moit_fuel_bulletin"
    allowed_domains = ["moit.gov.vn"]

    async def start(self) -> Any:  # noqa: D102 - Scrapy ≥ 2.13 entry point
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        opts = self.spec.options
        for url in self.spec.start_urls:
            yield scrapy.FormRequest(
                url,
                formdata={
                    "categoryId": str(opts.get("category_id", "5238202")),
                    "pageNo": "1",
                    "itemsPerPage": str(self.spec.page_size),
                    "orderBy": "publishTime DESC",
                    "type": "Article.News",
                },
                callback=self.parse_listing,
                errback=self.failed,
                meta={"outlet": self.spec.outlet},
            )

    def parse_listing(self, response: Response) -> Iterator[Any]:
        result, items = self.read(response)
        yield from items
        for link in result.links:
            yield scrapy.Request(
                link, callback=self.parse, errback=self.failed, meta={"outlet": self.spec.outlet}
            )
