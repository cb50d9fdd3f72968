"""The monthly Thông tư 29/2024 table: cells checked against values computed by hand."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from binhon.reports.monthly import COLUMNS, ReportError, build_monthly_xlsx, monthly_table, parse_month
from tests.programme.data import AREA_B, ingest, price

RICE, PORK, FUEL = "gao-te-thuong", "thit-lon-nac", "xang-e5-ron92"


@pytest.fixture
def prices(session: Session) -> Session:
    official = {"outlet_type": "official", "price_type": "ceiling"}
    ingest(
        session,
        [
            # Rice, retail. December: 01/12 median(15.000, 16.000) = 15.500; 02/12 15.000 -> mean 15.250.
            price("2025-12-01", RICE, "CHO-A", 15000),
            price("2025-12-01", RICE, "CHO-B", 16000),
            price("2025-12-02", RICE, "CHO-A", 15000),
            # January: 05/01 median(16.000, 17.000, 18.000) = 17.000; 06/01 median(16.500, 16.500);
            # mean 16.750.
            price("2026-01-05", RICE, "CHO-A", 16000),
            price("2026-01-05", RICE, "CHO-B", 17000),
            price("2026-01-05", RICE, "ST-C", 18000, outlet_type="supermarket", area=AREA_B),
            price("2026-01-06", RICE, "CHO-A", 16500),
            price("2026-01-06", RICE, "CHO-B", 16500),
            # Rice, wholesale: 14.000 -> 14.700.
            price("2025-12-10", RICE, "CHO-A", 14000, price_type="wholesale"),
            price("2026-01-06", RICE, "CHO-A", 14700, price_type="wholesale"),
            # Pork: 120.000 -> 114.000 (a fall).
            price("2025-12-15", PORK, "CHO-A", 120000),
            price("2026-01-06", PORK, "CHO-A", 114000),
            # Fuel ceiling, zone 1: 20.000 from 20/11, 21.000 from 18/12; a zone-2 ceiling is ignored.
            price("2025-11-20", FUEL, "BCT-V1", 20000, zone="1", **official),
            price("2025-12-18", FUEL, "BCT-V1", 21000, zone="1", **official),
            price("2025-12-18", FUEL, "BCT-V2", 21420, zone="2", **official),
            # Eggs: only in December.
            price("2025-12-03", "trung-ga", "CHO-A", 30000),
        ],
    )
    return session


def test_table_by_hand(prices: Session) -> None:
    t = monthly_table(prices, "2026-01")
    assert t.title == "BẢNG GIÁ THỊ TRƯỜNG THÁNG 01/2026"
    assert t.data_until == dt.date(2026, 1, 6) and not t.complete
    rice = t.row(RICE)
    assert rice is not None
    assert (rice.previous, rice.current, rice.change) == (15250, 16750, 1500)
    assert rice.rate == 9.84  # 1.500 / 15.250 × 100 = 9,836… rounded half up to 2 decimals
    assert rice.price_type_label == "Giá bán lẻ" and rice.unit == "đồng/kg"
    assert rice.source == "Sở Công Thương – khảo sát chợ, siêu thị"
    wholesale = t.row(RICE, "wholesale")
    assert wholesale is not None and (
        wholesale.previous,
        wholesale.current,
        wholesale.change,
        wholesale.rate,
    ) == (
        14000,
        14700,
        700,
        5.0,
    )
    pork = t.row(PORK)
    assert pork is not None and (pork.change, pork.rate) == (-6000, -5.0)
    fuel = t.row(FUEL, "ceiling")
    assert fuel is not None
    # December: 20.000 for 17 days, 21.000 for 14 days: 634.000 / 31 = 20.451,6 -> 20.452.
    # January, days with data (01–06/01): 21.000.
    assert (fuel.previous, fuel.current, fuel.change, fuel.rate) == (20452, 21000, 548, 2.68)
    assert fuel.source == "Bộ Công Thương (giá trần)" and fuel.note == "vùng 1"
    eggs = t.row("trung-ga")
    assert eggs is not None and (eggs.previous, eggs.current, eggs.note) == (30000, None, "không có số liệu")
    empty = t.row("bap-cai")
    assert (
        empty is not None
        and empty.current is None
        and empty.note == "không có số liệu"
        and empty.source == ""
    )
    # Breadth over one row per commodity (retail first): rice and fuel up, pork down.
    b = t.breadth
    assert [n for n, _ in b.up] == ["gạo tẻ thường", "xăng E5 RON 92-II"]  # by size: 9,84 % then 2,68 %
    assert [n for n, _ in b.down] == ["thịt lợn nạc"]
    assert "trứng gà" in b.missing


def test_xlsx_cells(prices: Session) -> None:
    data = build_monthly_xlsx(prices, "2026-01", report_date=dt.date(2026, 2, 2))
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws["A4"].value == "BẢNG GIÁ THỊ TRƯỜNG THÁNG 01/2026"
    assert ws["A1"].value == "UBND TỈNH VĨNH LONG" and ws["A2"].value == "SỞ CÔNG THƯƠNG"
    header = [c.value for c in ws[8]]
    assert tuple(header[: len(COLUMNS)]) == COLUMNS
    assert ws.freeze_panes == "D10"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$8:$9"
    rows = {
        (r[1].value, r[5].value): r
        for r in ws.iter_rows(min_row=10)
        if isinstance(r[0].value, int) and r[1].value is not None
    }
    rice = rows[(RICE, "Giá bán lẻ")]
    assert [c.value for c in rice[6:10]] == [15250, 16750, 1500, 9.84]
    assert rice[6].number_format == "#,##0" and rice[8].number_format == "#,##0;(#,##0);0"
    assert rice[9].number_format == "#,##0.00;(#,##0.00);0.00"
    pork = rows[(PORK, "Giá bán lẻ")]
    assert [c.value for c in pork[6:10]] == [120000, 114000, -6000, -5]
    assert rows[(FUEL, "Giá bán lẻ tối đa")][7].value == 21000
    assert rows[("bap-cai", "Giá bán lẻ")][11].value == "không có số liệu"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Vĩnh Long, ngày 02 tháng 02 năm 2026" in texts
    summary = next(t for t in texts if t.startswith("- So tháng trước:"))
    assert "02 mặt hàng tăng giá (gạo tẻ thường tăng 9,84%; xăng E5 RON 92-II tăng 2,68%)" in summary
    assert "01 mặt hàng giảm giá (thịt lợn nạc giảm 5,00%)" in summary
    assert any("Số liệu đến ngày 06/01/2026 (ước)" in t for t in texts)


def test_parse_month() -> None:
    assert parse_month("2027-01") == dt.date(2027, 1, 1)
    assert parse_month("01/2027") == dt.date(2027, 1, 1)
    with pytest.raises(ReportError, match="YYYY-MM"):
        parse_month("2027-13")
