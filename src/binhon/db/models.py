"""Typed SQLAlchemy models: catalogues, geography, outlets, price observations, provenance, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from binhon.db.base import Base, BigId

PRICE_TYPES = ("retail", "wholesale", "ceiling", "committed")
OUTLET_TYPES = ("market", "supermarket", "convenience", "petrol", "enterprise", "official")
AREA_LEVELS = ("province", "district", "commune")
MARKET_GRADES = ("I", "II", "III")
LICENCE_STATUSES = ("active", "suspended", "revoked")


# The rows of the limits index (detection reads them with exactly this condition, so SQLite uses it).
LIMITS_WHERE = "is_current AND price_type IN ('ceiling', 'committed')"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> dt.datetime:
    """The current time, tz-aware UTC."""
    return dt.datetime.now(dt.UTC)


# --- Catalogue ------------------------------------------------------------------------------------


class Commodity(Base):
    """An essential good monitored by the department, priced per its unit."""

    __tablename__ = "commodities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    # The unit as a measure: dimension (mass g / volume ml / count) and how many base units it holds.
    dimension: Mapped[str] = mapped_column(String(8))
    unit_quantity: Mapped[float] = mapped_column(Numeric(14, 3, asdecimal=False))
    group: Mapped[str] = mapped_column(String(80))
    spec: Mapped[str | None] = mapped_column(Text)
    is_stabilised: Mapped[bool] = mapped_column(Boolean, default=False)
    report_code: Mapped[str | None] = mapped_column(String(40))
    min_vnd: Mapped[int | None] = mapped_column(BigInteger)
    max_vnd: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (CheckConstraint(_in("dimension", ("mass", "volume", "count")), name="dimension"),)


# --- Geography ------------------------------------------------------------------------------------


class Area(Base):
    """An administrative unit with the period its code was valid (codes are reused after 2025)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    parent: Mapped[Area | None] = relationship(remote_side="Area.id")

    __table_args__ = (
        UniqueConstraint("code", "level", "valid_from", name="uq_areas_code_level_valid_from"),
        CheckConstraint(_in("level", AREA_LEVELS), name="level"),
    )

    @property
    def is_current(self) -> bool:
        """Whether the unit exists today (has no end of validity)."""
        return self.valid_to is None


class AreaCrosswalk(Base):
    """An old (pre-July-2025) unit and the new unit it was merged into, fully or in part."""

    __tablename__ = "area_crosswalk"

    old_area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    new_area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    merge_type: Mapped[str] = mapped_column(String(10), default="full")


# --- Outlets --------------------------------------------------------------------------------------


class Enterprise(Base):
    """A business owning outlets (a chain, a fuel trader, a bình ổn participant)."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_code: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)


class Outlet(Base):
    """Where a price is observed: market, supermarket, store, petrol station, enterprise, official source."""

    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    outlet_type: Mapped[str] = mapped_column(String(16))
    # The area as registered (old or new unit), and derived: the current commune and the former district.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    zone: Mapped[int | None] = mapped_column(SmallInteger)
    market_grade: Mapped[str | None] = mapped_column(String(3))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    chain: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    licence_no: Mapped[str | None] = mapped_column(String(60))
    licence_status: Mapped[str | None] = mapped_column(String(12))
    active_from: Mapped[dt.date | None] = mapped_column(Date)
    active_to: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    area: Mapped[Area | None] = relationship(foreign_keys=[area_id])
    commune: Mapped[Area | None] = relationship(foreign_keys=[commune_id])
    district: Mapped[Area | None] = relationship(foreign_keys=[district_id])
    enterprise: Mapped[Enterprise | None] = relationship()
    suspensions: Mapped[list[OutletSuspension]] = relationship(
        back_populates="outlet", order_by="OutletSuspension.start"
    )

    __table_args__ = (
        CheckConstraint(_in("outlet_type", OUTLET_TYPES), name="outlet_type"),
        CheckConstraint("zone IS NULL OR zone IN (1, 2)", name="zone"),
        CheckConstraint(f"market_grade IS NULL OR {_in('market_grade', MARKET_GRADES)}", name="grade"),
        CheckConstraint(
            f"licence_status IS NULL OR {_in('licence_status', LICENCE_STATUSES)}", name="licence_status"
        ),
    )


class OutletSuspension(Base):
    """A period an outlet (e.g. a petrol station) was allowed to stop trading, with the reason."""

    __tablename__ = "outlet_suspensions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)

    outlet: Mapped[Outlet] = relationship(back_populates="suspensions")


# --- Prices ---------------------------------------------------------------------------------------


class IngestBatch(Base):
    """One delivery of prices through the ingest path (a file, a form, an API call, a crawl)."""

    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_revised: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Observation(Base):
    """A price of a commodity at an outlet on a date, in whole đồng per the commodity's unit.

    Rows are never updated in place: a correction inserts a new row and marks the old one as
    superseded (``is_current`` false, ``superseded_by_id`` set), so the history is kept.
    """

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    obs_date: Mapped[dt.date] = mapped_column(Date)
    # Local time of day the price took effect ("15:00" for a fuel adjustment), "" when unknown.
    obs_time: Mapped[str] = mapped_column(String(5), default="", server_default="")
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodities.id"))
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    price_vnd: Mapped[int] = mapped_column(BigInteger)
    price_type: Mapped[str] = mapped_column(String(10), default="retail")
    zone: Mapped[int | None] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(120), default="import")
    is_estimate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # What the submitter wrote, when binhon converted it (pack size, unit) or kept it for review.
    orig_price_vnd: Mapped[int | None] = mapped_column(BigInteger)
    orig_unit: Mapped[str | None] = mapped_column(String(60))
    name_raw: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
    submitted_by: Mapped[str] = mapped_column(String(120))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"))

    commodity: Mapped[Commodity] = relationship()
    outlet: Mapped[Outlet] = relationship()

    __table_args__ = (
        CheckConstraint(_in("price_type", PRICE_TYPES), name="price_type"),
        CheckConstraint("price_vnd > 0", name="price_positive"),
        CheckConstraint("zone IS NULL OR zone IN (1, 2)", name="zone"),
        # One current price per series key; superseded rows keep the history.
        Index(
            "uq_observations_current_key",
            "commodity_id",
            "outlet_id",
            "obs_date",
            "price_type",
            "obs_time",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        # A batch's rows (ids returned to the API), an outlet's history (forms, freshness), versions.
        Index("ix_observations_batch_id", "batch_id"),
        Index("ix_observations_outlet_date", "outlet_id", "obs_date"),
        Index("ix_observations_superseded_by_id", "superseded_by_id"),
        # Detection's incremental load: current prices of a recent date range, every column it reads
        # (covering: SQLite reads the index alone, not the wide table rows).
        Index(
            "ix_observations_current_date",
            "obs_date",
            "commodity_id",
            "outlet_id",
            "price_type",
            "obs_time",
            "price_vnd",
            "zone",
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        # Official ceilings and committed prices (few rows): the limits in force before that range.
        Index(
            "ix_observations_current_limits",
            "price_type",
            "obs_date",
            sqlite_where=text(LIMITS_WHERE),
            postgresql_where=text(LIMITS_WHERE),
        ),
    )


class AuditEntry(Base):
    """Who changed what, when and why: corrections, registrations, reviews, imports."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


