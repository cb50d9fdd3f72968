"""The JSON API under /api/v1 (OpenAPI at /openapi.json, Swagger UI at /docs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from binhon.web.api import alerts, catalog, exports, observations, reports
from binhon.web.schemas import ErrorOut

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Yêu cầu hỏng (ví dụ JSON không đọc được)"},
    401: {"model": ErrorOut, "description": "Thiếu hoặc sai mã truy cập"},
    403: {"model": ErrorOut, "description": "Không có quyền"},
    413: {"model": ErrorOut, "description": "Dữ liệu gửi lên quá lớn"},
    422: {"model": ErrorOut, "description": "Dữ liệu không hợp lệ (lý do từng mục)"},
}

api_router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
api_router.include_router(catalog.router)
api_router.include_router(observations.router)
api_router.include_router(alerts.router)
api_router.include_router(exports.router)
api_router.include_router(reports.router)
