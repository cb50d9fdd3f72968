"""The officer pages of the bình ổn programme register (on SQLite and PostgreSQL).

Every form: the happy path (stored through the service, audited as the signed-in officer), a
validation error shown beside the field, and nothing stored when refused; plus CSRF refusal and the
403 for retailers on every page and form, the template import and the template downloads.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from binhon.db.engine import session_factory
from binhon.db.models import (
    AuditEntry,
    Commitment,
    Enterprise,
    FieldVisit,
    Outlet,
    Participant,
    ParticipantOutlet,
    ProgrammeYear,
    ReserveReport,
)
from binhon.formatting import format_date
from binhon.programme import service as svc
from tests.web.seed import Seed

YEAR = 2027
ACTOR = "web:canbo.gia"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "binhon" / "programme" / "templates"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def error_beside(html: str, form: str, field: str) -> str:
    """The message shown beside a field (its span#err-FORM-FIELD), or ""."""
    span = soup(html).find(id=f"err-{form}-{field}")
    return span.get_text(" ", strip=True) if span else ""


def count(engine: Engine, model: type, *where: Any) -> int:
    with session_factory(engine)() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def audit(engine: Engine, entity: str, action: str | None = None) -> list[AuditEntry]:
    with session_factory(engine)() as s:
        stmt = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        return list(s.scalars(stmt))


def with_session(engine: Engine) -> Session:
    return session_factory(engine)()


@pytest.fixture
def register(engine: Engine) -> dict[str, int]:
    """Programme year 2027 with one participant (CLX, sale point CH-A) and one commitment (rice)."""
    with with_session(engine) as s:
        svc.create_programme_year(
            session=s, year=YEAR, actor="test", decision_no="1215/QĐ-UBND", decision_date=dt.date(2026, 7, 1)
        )
        p = svc.add_participant(
            session=s,
            year=YEAR,
            enterprise="CLX",
            enterprise_name="Công ty CP Thương mại Cửu Long Xanh",
            actor="test",
            loan_proposed_vnd=25_000_000_000,
            loan_approved_vnd=20_000_000_000,
            loan_disbursed_vnd=15_000_000_000,
        )
        svc.add_sale_point(session=s, participant_id=p.id, outlet="CH-A", actor="test")
        c = svc.add_commitment(
            session=s,
            participant_id=p.id,
            commodity="gao-te-thuong",
            period_start=dt.date(2026, 12, 1),
            period_end=dt.date(2027, 3, 31),
            actor="test",
            committed_price_vnd=19_000,
            quantity=100_000,
        )
        s.commit()
        return {"participant": p.id, "commitment": c.id}


def post(c: TestClient, url: str, token: str, **data: str) -> Any:
    return c.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


# --- navigation, list, access ---------------------------------------------------------------------------


def test_officer_nav_links_the_register_and_the_empty_list_explains(
    as_officer: tuple[TestClient, str],
) -> None:
    c, _ = as_officer
    nav = soup(c.get("/canh-bao").text).find("nav", attrs={"aria-label": "Chức năng"})
    assert nav.find("a", href="/binh-on").get_text(strip=True) == "Bình ổn"
    page = soup(c.get("/binh-on").text)
    assert page.html["lang"] == "vi" and "Sổ chương trình bình ổn" in page.h1.text
    assert "Chưa có năm chương trình nào" in page.get_text()
    assert c.get("/binh-on/2031").status_code == 404
    assert c.get("/binh-on/1999").status_code == 404


def test_retailers_get_403_on_every_page_and_form(
    as_retailer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_retailer
    nav = soup(c.get("/khai-gia").text).find("nav", attrs={"aria-label": "Chức năng"})
    assert nav.find("a", href="/binh-on") is None
    for path in (
        "/binh-on",
        f"/binh-on/{YEAR}",
        "/binh-on/mau/so-binh-on.xlsx",
        "/binh-on/mau/commitments.csv",
    ):
        assert c.get(path).status_code == 403, path
    before = count(engine, AuditEntry)
    for path, data in _valid_posts(register).items():
        r = post(c, path, token, **data)
        assert r.status_code == 403, path
        assert "Không có quyền" in r.text
    r = c.post(
        "/binh-on/nhap",
        data={"csrf_token": token},
        files={"file": ("programme.csv", (TEMPLATES / "programme.csv").read_bytes(), "text/csv")},
    )
    assert r.status_code == 403
    assert count(engine, AuditEntry) == before


def test_every_form_refuses_a_missing_or_wrong_csrf_token(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_officer
    before = count(engine, AuditEntry)
    for path, data in {**_valid_posts(register), "/binh-on/nhap": {}}.items():
        missing = c.post(path, data=data, follow_redirects=False)
        assert missing.status_code == 403, path
        wrong = c.post(path, data={**data, "csrf_token": token[:-2] + "xx"}, follow_redirects=False)
        assert wrong.status_code == 403, path
        assert "Phiên làm việc không hợp lệ" in wrong.text
    foreign = c.post(
        "/binh-on/nam",
        data={"csrf_token": token, "year": "2030"},
        headers={"Origin": "http://evil.example"},
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    assert count(engine, AuditEntry) == before
    assert count(engine, ProgrammeYear, ProgrammeYear.year == 2030) == 0


def _valid_posts(ids: dict[str, int]) -> dict[str, dict[str, str]]:
    """A valid submission of every form of the register (other than the upload)."""
    base = f"/binh-on/{YEAR}"
    today = format_date(dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))
    pid = str(ids["participant"])
    return {
        "/binh-on/nam": {"year": "2030"},
        f"{base}/quyet-dinh": {"decision_no": "99/QĐ-UBND"},
        f"{base}/doanh-nghiep": {"enterprise": "NEW", "enterprise_name": "Doanh nghiệp mới"},
        f"{base}/diem-ban": {"participant": pid, "outlet": "CHO-X"},
        f"{base}/diem-ban/bo": {"participant": pid, "outlet": "CH-A"},
        f"{base}/von-vay": {"participant": pid, "loan_disbursed_vnd": "16.000.000.000"},
        f"{base}/cam-ket": {
            "participant": pid,
            "commodity": "trung-ga",
            "period_start": "01/12/2026",
            "period_end": "31/03/2027",
            "margin_below_market_pct": "5",
        },
        f"{base}/cam-ket/{ids['commitment']}/xoa": {"reason": "nhập nhầm"},
        f"{base}/du-tru": {
            "participant": pid,
            "commodity": "gao-te-thuong",
            "report_date": today,
            "quantity": "1",
        },
        f"{base}/kiem-tra": {"participant": pid, "visit_date": today, "officer": "Đoàn", "findings": "Đạt"},
    }


# --- programme years ------------------------------------------------------------------------------------


def test_create_programme_year_lists_it_and_audits(
    as_officer: tuple[TestClient, str], engine: Engine
) -> None:
    c, token = as_officer
    r = post(
        c,
        "/binh-on/nam",
        token,
        year="2027",
        decision_no="1215/QĐ-UBND",
        decision_date="01/07/2026",
        title="Kế hoạch bình ổn thị trường năm 2027",
    )
    assert r.status_code == 303 and r.headers["location"] == "/binh-on/2027?da-luu=nam"
    page = soup(c.get(r.headers["location"]).text)
    assert "Đã tạo năm chương trình" in page.find(id="saved").text
    assert "Quyết định số 1215/QĐ-UBND ngày 01/07/2026" in page.find("p", class_="lead").text
    years = soup(c.get("/binh-on").text).find("table", id="years").get_text(" ", strip=True)
    assert "Năm 2027" in years and "Số 1215/QĐ-UBND ngày 01/07/2026" in years
    [entry] = audit(engine, "programme_year", "create")
    assert entry.actor == ACTOR and entry.details["decision_date"] == "2026-07-01"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"year": "20x7"}, "year", "không hợp lệ"),
        ({"year": ""}, "year", "Hãy nhập năm chương trình"),
        ({"year": "1990"}, "year", "từ 2000 đến 2100"),
        ({"year": "2027", "decision_date": "31/02/2026"}, "decision_date", "dd/mm/yyyy"),
        ({"year": "2027", "decision_no": "x" * 61}, "decision_no", "dài quá 60 ký tự"),
    ],
)
def test_create_programme_year_errors_beside_the_field(
    as_officer: tuple[TestClient, str], engine: Engine, data: dict[str, str], field: str, message: str
) -> None:
    c, token = as_officer
    r = post(c, "/binh-on/nam", token, **data)
    assert r.status_code == 422
    assert message in error_beside(r.text, "year", field)
    assert soup(r.text).find(id=f"year-{field}")["aria-invalid"] == "true"
    assert count(engine, ProgrammeYear) == 0 and not audit(engine, "programme_year")


