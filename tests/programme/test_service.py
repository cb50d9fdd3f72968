"""The programme service: validation in Vietnamese, audit of every change, look-ups, summary."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import AuditEntry, Commitment
from binhon.programme import service as svc
from binhon.programme.service import ProgrammeError
from tests.programme.data import d, ingest, price, programme


def audits(session: Session, entity: str) -> list[AuditEntry]:
    return list(
        session.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id))
    )


def test_register_and_summary(session: Session) -> None:
    ingest(session, [price("2026-01-05", "gao-te-thuong", "BO-1", 15000, outlet_type="enterprise")])
    pid = programme(session)
    svc.add_sale_point(session=session, participant_id=pid, outlet="BO-1", actor="officer1")
    svc.add_commitment(
        session=session,
        participant_id=pid,
        commodity="gao-te-thuong",
        period_start=d("2026-01-01"),
        period_end=d("2026-03-31"),
        committed_price_vnd=16000,
        quantity=200000,
        value_vnd=3_200_000_000,
        actor="officer1",
    )
    svc.upsert_field_visit(
        session=session,
        participant_id=pid,
        visit_date=d("2026-01-20"),
        officer="Đoàn kiểm tra",
        findings="Niêm yết giá chưa đúng giá cam kết",
        outlet="BO-1",
        compliant=False,
        actor="officer1",
    )
    session.commit()
    s = svc.programme_summary(session=session, year=2026)
    assert (s.participants, s.sale_points, s.commitments, s.field_visits, s.non_compliant_visits) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert s.committed_value_vnd == 3_200_000_000
    assert s.approved_share == pytest.approx(0.8) and s.disbursed_share == pytest.approx(0.75)
    assert s.decision_text() == "Quyết định số 1215/QĐ-UBND ngày 01/07/2025"
    assert [a.action for a in audits(session, "commitment")] == ["create"]
    assert audits(session, "participant_outlet")[0].actor == "officer1"
    assert (
        svc.get_participant(session=session, year=2026, enterprise="công ty cp thương mại cửu long xanh")
        is not None
    )
    assert svc.programme_for_date(session=session, on=d("2026-02-17")).year == 2026  # type: ignore[union-attr]


def test_updates_are_audited_with_old_and_new_values(session: Session) -> None:
    pid = programme(session)
    c = svc.add_commitment(
        session=session,
        participant_id=pid,
        commodity="gao-te-thuong",
        period_start=d("2026-01-01"),
        period_end=d("2026-03-31"),
        committed_price_vnd=16000,
        actor="test",
    )
    svc.update_commitment(
        session=session, commitment_id=c.id, committed_price_vnd=16500, actor="officer2", reason="điều chỉnh"
    )
    session.commit()
    update = audits(session, "commitment")[-1]
    assert (update.action, update.actor, update.reason) == ("update", "officer2", "điều chỉnh")
    assert update.details == {"committed_price_vnd": [16000, 16500]}
    svc.delete_commitment(session=session, commitment_id=c.id, actor="officer2", reason="nhập nhầm")
    session.commit()
    assert session.scalar(select(Commitment)) is None
    assert audits(session, "commitment")[-1].action == "delete"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period_end": dt.date(2025, 12, 1)}, "ngày kết thúc 01/12/2025 trước ngày bắt đầu 01/01/2026"),
        ({"committed_price_vnd": None}, "cần giá cam kết hoặc mức thấp hơn giá thị trường"),
        ({"committed_price_vnd": 450000}, "nằm ngoài khoảng hợp lý"),
        ({"margin_below_market_pct": 120}, "phải lớn hơn 0 và nhỏ hơn 100"),
        ({"quantity": -5}, "số lượng cam kết phải lớn hơn 0"),
        ({"commodity": "gao-te-thong"}, "có phải: gao-te-thuong"),
    ],
)
def test_commitment_validation(session: Session, kwargs: dict[str, object], message: str) -> None:
    pid = programme(session)
    args: dict[str, object] = {
        "commodity": "gao-te-thuong",
        "period_start": d("2026-01-01"),
        "period_end": d("2026-03-31"),
        "committed_price_vnd": 16000,
        **kwargs,
    }
    with pytest.raises(ProgrammeError, match=message.replace("?", r"\?")):
        svc.add_commitment(session=session, participant_id=pid, actor="test", **args)  # type: ignore[arg-type]


def test_other_validation(session: Session) -> None:
    with pytest.raises(ProgrammeError, match="chưa có chương trình bình ổn năm 2030"):
        svc.add_participant(session=session, year=2030, enterprise="X", actor="test")
    svc.create_programme_year(session=session, year=2030, actor="test")
    with pytest.raises(ProgrammeError, match="vốn được duyệt 2.000 ₫ lớn hơn vốn đề xuất 1.000 ₫"):
        svc.add_participant(
            session=session,
            year=2030,
            enterprise="X",
            actor="test",
            loan_proposed_vnd=1000,
            loan_approved_vnd=2000,
        )
    pid = svc.add_participant(session=session, year=2030, enterprise="X", actor="test").id
    with pytest.raises(ProgrammeError, match="đã tham gia"):
        svc.add_participant(session=session, year=2030, enterprise="X", actor="test")
    svc.add_commitment(
        session=session,
        participant_id=pid,
        commodity="trung-ga",
        period_start=d("2026-01-01"),
        period_end=d("2026-01-31"),
        committed_price_vnd=30000,
        actor="test",
    )
    with pytest.raises(ProgrammeError, match="trùng thời gian với cam kết số"):
        svc.add_commitment(
            session=session,
            participant_id=pid,
            commodity="trung-ga",
            period_start=d("2026-01-15"),
            period_end=d("2026-02-15"),
            committed_price_vnd=31000,
            actor="test",
        )
    with pytest.raises(ProgrammeError, match="ở tương lai"):
        svc.upsert_reserve(
            session=session,
            participant_id=pid,
            commodity="trung-ga",
            report_date=dt.date(2100, 1, 1),
            quantity=1,
            actor="t",
        )
    with pytest.raises(ProgrammeError, match="chưa được đăng ký"):
        svc.add_sale_point(session=session, participant_id=pid, outlet="KHONG-CO", actor="test")
    with pytest.raises(ProgrammeError, match="thiếu nội dung"):
        svc.upsert_field_visit(
            session=session,
            participant_id=pid,
            visit_date=d("2026-01-02"),
            officer="A",
            findings=" ",
            actor="t",
        )


def test_reserve_revision_for_the_same_day(session: Session) -> None:
    pid = programme(session)
    first = svc.upsert_reserve(
        session=session,
        participant_id=pid,
        commodity="gao-te-thuong",
        report_date=d("2026-01-10"),
        quantity=100,
        actor="a",
    )
    same = svc.upsert_reserve(
        session=session,
        participant_id=pid,
        commodity="gao-te-thuong",
        report_date=d("2026-01-10"),
        quantity=100,
        actor="a",
    )
    changed = svc.upsert_reserve(
        session=session,
        participant_id=pid,
        commodity="gao-te-thuong",
        report_date=d("2026-01-10"),
        quantity=120,
        actor="b",
    )
    session.commit()
    assert (first.status, same.status, changed.status) == ("created", "unchanged", "updated")
    assert changed.entity.quantity == 120 and changed.entity.submitted_by == "b"
    assert len(svc.list_reserves(session=session, year=2026)) == 1
