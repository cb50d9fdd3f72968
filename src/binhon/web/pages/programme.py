"""The bình ổn programme register for officers (sổ chương trình bình ổn thị trường).

Programme years with their approving decision; per year the participating enterprises and their
sale points, committed goods (with where each commitment stands today, or when an ended programme
closed), loan capital, reserve reports over time and field visits. Every form goes through
:mod:`binhon.programme.service`, so it is validated and audited exactly like the CLI and the
template import; the documented CSV/XLSX templates can be uploaded here (all-or-nothing) and
downloaded blank.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from binhon.db.models import (
    AuditEntry,
    Commitment,
    Commodity,
    Observation,
    Outlet,
    Participant,
    ProgrammeYear,
)
from binhon.errors import ImportRejected
from binhon.formatting import format_date, format_number
from binhon.programme import service as svc
from binhon.programme.service import MAX_YEAR, MIN_YEAR, ProgrammeError
from binhon.programme.templates import (
    KIND_LABELS,
    KINDS,
    TEMPLATE_COLUMNS,
    RowProblem,
    TemplateRefused,
    import_programme_file,
    template_csv,
    template_workbook,
)
from binhon.web import queries
from binhon.web.catalogs import enterprises
from binhon.web.declarations import today_vn
from binhon.web.deps import CsrfUser, PageStaff, Principal, SessionDep, SettingsDep
from binhon.web.pages.common import FormDep, redirect, render
from binhon.web.programme_forms import FORM_ERROR, FieldError, FormState, split_codes

log = logging.getLogger("binhon.web")
router = APIRouter(prefix="/binh-on")

#: Programme years whose commitment status is kept (see _statuses).
STATUS_CACHE_SIZE = 8
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Confirmation shown after a save (?da-luu=…), and the section of the page it is about.
SAVED = {
    "nam": ("Đã tạo năm chương trình.", "tom-tat"),
    "quyet-dinh": ("Đã cập nhật quyết định phê duyệt.", "tom-tat"),
    "doanh-nghiep": ("Đã thêm doanh nghiệp tham gia.", "doanh-nghiep"),
    "diem-ban": ("Đã gắn điểm bán bình ổn.", "doanh-nghiep"),
    "bo-diem-ban": ("Đã bỏ điểm bán khỏi danh sách điểm bán bình ổn.", "doanh-nghiep"),
    "von-vay": ("Đã cập nhật vốn vay.", "von-vay"),
    "cam-ket": ("Đã lưu cam kết.", "cam-ket"),
    "xoa-cam-ket": ("Đã xóa cam kết; lý do được ghi vào nhật ký.", "cam-ket"),
    "du-tru": ("Đã lưu báo cáo dự trữ.", "du-tru"),
    "kiem-tra": ("Đã lưu kết quả kiểm tra thực tế.", "kiem-tra"),
}
#: The forms of the year page and their fields.
YEAR_FORMS: dict[str, tuple[str, ...]] = {
    "decision": ("decision_no", "decision_date", "title", "note", "reason"),
    "participant": (
        "enterprise",
        "enterprise_name",
        "tax_code",
        "address",
        "loan_proposed_vnd",
        "loan_approved_vnd",
        "loan_disbursed_vnd",
        "note",
        "outlets",
    ),
    "sale_point": ("participant", "outlet"),
    "unlink": ("participant", "outlet", "reason"),
    "loans": ("participant", "loan_proposed_vnd", "loan_approved_vnd", "loan_disbursed_vnd", "reason"),
    "commitment": (
        "participant",
        "commodity",
        "period_start",
        "period_end",
        "committed_price_vnd",
        "margin_below_market_pct",
        "quantity",
        "value_vnd",
    ),
    "delete": ("commitment_id", "reason"),
    "reserve": ("participant", "commodity", "report_date", "quantity", "value_vnd"),
    "visit": ("participant", "visit_date", "officer", "outlet", "findings", "compliant"),
}
YEAR_FIELDS = ("year", "decision_no", "decision_date", "title", "note")


def _staff(me: Principal) -> None:
    if not me.is_staff:
        raise HTTPException(403, "Trang này dành cho cán bộ quản lý")


def _store(db: Session, f: FormState, action: Callable[[], Any]) -> bool:
    """Run a service call and commit; on a refusal roll back and put the reason beside its field."""
    if not f.ok:
        return False
    try:
        action()
        db.commit()
    except ProgrammeError as exc:
        db.rollback()
        f.place(exc)
        return False
    except IntegrityError:
        db.rollback()
        f.add(FORM_ERROR, "dữ liệu vừa được người khác thay đổi: hãy tải lại trang rồi thử lại")
        return False
    return True


# --- the list of programme years, template import and download ---------------------------------------


@dataclass
class ImportOutcome:
    """What an upload did, for the page."""

    filename: str
    counts: list[tuple[str, int, int, int, int]]
    new_outlets: list[str]
    ignored: list[str]


def _index_page(
    request: Request,
    db: Session,
    me: Principal,
    *,
    year_form: FormState | None = None,
    upload_form: FormState | None = None,
    imported: ImportOutcome | None = None,
    problems: list[tuple[str, str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    summaries = [
        (p, svc.programme_summary(session=db, year=p.year)) for p in svc.list_programme_years(session=db)
    ]
    return render(
        request,
        "programme/index.html",
        {
            "summaries": summaries,
            "year_form": year_form or FormState("year", {"year": str(today_vn().year + 1)}),
            "upload_form": upload_form or FormState("upload"),
            "imported": imported,
            "problems": problems,
            "kinds": [(k, KIND_LABELS[k], TEMPLATE_COLUMNS[k]) for k in KINDS],
            "FORM_ERROR": FORM_ERROR,
        },
        status_code=status_code,
        me=me,
    )


@router.get("")
def programme_index(request: Request, db: SessionDep, me: PageStaff) -> Response:
    """Sổ chương trình bình ổn: các năm chương trình, nhập từ tệp mẫu."""
    return _index_page(request, db, me)


@router.post("/nam")
def programme_create(request: Request, db: SessionDep, me: CsrfUser, form: FormDep) -> Response:
    """Khai báo năm chương trình với quyết định phê duyệt."""
    _staff(me)
    f = FormState.read("year", form, YEAR_FIELDS)
    year = f.year()
    decision_no = f.text("decision_no", "số quyết định", max_len=60)
    decision_date = f.date("decision_date", "ngày quyết định")
    title = f.text("title", "tên kế hoạch", max_len=500)
    note = f.text("note", "ghi chú", max_len=2000)

    def create() -> None:
        assert year is not None
        svc.create_programme_year(
            session=db,
            year=year,
            actor=me.actor,
            decision_no=decision_no,
            decision_date=decision_date,
            title=title,
            note=note,
        )

    if _store(db, f, create):
        return redirect(f"/binh-on/{year}?da-luu=nam")
    return _index_page(request, db, me, year_form=f, status_code=422)


def _upload_name(filename: str) -> str:
    """A harmless file name for the uploaded file (kept in messages and the audit log)."""
    base = re.split(r"[\\/]", filename)[-1]
    clean = re.sub(r"[^\w.\- ()]", "_", base).strip(" .")
    return clean[-120:] or "tep-mau"


def _problem_rows(problems: list[Any]) -> list[tuple[str, str, str]]:
    rows = []
    for p in problems:
        if isinstance(p, RowProblem):
            rows.append((p.where, KIND_LABELS.get(p.kind, p.kind), p.reason))
        else:
            line, reason = p
            rows.append((f"dòng {line}", "", str(reason)))
    return rows


@router.post("/nhap")
def programme_upload(
    request: Request, db: SessionDep, settings: SettingsDep, me: CsrfUser, form: FormDep
) -> Response:
    """Nhập sổ bình ổn từ tệp mẫu (.xlsx hoặc .csv): có dòng sai thì không lưu dòng nào."""
    _staff(me)
    f = FormState.read("upload", form, ("kind",))
    kind = f.values["kind"] or None
    if kind is not None and kind not in KINDS:
        f.add("kind", "loại mẫu không có trong danh sách")
    upload = form.get("file")
    limit = int(settings.upload_max_mb * 1024 * 1024)
    data = b""
    name = ""
    if not isinstance(upload, UploadFile) or not upload.filename:
        f.add("file", "hãy chọn tệp mẫu (.xlsx hoặc .csv)")
    else:
        name = _upload_name(upload.filename)
        f.values["file"] = name
        data = upload.file.read(limit + 1)
        if Path(name).suffix.lower() not in (".xlsx", ".csv"):
            f.add("file", f"tệp {name}: chỉ nhận tệp mẫu .xlsx hoặc .csv (UTF-8)")
        elif len(data) > limit:
            f.add("file", f"tệp {name} lớn quá {settings.upload_max_mb:g} MB")
        elif not data.strip():
            f.add("file", f"tệp {name} trống")
    if not f.ok:
        return _index_page(request, db, me, upload_form=f, status_code=422)
    with tempfile.TemporaryDirectory(prefix="binhon-so-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            result = import_programme_file(db, path, actor=me.actor, kind=kind)
            db.commit()
        except TemplateRefused as exc:
            db.rollback()
            f.add("file", str(exc))
            return _index_page(request, db, me, upload_form=f, status_code=422)
        except ImportRejected as exc:
            db.rollback()
            return _index_page(
                request, db, me, upload_form=f, problems=_problem_rows(exc.problems), status_code=422
            )
        except DataError:
            # a value the service does not bound (text lengths are checked there) that PostgreSQL
            # refuses: nothing is stored, say so instead of an error page
            db.rollback()
            log.warning("programme import of %s refused by the database", name, exc_info=True)
            f.add(
                "file",
                f"tệp {name}: có giá trị quá dài hoặc quá lớn so với giới hạn lưu trữ (số quyết định "
                "tối đa 60 ký tự, tên doanh nghiệp 200, mã số thuế 20, người kiểm tra 120): "
                "không lưu dòng nào",
            )
            return _index_page(request, db, me, upload_form=f, status_code=422)
    imported = ImportOutcome(
        filename=result.filename,
        counts=[
            (KIND_LABELS[k], c.rows, c.created, c.updated, c.unchanged) for k, c in result.counts.items()
        ],
        new_outlets=result.new_outlets,
        ignored=result.ignored,
    )
    return _index_page(request, db, me, imported=imported)


@router.get("/mau/so-binh-on.xlsx")
def template_workbook_file(
    me: PageStaff, examples: Annotated[int, Query(alias="vi-du", ge=0, le=1)] = 0
) -> Response:
    """Tệp mẫu .xlsx (mỗi loại một trang tính); ?vi-du=1: kèm dòng ví dụ (dữ liệu mẫu)."""
    name = "mau-so-binh-on-vi-du.xlsx" if examples else "mau-so-binh-on.xlsx"
    return Response(
        template_workbook(examples=bool(examples)),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/mau/{kind}.csv")
def template_csv_file(
    me: PageStaff, kind: str, examples: Annotated[int, Query(alias="vi-du", ge=0, le=1)] = 0
) -> Response:
    """Tệp mẫu .csv của một loại (UTF-8 có BOM để Excel đọc đúng tiếng Việt)."""
    if kind not in KINDS:
        raise HTTPException(404, "Không có mẫu này")
    text = "\ufeff" + template_csv(kind, examples=bool(examples))
    name = f"{kind}-vi-du.csv" if examples else f"{kind}.csv"
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- one programme year ----------------------------------------------------------------------------


def _programme_or_404(db: Session, year: int) -> ProgrammeYear:
    programme = svc.get_programme_year(session=db, year=year) if MIN_YEAR <= year <= MAX_YEAR else None
    if programme is None:
        raise HTTPException(404, f"Chưa có chương trình bình ổn năm {year}")
    return programme


@dataclass
class ReserveRow:
    """A reserve report with what it is measured against."""

    report: Any
    enterprise: str
    commodity: Commodity | None
    committed: float | None

    @property
    def share(self) -> float | None:
        """Stock reported / committed quantity."""
        if not self.committed:
            return None
        return float(self.report.quantity) / self.committed


def _committed_quantity(commitments: list[Commitment], day: dt.date) -> float | None:
    """The committed quantity a reserve on ``day`` is measured against: the commitment in force then,
    else the next one to start (stock is built up ahead of the period)."""
    with_quantity = [c for c in commitments if c.quantity]
    for c in with_quantity:
        if c.period_start <= day <= c.period_end:
            return float(c.quantity or 0)
    later = sorted((c for c in with_quantity if c.period_start > day), key=lambda c: c.period_start)
    return float(later[0].quantity or 0) if later else None


def _quantity(value: float | None) -> str:
    """A quantity or percentage as typed in Việt Nam: 200.000; 1,5; 0,125 (no trailing zeros)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return format_number(value, 0)
    return format_number(value, 3).rstrip("0").rstrip(",")


