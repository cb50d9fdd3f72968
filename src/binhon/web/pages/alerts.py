"""The officers' alert desk and alert pages (chart, explanation, review actions)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from binhon.formatting import parse_date_vn
from binhon.web import charts, queries
from binhon.web.deps import CsrfUser, PageStaff, SessionDep
from binhon.web.labels import ACTION_LABELS, KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS
from binhon.web.pages.common import FormDep, field_text, redirect, render
from binhon.web.queries import AlertFilters
from binhon.web.review import AlertNotFound, ReviewRefused, allowed_actions, escalation_targets, review_alert

router = APIRouter()
PAGE_SIZE = 50
PHASES = {"before": "Trước Tết", "during": "Trong Tết", "after": "Sau Tết", "none": "Ngoài dịp Tết"}


def _choice(value: str | None, allowed: dict[str, str]) -> str | None:
    return value if value in allowed else None


@router.get("/canh-bao")
def alert_desk(
    request: Request,
    db: SessionDep,
    me: PageStaff,
    severity: str | None = None,
    kind: str | None = None,
    commodity: str | None = None,
    area: str | None = None,
    status: str | None = None,
    tet: str | None = None,
    since: str | None = None,
    page: int = 1,
) -> Response:
    """Bàn cảnh báo: lọc theo mức độ, loại, mặt hàng, địa bàn, trạng thái, giai đoạn Tết."""
    since_date: dt.date | None = None
    since_error = None
    if since:
        try:
            since_date = parse_date_vn(since)
        except ValueError:
            since_error = "Ngày không hợp lệ (ví dụ 01/01/2026)"
    filters = AlertFilters(
        kind=_choice(kind, KIND_LABELS),
        severity=_choice(severity, SEVERITY_LABELS),
        commodity=(commodity or None) and commodity[:64],
        area=(area or None) and area[:40],
        status=_choice(status, STATUS_LABELS),
        tet_phase=_choice(tet, PHASES),
        since=since_date,
    )
    page = max(1, min(page, 10_000))
    windows = request.app.state.tet_windows
    rows = queries.alerts(
        session=db, filters=filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, windows=windows
    )
    counts = queries.alert_status_counts(session=db, filters=filters, windows=windows)
    params = {
        "severity": filters.severity,
        "kind": filters.kind,
        "commodity": filters.commodity,
        "area": filters.area,
        "status": filters.status,
        "tet": filters.tet_phase,
        "since": since or None,
    }
    return render(
        request,
        "alerts/desk.html",
        {
            "rows": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "counts": counts,
            "total": sum(counts.values()),
            "filters": filters,
            "params": params,
            "phases": PHASES,
            "commodities": queries.commodity_choices(session=db),
            "areas": queries.area_choices(session=db),
            "since_text": since or "",
            "since_error": since_error,
        },
        me=me,
    )


def _alert_or_404(db: SessionDep, alert_id: int) -> queries.AlertRow:
    row = queries.alert_row(session=db, alert_id=alert_id) if 0 < alert_id < 2**62 else None
    if row is None:
        raise HTTPException(404, "Không có cảnh báo này")
    return row


def _detail_page(
    request: Request,
    db: SessionDep,
    me: PageStaff,
    alert_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    row = _alert_or_404(db, alert_id)
    reviews = queries.alert_reviews(session=db, alert_id=alert_id)
    audit = queries.audit_entries(session=db, entity="alert", entity_id=alert_id, limit=50)
    return render(
        request,
        "alerts/detail.html",
        {
            "a": row,
            "reviews": reviews,
            "audit": audit,
            "actions": allowed_actions(row.status),
            "errors": errors or {},
            "values": values or {},
            "action_labels": ACTION_LABELS,
            "targets": escalation_targets(),
        },
        status_code=status_code,
        me=me,
    )


@router.get("/canh-bao/{alert_id}")
def alert_page(request: Request, db: SessionDep, me: PageStaff, alert_id: int) -> Response:
    """Một cảnh báo: biểu đồ, giải thích, các bước xử lý."""
    return _detail_page(request, db, me, alert_id)


@router.get("/canh-bao/{alert_id}/bieu-do.svg")
def alert_chart(db: SessionDep, me: PageStaff, alert_id: int) -> Response:
    """Biểu đồ chuỗi giá của cảnh báo (SVG)."""
    _alert_or_404(db, alert_id)
    return Response(charts.alert_chart(session=db, alert_id=alert_id), media_type="image/svg+xml")


@router.post("/canh-bao/{alert_id}/xu-ly")
def alert_review(request: Request, db: SessionDep, me: CsrfUser, form: FormDep, alert_id: int) -> Response:
    """Tiếp nhận, chuyển xử lý, xử lý xong hoặc bác bỏ một cảnh báo."""
    if not me.is_staff:
        raise HTTPException(403, "Chỉ cán bộ quản lý được xử lý cảnh báo")
    _alert_or_404(db, alert_id)
    action = field_text(form, "action", 20)
    note = field_text(form, "note", 2000)
    target = field_text(form, "escalated_to", 120)
    try:
        review_alert(
            session=db, alert_id=alert_id, action=action, actor=me.actor, note=note, escalated_to=target
        )
        db.commit()
    except AlertNotFound:
        raise HTTPException(404, "Không có cảnh báo này") from None
    except ReviewRefused as exc:
        db.rollback()
        msg = str(exc)
        return _detail_page(
            request,
            db,
            me,
            alert_id,
            errors={action or "action": msg[:1].upper() + msg[1:]},
            values={"note": note, "escalated_to": target, "action": action},
            status_code=422,
        )
    return redirect(f"/canh-bao/{alert_id}?da-xu-ly={action}")
