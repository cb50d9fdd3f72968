"""Ministry of Industry and Trade fuel bulletins ("Một số thông tin về việc điều hành giá xăng dầu").

A bulletin page gives, as bullet paragraphs, the maximum retail price (ceiling) of every product:
``- Xăng E5RON92: không cao hơn 19.191 đồng/lít (giảm 539 …)``, and the time the prices take effect:
``15 giờ 00’ ngày 09 tháng 7 năm 2026``. The listing API (POST /api/Content/Article/selectAll)
returns JSON whose items link to the bulletins.

Pitfalls handled here (SOURCES.md §1.3): NFC and NFD text mixed on one page (normalised first),
bullets anchored at "-", comma and dot swapped as thousands separators, a changed layout (no
``div.article-content``: the whole page text is searched), products that come and go (RON95-III
replaced by E10RON95-III, kerosene without a base price since 29/04/2026), and a page without any
ceiling line, which is an error with the URL, never zero items silently.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

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

_CEILING = re.compile(
    r"^\s*[-–—•+*]\s*(?P<name>[^:]{2,80}?)\s*:\s*(?:không cao hơn|không quá|tối đa(?: là)?)\s*"
    r"(?P<price>\d{1,3}(?:[.,\s]\d{3})+|\d{4,6})\s*(?:đồng|đ|vnđ)\s*/\s*(?P<unit>lít|kg|lit)",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"(?P<h>\d{1,2})\s*(?:giờ|h)\s*(?P<m>\d{1,2})?\s*(?:['’′]|phút)?\s*,?\s*(?:ngày\s*)?"
    r"(?P<d>\d{1,2})\s*(?:tháng\s*|/\s*)(?P<mo>\d{1,2})\s*(?:năm\s*|/\s*)(?P<y>\d{4})",
    re.IGNORECASE,
)
_TITLE_DATE = re.compile(r"ngày\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})", re.IGNORECASE)


def _int_price(text: str) -> int:
    """A price written with dots, commas or spaces grouping thousands ("19.191", "19,191")."""
    return int(re.sub(r"[.,\s]", "", text))


def _paragraphs(sel: Selector) -> tuple[list[str], bool]:
    paras = [clean(" ".join(p.css("::text").getall())) for p in sel.css("div.article-content p")]
    paras = [p for p in paras if p]
    if paras:
        return paras, True
    # Layout changed: read every text block of the body, one line per block.
    texts = sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return [t for t in (clean(x) for x in texts) if t], False


def effective_time(paras: list[str]) -> tuple[dt.date, str] | None:
    """When the ceilings take effect: the "Thời gian thực hiện" section, price line first."""
    start = next((i for i, p in enumerate(paras) if "thời gian thực hiện" in p.lower()), None)
    section = paras[start:] if start is not None else paras
    ordered = [p for p in section if "điều chỉnh giá bán" in p.lower()] + section
    for para in ordered:
        m = _WHEN.search(para)
        if m:
            try:
                day = dt.date(int(m["y"]), int(m["mo"]), int(m["d"]))
            except ValueError:
                continue
            return day, f"{int(m['h']):02d}:{int(m['m'] or 0):02d}"
    return None


def parse_world_table(sel: Selector) -> list[dict[str, object]]:
    """The world-price table (USD/barrel, USD/tonne for FO, VCB rates), separators normalised.

    USD figures have three decimals and VCB rates are whole đồng, whichever of "." and "," the row
    uses ("119.460 … 26,142" on 8/4/26 is 119,46 USD and 26 142 đ); blank days ("-") are None.
    """
    rows: list[dict[str, object]] = []
    for tr in sel.css("div.article-content table tr"):
        cells = [clean(" ".join(td.css("::text").getall())) for td in tr.css("td")]
        if len(cells) < 9 or not re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", cells[1]):
            continue
        d, mo, y = (int(x) for x in cells[1].split("/"))

        def usd(text: str) -> Decimal | None:
            t = text.strip(" -")
            if not t:
                return None
            m = re.fullmatch(r"(\d+)[.,](\d{3})", t)
            return Decimal(f"{m.group(1)}.{m.group(2)}") if m else Decimal(t.replace(",", "."))

        def vnd(text: str) -> int | None:
            t = text.strip(" -")
            return int(re.sub(r"[.,]", "", t)) if t else None

        rows.append(
            {
                "date": dt.date(2000 + y, mo, d),
                "x92": usd(cells[2]),
                "x95": usd(cells[3]),
                "kerosene": usd(cells[4]),
                "do005": usd(cells[5]),
                "fo35": usd(cells[6]),
                "vcb_buy": vnd(cells[7]),
                "vcb_sell": vnd(cells[8]),
            }
        )
    return rows


def parse_bulletin(body: bytes, ctx: ParseContext) -> ParseResult:
    """Ceilings of one bulletin page, for zone 1 (and zone 2 by the configured rule)."""
    result = ParseResult(kind="bulletin")
    text = text_of(body)
    blocked = blocked_reason(text)
    if blocked:
        result.errors.append(ParseError(ctx.url, blocked))
        return result
    sel = Selector(text=text)
    paras, in_article = _paragraphs(sel)
    if not in_article:
        result.notes.append("không thấy div.article-content: bố cục trang đã đổi, đọc toàn bộ văn bản trang")
    lines = [(m, p) for p in paras if (m := _CEILING.match(p))]
    if not lines:
        title = clean(sel.css("title::text").get() or "")
        result.errors.append(
            ParseError(
                ctx.url,
                "không tìm thấy dòng giá trần nào ('- Xăng …: không cao hơn … đồng/lít') "
                f"trong trang '{title}'",
            )
        )
        return result
    when = effective_time(paras)
    if when is None:
        result.errors.append(
            ParseError(ctx.url, "không tìm thấy thời điểm áp dụng ('… giờ … ngày … tháng … năm …')")
        )
        return result
    day, time = when
    markup = ctx.options.get("zone2_markup_percent")
    canonical = sel.css("link[rel=canonical]::attr(href)").get() or ctx.url
    for m, _para in lines:
        name = clean(m["name"])
        price = _int_price(m["price"])
        common = {"spider": ctx.spider, "name_raw": name, "url": canonical, "obs_date": day, "obs_time": time}
        result.products.append(
            RawProduct(
                price_raw=price,
                outlet=ctx.outlet,
                price_type="ceiling",
                zone=1,
                pack=f"1 {m['unit']}",
                **common,
            )
        )
        if markup is not None and ctx.zone2_outlet:
            zone2 = math.floor(price * (100 + float(markup)) / 100)
            result.products.append(
                RawProduct(
                    price_raw=zone2,
                    outlet=ctx.zone2_outlet,
                    price_type="ceiling",
                    zone=2,
                    pack=f"1 {m['unit']}",
                    source_note=f"vùng 2 = vùng 1 + {markup}%",
                    **common,
                )
            )
    result.extra["effective"] = f"{day.isoformat()} {time}"
    result.extra["world_prices"] = parse_world_table(sel)
    return result


def parse_listing(data: object, ctx: ParseContext) -> ParseResult:
    """Links to fuel bulletins from the listing API's JSON (newest first)."""
    result = ParseResult(kind="listing")
    items = data.get("items") if isinstance(data, dict) else None
    if isinstance(items, dict):
        items = list(items.values())
    if not isinstance(items, list):
        result.errors.append(ParseError(ctx.url, "phản hồi danh sách bài không đúng cấu trúc (thiếu items)"))
        return result
    keywords = [k.lower() for k in ctx.options.get("title_keywords", ["điều hành giá xăng dầu"])]
    found: list[tuple[int, str]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        title = clean(item.get("title", "")).lower()
        link = str(item.get("rewriteURL") or item.get("url") or "").strip()
        if not link or not any(k in title for k in keywords):
            continue
        if not link.startswith("http"):
            link = "https://moit.gov.vn/tin-tuc/" + link.strip("/").removeprefix("tin-tuc/")
            if not link.endswith(".html"):
                link += ".html"
        found.append((int(item.get("publishTime") or 0), link))
    found.sort(reverse=True)
    limit = int(ctx.options.get("max_bulletins", 3))
    result.links = [link for _t, link in found[:limit]]
    result.notes.append(
        f"{len(found)} bài điều hành giá xăng dầu trong danh sách, theo {len(result.links)} bài mới nhất"
    )
    return result


def parse(body: bytes, ctx: ParseContext) -> ParseResult:
    """A bulletin page or the listing API's response."""
    data = load_json(body)
    if data is not None:
        return parse_listing(data, ctx)
    text = text_of(body)
    if not looks_like_html(text):
        return ParseResult(kind="unknown", errors=[ParseError(ctx.url, "không phải trang HTML hay JSON")])
    return parse_bulletin(body, ctx)
