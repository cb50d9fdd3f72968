"""PVOIL's price page: the current period's retail prices (stored as zone 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy

from scrapers.spiders.base import BinhonSpider


class PvoilSpider(BinhonSpider):
    """One page; a Cloudflare challenge is recorded as an error, not an empty table."""

    name = "pvoil"
    allowed_domains = ["pvoil.com.vn", "www.pvoil.com.vn"]

    async def start(self) -> Any:  # noqa: D102
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.spec.start_urls:
            yield scrapy.Request(
                url, callback=self.parse, errback=self.failed, meta={"outlet": self.spec.outlet}
            )