def _statuses(request: Request, db: Session, year: int, as_of: dt.date) -> tuple[dict[int, Any], str | None]:
    """Where each commitment stands on ``as_of`` (price, margin, reserve), without the forecast.

    Computing it runs the commitment checks (about a second on the demo province), so the result is
    kept per year, day and data version: the newest price and the newest audit entry (every change to
    the register is audited), so any new price or register change computes it again.
    """
    from binhon.programme.risk import commitment_status

    version = (
        db.scalar(select(func.max(Observation.id))) or 0,
        db.scalar(select(func.max(AuditEntry.id))) or 0,
    )
    key = (year, as_of, version)
    state = request.app.state
    cache: dict[tuple[Any, ...], dict[int, Any]] | None = getattr(state, "programme_status_cache", None)
    if cache is None:
        cache = state.programme_status_cache = {}
    if key in cache:
        return cache[key], None
    try:
        rows = commitment_status(db, as_of=as_of, year=year)
    except Exception:  # noqa: BLE001 - the register stays usable when the check cannot run
        log.exception("commitment status of programme year %s failed", year)
        db.rollback()
        return {}, "Chưa tính được tình trạng cam kết lúc này (xem nhật ký máy chủ)."
    statuses = {r.commitment_id: r for r in rows}
    for old in [k for k in cache if k[0] == year or len(cache) >= STATUS_CACHE_SIZE]:
        cache.pop(old, None)
    cache[key] = statuses
    return statuses, None


