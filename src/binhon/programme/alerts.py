"""Commitment checks against the database: load the frames, run the pure checks, store alerts.

:func:`commitment_candidates` is the *producer* the detection run can call (it only reads);
:func:`store_candidates` writes candidates as ``alerts`` rows with the CONTRACT's freeze
semantics; :func:`run_commitment_checks` does both (``binhon programme check``).

Freeze semantics of :func:`store_candidates`: an alert is found by its ``dedupe_key`` (kind, rule,
commitment, outlet, first date). A new key inserts an alert (status ``new``). An existing one is
never rewritten: only its ``last_date`` may move later and its ``severity`` up; ``first_date``,
``kind``, ``observed_vnd``, ``expected_vnd``, ``score``, ``explanation`` and ``details`` stay as
raised. Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import (
    Alert,
    Commitment,
    Commodity,
    DetectionRun,
    Enterprise,
    Observation,
    Outlet,
    Participant,
    ParticipantOutlet,
    ProgrammeYear,
    ReserveReport,
    utcnow,
)
from binhon.programme.checks import (
    COMMITMENT_COLUMNS,
    PRICE_COLUMNS,
    RESERVE_COLUMNS,
    SALE_POINT_COLUMNS,
    AlertCandidate,
    commitment_candidates_from_frames,
)
from binhon.reports.config import SEVERITIES, CommitmentChecksConfig, load_reports_config

__all__ = [
    "CheckFrames",
    "StoreResult",
    "commitment_candidates",
    "load_check_frames",
    "run_commitment_checks",
    "store_candidates",
]

log = logging.getLogger(__name__)


@dataclass
class CheckFrames:
    """The data the commitment checks need, as frames (see binhon.programme.checks)."""

    commitments: pd.DataFrame
    sale_points: pd.DataFrame
    prices: pd.DataFrame
    market_prices: pd.DataFrame
    reserves: pd.DataFrame


def load_check_frames(session: Session, *, as_of: dt.date, config: CommitmentChecksConfig) -> CheckFrames:
    """Commitments in force on or before ``as_of``, their sale points, prices, market prices, reserves."""
    rows = session.execute(
        select(
            Commitment.id,
            Commitment.participant_id,
            ProgrammeYear.year,
            Enterprise.name,
            Commitment.commodity_id,
            Commodity.code,
            Commodity.name,
            Commodity.unit,
            Commitment.committed_price_vnd,
            Commitment.margin_below_market_pct,
            Commitment.quantity,
            Commitment.value_vnd,
            Commitment.period_start,
            Commitment.period_end,
        )
        .join(Participant, Participant.id == Commitment.participant_id)
        .join(ProgrammeYear, ProgrammeYear.id == Participant.programme_id)
        .join(Enterprise, Enterprise.id == Participant.enterprise_id)
        .join(Commodity, Commodity.id == Commitment.commodity_id)
        .where(Commitment.period_start <= as_of)
        .order_by(Commitment.id)
    ).all()
    commitments = pd.DataFrame(rows, columns=COMMITMENT_COLUMNS)
    for col in ("committed_price_vnd", "margin_pct", "quantity", "value_vnd"):
        commitments[col] = commitments[col].astype("float64")
    empty = CheckFrames(
        commitments,
        pd.DataFrame(columns=SALE_POINT_COLUMNS),
        pd.DataFrame(columns=PRICE_COLUMNS),
        pd.DataFrame(columns=PRICE_COLUMNS),
        pd.DataFrame(columns=RESERVE_COLUMNS),
    )
    if commitments.empty:
        return empty
    participant_ids = sorted({int(v) for v in commitments["participant_id"]})
    sale_points = pd.DataFrame(
        session.execute(
            select(
                ParticipantOutlet.participant_id,
                Outlet.id,
                Outlet.code,
                Outlet.name,
                Outlet.commune_id,
                Outlet.district_id,
                Outlet.area_id,
            )
            .join(Outlet, Outlet.id == ParticipantOutlet.outlet_id)
            .where(ParticipantOutlet.participant_id.in_(participant_ids))
        ).all(),
        columns=[
            "participant_id",
            "outlet_id",
            "outlet_code",
            "outlet_name",
            "commune_id",
            "district_id",
            "a",
        ],
    )
    sale_points["area_id"] = (
        sale_points["commune_id"].fillna(sale_points["district_id"]).fillna(sale_points["a"])
    )
    sale_points = sale_points[SALE_POINT_COLUMNS]
    first = min(commitments["period_start"])
    commodity_ids = sorted({int(v) for v in commitments["commodity_id"]})
    all_sale_points = set(session.scalars(select(ParticipantOutlet.outlet_id)))
    obs = select(
        Observation.commodity_id, Observation.outlet_id, Observation.obs_date, Observation.price_vnd
    ).where(
        Observation.is_current,
        Observation.price_type == "retail",
        Observation.commodity_id.in_(commodity_ids),
        Observation.obs_date <= as_of,
    )
    prices = pd.DataFrame(
        session.execute(
            obs.where(
                Observation.obs_date >= first,
                Observation.outlet_id.in_(sorted({int(v) for v in sale_points["outlet_id"]}) or [-1]),
            )
        ).all(),
        columns=PRICE_COLUMNS,
    )
    margin_ids = sorted({int(v) for v in commitments.loc[commitments["margin_pct"].notna(), "commodity_id"]})
    market_prices = pd.DataFrame(columns=PRICE_COLUMNS)
    if margin_ids:
        margin_first = min(commitments.loc[commitments["margin_pct"].notna(), "period_start"])
        market_prices = pd.DataFrame(
            session.execute(
                obs.join(Outlet, Outlet.id == Observation.outlet_id).where(
                    Observation.commodity_id.in_(margin_ids),
                    Observation.obs_date >= margin_first - dt.timedelta(days=config.market.window_days),
                    Outlet.outlet_type.in_(config.market.outlet_types),
                )
            ).all(),
            columns=PRICE_COLUMNS,
        )
        market_prices = market_prices[~market_prices["outlet_id"].isin(all_sale_points)]
    reserves = pd.DataFrame(
        session.execute(
            select(
                ReserveReport.participant_id,
                ReserveReport.commodity_id,
                ReserveReport.report_date,
                ReserveReport.quantity,
                ReserveReport.value_vnd,
            ).where(ReserveReport.participant_id.in_(participant_ids), ReserveReport.report_date <= as_of)
        ).all(),
        columns=RESERVE_COLUMNS,
    )
    for frame in (prices, market_prices):
        frame["date"] = pd.to_datetime(frame["date"])
    return CheckFrames(commitments, sale_points, prices, market_prices, reserves)


def commitment_candidates(
    session: Session, *, as_of: dt.date, config: CommitmentChecksConfig | None = None
) -> list[AlertCandidate]:
    """Every ``commitment_breach`` candidate as of ``as_of`` (reads only; causal)."""
    config = config or load_reports_config().commitments
    frames = load_check_frames(session, as_of=as_of, config=config)
    if frames.commitments.empty:
        return []
    return commitment_candidates_from_frames(
        frames.commitments,
        frames.sale_points,
        frames.prices,
        frames.market_prices,
        frames.reserves,
        as_of=as_of,
        config=config,
    )


@dataclass
class StoreResult:
    """What storing candidates did."""

    raised: int = 0
    extended: int = 0
    unchanged: int = 0
    alert_ids: list[int] | None = None


def store_candidates(
    session: Session,
    candidates: list[AlertCandidate],
    *,
    run_id: int | None = None,
) -> StoreResult:
    """Insert new alerts, extend existing ones (later last_date, higher severity); freeze the rest."""
    result = StoreResult(alert_ids=[])
    if not candidates:
        return result
    keys = [c.dedupe_key for c in candidates]
    existing: dict[str, Alert] = {}
    for i in range(0, len(keys), 500):
        for alert in session.scalars(select(Alert).where(Alert.dedupe_key.in_(keys[i : i + 500]))):
            existing[alert.dedupe_key] = alert
    now = utcnow()
    for c in candidates:
        found = existing.get(c.dedupe_key)
        if found is None:
            alert = Alert(
                kind=c.kind,
                severity=c.severity,
                commodity_id=c.commodity_id,
                outlet_id=c.outlet_id,
                area_id=c.area_id,
                first_date=c.first_date,
                last_date=c.last_date,
                observed_vnd=c.observed_vnd,
                expected_vnd=c.expected_vnd,
                score=c.score,
                explanation=c.explanation,
                detector=c.detector,
                dedupe_key=c.dedupe_key,
                status="new",
                raised_at=now,
                raised_run_id=run_id,
                updated_at=now,
                details=c.details,
            )
            session.add(alert)
            existing[c.dedupe_key] = alert
            result.raised += 1
            continue
        alert = found
        changed = False
        if c.last_date > alert.last_date:
            alert.last_date = c.last_date
            changed = True
        if SEVERITIES.index(c.severity) > SEVERITIES.index(alert.severity):
            alert.severity = c.severity
            changed = True
        if changed:
            alert.updated_at = now
            result.extended += 1
        else:
            result.unchanged += 1
    session.flush()
    result.alert_ids = [existing[k].id for k in keys]
    return result


def run_commitment_checks(
    session: Session,
    *,
    as_of: dt.date,
    actor: str,
    config: CommitmentChecksConfig | None = None,
    record_run: bool = True,
) -> StoreResult:
    """Run the commitment checks as of a date and store their alerts (a DetectionRun records it)."""
    run: DetectionRun | None = None
    if record_run:
        run = DetectionRun(
            as_of=as_of, actor=actor, started_at=utcnow(), details={"detectors": ["programme"]}
        )
        session.add(run)
        session.flush()
    candidates = commitment_candidates(session, as_of=as_of, config=config)
    result = store_candidates(session, candidates, run_id=run.id if run else None)
    if run is not None:
        run.finished_at = utcnow()
        run.alerts_raised = result.raised
        run.alerts_extended = result.extended
        run.details = {"detectors": ["programme"], "candidates": len(candidates)}
        session.flush()
    log.info("commitment checks as of %s: %s", as_of, result)
    return result
