"""Where each bình ổn commitment stands on a date, and which are at risk ahead of Tết.

A commitment's *status* on ``as_of``:

``breach``
    a ``commitment_breach`` episode of it is still running (its last breaching day is the latest
    judged day);
``at_risk``
    no running breach, but the participant's latest price is within ``commitments.risk_headroom``
    below its limit (committed price, or market × (1 − margin)); or the market price forecast for
    the coming "before Tết" phase is above the committed price; or, ahead of Tết, the stock last
    reported is below the committed quantity or no stock has been reported;
``ok``
    prices below the limit with room, stock sufficient;
``no_data``
    nothing to judge yet (no price at its sale points in the last ``STATUS_DAYS`` days, no stock
    reported).

Only data dated on or before ``as_of`` is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import (
    Commitment,
    Commodity,
    Enterprise,
    Observation,
    Outlet,
    Participant,
    ParticipantOutlet,
    ProgrammeYear,
    ReserveReport,
)
from binhon.formatting import format_date, format_number, format_percent, format_vnd
from binhon.programme.alerts import commitment_candidates
from binhon.programme.checks import AlertCandidate, market_reference
from binhon.reports.config import SEVERITIES, CommitmentChecksConfig, load_reports_config
from binhon.tet import days_to_tet, lunar_year_name, nearest_tet

__all__ = ["STATUS_LABELS", "CommitmentStatus", "commitment_status", "commitments_at_risk"]

Status = Literal["breach", "at_risk", "ok", "no_data"]
STATUS_LABELS: dict[str, str] = {
    "breach": "đang vi phạm",
    "at_risk": "có nguy cơ",
    "ok": "đạt",
    "no_data": "chưa có số liệu",
}
#: How far back a sale point's latest price is looked for.
STATUS_DAYS = 30
#: Reserves are watched from this many days before Tết (the reserve window may start later).
RESERVE_WATCH_DAYS = 60


@dataclass
class CommitmentStatus:
    """One commitment on one date: prices, limit, stock, breaches, status and reasons (Vietnamese)."""

    commitment_id: int
    year: int
    enterprise: str
    commodity_id: int
    commodity_code: str
    commodity_name: str
    unit: str
    period_start: dt.date
    period_end: dt.date
    committed_price_vnd: int | None
    margin_pct: float | None
    quantity: float | None
    value_vnd: int | None
    latest_date: dt.date | None = None
    latest_price_vnd: int | None = None
    latest_outlet: str | None = None
    market_vnd: float | None = None
    limit_vnd: int | None = None
    reserve_date: dt.date | None = None
    reserve_quantity: float | None = None
    breaches: int = 0
    worst_severity: str | None = None
    running_breach: bool = False
    forecast_market_vnd: float | None = None
    status: Status = "no_data"
    reasons: list[str] = field(default_factory=list)

    @property
    def headroom(self) -> float | None:
        """How far below its limit the latest price is (fraction; negative above it)."""
        if self.limit_vnd is None or not self.latest_price_vnd:
            return None
        return self.limit_vnd / self.latest_price_vnd - 1.0

    @property
    def reserve_ratio(self) -> float | None:
        """Stock last reported / committed quantity."""
        if self.reserve_quantity is None or not self.quantity:
            return None
        return self.reserve_quantity / self.quantity

    @property
    def status_label(self) -> str:
        """The status in Vietnamese."""
        return STATUS_LABELS[self.status]

    @property
    def commitment_text(self) -> str:
        """ "giá ≤ 16.000 ₫/kg; thấp hơn giá thị trường 5%" (what was committed)."""
        parts = []
        if self.committed_price_vnd is not None:
            parts.append(f"giá không quá {format_vnd(self.committed_price_vnd)}/{self.unit}")
        if self.margin_pct is not None:
            m = self.margin_pct
            parts.append(f"thấp hơn giá thị trường {format_number(m, 0 if float(m).is_integer() else 1)}%")
        return "; ".join(parts)


def _latest_prices(
    session: Session, outlets: list[int], commodities: list[int], *, start: dt.date, end: dt.date
) -> pd.DataFrame:
    cols = ["commodity_id", "outlet_id", "outlet", "date", "price_vnd"]
    if not outlets or not commodities:
        return pd.DataFrame(columns=cols)
    rows = session.execute(
        select(
            Observation.commodity_id,
            Observation.outlet_id,
            Outlet.name,
            Observation.obs_date,
            Observation.price_vnd,
        )
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .where(
            Observation.is_current.is_(True),
            Observation.price_type == "retail",
            Observation.outlet_id.in_(outlets),
            Observation.commodity_id.in_(commodities),
            Observation.obs_date >= start,
            Observation.obs_date <= end,
        )
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    if frame.empty:
        return frame
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def commitment_status(
    session: Session,
    *,
    as_of: dt.date,
    year: int | None = None,
    config: CommitmentChecksConfig | None = None,
    forecasts: Mapping[int, float] | None = None,
) -> list[CommitmentStatus]:
    """The status of every commitment of a programme year (default: those not ended by ``as_of``).

    ``forecasts`` maps a commodity id to the market price forecast for the coming "before Tết"
    phase (e.g. from :func:`binhon.review.forecast.forecast_with_backtest`); a committed price
    below it is a risk.
    """
    config = config or load_reports_config().commitments
    stmt = (
        select(
            Commitment.id,
            ProgrammeYear.year,
            Enterprise.name,
            Commitment.participant_id,
            Commodity.id,
            Commodity.code,
            Commodity.name,
            Commodity.unit,
            Commitment.period_start,
            Commitment.period_end,
            Commitment.committed_price_vnd,
            Commitment.margin_below_market_pct,
            Commitment.quantity,
            Commitment.value_vnd,
        )
        .join(Participant, Participant.id == Commitment.participant_id)
        .join(ProgrammeYear, ProgrammeYear.id == Participant.programme_id)
        .join(Enterprise, Enterprise.id == Participant.enterprise_id)
        .join(Commodity, Commodity.id == Commitment.commodity_id)
        .order_by(Enterprise.name, Commodity.id, Commitment.period_start)
    )
    stmt = (
        stmt.where(ProgrammeYear.year == year)
        if year is not None
        else stmt.where(Commitment.period_end >= as_of)
    )
    commitments = session.execute(stmt).all()
    if not commitments:
        return []
    participant_ids = sorted({int(r[3]) for r in commitments})
    links = session.execute(
        select(ParticipantOutlet.participant_id, ParticipantOutlet.outlet_id).where(
            ParticipantOutlet.participant_id.in_(participant_ids)
        )
    ).all()
    outlets_of: dict[int, list[int]] = {}
    for pid, oid in links:
        outlets_of.setdefault(int(pid), []).append(int(oid))
    commodity_ids = sorted({int(r[4]) for r in commitments})
    start = as_of - dt.timedelta(days=STATUS_DAYS)
    prices = _latest_prices(
        session, sorted({o for v in outlets_of.values() for o in v}), commodity_ids, start=start, end=as_of
    )
    all_sale_points = set(session.scalars(select(ParticipantOutlet.outlet_id)))
    market_rows = session.execute(
        select(Observation.commodity_id, Observation.outlet_id, Observation.obs_date, Observation.price_vnd)
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .where(
            Observation.is_current.is_(True),
            Observation.price_type == "retail",
            Observation.commodity_id.in_(commodity_ids),
            Outlet.outlet_type.in_(config.market.outlet_types),
            Observation.obs_date >= start - dt.timedelta(days=config.market.window_days),
            Observation.obs_date <= as_of,
        )
    ).all()
    market_prices = pd.DataFrame(
        [tuple(r) for r in market_rows if r[1] not in all_sale_points],
        columns=["commodity_id", "outlet_id", "date", "price_vnd"],
    )
    market = market_reference(
        market_prices, window_days=config.market.window_days, min_outlets=config.market.min_outlets, end=as_of
    )
    if not market.empty:
        market["date"] = pd.to_datetime(market["date"])
    reserves = session.execute(
        select(
            ReserveReport.participant_id,
            ReserveReport.commodity_id,
            ReserveReport.report_date,
            ReserveReport.quantity,
        )
        .where(ReserveReport.participant_id.in_(participant_ids), ReserveReport.report_date <= as_of)
        .order_by(ReserveReport.report_date)
    ).all()
    latest_reserve: dict[tuple[int, int], tuple[dt.date, float]] = {}
    for pid, cid, d, q in reserves:
        latest_reserve[(int(pid), int(cid))] = (d, float(q))
    candidates = commitment_candidates(session, as_of=as_of, config=config)
    by_commitment: dict[int, list[AlertCandidate]] = {}
    for c in candidates:
        by_commitment.setdefault(int(c.details.get("commitment_id", -1)), []).append(c)

    tet = nearest_tet(as_of)
    k = days_to_tet(as_of)
    out = []
    for (
        cid,
        year_,
        enterprise,
        pid,
        com_id,
        code,
        name,
        unit,
        p_start,
        p_end,
        price,
        margin,
        quantity,
        value,
    ) in commitments:
        st = CommitmentStatus(
            commitment_id=int(cid),
            year=int(year_),
            enterprise=enterprise,
            commodity_id=int(com_id),
            commodity_code=code,
            commodity_name=name,
            unit=unit,
            period_start=p_start,
            period_end=p_end,
            committed_price_vnd=None if price is None else int(price),
            margin_pct=None if margin is None else float(margin),
            quantity=None if quantity is None else float(quantity),
            value_vnd=None if value is None else int(value),
        )
        mine = prices[
            (prices["commodity_id"] == com_id) & prices["outlet_id"].isin(outlets_of.get(int(pid), []))
        ]
        if not mine.empty:
            last_per_outlet = mine.sort_values("date").groupby("outlet_id").tail(1)
            top = last_per_outlet.sort_values(["price_vnd", "date"]).iloc[-1]
            st.latest_date = top["date"].date()
            st.latest_price_vnd = int(top["price_vnd"])
            st.latest_outlet = str(top["outlet"])
        limits = []
        if st.committed_price_vnd is not None:
            limits.append(st.committed_price_vnd)
        if st.margin_pct is not None and not market.empty:
            m = market[market["commodity_id"] == com_id]
            if not m.empty:
                st.market_vnd = float(m.sort_values("date")["market_vnd"].iloc[-1])
                limits.append(round(st.market_vnd * (1 - st.margin_pct / 100)))
        st.limit_vnd = min(limits) if limits else None
        rep = latest_reserve.get((int(pid), int(com_id)))
        if rep is not None and rep[0] >= p_start - dt.timedelta(days=RESERVE_WATCH_DAYS):
            st.reserve_date, st.reserve_quantity = rep
        episodes = by_commitment.get(int(cid), [])
        st.breaches = len(episodes)
        for e in episodes:
            if st.worst_severity is None or SEVERITIES.index(e.severity) > SEVERITIES.index(
                st.worst_severity
            ):
                st.worst_severity = e.severity
        price_episodes = [e for e in episodes if e.details.get("rule") in ("price", "margin")]
        reserve_episodes = [e for e in episodes if e.details.get("rule") == "reserve"]
        running = [e for e in price_episodes if st.latest_date is not None and e.last_date >= st.latest_date]
        running += [e for e in reserve_episodes if e.last_date >= as_of]
        st.running_breach = bool(running)
        if forecasts is not None and int(com_id) in forecasts:
            st.forecast_market_vnd = float(forecasts[int(com_id)])
        _judge(st, config=config, as_of=as_of, tet=tet, k=k, running=running)
        out.append(st)
    return out


def _judge(
    st: CommitmentStatus,
    *,
    config: CommitmentChecksConfig,
    as_of: dt.date,
    tet: dt.date,
    k: int,
    running: list[AlertCandidate],
) -> None:
    unit = st.unit
    if running:
        st.status = "breach"
        for e in running:
            st.reasons.append(e.explanation)
    risks = []
    if st.latest_price_vnd is not None and st.limit_vnd is not None and st.headroom is not None:
        # Below zero without a running breach: above the limit outside the period (not yet judged).
        if st.headroom < config.risk_headroom and not running:
            where = (
                f"giá bán gần nhất {format_vnd(st.latest_price_vnd)}/{unit} "
                f"({st.latest_outlet}, {format_date(st.latest_date) if st.latest_date else ''})"
            )
            limit = f"mức tối đa theo cam kết {format_vnd(st.limit_vnd)}/{unit}"
            if st.latest_price_vnd > st.limit_vnd:
                over = st.latest_price_vnd / st.limit_vnd - 1
                risks.append(f"{where} đã cao hơn {limit} {format_percent(over, 1)}")
            elif st.latest_price_vnd == st.limit_vnd:
                risks.append(f"{where} đã bằng {limit}")
            else:
                risks.append(f"{where} chỉ thấp hơn {limit} {format_percent(st.headroom, 1)}")
    if (
        st.committed_price_vnd is not None
        and st.forecast_market_vnd is not None
        and st.forecast_market_vnd > st.committed_price_vnd
    ):
        risks.append(
            f"giá thị trường dự báo trước Tết {lunar_year_name(tet.year)} "
            f"{format_vnd(round(st.forecast_market_vnd))}/{unit} "
            f"cao hơn giá cam kết {format_vnd(st.committed_price_vnd)}/{unit}"
        )
    ahead = -RESERVE_WATCH_DAYS <= k <= config.reserve.window[1]
    if (
        st.quantity
        and ahead
        and st.period_start - dt.timedelta(days=RESERVE_WATCH_DAYS) <= as_of <= st.period_end
    ):
        if st.reserve_quantity is None:
            risks.append(
                f"chưa báo cáo lượng dự trữ (cam kết {format_number(st.quantity)} {unit}), còn {-k} ngày "
                "đến Tết"
                if k < 0
                else f"chưa báo cáo lượng dự trữ (cam kết {format_number(st.quantity)} {unit})"
            )
        elif st.reserve_quantity < st.quantity:
            risks.append(
                f"dự trữ báo cáo ngày {format_date(st.reserve_date) if st.reserve_date else ''} là "
                f"{format_number(st.reserve_quantity)} {unit}, "
                f"mới đạt {format_percent(st.reserve_ratio or 0.0, 1)} lượng cam kết "
                f"{format_number(st.quantity)} {unit}"
            )
    if st.status != "breach":
        if risks:
            st.status = "at_risk"
        elif st.latest_price_vnd is None and st.reserve_quantity is None:
            st.status = "no_data"
        else:
            st.status = "ok"
    st.reasons.extend(risks)
    if st.breaches and not running:
        st.reasons.append(f"đã có {st.breaches} đợt vi phạm trước đó")


def commitments_at_risk(
    session: Session,
    *,
    as_of: dt.date,
    year: int | None = None,
    config: CommitmentChecksConfig | None = None,
    forecasts: Mapping[int, float] | None = None,
) -> list[CommitmentStatus]:
    """The commitments in breach or at risk on ``as_of``, breaches first."""
    rows = commitment_status(session, as_of=as_of, year=year, config=config, forecasts=forecasts)
    order = {"breach": 0, "at_risk": 1}
    return sorted(
        (r for r in rows if r.status in order), key=lambda r: (order[r.status], r.enterprise, r.commodity_id)
    )