def _year_page(
    request: Request,
    db: Session,
    me: Principal,
    year: int,
    *,
    posted: FormState | None = None,
    status_code: int = 200,
) -> Response:
    programme = _programme_or_404(db, year)
    summary = svc.programme_summary(session=db, year=year)
    participants = svc.list_participants(session=db, year=year)
    by_id = {p.id: p for p in participants}
    sale_points = {p.id: svc.list_sale_points(session=db, participant_id=p.id) for p in participants}
    commitments = svc.list_commitments(session=db, year=year)
    # an ended programme is judged as it stood when its last commitment ended, not on later prices
    as_of = min([today_vn(), max(c.period_end for c in commitments)]) if commitments else today_vn()
    statuses, status_error = _statuses(request, db, year, as_of) if commitments else ({}, None)
    commodities = queries.commodities(session=db, active_only=False)
    commodity_by_id = {c.id: c for c in commodities}
    of_pair: dict[tuple[int, int], list[Commitment]] = {}
    for c in commitments:
        of_pair.setdefault((c.participant_id, c.commodity_id), []).append(c)
    reserves = [
        ReserveRow(
            report=r,
            enterprise=by_id[r.participant_id].enterprise.name if r.participant_id in by_id else "",
            commodity=commodity_by_id.get(r.commodity_id),
            committed=_committed_quantity(of_pair.get((r.participant_id, r.commodity_id), []), r.report_date),
        )
        for r in reversed(svc.list_reserves(session=db, year=year))
    ]
    visits = list(reversed(svc.list_field_visits(session=db, year=year)))
    outlet_ids = {v.outlet_id for v in visits if v.outlet_id is not None}
    visit_outlets = {i: db.get(Outlet, i) for i in outlet_ids}
    today = format_date(today_vn())
    forms = {name: FormState(name) for name in YEAR_FORMS}
    forms["decision"].values = {
        "decision_no": programme.decision_no or "",
        "decision_date": format_date(programme.decision_date) if programme.decision_date else "",
        "title": programme.title or "",
        "note": programme.note or "",
    }
    forms["reserve"].values = {"report_date": today}
    forms["visit"].values = {"visit_date": today, "officer": me.user.full_name or me.user.username}
    if posted is not None:
        forms[posted.name] = posted
    saved = SAVED.get(request.query_params.get("da-luu", ""))
    return render(
        request,
        "programme/year.html",
        {
            "programme": programme,
            "s": summary,
            "participants": participants,
            "sale_points": sale_points,
            "commitments": commitments,
            "statuses": statuses,
            "status_error": status_error,
            "reserves": reserves,
            "visits": visits,
            "visit_outlets": visit_outlets,
            "by_id": by_id,
            "participant_options": [
                (str(p.id), f"{p.enterprise.name} ({p.enterprise.code})") for p in participants
            ],
            "commodity_options": [(c.code, f"{c.name} ({c.unit})") for c in commodities if c.active],
            "qty": _quantity,
            "outlets": [
                o for o in queries.outlets(session=db, scope=None, limit=5000) if o.outlet_type != "official"
            ],
            "enterprises": enterprises(session=db),
            "forms": forms,
            "posted": posted.name if posted is not None else None,
            "saved": saved[0] if saved else None,
            "as_of": as_of,
            "FORM_ERROR": FORM_ERROR,
        },
        status_code=status_code,
        me=me,
    )


