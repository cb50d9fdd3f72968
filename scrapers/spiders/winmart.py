"""WinMart: the store-scoped v3 item search, per configured store and keyword, page by page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from scrapers.spiders.base import BinhonSpider


class WinmartSpider(BinhonSpider):
    """An empty page ends a keyword (the API's totalCount is always 0)."""

    name = "winmart"
    allowed_domains = ["api-crownx.winmart.vn"]

    async def start(self) -> Any:  # noqa: D102
        for request in self.start_requests():
            yield request

    def page(self, store: Any, keyword: str, number: int) -> scrapy.Request:
        query = urlencode(
            {
                "search": keyword,
                "storeCode": store.store_id,
                "storeGroupCode": store.store_group or "",
                "pageNumber": number,
                "pageSize": self.spec.page_size,
            }
        )
        return scrapy.Request(
            f"{self.spec.start_urls[0]}?{query}",
            headers={"Accept": "application/json"},
            callback=self.parse_page,
            errback=self.failed,
            meta={"outlet": store.outlet, "store": store, "keyword": keyword, "page": number},
        )

    def start_requests(self) -> Iterator[scrapy.Request]:
        for store in self.spec.stores:
            for keyword in self.spec.queries:
                yield self.page(store, keyword, 1)

    def parse_page(self, response: Response) -> Iterator[Any]:
        result, items = self.read(response)
        yield from items
        number = int(response.meta["page"])
        if result.products and number < self.spec.max_pages:
            yield self.page(response.meta["store"], response.meta["keyword"], number + 1)
