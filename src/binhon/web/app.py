"""The web app: JSON API under /api/v1 (OpenAPI at /docs) and server-rendered Vietnamese pages.

Works on an intranet without internet: no CDN, no JavaScript build step; the Swagger UI and ReDoc
assets are served from this server (fastapi-offline's bundled copies).
"""

from __future__ import annotations

import importlib.resources
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from binhon import __version__
from binhon.db.engine import make_engine, session_factory
from binhon.web import errors
from binhon.web.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from binhon.web.settings import WebSettings, get_web_settings
from binhon.web.templating import make_templates

log = logging.getLogger("binhon.web")

STATIC_DIR = Path(__file__).resolve().parent / "static"
DESCRIPTION = (
    "API của **binhon** – theo dõi giá cả, bình ổn thị trường (Sở Công Thương).\n\n"
    "Xác thực: `Authorization: Bearer <mã truy cập>` (tạo bằng `binhon tokens create --username U` hoặc ở "
    "trang *Tài khoản*). Doanh nghiệp chỉ thấy và gửi giá của điểm bán của mình; cảnh báo dành cho cán bộ."
)


def _docs_assets() -> Path | None:
    try:
        path = Path(str(importlib.resources.files("fastapi_offline") / "static"))
    except ModuleNotFoundError:
        return None
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def _engine_for(settings: WebSettings) -> Engine:
    from binhon.settings import get_settings

    url = get_settings().database_url
    if url.startswith("sqlite") and (":memory:" in url or url in ("sqlite://", "sqlite:///")):
        return make_engine(url)
    return make_engine(
        url, pool_size=settings.db_pool_size, max_overflow=settings.db_pool_size, pool_timeout=30
    )


def create_app(*, settings: WebSettings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the app; engine defaults to one for BINHON_DATABASE_URL (disposed at shutdown)."""
    from binhon.catalog import load_commodities, load_ingest_rules
    from binhon.settings import get_settings
    from binhon.tet import load_calendar_config

    settings = settings or get_web_settings()
    own_engine = engine is None
    engine = engine or _engine_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if own_engine:
            engine.dispose()

    app = FastAPI(
        title="binhon – theo dõi giá cả, bình ổn thị trường",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    config_dir = get_settings().config_dir
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = session_factory(engine)
    app.state.templates = make_templates()
    app.state.rules = load_ingest_rules(config_dir)
    app.state.group_names = dict(load_commodities(config_dir).groups)
    calendar = config_dir / "calendar.yaml"
    app.state.tet_windows = load_calendar_config(calendar)[0] if calendar.is_file() else None

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=int((settings.upload_max_mb + 1) * 1024 * 1024))
    app.add_middleware(SecurityHeadersMiddleware)
    errors.install(app)

    app.mount("/static/app", StaticFiles(directory=str(STATIC_DIR)), name="static")
    assets = _docs_assets()
    if assets is not None:
        app.mount("/static/docs", StaticFiles(directory=str(assets)), name="docs-static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/app/favicon.svg", status_code=308)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        if assets is None:
            return HTMLResponse(
                "<!doctype html><html lang='vi'><title>API</title><p>Thiếu gói fastapi-offline: "
                "xem lược đồ tại <a href='/openapi.json'>/openapi.json</a>.</p></html>"
            )
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="binhon API – Swagger UI",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        if assets is None:
            return HTMLResponse(
                "<!doctype html><html lang='vi'><title>API</title><p>Thiếu gói fastapi-offline.</p></html>"
            )
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="binhon API – ReDoc",
            redoc_js_url="/static/docs/redoc.standalone.js",
            redoc_favicon_url="/static/docs/favicon.png",
            with_google_fonts=False,
        )

    from binhon.web.api import api_router
    from binhon.web.pages import pages_router
    from binhon.web.review import escalation_targets

    escalation_targets()  # import the alert lifecycle (and its package) now, not in the first request

    app.include_router(api_router)
    app.include_router(pages_router)
    return app
