"""The bình ổn programme register: years, participants, sale points, commitments, reserves, visits.

Every function here is the one way its records are created or changed, by officer pages, the CLI
and the CSV/XLSX template imports alike: keyword-only arguments, validation with a Vietnamese
message (:class:`ProgrammeError`), an :class:`~binhon.db.models.AuditEntry` for every change, and
``flush()`` only (the caller commits). The ``upsert_*`` functions find a record by its natural key
and report whether they created, changed or left it as it was, so that importing the same template
twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import (
    AuditEntry,
    Commitment,
    Commodity,
    Enterprise,
    FieldVisit,
    Outlet,
    Participant,
    ParticipantOutlet,
    ProgrammeYear,
    ReserveReport,
    utcnow,
)
from binhon.errors import BinhonError
from binhon.formatting import fold_key, format_date, format_number, format_vnd, normalize_text

__all__ = [
    "Outcome",
    "ProgrammeError",
    "ProgrammeSummary",
    "add_commitment",
    "add_participant",
    "add_sale_point",
    "create_programme_year",
    "delete_commitment",
    "find_commodity",
    "find_enterprise",
    "find_outlet",
    "get_or_create_enterprise",
    "get_participant",
    "get_programme_year",
    "list_commitments",
    "list_field_visits",
    "list_participants",
    "list_programme_years",
    "list_reserves",
    "list_sale_points",
    "programme_for_date",
    "programme_summary",
    "remove_sale_point",
    "update_commitment",
    "update_field_visit",
    "update_participant",
    "update_programme_year",
    "upsert_commitment",
    "upsert_field_visit",
    "upsert_participant",
    "upsert_programme_year",
    "upsert_reserve",
    "upsert_sale_point",
]

log = logging.getLogger(__name__)

Status = Literal["created", "updated", "unchanged"]
MIN_YEAR, MAX_YEAR = 2000, 2100


class ProgrammeError(BinhonError, ValueError):
    """A programme record is invalid or refers to something unknown; the message is for users."""


@dataclass
class Outcome:
    """What an upsert did to one record."""

    entity: Any
    status: Status
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


# --- helpers ----------------------------------------------------------------------------------------


def _audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor=actor, action=action, entity=entity, entity_id=entity_id, reason=reason, details=details
        )
    )


# Vietnamese names of the register's bounded text columns, for length errors.
_TEXT_LABELS = {
    "decision_no": "số quyết định",
    "code": "mã doanh nghiệp",
    "name": "tên doanh nghiệp",
    "tax_code": "mã số thuế",
    "officer": "người/đoàn kiểm tra",
    "submitted_by": "người báo cáo",
}


def _check_text(model: Any, values: dict[str, Any]) -> None:
    """Refuse text longer than its column, in words, before the database refuses it with an error
    (PostgreSQL does; SQLite would store it silently)."""
    columns = model.__table__.columns
    for key, value in values.items():
        limit = getattr(columns[key].type, "length", None) if key in columns else None
        if limit is not None and isinstance(value, str) and len(value) > limit:
            label = _TEXT_LABELS.get(key, key)
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise ProgrammeError(f"{label} '{shown}' dài quá {limit} ký tự ({len(value)} ký tự)")


def _check_lengths(obj: Any) -> None:
    """_check_text on every column of a new row."""
    _check_text(type(obj), {c.key: getattr(obj, c.key, None) for c in type(obj).__table__.columns})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _diff(obj: Any, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (getattr(obj, k), v) for k, v in values.items() if getattr(obj, k) != v}


def _apply(
    session: Session, obj: Any, values: dict[str, Any], *, actor: str, entity: str, reason: str | None
) -> dict[str, tuple[Any, Any]]:
    """Set changed attributes and audit them; return the changes."""
    changes = _diff(obj, values)
    if not changes:
        return changes
    _check_text(type(obj), {key: new for key, (_old, new) in changes.items()})
    for key, (_old, new) in changes.items():
        setattr(obj, key, new)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="update",
        entity=entity,
        entity_id=obj.id,
        reason=reason,
        details={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in changes.items()},
    )
    return changes


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = normalize_text(value)
    return cleaned or None


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ProgrammeError(f"năm chương trình {year!r} không hợp lệ (từ {MIN_YEAR} đến {MAX_YEAR})")


def _check_money(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProgrammeError(f"{name} phải là số đồng nguyên, nhận được {value!r}")
    if value < 0:
        raise ProgrammeError(f"{name} không được âm ({format_vnd(value)})")


def _check_quantity(name: str, value: float | None, *, positive: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProgrammeError(f"{name} phải là một số, nhận được {value!r}")
    if value < 0 or (positive and value == 0):
        raise ProgrammeError(f"{name} phải {'lớn hơn' if positive else 'không nhỏ hơn'} 0")


def _check_loans(proposed: int | None, approved: int | None, disbursed: int | None) -> None:
    _check_money("vốn đề xuất", proposed)
    _check_money("vốn được duyệt", approved)
    _check_money("vốn đã giải ngân", disbursed)
    if approved is not None and proposed is not None and approved > proposed:
        raise ProgrammeError(
            f"vốn được duyệt {format_vnd(approved)} lớn hơn vốn đề xuất {format_vnd(proposed)}"
        )
    if disbursed is not None and approved is not None and disbursed > approved:
        raise ProgrammeError(
            f"vốn đã giải ngân {format_vnd(disbursed)} lớn hơn vốn được duyệt {format_vnd(approved)}"
        )
    if disbursed is not None and approved is None and disbursed > 0:
        raise ProgrammeError("có vốn đã giải ngân nhưng chưa có vốn được duyệt")


def _today() -> dt.date:
    from zoneinfo import ZoneInfo

    from binhon.settings import get_settings

    return dt.datetime.now(ZoneInfo(get_settings().timezone)).date()


def _not_future(name: str, value: dt.date) -> None:
    if value > _today() + dt.timedelta(days=1):
        raise ProgrammeError(f"{name} {format_date(value)} ở tương lai")


# --- look-ups ---------------------------------------------------------------------------------------


def find_enterprise(*, session: Session, text: str) -> Enterprise | None:
    """The enterprise whose code is ``text``, else the one whose name matches it (case-insensitive)."""
    text = normalize_text(text)
    found = session.scalars(select(Enterprise).where(Enterprise.code == text)).first()
    if found is not None:
        return found
    key = fold_key(text)
    matches = [
        e for e in session.scalars(select(Enterprise)) if fold_key(e.name) == key or fold_key(e.code) == key
    ]
    return matches[0] if len(matches) == 1 else None


def find_commodity(*, session: Session, code: str) -> Commodity:
    """The active commodity with this code; ProgrammeError naming close codes otherwise."""
    code = normalize_text(code).lower()
    found = session.scalars(select(Commodity).where(Commodity.code == code, Commodity.active)).first()
    if found is None:
        import difflib

        codes = list(session.scalars(select(Commodity.code).where(Commodity.active)))
        close = difflib.get_close_matches(code, codes, n=3, cutoff=0.6)
        hint = f" (có phải: {', '.join(close)}?)" if close else ""
        raise ProgrammeError(f"mã hàng hóa '{code}' không có trong danh mục{hint}")
    return found


def find_outlet(*, session: Session, code: str) -> Outlet:
    """The outlet with this code; ProgrammeError otherwise."""
    code = normalize_text(code)
    found = session.scalars(select(Outlet).where(Outlet.code == code)).first()
    if found is None:
        raise ProgrammeError(f"điểm bán '{code}' chưa được đăng ký")
    return found


# --- programme years --------------------------------------------------------------------------------


def get_programme_year(*, session: Session, year: int) -> ProgrammeYear | None:
    """The programme of a year, if registered."""
    return session.scalars(select(ProgrammeYear).where(ProgrammeYear.year == year)).first()


def _require_programme(session: Session, year: int) -> ProgrammeYear:
    _check_year(year)
    programme = get_programme_year(session=session, year=year)
    if programme is None:
        raise ProgrammeError(
            f"chưa có chương trình bình ổn năm {year}: hãy khai báo năm chương trình (số, ngày quyết định) "
            "trước"
        )
    return programme


def list_programme_years(*, session: Session) -> list[ProgrammeYear]:
    """Every programme year, latest first."""
    return list(session.scalars(select(ProgrammeYear).order_by(ProgrammeYear.year.desc())))


def programme_for_date(*, session: Session, on: dt.date) -> ProgrammeYear | None:
    """The programme whose commitments are in force on ``on``, else the programme of ``on``'s year."""
    stmt = (
        select(ProgrammeYear)
        .join(Participant, Participant.programme_id == ProgrammeYear.id)
        .join(Commitment, Commitment.participant_id == Participant.id)
        .where(Commitment.period_start <= on, Commitment.period_end >= on)
        .order_by(ProgrammeYear.year.desc())
    )
    return session.scalars(stmt).first() or get_programme_year(session=session, year=on.year)


