"""The base of every binhon spider: config, the shared parser, errors recorded with their URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from binhon.scraping.config import SpiderSpec, load_scrapers_config
from binhon.scraping.parsers import PARSERS, ParseContext
from binhon.scraping.replay import context_for
from binhon.scraping.types import ParseError, ParseResult


class BinhonSpider(scrapy.Spider):
    """Selects pages; the pure parser of binhon.scraping.parsers reads them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cfg = load_scrapers_config()
        self.spec: SpiderSpec = self.cfg.spiders[self.name]

    def context(self, response: Response, *, outlet: str | None = None) -> ParseContext:
        """The parse context of a response (outlet from the request's meta)."""
        return context_for(
            self.name,
            self.spec,
            url=response.url,
            fetched_at=dt.datetime.now(dt.UTC),
            outlet=outlet or response.meta.get("outlet"),
        )

    def read(self, response: Response) -> tuple[ParseResult, list[Any]]:
        """Parse a response; the items to yield are its products and errors."""
        result = PARSERS[self.name](response.body, self.context(response))
        return result, [*result.products, *result.errors]

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Default callback: every product and error of the page."""
        _result, items = self.read(response)
        yield from items

    def failed(self, failure: Failure) -> Iterator[ParseError]:
        """A request that failed for good (HTTP error after retries, DNS, robots.txt): an error item."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        value = failure.value
        response = getattr(value, "response", None)
        if response is not None:
            reason = f"HTTP {response.status} sau khi thử lại"
        elif type(value).__name__ == "IgnoreRequest":
            reason = f"yêu cầu bị bỏ qua ({value}); có thể do robots.txt"
        else:
            reason = f"{type(value).__name__}: {value}"
        yield ParseError(url, f"không tải được trang: {reason}")
