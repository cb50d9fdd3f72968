"""The per-crawl collector the pipelines share (attached to the crawler)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from binhon.scraping.process import Processed
from binhon.scraping.types import ParseError


@dataclass
class Collector:
    """Everything one crawl gathered for its run record."""

    items: int = 0
    pages: int = 0
    processed: Processed = field(default_factory=Processed)
    errors: list[ParseError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def collector_of(crawler: Any) -> Collector:
    """The crawler's collector, created on first use."""
    found = getattr(crawler, "binhon_collector", None)
    if found is None:
        found = Collector()
        crawler.binhon_collector = found
    return found