def _programme_values(
    decision_no: str | None, decision_date: dt.date | None, title: str | None, note: str | None
) -> dict[str, Any]:
    if decision_date is not None and not isinstance(decision_date, dt.date):
        raise ProgrammeError(f"ngày quyết định không hợp lệ: {decision_date!r}")
    return {
        "decision_no": _text(decision_no),
        "decision_date": decision_date,
        "title": _text(title),
        "note": _text(note),
    }


def create_programme_year(
    *,
    session: Session,
    year: int,
    actor: str,
    decision_no: str | None = None,
    decision_date: dt.date | None = None,
    title: str | None = None,
    note: str | None = None,
) -> ProgrammeYear:
    """Register a programme year with its approving decision."""
    _check_year(year)
    if get_programme_year(session=session, year=year) is not None:
        raise ProgrammeError(f"chương trình bình ổn năm {year} đã có")
    programme = ProgrammeYear(year=year, **_programme_values(decision_no, decision_date, title, note))
    _check_lengths(programme)
    session.add(programme)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="create",
        entity="programme_year",
        entity_id=programme.id,
        details={
            "year": year,
            "decision_no": programme.decision_no,
            "decision_date": _jsonable(decision_date),
        },
    )
    return programme


def update_programme_year(
    *,
    session: Session,
    year: int,
    actor: str,
    decision_no: str | None = None,
    decision_date: dt.date | None = None,
    title: str | None = None,
    note: str | None = None,
    reason: str | None = None,
) -> ProgrammeYear:
    """Change a programme year's decision, title or note (None keeps a value)."""
    programme = _require_programme(session, year)
    values = _programme_values(decision_no, decision_date, title, note)
    _apply(
        session,
        programme,
        {k: v for k, v in values.items() if v is not None},
        actor=actor,
        entity="programme_year",
        reason=reason,
    )
    return programme


