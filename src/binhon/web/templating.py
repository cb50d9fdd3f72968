"""Jinja2 templates with the Vietnamese formatting filters (|vnd, |so, |ngay, |gio, |thaydoi)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates

from binhon.formatting import (
    format_change,
    format_change_vnd,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_vnd,
)
from binhon.web import labels

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


# Babel's number formatting costs ~50 µs a call and a page shows many of the same amounts (prices,
# counts): whole numbers are formatted once per process.
@functools.lru_cache(maxsize=8192)
def _vnd_text(n: int) -> str:
    return format_vnd(n)


@functools.lru_cache(maxsize=8192)
def _int_text(n: int, decimals: int) -> str:
    return format_number(n, decimals)


def _vnd(value: Any) -> str:
    return "" if value is None or value == "" else _vnd_text(int(value))


def _number(value: Any, decimals: int = 0) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return _int_text(value, decimals)
    if isinstance(value, Decimal | int | float):
        return format_number(value, decimals)
    return str(value)


def _date(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value)


def _datetime(value: Any) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh; naive values are UTC (as SQLite returns them)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return format_datetime(value)


def _change(value: Any, decimals: int = 1) -> str:
    return "" if value is None else format_change(value, decimals)


def _change_vnd(value: Any) -> str:
    return "" if value is None else format_change_vnd(int(value))


def _percent(value: Any, decimals: int = 1) -> str:
    return "" if value is None else format_percent(value, decimals)


def _query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from params with changes applied (None/"" drop a key)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")}, doseq=True)


def make_templates() -> Jinja2Templates:
    """The app's templates, with filters and label tables registered."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters.update(
        vnd=_vnd,
        so=_number,
        ngay=_date,
        gio=_datetime,
        thaydoi=_change,
        thaydoi_vnd=_change_vnd,
        phantram=_percent,
    )
    env.globals.update(
        KIND_LABELS=labels.KIND_LABELS,
        SEVERITY_LABELS=labels.SEVERITY_LABELS,
        STATUS_LABELS=labels.STATUS_LABELS,
        ACTION_LABELS=labels.ACTION_LABELS,
        PRICE_TYPE_LABELS=labels.PRICE_TYPE_LABELS,
        OUTLET_TYPE_LABELS=labels.OUTLET_TYPE_LABELS,
        PHASE_LABELS=labels.PHASE_LABELS,
        ROLE_LABELS=labels.ROLE_LABELS,
        AUDIT_ACTION_LABELS=labels.AUDIT_ACTION_LABELS,
        ENTITY_LABELS=labels.ENTITY_LABELS,
        DETAIL_LABELS=labels.DETAIL_LABELS,
        query=_query,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates
