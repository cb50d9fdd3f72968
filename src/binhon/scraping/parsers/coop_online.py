"""Co.op Online (Saigon Co.op on the Teko platform): ``POST discovery.tekoapis.com/api/v2/search-skus-v2``.

Response ``data.products[]`` with ``name``, ``canonical``, ``uomName`` and prices either flat
(``supplierRetailPrice`` less ``discountAmount``) or as ``prices[0].{latestPrice, sellPrice,
supplierRetailPrice}``. The price taken is what the customer pays: latestPrice, else sellPrice, else
the retail price less the discount. Store scope is the ``terminalId`` of the request.
"""

from __future__ import annotations

from typing import Any

from binhon.scraping.parsers.common import ParseContext, blocked_reason, clean, load_json, text_of
from binhon.scraping.types import ParseError, ParseResult, RawProduct

BASE = "https://cooponline.vn/"


def _price(p: dict[str, Any]) -> object:
    prices = p.get("prices")
    if isinstance(prices, list) and prices and isinstance(prices[0], dict):
        first = prices[0]
        for key in ("latestPrice", "sellPrice", "supplierRetailPrice"):
            if first.get(key):
                return first[key]
    for key in ("latestPrice", "sellPrice"):
        if p.get(key):
            return p[key]
    retail = p.get("supplierRetailPrice")
    if retail in (None, "", 0):
        return None
    try:
        return int(retail) - int(p.get("discountAmount") or 0)
    except (TypeError, ValueError):
        return retail


def parse(body: bytes, ctx: ParseContext) -> ParseResult:
    """Every product of one search page."""
    result = ParseResult(kind="api")
    data = load_json(body)
    if data is None:
        result.errors.append(
            ParseError(ctx.url, blocked_reason(text_of(body)) or "phản hồi không phải JSON (API Teko)")
        )
        return result
    payload = data.get("data") if isinstance(data, dict) else None
    products = payload.get("products") if isinstance(payload, dict) else None
    if not isinstance(products, list):
        result.errors.append(
            ParseError(ctx.url, "phản hồi API không đúng cấu trúc đã biết: thiếu data.products")
        )
        return result
    if not products:
        result.kind = "api_empty"
    for i, p in enumerate(products):
        where = f"{ctx.url}#products[{i}]"
        if not isinstance(p, dict):
            result.errors.append(ParseError(where, "mục không phải là đối tượng JSON"))
            continue
        name = clean(p.get("name") or "")
        price = _price(p)
        if not name or price in (None, "", 0):
            result.errors.append(ParseError(where, f"sản phẩm thiếu tên hoặc giá: {name or p.get('sku')}"))
            continue
        canonical = str(p.get("canonical") or "")
        result.products.append(
            RawProduct(
                spider=ctx.spider,
                name_raw=name,
                price_raw=price,
                url=canonical
                if canonical.startswith("http")
                else (BASE + canonical.lstrip("/") if canonical else ctx.url),
                outlet=ctx.outlet,
                obs_date=ctx.local_date,
                unit_hint=clean(p.get("uomName") or ""),
                product_id=str(p.get("sku") or ""),
            )
        )
    return result