def upsert_programme_year(
    *,
    session: Session,
    year: int,
    actor: str,
    decision_no: str | None = None,
    decision_date: dt.date | None = None,
    title: str | None = None,
    note: str | None = None,
    reason: str | None = None,
) -> Outcome:
    """Create the programme year, or bring it to these values."""
    _check_year(year)
    programme = get_programme_year(session=session, year=year)
    if programme is None:
        created = create_programme_year(
            session=session,
            year=year,
            actor=actor,
            decision_no=decision_no,
            decision_date=decision_date,
            title=title,
            note=note,
        )
        return Outcome(created, "created")
    changes = _apply(
        session,
        programme,
        _programme_values(decision_no, decision_date, title, note),
        actor=actor,
        entity="programme_year",
        reason=reason,
    )
    return Outcome(programme, "updated" if changes else "unchanged", changes)


# --- enterprises ------------------------------------------------------------------------------------


def get_or_create_enterprise(
    *,
    session: Session,
    code: str,
    actor: str,
    name: str | None = None,
    tax_code: str | None = None,
    address: str | None = None,
) -> Enterprise:
    """The enterprise with this code (or name); registered when unknown (a name is then needed)."""
    code = normalize_text(code)
    if not code:
        raise ProgrammeError("thiếu mã doanh nghiệp")
    if len(code) > 64:
        raise ProgrammeError(f"mã doanh nghiệp '{code}' dài quá 64 ký tự")
    found = find_enterprise(session=session, text=code)
    values = {"tax_code": _text(tax_code), "address": _text(address)}
    if found is not None:
        _apply(
            session,
            found,
            {k: v for k, v in values.items() if v is not None},
            actor=actor,
            entity="enterprise",
            reason="cập nhật từ sổ bình ổn",
        )
        return found
    enterprise = Enterprise(code=code, name=_text(name) or code, **values)
    _check_lengths(enterprise)
    session.add(enterprise)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="register",
        entity="enterprise",
        entity_id=enterprise.id,
        details={"code": code, "name": enterprise.name},
    )
    return enterprise


# --- participants -----------------------------------------------------------------------------------


def get_participant(*, session: Session, year: int, enterprise: str) -> Participant | None:
    """The participation of an enterprise (code or name) in a programme year."""
    programme = get_programme_year(session=session, year=year)
    ent = find_enterprise(session=session, text=enterprise)
    if programme is None or ent is None:
        return None
    return session.scalars(
        select(Participant).where(
            Participant.programme_id == programme.id, Participant.enterprise_id == ent.id
        )
    ).first()


