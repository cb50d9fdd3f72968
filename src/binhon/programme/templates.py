"""Importing the programme register from the documented CSV and XLSX templates.

The templates are described in ``src/binhon/programme/TEMPLATES.md`` with examples under
``src/binhon/programme/templates/``. Six kinds of sheet, each one CSV file or one sheet of a
workbook (sheet name = kind): ``programme``, ``participants``, ``sale_points``, ``commitments``,
``reserves``, ``visits``. A workbook is imported in that order, so a row may refer to what an
earlier sheet of the same file adds.

The same guarantees as the price import (:mod:`binhon.ingest`):

* every row goes through the programme service (:mod:`binhon.programme.service`), the same
  validation as the officer pages, and every invalid row is reported with its line (and sheet)
  and all its reasons in Vietnamese;
* all-or-nothing: if any row is invalid nothing is stored (a savepoint is rolled back) and
  :class:`~binhon.errors.ImportRejected` is raised with the problems;
* idempotent: each row is found by its natural key and only changed when its values differ, so
  the same file imported twice changes nothing the second time;
* audited: every created or changed record has an audit entry, and the import itself one more
  (entity ``programme_import``, with the file's name, SHA-256 and counts).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import OUTLET_TYPES, AuditEntry, Outlet, Participant
from binhon.errors import BinhonError, ImportRejected
from binhon.formatting import normalize_text, parse_date_vn, parse_decimal_vn, parse_vnd
from binhon.programme import service as svc
from binhon.programme.service import ProgrammeError

__all__ = [
    "KINDS",
    "TEMPLATE_COLUMNS",
    "ProgrammeImportResult",
    "RowProblem",
    "TemplateRefused",
    "guess_kind",
    "import_programme_file",
    "import_programme_rows",
    "template_csv",
    "template_workbook",
]

#: Sheet kinds in import order, with their columns (required first); see TEMPLATES.md.
TEMPLATE_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "programme": (("year",), ("decision_no", "decision_date", "title", "note")),
    "participants": (
        ("year", "enterprise"),
        (
            "enterprise_name",
            "tax_code",
            "address",
            "loan_proposed_vnd",
            "loan_approved_vnd",
            "loan_disbursed_vnd",
            "note",
        ),
    ),
    "sale_points": (("year", "enterprise", "outlet"), ("outlet_name", "outlet_type", "area", "address")),
    "commitments": (
        ("year", "enterprise", "commodity", "period_start", "period_end"),
        ("committed_price_vnd", "margin_below_market_pct", "quantity", "value_vnd"),
    ),
    "reserves": (("year", "enterprise", "commodity", "report_date", "quantity"), ("value_vnd",)),
    "visits": (("year", "enterprise", "visit_date", "officer", "findings"), ("outlet", "compliant")),
}
KINDS: tuple[str, ...] = tuple(TEMPLATE_COLUMNS)

#: Vietnamese names of the kinds (messages).
KIND_LABELS = {
    "programme": "năm chương trình",
    "participants": "doanh nghiệp tham gia",
    "sale_points": "điểm bán bình ổn",
    "commitments": "cam kết",
    "reserves": "báo cáo dự trữ",
    "visits": "kiểm tra thực tế",
}

_TRUE = {"1", "true", "yes", "có", "co", "x", "đạt", "dat", "đúng", "tuân thủ"}
_FALSE = {"0", "false", "no", "không", "khong", "không đạt", "khong dat", "vi phạm", "sai"}
MAX_BYTES = 50 * 1024 * 1024


class TemplateRefused(BinhonError):
    """The file cannot be read as a programme template at all (nothing was stored)."""


@dataclass
class RowProblem:
    """A rejected row: where it is and why, in plain Vietnamese."""

    kind: str
    line: int
    reason: str
    sheet: str | None = None

    @property
    def where(self) -> str:
        """ "dòng 5" or "trang tính 'commitments', dòng 5"."""
        return f"trang tính '{self.sheet}', dòng {self.line}" if self.sheet else f"dòng {self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class KindCounts:
    """What the import did to one kind of record."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ProgrammeImportResult:
    """What an import of a template file did."""

    filename: str
    counts: dict[str, KindCounts] = field(default_factory=dict)
    new_outlets: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def total(self, what: str) -> int:
        """Sum of one counter over the kinds."""
        return sum(getattr(c, what) for c in self.counts.values())