@router.get("/{year:int}")
def programme_year(request: Request, db: SessionDep, me: PageStaff, year: int) -> Response:
    """Một năm chương trình: doanh nghiệp, điểm bán, cam kết, vốn vay, dự trữ, kiểm tra thực tế."""
    return _year_page(request, db, me, year)


def _posted(name: str, form: Any) -> FormState:
    return FormState.read(name, form, YEAR_FORMS[name])


def _participant(db: Session, f: FormState, year: int) -> Participant | None:
    """The participant chosen in the form; it must take part in this programme year."""
    value = f.values.get("participant", "")
    if not value:
        f.add("participant", "hãy chọn doanh nghiệp tham gia")
        return None
    found = db.get(Participant, int(value)) if value.isdigit() and len(value) < 10 else None
    if found is None or found.programme.year != year:
        f.add(
            "participant", f"doanh nghiệp đã chọn không tham gia chương trình năm {year}: hãy tải lại trang"
        )
        return None
    return found


def _done(year: int, what: str) -> Response:
    return redirect(f"/binh-on/{year}?da-luu={what}#{SAVED[what][1]}")


def _refused(request: Request, db: Session, me: Principal, year: int, f: FormState) -> Response:
    return _year_page(request, db, me, year, posted=f, status_code=422)


@router.post("/{year:int}/quyet-dinh")
def programme_decision(request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int) -> Response:
    """Cập nhật số, ngày quyết định phê duyệt, tên kế hoạch của năm chương trình."""
    _staff(me)
    _programme_or_404(db, year)
    f = _posted("decision", form)
    decision_no = f.text("decision_no", "số quyết định", max_len=60)
    decision_date = f.date("decision_date", "ngày quyết định")
    title = f.text("title", "tên kế hoạch", max_len=500)
    note = f.text("note", "ghi chú", max_len=2000)
    reason = f.text("reason", "lý do", max_len=500)
    if f.ok and not any((decision_no, decision_date, title, note)):
        f.add(FORM_ERROR, "hãy nhập số hoặc ngày quyết định, tên kế hoạch hay ghi chú cần cập nhật")

    def update() -> None:
        svc.update_programme_year(
            session=db,
            year=year,
            actor=me.actor,
            decision_no=decision_no,
            decision_date=decision_date,
            title=title,
            note=note,
            reason=reason or "cập nhật trên trang sổ bình ổn",
        )

    if _store(db, f, update):
        return _done(year, "quyet-dinh")
    return _refused(request, db, me, year, f)


