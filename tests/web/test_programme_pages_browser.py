"""End to end in headless Chromium: an officer creates a programme year, a participant and a
commitment on the register pages and sees it listed (SQLite and PostgreSQL).

Uses the browser fixtures of test_browser.py (Debian's /usr/bin/chromium driven by Playwright, the app
served by uvicorn in a thread); screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from binhon.db.models import AuditEntry, Commitment
from tests.web.seed import Seed
from tests.web.test_browser import _login, _shot, browser, live_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_officer_creates_a_programme_year_and_a_commitment_and_sees_it_listed(
    browser: Any,  # noqa: F811
    live_url: str,  # noqa: F811
    seeded: Seed,
    engine: Engine,
    request: pytest.FixtureRequest,
) -> None:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_url, *seeded.officer)
    page.click("header nav >> text=Bình ổn")
    assert page.url.endswith("/binh-on")
    assert "Sổ chương trình bình ổn thị trường" in page.inner_text("h1")

    # a date typed wrongly is refused beside its field, what was typed is kept
    page.fill("#year-year", "2027")
    page.fill("#year-decision_no", "1215/QĐ-UBND")
    page.fill("#year-decision_date", "31/02/2026")
    page.click("#nam-moi button[type=submit]")
    assert "dd/mm/yyyy" in page.inner_text("#err-year-decision_date")
    assert page.input_value("#year-decision_no") == "1215/QĐ-UBND"
    _shot(page, "20-programme-year-error", request)
    page.fill("#year-decision_date", "01/07/2026")
    page.fill("#year-title", "Kế hoạch bình ổn thị trường năm 2027")
    page.click("#nam-moi button[type=submit]")
    assert page.url.endswith("/binh-on/2027?da-luu=nam")
    assert "Quyết định số 1215/QĐ-UBND ngày 01/07/2026" in page.inner_text("p.lead")

    # the first participant (a new enterprise, with its loan capital and a sale point)
    page.fill("#participant-enterprise", "CLX")
    page.fill("#participant-enterprise_name", "Công ty CP Thương mại Cửu Long Xanh")
    page.fill("#participant-loan_proposed_vnd", "25.000.000.000")
    page.fill("#participant-loan_approved_vnd", "20000000000")
    page.fill("#participant-outlets", "CH-A")
    page.click("#form-participant button[type=submit]")
    assert "Đã thêm doanh nghiệp tham gia" in page.inner_text("#saved")
    assert "Cửa hàng A" in page.inner_text("#participants")

    # the commitment form is open while there is none
    page.select_option("#commitment-participant", label="Công ty CP Thương mại Cửu Long Xanh (CLX)")
    page.select_option("#commitment-commodity", "gao-te-thuong")
    page.fill("#commitment-period_start", "01/12/2026")
    page.fill("#commitment-period_end", "31/03/2027")
    page.fill("#commitment-committed_price_vnd", "16.000")
    page.fill("#commitment-quantity", "200.000")
    page.fill("#commitment-value_vnd", "3.200.000.000")
    page.click("#form-commitment button[type=submit]")
    assert "Đã lưu cam kết" in page.inner_text("#saved")
    row = page.inner_text("#commitments tbody tr:first-child")
    assert "Cửu Long Xanh" in row and "Gạo tẻ thường" in row and "16.000 ₫/kg" in row
    assert "200.000 kg" in row and "3.200.000.000 ₫" in row and "01/12/2026 – 31/03/2027" in row
    _shot(page, "21-programme-year-with-commitment", request)

    page.goto(f"{live_url}/binh-on")
    years = page.inner_text("#years")
    assert "Năm 2027" in years and "3.200.000.000 ₫" in years and "20.000.000.000 ₫" in years
    _shot(page, "22-programme-list", request)
    context.close()

    with engine.connect() as conn:
        commitment = conn.execute(select(Commitment.committed_price_vnd, Commitment.quantity)).one()
        actors = set(
            conn.execute(
                select(AuditEntry.actor).where(
                    AuditEntry.entity.in_(("programme_year", "participant", "commitment"))
                )
            ).scalars()
        )
    assert tuple(commitment) == (16_000, 200_000)
    assert actors == {"web:canbo.gia"}
