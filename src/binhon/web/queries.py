"""Read queries of the web app and the API (routes never build SQL; they call these)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from binhon.db.models import (
    Alert,
    AlertReview,
    Area,
    Attachment,
    AuditEntry,
    Commodity,
    IngestBatch,
    Observation,
    Outlet,
    User,
    UserOutlet,
)
from binhon.tet import TetWindows, tet_window

# "observations.is_current" written as such: the current-price key index is partial (WHERE is_current),
# and SQLite only uses it when the query says exactly that (not "is_current = 1", SQLAlchemy's rendering).
IS_CURRENT = text("observations.is_current")
SEVERITY_ORDER = case({"crisis": 3, "alert": 2, "stress": 1}, value=Alert.severity, else_=0)
SEVERITY_ORDER_ALIAS = "severity_rank"


# --- catalogues -------------------------------------------------------------------------------------------


def commodities(*, session: Session, active_only: bool = True) -> list[Commodity]:
    """Commodities in catalogue order."""
    stmt = select(Commodity).order_by(Commodity.id)
    if active_only:
        stmt = stmt.where(Commodity.active)
    return list(session.scalars(stmt))


def commodity_by_code(*, session: Session, code: str) -> Commodity | None:
    """A commodity by its code."""
    return session.scalars(select(Commodity).where(Commodity.code == code)).first()


def areas(
    *,
    session: Session,
    level: str | None = None,
    current_only: bool = True,
    limit: int = 1000,
    offset: int = 0,
) -> list[Area]:
    """Administrative units, by level and name."""
    stmt = select(Area).order_by(Area.level, Area.code, Area.id)
    if level:
        stmt = stmt.where(Area.level == level)
    if current_only:
        stmt = stmt.where(Area.valid_to.is_(None))
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def areas_in_use(*, session: Session) -> list[Area]:
    """Communes/wards (or former units) that at least one outlet belongs to, by name."""
    ids = select(func.coalesce(Outlet.commune_id, Outlet.district_id, Outlet.area_id)).distinct()
    return list(session.scalars(select(Area).where(Area.id.in_(ids)).order_by(Area.name)))


@dataclass(frozen=True)
class Choice:
    """A code and its name, for a filter's drop-down list."""

    code: str
    name: str


def commodity_choices(*, session: Session) -> list[Choice]:
    """Active commodities as (code, name), in catalogue order (no ORM objects: a list for every page)."""
    stmt = select(Commodity.code, Commodity.name).where(Commodity.active).order_by(Commodity.id)
    return [Choice(code, name) for code, name in session.execute(stmt)]


def area_choices(*, session: Session) -> list[Choice]:
    """areas_in_use as (code, name)."""
    ids = select(func.coalesce(Outlet.commune_id, Outlet.district_id, Outlet.area_id)).distinct()
    stmt = select(Area.code, Area.name).where(Area.id.in_(ids)).order_by(Area.name)
    return [Choice(code, name) for code, name in session.execute(stmt)]


