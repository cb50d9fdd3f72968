"""Row validation of a chunk of a file, vectorised with pandas: every bad row gets every reason.

The rules and their messages are defined once in ``binhon.ingest.rules``; this module applies them to
whole columns, and ``binhon.ingest.validate_rows`` applies the same rules row by row to small batches.

Speed: the per-value rules (dates, prices, price types, zones, times, estimates, sources) run once per
distinct value of a column and their results and reasons are spread back to the rows (``_per_value``).
An import file repeats the same dates, codes and prices over and over, so a chunk of 200 000 rows has
only a few thousand distinct values per column. The rules across columns (bounds, units, plausibility,
duplicates) run on whole columns; messages are built for the rejected rows only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from binhon.ingest import rules
from binhon.ingest.csvfile import LINE, Problem
from binhon.ingest.reference import CommodityRef, Reference
from binhon.ingest.rules import RegisterOutlet

__all__ = ["History", "RegisterOutlet", "Validated", "validate"]

# (commodity ids, start, end) -> frame of stored current prices
# [commodity_id, outlet_id, price_type, price_vnd] in that date window.
History = Callable[[list[int], dt.date, dt.date], pd.DataFrame]


@dataclass
class Validated:
    """The valid rows of a chunk (typed), the rejected ones, and exact repeats dropped."""

    rows: pd.DataFrame
    problems: list[Problem]
    duplicates: int


class _Errors:
    """Accumulates reasons per row; a row may collect several."""

    def __init__(self, index: pd.Index) -> None:
        self.index = index
        self.texts = np.full(len(index), "", dtype=object)
        self.flags = np.zeros(len(index), dtype=bool)

    def add(self, mask: pd.Series | np.ndarray, reason: pd.Series | np.ndarray | str) -> None:
        """Add reason to the rows of mask; a Series reason needs values for (at least) those rows."""
        if isinstance(mask, pd.Series):
            m = mask.to_numpy(dtype=bool, na_value=False)
        else:
            m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        if isinstance(reason, pd.Series):
            msg: object = reason.loc[self.index[m]].to_numpy(dtype=object)
        elif isinstance(reason, np.ndarray):
            msg = reason[m]
        else:
            msg = reason
        current = self.texts[m]
        self.texts[m] = np.where(current == "", msg, current + "; " + msg)
        self.flags[m] = self.texts[m] != ""

    @property
    def bad(self) -> np.ndarray:
        """Rows with at least one reason."""
        return self.flags


# A column as (codes, distinct values): column == values.take(codes), row for row.
Distinct = tuple[np.ndarray, pd.Series]


def _distinct(s: pd.Series) -> Distinct:
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=s.dtype)


def _strip(s: pd.Series) -> tuple[pd.Series, Distinct]:
    """The column as text without surrounding whitespace (computed per distinct value), factorised."""
    s = s.astype(str)
    codes, values = _distinct(s)
    stripped = values.str.strip()
    if stripped.equals(values):
        return s, (codes, values)
    inner, merged = pd.factorize(stripped, use_na_sentinel=False)
    codes = inner[codes]
    values = pd.Series(merged, dtype=s.dtype)
    out = values.take(codes)
    out.index = s.index
    return out, (codes, values)


def _per_value(
    errors: _Errors | None, rule: Callable[[str], tuple[Any, str | None]], distinct: Distinct
) -> tuple[list[Any], np.ndarray]:
    """Apply a per-value rule to each distinct value of a column; add its reasons to the column's rows.

    Returns the typed value of each distinct value and the column's codes (row i has value codes[i]).
    """
    codes, values = distinct
    results = [rule(v) for v in values.tolist()]
    if errors is not None:
        reasons = np.array([why or "" for _, why in results], dtype=object)
        has = reasons != ""
        if has.any():
            errors.add(has[codes], reasons[codes])
    return [value for value, _ in results], codes


def _column(values: list[Any], codes: np.ndarray, index: pd.Index, dtype: Any = object) -> pd.Series:
    """Per-distinct values spread to the rows as a Series."""
    if dtype == "Int64":
        return pd.Series(pd.array(values, dtype="Int64").take(codes), index=index)
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return pd.Series(arr[codes], index=index, dtype=dtype)


def _lookup(s: pd.Series, mapping: dict[str, Any], distinct: Distinct) -> pd.Series:
    """s.map(mapping), looked up once per distinct value (NaN where missing)."""
    codes, values = distinct
    looked = values.map(mapping)
    out = looked.take(codes)
    out.index = s.index
    return out


def validate(
    frame: pd.DataFrame,
    *,
    ref: Reference,
    today: dt.date,
    register_outlet: RegisterOutlet | None,
    history: History,
    digit_ratio: float,
    history_days: int,
    min_history: int,
    source_default: str,
) -> Validated:
    """Check and type a chunk of string rows; nothing is written except newly declared outlets."""
    f = frame
    distinct: dict[str, Distinct] = {}
    for col in f.columns:
        if col != LINE:
            f[col], distinct[col] = _strip(f[col])
    errors = _Errors(f.index)
    index = f.index

    day_values, day_codes = _per_value(errors, lambda v: rules.check_date(v, today), distinct["date"])
    days = np.array([d.isoformat() if d else "NaT" for d in day_values], dtype="datetime64[D]")
    dates = pd.Series(days.astype("datetime64[us]")[day_codes], index=index)
    day_objects = _column(day_values, day_codes, index)  # datetime.date or None, for outlet declarations

    commodity_codes = f["commodity"]
    commodity_id = _lookup(
        commodity_codes, {c: r.id for c, r in ref.commodities.items()}, distinct["commodity"]
    )
    unknown = commodity_id.isna()
    if unknown.any():
        codes, values = distinct["commodity"]
        reasons = np.array(
            [rules.unknown_commodity(v, ref) if v not in ref.commodities else "" for v in values.tolist()],
            dtype=object,
        )
        errors.add(unknown, reasons[codes])
    price_values, price_codes = _per_value(errors, rules.check_price, distinct["price_vnd"])
    price = pd.Series(np.array(price_values, dtype=np.int64)[price_codes], index=index)
    price_type = _column(*_per_value(errors, rules.check_price_type, distinct["price_type"]), index, str)
    zone = _column(*_per_value(errors, rules.check_zone, distinct["zone"]), index, "Int64")
    obs_time = _column(*_per_value(errors, rules.check_time, distinct["time"]), index, str)
    estimate = _column(*_per_value(errors, rules.check_estimate, distinct["estimate"]), index, bool)
    source = _column(
        *_per_value(None, lambda v: (rules.source_of(v, source_default), None), distinct["source"]),
        index,
        str,
    )

    outlet_id = _outlets(f, day_objects, ref, register_outlet, errors, distinct)
    outlet_zone = _lookup(f["outlet"], {c: o.zone for c, o in ref.outlets.items()}, distinct["outlet"])
    zone = zone.fillna(outlet_zone.astype("Int64"))

    orig_price = pd.Series(pd.array([pd.NA] * len(f), dtype="Int64"), index=index)
    orig_unit = pd.Series("", index=index, dtype=object)
    price = _convert_units(f, commodity_id, price, ref, errors, orig_price, orig_unit)
    _check_bounds(commodity_codes, price, ref, errors, distinct["commodity"])

    ok = ~errors.bad
    rows = pd.DataFrame(
        {
            "line": f[LINE],
            "obs_date": dates,
            "obs_time": obs_time,
            "commodity_id": commodity_id,
            "outlet_id": outlet_id,
            "price_vnd": price,
            "price_type": price_type,
            "zone": zone,
            "source": source,
            "is_estimate": estimate,
            "orig_price_vnd": orig_price,
            "orig_unit": orig_unit.where(orig_unit != "", None),
            "name_raw": f["name_raw"].where(f["name_raw"] != "", None),
            "source_url": f["source_url"].where(f["source_url"] != "", None),
        }
    )
    if ok.any():
        _check_digits(rows, ok, errors, history, digit_ratio, history_days, min_history)
    duplicates = _check_duplicates(rows, errors).to_numpy(dtype=bool)
    bad = errors.bad
    ok = ~bad & ~duplicates
    problems = []
    if bad.any():
        rejected = f.loc[bad]
        records = rejected.drop(columns=[LINE]).to_dict("records")
        lines = rejected[LINE].tolist()
        reasons = errors.texts[bad].tolist()
        problems = [
            Problem(int(line), reason, {c: str(v) for c, v in rec.items()})
            for line, reason, rec in zip(lines, reasons, records, strict=True)
        ]
    valid = rows.loc[ok].copy()
    valid["commodity_id"] = valid["commodity_id"].astype(np.int64)
    valid["outlet_id"] = valid["outlet_id"].astype(np.int64)
    return Validated(valid, problems, int((duplicates & ~bad).sum()))


def _outlets(
    f: pd.DataFrame,
    day_objects: pd.Series,
    ref: Reference,
    register_outlet: RegisterOutlet | None,
    errors: _Errors,
    distinct: dict[str, Distinct],
) -> pd.Series:
    codes = f["outlet"]
    errors.add(codes == "", rules.MISSING_OUTLET)
    types = _column(*_per_value(None, lambda v: (v.lower(), None), distinct["outlet_type"]), f.index)
    registered_types = {c: o.outlet_type for c, o in ref.outlets.items()}
    known = _lookup(codes, registered_types, distinct["outlet"]).astype(object)
    mismatch = known.notna() & (types != "") & (types != known)
    if mismatch.any():
        reasons = pd.Series("", index=f.index, dtype=object)
        reasons[mismatch] = [
            rules.outlet_type_mismatch(t, k)
            for t, k in zip(types[mismatch].tolist(), known[mismatch].tolist(), strict=True)
        ]
        errors.add(mismatch, reasons)
    new = known.isna() & (codes != "")
    if new.any():
        for code, group in f[new].groupby("outlet", sort=False):
            reason = rules.declare_outlet(
                str(code),
                group["outlet_type"].tolist(),
                group["area"].tolist(),
                group["outlet_name"].tolist(),
                day_objects[group.index].tolist(),
                ref,
                register_outlet,
            )
            if reason:
                errors.add(codes.index.isin(group.index) & (codes == code), reason)
    return _lookup(codes, {c: o.id for c, o in ref.outlets.items()}, distinct["outlet"])


def _convert_units(
    f: pd.DataFrame,
    commodity_id: pd.Series,
    price: pd.Series,
    ref: Reference,
    errors: _Errors,
    orig_price: pd.Series,
    orig_unit: pd.Series,
) -> pd.Series:
    units = f["unit"]
    has = (units != "") & commodity_id.notna()
    if not has.any():
        return price
    by_id: dict[int, CommodityRef] = {r.id: r for r in ref.commodities.values()}
    price = price.copy()
    for (cid, unit), group in f[has].groupby([commodity_id[has], units[has]], sort=False):
        com = by_id[int(cid)]
        factor, reason = rules.unit_conversion(com, str(unit))
        idx = group.index
        if reason is not None:
            errors.add(units.index.isin(idx), reason)
            continue
        if factor is None:
            continue
        before = price[idx]
        after = rules.converted_price(before.to_numpy(dtype=float), factor).astype(np.int64)
        orig_price[idx] = before
        orig_unit[idx] = str(unit)
        price[idx] = after
        lost = (before.to_numpy() > 0) & (after <= 0)
        if lost.any():
            reasons = pd.Series("", index=f.index, dtype=object)
            for i, b, a in zip(idx[lost], before.to_numpy()[lost], after[lost], strict=True):
                reasons[i] = rules.lost_in_conversion(com, str(unit), int(b), int(a))
            errors.add(f.index.isin(idx[lost]), reasons)
    return price


def _check_bounds(
    codes: pd.Series, price: pd.Series, ref: Reference, errors: _Errors, distinct: Distinct
) -> None:
    inf = float("inf")
    low = _lookup(codes, {c: rules.bound(r.min_vnd, -inf) for c, r in ref.commodities.items()}, distinct)
    high = _lookup(codes, {c: rules.bound(r.max_vnd, inf) for c, r in ref.commodities.items()}, distinct)
    values = price.to_numpy()
    out = rules.outside_bounds(values, low.to_numpy(dtype=float), high.to_numpy(dtype=float))
    if not out.any():
        return
    reasons = np.full(len(codes), "", dtype=object)
    for pos in np.flatnonzero(out):
        reasons[pos] = rules.bounds_reason(ref.commodities[codes.iat[pos]], int(values[pos]))
    errors.add(out, reasons)


def _check_digits(
    rows: pd.DataFrame,
    ok: np.ndarray,
    errors: _Errors,
    history: History,
    ratio: float,
    history_days: int,
    min_history: int,
) -> None:
    """Reject a price about ratio× (or 1/ratio) off its series' usual level: an extra or missing digit."""
    cand = rows.loc[ok, ["commodity_id", "outlet_id", "price_type", "obs_date", "price_vnd"]]
    start = (cand["obs_date"].min() - pd.Timedelta(days=history_days)).date()
    end = cand["obs_date"].max().date()
    stored = history(sorted({int(c) for c in cand["commodity_id"].unique()}), start, end)
    pool = pd.concat(
        [cand[["commodity_id", "outlet_id", "price_type", "price_vnd"]], stored], ignore_index=True
    )
    pool["commodity_id"] = pool["commodity_id"].astype(np.int64)
    pool["outlet_id"] = pool["outlet_id"].astype(np.int64)
    # float, not object (an empty history makes the concatenation object): the median then runs in C
    prices = pool["price_vnd"].astype(np.float64)
    n = len(cand)  # the candidates are the first rows of the pool

    def stats(keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Median and size of each candidate's group in the pool (group numbers, no MultiIndex)."""
        ids = pool.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        median = prices.groupby(ids).median().to_numpy(dtype=float)
        size = np.bincount(ids).astype(float)
        return median[ids[:n]], size[ids[:n]]

    s_median, s_size = stats(["commodity_id", "outlet_id", "price_type"])
    p_median, p_size = stats(["commodity_id", "price_type"])
    price = cand["price_vnd"].to_numpy(dtype=float)
    s_med = rules.usable(s_median, s_size, min_history)
    p_med = rules.usable(p_median, p_size, min_history)
    with np.errstate(invalid="ignore", divide="ignore"):
        high, low = rules.digit_error(price, s_med, p_med, ratio)
    if not (high.any() or low.any()):
        return
    ref_level = np.where(np.isnan(s_med), p_med, s_med)
    reasons = pd.Series("", index=rows.index, dtype=object)
    mask = pd.Series(False, index=rows.index)
    for pos in np.flatnonzero(high | low):
        idx = cand.index[pos]
        day = cand.at[idx, "obs_date"].date()
        reasons[idx] = rules.digit_reason(price[pos], float(ref_level[pos]), day, bool(high[pos]))
        mask[idx] = True
    errors.add(mask, reasons)


def _check_duplicates(rows: pd.DataFrame, errors: _Errors) -> pd.Series:
    """Exact repeats within the chunk are dropped; the same key with different prices is rejected."""
    key = ["commodity_id", "outlet_id", "obs_date", "price_type", "obs_time"]
    valid = ~errors.bad & rows["commodity_id"].notna() & rows["outlet_id"].notna()
    sub = rows.loc[valid, key + ["price_vnd", "line"]]
    if sub.empty:
        return pd.Series(False, index=rows.index)
    dup_key = sub.duplicated(key, keep=False)
    if not dup_key.any():
        return pd.Series(False, index=rows.index)
    groups = sub[dup_key].groupby(key, sort=False)
    conflict = groups["price_vnd"].transform("nunique") > 1
    conflict_idx = conflict.index[conflict]
    if len(conflict_idx):
        reasons = pd.Series("", index=rows.index, dtype=object)
        for _, group in sub.loc[conflict_idx].groupby(key, sort=False):
            reasons[group.index] = rules.conflict_reason(group["line"].tolist(), group["price_vnd"].tolist())
        mask = pd.Series(False, index=rows.index)
        mask[conflict_idx] = True
        errors.add(mask, reasons)
    exact = sub[dup_key & ~sub.index.isin(conflict_idx)].duplicated(key, keep="first")
    out = pd.Series(False, index=rows.index)
    out[exact.index[exact]] = True
    return out
