"""Prices: read them (in the caller's scope) and submit them through the ingest path."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from binhon.formatting import parse_vnd
from binhon.ingest import correct_observation
from binhon.web import queries
from binhon.web.deps import ApiStaff, ApiUser, SessionDep, scope_of
from binhon.web.errors import api_error
from binhon.web.queries import ObservationRow
from binhon.web.schemas import CorrectionIn, ErrorOut, ObservationIn, ObservationOut, QText, SubmitOut
from binhon.web.submissions import Forbidden, Invalid, current_ids, forbidden_outlets, ingest, pre_problems

router = APIRouter(tags=["giá"])

Id = Annotated[int, Path(ge=1, le=2**62)]


def to_out(r: ObservationRow) -> ObservationOut:
    """The API form of an observation."""
    return ObservationOut(
        id=r.id,
        date=r.obs_date,
        time=r.obs_time or "",
        commodity=r.commodity,
        commodity_name=r.commodity_name,
        unit=r.unit,
        outlet=r.outlet,
        outlet_name=r.outlet_name,
        outlet_type=r.outlet_type,
        area=r.area,
        price_vnd=r.price_vnd,
        price_type=r.price_type,
        zone=r.zone,
        source=r.source,
        is_current=r.is_current,
        superseded_by=r.superseded_by_id,
        submitted_by=r.submitted_by,
        submitted_at=r.submitted_at,
    )


@router.get("/observations", response_model=list[ObservationOut])
def list_observations(
    db: SessionDep,
    me: ApiUser,
    commodity: Annotated[QText | None, Query(max_length=64)] = None,
    outlet: Annotated[QText | None, Query(max_length=64)] = None,
    area: Annotated[QText | None, Query(max_length=40)] = None,
    since: Annotated[dt.date | None, Query(description="Từ ngày (YYYY-MM-DD)")] = None,
    until: Annotated[dt.date | None, Query(description="Đến ngày (YYYY-MM-DD)")] = None,
    price_type: Annotated[Literal["retail", "wholesale", "ceiling", "committed"] | None, Query()] = None,
    include_superseded: Annotated[bool, Query(description="Kèm các giá đã được thay thế")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[ObservationOut]:
    """Giá đã lưu, mới nhất trước; doanh nghiệp chỉ thấy giá của điểm bán của mình."""
    scope = scope_of(db, me)
    if outlet and forbidden_outlets(session=db, principal=me, records=[{"outlet": outlet}]):
        raise HTTPException(403, f"Điểm bán '{outlet}' không thuộc tài khoản của bạn")
    rows = queries.observations(
        session=db,
        scope=scope,
        commodity=commodity,
        outlet=outlet,
        area=area,
        since=since,
        until=until,
        price_type=price_type,
        include_superseded=include_superseded,
        limit=limit,
        offset=offset,
    )
    return [to_out(r) for r in rows]


@router.post(
    "/observations",
    status_code=201,
    response_model=SubmitOut,
    responses={
        403: {"model": ErrorOut, "description": "Có điểm bán không thuộc tài khoản: không lưu gì"},
        422: {"model": ErrorOut, "description": "Có mục không hợp lệ: không lưu gì; lý do từng mục"},
    },
)
def submit_observations(
    request: Request,
    db: SessionDep,
    me: ApiUser,
    items: Annotated[
        list[ObservationIn], Body(description="Danh sách giá, mỗi mục các trường của tệp CSV giá")
    ],
) -> Any:
    """Gửi giá (tất cả hoặc không gì cả; gửi lại không nhân đôi) qua cùng đường nhập dữ liệu như tệp CSV."""
    settings = request.app.state.settings
    if not items:
        return api_error(
            422,
            "Danh sách trống: không có giá nào để lưu",
            [{"item": None, "field": None, "reason": "cần ít nhất một mục"}],
        )
    if len(items) > settings.api_max_items:
        return api_error(413, f"Tối đa {settings.api_max_items} mục mỗi lần gửi")
    records = [it.model_dump(exclude_none=True) for it in items]
    try:
        forbidden = forbidden_outlets(session=db, principal=me, records=records)
        if forbidden:
            raise Forbidden(forbidden)
        early = pre_problems(principal=me, records=records)
        if early:
            raise Invalid(early)
        result = ingest(session=db, principal=me, records=records, channel="api", source_default="api")
    except Forbidden as exc:
        return api_error(
            403, f"Điểm bán không thuộc tài khoản của bạn: {', '.join(exc.codes)}. Không lưu gì."
        )
    except Invalid as exc:
        return api_error(
            422,
            f"{len(exc.problems)} lỗi ở các mục gửi lên: không lưu gì cả",
            [{"item": p.item, "field": p.field, "reason": p.reason} for p in exc.problems],
        )
    if result.line_ids is not None:  # the ingest knows them (a small batch without revisions)
        ids: list[int | None] = [result.line_ids.get(i) for i in range(1, len(records) + 1)]
    else:
        ids = current_ids(session=db, records=records)
    body = SubmitOut(
        batch_id=result.batch_id,
        stored_ids=result.stored_ids,
        ids=ids,
        stored=result.stored,
        revised=result.revised,
        unchanged=result.unchanged + result.duplicates,
    )
    return JSONResponse(body.model_dump(), status_code=201)


def _visible(db: Any, me: Any, observation_id: int) -> ObservationRow:
    row = queries.observation_row(session=db, observation_id=observation_id)
    scope = scope_of(db, me)
    if row is None:
        raise HTTPException(404, "Không có giá này")
    if scope is not None:
        outlet = queries.outlet_by_code(session=db, code=row.outlet)
        if outlet is None or outlet.id not in scope:
            raise HTTPException(404, "Không có giá này")
    return row


@router.get(
    "/observations/{observation_id}",
    response_model=ObservationOut,
    responses={404: {"model": ErrorOut, "description": "Không có"}},
)
def get_observation(db: SessionDep, me: ApiUser, observation_id: Id) -> ObservationOut:
    """Một giá đã lưu."""
    return to_out(_visible(db, me, observation_id))


@router.get(
    "/observations/{observation_id}/history",
    response_model=list[ObservationOut],
    responses={404: {"model": ErrorOut, "description": "Không có"}},
)
def observation_history(db: SessionDep, me: ApiUser, observation_id: Id) -> list[ObservationOut]:
    """Mọi phiên bản của một giá (các lần sửa), cũ nhất trước."""
    from binhon.ingest import history_of

    _visible(db, me, observation_id)
    ids = [o.id for o in history_of(db, observation_id)]
    return [to_out(r) for r in queries.observations_by_ids(session=db, ids=ids)]


@router.post(
    "/observations/{observation_id}/correction",
    status_code=201,
    response_model=ObservationOut,
    responses={
        404: {"model": ErrorOut, "description": "Không có"},
        409: {"model": ErrorOut, "description": "Giá đã được thay thế"},
    },
)
def correct(db: SessionDep, me: ApiStaff, observation_id: Id, body: CorrectionIn) -> Any:
    """Sửa một giá (cán bộ): giá cũ giữ trong lịch sử, kèm lý do."""
    try:
        price = parse_vnd(body.price_vnd) if isinstance(body.price_vnd, str) else int(body.price_vnd)
    except ValueError as exc:
        return api_error(422, "Giá không hợp lệ", [{"item": None, "field": "price_vnd", "reason": str(exc)}])
    if price <= 0 or price >= 10**15:
        return api_error(
            422,
            "Giá không hợp lệ",
            [{"item": None, "field": "price_vnd", "reason": "giá phải lớn hơn 0 và hợp lý"}],
        )
    if not body.reason.strip():
        return api_error(
            422, "Cần ghi lý do sửa giá", [{"item": None, "field": "reason", "reason": "không được trống"}]
        )
    try:
        new = correct_observation(
            db, observation_id=observation_id, price_vnd=price, reason=body.reason.strip(), actor=me.actor
        )
        db.commit()
    except LookupError:
        db.rollback()
        return api_error(404, "Không có giá này")
    except ValueError as exc:
        db.rollback()
        return api_error(409, str(exc))
    row = queries.observation_row(session=db, observation_id=new.id)
    assert row is not None
    return JSONResponse(to_out(row).model_dump(mode="json"), status_code=201)