def _require_participant(session: Session, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise ProgrammeError(f"không có doanh nghiệp tham gia số {participant_id}")
    return participant


def list_participants(*, session: Session, year: int) -> list[Participant]:
    """The participants of a programme year, by enterprise name."""
    return list(
        session.scalars(
            select(Participant)
            .join(ProgrammeYear, ProgrammeYear.id == Participant.programme_id)
            .join(Enterprise, Enterprise.id == Participant.enterprise_id)
            .where(ProgrammeYear.year == year)
            .order_by(Enterprise.name)
        )
    )


def add_participant(
    *,
    session: Session,
    year: int,
    enterprise: str,
    actor: str,
    enterprise_name: str | None = None,
    tax_code: str | None = None,
    address: str | None = None,
    loan_proposed_vnd: int | None = None,
    loan_approved_vnd: int | None = None,
    loan_disbursed_vnd: int | None = None,
    note: str | None = None,
) -> Participant:
    """Add an enterprise (registered if new) to a programme year, with its loan capital."""
    outcome = upsert_participant(
        session=session,
        year=year,
        enterprise=enterprise,
        actor=actor,
        enterprise_name=enterprise_name,
        tax_code=tax_code,
        address=address,
        loan_proposed_vnd=loan_proposed_vnd,
        loan_approved_vnd=loan_approved_vnd,
        loan_disbursed_vnd=loan_disbursed_vnd,
        note=note,
        must_be_new=True,
    )
    participant: Participant = outcome.entity
    return participant


def upsert_participant(
    *,
    session: Session,
    year: int,
    enterprise: str,
    actor: str,
    enterprise_name: str | None = None,
    tax_code: str | None = None,
    address: str | None = None,
    loan_proposed_vnd: int | None = None,
    loan_approved_vnd: int | None = None,
    loan_disbursed_vnd: int | None = None,
    note: str | None = None,
    must_be_new: bool = False,
) -> Outcome:
    """Add the enterprise to the programme year, or bring its loans and note to these values."""
    programme = _require_programme(session, year)
    _check_loans(loan_proposed_vnd, loan_approved_vnd, loan_disbursed_vnd)
    ent = get_or_create_enterprise(
        session=session,
        code=enterprise,
        actor=actor,
        name=enterprise_name,
        tax_code=tax_code,
        address=address,
    )
    values = {
        "loan_proposed_vnd": loan_proposed_vnd,
        "loan_approved_vnd": loan_approved_vnd,
        "loan_disbursed_vnd": loan_disbursed_vnd,
        "note": _text(note),
    }
    existing = session.scalars(
        select(Participant).where(
            Participant.programme_id == programme.id, Participant.enterprise_id == ent.id
        )
    ).first()
    if existing is not None:
        if must_be_new:
            raise ProgrammeError(f"{ent.name} đã tham gia chương trình bình ổn năm {year}")
        changes = _apply(session, existing, values, actor=actor, entity="participant", reason=None)
        return Outcome(existing, "updated" if changes else "unchanged", changes)
    participant = Participant(programme_id=programme.id, enterprise_id=ent.id, **values)
    _check_lengths(participant)
    session.add(participant)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="create",
        entity="participant",
        entity_id=participant.id,
        details={"year": year, "enterprise": ent.code, **values},
    )
    return Outcome(participant, "created")


def update_participant(
    *,
    session: Session,
    participant_id: int,
    actor: str,
    loan_proposed_vnd: int | None = None,
    loan_approved_vnd: int | None = None,
    loan_disbursed_vnd: int | None = None,
    note: str | None = None,
    reason: str | None = None,
) -> Participant:
    """Change a participant's loan capital or note (None keeps a value)."""
    participant = _require_participant(session, participant_id)
    proposed = participant.loan_proposed_vnd if loan_proposed_vnd is None else loan_proposed_vnd
    approved = participant.loan_approved_vnd if loan_approved_vnd is None else loan_approved_vnd
    disbursed = participant.loan_disbursed_vnd if loan_disbursed_vnd is None else loan_disbursed_vnd
    _check_loans(proposed, approved, disbursed)
    values: dict[str, Any] = {
        "loan_proposed_vnd": proposed,
        "loan_approved_vnd": approved,
        "loan_disbursed_vnd": disbursed,
    }
    if note is not None:
        values["note"] = _text(note)
    _apply(session, participant, values, actor=actor, entity="participant", reason=reason)
    return participant


# --- sale points ------------------------------------------------------------------------------------


def list_sale_points(*, session: Session, participant_id: int) -> list[Outlet]:
    """The outlets where a participant sells its stabilised goods, by code."""
    return list(
        session.scalars(
            select(Outlet)
            .join(ParticipantOutlet, ParticipantOutlet.outlet_id == Outlet.id)
            .where(ParticipantOutlet.participant_id == participant_id)
            .order_by(Outlet.code)
        )
    )


def upsert_sale_point(*, session: Session, participant_id: int, outlet: str, actor: str) -> Outcome:
    """Make a registered outlet a sale point of the participant (unchanged if it already is)."""
    participant = _require_participant(session, participant_id)
    found = find_outlet(session=session, code=outlet)
    if found.outlet_type == "official":
        raise ProgrammeError(f"'{found.code}' là nguồn giá chính thức, không phải điểm bán")
    link = session.get(ParticipantOutlet, (participant.id, found.id))
    if link is not None:
        return Outcome(link, "unchanged")
    link = ParticipantOutlet(participant_id=participant.id, outlet_id=found.id)
    _check_lengths(link)
    session.add(link)
    if found.enterprise_id is None:
        found.enterprise_id = participant.enterprise_id
    session.flush()
    _audit(
        session,
        actor=actor,
        action="create",
        entity="participant_outlet",
        entity_id=participant.id,
        details={"participant_id": participant.id, "outlet": found.code},
    )
    return Outcome(link, "created")


