"""The retailer's price declaration: form → preview (change against the last price, typo guard) →
confirmation; the history of submissions and corrections; the attached photos."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from binhon.accounts.service import outlets_of
from binhon.db.models import Attachment, IngestBatch, Outlet
from binhon.formatting import format_date
from binhon.web import queries
from binhon.web.declarations import Declaration, attach_photo, form_commodities, parse_declaration, today_vn
from binhon.web.deps import CsrfUser, PageRetailer, PageUser, Principal, SessionDep, SettingsDep, scope_of
from binhon.web.labels import sentence
from binhon.web.pages.common import FormDep, redirect, render
from binhon.web.security import check_reference, sign_reference
from binhon.web.submissions import Invalid, ingest, with_retry
from binhon.web.uploads import UploadRejected, check_image, load_stored, store_image

router = APIRouter()


def _require_retailer(me: Principal) -> None:
    if me.role != "retailer":
        raise HTTPException(403, "Trang này dành cho doanh nghiệp, cửa hàng khai giá")


def _my_outlets(db: Session, me: Principal) -> list[Outlet]:
    return outlets_of(session=db, user=me.user)


def _check_outlet(outlets: list[Outlet], code: str | None) -> Outlet | None:
    """The chosen outlet, 403 when it is not one of the user's."""
    if not code:
        return None
    for o in outlets:
        if o.code == code:
            return o
    raise HTTPException(403, f"Điểm bán '{code}' không thuộc tài khoản của bạn")


def _form_page(
    request: Request,
    db: Session,
    me: Principal,
    outlets: list[Outlet],
    outlet: Outlet | None,
    decl: Declaration | None = None,
    *,
    status_code: int = 200,
    show_errors: bool = True,
) -> Response:
    lines = decl.lines if decl is not None and decl.lines else None
    if outlet is not None and lines is None:
        from binhon.web.declarations import Line

        lines = [Line(c) for c in form_commodities(session=db, outlet=outlet)]
    if outlet is not None and lines:
        last = queries.last_prices(
            session=db,
            outlet_id=outlet.id,
            commodity_ids=[ln.commodity.id for ln in lines],
            on=today_vn(),
            price_type=decl.price_type if decl else "retail",
        )
        for ln in lines:
            if ln.last is None:
                ln.last = last.get(ln.commodity.id)
    reported = [ln for ln in lines or [] if ln.last is not None or ln.text]
    others = [ln for ln in lines or [] if ln.last is None and not ln.text]
    return render(
        request,
        "declare/form.html",
        {
            "outlets": outlets,
            "outlet": outlet,
            "decl": decl,
            "reported": reported,
            "others": others,
            "date_default": format_date(today_vn()),
            "errors": (decl.errors if decl and show_errors else {}),
            "show_errors": show_errors,
            "group_names": request.app.state.group_names,
        },
        status_code=status_code,
        me=me,
    )


@router.get("/khai-gia")
def declare_form(request: Request, db: SessionDep, me: PageRetailer, outlet: str | None = None) -> Response:
    """Phiếu khai giá: chọn điểm bán, nhập giá các mặt hàng."""
    outlets = _my_outlets(db, me)
    chosen = _check_outlet(outlets, outlet)
    if chosen is None and len(outlets) == 1:
        chosen = outlets[0]
    return _form_page(request, db, me, outlets, chosen)


