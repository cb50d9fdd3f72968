"""PVOIL price page (``/tin-gia-xang-dau``) and its history endpoint (``/api/oilprice/load-view``).

The page has ``select#ddlpricedate`` (options "DD/MM/YYYY 15:00:00", one per price period; the
selected one is shown) and the table ``div#cctb-1 table tbody tr`` with cells STT | product | price |
change. The history endpoint returns the bare ``<table>``; its period is the ``date`` query parameter.
PVOIL publishes a single retail price, stored for zone 1. The site sits behind Cloudflare: a
challenge page is an error, not an empty price list.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlparse

from parsel import Selector

from binhon.scraping.parsers.common import ParseContext, blocked_reason, clean, text_of
from binhon.scraping.types import ParseError, ParseResult, RawProduct

_PERIOD = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?")


def _period(text: str) -> tuple[dt.date, str] | None:
    m = _PERIOD.search(text)
    if not m:
        return None
    try:
        day = dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return day, (f"{int(m[4]):02d}:{m[5]}" if m[4] else "")


def parse(body: bytes, ctx: ParseContext) -> ParseResult:
    """Every product row of the shown price period."""
    result = ParseResult(kind="price_table")
    text = text_of(body)
    blocked = blocked_reason(text)
    if blocked:
        result.errors.append(ParseError(ctx.url, blocked))
        return result
    sel = Selector(text=text)
    options = sel.css("select#ddlpricedate option")
    chosen = sel.css("select#ddlpricedate option[selected]::attr(value)").get() or (
        options[0].attrib.get("value", "") if options else ""
    )
    period = _period(chosen) if chosen else None
    if period is None:
        query = parse_qs(urlparse(ctx.url).query)
        if "date" in query:
            period = _period(unquote(query["date"][0]))
    if period is None:
        result.errors.append(
            ParseError(ctx.url, "không xác định được kỳ giá (select#ddlpricedate hoặc tham số date)")
        )
        return result
    result.links = [v for v in (o.attrib.get("value", "") for o in options) if v and v != chosen]
    rows = sel.css("div#cctb-1 table tbody tr") or sel.css("table tbody tr") or sel.css("table tr")
    day, time = period
    for i, tr in enumerate(rows):
        cells = [clean(" ".join(td.css("::text").getall())) for td in tr.css("td")]
        if not cells:
            continue  # header row
        if len(cells) >= 3 and re.fullmatch(r"\d+\.?", cells[0]):
            name, price = cells[1], cells[2]
        elif len(cells) >= 2:
            name, price = cells[0], cells[1]
        else:
            result.errors.append(ParseError(f"{ctx.url}#row{i}", f"dòng bảng giá thiếu ô: {cells}"))
            continue
        if not name or not re.search(r"\d", price):
            result.errors.append(
                ParseError(f"{ctx.url}#row{i}", f"dòng bảng giá thiếu tên hoặc giá: {cells}")
            )
            continue
        result.products.append(
            RawProduct(
                spider=ctx.spider,
                name_raw=name,
                price_raw=price,
                url=ctx.url,
                outlet=ctx.outlet,
                obs_date=day,
                obs_time=time,
                zone=1,
                pack="1 lít",
            )
        )
    if not result.products and not result.errors:
        result.errors.append(
            ParseError(ctx.url, "không có dòng giá nào trong bảng (div#cctb-1 table): bố cục có thể đã đổi")
        )
    return result