def add_sale_point(*, session: Session, participant_id: int, outlet: str, actor: str) -> ParticipantOutlet:
    """Make a registered outlet a sale point of the participant."""
    outcome = upsert_sale_point(session=session, participant_id=participant_id, outlet=outlet, actor=actor)
    if outcome.status == "unchanged":
        raise ProgrammeError(f"điểm bán '{outlet}' đã thuộc doanh nghiệp này")
    link: ParticipantOutlet = outcome.entity
    return link


def remove_sale_point(
    *, session: Session, participant_id: int, outlet: str, actor: str, reason: str | None = None
) -> None:
    """Stop counting an outlet as a sale point of the participant."""
    found = find_outlet(session=session, code=outlet)
    link = session.get(ParticipantOutlet, (participant_id, found.id))
    if link is None:
        raise ProgrammeError(f"điểm bán '{outlet}' không thuộc doanh nghiệp tham gia số {participant_id}")
    session.delete(link)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="delete",
        entity="participant_outlet",
        entity_id=participant_id,
        reason=reason,
        details={"participant_id": participant_id, "outlet": found.code},
    )


# --- commitments ------------------------------------------------------------------------------------


def _commitment_values(
    session: Session,
    *,
    commodity: Commodity,
    period_start: dt.date,
    period_end: dt.date,
    quantity: float | None,
    value_vnd: int | None,
    committed_price_vnd: int | None,
    margin_below_market_pct: float | None,
) -> dict[str, Any]:
    if not isinstance(period_start, dt.date) or not isinstance(period_end, dt.date):
        raise ProgrammeError("thiếu thời gian cam kết (từ ngày, đến ngày)")
    if period_end < period_start:
        raise ProgrammeError(
            f"thời gian cam kết: ngày kết thúc {format_date(period_end)} trước ngày bắt đầu "
            f"{format_date(period_start)}"
        )
    _check_quantity("số lượng cam kết", quantity, positive=True)
    _check_money("giá trị cam kết", value_vnd)
    _check_money("giá cam kết", committed_price_vnd)
    if committed_price_vnd is None and margin_below_market_pct is None:
        raise ProgrammeError("cần giá cam kết hoặc mức thấp hơn giá thị trường (%)")
    if committed_price_vnd is not None:
        low, high = commodity.min_vnd, commodity.max_vnd
        if (
            committed_price_vnd == 0
            or (low is not None and committed_price_vnd < low)
            or (high is not None and committed_price_vnd > high)
        ):
            raise ProgrammeError(
                f"giá cam kết {format_vnd(committed_price_vnd)}/{commodity.unit} nằm ngoài khoảng hợp lý "
                f"{format_vnd(low or 0)} – {format_vnd(high or 0)} của {commodity.name}"
            )
    if margin_below_market_pct is not None:
        if isinstance(margin_below_market_pct, bool) or not isinstance(margin_below_market_pct, int | float):
            raise ProgrammeError(
                f"mức thấp hơn giá thị trường phải là một số, nhận được {margin_below_market_pct!r}"
            )
        if not 0 < margin_below_market_pct < 100:
            raise ProgrammeError(
                f"mức thấp hơn giá thị trường {format_number(margin_below_market_pct, 2)}% phải lớn hơn 0 "
                "và nhỏ hơn 100"
            )
    return {
        "commodity_id": commodity.id,
        "period_start": period_start,
        "period_end": period_end,
        "quantity": None if quantity is None else float(quantity),
        "value_vnd": value_vnd,
        "committed_price_vnd": committed_price_vnd,
        "margin_below_market_pct": None
        if margin_below_market_pct is None
        else float(margin_below_market_pct),
    }


def _check_overlap(
    session: Session, participant_id: int, values: dict[str, Any], *, exclude: int | None
) -> None:
    stmt = select(Commitment).where(
        Commitment.participant_id == participant_id,
        Commitment.commodity_id == values["commodity_id"],
        Commitment.period_start <= values["period_end"],
        Commitment.period_end >= values["period_start"],
    )
    for other in session.scalars(stmt):
        if other.id != exclude:
            raise ProgrammeError(
                f"trùng thời gian với cam kết số {other.id} của cùng mặt hàng "
                f"({format_date(other.period_start)} – {format_date(other.period_end)})"
            )