def _photo(form: Any, decl: Declaration, me: Principal, settings: SettingsDep) -> tuple[str, str, int] | None:
    """Check and store a newly uploaded photo, or recover the one carried from the preview.

    Returns (sha256, content type, size) or None; puts a message in decl.errors["photo"] when refused.
    """
    upload = form.get("photo")
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read(int(settings.upload_max_mb * 1024 * 1024) + 1)
        try:
            image = check_image(
                data, filename=upload.filename, max_bytes=int(settings.upload_max_mb * 1024 * 1024)
            )
        except UploadRejected as exc:
            decl.errors["photo"] = sentence(str(exc))
            decl.photo_ref = decl.photo_name = ""
            return None
        store_image(image, upload_dir=settings.upload_dir)
        decl.photo_ref = sign_reference(me.csrf_token, image.sha256)
        decl.photo_name = image.filename
        return image.sha256, image.content_type, image.size
    if decl.photo_ref:
        sha = check_reference(me.csrf_token, decl.photo_ref)
        stored = load_stored(settings.upload_dir, sha) if sha else None
        if stored is None:
            decl.errors["photo"] = "Ảnh đính kèm không còn hợp lệ: hãy chọn lại ảnh"
            decl.photo_ref = decl.photo_name = ""
            return None
        return stored.sha256, stored.content_type, stored.size
    return None


def _parse(
    request: Request, db: Session, me: Principal, form: Any, settings: SettingsDep, outlets: list[Outlet]
) -> tuple[Declaration, tuple[str, str, int] | None]:
    _check_outlet(outlets, str(form.get("outlet") or "").strip() or None)
    decl = parse_declaration(
        session=db,
        form=form,
        outlets=outlets,
        rules=request.app.state.rules,
        jump_warn=settings.price_jump_warn_percent,
    )
    photo = _photo(form, decl, me, settings)
    return decl, photo


@router.post("/khai-gia/xem-truoc")
def declare_preview(
    request: Request, db: SessionDep, settings: SettingsDep, me: CsrfUser, form: FormDep
) -> Response:
    """Xem trước: so với giá lần trước, cảnh báo thay đổi bất thường, kiểm tra như khi nhập dữ liệu."""
    _require_retailer(me)
    outlets = _my_outlets(db, me)
    decl, _photo_info = _parse(request, db, me, form, settings, outlets)
    if not decl.ok:
        return _form_page(request, db, me, outlets, decl.outlet, decl, status_code=422)
    return render(
        request, "declare/preview.html", {"decl": decl, "jump": settings.price_jump_warn_percent}, me=me
    )


@router.post("/khai-gia/sua")
def declare_edit(
    request: Request, db: SessionDep, settings: SettingsDep, me: CsrfUser, form: FormDep
) -> Response:
    """Quay lại sửa phiếu khai giá (giữ các giá đã nhập)."""
    _require_retailer(me)
    outlets = _my_outlets(db, me)
    decl, _ = _parse(request, db, me, form, settings, outlets)
    return _form_page(request, db, me, outlets, decl.outlet, decl, show_errors=False)


@router.post("/khai-gia/gui")
def declare_submit(
    request: Request, db: SessionDep, settings: SettingsDep, me: CsrfUser, form: FormDep
) -> Response:
    """Gửi phiếu khai giá qua cùng đường nhập dữ liệu; gửi lại không nhân đôi."""
    _require_retailer(me)
    outlets = _my_outlets(db, me)
    decl, photo = _parse(request, db, me, form, settings, outlets)
    if not decl.ok:
        return _form_page(request, db, me, outlets, decl.outlet, decl, status_code=422)
    if decl.warnings and not decl.confirm_jumps:
        return render(
            request,
            "declare/preview.html",
            {
                "decl": decl,
                "jump": settings.price_jump_warn_percent,
                "confirm_error": (
                    "Có giá thay đổi bất thường: hãy đánh dấu ô xác nhận đã kiểm tra, hoặc quay lại sửa."
                ),
            },
            status_code=422,
            me=me,
        )
    details: dict[str, Any] = {
        "reason": decl.reason or None,
        "outlet": decl.outlet_code,
        "form": "khai-gia",
        "price_type": decl.price_type,
    }
    try:
        result = ingest(
            session=db,
            principal=me,
            records=decl.records(),
            channel="form",
            source_default="khai giá",
            details=details,
            audit_action="declare",
            audit_reason=decl.reason or None,
        )
    except Invalid as exc:
        entered = decl.entered
        for p in exc.problems:
            if 0 < p.item <= len(entered):
                entered[p.item - 1].error = p.reason[:1].upper() + p.reason[1:]
            else:
                decl.errors["prices"] = p.reason
        return _form_page(request, db, me, outlets, decl.outlet, decl, status_code=422)
    if photo is not None:
        sha, ctype, size = photo

        def add_photo() -> None:
            row = attach_photo(
                session=db,
                batch_id=result.batch_id,
                sha256=sha,
                content_type=ctype,
                size=size,
                filename=decl.photo_name or "anh",
                actor=me.actor,
            )
            batch = db.get(IngestBatch, result.batch_id)
            if batch is not None:
                batch.details = {**(batch.details or {}), "attachment_ids": [row.id]}

        with_retry(db, add_photo)
    return redirect(f"/khai-gia/da-gui/{result.batch_id}")


