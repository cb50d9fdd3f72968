"""Row validation, vectorised with pandas: every bad row gets every reason, in plain Vietnamese.

Speed: the per-value checks (trimming, dates, prices, price types, zones, times, outlet types…) are
element-wise, so they run once per distinct value of a column and their results and reasons are
spread back to the rows (``_by_value``). An import file repeats the same dates, codes and prices
over and over, so a chunk of 200 000 rows has only a few thousand distinct values per column.
Messages quoting a row's value are built for the rejected rows only.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from binhon.db.models import OUTLET_TYPES, PRICE_TYPES
from binhon.formatting import fold_key, format_date, format_vnd, parse_vnd
from binhon.ingest.csvfile import LINE, Problem
from binhon.ingest.reference import CommodityRef, OutletRef, Reference
from binhon.units import UnitMismatch, conversion_factor, parse_measure

_TRUE = {"1", "true", "yes", "có", "co", "x", "ước", "uoc", "ước tính"}
_FALSE = {"", "0", "false", "no", "không", "khong"}

# Called for an outlet code that is not registered: (code, outlet_type, area, name, first date)
# -> the registered outlet, or the reason it cannot be registered.
RegisterOutlet = Callable[[str, str, str, str, dt.date], "OutletRef | str"]
# (commodity ids, outlet ids, start, end) -> frame of stored current prices
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

    @property
    def text(self) -> pd.Series:
        """The reasons of every row ("" for a good row)."""
        return pd.Series(self.texts, index=self.index, dtype=object)


# A column as (codes, distinct values): column == values.take(codes), row for row.
Distinct = tuple[np.ndarray, pd.Series]


def _distinct(s: pd.Series) -> Distinct:
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=s.dtype)


def _by_value(
    s: pd.Series,
    errors: _Errors | None,
    check: Callable[[pd.Series, _Errors], pd.Series],
    distinct: Distinct | None = None,
) -> pd.Series:
    """Run an element-wise check on the distinct values of s only; spread results and reasons to its rows.

    check(values, errors) gets the distinct values (a Series of s's dtype) and an _Errors for them,
    exactly as it would get the whole column: the outcome is the same, row for row. distinct is s's
    factorisation when already known.
    """
    codes, values = distinct if distinct is not None else _distinct(s)
    local = _Errors(values.index)
    result = check(values, local)
    out = result.take(codes)
    out.index = s.index
    if errors is not None and local.flags.any():
        errors.add(local.flags[codes], local.texts[codes])
    return out


def _lookup(s: pd.Series, mapping: dict[str, object], distinct: Distinct | None = None) -> pd.Series:
    """s.map(mapping), looked up once per distinct value."""
    return _by_value(s, None, lambda values, _e: values.map(mapping), distinct)


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


def _suggest(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    return f" (có phải: {', '.join(close)}?)" if close else ""


def _parse_dates(s: pd.Series, errors: _Errors, today: dt.date) -> pd.Series:
    dates = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    need = dates.isna() & (s != "")
    if need.any():
        vn = s[need]
        shaped = vn.str.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
        normal = vn.where(shaped, "").str.replace(r"[.-]", "/", regex=True)
        dates[need] = pd.to_datetime(normal, format="%d/%m/%Y", errors="coerce")
    errors.add(s == "", "thiếu ngày")
    invalid = dates.isna() & (s != "")
    errors.add(invalid, "ngày không hợp lệ: '" + s + "' (dùng YYYY-MM-DD hoặc dd/mm/yyyy)")
    future = dates > pd.Timestamp(today + dt.timedelta(days=1))
    if future.any():
        errors.add(future, "ngày " + dates[future].dt.strftime("%d/%m/%Y") + " ở tương lai")
    return dates.dt.normalize()


def _parse_prices(s: pd.Series, errors: _Errors) -> pd.Series:
    price = pd.Series(np.zeros(len(s), dtype=np.int64), index=s.index)
    plain = s.str.isascii() & s.str.isdigit() & (s.str.len() <= 15)
    price[plain] = pd.to_numeric(s[plain]).astype(np.int64)
    others = ~plain
    failed = pd.Series(False, index=s.index)
    reasons = pd.Series("", index=s.index, dtype=object)
    for idx, value in s[others].items():
        try:
            price[idx] = parse_vnd(value)
        except ValueError as exc:
            failed[idx] = True
            reasons[idx] = str(exc)
    errors.add(failed, reasons)
    non_positive = ~failed & (price <= 0)
    errors.add(non_positive, "giá phải lớn hơn 0 (" + s + ")")
    return price


def _choice(s: pd.Series, allowed: tuple[str, ...], default: str, what: str, errors: _Errors) -> pd.Series:
    value = s.str.lower().where(s != "", default)
    bad = ~value.isin(allowed)
    errors.add(bad, f"{what} '" + s + f"' không hợp lệ (dùng: {', '.join(allowed)})")
    return value


def _parse_zone(s: pd.Series, errors: _Errors) -> pd.Series:
    zone = pd.Series(pd.array([pd.NA] * len(s), dtype="Int64"), index=s.index)
    ok = s.isin(["1", "2"])
    zone[ok] = s[ok].astype(int)
    errors.add(~ok & (s != ""), "vùng giá '" + s + "' không hợp lệ (1 hoặc 2)")
    return zone


def _parse_time(s: pd.Series, errors: _Errors) -> pd.Series:
    has = s != ""
    if not has.any():
        return s
    shaped = s.str.fullmatch(r"([01]?\d|2[0-3])[:hH]([0-5]\d)")
    errors.add(has & ~shaped, "giờ '" + s + "' không hợp lệ (HH:MM)")
    parts = s.where(shaped, "0:00").str.replace(r"[hH]", ":", regex=True).str.split(":", expand=True)
    normal = parts[0].str.zfill(2) + ":" + parts[1]
    return normal.where(has & shaped, "")


def _parse_estimate(s: pd.Series, errors: _Errors) -> pd.Series:
    folded = s.str.lower()
    errors.add(~folded.isin(_TRUE | _FALSE), "cột estimate '" + s + "' không hợp lệ (1/0, có/không)")
    return folded.isin(_TRUE)


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

    dates = _by_value(f["date"], errors, lambda s, e: _parse_dates(s, e, today), distinct["date"])
    commodity_codes = f["commodity"]
    commodity_ids = {c: r.id for c, r in ref.commodities.items()}
    commodity_id = _lookup(commodity_codes, commodity_ids, distinct["commodity"])
    unknown = commodity_id.isna()
    if unknown.any():
        choices = list(ref.commodities)
        hint = {v: _suggest(v, choices) for v in commodity_codes[unknown].unique()}
        errors.add(commodity_codes == "", "thiếu mã hàng hóa")
        missing = unknown & (commodity_codes != "")
        bad_codes = commodity_codes[missing]
        errors.add(
            missing,
            "mã hàng hóa '" + bad_codes + "' không có trong danh mục" + bad_codes.map(hint).fillna(""),
        )
    price = _by_value(f["price_vnd"], errors, _parse_prices, distinct["price_vnd"])
    price_type = _by_value(
        f["price_type"],
        errors,
        lambda s, e: _choice(s, PRICE_TYPES, "retail", "loại giá", e),
        distinct["price_type"],
    )
    zone = _by_value(f["zone"], errors, _parse_zone, distinct["zone"])
    obs_time = _by_value(f["time"], errors, _parse_time, distinct["time"])
    estimate = _by_value(f["estimate"], errors, _parse_estimate, distinct["estimate"])
    source = _by_value(
        f["source"],
        None,
        lambda s, _e: s.where(s != "", source_default).str.slice(0, 120),
        distinct["source"],
    )

    outlet_id = _outlets(f, dates, ref, register_outlet, errors, distinct)
    outlet_zone = _lookup(f["outlet"], {c: o.zone for c, o in ref.outlets.items()}, distinct["outlet"])
    zone = zone.fillna(outlet_zone.astype("Int64"))

    orig_price = pd.Series(pd.array([pd.NA] * len(f), dtype="Int64"), index=f.index)
    orig_unit = pd.Series("", index=f.index, dtype=object)
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
        _check_digits(rows, ok, ref, errors, history, digit_ratio, history_days, min_history)
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
    dates: pd.Series,
    ref: Reference,
    register_outlet: RegisterOutlet | None,
    errors: _Errors,
    distinct: dict[str, Distinct],
) -> pd.Series:
    codes = f["outlet"]
    errors.add(codes == "", "thiếu mã điểm bán")
    types = _by_value(f["outlet_type"], None, lambda s, _e: s.str.lower(), distinct["outlet_type"])
    registered_types = {c: o.outlet_type for c, o in ref.outlets.items()}
    known = _lookup(codes, registered_types, distinct["outlet"]).astype(object)
    mismatch = known.notna() & (types != "") & (types != known)
    if mismatch.any():
        registered = known[mismatch].fillna("")
        errors.add(
            mismatch,
            "loại điểm bán '" + types[mismatch] + "' khác với loại đã đăng ký '" + registered + "'",
        )
    new = known.isna() & (codes != "")
    if new.any():
        for code, group in f[new].groupby("outlet", sort=False):
            reason = _declare_outlet(str(code), group, dates[group.index], ref, register_outlet)
            if reason:
                errors.add(codes.index.isin(group.index) & (codes == code), reason)
    return _lookup(codes, {c: o.id for c, o in ref.outlets.items()}, distinct["outlet"])


def _declare_outlet(
    code: str,
    group: pd.DataFrame,
    dates: pd.Series,
    ref: Reference,
    register_outlet: RegisterOutlet | None,
) -> str | None:
    """Register an unknown outlet from its rows' outlet_type and area; the reason if it cannot be."""
    if register_outlet is None:
        return f"điểm bán '{code}' chưa được đăng ký"
    types = {t.lower() for t in group["outlet_type"] if t}
    areas = {fold_key(a): a for a in group["area"] if a}
    official = types == {"official"}
    if not types or (not areas and not official):
        need = " và ".join(n for n, v in (("outlet_type", types), ("area", areas)) if not v)
        return f"điểm bán '{code}' chưa đăng ký: cần cột {need} để đăng ký mới"
    if len(types) > 1 or len(areas) > 1:
        return f"điểm bán mới '{code}' được khai báo khác nhau giữa các dòng (loại/địa bàn)"
    (otype,) = types
    if otype not in OUTLET_TYPES:
        return f"loại điểm bán '{otype}' không hợp lệ (dùng: {', '.join(OUTLET_TYPES)})"
    names = [n for n in group["outlet_name"] if n]
    first = dates.min()
    on = first.date() if pd.notna(first) else dt.date.today()
    area = next(iter(areas.values())) if areas else ""
    outcome = register_outlet(code, otype, area, names[0] if names else code, on)
    if isinstance(outcome, str):
        return outcome
    ref.outlets[code] = outcome
    return None


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
        if fold_key(str(unit)) == fold_key(com.unit):
            continue
        measure = parse_measure(str(unit))
        idx = group.index
        if measure is None:
            errors.add(units.index.isin(idx), f"đơn vị '{unit}' không đọc được (ví dụ: kg, 500 g, lít, 10 quả)")
            continue
        try:
            factor = conversion_factor(measure, com.measure)
        except UnitMismatch:
            errors.add(
                units.index.isin(idx), f"không quy đổi được đơn vị '{unit}' sang đơn vị của {com.name} ({com.unit})"
            )
            continue
        orig_price[idx] = price[idx]
        orig_unit[idx] = str(unit)
        converted = (price[idx].astype(float) * float(factor)).round()
        price[idx] = converted.astype(np.int64)
    return price


def _check_bounds(
    codes: pd.Series, price: pd.Series, ref: Reference, errors: _Errors, distinct: Distinct | None = None
) -> None:
    low = _lookup(codes, {c: r.min_vnd for c, r in ref.commodities.items()}, distinct)
    high = _lookup(codes, {c: r.max_vnd for c, r in ref.commodities.items()}, distinct)
    out = (low.notna() & (price < low.fillna(0))) | (high.notna() & (price > high.fillna(0)))
    out &= price > 0
    if not out.any():
        return
    reasons = pd.Series("", index=codes.index, dtype=object)
    for idx in codes.index[out]:
        com = ref.commodities[codes[idx]]
        reasons[idx] = (
            f"giá {format_vnd(int(price[idx]))}/{com.unit} nằm ngoài khoảng hợp lý "
            f"{format_vnd(com.min_vnd or 0)} – {format_vnd(com.max_vnd or 0)} của {com.name}"
        )
    errors.add(out, reasons)


def _check_digits(
    rows: pd.DataFrame,
    ok: pd.Series,
    ref: Reference,
    errors: _Errors,
    history: History,
    ratio: float,
    history_days: int,
    min_history: int,
) -> None:
    """Reject a price about 10× (or 1/10) off its series' usual level: an extra or missing digit."""
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
    s_med = np.where(s_size >= min_history, s_median, np.nan)
    p_med = np.where(p_size >= min_history, p_median, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_series = price / s_med
        r_peers = price / p_med
        high = (r_series >= ratio) | (r_peers >= ratio)
        low = (r_series <= 1 / ratio) | (r_peers <= 1 / ratio)
    if not (high.any() or low.any()):
        return
    ref_level = np.where(np.isnan(s_med), p_med, s_med)
    reasons = pd.Series("", index=rows.index, dtype=object)
    mask = pd.Series(False, index=rows.index)
    for pos in np.flatnonzero(high | low):
        idx = cand.index[pos]
        level = int(round(ref_level[pos])) if not np.isnan(ref_level[pos]) else 0
        what = "thừa một chữ số" if high[pos] else "thiếu một chữ số"
        reasons[idx] = (
            f"giá {format_vnd(int(price[pos]))} lệch quá xa mức thường gặp {format_vnd(level)} "
            f"(ngày {format_date(cand.at[idx, 'obs_date'].date())}): có thể {what}"
        )
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
        lines = groups["line"].transform(lambda s: ", ".join(str(v) for v in s))
        prices = groups["price_vnd"].transform(lambda s: " / ".join(format_vnd(int(v)) for v in s))
        msg = "cùng ngày, hàng, điểm bán và loại giá ở các dòng " + lines + " nhưng giá khác nhau (" + prices + ")"
        mask = pd.Series(False, index=rows.index)
        mask[conflict_idx] = True
        errors.add(mask, msg.reindex(rows.index).fillna(""))
    exact = sub[dup_key & ~sub.index.isin(conflict_idx)].duplicated(key, keep="first")
    out = pd.Series(False, index=rows.index)
    out[exact.index[exact]] = True
    return out
