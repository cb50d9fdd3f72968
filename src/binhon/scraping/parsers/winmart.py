"""WinMart (CrownX) store-scoped item API.

``/it/api/web/v3/item/category`` returns ``data.items[]``, ``/it/api/web/v3/item/search`` returns
``data[]`` (an empty page ends the catalogue: ``totalCount`` is always 0), and the POST
``/ss/api/v2/public/winmart/item-search`` items carry ``price.{salePrice, originPrice}``. An item's
price is what the customer pays: ``salePrice`` when there is one, else ``price``; ``uomName`` is the
selling unit ("Kg" = sold by weight, "Gói 4" = a pack of four).
"""

from __future__ import annotations

from typing import Any

from binhon.scraping.parsers.common import ParseContext, blocked_reason, clean, load_json, text_of
from binhon.scraping.types import ParseError, ParseResult, RawProduct

BASE = "https://winmart.vn/products/"


def _items(data: Any) -> list[Any] | None:
    if not isinstance(data, dict):
        return None
    payload = data.get("data")
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in ("items", "products", "data"):
            if isinstance(payload.get(key), list):
                return list(payload[key])
    return None


def _price(item: dict[str, Any]) -> object:
    price = item.get("price")
    if isinstance(price, dict):
        return price.get("salePrice") or price.get("originPrice")
    return item.get("salePrice") or price


def parse(body: bytes, ctx: ParseContext) -> ParseResult:
    """Every item of one API page."""
    result = ParseResult(kind="api")
    data = load_json(body)
    if data is None:
        result.errors.append(
            ParseError(ctx.url, blocked_reason(text_of(body)) or "phản hồi không phải JSON (API WinMart)")
        )
        return result
    items = _items(data)
    if items is None:
        result.errors.append(
            ParseError(ctx.url, "phản hồi API không đúng cấu trúc đã biết: thiếu data hoặc data.items")
        )
        return result
    if not items:
        result.kind = "api_empty"
    for i, item in enumerate(items):
        where = f"{ctx.url}#items[{i}]"
        if not isinstance(item, dict):
            result.errors.append(ParseError(where, "mục không phải là đối tượng JSON"))
            continue
        name = clean(item.get("name") or item.get("description") or "")
        price = _price(item)
        if not name or price in (None, "", 0):
            result.errors.append(
                ParseError(where, f"sản phẩm thiếu tên hoặc giá: {name or item.get('itemNo')}")
            )
            continue
        seo = str(item.get("seoName") or "")
        result.products.append(
            RawProduct(
                spider=ctx.spider,
                name_raw=name,
                price_raw=price,
                url=BASE + seo if seo else ctx.url,
                outlet=ctx.outlet,
                obs_date=ctx.local_date,
                unit_hint=clean(item.get("uomName") or ""),
                category=clean(item.get("categoryName") or ""),
                product_id=str(item.get("itemNo") or ""),
            )
        )
    return result
