"""Scrapy settings of binhon's spiders, read from config/scrapers.yaml (polite crawling)."""

from __future__ import annotations

from binhon.scraping.config import load_scrapers_config

_cfg = load_scrapers_config().crawl

BOT_NAME = "binhon"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

USER_AGENT = _cfg.user_agent
ROBOTSTXT_OBEY = _cfg.robots_txt_obey
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = _cfg.concurrent_requests_per_domain
DOWNLOAD_DELAY = _cfg.download_delay_seconds
RANDOMIZE_DOWNLOAD_DELAY = True
DOWNLOAD_TIMEOUT = _cfg.timeout_seconds
AUTOTHROTTLE_ENABLED = _cfg.autothrottle
AUTOTHROTTLE_START_DELAY = _cfg.download_delay_seconds
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

RETRY_ENABLED = True
RETRY_TIMES = _cfg.retry_times
RETRY_HTTP_CODES = list(_cfg.retry_http_codes)
BINHON_BACKOFF_BASE = _cfg.retry_backoff_base_seconds
BINHON_BACKOFF_MAX = _cfg.retry_backoff_max_seconds
CLOSESPIDER_PAGECOUNT = _cfg.max_pages_per_run

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.middlewares.BackoffRetryMiddleware": 550,
    "scrapers.middlewares.BackoffDelayMiddleware": 560,
}

# One chain for every spider: normalise → map to commodities → store through the ingest path.
ITEM_PIPELINES = {
    "scrapers.pipelines.normalize.NormalizePipeline": 100,
    "scrapers.pipelines.mapping.MappingPipeline": 300,
    "scrapers.pipelines.store.StorePipeline": 900,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
