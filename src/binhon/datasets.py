"""Converters from the real public price datasets (../shared/data) to observation CSV rows.

Each converter reads one source file and returns ``Converted(rows, skipped)``:

* ``rows``: a DataFrame with the CONTRACT observation columns as strings (``date`` as YYYY-MM-DD),
  plus ``outlet_name``, ``name_raw`` (the product name exactly as the source wrote it) and
  ``source_line`` (int, the line number of the row in the source file, header = line 1);
* ``skipped``: every source row that could not be converted, with its line and the reason in
  Vietnamese.

So every source row is accounted for: ``len(rows) + len(skipped)`` equals the number of data rows.
The converters change no value silently: a row is either converted as the source wrote it
(WFP's fractional prices rounded half up to whole đồng) or skipped with the reason.

Datasets (SOURCES.md §2):

* D3 PVOIL retail fuel prices (``pvoil_retail_prices_2018_2026.csv``): ``pvoil_observations``.
* D1 WFP wholesale rice prices (``wfp_food_prices_vnm.csv``): ``wfp_observations``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from binhon.catalog import CommodityCatalog, load_commodities
from binhon.formatting import fold_key, format_vnd
from binhon.ingest.csvfile import CONTRACT_COLUMNS, Problem

__all__ = [
    "OUTPUT_COLUMNS",
    "Converted",
    "pvoil_observations",
    "wfp_observations",
    "write_observations_csv",
]

# The columns of a converted frame, in this order.
OUTPUT_COLUMNS = (*CONTRACT_COLUMNS, "outlet_name", "name_raw", "source_line")

# --- PVOIL (D3) -----------------------------------------------------------------------------------------

PVOIL_OUTLET = {
    "outlet": "pvoil",
    "outlet_type": "enterprise",
    "area": "86",  # the (new) Vĩnh Long province: PVOIL's listed price applies province-wide
    "zone": "1",
    "price_type": "retail",
    "source": "pvoil",
    "outlet_name": "PVOIL (giá niêm yết vùng 1)",
}
_PVOIL_COLUMNS = ("Ngày", "Mặt hàng", "Giá (VND)")

# --- WFP (D1) -------------------------------------------------------------------------------------------

WFP_COMMODITY = "gao-te-thuong"
# WFP market names (as written, ASCII) -> (outlet code, Vietnamese name). Others get a code derived
# from their name and the name as WFP wrote it.
WFP_MARKETS = {
    "an giang": ("wfp-an-giang", "An Giang"),
    "dong thap": ("wfp-dong-thap", "Đồng Tháp"),
    "bac lieu": ("wfp-bac-lieu", "Bạc Liêu"),
}
# WFP commodities binhon knows, folded: only ordinary rice (the only one in the Viet Nam file).
WFP_COMMODITIES = {"rice": WFP_COMMODITY}
WFP_PRICE_TYPES = {"wholesale": ("wholesale", "bán buôn"), "retail": ("retail", "bán lẻ")}
# priceflag values that are observed prices; "forecast" is a model's prediction, not an observation.
WFP_OBSERVED_FLAGS = {"actual", "aggregate"}
_WFP_COLUMNS = ("date", "market", "commodity", "unit", "priceflag", "pricetype", "currency", "price")


class Converted(NamedTuple):
    """The converted observation rows and the source rows that could not be converted."""

    rows: pd.DataFrame
    skipped: list[Problem]


@dataclass
class _Row:
    """One source row on its way to an observation, or to the skipped list."""

    line: int
    raw: dict[str, str]
    date: dt.date | None
    commodity: str
    series: str  # what, with the date, identifies one price in the source (product or market)
    price: int | None
    values: dict[str, str]
    reasons: list[str]


def _read_source(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows of a CSV (BOM tolerated) with their starting line numbers."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise ValueError(
                f"tệp {Path(path).name}: thiếu cột {', '.join(missing)} (tiêu đề: {', '.join(header)})"
            )
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in row):
                continue
            yield line, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}


def _parse_date(text: str, fmt: str, shown: str) -> tuple[dt.date | None, str | None]:
    try:
        return dt.datetime.strptime(text, fmt).date(), None
    except ValueError:
        return None, f"ngày '{text}' không hợp lệ (cần {shown})"


def _parse_price(text: str) -> tuple[int | None, str | None]:
    """A price written as a plain (possibly fractional) number, rounded half up to whole đồng."""
    if not text:
        return None, "thiếu giá trong nguồn"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, f"giá '{text}' không đọc được"
    if not value.is_finite():
        return None, f"giá '{text}' không đọc được"
    if value == 0:
        return None, "giá bằng 0 trong nguồn"
    if value < 0:
        return None, f"giá âm trong nguồn ({text})"
    whole = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole == 0:
        return None, f"giá quá nhỏ trong nguồn ({text})"
    return whole, None


def _resolve_repeats(rows: list[_Row]) -> None:
    """Exact repeats are taken once; several different prices for one series and date are all skipped.

    A source that gives two prices for the same product on the same date cannot tell which one held,
    so neither is converted (rather than guessing); an identical repeat adds nothing.
    """
    groups: dict[tuple[dt.date, str, str], list[_Row]] = {}
    for row in rows:
        if row.reasons or row.date is None:
            continue
        groups.setdefault((row.date, row.commodity, row.series), []).append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        prices = {r.price for r in group}
        lines = ", ".join(str(r.line) for r in group)
        if len(prices) > 1:
            shown = " / ".join(format_vnd(int(r.price or 0)) for r in group)
            for r in group:
                r.reasons.append(
                    f"nguồn ghi {len(group)} giá khác nhau cho cùng mặt hàng trong cùng ngày "
                    f"(dòng {lines}: {shown}): không biết giá nào đúng nên không lấy giá nào"
                )
        else:
            first = group[0]
            for r in group[1:]:
                r.reasons.append(f"lặp lại y hệt dòng {first.line} của nguồn (đã lấy một lần)")


def _finish(rows: list[_Row], *, sort_by: tuple[str, ...]) -> Converted:
    _resolve_repeats(rows)
    good = [r for r in rows if not r.reasons]
    skipped = [Problem(r.line, "; ".join(r.reasons), r.raw) for r in rows if r.reasons]
    records = [
        {
            **r.values,
            "date": r.date.isoformat() if r.date else "",
            "commodity": r.commodity,
            "price_vnd": str(r.price),
            "source_line": r.line,
        }
        for r in good
    ]
    frame = pd.DataFrame.from_records(records, columns=list(OUTPUT_COLUMNS))
    for col in OUTPUT_COLUMNS:
        if col != "source_line":
            frame[col] = frame[col].fillna("").astype(object).map(str)
    frame["source_line"] = frame["source_line"].astype("int64")
    frame = frame.sort_values([*sort_by, "source_line"], kind="stable").reset_index(drop=True)
    return Converted(frame, sorted(skipped, key=lambda p: p.line))


def _alias_map(catalog: CommodityCatalog) -> dict[str, str]:
    """Folded commodity names and aliases -> commodity code."""
    out: dict[str, str] = {}
    for spec in catalog.commodities:
        for name in (spec.name, *spec.aliases):
            out[fold_key(name)] = spec.code
    return out


def pvoil_observations(path: Path, *, catalog: CommodityCatalog | None = None) -> Converted:
    """PVOIL's retail price history (D3) as observations of outlet ``pvoil`` (zone 1, whole province).

    Product names are matched to commodity codes through the names and aliases of
    config/commodities.yaml. Not converted: products that are not in the catalogue (fuel oil FO,
    RON 95-IV, DO 0,005S-IV), prices of 0 (PVOIL lists 0 for products it did not sell), unreadable
    dates or prices; an identical repeated row is taken once and conflicting prices for one product
    on one date are all skipped.
    """
    aliases = _alias_map(catalog or load_commodities())
    rows: list[_Row] = []
    for line, raw in _read_source(path, _PVOIL_COLUMNS):
        reasons: list[str] = []
        name = raw["Mặt hàng"]
        code = aliases.get(fold_key(name), "") if name else ""
        if not name:
            reasons.append("thiếu tên mặt hàng")
        elif not code:
            reasons.append(f"mặt hàng chưa có trong danh mục ('{name}')")
        date, why = _parse_date(raw["Ngày"], "%d/%m/%Y", "dd/mm/yyyy")
        if why:
            reasons.append(why)
        price, why = _parse_price(raw["Giá (VND)"])
        if why:
            reasons.append(why)
        values = {**PVOIL_OUTLET, "name_raw": name}
        rows.append(_Row(line, raw, date, code, "pvoil", price, values, reasons))
    return _finish(rows, sort_by=("date", "commodity"))


def _wfp_market(market: str) -> tuple[str, str]:
    key = fold_key(market)
    if key in WFP_MARKETS:
        return WFP_MARKETS[key]
    slug = "-".join("".join(ch if ch.isascii() and ch.isalnum() else " " for ch in key).split())
    return f"wfp-{slug}", market


def wfp_observations(path: Path) -> Converted:
    """WFP's wholesale rice prices for Viet Nam (D1) as official reference observations.

    The markets (An Giang, Đồng Tháp, Bạc Liêu) are outside the province: each becomes an ``official``
    reference outlet without area (``wfp-an-giang`` …). Prices are VND/kg, rounded half up to whole
    đồng. Not converted: WFP ``forecast`` rows (predictions, not observed prices; in this file they
    are either placeholders of 0 or rows appended to the WFP series), prices of 0, other commodities,
    units or currencies, unreadable dates or prices.
    """
    rows: list[_Row] = []
    for line, raw in _read_source(path, _WFP_COLUMNS):
        reasons: list[str] = []
        name = raw["commodity"]
        code = WFP_COMMODITIES.get(fold_key(name), "")
        if not code:
            reasons.append(f"mặt hàng chưa có trong danh mục ('{name}')")
        if fold_key(raw["unit"]) != "kg":
            reasons.append(f"đơn vị '{raw['unit']}' khác kg")
        if raw["currency"].upper() != "VND":
            reasons.append(f"tiền tệ '{raw['currency']}' khác VND")
        price_type, type_vi = WFP_PRICE_TYPES.get(fold_key(raw["pricetype"]), ("", ""))
        if not price_type:
            reasons.append(f"loại giá '{raw['pricetype']}' không dùng được (cần Wholesale hoặc Retail)")
        flag = fold_key(raw["priceflag"])
        if flag == "forecast":
            reasons.append("giá dự báo của WFP (priceflag forecast), không phải giá quan sát")
        elif flag not in WFP_OBSERVED_FLAGS:
            reasons.append(f"cờ giá '{raw['priceflag']}' không rõ (cần actual)")
        date, why = _parse_date(raw["date"], "%m/%d/%Y", "m/d/yyyy")
        if why:
            reasons.append(why)
        price, why = _parse_price(raw["price"])
        if why:
            reasons.append(why)
        market = raw["market"]
        outlet, market_vi = _wfp_market(market) if market else ("", "")
        if not market:
            reasons.append("thiếu tên chợ")
        values = {
            "outlet": outlet,
            "price_type": price_type,
            "outlet_type": "official",
            "area": "",
            "zone": "",
            "source": "wfp",
            "outlet_name": f"WFP – chợ {market_vi} ({type_vi or 'bán buôn'})",
            "name_raw": name,
        }
        rows.append(_Row(line, raw, date, code, outlet + "/" + price_type, price, values, reasons))
    return _finish(rows, sort_by=("date", "outlet"))


def write_observations_csv(frame: pd.DataFrame, path: Path, *, with_source_line: bool = False) -> Path:
    """Write converted rows as an observations CSV that ``binhon import observations`` reads.

    ``source_line`` is left out unless asked for (binhon would ignore it as an unknown column).
    """
    columns = [c for c in OUTPUT_COLUMNS if with_source_line or c != "source_line"]
    frame.to_csv(path, columns=columns, index=False, encoding="utf-8")
    return path
