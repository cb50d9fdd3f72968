"""Bách Hóa Xanh: store-scoped API JSON (``data.products[]``) and product pages' JSON-LD.

API products carry ``name``/``fullName``, a relative ``url`` and ``productPrices[0].price`` (the
shelf price; ``sysPrice`` is the list price). A product page is server-rendered Next.js HTML whose
JSON-LD ``Product`` has ``offers.price`` ("50.700₫"); its name ends with the site's slogan
("… giá tốt tại Bách hoá XANH"), which is removed. Category and search pages render their product
grid in the browser: without JSON-LD offers or API data they are an error ("empty shell"), never
zero products silently. The price of a product page is not store-scoped.
"""

from __future__ import annotations

import json
import re
from typing import Any

from parsel import Selector

from binhon.scraping.parsers.common import (
    ParseContext,
    blocked_reason,
    clean,
    load_json,
    looks_like_html,
    text_of,
)
from binhon.scraping.types import ParseError, ParseResult, RawProduct

BASE = "https://www.bachhoaxanh.com"
_SLOGAN = re.compile(r"\s*(?:[-|–]\s*)?(?:giá tốt\s+)?tại\s+bách\s+ho[aá]\s+xanh\s*$", re.IGNORECASE)


def _ld_objects(sel: Selector) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        for obj in stack:
            if isinstance(obj, dict) and "@graph" in obj and isinstance(obj["@graph"], list):
                out.extend(o for o in obj["@graph"] if isinstance(o, dict))
            elif isinstance(obj, dict):
                out.append(obj)
    return out


def parse_page(body: bytes, ctx: ParseContext) -> ParseResult:
    """A product page (JSON-LD Product with a price); any other page is an error."""
    text = text_of(body)
    blocked = blocked_reason(text)
    if blocked:
        return ParseResult(kind="page", errors=[ParseError(ctx.url, blocked)])
    sel = Selector(text=text)
    canonical = sel.css("link[rel=canonical]::attr(href)").get() or ctx.url
    title = clean(sel.css("title::text").get() or "")
    result = ParseResult(kind="product_page")
    for obj in _ld_objects(sel):
        if obj.get("@type") != "Product":
            continue
        offers = obj.get("offers") or {}
        if isinstance(offers, list):
            offers = offers[0] if offers else {}
        price = offers.get("price") if isinstance(offers, dict) else None
        url = str(obj.get("url") or canonical)
        if price in (None, ""):
            continue  # a category's aggregate (lowPrice/highPrice) is not one product's price
        name = _SLOGAN.sub("", clean(obj.get("name") or ""))
        if not name:
            result.errors.append(ParseError(url, "JSON-LD Product không có tên"))
            continue
        result.products.append(
            RawProduct(
                spider=ctx.spider,
                name_raw=name,
                price_raw=str(price),
                url=url,
                outlet=str(ctx.options.get("page_outlet") or ctx.outlet),
                obs_date=ctx.local_date,
                product_id=url.rsplit("/", 1)[-1],
            )
        )
    if not result.products and not result.errors:
        kind = (
            "trang danh mục"
            if canonical.rstrip("/").count("/") == 3 and canonical.rstrip("/") != BASE
            else "trang"
        )
        if canonical.rstrip("/") == BASE:
            kind = "trang chủ/khung trang"
        result.kind = "shell"
        result.errors.append(
            ParseError(
                canonical if canonical.startswith("http") else ctx.url,
                f"{kind} '{title}' không có dữ liệu sản phẩm nào (không có JSON-LD Product kèm giá; "
                "lưới sản phẩm do JavaScript tải): trang trống, cần đọc qua API",
            )
        )
    return result


def parse_api(data: Any, ctx: ParseContext) -> ParseResult:
    """Products of a store-scoped API response (GetCate, DataSearch)."""
    result = ParseResult(kind="api")
    payload = data.get("data") if isinstance(data, dict) else None
    products = payload.get("products") if isinstance(payload, dict) else None
    if not isinstance(products, list):
        reason = "phản hồi API không đúng cấu trúc đã biết: thiếu data.products"
        if isinstance(data, dict) and (data.get("errorReason") or data.get("message")):
            reason += f" (máy chủ báo: {clean(data.get('errorReason') or data.get('message'))})"
        result.errors.append(ParseError(ctx.url, reason))
        return result
    for i, p in enumerate(products):
        where = f"{ctx.url}#products[{i}]"
        if not isinstance(p, dict):
            result.errors.append(ParseError(where, "mục không phải là đối tượng JSON"))
            continue
        name = clean(p.get("fullName") or p.get("name") or "")
        prices = p.get("productPrices") or []
        first = prices[0] if isinstance(prices, list) and prices and isinstance(prices[0], dict) else {}
        price = first.get("price") or first.get("sysPrice")
        if not name or price in (None, "", 0):
            result.errors.append(ParseError(where, f"sản phẩm thiếu tên hoặc giá: {name or p.get('id')}"))
            continue
        url = str(p.get("url") or "")
        result.products.append(
            RawProduct(
                spider=ctx.spider,
                name_raw=name,
                price_raw=price,
                url=url if url.startswith("http") else BASE + "/" + url.lstrip("/"),
                outlet=ctx.outlet,
                obs_date=ctx.local_date,
                category=clean(
                    (p.get("category") or {}).get("name", "") if isinstance(p.get("category"), dict) else ""
                ),
                product_id=str(p.get("id") or ""),
            )
        )
    return result


def parse(body: bytes, ctx: ParseContext) -> ParseResult:
    """API JSON or an HTML page."""
    data = load_json(body)
    if data is not None:
        return parse_api(data, ctx)
    if not looks_like_html(text_of(body)):
        return ParseResult(kind="unknown", errors=[ParseError(ctx.url, "không phải trang HTML hay JSON")])
    return parse_page(body, ctx)