def list_commitments(
    *, session: Session, year: int | None = None, participant_id: int | None = None
) -> list[Commitment]:
    """Commitments of a programme year or a participant, by enterprise, commodity and period."""
    stmt = (
        select(Commitment)
        .join(Participant, Participant.id == Commitment.participant_id)
        .join(ProgrammeYear, ProgrammeYear.id == Participant.programme_id)
        .join(Enterprise, Enterprise.id == Participant.enterprise_id)
        .join(Commodity, Commodity.id == Commitment.commodity_id)
    )
    if year is not None:
        stmt = stmt.where(ProgrammeYear.year == year)
    if participant_id is not None:
        stmt = stmt.where(Commitment.participant_id == participant_id)
    return list(session.scalars(stmt.order_by(Enterprise.name, Commodity.id, Commitment.period_start)))


def add_commitment(
    *,
    session: Session,
    participant_id: int,
    commodity: str,
    period_start: dt.date,
    period_end: dt.date,
    actor: str,
    quantity: float | None = None,
    value_vnd: int | None = None,
    committed_price_vnd: int | None = None,
    margin_below_market_pct: float | None = None,
) -> Commitment:
    """Record goods a participant committed to: quantity, value, price and/or margin, period."""
    participant = _require_participant(session, participant_id)
    com = find_commodity(session=session, code=commodity)
    values = _commitment_values(
        session,
        commodity=com,
        period_start=period_start,
        period_end=period_end,
        quantity=quantity,
        value_vnd=value_vnd,
        committed_price_vnd=committed_price_vnd,
        margin_below_market_pct=margin_below_market_pct,
    )
    _check_overlap(session, participant.id, values, exclude=None)
    commitment = Commitment(participant_id=participant.id, **values)
    _check_lengths(commitment)
    session.add(commitment)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="create",
        entity="commitment",
        entity_id=commitment.id,
        details={
            "participant_id": participant.id,
            "commodity": com.code,
            **{k: _jsonable(v) for k, v in values.items()},
        },
    )
    return commitment


def upsert_commitment(
    *,
    session: Session,
    participant_id: int,
    commodity: str,
    period_start: dt.date,
    period_end: dt.date,
    actor: str,
    quantity: float | None = None,
    value_vnd: int | None = None,
    committed_price_vnd: int | None = None,
    margin_below_market_pct: float | None = None,
) -> Outcome:
    """The commitment with this participant, commodity and period: created, or brought to these values."""
    participant = _require_participant(session, participant_id)
    com = find_commodity(session=session, code=commodity)
    existing = session.scalars(
        select(Commitment).where(
            Commitment.participant_id == participant.id,
            Commitment.commodity_id == com.id,
            Commitment.period_start == period_start,
            Commitment.period_end == period_end,
        )
    ).first()
    if existing is None:
        created = add_commitment(
            session=session,
            participant_id=participant.id,
            commodity=com.code,
            period_start=period_start,
            period_end=period_end,
            actor=actor,
            quantity=quantity,
            value_vnd=value_vnd,
            committed_price_vnd=committed_price_vnd,
            margin_below_market_pct=margin_below_market_pct,
        )
        return Outcome(created, "created")
    values = _commitment_values(
        session,
        commodity=com,
        period_start=period_start,
        period_end=period_end,
        quantity=quantity,
        value_vnd=value_vnd,
        committed_price_vnd=committed_price_vnd,
        margin_below_market_pct=margin_below_market_pct,
    )
    changes = _apply(session, existing, values, actor=actor, entity="commitment", reason=None)
    return Outcome(existing, "updated" if changes else "unchanged", changes)


def update_commitment(
    *,
    session: Session,
    commitment_id: int,
    actor: str,
    quantity: float | None = None,
    value_vnd: int | None = None,
    committed_price_vnd: int | None = None,
    margin_below_market_pct: float | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    reason: str | None = None,
) -> Commitment:
    """Change a commitment (None keeps a value)."""
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise ProgrammeError(f"không có cam kết số {commitment_id}")
    com = session.get(Commodity, commitment.commodity_id)
    assert com is not None
    values = _commitment_values(
        session,
        commodity=com,
        period_start=period_start or commitment.period_start,
        period_end=period_end or commitment.period_end,
        quantity=commitment.quantity if quantity is None else quantity,
        value_vnd=commitment.value_vnd if value_vnd is None else value_vnd,
        committed_price_vnd=commitment.committed_price_vnd
        if committed_price_vnd is None
        else committed_price_vnd,
        margin_below_market_pct=(
            commitment.margin_below_market_pct if margin_below_market_pct is None else margin_below_market_pct
        ),
    )
    _check_overlap(session, commitment.participant_id, values, exclude=commitment.id)
    _apply(session, commitment, values, actor=actor, entity="commitment", reason=reason)
    return commitment


