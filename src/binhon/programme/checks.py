"""Checks of the bình ổn commitments: pure functions from frames to alert candidates.

Three rules, each raising alerts of kind ``commitment_breach`` (CONTRACT):

``price``
    A participant's retail price at one of its sale points above its committed price
    (``Commitment.committed_price_vnd``) by more than ``commitments.tolerance``.
``margin``
    A participant's retail price not below the market by the committed margin: above
    ``market × (1 − margin)``, where *market* is the market price of that day
    (:func:`market_reference`), by more than ``commitments.tolerance``.
``reserve``
    Ahead of Tết (days to Tết in ``commitments.reserve.window``), the stock the participant last
    reported for the committed good below the committed quantity by more than
    ``commitments.reserve.tolerance``; or no stock reported at all ``missing_after_days`` into
    the window.

Everything is causal: a day is judged only from data dated on or before it (the market price of a
day uses each outlet's latest price in the ``window_days`` ending that day), and nothing after
``as_of`` is looked at. A breach *episode* is a run of breaching judged days of one commitment,
outlet and rule, ended by a judged day without breach. Its ``dedupe_key`` follows the detection
store's layout (``kind|commodity|price type|scope:code|first date``) with a price type of its own
(``register-price``, ``register-margin``, ``register-reserve``), so it never collides with the
detectors' alerts on ``committed`` observations. Its ``first_date`` and the figures it was
raised with (observed, expected, score, explanation) are those of its first day, so they never
change when later data arrive; ``last_date`` and ``severity`` (the worst day so far) may grow.
The store (:func:`binhon.programme.alerts.store_candidates`) keeps those freeze semantics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd

from binhon.formatting import format_date, format_number, format_percent, format_vnd
from binhon.reports.config import SEVERITIES, CommitmentChecksConfig, Severity
from binhon.tet import lunar_year_name, tet_date

__all__ = [
    "AlertCandidate",
    "Rule",
    "commitment_candidates_from_frames",
    "judge_prices",
    "market_reference",
    "price_candidates",
    "reserve_candidates",
    "reserve_status",
]

Rule = Literal["price", "margin", "reserve"]
KIND = "commitment_breach"
DETECTORS: dict[Rule, str] = {
    "price": "programme.committed_price",
    "margin": "programme.committed_margin",
    "reserve": "programme.reserve",
}

COMMITMENT_COLUMNS = [
    "commitment_id",
    "participant_id",
    "programme_year",
    "enterprise_name",
    "commodity_id",
    "commodity_code",
    "commodity_name",
    "unit",
    "committed_price_vnd",
    "margin_pct",
    "quantity",
    "value_vnd",
    "period_start",
    "period_end",
]
SALE_POINT_COLUMNS = ["participant_id", "outlet_id", "outlet_code", "outlet_name", "area_id"]
PRICE_COLUMNS = ["commodity_id", "outlet_id", "date", "price_vnd"]
RESERVE_COLUMNS = ["participant_id", "commodity_id", "report_date", "quantity", "value_vnd"]


@dataclass
class AlertCandidate:
    """An alert a check wants raised (or extended): the fields of an ``alerts`` row."""

    kind: str
    severity: Severity
    commodity_id: int | None
    outlet_id: int | None
    area_id: int | None
    first_date: dt.date
    last_date: dt.date
    observed_vnd: int | None
    expected_vnd: int | None
    score: float | None
    explanation: str
    detector: str
    dedupe_key: str
    details: dict[str, Any] = field(default_factory=dict)
    commodity_code: str | None = None
    outlet_code: str | None = None


# --- small helpers ----------------------------------------------------------------------------------


def _round_vnd(x: float) -> int:
    """Whole đồng, half up."""
    return int(Decimal(repr(float(x))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _label(name: str) -> str:
    """A commodity name as it reads inside a sentence ("Thịt lợn nạc (nạc dăm)" -> "thịt lợn nạc")."""
    short = name.split(" (")[0].strip() or name
    if len(short) > 1 and short[0].isupper() and not short[1].isupper():
        return short[0].lower() + short[1:]
    return short


def _price(vnd: int | float, unit: str) -> str:
    return f"{format_vnd(_round_vnd(vnd))}/{unit}" if unit else format_vnd(_round_vnd(vnd))


def _pct(fraction: float) -> str:
    value = abs(fraction)
    return format_percent(value, 0 if value >= 0.1 else 1)


def _qty(x: float) -> str:
    return format_number(x, 0 if float(x).is_integer() else 1)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    assert isinstance(value, dt.date)
    return value


def _severity_max(a: Severity | None, b: Severity | None) -> Severity | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if SEVERITIES.index(a) >= SEVERITIES.index(b) else b


def _runs(breach: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) positions of the runs of True in ``breach`` (judged rows in date order)."""
    out: list[tuple[int, int]] = []
    start = None
    for i, b in enumerate(breach):
        if b and start is None:
            start = i
        elif not b and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(breach) - 1))
    return out


