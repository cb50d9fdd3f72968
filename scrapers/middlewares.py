"""Retries with exponential backoff: a retried request waits base × 2^(n-1) seconds (capped)."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, 3 …)."""
    return float(min(cap, base * (2 ** max(0, attempt - 1))))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, marking each retry with the delay it must wait."""

    def _mark(self, result: Any) -> Any:
        if isinstance(result, Request):
            settings = self.crawler.settings if hasattr(self, "crawler") else None
            base = settings.getfloat("BINHON_BACKOFF_BASE", 10.0) if settings else 10.0
            cap = settings.getfloat("BINHON_BACKOFF_MAX", 300.0) if settings else 300.0
            attempt = int(result.meta.get("retry_times", 1))
            result.meta["binhon_backoff"] = backoff_seconds(attempt, base=base, cap=cap)
        return result

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:  # type: ignore[override]
        return self._mark(super().process_response(request, response, spider))

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:  # type: ignore[override]
        return self._mark(super().process_exception(request, exception, spider))


class BackoffDelayMiddleware:
    """Waits the backoff delay of a retried request before it is downloaded."""

    async def process_request(self, request: Request, spider: Any = None) -> None:
        delay = request.meta.pop("binhon_backoff", 0)
        if delay:
            await asyncio.sleep(delay)
        return None
