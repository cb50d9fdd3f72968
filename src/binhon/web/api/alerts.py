"""Alerts: the list with the CONTRACT filters, one alert with its reviews, and the review steps."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request

from binhon.web import queries
from binhon.web.deps import ApiStaff, SessionDep
from binhon.web.errors import api_error
from binhon.web.queries import AlertFilters, AlertRow
from binhon.web.review import AlertNotFound, ReviewRefused, WrongState, review_alert
from binhon.web.schemas import AlertDetailOut, AlertOut, ErrorOut, QText, ReviewIn, ReviewOut

router = APIRouter(tags=["cảnh báo"])

Kind = Literal[
    "spike", "drop", "outlet_outlier", "ceiling_breach", "commitment_breach", "stale", "scraper_broken"
]
Severity = Literal["stress", "alert", "crisis"]
Status = Literal["new", "acknowledged", "escalated", "resolved", "dismissed"]
Phase = Literal["before", "during", "after", "none"]


def to_out(r: AlertRow) -> AlertOut:
    """The API form of an alert (the alerts CSV fields, plus names)."""
    return AlertOut(
        **r.csv_fields(), commodity_name=r.commodity_name, outlet_name=r.outlet_name, area_name=r.area_name
    )


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(
    request: Request,
    db: SessionDep,
    _me: ApiStaff,
    kind: Annotated[Kind | None, Query()] = None,
    severity: Annotated[Severity | None, Query()] = None,
    commodity: Annotated[QText | None, Query(max_length=64, description="Mã mặt hàng")] = None,
    area: Annotated[QText | None, Query(max_length=40, description="Mã địa bàn")] = None,
    status: Annotated[Status | None, Query()] = None,
    since: Annotated[
        dt.date | None, Query(description="Cảnh báo còn hiệu lực từ ngày này (last_date ≥ since)")
    ] = None,
    tet_phase: Annotated[Phase | None, Query(description="Giai đoạn Tết của ngày phát sinh")] = None,
    outlet: Annotated[QText | None, Query(max_length=64, description="Mã điểm bán")] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[AlertOut]:
    """Danh sách cảnh báo (cán bộ, quản trị): nghiêm trọng nhất trước, rồi mới nhất."""
    filters = AlertFilters(
        kind=kind,
        severity=severity,
        commodity=commodity,
        area=area,
        status=status,
        since=since,
        tet_phase=tet_phase,
        outlet=outlet,
    )
    rows = queries.alerts(
        session=db, filters=filters, limit=limit, offset=offset, windows=request.app.state.tet_windows
    )
    return [to_out(r) for r in rows]


def _detail(db: Any, alert_id: int) -> AlertDetailOut:
    row = queries.alert_row(session=db, alert_id=alert_id)
    if row is None:
        raise HTTPException(404, "Không có cảnh báo này")
    reviews = [
        ReviewOut(
            at=r.at,
            actor=r.actor,
            from_status=r.from_status,
            to_status=r.to_status,
            note=r.note,
            escalated_to=r.escalated_to,
        )
        for r in queries.alert_reviews(session=db, alert_id=alert_id)
    ]
    return AlertDetailOut(**to_out(row).model_dump(), reviews=reviews)


Id = Annotated[int, Path(ge=1, le=2**62)]


@router.get(
    "/alerts/{alert_id}",
    response_model=AlertDetailOut,
    responses={404: {"model": ErrorOut, "description": "Không có"}},
)
def get_alert(db: SessionDep, _me: ApiStaff, alert_id: Id) -> AlertDetailOut:
    """Một cảnh báo và các bước xử lý."""
    return _detail(db, alert_id)


@router.post(
    "/alerts/{alert_id}/review",
    response_model=AlertDetailOut,
    responses={
        404: {"model": ErrorOut, "description": "Không có"},
        409: {"model": ErrorOut, "description": "Không chuyển được từ trạng thái hiện tại"},
    },
)
def review(db: SessionDep, me: ApiStaff, alert_id: Id, body: ReviewIn) -> Any:
    """Xử lý cảnh báo: tiếp nhận, chuyển xử lý (kèm nội dung, nơi nhận), xử lý xong, bác bỏ (kèm lý do)."""
    try:
        review_alert(
            session=db,
            alert_id=alert_id,
            action=body.action,
            actor=me.actor,
            note=body.note,
            escalated_to=body.escalated_to,
        )
        db.commit()
    except AlertNotFound as exc:
        db.rollback()
        return api_error(404, str(exc))
    except WrongState as exc:
        db.rollback()
        return api_error(409, str(exc))
    except ReviewRefused as exc:
        db.rollback()
        return api_error(422, str(exc), [{"item": None, "field": None, "reason": str(exc)}])
    return _detail(db, alert_id)