def delete_commitment(*, session: Session, commitment_id: int, actor: str, reason: str) -> None:
    """Remove a commitment entered by mistake (the reason is kept in the audit log)."""
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise ProgrammeError(f"không có cam kết số {commitment_id}")
    if not reason or not reason.strip():
        raise ProgrammeError("cần ghi lý do xóa cam kết")
    details = {
        "participant_id": commitment.participant_id,
        "commodity_id": commitment.commodity_id,
        "period_start": _jsonable(commitment.period_start),
        "period_end": _jsonable(commitment.period_end),
        "committed_price_vnd": commitment.committed_price_vnd,
        "margin_below_market_pct": commitment.margin_below_market_pct,
        "quantity": commitment.quantity,
    }
    session.delete(commitment)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="delete",
        entity="commitment",
        entity_id=commitment_id,
        reason=reason,
        details=details,
    )


# --- reserves ---------------------------------------------------------------------------------------


def upsert_reserve(
    *,
    session: Session,
    participant_id: int,
    commodity: str,
    report_date: dt.date,
    quantity: float,
    actor: str,
    value_vnd: int | None = None,
) -> Outcome:
    """Record the stock a participant reported holding on a date (a new figure for the date revises it)."""
    participant = _require_participant(session, participant_id)
    com = find_commodity(session=session, code=commodity)
    if not isinstance(report_date, dt.date):
        raise ProgrammeError("thiếu ngày báo cáo dự trữ")
    _not_future("ngày báo cáo dự trữ", report_date)
    if quantity is None:
        raise ProgrammeError("thiếu lượng dự trữ")
    _check_quantity("lượng dự trữ", quantity)
    _check_money("giá trị dự trữ", value_vnd)
    existing = session.scalars(
        select(ReserveReport).where(
            ReserveReport.participant_id == participant.id,
            ReserveReport.commodity_id == com.id,
            ReserveReport.report_date == report_date,
        )
    ).first()
    values = {"quantity": float(quantity), "value_vnd": value_vnd}
    if existing is not None:
        changes = _apply(
            session,
            existing,
            values,
            actor=actor,
            entity="reserve_report",
            reason="báo cáo dự trữ mới cho cùng ngày",
        )
        if changes:
            existing.submitted_by = actor
            existing.submitted_at = utcnow()
        return Outcome(existing, "updated" if changes else "unchanged", changes)
    report = ReserveReport(
        participant_id=participant.id,
        commodity_id=com.id,
        report_date=report_date,
        submitted_by=actor,
        submitted_at=utcnow(),
        **values,
    )
    _check_lengths(report)
    session.add(report)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="create",
        entity="reserve_report",
        entity_id=report.id,
        details={
            "participant_id": participant.id,
            "commodity": com.code,
            "report_date": report_date.isoformat(),
            **values,
        },
    )
    return Outcome(report, "created")


def list_reserves(
    *, session: Session, year: int | None = None, participant_id: int | None = None
) -> list[ReserveReport]:
    """Reserve reports of a programme year or a participant, oldest first."""
    stmt = select(ReserveReport).join(Participant, Participant.id == ReserveReport.participant_id)
    if year is not None:
        stmt = stmt.join(ProgrammeYear, ProgrammeYear.id == Participant.programme_id).where(
            ProgrammeYear.year == year
        )
    if participant_id is not None:
        stmt = stmt.where(ReserveReport.participant_id == participant_id)
    return list(session.scalars(stmt.order_by(ReserveReport.report_date, ReserveReport.id)))


# --- field visits -----------------------------------------------------------------------------------


def _visit_outlet(session: Session, participant: Participant, outlet: str | None) -> int | None:
    if not outlet:
        return None
    found = find_outlet(session=session, code=outlet)
    if session.get(ParticipantOutlet, (participant.id, found.id)) is None:
        raise ProgrammeError(f"điểm bán '{found.code}' không phải điểm bán bình ổn của doanh nghiệp này")
    return found.id


def _visit_values(visit_date: dt.date, officer: str, findings: str, compliant: bool | None) -> dict[str, Any]:
    if not isinstance(visit_date, dt.date):
        raise ProgrammeError("thiếu ngày kiểm tra")
    _not_future("ngày kiểm tra", visit_date)
    officer_text = _text(officer)
    findings_text = _text(findings)
    if not officer_text:
        raise ProgrammeError("thiếu người/đoàn kiểm tra")
    if not findings_text:
        raise ProgrammeError("thiếu nội dung kết quả kiểm tra")
    return {
        "visit_date": visit_date,
        "officer": officer_text,
        "findings": findings_text,
        "compliant": compliant,
    }


