"""The audit log: who did what, when and why."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from binhon.web import queries
from binhon.web.deps import PageStaff, SessionDep
from binhon.web.labels import ENTITY_LABELS
from binhon.web.pages.common import render

router = APIRouter()
PAGE_SIZE = 100


@router.get("/nhat-ky")
def audit_page(
    request: Request,
    db: SessionDep,
    me: PageStaff,
    entity: str | None = None,
    entity_id: int | None = None,
    actor: str | None = None,
    page: int = 1,
) -> Response:
    """Nhật ký thao tác (xử lý cảnh báo, sửa giá, khai giá, tài khoản…)."""
    kind = entity if entity in ENTITY_LABELS else None
    page = max(1, min(page, 10_000))
    ident = entity_id if entity_id is not None and 0 < entity_id < 2**62 else None
    rows = queries.audit_entries(
        session=db,
        entity=kind,
        entity_id=ident,
        actor=(actor or None) and actor[:120],
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    params = {"entity": kind, "entity_id": ident, "actor": actor or None}
    return render(
        request,
        "audit.html",
        {
            "rows": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "params": params,
            "entity": kind or "",
            "actor": actor or "",
        },
        me=me,
    )
