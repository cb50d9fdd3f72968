"""The one ingest path: every price (file, form, API, spider) is validated and stored here.

All-or-nothing by default: if any row is invalid nothing is stored (the caller's transaction is
rolled back) and every bad row is reported with its line and reason. Re-running the same input
stores nothing new; a changed price for an existing key supersedes the stored one, audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.orm import Session

from binhon.catalog import IngestRules, load_ingest_rules
from binhon.db.models import AuditEntry, IngestBatch, Outlet, utcnow
from binhon.errors import ImportRejected
from binhon.ingest.csvfile import (
    CsvChunk,
    Problem,
    check_file,
    frame_from_records,
    read_chunks,
    unknown_columns,
)
from binhon.ingest.reference import OutletRef, Reference
from binhon.ingest.store import KEY, bulk_insert, existing_for, revise, stored_prices
from binhon.ingest.validate import validate
from binhon.settings import get_settings

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    """What an ingest did."""

    batch_id: int
    rows_read: int = 0
    stored: int = 0
    unchanged: int = 0
    revised: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    new_outlets: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    stored_ids: list[int] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """How many rows were rejected."""
        return len(self.problems)


class Ingestor:
    """Validates and stores chunks of rows for one batch, inside the caller's transaction."""

    def __init__(
        self,
        session: Session,
        *,
        channel: str,
        actor: str,
        source_default: str = "import",
        filename: str | None = None,
        sha256: str | None = None,
        rules: IngestRules | None = None,
        register_outlets: bool = True,
        return_ids: bool = False,
    ) -> None:
        self.session = session
        self.actor = actor
        self.source_default = source_default
        self.rules = rules or load_ingest_rules()
        self.register_outlets = register_outlets
        self.return_ids = return_ids
        self.ref = Reference.load(session)
        self.now = utcnow()
        self.today = dt.datetime.now(ZoneInfo(get_settings().timezone)).date()
        self.batch = IngestBatch(channel=channel, source=source_default, filename=filename, sha256=sha256, actor=actor)
        session.add(self.batch)
        session.flush()
        self.result = IngestResult(batch_id=self.batch.id)
        self.storing = True

    # -- outlets declared in the rows -------------------------------------------------------------

    def _register_outlet(self, code: str, outlet_type: str, area: str, name: str, on: dt.date) -> OutletRef | str:
        from binhon.geo import AreaNotFound

        unit = commune = district = None
        if area:  # only an official source may have no area
            try:
                unit = self.ref.resolver.resolve(area, on=on)
            except AreaNotFound as exc:
                return f"điểm bán mới '{code}': {exc}"
            commune = self.ref.resolver.current_commune(unit)
            district = self.ref.resolver.former_district(unit)
        outlet = Outlet(
            code=code,
            name=name,
            outlet_type=outlet_type,
            area_id=unit.id if unit else None,
            commune_id=commune.id if commune else None,
            district_id=district.id if district else None,
        )
        self.session.add(outlet)
        self.session.flush()
        self.session.add(
            AuditEntry(
                actor=self.actor,
                action="register",
                entity="outlet",
                entity_id=outlet.id,
                reason=f"đăng ký từ lô nhập {self.batch.id}",
                details={"code": code, "outlet_type": outlet_type, "area": area},
            )
        )
        self.result.new_outlets.append(code)
        return OutletRef(outlet.id, code, outlet_type, None)

    # -- one chunk --------------------------------------------------------------------------------

    def process(self, chunk: CsvChunk, *, skip_invalid: bool) -> None:
        """Validate a chunk; store its valid rows unless an earlier problem already doomed the batch."""
        self.result.rows_read += len(chunk.frame) + len(chunk.problems)
        self.result.problems.extend(chunk.problems)
        plaus = self.rules.plausibility
        checked = validate(
            chunk.frame,
            ref=self.ref,
            today=self.today,
            register_outlet=self._register_outlet if self.register_outlets else None,
            history=lambda ids, start, end: stored_prices(self.session, ids, start, end),
            digit_ratio=plaus.digit_error_ratio,
            history_days=plaus.history_days,
            min_history=plaus.min_history,
            source_default=self.source_default,
        )
        self.result.problems.extend(checked.problems)
        self.result.duplicates += checked.duplicates
        if self.result.problems and not skip_invalid:
            self.storing = False
        if self.storing and not checked.rows.empty:
            self._store(checked.rows)

    def _store(self, rows: pd.DataFrame) -> None:
        existing = existing_for(self.session, rows)
        if existing.empty:
            new, changed = rows, rows.iloc[0:0]
        else:
            merged = rows.merge(
                existing.rename(columns={"id": "old_id", "price_vnd": "old_price", "batch_id": "old_batch"}),
                on=KEY,
                how="left",
                indicator=True,
            )
            found = merged["_merge"] == "both"
            same = found & (merged["old_price"] == merged["price_vnd"])
            mine = found & ~same & (merged["old_batch"] == self.batch.id)
            if mine.any():
                # The same key earlier in this very file with another price: a conflict, not a revision.
                for rec in merged[mine].itertuples():
                    self.result.problems.append(
                        Problem(int(rec.line), "trùng khóa với một dòng phía trên trong cùng tệp nhưng giá khác")
                    )
            self.result.unchanged += int(same.sum())
            new = merged[~found].drop(columns=["old_id", "old_price", "old_batch", "_merge"])
            changed = merged[found & ~same & ~mine]
        bulk_insert(self.session, new, batch_id=self.batch.id, actor=self.actor, now=self.now)
        self.result.stored += len(new)
        if not changed.empty:
            revise(
                self.session,
                changed,
                batch_id=self.batch.id,
                actor=self.actor,
                now=self.now,
                reason=f"giá mới trong lô nhập {self.batch.id} ({self.batch.filename or self.batch.channel})",
            )
            self.result.revised += len(changed)

    # -- end of batch -----------------------------------------------------------------------------

    def finish(self, *, skip_invalid: bool) -> IngestResult:
        """Close the batch; raise ImportRejected when anything was invalid and skip_invalid is off."""
        result = self.result
        if result.problems and not skip_invalid:
            raise ImportRejected(
                f"{len(result.problems)} dòng không hợp lệ: không lưu dòng nào", sorted_problems(result.problems)
            )
        b = self.batch
        b.finished_at = utcnow()
        b.rows_read = result.rows_read
        b.rows_stored = result.stored
        b.rows_unchanged = result.unchanged + result.duplicates
        b.rows_revised = result.revised
        b.rows_rejected = result.rejected
        b.details = {"new_outlets": result.new_outlets, "ignored_columns": result.ignored_columns}
        self.session.add(
            AuditEntry(
                actor=self.actor,
                action="ingest",
                entity="ingest_batch",
                entity_id=b.id,
                reason=b.filename or b.channel,
                details={
                    "stored": result.stored,
                    "revised": result.revised,
                    "unchanged": result.unchanged,
                    "duplicates": result.duplicates,
                    "rejected": result.rejected,
                },
            )
        )
        self.session.flush()
        if self.return_ids:
            from sqlalchemy import select

            from binhon.db.models import Observation

            result.stored_ids = list(
                self.session.scalars(
                    select(Observation.id).where(Observation.batch_id == b.id).order_by(Observation.id)
                )
            )
        result.problems = sorted_problems(result.problems)
        return result


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems by line number."""
    return sorted(problems, key=lambda p: p.line)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def import_csv(
    session: Session,
    path: Path,
    *,
    actor: str,
    skip_invalid: bool = False,
    source_default: str = "import",
    channel: str = "import",
    rules: IngestRules | None = None,
) -> IngestResult:
    """Import an observations CSV (CONTRACT columns) through the ingest path; the caller commits."""
    rules = rules or load_ingest_rules()
    header = check_file(path, max_bytes=rules.max_file_mb * 1024 * 1024)
    ingestor = Ingestor(
        session,
        channel=channel,
        actor=actor,
        source_default=source_default,
        filename=path.name,
        sha256=_sha256(path),
        rules=rules,
    )
    ingestor.result.ignored_columns = unknown_columns(header)
    for chunk in read_chunks(path, header, chunk_rows=get_settings().import_chunk_rows):
        ingestor.process(chunk, skip_invalid=skip_invalid)
    return ingestor.finish(skip_invalid=skip_invalid)


def ingest_records(
    session: Session,
    records: list[dict[str, object]],
    *,
    actor: str,
    channel: str,
    source_default: str,
    register_outlets: bool = True,
    skip_invalid: bool = False,
    return_ids: bool = True,
) -> IngestResult:
    """Ingest records with the CSV's fields (API, form, spiders); item numbers start at 1."""
    ingestor = Ingestor(
        session,
        channel=channel,
        actor=actor,
        source_default=source_default,
        register_outlets=register_outlets,
        return_ids=return_ids,
    )
    ingestor.process(CsvChunk(frame_from_records(records), []), skip_invalid=skip_invalid)
    return ingestor.finish(skip_invalid=skip_invalid)