def outlets(
    *,
    session: Session,
    scope: set[int] | None,
    outlet_type: str | None = None,
    area_code: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[Outlet]:
    """Outlets visible in scope (None = all), by code."""
    stmt = select(Outlet).order_by(Outlet.code)
    if scope is not None:
        stmt = stmt.where(Outlet.id.in_(scope) if scope else false())
    if outlet_type:
        stmt = stmt.where(Outlet.outlet_type == outlet_type)
    if area_code:
        stmt = stmt.where(_outlet_in_area(area_code))
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def outlet_by_code(*, session: Session, code: str) -> Outlet | None:
    """An outlet by its code."""
    return session.scalars(select(Outlet).where(Outlet.code == code)).first()


def _outlet_in_area(area_code: str) -> Any:
    ids = select(Area.id).where(Area.code == area_code)
    return or_(Outlet.commune_id.in_(ids), Outlet.district_id.in_(ids), Outlet.area_id.in_(ids))


def outlet_area(outlet: Outlet) -> Area | None:
    """The area an outlet is shown under: its current commune, else former district, else registered."""
    return outlet.commune or outlet.district or outlet.area


# --- observations -----------------------------------------------------------------------------------------


@dataclass
class ObservationRow:
    """An observation with the codes and names shown next to it."""

    id: int
    obs_date: dt.date
    obs_time: str
    commodity: str
    commodity_name: str
    unit: str
    outlet: str
    outlet_name: str
    outlet_type: str
    area: str | None
    area_name: str | None
    price_vnd: int
    price_type: str
    zone: int | None
    source: str
    is_current: bool
    superseded_by_id: int | None
    submitted_by: str
    submitted_at: dt.datetime
    batch_id: int | None
    reason: str | None = None


def _observation_select() -> Select[Any]:
    area = aliased(Area)
    return (
        select(
            Observation.id,
            Observation.obs_date,
            Observation.obs_time,
            Commodity.code,
            Commodity.name,
            Commodity.unit,
            Outlet.code,
            Outlet.name,
            Outlet.outlet_type,
            area.code,
            area.name,
            Observation.price_vnd,
            Observation.price_type,
            Observation.zone,
            Observation.source,
            Observation.is_current,
            Observation.superseded_by_id,
            Observation.submitted_by,
            Observation.submitted_at,
            Observation.batch_id,
        )
        .join(Commodity, Commodity.id == Observation.commodity_id)
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .outerjoin(area, area.id == func.coalesce(Outlet.commune_id, Outlet.district_id, Outlet.area_id))
    )


def _to_rows(result: Any) -> list[ObservationRow]:
    rows = []
    for r in result:
        obs_date = r[1] if isinstance(r[1], dt.date) else dt.date.fromisoformat(str(r[1]))
        rows.append(ObservationRow(*r[:1], obs_date, *r[2:]))
    return rows


def observations(
    *,
    session: Session,
    scope: set[int] | None,
    commodity: str | None = None,
    outlet: str | None = None,
    area: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    price_type: str | None = None,
    include_superseded: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[ObservationRow]:
    """Observations in scope, newest first."""
    stmt = _observation_select()
    if scope is not None:
        stmt = stmt.where(Observation.outlet_id.in_(scope) if scope else false())
    if not include_superseded:
        stmt = stmt.where(IS_CURRENT)
    if commodity:
        stmt = stmt.where(Commodity.code == commodity)
    if outlet:
        stmt = stmt.where(Outlet.code == outlet)
    if area:
        stmt = stmt.where(_outlet_in_area(area))
    if since:
        stmt = stmt.where(Observation.obs_date >= since)
    if until:
        stmt = stmt.where(Observation.obs_date <= until)
    if price_type:
        stmt = stmt.where(Observation.price_type == price_type)
    stmt = stmt.order_by(Observation.obs_date.desc(), Observation.id.desc()).limit(limit).offset(offset)
    return _to_rows(session.execute(stmt))


def observation_row(*, session: Session, observation_id: int) -> ObservationRow | None:
    """One observation with its names."""
    rows = _to_rows(session.execute(_observation_select().where(Observation.id == observation_id)))
    return rows[0] if rows else None


def observations_by_ids(*, session: Session, ids: list[int]) -> list[ObservationRow]:
    """Observations by id, in id order."""
    if not ids:
        return []
    return _to_rows(
        session.execute(_observation_select().where(Observation.id.in_(ids)).order_by(Observation.id))
    )


def last_prices(
    *, session: Session, outlet_id: int, commodity_ids: list[int], on: dt.date, price_type: str = "retail"
) -> dict[int, tuple[dt.date, int]]:
    """The latest current price on or before `on` per commodity at an outlet: {commodity: (date, price)}."""
    if not commodity_ids:
        return {}
    latest = (
        select(Observation.commodity_id, func.max(Observation.obs_date).label("d"))
        .where(
            Observation.outlet_id == outlet_id,
            Observation.commodity_id.in_(commodity_ids),
            Observation.price_type == price_type,
            IS_CURRENT,
            Observation.obs_date <= on,
        )
        .group_by(Observation.commodity_id)
        .subquery()
    )
    stmt = (
        select(Observation.commodity_id, Observation.obs_date, Observation.price_vnd, Observation.obs_time)
        .join(
            latest,
            and_(latest.c.commodity_id == Observation.commodity_id, latest.c.d == Observation.obs_date),
        )
        .where(Observation.outlet_id == outlet_id, Observation.price_type == price_type, IS_CURRENT)
        .order_by(Observation.obs_time)
    )
    out: dict[int, tuple[dt.date, int]] = {}
    for cid, d, price, _time in session.execute(stmt):
        day = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
        out[int(cid)] = (day, int(price))  # the latest time of day wins
    return out


def submissions_of(*, session: Session, actors: list[str], limit: int = 50) -> list[IngestBatch]:
    """Ingest batches submitted by these actors, newest first."""
    return list(
        session.scalars(
            select(IngestBatch)
            .where(IngestBatch.actor.in_(actors))
            .order_by(IngestBatch.id.desc())
            .limit(limit)
        )
    )


def batch_observations(*, session: Session, batch_id: int) -> list[ObservationRow]:
    """Observations stored or revised by a batch."""
    stmt = _observation_select().where(Observation.batch_id == batch_id).order_by(Commodity.id, Outlet.code)
    return _to_rows(session.execute(stmt))


def history_rows(
    *, session: Session, scope: set[int] | None, outlet: str | None = None, limit: int = 200
) -> list[ObservationRow]:
    """Prices of the outlets in scope as submitted, including superseded versions, with change reasons."""
    stmt = _observation_select()
    if scope is not None:
        stmt = stmt.where(Observation.outlet_id.in_(scope) if scope else false())
    if outlet:
        stmt = stmt.where(Outlet.code == outlet)
    stmt = stmt.order_by(Observation.submitted_at.desc(), Observation.id.desc()).limit(limit)
    rows = _to_rows(session.execute(stmt))
    _attach_reasons(session, rows)
    return rows


def _attach_reasons(session: Session, rows: list[ObservationRow]) -> None:
    """Reasons: an officer's correction (audit) or the declaration's stated reason (batch details)."""
    ids = [r.id for r in rows]
    if not ids:
        return
    corrections = dict(
        session.execute(
            select(AuditEntry.entity_id, AuditEntry.reason).where(
                AuditEntry.entity == "observation",
                AuditEntry.action == "correct",
                AuditEntry.entity_id.in_(ids),
            )
        ).all()
    )
    batch_ids = {r.batch_id for r in rows if r.batch_id}
    details = (
        dict(
            session.execute(
                select(IngestBatch.id, IngestBatch.details).where(IngestBatch.id.in_(batch_ids))
            ).all()
        )
        if batch_ids
        else {}
    )
    for r in rows:
        reason = corrections.get(r.id)
        if reason is None and r.batch_id and isinstance(details.get(r.batch_id), dict):
            reason = details[r.batch_id].get("reason")
        r.reason = reason or None


def attachments_of(*, session: Session, batch_ids: list[int]) -> dict[int, list[Attachment]]:
    """Attachments per batch."""
    if not batch_ids:
        return {}
    out: dict[int, list[Attachment]] = {}
    for a in session.scalars(
        select(Attachment).where(Attachment.batch_id.in_(batch_ids)).order_by(Attachment.id)
    ):
        out.setdefault(int(a.batch_id or 0), []).append(a)
    return out


# --- alerts -----------------------------------------------------------------------------------------------


@dataclass
class AlertFilters:
    """Filters of the alert desk and GET /api/v1/alerts."""

    kind: str | None = None
    severity: str | None = None
    commodity: str | None = None
    area: str | None = None
    status: str | None = None
    since: dt.date | None = None
    tet_phase: str | None = None
    outlet: str | None = None

    def as_params(self) -> dict[str, str]:
        """The non-empty filters as query parameters."""
        out = {k: v for k, v in self.__dict__.items() if v}
        if self.since:
            out["since"] = self.since.isoformat()
        return out


@dataclass
class AlertRow:
    """An alert with the fields of the alerts CSV (codes), plus names for display."""

    id: int
    kind: str
    severity: str
    commodity: str | None
    outlet: str | None
    area: str | None
    first_date: dt.date
    last_date: dt.date
    observed_vnd: int | None
    expected_vnd: int | None
    score: float | None
    status: str
    explanation: str
    commodity_name: str | None = None
    unit: str | None = None
    outlet_name: str | None = None
    area_name: str | None = None
    updated_at: dt.datetime | None = None

    def csv_fields(self) -> dict[str, Any]:
        """The alerts CSV fields (CONTRACT)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity,
            "commodity": self.commodity or "",
            "outlet": self.outlet or "",
            "area": self.area or "",
            "first_date": self.first_date,
            "last_date": self.last_date,
            "observed_vnd": self.observed_vnd,
            "expected_vnd": self.expected_vnd,
            "score": self.score,
            "status": self.status,
            "explanation": self.explanation,
        }


def _alert_select() -> tuple[Select[Any], Any]:
    """The alerts query with its names, and its two area aliases (for filters); built once per process:
    a statement is immutable, each filter makes a new one (building it costs more than running it)."""
    global _ALERT_SELECT
    if _ALERT_SELECT is None:
        _ALERT_SELECT = _build_alert_select()
    return _ALERT_SELECT


_ALERT_SELECT: tuple[Select[Any], Any] | None = None


def _build_alert_select() -> tuple[Select[Any], Any]:
    area = aliased(Area)
    outlet_area = aliased(Area)
    area_code = func.coalesce(area.code, outlet_area.code)
    area_name = func.coalesce(area.name, outlet_area.name)
    stmt = (
        select(
            Alert.id,
            Alert.kind,
            Alert.severity,
            Commodity.code,
            Outlet.code,
            area_code,
            Alert.first_date,
            Alert.last_date,
            Alert.observed_vnd,
            Alert.expected_vnd,
            Alert.score,
            Alert.status,
            Alert.explanation,
            Commodity.name,
            Commodity.unit,
            Outlet.name,
            area_name,
            Alert.updated_at,
        )
        .outerjoin(Commodity, Commodity.id == Alert.commodity_id)
        .outerjoin(Outlet, Outlet.id == Alert.outlet_id)
        .outerjoin(area, area.id == Alert.area_id)
        .outerjoin(
            outlet_area,
            outlet_area.id == func.coalesce(Outlet.commune_id, Outlet.district_id, Outlet.area_id),
        )
    )
    return stmt, (area, outlet_area)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _alert_rows(result: Any) -> list[AlertRow]:
    rows = []
    for r in result:
        rows.append(
            AlertRow(
                id=int(r[0]),
                kind=r[1],
                severity=r[2],
                commodity=r[3],
                outlet=r[4],
                area=r[5],
                first_date=_as_date(r[6]),
                last_date=_as_date(r[7]),
                observed_vnd=None if r[8] is None else int(r[8]),
                expected_vnd=None if r[9] is None else int(r[9]),
                score=None if r[10] is None else float(r[10]),
                status=r[11],
                explanation=r[12],
                commodity_name=r[13],
                unit=r[14],
                outlet_name=r[15],
                area_name=r[16],
                updated_at=r[17],
            )
        )
    return rows


def _tet_condition(session: Session, phase: str, windows: TetWindows | None) -> Any:
    """first_date inside the given Tết phase ("none" = outside every phase) of any year with alerts."""
    low, high = session.execute(select(func.min(Alert.first_date), func.max(Alert.first_date))).one()
    if low is None:
        return false() if phase != "none" else True
    years = range(_as_date(low).year - 1, _as_date(high).year + 2)
    names = ("before", "during", "after") if phase == "none" else (phase,)
    ranges = []
    for year in years:
        try:
            win = tet_window(year, windows=windows)
        except ValueError:
            continue
        for name in names:
            a, b = win[name]
            ranges.append(Alert.first_date.between(a, b))
    inside = or_(*ranges) if ranges else false()
    return ~inside if phase == "none" else inside


def _apply_alert_filters(
    stmt: Select[Any],
    session: Session,
    f: AlertFilters,
    areas_: tuple[Any, Any],
    windows: TetWindows | None,
    *,
    with_status: bool = True,
) -> Select[Any]:
    area, outlet_area = areas_
    if f.kind:
        stmt = stmt.where(Alert.kind == f.kind)
    if f.severity:
        stmt = stmt.where(Alert.severity == f.severity)
    if f.commodity:
        stmt = stmt.where(Commodity.code == f.commodity)
    if f.outlet:
        stmt = stmt.where(Outlet.code == f.outlet)
    if f.area:
        stmt = stmt.where(or_(area.code == f.area, outlet_area.code == f.area))
    if f.status and with_status:
        stmt = stmt.where(Alert.status == f.status)
    if f.since:
        stmt = stmt.where(Alert.last_date >= f.since)
    if f.tet_phase:
        stmt = stmt.where(_tet_condition(session, f.tet_phase, windows))
    return stmt


def alerts(
    *,
    session: Session,
    filters: AlertFilters,
    limit: int = 50,
    offset: int = 0,
    windows: TetWindows | None = None,
) -> list[AlertRow]:
    """Alerts matching filters, most severe first, then most recent."""
    stmt, areas_ = _alert_select()
    stmt = _apply_alert_filters(stmt, session, filters, areas_, windows)
    stmt = (
        stmt.order_by(SEVERITY_ORDER.desc(), Alert.last_date.desc(), Alert.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return _alert_rows(session.execute(stmt))


def alert_status_counts(
    *, session: Session, filters: AlertFilters, windows: TetWindows | None = None
) -> dict[str, int]:
    """How many alerts per status under the other filters."""
    stmt, areas_ = _alert_select()
    base = _apply_alert_filters(stmt, session, filters, areas_, windows, with_status=False)
    sub = base.with_only_columns(Alert.status, maintain_column_froms=True).subquery()
    counts = session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
    return {str(s): int(n) for s, n in counts}


def alert_row(*, session: Session, alert_id: int) -> AlertRow | None:
    """One alert with names."""
    stmt, _ = _alert_select()
    rows = _alert_rows(session.execute(stmt.where(Alert.id == alert_id)))
    return rows[0] if rows else None


def alert_reviews(*, session: Session, alert_id: int) -> list[AlertReview]:
    """The review steps of an alert, oldest first."""
    return list(
        session.scalars(select(AlertReview).where(AlertReview.alert_id == alert_id).order_by(AlertReview.id))
    )


# --- freshness --------------------------------------------------------------------------------------------


@dataclass
class FreshnessRow:
    """When an outlet last reported a price, and who reports for it."""

    outlet: Outlet
    area_name: str | None
    last_date: dt.date | None
    last_submitted_at: dt.datetime | None
    last_by: str | None
    accounts: list[str] = field(default_factory=list)
    days_since: int | None = None


def freshness(
    *, session: Session, today: dt.date, outlet_type: str | None = None, only_stale_days: int | None = None
) -> list[FreshnessRow]:
    """Every outlet (but official sources) with its last reported price date, stalest first."""
    stmt = select(Outlet).where(Outlet.outlet_type != "official")
    if outlet_type:
        stmt = stmt.where(Outlet.outlet_type == outlet_type)
    outlets_ = list(session.scalars(stmt))
    # Last date per (commodity, outlet) straight from the current-price key index, then per outlet.
    pairs = (
        select(Observation.commodity_id, Observation.outlet_id, func.max(Observation.obs_date).label("d"))
        .where(IS_CURRENT)
        .group_by(Observation.commodity_id, Observation.outlet_id)
        .subquery()
    )
    last_dates = {
        int(oid): _as_date(d)
        for oid, d in session.execute(
            select(pairs.c.outlet_id, func.max(pairs.c.d)).group_by(pairs.c.outlet_id)
        )
    }
    com_ids = list(session.scalars(select(Commodity.id)))
    rows: list[FreshnessRow] = []
    for outlet in outlets_:
        d = last_dates.get(outlet.id)
        last_by = last_at = None
        if d is not None:
            hit = session.execute(
                select(Observation.submitted_by, Observation.submitted_at)
                .where(
                    Observation.commodity_id.in_(com_ids),
                    Observation.outlet_id == outlet.id,
                    Observation.obs_date == d,
                    IS_CURRENT,
                )
                .order_by(Observation.submitted_at.desc())
                .limit(1)
            ).first()
            if hit is not None:
                last_by, last_at = hit
        rows.append(
            FreshnessRow(outlet, None, d, last_at, last_by, days_since=(today - d).days if d else None)
        )
    by_id = {r.outlet.id: r for r in rows}
    for oid, username in session.execute(
        select(UserOutlet.outlet_id, User.username)
        .join(User, User.id == UserOutlet.user_id)
        .where(User.active)
    ):
        if oid in by_id:
            by_id[oid].accounts.append(username)
    for ent_id, username in session.execute(
        select(User.enterprise_id, User.username).where(User.enterprise_id.is_not(None), User.active)
    ):
        for r in rows:
            if r.outlet.enterprise_id == ent_id:
                r.accounts.append(username)
    for r in rows:
        area = outlet_area(r.outlet)
        r.area_name = area.name if area else None
    if only_stale_days is not None:
        rows = [r for r in rows if r.days_since is None or r.days_since >= only_stale_days]
    rows.sort(key=lambda r: (-(r.days_since if r.days_since is not None else 10**6), r.outlet.code))
    return rows


# --- commodity page ---------------------------------------------------------------------------------------


def commodity_series(
    *,
    session: Session,
    commodity_id: int,
    since: dt.date,
    until: dt.date | None = None,
    outlet_ids: list[int] | None = None,
    price_types: tuple[str, ...] = ("retail",),
) -> list[tuple[dt.date, int, int, str]]:
    """(date, outlet id, price, price type) of current observations of a commodity."""
    stmt = select(
        Observation.obs_date, Observation.outlet_id, Observation.price_vnd, Observation.price_type
    ).where(
        Observation.commodity_id == commodity_id,
        IS_CURRENT,
        Observation.obs_date >= since,
        Observation.price_type.in_(price_types),
    )
    if until:
        stmt = stmt.where(Observation.obs_date <= until)
    if outlet_ids is not None:
        stmt = stmt.where(Observation.outlet_id.in_(outlet_ids))
    return [
        (_as_date(d), int(o), int(p), str(t))
        for d, o, p, t in session.execute(stmt.order_by(Observation.obs_date))
    ]


def last_date_of(*, session: Session, commodity_id: int) -> dt.date | None:
    """The latest date with a current retail price of a commodity."""
    value = session.scalar(
        select(func.max(Observation.obs_date)).where(
            Observation.commodity_id == commodity_id,
            IS_CURRENT,
            Observation.price_type == "retail",
        )
    )
    return None if value is None else _as_date(value)


def latest_by_outlet(
    *, session: Session, commodity_id: int, price_type: str = "retail"
) -> list[tuple[Outlet, dt.date, int]]:
    """The latest current price of a commodity at each outlet."""
    latest = (
        select(Observation.outlet_id, func.max(Observation.obs_date).label("d"))
        .where(
            Observation.commodity_id == commodity_id,
            IS_CURRENT,
            Observation.price_type == price_type,
        )
        .group_by(Observation.outlet_id)
        .subquery()
    )
    stmt = (
        select(Outlet, Observation.obs_date, Observation.price_vnd)
        .join(Observation, Observation.outlet_id == Outlet.id)
        .join(latest, and_(latest.c.outlet_id == Observation.outlet_id, latest.c.d == Observation.obs_date))
        .where(
            Observation.commodity_id == commodity_id,
            IS_CURRENT,
            Observation.price_type == price_type,
        )
        .order_by(Outlet.code, Observation.obs_time)
    )
    seen: dict[int, tuple[Outlet, dt.date, int]] = {}
    for outlet, d, price in session.execute(stmt):
        seen[outlet.id] = (outlet, _as_date(d), int(price))
    return list(seen.values())


# --- audit ------------------------------------------------------------------------------------------------


def audit_entries(
    *,
    session: Session,
    entity: str | None = None,
    entity_id: int | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit log entries, newest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    return list(session.scalars(stmt.limit(limit).offset(offset)))
