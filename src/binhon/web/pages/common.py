"""Helpers shared by the page modules: rendering, form access, safe redirects."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from binhon.db.models import IngestBatch
from binhon.web.deps import Principal

_DEMO_TTL = 60.0


async def form_data(request: Request) -> FormData:
    """The posted form (parsed once per request and cached by Starlette)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def is_demo(request: Request) -> bool:
    """Whether the database holds the demo data set (cached for a minute)."""
    state = request.app.state
    cached = getattr(state, "demo_flag", None)
    now = time.monotonic()
    if cached is not None and now - cached[1] < _DEMO_TTL:
        return bool(cached[0])
    with state.sessionmaker() as session:
        flag = (
            session.scalar(select(IngestBatch.id).where(IngestBatch.channel == "demo").limit(1)) is not None
        )
    state.demo_flag = (flag, now)
    return flag


def render(
    request: Request,
    name: str,
    ctx: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    me: Principal | None = None,
) -> Response:
    """Render a template with the signed-in user and the demo flag."""
    context = dict(ctx or {})
    context.setdefault("me", me if me is not None else getattr(request.state, "principal", None))
    context.setdefault("demo", is_demo(request))
    templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)  # type: ignore[no-any-return]


def redirect(url: str) -> RedirectResponse:
    """A 303 redirect (after a form post)."""
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None, default: str = "/") -> str:
    """A local path to go to after signing in (never another site)."""
    if (
        not url
        or not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
        or any(ord(c) < 32 for c in url)
    ):
        return default
    return url


def home_for(principal: Principal) -> str:
    """The first page of a role."""
    return "/khai-gia" if principal.role == "retailer" else "/canh-bao"


def field_text(form: FormData, name: str, limit: int = 2000) -> str:
    """A text field of the form, trimmed and bounded."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""
