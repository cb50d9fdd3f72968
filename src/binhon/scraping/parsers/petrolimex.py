"""Petrolimex portal JSON API (``cms.item/search``): zone-1 and zone-2 retail prices per product.

Response: ``{"Objects": [{"Title", "Zone1Price", "Zone2Price", "LastModified", …}]}``. Prices are
updated item by item, minutes apart, so each product carries its own LastModified, which dates the
observation (local date and time). Product names drift (RON 95-III → E10 RON 95-III from June 2026);
mapping, not this parser, decides which commodity a title is.
"""

from __future__ import annotations

from binhon.scraping.parsers.common import (
    ParseContext,
    blocked_reason,
    clean,
    load_json,
    local_from_iso,
    text_of,
)
from binhon.scraping.types import ParseError, ParseResult, RawProduct


def parse(body: bytes, ctx: ParseContext) -> ParseResult:
    """Every product of the response, one raw price per zone."""
    result = ParseResult(kind="api")
    data = load_json(body)
    if data is None:
        reason = blocked_reason(text_of(body)) or "phản hồi không phải JSON (API Petrolimex)"
        result.errors.append(ParseError(ctx.url, reason))
        return result
    objects = data.get("Objects") if isinstance(data, dict) else None
    if not isinstance(objects, list):
        result.errors.append(
            ParseError(ctx.url, "phản hồi không đúng cấu trúc đã biết: thiếu danh sách Objects")
        )
        return result
    assume = str(ctx.options.get("last_modified_timezone", "UTC"))
    for i, obj in enumerate(objects):
        where = f"{ctx.url}#Objects[{i}]"
        if not isinstance(obj, dict):
            result.errors.append(ParseError(where, "mục không phải là đối tượng JSON"))
            continue
        title = clean(obj.get("Title") or "")
        if not title:
            result.errors.append(ParseError(where, "thiếu tên mặt hàng (Title)"))
            continue
        stamp = local_from_iso(str(obj.get("LastModified") or ""), assume=assume)
        if stamp is None:
            result.notes.append(f"{title}: thiếu LastModified, dùng ngày lấy dữ liệu")
        day = stamp.date() if stamp else ctx.local_date
        time = stamp.strftime("%H:%M") if stamp else ""
        for zone, key, outlet in ((1, "Zone1Price", ctx.outlet), (2, "Zone2Price", ctx.zone2_outlet)):
            value = obj.get(key)
            if value in (None, "", 0, "0"):
                result.errors.append(ParseError(where, f"{title}: thiếu giá {key}"))
                continue
            if not outlet:
                continue
            result.products.append(
                RawProduct(
                    spider=ctx.spider,
                    name_raw=title,
                    price_raw=value,
                    url=ctx.url,
                    outlet=outlet,
                    obs_date=day,
                    obs_time=time,
                    zone=zone,
                    pack="1 lít",
                    product_id=str(obj.get("ID") or ""),
                )
            )
    if not objects:
        result.notes.append("danh sách Objects rỗng")
    return result