# --- Alerts ---------------------------------------------------------------------------------------

ALERT_KINDS = (
    "spike",
    "drop",
    "outlet_outlier",
    "ceiling_breach",
    "commitment_breach",
    "stale",
    "scraper_broken",
)
SEVERITIES = ("stress", "alert", "crisis")
ALERT_STATUSES = ("new", "acknowledged", "escalated", "resolved", "dismissed")


class DetectionRun(Base):
    """One run of `binhon detect`: as of which date, and what it raised or extended."""

    __tablename__ = "detection_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))
    alerts_raised: Mapped[int] = mapped_column(Integer, default=0)
    alerts_extended: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DetectionProfile(Base):
    """Cached Tết ramp profiles of one commodity and price type, so that an incremental `binhon detect`
    need not reload and re-learn past seasons. Derived data only: a row may be deleted at any time.

    ``payload`` holds the profiles (NumPy ``.npz``) of the Tết seasons in ``targets`` (day of mùng 1
    Tết → the past-season date windows they were learned from) for the outlets listed in it.
    ``fingerprint`` names the configuration and code, ``columns_key`` the outlets with their district,
    peer class and promotion flag; a run uses the row only if both still match and no observation
    stored after ``data_max_id`` (a correction or back-filled price) is dated in those windows.
    """

    __tablename__ = "detection_profiles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodities.id"))
    price_type: Mapped[str] = mapped_column(String(10))
    fingerprint: Mapped[str] = mapped_column(String(64))
    columns_key: Mapped[str] = mapped_column(String(64))
    data_max_id: Mapped[int] = mapped_column(BigInteger)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("commodity_id", "price_type"),)


class Alert(Base):
    """An abnormal price situation. Frozen once raised: first_date, kind and the raising figures never
    change; while the condition persists, last_date may extend and severity may rise."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(8))
    commodity_id: Mapped[int | None] = mapped_column(ForeignKey("commodities.id"))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    first_date: Mapped[dt.date] = mapped_column(Date)
    last_date: Mapped[dt.date] = mapped_column(Date)
    observed_vnd: Mapped[int | None] = mapped_column(BigInteger)
    expected_vnd: Mapped[int | None] = mapped_column(BigInteger)
    score: Mapped[float | None] = mapped_column(Numeric(12, 4, asdecimal=False))
    explanation: Mapped[str] = mapped_column(Text)
    detector: Mapped[str] = mapped_column(String(40))
    # Identity of the situation (kind, series, first date): a rerun finds it instead of adding a copy.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="new")
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    raised_run_id: Mapped[int | None] = mapped_column(ForeignKey("detection_runs.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    commodity: Mapped[Commodity | None] = relationship()
    outlet: Mapped[Outlet | None] = relationship()
    area: Mapped[Area | None] = relationship()
    reviews: Mapped[list[AlertReview]] = relationship(back_populates="alert", order_by="AlertReview.id")

    __table_args__ = (
        CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        CheckConstraint(_in("status", ALERT_STATUSES), name="status"),
        Index("ix_alerts_first_date", "first_date"),
        Index("ix_alerts_status", "status"),
    )


class AlertReview(Base):
    """A step of an alert's review: acknowledged, escalated (to QLTT / BCĐ 389), resolved, dismissed."""

    __tablename__ = "alert_reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    escalated_to: Mapped[str | None] = mapped_column(String(120))

    alert: Mapped[Alert] = relationship(back_populates="reviews")


