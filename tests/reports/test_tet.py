"""The Tết market report (.xlsx and .docx): figures checked against values computed by hand."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from binhon.programme import service as svc
from binhon.programme.alerts import run_commitment_checks
from binhon.reports.config import ReportsConfig, load_reports_config
from binhon.reports.monthly import ReportError
from binhon.reports.tet import build_tet_report, render_tet_docx, render_tet_xlsx, tet_report_data
from tests.programme.data import AREA_B, d, ingest, price, programme

RICE, PORK, CABBAGE, EGGS = "gao-te-thuong", "thit-lon-nac", "bap-cai", "trung-ga"
BREADTH = (
    "01 mặt hàng tăng giá (gạo tẻ thường tăng 10,0%), 01 mặt hàng giảm giá (thịt lợn nạc giảm 10,0%) "
    "và 01 mặt hàng không có số liệu (bắp cải)"
)


def small_config() -> ReportsConfig:
    base = load_reports_config()
    return base.model_copy(
        update={
            "tet_report": base.tet_report.model_copy(update={"commodities": (RICE, PORK, CABBAGE)}),
            "forecast": base.forecast.model_copy(update={"enabled": False}),
        }
    )


@pytest.fixture
def season(session: Session) -> Session:
    """Tết Ất Tỵ (29/01/2025) and Tết Bính Ngọ (17/02/2026) at the same days to Tết, and a breach."""
    sp = {"outlet_type": "enterprise", "area": AREA_B}
    ingest(
        session,
        [
            # Rice: Tết 2025 at 10 and 5 days before: 15.000, 16.000.
            price("2025-01-19", RICE, "CHO-A", 15000),
            price("2025-01-24", RICE, "CHO-A", 16000),
            # The same calendar date a year before 07/02/2026 ("so cùng kỳ").
            price("2025-02-07", RICE, "CHO-A", 15200),
            # The month before the 2026 "before" phase (19/12/2025–17/01/2026).
            price("2026-01-05", RICE, "CHO-A", 15500),
            # Tết 2026 at 20, 10 and 5 days before: 16.000, 16.500, 17.600.
            price("2026-01-28", RICE, "CHO-A", 16000),
            price("2026-02-07", RICE, "CHO-A", 16500),
            price("2026-02-12", RICE, "CHO-A", 17600),
            # Pork at 10 days before Tết: 130.000, then 117.000.
            price("2025-01-19", PORK, "CHO-A", 130000),
            price("2026-02-07", PORK, "CHO-A", 117000),
            # The bình ổn sale point sells eggs above its committed price in the season.
            price("2026-02-12", EGGS, "BO-1", 31000, **sp),
        ],
    )
    pid = programme(session)
    svc.add_sale_point(session=session, participant_id=pid, outlet="BO-1", actor="test")
    svc.add_commitment(
        session=session,
        participant_id=pid,
        commodity=EGGS,
        period_start=d("2026-01-01"),
        period_end=d("2026-03-31"),
        committed_price_vnd=30000,
        actor="test",
    )
    run_commitment_checks(session, as_of=d("2026-03-20"), actor="test")
    session.commit()
    return session


def test_phase_figures_by_hand(season: Session) -> None:
    report = tet_report_data(season, 2026, as_of=d("2026-03-20"), config=small_config())
    rice = report.review(RICE).phase("before")
    assert (rice.start, rice.end) == (d("2026-01-18"), d("2026-02-14"))
    assert rice.average == pytest.approx((16000 + 16500 + 17600) / 3)  # 16.700
    assert rice.days == 3
    # so với Tết năm trước: the matched days (−10, −5): (16.500 + 17.600) / 2 against (15.000 + 16.000) / 2.
    prev = rice.previous[0]
    assert (prev.year, prev.matched_days, prev.average) == (2025, 2, 15500)
    assert rice.change_previous_tet == pytest.approx(17050 / 15500 - 1)  # +10 %
    assert rice.previous[1].year == 2024 and rice.previous[1].average is None
    # so tháng trước: 16.700 against the 30 days before 18/01/2026 (15.500).
    assert rice.month_before == 15500 and rice.change_month == pytest.approx(16700 / 15500 - 1)
    # so cùng kỳ: only 07/02 has a price on the same date a year earlier (15.200).
    assert rice.change_year == pytest.approx(16500 / 15200 - 1)
    assert report.review(PORK).phase("before").change_previous_tet == pytest.approx(-0.1)
    assert report.breadth_text("before") == BREADTH
    assert report.breadth_text("before", "month").startswith("01 mặt hàng tăng giá (gạo tẻ thường tăng 7,7%)")
    assert report.alerts is not None and report.alerts.total == 1
    assert report.alerts.by_kind == [("commitment_breach", "vi phạm cam kết bình ổn", 1)]
    assert report.alerts.top_outlets[0][0] == "BO-1"
    assert report.programme is not None and report.programme.participants == 1
    (status,) = report.commitments
    assert status.commodity_code == EGGS and status.breaches == 1


def test_xlsx_cells(season: Session) -> None:
    report = tet_report_data(season, 2026, as_of=d("2026-03-20"), config=small_config())
    wb = load_workbook(io.BytesIO(render_tet_xlsx(report)))
    assert wb.sheetnames == [
        "Tổng hợp",
        "Giá theo giai đoạn",
        "Theo ngày âm lịch",
        "Cảnh báo",
        "Bình ổn",
        "Dự báo",
    ]
    ws = wb["Giá theo giai đoạn"]
    head = [c.value for c in ws[1]]
    rows = [r for r in ws.iter_rows(min_row=2) if r[1].value == RICE and r[4].value == "trước Tết"]
    (row,) = rows
    cell = dict(zip(head, row, strict=False))
    assert cell["Giá bình quân (đồng)"].value == pytest.approx(16700)
    assert cell["Giá bình quân (đồng)"].number_format == "#,##0"
    assert cell["Từ ngày"].value == dt.datetime(2026, 1, 18) and cell["Từ ngày"].number_format == "dd/mm/yyyy"
    assert cell["Tết 2025, cùng ngày so với Tết (đồng)"].value == 15500
    assert cell["So với Tết năm trước"].value == pytest.approx(0.1)
    assert cell["So với Tết năm trước"].number_format == "#,##0.0%;(#,##0.0%);0.0%"
    assert cell["Diễn biến so với Tết năm trước"].value == "tăng 10,0%"
    assert cell["So tháng trước"].value == pytest.approx(16700 / 15500 - 1)
    assert cell["Cùng kỳ năm trước (đồng)"].value == 15200
    assert cell["Diễn biến so cùng kỳ"].value == "tăng 8,6%"
    pork = next(r for r in ws.iter_rows(min_row=2) if r[1].value == PORK and r[4].value == "trước Tết")
    assert pork[11].value == "giảm 10,0%"
    summary = [c.value for r in wb["Tổng hợp"].iter_rows() for c in r if isinstance(c.value, str)]
    assert f"- So với Tết năm trước: {BREADTH}." in summary
    alerts = list(wb["Cảnh báo"].iter_rows(min_row=2, values_only=True))
    assert len(alerts) == 1 and alerts[0][1] == "vi phạm cam kết bình ổn" and alerts[0][8] == 31000


def test_docx_text(season: Session) -> None:
    report = tet_report_data(season, 2026, as_of=d("2026-03-20"), config=small_config())
    doc = Document(io.BytesIO(render_tet_docx(report, report_date=d("2026-03-20"))))
    header = doc.tables[0].rows[0].cells
    assert header[0].text.splitlines() == ["UBND TỈNH VĨNH LONG", "SỞ CÔNG THƯƠNG", "Số:        /BC-SCT"]
    assert header[1].text.splitlines() == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Vĩnh Long, ngày 20 tháng 03 năm 2026",
    ]
    paragraphs = [p.text for p in doc.paragraphs]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == [
        "I. TÌNH HÌNH GIÁ CẢ THỊ TRƯỜNG",
        "1. Trước Tết (từ ngày 18/01/2026 đến ngày 14/02/2026)",
    ]
    assert "V. ĐÁNH GIÁ CHUNG" in headings
    assert "BÁO CÁO" in paragraphs
    assert f"So với Tết năm trước: {BREADTH}." in paragraphs
    assert any(
        p.startswith("So tháng trước: 01 mặt hàng tăng giá (gạo tẻ thường tăng 7,7%)") for p in paragraphs
    )
    assert any("ghi nhận 1 cảnh báo giá (vi phạm cam kết bình ổn 1" in p for p in paragraphs)
    assert paragraphs[-1].endswith("Sở Công Thương tỉnh Vĩnh Long./.") or any(
        p.endswith("./.") for p in paragraphs
    )
    rice_rows = [
        [c.text for c in r.cells]
        for t in doc.tables[1:]
        for r in t.rows
        if r.cells[0].text == "Gạo tẻ thường"
    ]
    assert rice_rows[0] == ["Gạo tẻ thường", "kg", "16.700 ₫", "tăng 10,0%", "tăng 7,7%", "tăng 8,6%"]
    text = "\n".join(paragraphs + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert not re.search(r"(^|[\s(])[-−+]\s?\d", text)  # directions are words, never signs
    signature = doc.tables[-1].rows[0].cells
    assert "Nơi nhận:" in signature[0].text and "KT. GIÁM ĐỐC" in signature[1].text


def test_build_bytes_and_refusals(season: Session) -> None:
    xlsx = build_tet_report(season, 2026, "xlsx", as_of=d("2026-03-20"), config=small_config())
    docx = build_tet_report(season, 2026, "docx", as_of=d("2026-03-20"), config=small_config())
    assert xlsx[:2] == b"PK" and docx[:2] == b"PK"
    with pytest.raises(ReportError, match="xlsx hoặc docx"):
        build_tet_report(season, 2026, "pdf")  # type: ignore[arg-type]


def test_upcoming_season_has_no_prices_yet(season: Session) -> None:
    report = tet_report_data(season, 2027, as_of=d("2026-03-20"), config=small_config())
    assert report.breadth_text("before").endswith(
        "03 mặt hàng không có số liệu (gạo tẻ thường; thịt lợn nạc; bắp cải)"
    )
    from binhon.reports.tet import alerts_sentences, assessment

    assert alerts_sentences(report)[0].startswith("Mùa Tết Đinh Mùi chưa bắt đầu")
    assert assessment(report).startswith("Chưa có số liệu giá của mùa Tết Đinh Mùi năm 2027")


def test_reports_on_an_empty_database(session: Session) -> None:
    from binhon.reports.monthly import build_monthly_xlsx

    assert build_tet_report(session, 2027, "docx", as_of=d("2026-11-15"))[:2] == b"PK"
    assert build_tet_report(session, 2027, "xlsx", as_of=d("2026-11-15"))[:2] == b"PK"
    assert build_monthly_xlsx(session, "2026-10")[:2] == b"PK"