def upsert_field_visit(
    *,
    session: Session,
    participant_id: int,
    visit_date: dt.date,
    officer: str,
    findings: str,
    actor: str,
    outlet: str | None = None,
    compliant: bool | None = None,
) -> Outcome:
    """Record a field visit; the same participant, outlet, date and officer revise the earlier record."""
    participant = _require_participant(session, participant_id)
    outlet_id = _visit_outlet(session, participant, outlet)
    values = _visit_values(visit_date, officer, findings, compliant)
    existing = session.scalars(
        select(FieldVisit).where(
            FieldVisit.participant_id == participant.id,
            FieldVisit.visit_date == values["visit_date"],
            FieldVisit.officer == values["officer"],
            FieldVisit.outlet_id.is_(None) if outlet_id is None else FieldVisit.outlet_id == outlet_id,
        )
    ).first()
    if existing is not None:
        changes = _apply(session, existing, values, actor=actor, entity="field_visit", reason=None)
        return Outcome(existing, "updated" if changes else "unchanged", changes)
    visit = FieldVisit(participant_id=participant.id, outlet_id=outlet_id, **values)
    _check_lengths(visit)
    session.add(visit)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="create",
        entity="field_visit",
        entity_id=visit.id,
        details={
            "participant_id": participant.id,
            "outlet_id": outlet_id,
            **{k: _jsonable(v) for k, v in values.items()},
        },
    )
    return Outcome(visit, "created")


def update_field_visit(
    *,
    session: Session,
    visit_id: int,
    actor: str,
    findings: str | None = None,
    compliant: bool | None = None,
    reason: str | None = None,
) -> FieldVisit:
    """Change a field visit's findings or compliance (None keeps a value)."""
    visit = session.get(FieldVisit, visit_id)
    if visit is None:
        raise ProgrammeError(f"không có lần kiểm tra số {visit_id}")
    values: dict[str, Any] = {}
    if findings is not None:
        text = _text(findings)
        if not text:
            raise ProgrammeError("thiếu nội dung kết quả kiểm tra")
        values["findings"] = text
    if compliant is not None:
        values["compliant"] = compliant
    _apply(session, visit, values, actor=actor, entity="field_visit", reason=reason)
    return visit


def list_field_visits(
    *, session: Session, year: int | None = None, participant_id: int | None = None
) -> list[FieldVisit]:
    """Field visits of a programme year or a participant, oldest first."""
    stmt = select(FieldVisit).join(Participant, Participant.id == FieldVisit.participant_id)
    if year is not None:
        stmt = stmt.join(ProgrammeYear, ProgrammeYear.id == Participant.programme_id).where(
            ProgrammeYear.year == year
        )
    if participant_id is not None:
        stmt = stmt.where(FieldVisit.participant_id == participant_id)
    return list(session.scalars(stmt.order_by(FieldVisit.visit_date, FieldVisit.id)))


# --- summary ----------------------------------------------------------------------------------------


@dataclass
class ProgrammeSummary:
    """Counts and totals of a programme year."""

    year: int
    decision_no: str | None
    decision_date: dt.date | None
    participants: int
    sale_points: int
    commitments: int
    committed_value_vnd: int
    loan_proposed_vnd: int
    loan_approved_vnd: int
    loan_disbursed_vnd: int
    reserve_reports: int
    field_visits: int
    non_compliant_visits: int

    @property
    def approved_share(self) -> float | None:
        """Approved / proposed capital."""
        return self.loan_approved_vnd / self.loan_proposed_vnd if self.loan_proposed_vnd else None

    @property
    def disbursed_share(self) -> float | None:
        """Disbursed / approved capital."""
        return self.loan_disbursed_vnd / self.loan_approved_vnd if self.loan_approved_vnd else None

    def decision_text(self) -> str:
        """ "Quyết định số 1215/QĐ-UBND ngày 01/07/2026" (or what is known of it)."""
        if not self.decision_no and not self.decision_date:
            return "chưa có quyết định phê duyệt"
        text = f"Quyết định số {self.decision_no}" if self.decision_no else "Quyết định"
        if self.decision_date:
            text += f" ngày {format_date(self.decision_date)}"
        return text


def programme_summary(*, session: Session, year: int) -> ProgrammeSummary:
    """Counts and totals of a programme year (participants, sale points, loans, commitments…)."""
    programme = _require_programme(session, year)
    participants = list_participants(session=session, year=year)
    commitments = list_commitments(session=session, year=year)
    visits = list_field_visits(session=session, year=year)
    sale_points = sum(len(list_sale_points(session=session, participant_id=p.id)) for p in participants)
    return ProgrammeSummary(
        year=year,
        decision_no=programme.decision_no,
        decision_date=programme.decision_date,
        participants=len(participants),
        sale_points=sale_points,
        commitments=len(commitments),
        committed_value_vnd=sum(c.value_vnd or 0 for c in commitments),
        loan_proposed_vnd=sum(p.loan_proposed_vnd or 0 for p in participants),
        loan_approved_vnd=sum(p.loan_approved_vnd or 0 for p in participants),
        loan_disbursed_vnd=sum(p.loan_disbursed_vnd or 0 for p in participants),
        reserve_reports=len(list_reserves(session=session, year=year)),
        field_visits=len(visits),
        non_compliant_visits=sum(1 for v in visits if v.compliant is False),
    )
