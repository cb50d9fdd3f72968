"""From raw products to ingest records: price reading, mapping, one price per commodity per outlet.

Shared by the Scrapy pipelines and `binhon scrape replay`, so a live crawl and a replay of the same
page produce the same records. A chain sells several products of one commodity (three brands of
ST25 rice): the observation stored for the commodity at that outlet is the product whose price per
commodity unit is the median of them (a real product, traceable by its name and URL). For fuel
sources two products mapping to the same commodity with different prices is an error, not a choice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from binhon.catalog import OutletSpec
from binhon.formatting import parse_vnd
from binhon.scraping.config import ScrapersConfig
from binhon.scraping.mapping import Mapped, Mapper, Unmapped, median_index
from binhon.scraping.types import ParseError, RawProduct

RECORD_COLUMNS = (
    "date",
    "commodity",
    "outlet",
    "price_vnd",
    "price_type",
    "outlet_type",
    "area",
    "zone",
    "source",
    "name_raw",
    "unit",
    "time",
    "outlet_name",
    "source_url",
)


def read_price(raw: object) -> int:
    """A site's price as whole đồng ("50.700₫", "19,191", 27180, 27180.0)."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError("giá trống")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if raw != int(raw):
            raise ValueError(f"giá có phần lẻ đồng: {raw}")
        value = int(raw)
    else:
        value = parse_vnd(str(raw))
    if value <= 0:
        raise ValueError(f"giá phải lớn hơn 0: {raw!r}")
    return value


@dataclass
class UnmappedItem:
    """A product kept for review."""

    product: RawProduct
    price_vnd: int | None
    reason: str


@dataclass
class Processed:
    """What mapping made of one batch of raw products."""

    mapped: list[tuple[RawProduct, Mapped]] = field(default_factory=list)
    unmapped: list[UnmappedItem] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def map_products(products: list[RawProduct], mapper: Mapper, *, scope: str) -> Processed:
    """Read each product's price and map it; nothing is dropped without a reason."""
    out = Processed()
    seen: set[tuple[str, str, str, object, str]] = set()
    for p in products:
        key = (p.outlet, p.name_raw, p.url, p.obs_date, p.obs_time)
        if key in seen and p.zone is None:
            continue  # the same product found by two queries
        seen.add(key)
        try:
            price = read_price(p.price_raw)
        except ValueError as exc:
            out.errors.append(ParseError(p.url, f"{p.name_raw}: {exc}"))
            continue
        result = mapper.map(
            p.name_raw,
            price,
            spider=p.spider,
            scope="fuel" if scope == "fuel" else "grocery",
            explicit_pack=p.pack,
            unit_hint=p.unit_hint,
            commodity=p.commodity,
        )
        if isinstance(result, Unmapped):
            out.unmapped.append(UnmappedItem(p, price, result.reason))
        else:
            out.mapped.append((p, result))
    return out


def _outlet_fields(outlet: OutletSpec | None, code: str) -> dict[str, str]:
    if outlet is None:
        return {"outlet": code, "outlet_type": "", "area": "", "outlet_name": ""}
    return {
        "outlet": code,
        "outlet_type": outlet.outlet_type,
        "area": outlet.area or "",
        "outlet_name": outlet.name,
    }


def build_records(
    processed: Processed, *, cfg: ScrapersConfig, mapper: Mapper, scope: str
) -> tuple[list[dict[str, str]], list[ParseError]]:
    """One ingest record per (outlet, commodity, date, time, price type): the median product."""
    groups: dict[tuple[str, str, dt.date | None, str, str], list[tuple[RawProduct, Mapped]]] = defaultdict(
        list
    )
    for p, m in processed.mapped:
        groups[(p.outlet, m.commodity, p.obs_date, p.obs_time, p.price_type)].append((p, m))
    records: list[dict[str, str]] = []
    errors: list[ParseError] = []
    outlets = {o.code: o for o in cfg.outlets}
    for (outlet, commodity, day, time, price_type), members in groups.items():
        if day is None:
            errors.append(
                ParseError(members[0][0].url, f"{members[0][0].name_raw}: không xác định được ngày của giá")
            )
            continue
        per_unit = [m.price_per_unit_vnd for _p, m in members]
        if scope == "fuel" and len(set(per_unit)) > 1:
            names = "; ".join(f"{p.name_raw} = {m.price_vnd}" for p, m in members)
            errors.append(
                ParseError(
                    members[0][0].url,
                    f"nhiều sản phẩm cùng ánh xạ vào {commodity} với giá khác nhau: {names}",
                )
            )
            continue
        p, m = members[median_index(per_unit)]
        spec = mapper.by_code[commodity]
        unit = "" if m.measure == spec.measure else m.unit_text
        source = p.spider + (f" ({p.source_note})" if p.source_note else "")
        record = {
            "date": day.isoformat(),
            "commodity": commodity,
            "price_vnd": str(m.price_vnd),
            "price_type": price_type,
            "zone": str(p.zone) if p.zone else "",
            "source": source,
            "name_raw": p.name_raw,
            "unit": unit,
            "time": time,
            "source_url": p.url,
        }
        record.update(_outlet_fields(outlets.get(outlet), outlet))
        records.append(record)
    records.sort(key=lambda r: (r["outlet"], r["commodity"], r["date"], r["time"]))
    return records, errors
