"""Recording scraper runs: the ScrapeRun row, unmapped products, storing through the ingest path,
and the `scraper_broken` alert when a run brings nothing or mostly errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.catalog import OutletRegistry
from binhon.db.models import Alert, Outlet, ScrapeRun, UnmappedProduct, utcnow
from binhon.ingest import ingest_records
from binhon.scraping.config import ScrapersConfig
from binhon.scraping.parsers.common import VN
from binhon.scraping.process import UnmappedItem
from binhon.scraping.types import ParseError

MAX_LISTED = 50


@dataclass
class RunOutcome:
    """What one run extracted, before it is stored."""

    spider: str
    items: int = 0
    pages: int = 0
    records: list[dict[str, str]] = field(default_factory=list)
    unmapped: list[UnmappedItem] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = "crawl"
    file: str | None = None


def start_run(session: Session, *, spider: str, source: str = "crawl") -> ScrapeRun:
    """A ScrapeRun in state 'running' (flushed, so a crash still leaves a trace once committed)."""
    run = ScrapeRun(spider=spider, started_at=utcnow(), status="running", details={"source": source})
    session.add(run)
    session.flush()
    return run


def _register_outlets(session: Session, cfg: ScrapersConfig, codes: set[str], actor: str) -> None:
    from binhon.sync import sync_outlets

    known = set(session.scalars(select(Outlet.code).where(Outlet.code.in_(codes))))
    wanted = tuple(o for o in cfg.outlets if o.code in codes and o.code not in known)
    if wanted:
        sync_outlets(session=session, registry=OutletRegistry(outlets=wanted), actor=actor)


def _record_unmapped(
    session: Session, run: ScrapeRun, items: list[tuple[str, int | None, str, str, str]]
) -> int:
    """Upsert (spider, name_raw) rows; returns how many distinct products were recorded."""
    now = utcnow()
    seen: set[str] = set()
    for name, price, unit, url, reason in items:
        if name in seen:
            continue
        seen.add(name)
        row = session.scalars(
            select(UnmappedProduct).where(
                UnmappedProduct.spider == run.spider, UnmappedProduct.name_raw == name
            )
        ).first()
        if row is None:
            session.add(
                UnmappedProduct(
                    spider=run.spider,
                    name_raw=name,
                    price_vnd=price,
                    unit_raw=unit[:60] or None,
                    url=url,
                    reason=reason,
                    first_seen=now,
                    last_seen=now,
                    times_seen=1,
                    run_id=run.id,
                )
            )
        else:
            row.price_vnd = price
            row.unit_raw = unit[:60] or None
            row.url = url
            row.reason = reason
            row.last_seen = now
            row.times_seen = (row.times_seen or 0) + 1
            row.run_id = run.id
    session.flush()
    return len(seen)


def finish_run(
    session: Session,
    run: ScrapeRun,
    outcome: RunOutcome,
    *,
    cfg: ScrapersConfig,
    actor: str,
    store: bool = True,
) -> ScrapeRun:
    """Store the records through the ingest path, keep unmapped products, close the run, alert."""
    stored = revised = unchanged = 0
    problems: list[dict[str, Any]] = []
    batch_id = None
    if store and outcome.records:
        _register_outlets(session, cfg, {r["outlet"] for r in outcome.records}, actor)
        result = ingest_records(
            session,
            list(outcome.records),  # type: ignore[arg-type]
            actor=actor,
            channel="scrape",
            source_default=outcome.spider,
            skip_invalid=True,
        )
        batch_id = result.batch_id
        stored, revised, unchanged = result.stored, result.revised, result.unchanged + result.duplicates
        for p in result.problems:
            rec = outcome.records[p.line - 1] if 0 < p.line <= len(outcome.records) else {}
            problems.append(
                {"name_raw": rec.get("name_raw", ""), "reason": p.reason, "url": rec.get("source_url", "")}
            )
    review = [
        (u.product.name_raw, u.price_vnd, u.product.unit_hint or u.product.pack, u.product.url, u.reason)
        for u in outcome.unmapped
    ] + [
        (p["name_raw"], None, "", p["url"], f"bị từ chối khi lưu: {p['reason']}")
        for p in problems
        if p["name_raw"]
    ]
    unmapped_count = _record_unmapped(session, run, review) if store else len(outcome.unmapped)
    errors = len(outcome.errors) + len(problems)
    run.finished_at = utcnow()
    run.items = outcome.items
    run.stored = stored + revised
    run.unmapped = unmapped_count
    run.errors = errors
    run.batch_id = batch_id
    share = errors / (outcome.items + errors) if (outcome.items + errors) else 1.0
    broken = outcome.items == 0 or share > cfg.alerts.max_error_share
    run.status = "failed" if outcome.items == 0 else ("degraded" if broken else "ok")
    run.details = {
        "source": outcome.source,
        "file": outcome.file,
        "pages": outcome.pages,
        "records": len(outcome.records),
        "stored": stored,
        "revised": revised,
        "unchanged": unchanged,
        "error_share": round(share, 4),
        "parse_errors": [{"url": e.url, "reason": e.reason} for e in outcome.errors[:MAX_LISTED]],
        "rejected": problems[:MAX_LISTED],
        "notes": outcome.notes[:MAX_LISTED],
    }
    session.flush()
    if broken:
        raise_broken_alert(session, run, share=share)
    return run


def raise_broken_alert(session: Session, run: ScrapeRun, *, share: float) -> Alert:
    """One `scraper_broken` alert per spider per day; a later broken run that day finds it."""
    day = (run.finished_at or utcnow()).astimezone(VN).date()
    key = f"scraper_broken:{run.spider}:{day.isoformat()}"
    existing = session.scalars(select(Alert).where(Alert.dedupe_key == key)).first()
    if existing is not None:
        return existing
    details = run.details or {}
    sample = "; ".join(f"{e['url']}: {e['reason']}" for e in details.get("parse_errors", [])[:3])
    if run.items == 0:
        severity = "alert"
        what = f"lần chạy số {run.id} của '{run.spider}' không lấy được giá nào"
    else:
        severity = "stress"
        what = (
            f"lần chạy số {run.id} của '{run.spider}' phần lớn là lỗi: {run.errors} lỗi trên "
            f"{run.items} mục ({share:.0%})"
        )
    alert = Alert(
        kind="scraper_broken",
        severity=severity,
        first_date=day,
        last_date=day,
        observed_vnd=None,
        expected_vnd=None,
        score=round(share, 4),
        explanation=f"Bộ thu thập giá bị hỏng: {what}." + (f" Lỗi: {sample}" if sample else ""),
        detector="scrape_run",
        dedupe_key=key,
        status="new",
        details={"run_id": run.id, "spider": run.spider, "items": run.items, "errors": run.errors},
    )
    session.add(alert)
    session.flush()
    return alert


def today_local() -> dt.date:
    """Today in Asia/Ho_Chi_Minh."""
    return dt.datetime.now(VN).date()