# --- reading ----------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    kind: str
    name: str | None  # sheet name in a workbook; None for CSV
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]


def _clean_header(values: list[Any]) -> list[str]:
    return [normalize_text(str(v)).lower() if v is not None else "" for v in values]


def guess_kind(header: list[str], *, name: str = "") -> str:
    """The kind of a sheet from its header (or, failing that, from its file name)."""
    cols = {h for h in header if h}
    fits = [
        kind
        for kind, (required, optional) in TEMPLATE_COLUMNS.items()
        if set(required) <= cols and cols <= set(required) | set(optional)
    ]
    if len(fits) == 1:
        return fits[0]
    stem = name.lower()
    by_name = [k for k in KINDS if k in stem or k.replace("_", "-") in stem]
    if len(by_name) == 1:
        return by_name[0]
    raise TemplateRefused(
        f"tệp {name or ''}: không nhận ra loại mẫu từ tiêu đề ({', '.join(header)}); "
        f"hãy ghi rõ loại (--kind: {', '.join(KINDS)})"
    )


def _check_header(kind: str, header: list[str], *, where: str) -> list[str]:
    required, optional = TEMPLATE_COLUMNS[kind]
    if not any(header):
        raise TemplateRefused(f"{where}: thiếu dòng tiêu đề (cần các cột {', '.join(required)})")
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise TemplateRefused(f"{where}: cột bị lặp trong tiêu đề: {', '.join(dupes)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise TemplateRefused(
            f"{where}: mẫu '{kind}' thiếu cột bắt buộc {', '.join(missing)} "
            f"(các cột: {', '.join(required + optional)})"
        )
    return [h for h in header if h and h not in required + optional]


def _read_csv(path: Path, kind: str | None) -> tuple[list[_Sheet], list[str]]:
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise TemplateRefused(f"tệp {path.name} là tệp Excel: hãy đặt đuôi .xlsx")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateRefused(
            f"tệp {path.name} không phải UTF-8 (byte lạ ở vị trí {exc.start}): hãy lưu lại dưới dạng CSV "
            "UTF-8"
        ) from exc
    if not text.strip():
        raise TemplateRefused(f"tệp {path.name} trống: cần dòng tiêu đề và các dòng dữ liệu")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _clean_header(next(reader, []))
    kind = kind or guess_kind(header, name=path.name)
    ignored = _check_header(kind, header, where=f"tệp {path.name}")
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[tuple[int, str]] = []
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append((start, f"dòng CSV hỏng: {exc}"))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append((line, f"có {len(values)} cột, tiêu đề có {len(header)} cột"))
            continue
        rows.append((line, dict(zip(header, values, strict=True))))
    sheet = _Sheet(kind, None, header, rows)
    if problems:
        raise ImportRejected(
            f"{len(problems)} dòng không đọc được: không lưu dòng nào",
            [RowProblem(kind, line, reason) for line, reason in problems],  # type: ignore[misc]
        )
    return [sheet], [f"{c}" for c in ignored]


