"""Store a crawl through the one ingest path and record its run (ScrapeRun, unmapped products, alert).

One Session per crawl: opened in open_spider (the run is committed at once as 'running', so a crash
leaves a trace), used and committed in close_spider.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from binhon.db.engine import get_engine, session_factory
from binhon.scraping.config import load_scrapers_config
from binhon.scraping.mapping import Mapper
from binhon.scraping.parsers import SCOPES
from binhon.scraping.process import build_records
from binhon.scraping.runs import RunOutcome, finish_run, start_run
from scrapers.pipelines.collector import collector_of


class StorePipeline:
    """Persists the mapped prices at the end of the crawl."""

    def __init__(self, crawler: Any, engine: Any = None, actor: str | None = None) -> None:
        self.crawler = crawler
        self.engine = engine
        self.actor = actor
        self.session: Session | None = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        self.session = session_factory(self.engine or get_engine())()
        run = start_run(self.session, spider=spider.name)
        self.session.commit()
        self.run_id = run.id

    def process_item(self, item: Any, spider: Any = None) -> Any:
        return item

    def close_spider(self, spider: Any = None) -> None:
        from binhon.cli import actor
        from binhon.db.models import ScrapeRun

        spider = spider or self.crawler.spider
        assert self.session is not None
        collector = collector_of(self.crawler)
        cfg = load_scrapers_config()
        mapper = Mapper.load()
        scope = SCOPES.get(spider.name, "grocery")
        records, errors = build_records(collector.processed, cfg=cfg, mapper=mapper, scope=scope)
        stats = self.crawler.stats
        outcome = RunOutcome(
            spider=spider.name,
            items=collector.items,
            pages=int(stats.get_value("response_received_count", 0) or 0),
            records=records,
            unmapped=collector.processed.unmapped,
            errors=[*collector.errors, *collector.processed.errors, *errors],
            notes=collector.notes,
            source="crawl",
        )
        try:
            run = self.session.get(ScrapeRun, self.run_id)
            assert run is not None
            finish_run(self.session, run, outcome, cfg=cfg, actor=self.actor or actor())
            self.session.commit()
            stats.set_value("binhon/run_id", run.id)
            stats.set_value("binhon/run_status", run.status)
        finally:
            self.session.close()