@router.post("/{year:int}/doanh-nghiep")
def programme_participant(
    request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int
) -> Response:
    """Thêm doanh nghiệp tham gia (đăng ký doanh nghiệp mới nếu cần), vốn vay và điểm bán."""
    _staff(me)
    _programme_or_404(db, year)
    f = _posted("participant", form)
    code = f.text("enterprise", "mã doanh nghiệp", required=True, max_len=64)
    name = f.text("enterprise_name", "tên doanh nghiệp", max_len=200)
    tax_code = f.text("tax_code", "mã số thuế", max_len=20)
    address = f.text("address", "địa chỉ", max_len=500)
    proposed = f.money("loan_proposed_vnd", "vốn đề xuất")
    approved = f.money("loan_approved_vnd", "vốn được duyệt")
    disbursed = f.money("loan_disbursed_vnd", "vốn đã giải ngân")
    note = f.text("note", "ghi chú", max_len=2000)
    outlets = split_codes(f.values["outlets"])
    if code and not name and svc.find_enterprise(session=db, text=code) is None:
        f.add(
            "enterprise_name", f"doanh nghiệp '{code}' chưa có trong danh mục: hãy nhập tên đầy đủ để đăng ký"
        )

    def add() -> None:
        assert code is not None
        participant = svc.add_participant(
            session=db,
            year=year,
            enterprise=code,
            actor=me.actor,
            enterprise_name=name,
            tax_code=tax_code,
            address=address,
            loan_proposed_vnd=proposed,
            loan_approved_vnd=approved,
            loan_disbursed_vnd=disbursed,
            note=note,
        )
        for outlet in outlets:
            try:
                svc.upsert_sale_point(
                    session=db, participant_id=participant.id, outlet=outlet, actor=me.actor
                )
            except ProgrammeError as exc:
                raise FieldError("outlets", str(exc)) from None

    if _store(db, f, add):
        return _done(year, "doanh-nghiep")
    return _refused(request, db, me, year, f)


