"""Co.op Online (Teko search API): per configured terminal (store) and keyword, page by page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from scrapers.spiders.base import BinhonSpider


class CoopOnlineSpider(BinhonSpider):
    """POST search-skus-v2 with the store's terminalId."""

    name = "coop_online"
    allowed_domains = ["discovery.tekoapis.com"]

    async def start(self) -> Any:  # noqa: D102
        for request in self.start_requests():
            yield request

    def page(self, store: Any, keyword: str, number: int) -> scrapy.Request:
        body = {
            "terminalId": int(store.store_id),
            "page": number,
            "pageSize": self.spec.page_size,
            "query": keyword,
            "filter": {},
            "sorting": {"sort": "SORT_BY_RELEVANCE", "order": "ORDER_BY_DESCENDING"},
        }
        return scrapy.Request(
            self.spec.start_urls[0],
            method="POST",
            body=json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "Origin": "https://cooponline.vn",
                "Referer": "https://cooponline.vn/",
            },
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
