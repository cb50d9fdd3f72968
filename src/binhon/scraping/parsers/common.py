"""Helpers shared by the page parsers: decoding, JSON, blocked and empty pages, dates."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from binhon.formatting import normalize_text

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class ParseContext:
    """What a parser knows besides the body: where it came from, when, and for which outlet."""

    spider: str
    url: str
    fetched_at: dt.datetime
    outlet: str = ""
    zone2_outlet: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def local_date(self) -> dt.date:
        """The fetch date in Asia/Ho_Chi_Minh."""
        return self.fetched_at.astimezone(VN).date()


def text_of(body: bytes) -> str:
    """The body as text (UTF-8, byte-order mark dropped; undecodable bytes replaced)."""
    return body.decode("utf-8", errors="replace").lstrip("\ufeff")


def clean(value: object) -> str:
    """A site string: NFC, zero-width characters removed, whitespace collapsed."""
    return normalize_text(str(value)) if value is not None else ""


def load_json(body: bytes) -> Any:
    """The body as JSON, or None when it is not JSON."""
    try:
        return json.loads(text_of(body))
    except (json.JSONDecodeError, ValueError):
        return None


_BLOCK_MARKERS = (
    ("just a moment", "trang thử thách Cloudflare (Just a moment…): bị chặn, không có dữ liệu"),
    ("cf-browser-verification", "trang thử thách Cloudflare: bị chặn, không có dữ liệu"),
    ("challenge-platform", "trang thử thách Cloudflare: bị chặn, không có dữ liệu"),
    ("attention required! | cloudflare", "Cloudflare chặn truy cập"),
    ("access denied", "máy chủ từ chối truy cập (Access denied)"),
)


def blocked_reason(text: str) -> str | None:
    """Why a page is a block or challenge page rather than content, or None."""
    head = text[:20000].lower()
    for marker, reason in _BLOCK_MARKERS:
        if marker in head:
            return reason
    return None


def looks_like_html(text: str) -> bool:
    """Whether a body is an HTML page."""
    return bool(re.match(r"\s*(<!doctype html|<html|<head|<body|<)", text[:500], re.IGNORECASE))


def local_from_iso(value: str, *, assume: str = "UTC") -> dt.datetime | None:
    """An ISO timestamp as Asia/Ho_Chi_Minh local time; naive values are taken in ``assume``."""
    text = value.strip()
    if not text:
        return None
    if assume != "UTC" and text.endswith("Z"):
        text = text[:-1]
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=ZoneInfo(assume) if assume != "UTC" else dt.UTC)
    return stamp.astimezone(VN)
