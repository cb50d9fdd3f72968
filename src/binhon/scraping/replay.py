"""`binhon scrape replay`: one saved page or API response through the spider's own parser and mapping."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from binhon.scraping.config import ScrapersConfig, SpiderSpec, load_scrapers_config
from binhon.scraping.mapping import Mapper
from binhon.scraping.parsers import PARSERS, SCOPES, ParseContext
from binhon.scraping.process import RECORD_COLUMNS, Processed, build_records, map_products
from binhon.scraping.runs import RunOutcome
from binhon.scraping.types import ParseResult


def context_for(
    spider: str,
    spec: SpiderSpec,
    *,
    url: str,
    fetched_at: dt.datetime,
    outlet: str | None = None,
) -> ParseContext:
    """The parse context a spider gives its pages (first configured store for store-scoped sites)."""
    store_outlet = spec.stores[0].outlet if spec.stores else None
    options = dict(spec.options)
    if spec.outlet:
        options.setdefault("page_outlet", spec.outlet)
    return ParseContext(
        spider=spider,
        url=url,
        fetched_at=fetched_at,
        outlet=outlet or store_outlet or spec.outlet or "",
        zone2_outlet=spec.zone2_outlet or "",
        options=options,
    )


@dataclass
class Replayed:
    """A replayed page: what the parser found and what would be stored."""

    parsed: ParseResult
    processed: Processed
    outcome: RunOutcome


def replay(
    spider: str,
    path: Path,
    *,
    url: str | None = None,
    fetched_at: dt.datetime | None = None,
    outlet: str | None = None,
    cfg: ScrapersConfig | None = None,
    mapper: Mapper | None = None,
) -> Replayed:
    """Parse a saved body with the spider's parser, map it and build the records to store."""
    cfg = cfg or load_scrapers_config()
    if spider not in PARSERS or spider not in cfg.spiders:
        raise KeyError(spider)
    mapper = mapper or Mapper.load()
    body = path.read_bytes()
    when = fetched_at or dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    ctx = context_for(
        spider, cfg.spiders[spider], url=url or path.resolve().as_uri(), fetched_at=when, outlet=outlet
    )
    parsed = PARSERS[spider](body, ctx)
    scope = SCOPES[spider]
    processed = map_products(parsed.products, mapper, scope=scope)
    records, errors = build_records(processed, cfg=cfg, mapper=mapper, scope=scope)
    outcome = RunOutcome(
        spider=spider,
        items=len(parsed.products),
        pages=1,
        records=records,
        unmapped=processed.unmapped,
        errors=[*parsed.errors, *processed.errors, *errors],
        notes=[*parsed.notes, *(f"liên kết: {link}" for link in parsed.links)],
        source="replay",
        file=str(path),
    )
    return Replayed(parsed, processed, outcome)


def records_csv(records: list[dict[str, str]], *, columns: tuple[str, ...] = RECORD_COLUMNS) -> str:
    """Records as observation CSV (CONTRACT columns, then name_raw and the extensions)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow({c: r.get(c, "") for c in columns})
    return buf.getvalue()


PRODUCT_COLUMNS = (
    "date",
    "outlet",
    "name_raw",
    "price_vnd",
    "commodity",
    "unit",
    "price_per_unit_vnd",
    "mapping",
    "source_url",
)


def products_csv(replayed: Replayed) -> str:
    """Every extracted product, mapped or kept for review, with the mapping decision."""
    rows: list[dict[str, str]] = []
    for p, m in replayed.processed.mapped:
        rows.append(
            {
                "date": p.obs_date.isoformat() if p.obs_date else "",
                "outlet": p.outlet,
                "name_raw": p.name_raw,
                "price_vnd": str(m.price_vnd),
                "commodity": m.commodity,
                "unit": m.unit_text,
                "price_per_unit_vnd": str(m.price_per_unit_vnd),
                "mapping": "ánh xạ",
                "source_url": p.url,
            }
        )
    for u in replayed.processed.unmapped:
        p = u.product
        rows.append(
            {
                "date": p.obs_date.isoformat() if p.obs_date else "",
                "outlet": p.outlet,
                "name_raw": p.name_raw,
                "price_vnd": str(u.price_vnd or ""),
                "commodity": "",
                "unit": p.unit_hint or p.pack,
                "price_per_unit_vnd": "",
                "mapping": f"giữ lại để xem xét: {u.reason}",
                "source_url": p.url,
            }
        )
    return records_csv(rows, columns=PRODUCT_COLUMNS)