# --- the market price -------------------------------------------------------------------------------


def market_reference(
    prices: pd.DataFrame,
    *,
    window_days: int,
    min_outlets: int,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """The market price of each commodity and day: median of each outlet's latest price in the window.

    Parameters
    ----------
    prices : DataFrame
        Retail prices with columns ``commodity_id, outlet_id, date, price_vnd`` (one outlet may
        have several prices a day: their mean is used).
    window_days : int
        An outlet's latest price counts on day *d* if it is dated within ``[d − window + 1, d]``.
    min_outlets : int
        Fewest outlets with a price in the window for a market price to exist.
    end : date, optional
        Last day computed (default: the last date in ``prices``).

    Returns
    -------
    DataFrame
        ``commodity_id, date, market_vnd, outlets`` for every day from the commodity's first price
        to ``end`` that has at least ``min_outlets`` outlets.

    Notes
    -----
    Causal by construction: the value of day *d* uses only prices dated on or before *d*.
    """
    cols = ["commodity_id", "date", "market_vnd", "outlets"]
    if prices.empty:
        return pd.DataFrame(columns=cols)
    p = prices.copy()
    p["date"] = pd.to_datetime(p["date"])
    last = pd.Timestamp(end) if end is not None else p["date"].max()
    out = []
    for cid, group in p.groupby("commodity_id", sort=True):
        wide = group.pivot_table(index="date", columns="outlet_id", values="price_vnd", aggfunc="mean")
        days = pd.date_range(wide.index.min(), max(last, wide.index.max()), freq="D")
        wide = wide.reindex(days).ffill(limit=window_days - 1)
        wide = wide.loc[wide.index <= last]
        n = wide.notna().sum(axis=1)
        med = wide.median(axis=1, skipna=True)
        frame = pd.DataFrame(
            {"commodity_id": cid, "date": wide.index, "market_vnd": med.to_numpy(), "outlets": n.to_numpy()}
        )
        out.append(frame[frame["outlets"] >= min_outlets])
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.concat(out, ignore_index=True)[cols]


# --- prices -----------------------------------------------------------------------------------------


def judge_prices(
    commitments: pd.DataFrame,
    sale_points: pd.DataFrame,
    prices: pd.DataFrame,
    market: pd.DataFrame,
    *,
    as_of: dt.date,
    config: CommitmentChecksConfig,
) -> pd.DataFrame:
    """Every judged day of every commitment, sale point and price rule, with its limit and breach.

    Returns a frame with ``commitment_id, outlet_id, rule, date, observed_vnd, limit_vnd,
    market_vnd, market_outlets, pct, breach`` (``pct`` = observed / limit − 1), sorted by
    commitment, outlet, rule and date. A day is judged when the sale point has a retail price of
    the committed good on it, within the commitment's period and not after ``as_of``; for the
    margin rule the day also needs a market price.
    """
    cols = [
        "commitment_id",
        "outlet_id",
        "rule",
        "date",
        "observed_vnd",
        "limit_vnd",
        "market_vnd",
        "market_outlets",
        "pct",
        "breach",
    ]
    if commitments.empty or sale_points.empty or prices.empty:
        return pd.DataFrame(columns=cols)
    p = prices.copy()
    p["date"] = pd.to_datetime(p["date"])
    p = p[p["date"] <= pd.Timestamp(as_of)]
    # The worst (highest) price of the day at each outlet is the one judged.
    p = p.groupby(["commodity_id", "outlet_id", "date"], as_index=False)["price_vnd"].max()
    links = commitments.merge(sale_points[["participant_id", "outlet_id"]], on="participant_id")
    rows = links.merge(p, on=["commodity_id", "outlet_id"])
    start = pd.to_datetime(rows["period_start"])
    end = pd.to_datetime(rows["period_end"])
    rows = rows[(rows["date"] >= start) & (rows["date"] <= end)]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    tol = config.tolerance
    parts = []
    fixed = rows[rows["committed_price_vnd"].notna()].copy()
    if not fixed.empty:
        fixed["rule"] = "price"
        fixed["limit_vnd"] = fixed["committed_price_vnd"].astype(float)
        fixed["market_vnd"] = np.nan
        fixed["market_outlets"] = 0
        parts.append(fixed)
    margin = rows[rows["margin_pct"].notna()].copy()
    if not margin.empty and not market.empty:
        m = market.copy()
        m["date"] = pd.to_datetime(m["date"])
        margin = margin.merge(m.rename(columns={"outlets": "market_outlets"}), on=["commodity_id", "date"])
        if not margin.empty:
            margin["rule"] = "margin"
            raw = margin["market_vnd"].astype(float) * (1.0 - margin["margin_pct"].astype(float) / 100.0)
            margin["limit_vnd"] = [float(_round_vnd(v)) for v in raw]
            parts.append(margin)
    if not parts:
        return pd.DataFrame(columns=cols)
    judged = pd.concat(parts, ignore_index=True)
    judged["observed_vnd"] = judged["price_vnd"].astype(float)
    judged["pct"] = judged["observed_vnd"] / judged["limit_vnd"] - 1.0
    judged["breach"] = judged["observed_vnd"] > judged["limit_vnd"] * (1.0 + tol)
    judged["market_outlets"] = judged["market_outlets"].fillna(0).astype(int)
    judged = judged.sort_values(["commitment_id", "outlet_id", "rule", "date"]).reset_index(drop=True)
    return judged[cols]


def price_candidates(
    commitments: pd.DataFrame,
    sale_points: pd.DataFrame,
    judged: pd.DataFrame,
    *,
    config: CommitmentChecksConfig,
) -> list[AlertCandidate]:
    """Alert candidates of the price and margin rules, one per breach episode (see module notes)."""
    if judged.empty:
        return []
    com = commitments.set_index("commitment_id")
    sp = sale_points.drop_duplicates("outlet_id").set_index("outlet_id")
    out: list[AlertCandidate] = []
    for (cid, oid, rule), group in judged.groupby(["commitment_id", "outlet_id", "rule"], sort=True):
        c = com.loc[cid]
        o = sp.loc[oid]
        breach = group["breach"].to_numpy(dtype=bool)
        for a, b in _runs(breach):
            first = group.iloc[a]
            run = group.iloc[a : b + 1]
            severity: Severity | None = None
            for pct in run["pct"]:
                severity = _severity_max(severity, config.price_levels.of(float(pct)))
            severity = severity or "stress"
            first_date = _as_date(first["date"])
            observed = _round_vnd(first["observed_vnd"])
            expected = _round_vnd(first["limit_vnd"])
            pct = float(first["pct"])
            unit = str(c["unit"])
            who = f"{c['enterprise_name']} (chương trình bình ổn năm {int(c['programme_year'])})"
            what = f"giá {_label(str(c['commodity_name']))} tại {o['outlet_name']} {_price(observed, unit)}"
            if rule == "price":
                text = (
                    f"Ngày {format_date(first_date)}, {what}, cao hơn giá cam kết bình ổn "
                    f"{_price(expected, unit)} "
                    f"của {who} {_pct(pct)}."
                )
            else:
                margin = float(c["margin_pct"])
                text = (
                    f"Ngày {format_date(first_date)}, {what}, không thấp hơn giá thị trường "
                    f"{_price(first['market_vnd'], unit)} (trung vị của {int(first['market_outlets'])} "
                    "điểm bán) "
                    f"ít nhất {format_number(margin, 0 if margin.is_integer() else 1)}% như {who} đã cam "
                    "kết: "
                    f"giá tối đa theo cam kết là {_price(expected, unit)}, giá bán cao hơn {_pct(pct)}."
                )
            details: dict[str, Any] = {
                "rule": rule,
                "scope": "outlet",
                "price_type": "retail",
                "commitment_id": int(cid),
                "participant_id": int(c["participant_id"]),
                "programme_year": int(c["programme_year"]),
                "enterprise": str(c["enterprise_name"]),
                "days_judged": int(len(run)),
                "max_pct": float(run["pct"].max()),
                "last_observed_vnd": _round_vnd(run["observed_vnd"].iloc[-1]),
            }
            if rule == "margin":
                details["margin_pct"] = float(c["margin_pct"])
                details["market_vnd"] = float(first["market_vnd"])
                details["market_outlets"] = int(first["market_outlets"])
            out.append(
                AlertCandidate(
                    kind=KIND,
                    severity=severity,
                    commodity_id=int(c["commodity_id"]),
                    outlet_id=int(oid),
                    area_id=None if pd.isna(o["area_id"]) else int(o["area_id"]),
                    first_date=first_date,
                    last_date=_as_date(run["date"].iloc[-1]),
                    observed_vnd=observed,
                    expected_vnd=expected,
                    score=round(pct, 4),
                    explanation=text,
                    detector=DETECTORS[rule],  # type: ignore[index]
                    dedupe_key=(
                        f"{KIND}|{c['commodity_code']}|register-{rule}|outlet:{o['outlet_code']}:c{int(cid)}"
                        f"|{first_date.isoformat()}"
                    ),
                    details=details,
                    commodity_code=str(c["commodity_code"]),
                    outlet_code=str(o["outlet_code"]),
                )
            )
    return out


# --- reserves ---------------------------------------------------------------------------------------


def _tets_touching(start: dt.date, end: dt.date, window: tuple[int, int]) -> list[dt.date]:
    """Tết dates whose reserve window intersects [start, end]."""
    out = []
    for year in range(start.year - 1, end.year + 2):
        try:
            t = tet_date(year)
        except ValueError:
            continue
        a, b = t + dt.timedelta(days=window[0]), t + dt.timedelta(days=window[1])
        if a <= end and b >= start:
            out.append(t)
    return out


def reserve_status(
    commitments: pd.DataFrame,
    reserves: pd.DataFrame,
    *,
    as_of: dt.date,
    config: CommitmentChecksConfig,
) -> pd.DataFrame:
    """Every judged day of the reserve rule: the stock last reported against the committed quantity.

    Returns ``commitment_id, tet, date, days_to_tet, report_date, reported, committed, short,
    missing, breach`` (``short`` = 1 − reported / committed; 1 when nothing was reported), for
    every day of the reserve window of each Tết within the commitment's period, up to ``as_of``.
    Commitments without a quantity are not judged.
    """
    cols = [
        "commitment_id",
        "tet",
        "date",
        "days_to_tet",
        "report_date",
        "reported",
        "reported_value_vnd",
        "committed",
        "short",
        "missing",
        "breach",
    ]
    rc = config.reserve
    rows: list[dict[str, Any]] = []
    res = reserves.copy()
    if not res.empty:
        res["report_date"] = pd.to_datetime(res["report_date"]).dt.date
    for c in commitments.itertuples(index=False):
        if c.quantity is None or pd.isna(c.quantity) or float(c.quantity) <= 0:
            continue
        q = float(c.quantity)
        start, end = _as_date(c.period_start), _as_date(c.period_end)
        mine = (
            res[
                (res["participant_id"] == c.participant_id) & (res["commodity_id"] == c.commodity_id)
            ].sort_values("report_date")
            if not res.empty
            else res
        )
        dates = list(mine["report_date"]) if not mine.empty else []
        stamps = np.array(dates, dtype="datetime64[D]")
        for t in _tets_touching(start, end, rc.window):
            w0 = t + dt.timedelta(days=rc.window[0])
            first = max(w0, start)
            last = min(t + dt.timedelta(days=rc.window[1]), end, as_of)
            d = first
            while d <= last:
                idx = int(np.searchsorted(stamps, np.datetime64(d), side="right")) - 1
                report = mine.iloc[idx] if idx >= 0 and dates[idx] >= start else None
                if report is None:
                    missing = (d - w0).days >= rc.missing_after_days
                    rows.append(
                        {
                            "commitment_id": c.commitment_id,
                            "tet": t,
                            "date": d,
                            "days_to_tet": (d - t).days,
                            "report_date": None,
                            "reported": np.nan,
                            "reported_value_vnd": np.nan,
                            "committed": q,
                            "short": 1.0,
                            "missing": True,
                            "breach": missing,
                        }
                    )
                else:
                    reported = float(report["quantity"])
                    rows.append(
                        {
                            "commitment_id": c.commitment_id,
                            "tet": t,
                            "date": d,
                            "days_to_tet": (d - t).days,
                            "report_date": report["report_date"],
                            "reported": reported,
                            "reported_value_vnd": report["value_vnd"],
                            "committed": q,
                            "short": 1.0 - reported / q,
                            "missing": False,
                            "breach": reported < q * (1.0 - rc.tolerance),
                        }
                    )
                d += dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=cols)


