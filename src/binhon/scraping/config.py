"""config/scrapers.yaml: polite-crawling settings, the outlets scraped prices belong to, each spider's
stores, queries and start pages, and the fuel adjustment schedule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from binhon.catalog import OutletSpec, config_path, load_yaml_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrawlSettings(_Strict):
    """How politely every spider crawls."""

    user_agent: str = Field(min_length=10)
    robots_txt_obey: bool = True
    download_delay_seconds: float = Field(default=3.0, ge=0.5)
    concurrent_requests_per_domain: int = Field(default=1, ge=1, le=4)
    autothrottle: bool = True
    retry_times: int = Field(default=3, ge=0, le=10)
    retry_http_codes: tuple[int, ...] = (408, 429, 500, 502, 503, 504, 522, 524)
    retry_backoff_base_seconds: float = Field(default=10.0, ge=0)
    retry_backoff_max_seconds: float = Field(default=300.0, ge=0)
    timeout_seconds: int = Field(default=30, ge=5)
    max_pages_per_run: int = Field(default=200, ge=1)


class FuelSchedule(_Strict):
    """When fuel prices change (Decree 80/2023: every Thursday, 15:00; moved around Tết)."""

    weekday: int = Field(default=3, ge=0, le=6)  # Monday = 0 … Thursday = 3
    time: str = Field(default="15:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # Announced exceptions the rules do not foresee (a bulletin moved by the Ministry).
    extra_dates: tuple[dt.date, ...] = ()
    skip_dates: tuple[dt.date, ...] = ()


class AlertSettings(_Strict):
    """When a run raises a `scraper_broken` alert."""

    max_error_share: float = Field(default=0.5, gt=0, le=1)


class StoreSpec(_Strict):
    """One chain store followed by a store-scoped spider."""

    outlet: str
    store_id: str
    store_group: str | None = None
    province_id: str | None = None
    verified: bool = False


class SpiderSpec(_Strict):
    """One spider's configuration."""

    group: Literal["fuel", "supermarket"]
    enabled: bool = True
    outlet: str | None = None
    zone2_outlet: str | None = None
    stores: tuple[StoreSpec, ...] = ()
    queries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    product_urls: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    page_size: int = Field(default=50, ge=1, le=500)
    max_pages: int = Field(default=5, ge=1, le=100)
    options: dict[str, Any] = {}


class ScrapersConfig(_Strict):
    """The whole config/scrapers.yaml file."""

    crawl: CrawlSettings
    fuel_schedule: FuelSchedule = FuelSchedule()
    alerts: AlertSettings = AlertSettings()
    outlets: tuple[OutletSpec, ...]
    spiders: dict[str, SpiderSpec]

    @model_validator(mode="after")
    def _references(self) -> ScrapersConfig:
        codes = {o.code for o in self.outlets}
        if len(codes) != len(self.outlets):
            raise ValueError("outlets: mã điểm bán bị trùng")
        for name, spec in self.spiders.items():
            refs = [spec.outlet, spec.zone2_outlet, *(s.outlet for s in spec.stores)]
            for ref in refs:
                if ref is not None and ref not in codes:
                    raise ValueError(f"spiders.{name}: điểm bán '{ref}' không có trong outlets")
        return self

    def outlet(self, code: str) -> OutletSpec:
        """The configured outlet with this code."""
        for o in self.outlets:
            if o.code == code:
                return o
        raise KeyError(code)


def load_scrapers_config(config_dir: Path | None = None) -> ScrapersConfig:
    """The scrapers' configuration (config/scrapers.yaml)."""
    return load_yaml_model(config_path("scrapers.yaml", config_dir), ScrapersConfig)
