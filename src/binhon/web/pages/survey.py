"""Market survey entry (officers): several quotes per item for one market on one screen."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from binhon.formatting import format_date
from binhon.web import queries
from binhon.web.declarations import Survey, SurveyLine, parse_survey, survey_commodities, today_vn
from binhon.web.deps import CsrfUser, PageStaff, SessionDep
from binhon.web.pages.common import FormDep, redirect, render
from binhon.web.submissions import Invalid, ingest

router = APIRouter()
QUOTES = 3


def _page(
    request: Request, db: SessionDep, me: PageStaff, survey: Survey | None, *, status_code: int = 200
) -> Response:
    markets = queries.outlets(session=db, scope=None, outlet_type="market")
    if survey is None:
        survey = Survey(date_text=format_date(today_vn()))
        survey.lines = [SurveyLine(c, [""] * QUOTES) for c in survey_commodities(session=db)]
    return render(
        request,
        "survey.html",
        {"markets": markets, "s": survey, "quotes": QUOTES, "group_names": request.app.state.group_names},
        status_code=status_code,
        me=me,
    )


@router.get("/khao-sat")
def survey_form(request: Request, db: SessionDep, me: PageStaff) -> Response:
    """Phiếu khảo sát giá tại chợ: nhiều mức giá cho mỗi mặt hàng."""
    return _page(request, db, me, None)


@router.post("/khao-sat")
def survey_submit(request: Request, db: SessionDep, me: CsrfUser, form: FormDep) -> Response:
    """Lưu khảo sát: giá của mỗi mặt hàng là trung vị các mức giá (các mức giá được lưu kèm)."""
    if not me.is_staff:
        raise HTTPException(403, "Chỉ cán bộ quản lý được nhập khảo sát chợ")
    markets = queries.outlets(session=db, scope=None, outlet_type="market")
    s = parse_survey(session=db, form=form, markets=markets, quotes=QUOTES, rules=request.app.state.rules)
    if not s.ok:
        return _page(request, db, me, s, status_code=422)
    details = {
        "form": "khao-sat",
        "outlet": s.outlet_code,
        "note": s.note or None,
        "survey": {ln.commodity.code: ln.quotes for ln in s.entered},
    }
    try:
        result = ingest(
            session=db,
            principal=me,
            records=s.records(),
            channel="form",
            source_default="khảo sát chợ",
            details=details,
            audit_action="survey",
            audit_reason=s.note or None,
        )
    except Invalid as exc:
        entered = s.entered
        for p in exc.problems:
            if 0 < p.item <= len(entered):
                entered[p.item - 1].error = p.reason
        return _page(request, db, me, s, status_code=422)
    return redirect(f"/khai-gia/da-gui/{result.batch_id}")
