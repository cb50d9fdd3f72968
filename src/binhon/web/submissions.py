"""Storing prices sent through the web (form, market survey, JSON API): ownership first, then the
one ingest path, retried on a concurrent-write conflict so that nothing is lost or duplicated."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from binhon.accounts.service import may_access_outlet_codes
from binhon.db.models import AuditEntry, Commodity, IngestBatch, Observation, Outlet
from binhon.errors import ImportRejected
from binhon.ingest import IngestResult, ingest_records, rules
from binhon.web.deps import Principal
from binhon.web.queries import IS_CURRENT

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

RETAILER_PRICE_TYPES = ("retail", "wholesale", "committed")
_MAX_DIGITS = 15


@dataclass
class ItemProblem:
    """A reason an item (1-based) is invalid."""

    item: int
    reason: str
    field: str | None = None


class Forbidden(Exception):
    """Some outlets are not the caller's."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        super().__init__(", ".join(codes))


class Invalid(Exception):
    """Some items are invalid; nothing was stored."""

    def __init__(self, problems: list[ItemProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} mục không hợp lệ")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def forbidden_outlets(*, session: Session, principal: Principal, records: list[dict[str, Any]]) -> list[str]:
    """Outlet codes in records the caller may not submit for (empty codes are left to validation)."""
    codes = {_text(r.get("outlet")) for r in records} - {""}
    return may_access_outlet_codes(session=session, user=principal.user, codes=codes)


def pre_problems(*, principal: Principal, records: list[dict[str, Any]]) -> list[ItemProblem]:
    """Checks the ingest path does not make: role rules and absurd sizes."""
    problems: list[ItemProblem] = []
    for i, r in enumerate(records, start=1):
        price = r.get("price_vnd")
        digits = sum(ch.isdigit() for ch in _text(price))
        if (
            isinstance(price, int)
            and not isinstance(price, bool)
            and abs(price) >= 10**_MAX_DIGITS
            or digits > _MAX_DIGITS
        ):
            problems.append(ItemProblem(i, "giá quá lớn", "price_vnd"))
        if principal.role == "retailer":
            ptype = _text(r.get("price_type")).lower()
            if ptype and ptype not in RETAILER_PRICE_TYPES:
                problems.append(
                    ItemProblem(
                        i,
                        "doanh nghiệp chỉ khai giá bán lẻ, bán buôn hoặc giá cam kết bình ổn "
                        f"(không khai loại giá '{ptype}')",
                        "price_type",
                    )
                )
    return problems


def _is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a concurrent insert of the same key: the retry sees it and stores nothing twice
    if isinstance(exc, OperationalError | DBAPIError):
        text = str(getattr(exc, "orig", exc)).lower()
        return any(s in text for s in ("locked", "busy", "deadlock", "could not serialize", "serialization"))
    return False


_THREAD_LOCK = threading.Lock()


@contextmanager
def sqlite_writer(session: Session) -> Iterator[None]:
    """On a SQLite file database, take the write turn (one writer at a time across threads and worker
    processes) before writing, instead of spinning in SQLite's busy handler, whose sleeps of up to
    100 ms make long queues under concurrent submissions. A no-op on PostgreSQL."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    url = engine.url if isinstance(engine, Engine) else None
    path = url.database if url is not None and url.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:" or fcntl is None:
        yield
        return
    with _THREAD_LOCK, open(f"{path}.write-lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def with_retry(session: Session, work: Callable[[], Any], *, attempts: int = 5) -> Any:
    """Run work() and commit; on a concurrent-write conflict roll back and run it again."""
    for attempt in range(1, attempts + 1):
        try:
            with sqlite_writer(session):
                outcome = work()
                session.commit()
            return outcome
        except ImportRejected:
            session.rollback()
            raise
        except Exception as exc:
            session.rollback()
            if attempt == attempts or not _is_retryable(exc):
                raise
            log.info("write conflict (%s), retrying %d/%d", type(exc).__name__, attempt, attempts)
            time.sleep(0.02 * attempt + random.random() * 0.05)  # noqa: S311 - jitter, not security
    raise AssertionError("unreachable")


def ingest(
    *,
    session: Session,
    principal: Principal,
    records: list[dict[str, Any]],
    channel: str,
    source_default: str,
    details: dict[str, Any] | None = None,
    audit_action: str | None = None,
    audit_reason: str | None = None,
) -> IngestResult:
    """Store records through the ingest path (all or nothing) and commit; Invalid on bad items.

    Retailers cannot register outlets; officers and administrators can (as imports do).
    """

    def work() -> IngestResult:
        result = ingest_records(
            session,
            records,
            actor=principal.actor,
            channel=channel,
            source_default=source_default,
            register_outlets=principal.is_staff,
            skip_invalid=False,
            return_ids=True,
        )
        if details:
            batch = session.get(IngestBatch, result.batch_id)
            if batch is not None:
                batch.details = {**(batch.details or {}), **details}
        if audit_action:
            session.add(
                AuditEntry(
                    actor=principal.actor,
                    action=audit_action,
                    entity="ingest_batch",
                    entity_id=result.batch_id,
                    reason=audit_reason,
                    details={
                        "stored": result.stored,
                        "revised": result.revised,
                        "unchanged": result.unchanged + result.duplicates,
                    },
                )
            )
        session.flush()
        return result

    try:
        return with_retry(session, work)  # type: ignore[no-any-return]
    except ImportRejected as exc:
        raise Invalid([ItemProblem(int(p.line), p.reason) for p in exc.problems]) from None  # type: ignore[attr-defined]


def _key_of(record: dict[str, Any]) -> tuple[str, str, str, str, str] | None:
    """(commodity, outlet, ISO date, price type, time) of a record as the ingest path keys it (its rules)."""
    day = rules.parse_date(_text(record.get("date")))
    if day is None:
        return None
    ptype, _ = rules.check_price_type(_text(record.get("price_type")))
    time_, _ = rules.check_time(_text(record.get("time")))
    return (_text(record.get("commodity")), _text(record.get("outlet")), day.isoformat(), ptype, time_)


def current_ids(*, session: Session, records: list[dict[str, Any]]) -> list[int | None]:
    """For each record, the id of the current observation with its key (None if not found)."""
    keys = [_key_of(r) for r in records]
    wanted = {k for k in keys if k is not None}
    if not wanted:
        return [None] * len(records)
    import datetime as dt

    conds = [
        and_(
            Commodity.code == c,
            Outlet.code == o,
            Observation.obs_date == dt.date.fromisoformat(d),
            Observation.price_type == p,
            Observation.obs_time == t,
        )
        for c, o, d, p, t in wanted
    ]
    found: dict[tuple[str, str, str, str, str], int] = {}
    for start in range(0, len(conds), 200):
        stmt = (
            select(
                Observation.id,
                Commodity.code,
                Outlet.code,
                Observation.obs_date,
                Observation.price_type,
                Observation.obs_time,
            )
            .join(Commodity, Commodity.id == Observation.commodity_id)
            .join(Outlet, Outlet.id == Observation.outlet_id)
            .where(IS_CURRENT, or_(*conds[start : start + 200]))
        )
        for oid, c, o, d, p, t in session.execute(stmt):
            day = d.isoformat() if hasattr(d, "isoformat") else str(d)[:10]
            found[(c, o, day, p, t or "")] = int(oid)
    return [found.get(k) if k is not None else None for k in keys]
