"""Template imports: same validation as the service, all-or-nothing with lines, idempotent, audited."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from binhon.db.models import AuditEntry, Commitment, Outlet, Participant, ProgrammeYear, ReserveReport
from binhon.errors import ImportRejected
from binhon.programme.templates import (
    KINDS,
    TemplateRefused,
    guess_kind,
    import_programme_file,
    template_csv,
    template_workbook,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "binhon" / "programme" / "templates"


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def workbook(tmp_path: Path, sheets: dict[str, list[list[object]]], name: str = "so.xlsx") -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def test_shipped_examples_import_and_reimport_changes_nothing(session: Session) -> None:
    path = TEMPLATES / "programme-register.xlsx"
    result = import_programme_file(session, path, actor="officer")
    session.commit()
    assert {k: (c.rows, c.created) for k, c in result.counts.items()} == {
        "programme": (1, 1),
        "participants": (1, 1),
        "sale_points": (1, 1),
        "commitments": (2, 2),
        "reserves": (1, 1),
        "visits": (1, 1),
    }
    assert result.new_outlets == ["BO-CLX-MAU"]
    outlet = session.scalars(select(Outlet).where(Outlet.code == "BO-CLX-MAU")).one()
    assert outlet.outlet_type == "enterprise" and outlet.commune is not None
    rice = session.scalars(select(Commitment).where(Commitment.committed_price_vnd.is_not(None))).one()
    assert (rice.committed_price_vnd, rice.quantity, rice.value_vnd) == (16000, 200000, 3_200_000_000)
    assert result.ignored == ["trang tính 'huong-dan'"]

    again = import_programme_file(session, path, actor="officer")
    session.commit()
    assert again.total("created") == 0 and again.total("updated") == 0 and again.total("unchanged") == 7
    imports = session.scalars(select(AuditEntry).where(AuditEntry.entity == "programme_import")).all()
    assert (
        len(imports) == 2 and imports[0].reason == "programme-register.xlsx" and imports[0].details["sha256"]
    )

    # The CSV examples are the same rows: importing them in order changes nothing either.
    for kind in KINDS:
        csv_result = import_programme_file(session, TEMPLATES / f"{kind}.csv", actor="officer")
        assert csv_result.total("created") == 0 and csv_result.total("updated") == 0
    session.commit()


def test_all_or_nothing_with_every_reason_and_line(session: Session, tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        {
            "programme": [["year", "decision_no", "decision_date"], [2026, "1215/QĐ-UBND", "01/07/2025"]],
            "participants": [
                ["year", "enterprise", "enterprise_name"],
                [2026, "CLX", "Công ty Cửu Long Xanh"],
            ],
            "commitments": [
                ["year", "enterprise", "commodity", "period_start", "period_end", "committed_price_vnd"],
                [2026, "CLX", "gao-te-thuong", "01/01/2026", "31/03/2026", "16.000"],
                [2026, "CLX", "gao-te-thong", "31/02/2026", "31/03/2026", "16.000"],
                [2026, "KHAC", "trung-ga", "01/01/2026", "31/03/2026", "30k"],
            ],
        },
    )
    with pytest.raises(ImportRejected) as info:
        import_programme_file(session, path, actor="officer")
    problems = info.value.problems
    assert [str(p).split(":")[0] for p in problems] == [
        "trang tính 'commitments', dòng 3",
        "trang tính 'commitments', dòng 4",
    ]
    assert "period_start: ngày không hợp lệ: '31/02/2026'" in problems[0].reason  # type: ignore[attr-defined]
    assert "giá không được viết tắt" in problems[1].reason  # type: ignore[attr-defined]
    assert "'KHAC' chưa tham gia chương trình bình ổn năm 2026" in problems[1].reason  # type: ignore[attr-defined]
    session.commit()
    assert count(session, ProgrammeYear) == count(session, Participant) == count(session, Commitment) == 0


def test_csv_kind_from_header_and_updates(session: Session, tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(template_csv("programme"), encoding="utf-8")
    (tmp_path / "e.csv").write_text(template_csv("participants"), encoding="utf-8")
    for name in ("p.csv", "e.csv"):
        import_programme_file(session, tmp_path / name, actor="officer")
    src = tmp_path / "ton-kho.csv"
    src.write_text(
        "\ufeffyear,enterprise,commodity,report_date,quantity,value_vnd\n"
        "2026,CLX,gao-te-thuong,2025-11-01,150.000,\n"
        "\n"
        '2026,CLX,gao-te-thuong,02/11/2025,"140.000",2.240.000.000\n',
        encoding="utf-8",
    )
    first = import_programme_file(session, src, actor="officer")
    assert (first.counts["reserves"].created, first.counts["reserves"].rows) == (2, 2)
    src.write_text(
        "year,enterprise,commodity,report_date,quantity,value_vnd\n2026,CLX,gao-te-thuong,2025-11-01,155000,\n",
        encoding="utf-8",
    )
    second = import_programme_file(session, src, actor="officer2")
    session.commit()
    assert second.counts["reserves"].updated == 1
    quantities = sorted(r.quantity for r in session.scalars(select(ReserveReport)))
    assert quantities == [140000, 155000]
    revised = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "reserve_report", AuditEntry.action == "update")
    ).one()
    assert revised.actor == "officer2" and revised.details["quantity"] == [150000, 155000]


def test_refusals(session: Session, tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(TemplateRefused, match="không nhận ra loại mẫu"):
        import_programme_file(session, bad, actor="t")
    with pytest.raises(TemplateRefused, match="thiếu cột bắt buộc period_end"):
        bad.write_text("year,enterprise,commodity,period_start\n", encoding="utf-8")
        import_programme_file(session, bad, actor="t", kind="commitments")
    with pytest.raises(TemplateRefused, match="chỉ nhận .csv"):
        other = tmp_path / "x.txt.json"
        other.write_text("{}", encoding="utf-8")
        import_programme_file(session, other, actor="t")
    assert guess_kind(["year", "enterprise", "outlet"]) == "sale_points"
    assert guess_kind(["year", "enterprise"]) == "participants"
    assert template_workbook(examples=False)[:2] == b"PK"
    assert io.BytesIO(template_workbook()).getbuffer().nbytes > 1000


def test_text_longer_than_its_column_is_a_bad_line_not_a_crash(session: Session, tmp_path: Path) -> None:
    long_decision = "1215/QĐ-UBND " + "x" * 60  # the column holds 60 characters
    path = workbook(
        tmp_path,
        {
            "programme": [["year", "decision_no", "decision_date"], [2026, long_decision, "01/07/2025"]],
            "participants": [
                ["year", "enterprise", "enterprise_name", "tax_code"],
                [2026, "CLX", "Công ty Cửu Long Xanh", "2100" * 6],
            ],
        },
    )
    with pytest.raises(ImportRejected) as info:
        import_programme_file(session, path, actor="officer")
    reasons = {str(p).split(":")[0]: p.reason for p in info.value.problems}  # type: ignore[attr-defined]
    assert (
        "số quyết định '1215/QĐ-UBND xxxxxxxxxxxxxxxxxxxxxxxxxxx…' dài quá 60 ký tự (73 ký tự)"
        in (reasons["trang tính 'programme', dòng 2"])
    )
    session.rollback()
    assert count(session, ProgrammeYear) == count(session, Participant) == 0