# --- Scrapers -------------------------------------------------------------------------------------


class ScrapeRun(Base):
    """One crawl of one spider: when, how many items, which pages failed and why."""

    __tablename__ = "scrape_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    spider: Mapped[str] = mapped_column(String(60), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="running")
    items: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    unmapped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class UnmappedProduct(Base):
    """A product a spider saw that no mapping rule could place (kept for review, never guessed)."""

    __tablename__ = "unmapped_products"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    spider: Mapped[str] = mapped_column(String(60))
    name_raw: Mapped[str] = mapped_column(Text)
    price_vnd: Mapped[int | None] = mapped_column(BigInteger)
    unit_raw: Mapped[str | None] = mapped_column(String(60))
    url: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    times_seen: Mapped[int] = mapped_column(Integer, default=1)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scrape_runs.id"))

    __table_args__ = (UniqueConstraint("spider", "name_raw", name="uq_unmapped_products_spider_name"),)


# --- Accounts -------------------------------------------------------------------------------------

ROLES = ("retailer", "officer", "admin")


class User(Base):
    """A person who signs in: a retailer (bound to outlets), a trade officer, or an administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    outlets: Mapped[list[Outlet]] = relationship(secondary="user_outlets", order_by="Outlet.code")
    enterprise: Mapped[Enterprise | None] = relationship()

    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)


class UserOutlet(Base):
    """An outlet a retailer account may see and submit prices for."""

    __tablename__ = "user_outlets"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), primary_key=True)


class ApiToken(Base):
    """A bearer token for programmatic submission; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class WebSession(Base):
    """A signed-in browser session (server side, so it can be revoked); only the id's hash is stored."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """A sign-in attempt, for throttling repeated failures per account and per address."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(Boolean)


class Attachment(Base):
    """A file sent with a submission (photo of the price board or a receipt), stored on disk by hash."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- Bình ổn programme register -------------------------------------------------------------------


class ProgrammeYear(Base):
    """A year of the province's market stabilisation programme, with its approving decision."""

    __tablename__ = "programme_years"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    decision_no: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    title: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Participant(Base):
    """An enterprise taking part in a programme year, with its loan capital."""

    __tablename__ = "programme_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme_years.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    loan_proposed_vnd: Mapped[int | None] = mapped_column(BigInteger)
    loan_approved_vnd: Mapped[int | None] = mapped_column(BigInteger)
    loan_disbursed_vnd: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)

    programme: Mapped[ProgrammeYear] = relationship()
    enterprise: Mapped[Enterprise] = relationship()

    __table_args__ = (
        UniqueConstraint("programme_id", "enterprise_id", name="uq_programme_participants_pair"),
    )


class ParticipantOutlet(Base):
    """A sale point where a participant sells its stabilised goods."""

    __tablename__ = "participant_outlets"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("programme_participants.id", ondelete="CASCADE"), primary_key=True
    )
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), primary_key=True)


class Commitment(Base):
    """Goods a participant committed to: quantity, value, price and/or margin below market, period."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participants.id", ondelete="CASCADE"))
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodities.id"))
    quantity: Mapped[float | None] = mapped_column(Numeric(16, 3, asdecimal=False))
    value_vnd: Mapped[int | None] = mapped_column(BigInteger)
    committed_price_vnd: Mapped[int | None] = mapped_column(BigInteger)
    margin_below_market_pct: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)

    participant: Mapped[Participant] = relationship()
    commodity: Mapped[Commodity] = relationship()


class ReserveReport(Base):
    """Stock of a committed good an enterprise reported holding on a date."""

    __tablename__ = "reserve_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participants.id", ondelete="CASCADE"))
    commodity_id: Mapped[int] = mapped_column(ForeignKey("commodities.id"))
    report_date: Mapped[dt.date] = mapped_column(Date)
    quantity: Mapped[float] = mapped_column(Numeric(16, 3, asdecimal=False))
    value_vnd: Mapped[int | None] = mapped_column(BigInteger)
    submitted_by: Mapped[str] = mapped_column(String(120))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("participant_id", "commodity_id", "report_date", name="uq_reserve_reports_key"),
    )


class FieldVisit(Base):
    """An officer's visit to a participant's sale point or warehouse, and what was found."""

    __tablename__ = "field_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participants.id", ondelete="CASCADE"))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    visit_date: Mapped[dt.date] = mapped_column(Date)
    officer: Mapped[str] = mapped_column(String(120))
    findings: Mapped[str] = mapped_column(Text)
    compliant: Mapped[bool | None] = mapped_column(Boolean)