@router.post("/{year:int}/diem-ban")
def programme_sale_point(
    request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int
) -> Response:
    """Gắn một điểm bán đã đăng ký làm điểm bán bình ổn của doanh nghiệp tham gia."""
    _staff(me)
    _programme_or_404(db, year)
    f = _posted("sale_point", form)
    participant = _participant(db, f, year)
    outlet = f.text("outlet", "mã điểm bán", required=True, max_len=64)

    def link() -> None:
        assert participant is not None and outlet is not None
        svc.add_sale_point(session=db, participant_id=participant.id, outlet=outlet, actor=me.actor)

    if _store(db, f, link):
        return _done(year, "diem-ban")
    return _refused(request, db, me, year, f)


@router.post("/{year:int}/diem-ban/bo")
def programme_unlink(request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int) -> Response:
    """Bỏ một điểm bán khỏi danh sách điểm bán bình ổn của doanh nghiệp (ghi lý do vào nhật ký)."""
    _staff(me)
    _programme_or_404(db, year)
    f = _posted("unlink", form)
    participant = _participant(db, f, year)
    outlet = f.text("outlet", "mã điểm bán", required=True, max_len=64)
    reason = f.text("reason", "lý do", max_len=500)

    def unlink() -> None:
        assert participant is not None and outlet is not None
        svc.remove_sale_point(
            session=db, participant_id=participant.id, outlet=outlet, actor=me.actor, reason=reason
        )

    if _store(db, f, unlink):
        return _done(year, "bo-diem-ban")
    return _refused(request, db, me, year, f)


@router.post("/{year:int}/von-vay")
def programme_loans(request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int) -> Response:
    """Ghi vốn vay đề xuất, được duyệt, đã giải ngân của một doanh nghiệp (ô trống: giữ nguyên)."""
    _staff(me)
    _programme_or_404(db, year)
    f = _posted("loans", form)
    participant = _participant(db, f, year)
    proposed = f.money("loan_proposed_vnd", "vốn đề xuất")
    approved = f.money("loan_approved_vnd", "vốn được duyệt")
    disbursed = f.money("loan_disbursed_vnd", "vốn đã giải ngân")
    reason = f.text("reason", "lý do", max_len=500)
    if f.ok and proposed is None and approved is None and disbursed is None:
        f.add("loan_proposed_vnd", "hãy nhập ít nhất một số vốn (đề xuất, được duyệt hoặc đã giải ngân)")

    def update() -> None:
        assert participant is not None
        svc.update_participant(
            session=db,
            participant_id=participant.id,
            actor=me.actor,
            loan_proposed_vnd=proposed,
            loan_approved_vnd=approved,
            loan_disbursed_vnd=disbursed,
            reason=reason,
        )

    if _store(db, f, update):
        return _done(year, "von-vay")
    return _refused(request, db, me, year, f)