def test_a_year_cannot_be_created_twice(as_officer: tuple[TestClient, str], register: dict[str, int]) -> None:
    c, token = as_officer
    r = post(c, "/binh-on/nam", token, year=str(YEAR), decision_no="1/QĐ-UBND")
    assert r.status_code == 422
    assert "năm 2027 đã có" in error_beside(r.text, "year", "year")
    assert soup(r.text).find(id="year-decision_no")["value"] == "1/QĐ-UBND"  # what was typed is kept


def test_update_decision(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_officer
    url = f"/binh-on/{YEAR}/quyet-dinh"
    bad = post(c, url, token, decision_no="1300/QĐ-UBND", decision_date="2026-13-01")
    assert bad.status_code == 422 and "không hợp lệ" in error_beside(bad.text, "decision", "decision_date")
    assert soup(bad.text).find("details", id="form-decision").has_attr("open")
    r = post(
        c, url, token, decision_no="1300/QĐ-UBND", decision_date="15/07/2026", reason="quyết định sửa đổi"
    )
    assert r.status_code == 303
    assert "Quyết định số 1300/QĐ-UBND ngày 15/07/2026" in c.get(f"/binh-on/{YEAR}").text
    [entry] = audit(engine, "programme_year", "update")
    assert entry.actor == ACTOR and entry.reason == "quyết định sửa đổi"
    assert entry.details["decision_no"] == ["1215/QĐ-UBND", "1300/QĐ-UBND"]


# --- participants, sale points, loans -------------------------------------------------------------------


def test_add_participant_with_loans_and_sale_points(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_officer
    r = post(
        c,
        f"/binh-on/{YEAR}/doanh-nghiep",
        token,
        enterprise="TVM",
        enterprise_name="Công ty TNHH Thương mại Trà Vinh Mart",
        tax_code="2100123456",
        loan_proposed_vnd="12.500.000.000",
        loan_approved_vnd="10000000000",
        loan_disbursed_vnd="",
        outlets="CH-B, CHO-X",
    )
    assert r.status_code == 303 and r.headers["location"].endswith("da-luu=doanh-nghiep#doanh-nghiep")
    with with_session(engine) as s:
        ent = s.scalars(select(Enterprise).where(Enterprise.code == "TVM")).one()
        p = s.scalars(select(Participant).where(Participant.enterprise_id == ent.id)).one()
        assert (p.loan_proposed_vnd, p.loan_approved_vnd, p.loan_disbursed_vnd) == (
            12_500_000_000,
            10**10,
            None,
        )
        assert [o.code for o in svc.list_sale_points(session=s, participant_id=p.id)] == ["CH-B", "CHO-X"]
    page = soup(c.get(f"/binh-on/{YEAR}").text)
    participants = page.find("table", id="participants").get_text(" ", strip=True)
    assert "Công ty TNHH Thương mại Trà Vinh Mart" in participants and "Cửa hàng B" in participants
    loans = page.find("table", id="loans").get_text(" ", strip=True)
    assert "12.500.000.000 ₫" in loans and "10.000.000.000 ₫" in loans and "80,00%" in loans
    assert [e.actor for e in audit(engine, "enterprise", "register")] == ["test", ACTOR]
    assert [e.actor for e in audit(engine, "participant", "create")] == ["test", ACTOR]
    assert len([e for e in audit(engine, "participant_outlet") if e.actor == ACTOR]) == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"enterprise": ""}, "enterprise", "Hãy nhập mã doanh nghiệp"),
        ({"enterprise": "MOI"}, "enterprise_name", "hãy nhập tên"),
        ({"enterprise": "CLX"}, "enterprise", "đã tham gia chương trình bình ổn năm 2027"),
        (
            {
                "enterprise": "MOI",
                "enterprise_name": "Mới",
                "loan_proposed_vnd": "1.000",
                "loan_approved_vnd": "2.000",
            },
            "loan_approved_vnd",
            "lớn hơn vốn đề xuất",
        ),
        (
            {"enterprise": "MOI", "enterprise_name": "Mới", "loan_proposed_vnd": "25k"},
            "loan_proposed_vnd",
            "viết tắt",
        ),
        (
            {"enterprise": "MOI", "enterprise_name": "Mới", "outlets": "KHONG-CO"},
            "outlets",
            "chưa được đăng ký",
        ),
        (
            {"enterprise": "MOI", "enterprise_name": "Mới", "outlets": "BCT-V1"},
            "outlets",
            "nguồn giá chính thức",
        ),
    ],
)
def test_add_participant_errors_beside_the_field_and_nothing_stored(
    as_officer: tuple[TestClient, str],
    register: dict[str, int],
    engine: Engine,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    c, token = as_officer
    r = post(c, f"/binh-on/{YEAR}/doanh-nghiep", token, **data)
    assert r.status_code == 422
    assert message in error_beside(r.text, "participant", field)
    assert soup(r.text).find("details", id="form-participant").has_attr("open")
    assert count(engine, Participant) == 1 and count(engine, Enterprise, Enterprise.code == "MOI") == 0
    assert [e.actor for e in audit(engine, "participant")] == ["test"]


def test_link_and_unlink_sale_points(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_officer
    pid = str(register["participant"])
    url = f"/binh-on/{YEAR}/diem-ban"
    for outlet, message in (
        ("KHONG-CO", "chưa được đăng ký"),
        ("CH-A", "đã thuộc doanh nghiệp này"),
        ("", "Hãy nhập mã điểm bán"),
    ):
        r = post(c, url, token, participant=pid, outlet=outlet)
        assert r.status_code == 422 and message in error_beside(r.text, "sale_point", "outlet"), outlet
    r = post(c, url, token, participant="999999", outlet="CHO-X")
    assert r.status_code == 422 and "không tham gia" in error_beside(r.text, "sale_point", "participant")
    r = post(c, url, token, participant=pid, outlet="CHO-X")
    assert r.status_code == 303
    assert count(engine, ParticipantOutlet) == 2
    assert "Chợ X" in soup(c.get(f"/binh-on/{YEAR}").text).find("table", id="participants").text
    r = post(c, f"{url}/bo", token, participant=pid, outlet="CHO-X", reason="hết hợp đồng")
    assert r.status_code == 303
    r = post(c, f"{url}/bo", token, participant=pid, outlet="CHO-X")
    assert r.status_code == 422 and "không thuộc doanh nghiệp" in soup(r.text).find(id="err-unlink").text
    assert count(engine, ParticipantOutlet) == 1
    actions = [(e.action, e.actor) for e in audit(engine, "participant_outlet") if e.actor == ACTOR]
    assert actions == [("create", ACTOR), ("delete", ACTOR)]
    assert audit(engine, "participant_outlet", "delete")[0].reason == "hết hợp đồng"


def test_record_loan_capital(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_officer
    pid = str(register["participant"])
    url = f"/binh-on/{YEAR}/von-vay"
    r = post(c, url, token, participant=pid, loan_disbursed_vnd="21.000.000.000")
    assert r.status_code == 422
    assert "lớn hơn vốn được duyệt" in error_beside(r.text, "loans", "loan_disbursed_vnd")
    r = post(c, url, token, participant=pid)
    assert r.status_code == 422 and "ít nhất một số vốn" in error_beside(r.text, "loans", "loan_proposed_vnd")
    r = post(c, url, token, participant=pid, loan_approved_vnd="-5")
    assert r.status_code == 422 and "không được âm" in error_beside(r.text, "loans", "loan_approved_vnd")
    r = post(c, url, token, participant="", loan_approved_vnd="1")
    assert r.status_code == 422 and "Hãy chọn doanh nghiệp" in error_beside(r.text, "loans", "participant")
    r = post(
        c,
        url,
        token,
        participant=pid,
        loan_approved_vnd="22.000.000.000",
        loan_disbursed_vnd="18000000000",
        reason="Công văn 45/STC",
    )
    assert r.status_code == 303
    with with_session(engine) as s:
        p = s.get(Participant, register["participant"])
        assert p is not None
        assert (p.loan_proposed_vnd, p.loan_approved_vnd, p.loan_disbursed_vnd) == (
            25 * 10**9,
            22 * 10**9,
            18 * 10**9,
        )
    [entry] = audit(engine, "participant", "update")
    assert entry.actor == ACTOR and entry.reason == "Công văn 45/STC"
    assert entry.details["loan_approved_vnd"] == [20 * 10**9, 22 * 10**9]
    summary = soup(c.get(f"/binh-on/{YEAR}").text).find("table", id="loans").tfoot.get_text(" ", strip=True)
    assert "22.000.000.000 ₫" in summary and "88,00%" in summary and "81,82%" in summary


# --- commitments ----------------------------------------------------------------------------------------


def test_add_commitment_is_listed_with_its_status_and_audited(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_officer
    before = soup(c.get(f"/binh-on/{YEAR}").text)  # the statuses of the year are computed and kept
    assert len(before.find("table", id="commitments").tbody.find_all("tr")) == 1
    r = post(
        c,
        f"/binh-on/{YEAR}/cam-ket",
        token,
        participant=str(register["participant"]),
        commodity="thit-lon-nac",
        period_start="01/12/2026",
        period_end="2027-03-31",
        committed_price_vnd="130.000",
        margin_below_market_pct="5,5",
        quantity="20.000",
        value_vnd="2.600.000.000",
    )
    assert r.status_code == 303 and r.headers["location"].endswith("#cam-ket")
    with with_session(engine) as s:
        com = s.scalars(select(Commitment).where(Commitment.committed_price_vnd == 130_000)).one()
        assert (com.margin_below_market_pct, com.quantity, com.value_vnd) == (5.5, 20_000, 2_600_000_000)
        assert (com.period_start, com.period_end) == (dt.date(2026, 12, 1), dt.date(2027, 3, 31))
    page = soup(c.get(r.headers["location"]).text)
    assert "Đã lưu cam kết" in page.find(id="saved").text
    row = page.find("tr", id=f"cam-ket-{com.id}").get_text(" ", strip=True)
    assert "Thịt lợn nạc" in row and "130.000 ₫/kg" in row and "5,5%" in row and "20.000 kg" in row
    assert "2.600.000.000 ₫" in row and "01/12/2026 – 31/03/2027" in row
    # where it stands today is shown next to it: CH-A sells pork at ≤ 120.400 ₫, well below 130.000 ₫
    assert page.find("tr", id=f"cam-ket-{com.id}").find(class_="badge").text == "đạt"
    [entry] = [e for e in audit(engine, "commitment", "create") if e.actor == ACTOR]
    assert entry.entity_id == com.id and entry.details["commodity"] == "thit-lon-nac"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"commodity": ""}, "commodity", "Hãy chọn mặt hàng"),
        ({"commodity": "khong-co"}, "commodity", "không có trong danh mục"),
        ({"period_start": "32/12/2026"}, "period_start", "dd/mm/yyyy"),
        ({"period_end": ""}, "period_end", "Hãy nhập ngày kết thúc"),
        ({"period_end": "30/11/2026"}, "period_end", "trước ngày bắt đầu"),
        ({"committed_price_vnd": ""}, "committed_price_vnd", "cần giá cam kết hoặc mức thấp hơn"),
        ({"committed_price_vnd": "1.600.000"}, "committed_price_vnd", "nằm ngoài khoảng hợp lý"),
        ({"committed_price_vnd": "16.000,5"}, "committed_price_vnd", "phần lẻ đồng"),
        ({"margin_below_market_pct": "150"}, "margin_below_market_pct", "nhỏ hơn 100"),
        ({"quantity": "abc"}, "quantity", "không phải là số"),
        ({"quantity": "0"}, "quantity", "lớn hơn 0"),
        ({"value_vnd": "3,2 tỷ"}, "value_vnd", "không được viết tắt"),
        ({"value_vnd": "12.34.5"}, "value_vnd", "không hợp lệ"),
        (
            {"commodity": "gao-te-thuong", "period_start": "01/03/2027", "committed_price_vnd": "19.000"},
            "period_start",
            "trùng thời gian",
        ),
    ],
)
def test_add_commitment_errors_beside_the_field_and_nothing_stored(
    as_officer: tuple[TestClient, str],
    register: dict[str, int],
    engine: Engine,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    c, token = as_officer
    form = {
        "participant": str(register["participant"]),
        "commodity": "thit-lon-nac",
        "period_start": "01/12/2026",
        "period_end": "31/03/2027",
        "committed_price_vnd": "130.000",
        **data,
    }
    r = post(c, f"/binh-on/{YEAR}/cam-ket", token, **form)
    assert r.status_code == 422
    assert message.lower() in error_beside(r.text, "commitment", field).lower()
    page = soup(r.text)
    assert page.find("details", id="form-commitment").has_attr("open")
    assert page.find(id="form-invalid") is not None
    assert count(engine, Commitment) == 1
    assert [e.actor for e in audit(engine, "commitment")] == ["test"]


def test_delete_commitment_needs_a_reason_and_is_audited(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_officer
    url = f"/binh-on/{YEAR}/cam-ket/{register['commitment']}/xoa"
    r = post(c, url, token, reason="")
    assert r.status_code == 422 and "Hãy nhập lý do xóa cam kết" in soup(r.text).find(id="err-delete").text
    assert post(c, f"/binh-on/{YEAR}/cam-ket/999999/xoa", token, reason="x").status_code == 404
    r = post(c, url, token, reason="nhập nhầm mặt hàng")
    assert r.status_code == 303
    assert count(engine, Commitment) == 0
    [entry] = audit(engine, "commitment", "delete")
    assert entry.actor == ACTOR and entry.reason == "nhập nhầm mặt hàng"
    assert "Chưa có cam kết" in c.get(f"/binh-on/{YEAR}").text
    log = soup(c.get("/nhat-ky?entity=commitment").text).find("table", id="audit")
    first = log.tbody.tr.get_text(" ", strip=True)
    assert "xóa" in first and "cam kết bình ổn" in first and "nhập nhầm mặt hàng" in first and ACTOR in first


# --- reserves and field visits --------------------------------------------------------------------------


def test_record_reserve_reports_over_time(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine, seeded: Seed
) -> None:
    c, token = as_officer
    url = f"/binh-on/{YEAR}/du-tru"
    pid = str(register["participant"])
    tomorrow = format_date(seeded.today + dt.timedelta(days=3))
    r = post(c, url, token, participant=pid, commodity="gao-te-thuong", report_date=tomorrow, quantity="1")
    assert r.status_code == 422 and "ở tương lai" in error_beside(r.text, "reserve", "report_date")
    r = post(c, url, token, participant=pid, commodity="gao-te-thuong", report_date="", quantity="x")
    assert "Hãy nhập ngày báo cáo" in error_beside(r.text, "reserve", "report_date")
    assert "không phải là số" in error_beside(r.text, "reserve", "quantity")
    days = [seeded.today - dt.timedelta(days=20), seeded.today - dt.timedelta(days=5)]
    for day, quantity in zip(days, ("40.000", "75.500,5"), strict=True):
        r = post(
            c,
            url,
            token,
            participant=pid,
            commodity="gao-te-thuong",
            report_date=format_date(day),
            quantity=quantity,
            value_vnd="760.000.000",
        )
        assert r.status_code == 303
    assert count(engine, ReserveReport) == 2
    table = soup(c.get(f"/binh-on/{YEAR}").text).find("table", id="reserves")
    rows = [tr.get_text(" ", strip=True) for tr in table.tbody.find_all("tr")]
    assert rows[0].startswith(format_date(days[1])) and "75.500,5 kg" in rows[0] and "75,5%" in rows[0]
    assert rows[1].startswith(format_date(days[0])) and "40.000 kg" in rows[1] and ACTOR in rows[1]
    assert [e.actor for e in audit(engine, "reserve_report", "create")] == [ACTOR, ACTOR]


def test_record_field_visit(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine, seeded: Seed
) -> None:
    c, token = as_officer
    url = f"/binh-on/{YEAR}/kiem-tra"
    pid = str(register["participant"])
    day = format_date(seeded.today - dt.timedelta(days=2))
    page = soup(c.get(f"/binh-on/{YEAR}").text)
    assert page.find(id="visit-officer")["value"] == "Cán bộ giá"  # defaults to the signed-in officer
    r = post(c, url, token, participant=pid, visit_date=day, officer="Đoàn kiểm tra", findings="")
    assert r.status_code == 422 and "Hãy nhập kết quả kiểm tra" in error_beside(r.text, "visit", "findings")
    r = post(c, url, token, participant=pid, visit_date=day, officer="Đoàn", findings="x", outlet="CH-B")
    assert r.status_code == 422
    assert "không phải điểm bán bình ổn" in error_beside(r.text, "visit", "outlet")
    r = post(
        c,
        url,
        token,
        participant=pid,
        visit_date=day,
        officer="Đoàn kiểm tra Sở Công Thương",
        findings="Không niêm yết giá bình ổn",
        outlet="CH-A",
        compliant="0",
    )
    assert r.status_code == 303
    with with_session(engine) as s:
        visit = s.scalars(select(FieldVisit)).one()
        outlet = s.get(Outlet, visit.outlet_id)
        assert visit.compliant is False and outlet is not None and outlet.code == "CH-A"
    page = soup(c.get(f"/binh-on/{YEAR}").text)
    row = page.find("table", id="visits").tbody.tr.get_text(" ", strip=True)
    assert day in row and "Cửa hàng A" in row and "không đạt" in row
    assert "1 lượt (1 chưa đạt)" in page.find(id="tom-tat").get_text(" ", strip=True)
    [entry] = audit(engine, "field_visit", "create")
    assert entry.actor == ACTOR and entry.details["compliant"] is False


# --- template import and download -----------------------------------------------------------------------


def test_upload_the_example_workbook_then_again(as_officer: tuple[TestClient, str], engine: Engine) -> None:
    c, token = as_officer
    data = (TEMPLATES / "programme-register.xlsx").read_bytes()
    r = c.post("/binh-on/nhap", data={"csrf_token": token}, files={"file": ("so-binh-on.xlsx", data)})
    assert r.status_code == 200, r.text
    result = soup(r.text).find(id="import-result").get_text(" ", strip=True)
    assert "Đã nhập tệp so-binh-on.xlsx" in result and "BO-CLX-MAU" in result and "huong-dan" in result
    counts = soup(r.text).find("table", id="import-counts").get_text(" ", strip=True)
    assert "cam kết 2 2 0 0" in counts
    assert count(engine, Commitment) == 2 and count(engine, ProgrammeYear, ProgrammeYear.year == 2026) == 1
    again = c.post("/binh-on/nhap", data={"csrf_token": token}, files={"file": ("so-binh-on.xlsx", data)})
    assert "cam kết 2 0 0 2" in soup(again.text).find("table", id="import-counts").get_text(" ", strip=True)
    assert count(engine, Commitment) == 2
    imports = audit(engine, "programme_import", "import")
    assert [(e.actor, e.reason) for e in imports] == [(ACTOR, "so-binh-on.xlsx")] * 2
    assert "Năm 2026" in c.get("/binh-on").text


def test_upload_with_bad_lines_stores_nothing_and_lists_every_line(
    as_officer: tuple[TestClient, str], register: dict[str, int], engine: Engine
) -> None:
    c, token = as_officer
    csv_text = (
        "year,enterprise,commodity,period_start,period_end,committed_price_vnd,margin_below_market_pct\n"
        "2027,CLX,thit-lon-nac,01/12/2026,31/03/2027,130.000,\n"
        "2027,CLX,gao-te,01/12/2026,31/03/2027,16.000,\n"
        "2027,KHONG,trung-ga,01/12/2026,31/03/2027,,5\n"
        "2027,CLX,trung-ga,31/03/2027,01/12/2026,,150\n"
    )
    r = c.post(
        "/binh-on/nhap",
        data={"csrf_token": token, "kind": "commitments"},
        files={"file": ("cam-ket.csv", csv_text.encode(), "text/csv")},
    )
    assert r.status_code == 422
    box = soup(r.text).find(id="import-problems")
    assert "Không lưu dòng nào từ tệp cam-ket.csv: 3 dòng không hợp lệ" in box.get_text(" ", strip=True)
    rows = [tr.get_text(" | ", strip=True) for tr in box.find("table", id="problems").tbody.find_all("tr")]
    assert rows[0].startswith("dòng 3 | cam kết |") and "gao-te" in rows[0] and "có phải" in rows[0]
    assert rows[1].startswith("dòng 4") and "chưa tham gia chương trình bình ổn năm 2027" in rows[1]
    assert rows[2].startswith("dòng 5") and "trước ngày bắt đầu" in rows[2]
    assert count(engine, Commitment) == 1 and not audit(engine, "programme_import")


@pytest.mark.parametrize(
    ("name", "content", "kind", "field", "message"),
    [
        ("", b"", "", "file", "Hãy chọn tệp mẫu"),
        ("so.txt", b"year\n2027\n", "", "file", "chỉ nhận tệp mẫu .xlsx hoặc .csv"),
        ("so.csv", b"", "", "file", "trống"),
        ("so.csv", b"foo,bar\n1,2\n", "", "file", "không nhận ra loại mẫu"),
        ("so.csv", b"year\n2030\n", "bogus", "kind", "không có trong danh sách"),
        ("so.xlsx", b"not a workbook", "", "file", "không đọc được như một tệp Excel"),
    ],
)
def test_upload_refused_files_say_why_beside_the_field(
    as_officer: tuple[TestClient, str],
    engine: Engine,
    name: str,
    content: bytes,
    kind: str,
    field: str,
    message: str,
) -> None:
    c, token = as_officer
    files = {"file": (name, content, "application/octet-stream")} if name else {"file": ("", b"", "text/csv")}
    r = c.post("/binh-on/nhap", data={"csrf_token": token, "kind": kind}, files=files)
    assert r.status_code == 422
    assert message in error_beside(r.text, "upload", field)
    assert count(engine, ProgrammeYear) == 0


def test_upload_of_a_value_too_long_for_the_database_is_a_bad_line(
    as_officer: tuple[TestClient, str], engine: Engine
) -> None:
    c, token = as_officer
    text = f"year,decision_no\n2030,{'9' * 61}/QĐ-UBND\n"
    r = c.post("/binh-on/nhap", data={"csrf_token": token}, files={"file": ("nam.csv", text.encode())})
    # refused as a bad line on both backends (SQLite would store it; PostgreSQL would raise)
    assert r.status_code == 422
    assert "dòng 2" in r.text and "dài quá 60 ký tự" in r.text
    assert count(engine, ProgrammeYear) == 0


def test_template_downloads(as_officer: tuple[TestClient, str]) -> None:
    c, _ = as_officer
    page = soup(c.get("/binh-on").text).find(id="mau")
    links = {a["href"] for a in page.find_all("a")}
    assert "/binh-on/mau/so-binh-on.xlsx" in links and "/binh-on/mau/visits.csv?vi-du=1" in links
    blank = c.get("/binh-on/mau/so-binh-on.xlsx")
    assert blank.status_code == 200 and "attachment" in blank.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(blank.content), read_only=True)
    assert wb.sheetnames[0] == "huong-dan" and "commitments" in wb.sheetnames
    assert list(wb["commitments"].iter_rows(min_row=2, values_only=True)) == []
    examples = load_workbook(
        io.BytesIO(c.get("/binh-on/mau/so-binh-on.xlsx?vi-du=1").content), read_only=True
    )
    assert len(list(examples["commitments"].iter_rows(min_row=2, values_only=True))) == 2
    csv_file = c.get("/binh-on/mau/commitments.csv")
    assert csv_file.headers["content-type"].startswith("text/csv")
    text = csv_file.content.decode("utf-8")
    assert (
        text.startswith("\ufeffyear,enterprise,commodity,period_start,period_end") and text.count("\n") == 1
    )
    assert c.get("/binh-on/mau/khong-co.csv").status_code == 404
    assert c.get("/binh-on/mau/so-binh-on.xlsx?vi-du=7").status_code == 400
