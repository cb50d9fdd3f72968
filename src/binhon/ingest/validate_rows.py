"""Row validation of a small batch (an API call, a form, a spider page) in plain Python, without pandas.

The vectorised validator (``binhon.ingest.validate``) is built for files of a million rows: on a batch of
a few rows its fixed cost (building and factorising frames, grouping) is tens of milliseconds of CPU.
This one applies the same rules (``binhon.ingest.rules``), in the same order, one row at a time, so a
batch gets exactly the same outcome either way: the same typed rows, the same problems with the same
line numbers and reasons, the same outlets registered in the same order, the same exact repeats dropped
(tests/ingest/test_fast_path.py runs both on many generated batches).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from binhon.ingest import rules
from binhon.ingest.csvfile import Problem
from binhon.ingest.reference import CommodityRef, Reference
from binhon.ingest.rules import RegisterOutlet

T = TypeVar("T")

# (commodity ids, start, end) -> stored current prices (commodity_id, outlet_id, price_type, price_vnd)
# of those commodities in that date window.
HistoryRows = Callable[[list[int], dt.date, dt.date], Iterable[tuple[int, int, str, int]]]


@dataclass
class Row:
    """A valid row, typed: the fields of an observation (what validate.py's frame holds per row)."""

    line: int
    obs_date: dt.date
    obs_time: str
    commodity_id: int
    outlet_id: int
    price_vnd: int
    price_type: str
    zone: int | None
    source: str
    is_estimate: bool
    orig_price_vnd: int | None
    orig_unit: str | None
    name_raw: str | None
    source_url: str | None

    @property
    def key(self) -> tuple[int, int, dt.date, str, str]:
        """The series key of the row (one current price per key)."""
        return (self.commodity_id, self.outlet_id, self.obs_date, self.price_type, self.obs_time)


@dataclass
class ValidatedRows:
    """The valid rows of a batch, the rejected ones, and exact repeats dropped."""

    rows: list[Row]
    problems: list[Problem]
    duplicates: int
    # line of each exact repeat dropped -> line of the row kept for its key
    repeats: dict[int, int] = field(default_factory=dict)


def validate_rows(
    rows: list[dict[str, str]],
    lines: list[int],
    *,
    ref: Reference,
    today: dt.date,
    register_outlet: RegisterOutlet | None,
    history: HistoryRows,
    digit_ratio: float,
    history_days: int,
    min_history: int,
    source_default: str,
) -> ValidatedRows:
    """Check and type rows of text (with every column of csvfile.KNOWN_COLUMNS); nothing is written except
    newly declared outlets. Same contract and outcome as ``validate.validate`` on the same rows."""
    text = [{c: str(v).strip() for c, v in r.items()} for r in rows]
    n = len(text)
    why: list[list[str]] = [[] for _ in range(n)]

    def add(i: int, reason: str | None) -> None:
        if reason:
            why[i].append(reason)

    # The checks run column by column in validate.validate's order, so each row's reasons come out
    # in the same order.
    dates: list[dt.date | None] = []
    for i, r in enumerate(text):
        day, reason = rules.check_date(r["date"], today)
        dates.append(day)
        add(i, reason)
    coms: list[CommodityRef | None] = []
    for i, r in enumerate(text):
        com = ref.commodities.get(r["commodity"])
        coms.append(com)
        if com is None:
            add(i, rules.unknown_commodity(r["commodity"], ref))
    prices: list[int] = []
    for i, r in enumerate(text):
        price, reason = rules.check_price(r["price_vnd"])
        prices.append(price)
        add(i, reason)
    price_types = [_checked(r["price_type"], rules.check_price_type, why[i]) for i, r in enumerate(text)]
    zones = [_checked(r["zone"], rules.check_zone, why[i]) for i, r in enumerate(text)]
    times = [_checked(r["time"], rules.check_time, why[i]) for i, r in enumerate(text)]
    estimates = [_checked(r["estimate"], rules.check_estimate, why[i]) for i, r in enumerate(text)]
    sources = [rules.source_of(r["source"], source_default) for r in text]

    outlet_ids = _outlets(text, dates, ref, register_outlet, add)
    for i, r in enumerate(text):
        if zones[i] is None:
            known = ref.outlets.get(r["outlet"])
            zones[i] = known.zone if known is not None else None

    orig_prices: list[int | None] = [None] * n
    orig_units: list[str | None] = [None] * n
    conversions: dict[tuple[int, str], tuple[Decimal | None, str | None]] = {}
    for i, r in enumerate(text):
        unit, com = r["unit"], coms[i]
        if unit == "" or com is None:
            continue
        if (com.id, unit) not in conversions:
            conversions[(com.id, unit)] = rules.unit_conversion(com, unit)
        factor, reason = conversions[(com.id, unit)]
        if reason is not None:
            add(i, reason)
        elif factor is not None:
            orig_prices[i] = prices[i]
            orig_units[i] = unit
            prices[i] = rules.converted_price(prices[i], factor)
            add(i, rules.lost_in_conversion(com, unit, orig_prices[i] or 0, prices[i]))

    inf = float("inf")
    for i, com in enumerate(coms):
        if com is not None and rules.outside_bounds(
            prices[i], rules.bound(com.min_vnd, -inf), rules.bound(com.max_vnd, inf)
        ):
            add(i, rules.bounds_reason(com, prices[i]))

    candidates = [i for i in range(n) if not why[i]]
    typed: list[Row | None] = [None] * n
    for i in range(n):
        com, day, oid = coms[i], dates[i], outlet_ids[i]
        if com is not None and day is not None and oid is not None:
            typed[i] = Row(
                line=int(lines[i]),
                obs_date=day,
                obs_time=times[i],
                commodity_id=com.id,
                outlet_id=oid,
                price_vnd=prices[i],
                price_type=price_types[i],
                zone=zones[i],
                source=sources[i],
                is_estimate=estimates[i],
                orig_price_vnd=orig_prices[i],
                orig_unit=orig_units[i],
                name_raw=text[i]["name_raw"] or None,
                source_url=text[i]["source_url"] or None,
            )
    if candidates:
        cand = [typed[i] for i in candidates]
        _check_digits(candidates, cand, add, history, digit_ratio, history_days, min_history)  # type: ignore[arg-type]

    duplicate = _check_duplicates(typed, why)
    problems = [Problem(int(lines[i]), "; ".join(why[i]), dict(text[i])) for i in range(n) if why[i]]
    valid = [row for i, row in enumerate(typed) if not why[i] and duplicate[i] is None and row is not None]
    repeats = {int(lines[i]): int(lines[k]) for i, k in enumerate(duplicate) if k is not None and not why[i]}
    return ValidatedRows(valid, problems, len(repeats), repeats)


def _checked(value: str, rule: Callable[[str], tuple[T, str | None]], reasons: list[str]) -> T:
    typed, reason = rule(value)
    if reason:
        reasons.append(reason)
    return typed


def _outlets(
    text: list[dict[str, str]],
    dates: list[dt.date | None],
    ref: Reference,
    register_outlet: RegisterOutlet | None,
    add: Callable[[int, str | None], None],
) -> list[int | None]:
    for i, r in enumerate(text):
        if r["outlet"] == "":
            add(i, rules.MISSING_OUTLET)
    registered = {code: o.outlet_type for code, o in ref.outlets.items()}
    for i, r in enumerate(text):
        known = registered.get(r["outlet"])
        given = r["outlet_type"].lower()
        if known is not None and given != "" and given != known:
            add(i, rules.outlet_type_mismatch(given, known))
    new: dict[str, list[int]] = {}
    for i, r in enumerate(text):
        if r["outlet"] != "" and r["outlet"] not in registered:
            new.setdefault(r["outlet"], []).append(i)
    for code, group in new.items():  # in order of first appearance, as pandas' groupby(sort=False)
        reason = rules.declare_outlet(
            code,
            [text[i]["outlet_type"] for i in group],
            [text[i]["area"] for i in group],
            [text[i]["outlet_name"] for i in group],
            [dates[i] for i in group],
            ref,
            register_outlet,
        )
        if reason:
            for i in group:
                add(i, reason)
    ids: list[int | None] = []
    for r in text:
        outlet = ref.outlets.get(r["outlet"])
        ids.append(outlet.id if outlet is not None else None)
    return ids


def _check_digits(
    positions: list[int],
    cand: list[Row],
    add: Callable[[int, str | None], None],
    history: HistoryRows,
    ratio: float,
    history_days: int,
    min_history: int,
) -> None:
    """Reject a price about ratio× (or 1/ratio) off its series' usual level: an extra or missing digit."""
    start = min(r.obs_date for r in cand) - dt.timedelta(days=history_days)
    end = max(r.obs_date for r in cand)
    series: dict[tuple[int, int, str], list[float]] = {}
    peers: dict[tuple[int, str], list[float]] = {}
    for r in cand:
        series.setdefault((r.commodity_id, r.outlet_id, r.price_type), [])
        peers.setdefault((r.commodity_id, r.price_type), [])
    # The pool: the candidates themselves, then the stored prices (only the groups a candidate is in).
    pool = [(r.commodity_id, r.outlet_id, r.price_type, r.price_vnd) for r in cand]
    for rows in (pool, history(sorted({r.commodity_id for r in cand}), start, end)):
        for cid, oid, ptype, price in rows:
            p = peers.get((cid, ptype))
            if p is None:
                continue
            value = float(price)
            p.append(value)
            s = series.get((cid, oid, ptype))
            if s is not None:
                s.append(value)
    nan = float("nan")
    levels_s = {k: rules.usable(rules.median(v), len(v), min_history) for k, v in series.items()}
    levels_p = {k: rules.usable(rules.median(v), len(v), min_history) for k, v in peers.items()}
    for pos, r in zip(positions, cand, strict=True):
        s_med = levels_s.get((r.commodity_id, r.outlet_id, r.price_type), nan)
        p_med = levels_p.get((r.commodity_id, r.price_type), nan)
        price = float(r.price_vnd)
        high, low = rules.digit_error(price, s_med, p_med, ratio)
        if high or low:
            level = p_med if s_med != s_med else s_med
            add(pos, rules.digit_reason(price, level, r.obs_date, bool(high)))


def _check_duplicates(typed: list[Row | None], why: list[list[str]]) -> list[int | None]:
    """Exact repeats within the batch are dropped (for each row: the position of the row it repeats, or
    None); the same key with different prices is rejected."""
    groups: dict[tuple[int, int, dt.date, str, str], list[int]] = {}
    for i, row in enumerate(typed):
        if row is not None and not why[i]:
            groups.setdefault(row.key, []).append(i)
    duplicate: list[int | None] = [None] * len(typed)
    for members in groups.values():
        if len(members) < 2:
            continue
        prices = [typed[i].price_vnd for i in members]  # type: ignore[union-attr]
        if len(set(prices)) > 1:
            reason = rules.conflict_reason([typed[i].line for i in members], prices)  # type: ignore[union-attr]
            for i in members:
                why[i].append(reason)
        else:
            for i in members[1:]:
                duplicate[i] = members[0]
    return duplicate
