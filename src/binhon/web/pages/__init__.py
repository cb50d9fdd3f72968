"""Server-rendered Vietnamese pages: one module per page type."""

from __future__ import annotations

from fastapi import APIRouter

from binhon.web.pages import (
    admin,
    alerts,
    audit,
    auth,
    commodities,
    declare,
    freshness,
    observations,
    programme,
    reports,
    survey,
)

pages_router = APIRouter(include_in_schema=False)
for module in (
    auth,
    declare,
    alerts,
    commodities,
    survey,
    freshness,
    observations,
    audit,
    reports,
    programme,
    admin,
):
    pages_router.include_router(module.router)
