"""Report downloads: the TT29 monthly table and the Tết report, for staff only."""

from __future__ import annotations

import io

import docx
import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from binhon.db.models import Observation
from tests.web.conftest import bearer
from tests.web.seed import Seed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _latest_month(engine: Engine) -> str:
    with engine.connect() as conn:
        last = conn.execute(select(func.max(Observation.obs_date))).scalar_one()
    return f"{last:%Y-%m}"


def test_officer_downloads_the_monthly_table_from_the_reports_page(
    as_officer: tuple[TestClient, str], engine: Engine
) -> None:
    client, _csrf = as_officer
    page = client.get("/bao-cao")
    assert page.status_code == 200 and 'action="/api/v1/reports/monthly.xlsx"' in page.text
    month = _latest_month(engine)
    r = client.get("/api/v1/reports/monthly.xlsx", params={"month": month})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX and "attachment" in r.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Giá kỳ này" in t for t in texts) and any("Mã hàng hóa" in t for t in texts)


def test_tet_report_as_docx_with_a_token(client: TestClient, seeded: Seed) -> None:
    r = client.get(
        "/api/v1/reports/tet.docx", params={"year": 2026}, headers=bearer(seeded.tokens["officer"])
    )
    assert r.status_code == 200, r.text
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "Tết Nguyên đán Bính Ngọ năm 2026" in text and "Sở Công Thương" in text


def test_reports_are_for_staff_and_validate_their_parameters(client: TestClient, seeded: Seed) -> None:
    retailer = bearer(seeded.tokens[seeded.retailer_a[0]])
    assert (
        client.get("/api/v1/reports/monthly.xlsx", params={"month": "2026-01"}, headers=retailer).status_code
        == 403
    )
    officer = bearer(seeded.tokens["officer"])
    assert (
        client.get("/api/v1/reports/monthly.xlsx", params={"month": "2026-13"}, headers=officer).status_code
        == 422
    )
    assert client.get("/api/v1/reports/tet.pdf", params={"year": 2026}, headers=officer).status_code == 422
    assert client.get("/api/v1/reports/monthly.xlsx", params={"month": "2026-01"}).status_code == 401
