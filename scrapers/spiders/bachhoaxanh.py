"""Bách Hóa Xanh: store-scoped category API per configured store, and watched product pages (JSON-LD)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy

from scrapers.spiders.base import BinhonSpider


class BachhoaxanhSpider(BinhonSpider):
    """GET /Category/V2/GetCate for each store and category; product pages for the watch list."""

    name = "bachhoaxanh"
    allowed_domains = ["api.bachhoaxanh.com", "apibhx.tgdd.vn", "www.bachhoaxanh.com"]

    async def start(self) -> Any:  # noqa: D102
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        o = self.spec.options
        gateway = self.spec.start_urls[0].rstrip("/")
        headers = {
            "xapikey": str(o.get("api_key", "")),
            "platform": str(o.get("platform", "webnew")),
            "deviceid": str(uuid.uuid4()),
            "Accept": "application/json",
        }
        for store in self.spec.stores:
            for slug in self.spec.categories:
                query = urlencode(
                    {
                        "provinceId": store.province_id or "",
                        "wardId": 0,
                        "districtId": 0,
                        "storeId": store.store_id,
                        "categoryUrl": slug,
                        "isMobile": "true",
                        "isV2": "true",
                        "pageSize": self.spec.page_size,
                    }
                )
                yield scrapy.Request(
                    f"{gateway}/Category/V2/GetCate?{query}",
                    headers=headers,
                    callback=self.parse,
                    errback=self.failed,
                    meta={"outlet": store.outlet},
                )
        for url in self.spec.product_urls:
            yield scrapy.Request(
                url, callback=self.parse, errback=self.failed, meta={"outlet": self.spec.outlet}
            )