def _read_xlsx(path: Path, kind: str | None) -> tuple[list[_Sheet], list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is refused with its reason
        raise TemplateRefused(f"tệp {path.name} không đọc được như một tệp Excel (.xlsx): {exc}") from exc
    sheets: list[_Sheet] = []
    ignored: list[str] = []
    try:
        names = list(wb.sheetnames)
        by_kind: dict[str, str] = {}
        for name in names:
            key = normalize_text(name).lower().replace("-", "_").replace(" ", "_")
            if key in TEMPLATE_COLUMNS:
                by_kind[key] = name
        if kind is not None and kind not in by_kind and len(names) == 1:
            by_kind = {kind: names[0]}
        if kind is not None:
            by_kind = {k: v for k, v in by_kind.items() if k == kind}
        if not by_kind:
            raise TemplateRefused(
                f"tệp {path.name}: không có trang tính nào mang tên một loại mẫu ({', '.join(KINDS)}); "
                f"các trang tính: {', '.join(names)}"
            )
        ignored.extend(f"trang tính '{n}'" for n in names if n not in by_kind.values())
        for k in KINDS:
            if k not in by_kind:
                continue
            ws = wb[by_kind[k]]
            it = ws.iter_rows(values_only=True)
            header = _clean_header(list(next(it, ())))
            while header and header[-1] == "":
                header.pop()
            extra = _check_header(k, header, where=f"tệp {path.name}, trang tính '{by_kind[k]}'")
            ignored.extend(f"cột '{c}' (trang tính '{by_kind[k]}')" for c in extra)
            rows: list[tuple[int, dict[str, Any]]] = []
            for line, values in enumerate(it, start=2):
                cells = list(values)[: len(header)]
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                    continue
                cells += [None] * (len(header) - len(cells))
                rows.append((line, {h: v for h, v in zip(header, cells, strict=True) if h}))
            sheets.append(_Sheet(k, by_kind[k], header, rows))
    finally:
        wb.close()
    return sheets, ignored


# --- values -----------------------------------------------------------------------------------------


class _Row:
    """Typed access to one row's cells, collecting every reason a cell is invalid."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.errors: list[str] = []

    def _raw(self, col: str) -> Any:
        value = self.values.get(col)
        if isinstance(value, str):
            value = normalize_text(value)
            return value or None
        return value

    def text(self, col: str, *, required: bool = False) -> str | None:
        value = self._raw(col)
        if value is None:
            if required:
                self.errors.append(f"thiếu {col}")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    def year(self, col: str = "year") -> int | None:
        value = self._raw(col)
        if value is None:
            self.errors.append(f"thiếu {col}")
            return None
        try:
            year = int(value) if not isinstance(value, str) else int(value.strip())
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
        except (TypeError, ValueError):
            self.errors.append(f"{col} '{value}' không phải là một năm")
            return None
        return year

    def date(self, col: str, *, required: bool = False) -> dt.date | None:
        value = self._raw(col)
        if value is None:
            if required:
                self.errors.append(f"thiếu {col}")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date_vn(str(value))
        except ValueError as exc:
            self.errors.append(f"{col}: {exc}")
            return None

    def money(self, col: str) -> int | None:
        value = self._raw(col)
        if value is None:
            return None
        try:
            return parse_vnd(value if isinstance(value, str | int | float) else str(value))
        except (TypeError, ValueError) as exc:
            self.errors.append(f"{col}: {exc}")
            return None

    def number(self, col: str, *, required: bool = False) -> float | None:
        value = self._raw(col)
        if value is None:
            if required:
                self.errors.append(f"thiếu {col}")
            return None
        if isinstance(value, bool):
            self.errors.append(f"{col} '{value}' không phải là số")
            return None
        if isinstance(value, int | float | Decimal):
            return float(value)
        text = str(value).rstrip("%").strip()
        try:
            return float(parse_decimal_vn(text))
        except ValueError as exc:
            self.errors.append(f"{col}: {exc}")
            return None

    def flag(self, col: str) -> bool | None:
        value = self._raw(col)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        key = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        self.errors.append(f"{col} '{value}' không hợp lệ (có/không, đạt/không đạt, 1/0)")
        return None


# --- applying rows ----------------------------------------------------------------------------------


class _Importer:
    def __init__(self, session: Session, *, actor: str, result: ProgrammeImportResult) -> None:
        self.session = session
        self.actor = actor
        self.result = result
        self._resolver: Any = None

    def participant_id(self, row: _Row, year: int | None, enterprise: str | None) -> int | None:
        if year is None or enterprise is None:
            return None
        found = svc.get_participant(session=self.session, year=year, enterprise=enterprise)
        if found is None:
            row.errors.append(
                f"doanh nghiệp '{enterprise}' chưa tham gia chương trình bình ổn năm {year} "
                "(khai báo ở mẫu participants trước)"
            )
            return None
        return found.id

    def resolver(self) -> Any:
        if self._resolver is None:
            from binhon.catalog import load_areas
            from binhon.geo import AreaResolver

            self._resolver = AreaResolver.from_session(self.session, load_areas())
        return self._resolver

    def register_outlet(self, row: _Row, code: str, enterprise_id: int) -> bool:
        """Register an outlet declared in a sale_points row; False (with reasons) if it cannot be."""
        from binhon.geo import AreaNotFound

        otype = (row.text("outlet_type") or "").lower()
        area = row.text("area")
        name = row.text("outlet_name")
        if not otype or not area or not name:
            need = [c for c, v in (("outlet_name", name), ("outlet_type", otype), ("area", area)) if not v]
            row.errors.append(f"điểm bán '{code}' chưa đăng ký: cần cột {', '.join(need)} để đăng ký mới")
            return False
        if otype not in OUTLET_TYPES or otype == "official":
            allowed = ", ".join(t for t in OUTLET_TYPES if t != "official")
            row.errors.append(f"loại điểm bán '{otype}' không hợp lệ (dùng: {allowed})")
            return False
        if len(code) > 64:
            row.errors.append(f"mã điểm bán '{code}' dài quá 64 ký tự")
            return False
        try:
            unit = self.resolver().resolve(area)
        except AreaNotFound as exc:
            row.errors.append(f"điểm bán mới '{code}': {exc}")
            return False
        commune = self.resolver().current_commune(unit)
        district = self.resolver().former_district(unit)
        outlet = Outlet(
            code=code,
            name=name,
            outlet_type=otype,
            area_id=unit.id,
            commune_id=commune.id if commune else None,
            district_id=district.id if district else None,
            enterprise_id=enterprise_id,
            address=row.text("address"),
        )
        self.session.add(outlet)
        self.session.flush()
        self.session.add(
            AuditEntry(
                actor=self.actor,
                action="register",
                entity="outlet",
                entity_id=outlet.id,
                reason=f"đăng ký từ mẫu điểm bán bình ổn {self.result.filename}",
                details={"code": code, "outlet_type": otype, "area": area},
            )
        )
        self.result.new_outlets.append(code)
        return True

    # one function per kind; each returns an Outcome or None when the row had errors

    def programme(self, row: _Row) -> svc.Outcome | None:
        year = row.year()
        decision_date = row.date("decision_date")
        if row.errors or year is None:
            return None
        return svc.upsert_programme_year(
            session=self.session,
            year=year,
            actor=self.actor,
            decision_no=row.text("decision_no"),
            decision_date=decision_date,
            title=row.text("title"),
            note=row.text("note"),
            reason=f"nhập từ {self.result.filename}",
        )

    def participants(self, row: _Row) -> svc.Outcome | None:
        year = row.year()
        enterprise = row.text("enterprise", required=True)
        proposed, approved = row.money("loan_proposed_vnd"), row.money("loan_approved_vnd")
        disbursed = row.money("loan_disbursed_vnd")
        if row.errors or year is None or enterprise is None:
            return None
        return svc.upsert_participant(
            session=self.session,
            year=year,
            enterprise=enterprise,
            actor=self.actor,
            enterprise_name=row.text("enterprise_name"),
            tax_code=row.text("tax_code"),
            address=row.text("address"),
            note=row.text("note"),
            loan_proposed_vnd=proposed,
            loan_approved_vnd=approved,
            loan_disbursed_vnd=disbursed,
        )

    def sale_points(self, row: _Row) -> svc.Outcome | None:
        year = row.year()
        enterprise = row.text("enterprise", required=True)
        outlet = row.text("outlet", required=True)
        pid = self.participant_id(row, year, enterprise)
        if row.errors or pid is None or outlet is None:
            return None
        exists = self.session.scalars(select(Outlet.id).where(Outlet.code == outlet)).first()
        if exists is None:
            participant = self.session.get(Participant, pid)
            assert participant is not None
            if not self.register_outlet(row, outlet, participant.enterprise_id):
                return None
        return svc.upsert_sale_point(
            session=self.session, participant_id=pid, outlet=outlet, actor=self.actor
        )

    def commitments(self, row: _Row) -> svc.Outcome | None:
        year = row.year()
        enterprise = row.text("enterprise", required=True)
        commodity = row.text("commodity", required=True)
        start = row.date("period_start", required=True)
        end = row.date("period_end", required=True)
        price = row.money("committed_price_vnd")
        margin = row.number("margin_below_market_pct")
        quantity = row.number("quantity")
        value = row.money("value_vnd")
        pid = self.participant_id(row, year, enterprise)
        if row.errors or pid is None or commodity is None or start is None or end is None:
            return None
        return svc.upsert_commitment(
            session=self.session,
            participant_id=pid,
            commodity=commodity,
            period_start=start,
            period_end=end,
            actor=self.actor,
            quantity=quantity,
            value_vnd=value,
            committed_price_vnd=price,
            margin_below_market_pct=margin,
        )

    def reserves(self, row: _Row) -> svc.Outcome | None:
        year = row.year()
        enterprise = row.text("enterprise", required=True)
        commodity = row.text("commodity", required=True)
        report_date = row.date("report_date", required=True)
        quantity = row.number("quantity", required=True)
        value = row.money("value_vnd")
        pid = self.participant_id(row, year, enterprise)
        if row.errors or pid is None or commodity is None or report_date is None or quantity is None:
            return None
        return svc.upsert_reserve(
            session=self.session,
            participant_id=pid,
            commodity=commodity,
            report_date=report_date,
            quantity=quantity,
            actor=self.actor,
            value_vnd=value,
        )

    def visits(self, row: _Row) -> svc.Outcome | None:
        year = row.year()
        enterprise = row.text("enterprise", required=True)
        visit_date = row.date("visit_date", required=True)
        officer = row.text("officer", required=True)
        findings = row.text("findings", required=True)
        compliant = row.flag("compliant")
        pid = self.participant_id(row, year, enterprise)
        if row.errors or pid is None or visit_date is None or officer is None or findings is None:
            return None
        return svc.upsert_field_visit(
            session=self.session,
            participant_id=pid,
            visit_date=visit_date,
            officer=officer,
            findings=findings,
            actor=self.actor,
            outlet=row.text("outlet"),
            compliant=compliant,
        )


def _apply_sheets(
    session: Session, sheets: list[_Sheet], *, actor: str, result: ProgrammeImportResult
) -> None:
    importer = _Importer(session, actor=actor, result=result)
    for sheet in sheets:
        handler: Callable[[_Row], svc.Outcome | None] = getattr(importer, sheet.kind)
        counts = result.counts.setdefault(sheet.kind, KindCounts())
        for line, values in sheet.rows:
            counts.rows += 1
            row = _Row(values)
            try:
                outcome = handler(row)
            except ProgrammeError as exc:
                row.errors.append(str(exc))
                outcome = None
            if row.errors:
                result.problems.append(RowProblem(sheet.kind, line, "; ".join(row.errors), sheet.name))
                continue
            assert outcome is not None
            setattr(counts, outcome.status, getattr(counts, outcome.status) + 1)


def import_programme_rows(
    session: Session,
    kind: str,
    rows: list[dict[str, Any]],
    *,
    actor: str,
    source: str = "form",
) -> ProgrammeImportResult:
    """Import rows of one template kind given as dicts (line numbers = item numbers from 1)."""
    if kind not in TEMPLATE_COLUMNS:
        raise TemplateRefused(f"loại mẫu '{kind}' không có (dùng: {', '.join(KINDS)})")
    header = sorted({k for r in rows for k in r})
    _check_header(kind, header or list(TEMPLATE_COLUMNS[kind][0]), where=source)
    sheet = _Sheet(kind, None, header, [(i, r) for i, r in enumerate(rows, start=1)])
    return _run(session, [sheet], actor=actor, filename=source, sha256=None, ignored=[])


def _run(
    session: Session,
    sheets: list[_Sheet],
    *,
    actor: str,
    filename: str,
    sha256: str | None,
    ignored: list[str],
) -> ProgrammeImportResult:
    result = ProgrammeImportResult(filename=filename, ignored=ignored)
    savepoint = session.begin_nested()
    try:
        _apply_sheets(session, sheets, actor=actor, result=result)
    except BaseException:
        savepoint.rollback()
        raise
    if result.problems:
        savepoint.rollback()
        raise ImportRejected(
            f"{len(result.problems)} dòng không hợp lệ: không lưu dòng nào",
            result.problems,  # type: ignore[arg-type]
        )
    session.add(
        AuditEntry(
            actor=actor,
            action="import",
            entity="programme_import",
            entity_id=None,
            reason=filename,
            details={
                "sha256": sha256,
                "new_outlets": result.new_outlets,
                **{
                    kind: {
                        "rows": c.rows,
                        "created": c.created,
                        "updated": c.updated,
                        "unchanged": c.unchanged,
                    }
                    for kind, c in result.counts.items()
                },
            },
        )
    )
    session.flush()
    savepoint.commit()
    return result


def import_programme_file(
    session: Session, path: Path, *, actor: str, kind: str | None = None
) -> ProgrammeImportResult:
    """Import a programme template (.csv of one kind, or .xlsx with one sheet per kind); the caller commits.

    Raises
    ------
    TemplateRefused
        The file cannot be read as a template (nothing stored).
    binhon.errors.ImportRejected
        Some rows are invalid; ``problems`` lists each as a :class:`RowProblem` (nothing stored).
    """
    path = Path(path)
    if kind is not None and kind not in TEMPLATE_COLUMNS:
        raise TemplateRefused(f"loại mẫu '{kind}' không có (dùng: {', '.join(KINDS)})")
    if not path.is_file():
        raise TemplateRefused(f"không tìm thấy tệp: {path}")
    if path.stat().st_size > MAX_BYTES:
        raise TemplateRefused(f"tệp {path.name} quá lớn (giới hạn {MAX_BYTES // 1024 // 1024} MB)")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets, ignored = _read_xlsx(path, kind)
    elif path.suffix.lower() in (".csv", ".txt"):
        sheets, ignored = _read_csv(path, kind)
    else:
        raise TemplateRefused(f"tệp {path.name}: chỉ nhận .csv (UTF-8) hoặc .xlsx")
    return _run(session, sheets, actor=actor, filename=path.name, sha256=sha, ignored=ignored)


# --- writing templates ------------------------------------------------------------------------------


def _example_rows() -> dict[str, list[dict[str, Any]]]:
    """The example rows shipped in src/binhon/programme/templates/ (invented data, DỮ LIỆU MẪU)."""
    ent = "CLX"
    return {
        "programme": [
            {
                "year": 2026,
                "decision_no": "1234/QĐ-UBND",
                "decision_date": "01/07/2025",
                "title": "Chương trình bình ổn thị trường năm 2026 (dữ liệu mẫu)",
                "note": "",
            }
        ],
        "participants": [
            {
                "year": 2026,
                "enterprise": ent,
                "enterprise_name": "Công ty CP Thương mại Cửu Long Xanh",
                "tax_code": "2100000000",
                "address": "Phường Trà Vinh, tỉnh Vĩnh Long",
                "loan_proposed_vnd": "25.000.000.000",
                "loan_approved_vnd": "20.000.000.000",
                "loan_disbursed_vnd": "15.000.000.000",
                "note": "dữ liệu mẫu",
            }
        ],
        "sale_points": [
            {
                "year": 2026,
                "enterprise": ent,
                "outlet": "BO-CLX-MAU",
                "outlet_name": "Điểm bán bình ổn Cửu Long Xanh (mẫu)",
                "outlet_type": "enterprise",
                "area": "Phường Trà Vinh",
                "address": "",
            }
        ],
        "commitments": [
            {
                "year": 2026,
                "enterprise": ent,
                "commodity": "gao-te-thuong",
                "period_start": "01/12/2025",
                "period_end": "31/03/2026",
                "committed_price_vnd": "16.000",
                "margin_below_market_pct": "",
                "quantity": "200.000",
                "value_vnd": "3.200.000.000",
            },
            {
                "year": 2026,
                "enterprise": ent,
                "commodity": "thit-lon-nac",
                "period_start": "01/12/2025",
                "period_end": "31/03/2026",
                "committed_price_vnd": "",
                "margin_below_market_pct": "5",
                "quantity": "20.000",
                "value_vnd": "2.600.000.000",
            },
        ],
        "reserves": [
            {
                "year": 2026,
                "enterprise": ent,
                "commodity": "gao-te-thuong",
                "report_date": "15/12/2025",
                "quantity": "150.000",
                "value_vnd": "2.400.000.000",
            }
        ],
        "visits": [
            {
                "year": 2026,
                "enterprise": ent,
                "visit_date": "20/12/2025",
                "officer": "Đoàn kiểm tra Sở Công Thương",
                "findings": "Niêm yết giá đúng giá cam kết; hàng dự trữ đủ theo báo cáo",
                "outlet": "BO-CLX-MAU",
                "compliant": "có",
            }
        ],
    }


def _columns(kind: str) -> tuple[str, ...]:
    required, optional = TEMPLATE_COLUMNS[kind]
    return required + optional


def template_csv(kind: str, *, examples: bool = True) -> str:
    """The CSV template of one kind (header, plus the example rows)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    cols = _columns(kind)
    writer.writerow(cols)
    if examples:
        for row in _example_rows()[kind]:
            writer.writerow([row.get(c, "") for c in cols])
    return buf.getvalue()


def _iter_example_cells(kind: str) -> Iterator[list[Any]]:
    for row in _example_rows()[kind]:
        yield [row.get(c, "") for c in _columns(kind)]


def template_workbook(*, examples: bool = True) -> bytes:
    """The XLSX template: a guide sheet and one sheet per kind (header row = column codes)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    guide = wb.add_worksheet("huong-dan")
    guide.set_column(0, 0, 18)
    guide.set_column(1, 1, 110)
    guide.write(0, 0, "MẪU NHẬP SỔ CHƯƠNG TRÌNH BÌNH ỔN THỊ TRƯỜNG", bold)
    lines = [
        (
            "Cách dùng",
            "Mỗi trang tính là một loại dữ liệu; dòng 1 là mã cột (không đổi tên), dữ liệu từ dòng 2. "
            "Nhập: binhon programme import TỆP.xlsx. Tất cả hoặc không: có dòng sai thì không lưu dòng nào.",
        ),
        (
            "Số, ngày",
            "Tiền ghi số đồng nguyên (23.500 hoặc 23500); ngày dd/mm/yyyy hoặc YYYY-MM-DD; "
            "tỷ lệ % ghi số (5 hoặc 5,5).",
        ),
        *(
            (
                kind,
                f"{KIND_LABELS[kind]}: bắt buộc {', '.join(TEMPLATE_COLUMNS[kind][0])}; "
                f"không bắt buộc {', '.join(TEMPLATE_COLUMNS[kind][1])}",
            )
            for kind in KINDS
        ),
        ("Tài liệu", "Mô tả đầy đủ từng cột: src/binhon/programme/TEMPLATES.md."),
    ]
    for i, (a, b) in enumerate(lines, start=2):
        guide.write(i, 0, a, bold)
        guide.write(i, 1, b, wrap)
    for kind in KINDS:
        ws = wb.add_worksheet(kind)
        cols = _columns(kind)
        for j, col in enumerate(cols):
            ws.write(0, j, col, bold)
            ws.set_column(j, j, max(14, len(col) + 4))
        ws.freeze_panes(1, 0)
        if examples:
            for i, cells in enumerate(_iter_example_cells(kind), start=1):
                for j, value in enumerate(cells):
                    ws.write_string(i, j, str(value)) if isinstance(value, str) else ws.write_number(
                        i, j, value
                    )
    wb.close()
    return buf.getvalue()