def reserve_candidates(
    commitments: pd.DataFrame,
    status: pd.DataFrame,
    *,
    config: CommitmentChecksConfig,
) -> list[AlertCandidate]:
    """Alert candidates of the reserve rule, one per run of short (or unreported) days ahead of a Tết."""
    if status.empty:
        return []
    rc = config.reserve
    com = commitments.set_index("commitment_id")
    out: list[AlertCandidate] = []
    for (cid, tet), group in status.groupby(["commitment_id", "tet"], sort=True):
        c = com.loc[cid]
        group = group.sort_values("date")
        for a, b in _runs(group["breach"].to_numpy(dtype=bool)):
            run = group.iloc[a : b + 1]
            first = run.iloc[0]
            severity: Severity | None = None
            for r in run.itertuples(index=False):
                sev = rc.missing_severity if r.missing else rc.levels.of(float(r.short))
                severity = _severity_max(severity, sev)
            severity = severity or "stress"
            first_date = _as_date(first["date"])
            unit = str(c["unit"])
            k = int(first["days_to_tet"])
            when = (
                f"còn {-k} ngày đến Tết {lunar_year_name(tet.year)}"
                if k < 0
                else f"Tết {lunar_year_name(tet.year)}"
            )
            good = _label(str(c["commodity_name"]))
            committed_q = float(first["committed"])
            if bool(first["missing"]):
                text = (
                    f"Ngày {format_date(first_date)} ({when}), {c['enterprise_name']} chưa báo cáo lượng "
                    "dự trữ "
                    f"{good} (cam kết {_qty(committed_q)} {unit})."
                )
            else:
                text = (
                    f"Ngày {format_date(first_date)} ({when}), {c['enterprise_name']} báo cáo dự trữ {good} "
                    f"{_qty(float(first['reported']))} {unit} (ngày "
                    f"{format_date(_as_date(first['report_date']))}), "
                    f"thấp hơn lượng cam kết {_qty(committed_q)} {unit} {_pct(float(first['short']))}."
                )
            value = first["reported_value_vnd"]
            out.append(
                AlertCandidate(
                    kind=KIND,
                    severity=severity,
                    commodity_id=int(c["commodity_id"]),
                    outlet_id=None,
                    area_id=None,
                    first_date=first_date,
                    last_date=_as_date(run["date"].iloc[-1]),
                    observed_vnd=None if value is None or pd.isna(value) else int(value),
                    expected_vnd=None if pd.isna(c["value_vnd"]) else int(c["value_vnd"]),
                    score=round(float(first["short"]), 4),
                    explanation=text,
                    detector=DETECTORS["reserve"],
                    dedupe_key=(
                        f"{KIND}|{c['commodity_code']}|register-reserve|participant:p{int(c['participant_id'])}:c{int(cid)}"
                        f"|{first_date.isoformat()}"
                    ),
                    details={
                        "rule": "reserve",
                        "scope": "participant",
                        "commitment_id": int(cid),
                        "participant_id": int(c["participant_id"]),
                        "programme_year": int(c["programme_year"]),
                        "enterprise": str(c["enterprise_name"]),
                        "tet": tet.isoformat(),
                        "missing_report": bool(first["missing"]),
                        "reported_quantity": None if pd.isna(first["reported"]) else float(first["reported"]),
                        "committed_quantity": committed_q,
                        "unit": unit,
                        "days": int(len(run)),
                    },
                    commodity_code=str(c["commodity_code"]),
                )
            )
    return out


def commitment_candidates_from_frames(
    commitments: pd.DataFrame,
    sale_points: pd.DataFrame,
    prices: pd.DataFrame,
    market_prices: pd.DataFrame,
    reserves: pd.DataFrame,
    *,
    as_of: dt.date,
    config: CommitmentChecksConfig,
) -> list[AlertCandidate]:
    """Every commitment_breach candidate as of ``as_of`` (price, margin and reserve rules).

    ``market_prices`` are the retail prices the market is made of (sale points of participants
    already excluded); the market price is computed from them with :func:`market_reference`.
    """
    market = market_reference(
        market_prices,
        window_days=config.market.window_days,
        min_outlets=config.market.min_outlets,
        end=as_of,
    )
    judged = judge_prices(commitments, sale_points, prices, market, as_of=as_of, config=config)
    out = price_candidates(commitments, sale_points, judged, config=config)
    status = reserve_status(commitments, reserves, as_of=as_of, config=config)
    out.extend(reserve_candidates(commitments, status, config=config))
    return sorted(out, key=lambda c: (c.first_date, c.dedupe_key))