@router.post("/{year:int}/cam-ket")
def programme_commitment(
    request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int
) -> Response:
    """Thêm hàng hóa cam kết: số lượng, giá trị, giá cam kết và/hoặc mức thấp hơn thị trường, thời gian."""
    _staff(me)
    _programme_or_404(db, year)
    f = _posted("commitment", form)
    participant = _participant(db, f, year)
    commodity = f.text("commodity", "mặt hàng", required=True, max_len=64)
    if "commodity" in f.errors:
        f.errors["commodity"] = "Hãy chọn mặt hàng"
    start = f.date("period_start", "ngày bắt đầu", required=True)
    end = f.date("period_end", "ngày kết thúc", required=True)
    price = f.money("committed_price_vnd", "giá cam kết")
    margin = f.number("margin_below_market_pct", "mức thấp hơn giá thị trường", percent=True)
    quantity = f.number("quantity", "số lượng cam kết")
    value = f.money("value_vnd", "giá trị cam kết")
    if f.ok and price is None and margin is None:
        f.add("committed_price_vnd", "cần giá cam kết hoặc mức thấp hơn giá thị trường (%)")

    def add() -> None:
        assert participant is not None and commodity is not None and start is not None and end is not None
        svc.add_commitment(
            session=db,
            participant_id=participant.id,
            commodity=commodity,
            period_start=start,
            period_end=end,
            actor=me.actor,
            quantity=quantity,
            value_vnd=value,
            committed_price_vnd=price,
            margin_below_market_pct=margin,
        )

    if _store(db, f, add):
        return _done(year, "cam-ket")
    return _refused(request, db, me, year, f)


@router.post("/{year:int}/cam-ket/{commitment_id:int}/xoa")
def programme_commitment_delete(
    request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int, commitment_id: int
) -> Response:
    """Xóa một cam kết nhập nhầm (bắt buộc ghi lý do; lưu trong nhật ký)."""
    _staff(me)
    _programme_or_404(db, year)
    commitment = db.get(Commitment, commitment_id) if 0 < commitment_id < 2**31 else None
    if commitment is None or commitment.participant.programme.year != year:
        raise HTTPException(404, "Không có cam kết này")
    f = _posted("delete", form)
    f.values["commitment_id"] = str(commitment_id)
    reason = f.text("reason", "lý do xóa cam kết", required=True, max_len=500)

    def delete() -> None:
        assert reason is not None
        svc.delete_commitment(session=db, commitment_id=commitment_id, actor=me.actor, reason=reason)

    if _store(db, f, delete):
        return _done(year, "xoa-cam-ket")
    return _refused(request, db, me, year, f)


@router.post("/{year:int}/du-tru")
def programme_reserve(request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int) -> Response:
    """Ghi lượng hàng dự trữ doanh nghiệp báo cáo tại một ngày (báo cáo mới cùng ngày thay số cũ)."""
    _staff(me)
    _programme_or_404(db, year)
    f = _posted("reserve", form)
    participant = _participant(db, f, year)
    commodity = f.text("commodity", "mặt hàng", required=True, max_len=64)
    if "commodity" in f.errors:
        f.errors["commodity"] = "Hãy chọn mặt hàng"
    report_date = f.date("report_date", "ngày báo cáo", required=True)
    quantity = f.number("quantity", "lượng dự trữ", required=True)
    value = f.money("value_vnd", "giá trị dự trữ")

    def record() -> None:
        assert participant is not None and commodity is not None
        assert report_date is not None and quantity is not None
        svc.upsert_reserve(
            session=db,
            participant_id=participant.id,
            commodity=commodity,
            report_date=report_date,
            quantity=quantity,
            actor=me.actor,
            value_vnd=value,
        )

    if _store(db, f, record):
        return _done(year, "du-tru")
    return _refused(request, db, me, year, f)


@router.post("/{year:int}/kiem-tra")
def programme_visit(request: Request, db: SessionDep, me: CsrfUser, form: FormDep, year: int) -> Response:
    """Ghi một lần kiểm tra thực tế tại doanh nghiệp, điểm bán hoặc kho: người kiểm tra, kết quả."""
    _staff(me)
    _programme_or_404(db, year)
    f = _posted("visit", form)
    participant = _participant(db, f, year)
    visit_date = f.date("visit_date", "ngày kiểm tra", required=True)
    officer = f.text("officer", "người hoặc đoàn kiểm tra", required=True, max_len=120)
    outlet = f.text("outlet", "mã điểm bán", max_len=64)
    findings = f.text("findings", "kết quả kiểm tra", required=True, max_len=5000)
    compliant = f.flag("compliant")

    def record() -> None:
        assert participant is not None and visit_date is not None
        assert officer is not None and findings is not None
        svc.upsert_field_visit(
            session=db,
            participant_id=participant.id,
            visit_date=visit_date,
            officer=officer,
            findings=findings,
            actor=me.actor,
            outlet=outlet,
            compliant=compliant,
        )

    if _store(db, f, record):
        return _done(year, "kiem-tra")
    return _refused(request, db, me, year, f)
