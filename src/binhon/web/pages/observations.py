"""One price with its versions, and the officers' correction with a reason."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from binhon.formatting import parse_vnd
from binhon.ingest import correct_observation, history_of
from binhon.web import queries
from binhon.web.deps import CsrfUser, PageUser, Principal, SessionDep, scope_of
from binhon.web.labels import sentence
from binhon.web.pages.common import FormDep, field_text, redirect, render

router = APIRouter()


def _page(
    request: Request,
    db: SessionDep,
    me: Principal,
    observation_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    row = (
        queries.observation_row(session=db, observation_id=observation_id)
        if 0 < observation_id < 2**62
        else None
    )
    scope = scope_of(db, me)
    if row is not None and scope is not None:
        outlet = queries.outlet_by_code(session=db, code=row.outlet)
        if outlet is None or outlet.id not in scope:
            row = None
    if row is None:
        raise HTTPException(404, "Không có giá này")
    chain = queries.observations_by_ids(session=db, ids=[o.id for o in history_of(db, observation_id)])
    from binhon.web.queries import _attach_reasons

    _attach_reasons(db, chain)
    return render(
        request,
        "observation.html",
        {"o": row, "chain": chain, "errors": errors or {}, "values": values or {}},
        status_code=status_code,
        me=me,
    )


@router.get("/gia/{observation_id}")
def observation_page(request: Request, db: SessionDep, me: PageUser, observation_id: int) -> Response:
    """Một giá đã lưu và các lần sửa."""
    return _page(request, db, me, observation_id)


@router.post("/gia/{observation_id}/sua")
def observation_correct(
    request: Request, db: SessionDep, me: CsrfUser, form: FormDep, observation_id: int
) -> Response:
    """Sửa giá (cán bộ), bắt buộc ghi lý do; giá cũ được giữ trong lịch sử."""
    if not me.is_staff:
        raise HTTPException(403, "Chỉ cán bộ quản lý được sửa giá đã lưu")
    price_text = field_text(form, "price", 40)
    reason = field_text(form, "reason", 2000)
    errors: dict[str, str] = {}
    price = 0
    try:
        price = parse_vnd(price_text)
        if price <= 0:
            errors["price"] = "Giá phải lớn hơn 0"
    except ValueError as exc:
        errors["price"] = sentence(str(exc))
    if not reason:
        errors["reason"] = "Hãy ghi lý do sửa giá"
    if not errors:
        try:
            new = correct_observation(
                db, observation_id=observation_id, price_vnd=price, reason=reason, actor=me.actor
            )
            db.commit()
            return redirect(f"/gia/{new.id}?da-sua=1")
        except LookupError:
            raise HTTPException(404, "Không có giá này") from None
        except ValueError as exc:
            db.rollback()
            errors["price"] = sentence(str(exc))
    return _page(
        request,
        db,
        me,
        observation_id,
        errors=errors,
        values={"price": price_text, "reason": reason},
        status_code=422,
    )
