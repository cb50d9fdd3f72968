"""Petrolimex's portal JSON API: zone-1 and zone-2 list prices."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import scrapy

from scrapers.spiders.base import BinhonSpider


def x_request(system_id: str, repository_id: str, entity_id: str) -> str:
    """The base64url-encoded query the portal's own widget sends (SOURCES.md §1.1 A)."""
    query = {
        "FilterBy": {
            "And": [
                {"SystemID": {"Equals": system_id}},
                {"RepositoryID": {"Equals": repository_id}},
                {"RepositoryEntityID": {"Equals": entity_id}},
                {"Status": {"Equals": "Published"}},
            ]
        },
        "SortBy": {"LastModified": "Descending"},
        "Pagination": {"TotalRecords": -1, "TotalPages": 0, "PageSize": 0, "PageNumber": 0},
    }
    raw = json.dumps(query, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PetrolimexSpider(BinhonSpider):
    """One API call returns every product."""

    name = "petrolimex"
    allowed_domains = ["portals.petrolimex.com.vn"]

    async def start(self) -> Any:  # noqa: D102
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        o = self.spec.options
        token = x_request(str(o["system_id"]), str(o["repository_id"]), str(o["repository_entity_id"]))
        for url in self.spec.start_urls:
            yield scrapy.Request(
                f"{url}?x-request={token}",
                headers={"Accept": "application/json"},
                callback=self.parse,
                errback=self.failed,
                meta={"outlet": self.spec.outlet},
            )