def _own_batch(db: Session, me: Principal, batch_id: int) -> IngestBatch:
    batch = db.get(IngestBatch, batch_id) if 0 < batch_id < 2**62 else None
    if batch is None or (
        not me.is_staff and batch.actor not in (f"web:{me.user.username}", f"api:{me.user.username}")
    ):
        raise HTTPException(404, "Không có lần gửi này")
    return batch


@router.get("/khai-gia/da-gui/{batch_id}")
def declare_done(request: Request, db: SessionDep, me: PageUser, batch_id: int) -> Response:
    """Xác nhận đã nhận phiếu khai giá."""
    batch = _own_batch(db, me, batch_id)
    rows = queries.batch_observations(session=db, batch_id=batch.id)
    attachments = queries.attachments_of(session=db, batch_ids=[batch.id]).get(batch.id, [])
    return render(
        request, "declare/done.html", {"batch": batch, "rows": rows, "attachments": attachments}, me=me
    )


@router.get("/khai-gia/lich-su")
def declare_history(request: Request, db: SessionDep, me: PageUser, outlet: str | None = None) -> Response:
    """Lịch sử khai giá: các lần gửi, các giá và những lần sửa."""
    scope = scope_of(db, me)
    if outlet:
        o = queries.outlet_by_code(session=db, code=outlet)
        if o is None or (scope is not None and o.id not in scope):
            raise HTTPException(403, f"Điểm bán '{outlet}' không thuộc tài khoản của bạn")
    actors = [f"web:{me.user.username}", f"api:{me.user.username}"]
    batches = queries.submissions_of(session=db, actors=actors)
    attachments = queries.attachments_of(session=db, batch_ids=[b.id for b in batches])
    rows = (
        queries.history_rows(session=db, scope=scope, outlet=outlet) if (scope is not None or outlet) else []
    )
    outlets = outlets_of(session=db, user=me.user) if me.role == "retailer" else []
    return render(
        request,
        "declare/history.html",
        {"batches": batches, "rows": rows, "attachments": attachments, "outlets": outlets, "outlet": outlet},
        me=me,
    )


@router.get("/tep/{attachment_id}")
def attachment_file(
    request: Request, db: SessionDep, settings: SettingsDep, me: PageUser, attachment_id: int
) -> Response:
    """Ảnh đính kèm (chỉ người gửi, doanh nghiệp có điểm bán liên quan, và cán bộ xem được)."""
    row = db.get(Attachment, attachment_id) if 0 < attachment_id < 2**62 else None
    if row is None:
        raise HTTPException(404, "Không có tệp này")
    if not me.is_staff:
        batch = db.get(IngestBatch, row.batch_id) if row.batch_id else None
        mine = batch is not None and batch.actor in (f"web:{me.user.username}", f"api:{me.user.username}")
        if not mine:
            raise HTTPException(404, "Không có tệp này")
    image = load_stored(settings.upload_dir, row.sha256)
    if image is None:
        raise HTTPException(404, "Tệp không còn trên máy chủ")
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[image.content_type]
    return Response(
        image.data,
        media_type=image.content_type,
        headers={"Content-Disposition": f'inline; filename="anh-{row.id}.{ext}"'},
    )
