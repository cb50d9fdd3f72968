"""The one ingest path: every price (file, form, API, spider) is validated and stored here.

All-or-nothing by default: if any row is invalid nothing is stored (the caller's transaction is
rolled back) and every bad row is reported with its line and reason. Re-running the same input
stores nothing new; a changed price for an existing key supersedes the stored one, audited.

Two ways through, one outcome: files (and large lists of records) are validated in chunks with pandas
(``validate.py``) and written in bulk (``store.py``); a small list of records (an API call, a form, a
spider page: at most ``SMALL_BATCH_ROWS``) is validated row by row in plain Python
(``validate_rows.py``, the same rules) against only the catalogue entries it names, and written with
a few plain statements. The pandas path's fixed cost would otherwise be tens of milliseconds of CPU per
call, which a busy web server cannot spare.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.catalog import IngestRules, config_path, load_ingest_rules
from binhon.db.models import AuditEntry, IngestBatch, Observation, Outlet, utcnow
from binhon.errors import ImportRejected
from binhon.ingest.csvfile import (
    KNOWN_COLUMNS,
    LINE,
    CsvChunk,
    Problem,
    check_file,
    read_chunks,
    unknown_columns,
)
from binhon.ingest.reference import OutletRef, Reference
from binhon.ingest.store import (
    KEY,
    bulk_insert,
    current_rows,
    existing_for,
    revise,
    stored_price_rows,
    stored_prices,
)
from binhon.ingest.validate import validate
from binhon.ingest.validate_rows import Row, validate_rows
from binhon.settings import get_settings

log = logging.getLogger(__name__)

# Lists of records up to this size take the row-by-row path (see the module docstring). CPU to validate
# a batch against the load test's database (5 commodities, 50 outlets, 90 days of prices), pandas path /
# row path: 1 row 11 / 0.6 ms, 100 rows 12 / 2.4 ms, 500 rows 16 / 6 ms, 1000 rows 14 / 9 ms. Larger lists
# name more commodities, whose history the row path groups in Python: they go the pandas way.
SMALL_BATCH_ROWS = 500


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
    # line -> id of the current observation with that line's key (stored, unchanged or repeated), when
    # the row path stored the batch without revisions; None otherwise (look the keys up instead)
    line_ids: dict[int, int] | None = None

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
        self.rules = rules or default_ingest_rules()
        self.register_outlets = register_outlets
        self.return_ids = return_ids
        self._ref: Reference | None = None
        self.now = utcnow()
        self.today = dt.datetime.now(ZoneInfo(get_settings().timezone)).date()
        self.batch = IngestBatch(
            channel=channel, source=source_default, filename=filename, sha256=sha256, actor=actor
        )
        session.add(self.batch)
        session.flush()
        self.result = IngestResult(batch_id=self.batch.id)
        self.storing = True
        # ids of the rows inserted by the row path; None once anything else stored rows in the batch
        self._inserted: list[int] | None = []

    @property
    def ref(self) -> Reference:
        """Every active commodity and every outlet (loaded on first use)."""
        if self._ref is None or not self._ref.complete:
            self._ref = Reference.load(self.session)
        return self._ref

    # -- outlets declared in the rows -------------------------------------------------------------

    def _register_outlet(
        self, code: str, outlet_type: str, area: str, name: str, on: dt.date
    ) -> OutletRef | str:
        from binhon.geo import AreaNotFound

        unit = commune = district = None
        if area:  # only an official source may have no area
            resolver = (self._ref or self.ref).resolver
            try:
                unit = resolver.resolve(area, on=on)
            except AreaNotFound as exc:
                return f"điểm bán mới '{code}': {exc}"
            commune = resolver.current_commune(unit)
            district = resolver.former_district(unit)
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

    def _checks(self, history: Callable[[list[int], dt.date, dt.date], Any]) -> dict[str, Any]:
        """The settings both validators take (history: the stored prices, as each path reads them)."""
        plaus = self.rules.plausibility
        return {
            "today": self.today,
            "register_outlet": self._register_outlet if self.register_outlets else None,
            "history": history,
            "digit_ratio": plaus.digit_error_ratio,
            "history_days": plaus.history_days,
            "min_history": plaus.min_history,
            "source_default": self.source_default,
        }

    def _count(self, problems: list[Problem], duplicates: int, *, skip_invalid: bool) -> None:
        """Add a validation's problems and repeats; any problem stops storing unless skipping them."""
        self.result.problems.extend(problems)
        self.result.duplicates += duplicates
        if self.result.problems and not skip_invalid:
            self.storing = False

    def process(self, chunk: CsvChunk, *, skip_invalid: bool) -> None:
        """Validate a chunk; store its valid rows unless an earlier problem already doomed the batch."""
        self.result.rows_read += len(chunk.frame) + len(chunk.problems)
        self.result.problems.extend(chunk.problems)
        checked = validate(
            chunk.frame,
            ref=self.ref,
            **self._checks(lambda ids, start, end: stored_prices(self.session, ids, start, end)),
        )
        self._count(checked.problems, checked.duplicates, skip_invalid=skip_invalid)
        if self.storing and not checked.rows.empty:
            self._store(checked.rows)

    def process_rows(self, rows: list[dict[str, str]], lines: list[int], *, skip_invalid: bool) -> None:
        """Like process, for a small batch of text rows (the columns of KNOWN_COLUMNS), without pandas."""
        self.result.rows_read += len(rows)
        if self._ref is not None and self._ref.complete:
            ref = self._ref
        else:  # only the catalogue entries these rows name
            ref = Reference.load(
                self.session,
                commodity_codes={str(r.get("commodity", "")).strip() for r in rows},
                outlet_codes={str(r.get("outlet", "")).strip() for r in rows},
            )
            self._ref = ref
        checked = validate_rows(
            rows,
            lines,
            ref=ref,
            **self._checks(lambda ids, start, end: stored_price_rows(self.session, ids, start, end)),
        )
        self._count(checked.problems, checked.duplicates, skip_invalid=skip_invalid)
        if self.storing and checked.rows:
            line_ids = self._store_rows(checked.rows)
            if line_ids is not None and self.result.rows_read == len(rows):  # the batch's only chunk
                for line, kept in checked.repeats.items():
                    if kept in line_ids:
                        line_ids[line] = line_ids[kept]
                self.result.line_ids = line_ids

    def _store_rows(self, rows: list[Row]) -> dict[int, int] | None:
        """_store for typed rows: the same decisions (new, unchanged, revised, conflicting), no frames.

        Returns the id of the current observation of each row's key by line (None after revisions)."""
        existing = existing_rows(self.session, rows)
        new: list[Row] = []
        changed: list[tuple[Row, int, int]] = []
        line_ids: dict[int, int] = {}
        for row in rows:
            found = existing.get(row.key)
            if found is None:
                new.append(row)
                continue
            old_id, old_price, old_batch = found
            if old_price == row.price_vnd:
                self.result.unchanged += 1
                line_ids[row.line] = old_id
            elif old_batch == self.batch.id:
                self.result.problems.append(Problem(row.line, _SAME_FILE_CONFLICT))
            else:
                changed.append((row, old_id, old_price))
        if new:
            # in store.bulk_insert's order (series by series: outlet, commodity, date), so that the new
            # rows get their ids in the same order whichever path stored them
            new.sort(key=lambda r: (r.outlet_id, r.commodity_id, r.obs_date))
            table = Observation.__table__
            inserted = self.session.execute(
                table.insert().returning(table.c.id, sort_by_parameter_order=True),
                [
                    {
                        "obs_date": row.obs_date,
                        "obs_time": row.obs_time,
                        "commodity_id": row.commodity_id,
                        "outlet_id": row.outlet_id,
                        "price_vnd": row.price_vnd,
                        "price_type": row.price_type,
                        "zone": row.zone,
                        "source": row.source,
                        "is_estimate": row.is_estimate,
                        "orig_price_vnd": row.orig_price_vnd,
                        "orig_unit": row.orig_unit,
                        "name_raw": row.name_raw,
                        "source_url": row.source_url,
                        "batch_id": self.batch.id,
                        "submitted_by": self.actor,
                        "submitted_at": self.now,
                        "is_current": True,
                    }
                    for row in new
                ],
            ).scalars()
            ids = [int(i) for i in inserted]
            line_ids.update(zip((row.line for row in new), ids, strict=True))
            if self._inserted is not None:
                self._inserted.extend(ids)
            self.result.stored += len(new)
        if changed:
            self._revise(_revision_frame(changed))
            return None
        return line_ids

    def _revise(self, changed: pd.DataFrame) -> None:
        self._inserted = None
        revise(
            self.session,
            changed,
            batch_id=self.batch.id,
            actor=self.actor,
            now=self.now,
            reason=f"giá mới trong lô nhập {self.batch.id} ({self.batch.filename or self.batch.channel})",
        )
        self.result.revised += len(changed)

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
                    self.result.problems.append(Problem(int(rec.line), _SAME_FILE_CONFLICT))
            self.result.unchanged += int(same.sum())
            new = merged[~found].drop(columns=["old_id", "old_price", "old_batch", "_merge"])
            changed = merged[found & ~same & ~mine].copy()
            # missing text as None, not NaN (which PostgreSQL would store as the text 'NaN')
            for col in ("orig_unit", "name_raw", "source_url"):
                changed[col] = changed[col].astype(object).where(changed[col].notna(), None)
        bulk_insert(self.session, new, batch_id=self.batch.id, actor=self.actor, now=self.now)
        self._inserted = None
        self.result.stored += len(new)
        if not changed.empty:
            self._revise(changed)

    # -- end of batch -----------------------------------------------------------------------------

    def finish(self, *, skip_invalid: bool) -> IngestResult:
        """Close the batch; raise ImportRejected when anything was invalid and skip_invalid is off."""
        result = self.result
        if result.problems and not skip_invalid:
            raise ImportRejected(
                f"{len(result.problems)} dòng không hợp lệ: không lưu dòng nào",
                sorted_problems(result.problems),
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
        if self.return_ids and self._inserted is not None:  # only the row path stored rows, no revisions
            result.stored_ids = sorted(self._inserted)
        elif self.return_ids:
            result.stored_ids = list(
                self.session.scalars(
                    select(Observation.id).where(Observation.batch_id == b.id).order_by(Observation.id)
                )
            )
        result.problems = sorted_problems(result.problems)
        return result


_SAME_FILE_CONFLICT = "trùng khóa với một dòng phía trên trong cùng tệp nhưng giá khác"


def _revision_frame(changed: list[tuple[Row, int, int]]) -> pd.DataFrame:
    """Changed rows in the shape store.revise takes (the merged frame of _store; rare in small batches)."""
    rows = [row for row, _, _ in changed]
    frame = pd.DataFrame([asdict(row) for row in rows])
    frame["obs_date"] = pd.to_datetime(frame["obs_date"])
    for col in ("zone", "orig_price_vnd"):
        frame[col] = pd.array([getattr(row, col) for row in rows], dtype="Int64")
    frame["old_id"] = [old_id for _, old_id, _ in changed]
    frame["old_price"] = [old_price for _, _, old_price in changed]
    return frame


def existing_rows(session: Session, rows: list[Row]) -> dict[tuple[Any, ...], tuple[int, int, int | None]]:
    """The current stored observation of each key of rows: {key: (id, price, batch id)} (store.existing_for
    for typed rows)."""
    found = current_rows(
        session,
        outlet_ids=sorted({r.outlet_id for r in rows}),
        commodity_ids=sorted({r.commodity_id for r in rows}),
        start=min(r.obs_date for r in rows),
        end=max(r.obs_date for r in rows),
    )
    return {
        (cid, oid, day, ptype, otime or ""): (int(oid_), int(price), batch)
        for oid_, cid, oid, day, ptype, otime, price, batch in found
    }


def record_text(value: object) -> str:
    """A record's field as the text a CSV cell would hold ("" when missing: None, NaN, NaT, pd.NA).

    Value by value: a frame built from the records would make a column with a missing value float, and
    an integer price 18000 the text "18000.0".
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        if value != value:  # NaN of any float type, NaT
            return ""
    except (TypeError, ValueError):  # pd.NA, whose comparisons have no truth value
        return ""
    return str(value)


def records_as_rows(records: list[dict[str, object]]) -> list[dict[str, str]]:
    """Records (API, form, spider items) as text rows with every column of KNOWN_COLUMNS, in that order."""
    return [{col: record_text(r.get(col)) for col in KNOWN_COLUMNS} for r in records]


def rows_frame(rows: list[dict[str, str]], *, first_line: int = 1) -> pd.DataFrame:
    """Text rows as the string frame the vectorised validator takes ("line" = item number)."""
    frame = pd.DataFrame({col: [r[col] for r in rows] for col in KNOWN_COLUMNS}, index=range(len(rows)))
    frame[LINE] = range(first_line, first_line + len(rows))
    return frame


_rules_cache: dict[str, tuple[tuple[int, int], IngestRules]] = {}
_rules_lock = threading.Lock()


def default_ingest_rules() -> IngestRules:
    """config/ingest.yaml, read again only when the file changes (not once per web request)."""
    path = config_path("ingest.yaml")
    try:
        st = path.stat()
    except OSError:
        return load_ingest_rules()  # the usual error for a missing file
    stamp = (st.st_mtime_ns, st.st_size)
    key = str(path)
    with _rules_lock:
        cached = _rules_cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rules = load_ingest_rules()
    with _rules_lock:
        _rules_cache[key] = (stamp, rules)
    return rules


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
    rules = rules or default_ingest_rules()
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
    rules: IngestRules | None = None,
) -> IngestResult:
    """Ingest records with the CSV's fields (API, form, spiders); item numbers start at 1."""
    ingestor = Ingestor(
        session,
        channel=channel,
        actor=actor,
        source_default=source_default,
        register_outlets=register_outlets,
        return_ids=return_ids,
        rules=rules,
    )
    rows = records_as_rows(records)
    if len(rows) <= SMALL_BATCH_ROWS:
        ingestor.process_rows(rows, list(range(1, len(rows) + 1)), skip_invalid=skip_invalid)
    else:
        ingestor.process(CsvChunk(rows_frame(rows), []), skip_invalid=skip_invalid)
    return ingestor.finish(skip_invalid=skip_invalid)
