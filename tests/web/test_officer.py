"""Officer pages: alert desk, alert page and review, commodity page, market survey, freshness, correction."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from binhon.db.models import IngestBatch, Observation
from binhon.formatting import format_date
from tests.web.seed import Seed


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def desk_ids(c: TestClient, query: str = "") -> list[int]:
    r = c.get(f"/canh-bao?{query}")
    assert r.status_code == 200, r.text
    table = soup(r.text).find("table", id="alerts")
    if table is None:
        return []
    return [int(tr.find("td").text) for tr in table.tbody.find_all("tr")]


def test_alert_desk_order_counts_and_filters(as_officer: tuple[TestClient, str], seeded: Seed) -> None:
    c, _ = as_officer
    page = soup(c.get("/canh-bao").text)
    assert page.html["lang"] == "vi"
    counts = page.find("ul", class_="counts").get_text(" ", strip=True)
    assert "Tất cả 5" in counts and "Mới 3" in counts and "Đã tiếp nhận 1" in counts
    ids = desk_ids(c)
    assert ids[0] == seeded.alerts["spike-crisis"] and len(ids) == 5
    rows = page.find("table", id="alerts").get_text(" ", strip=True)
    assert "160.000 ₫" in rows and format_date(seeded.today - dt.timedelta(days=6)) in rows
    assert desk_ids(c, "severity=crisis") == [seeded.alerts["spike-crisis"]]
    assert set(desk_ids(c, "kind=spike")) == {seeded.alerts["spike-crisis"], seeded.alerts["spike-alert"]}
    assert desk_ids(c, "commodity=xang-e5-ron92") == [seeded.alerts["ceiling_breach-alert"]]
    assert desk_ids(c, "status=resolved") == [seeded.alerts["outlet_outlier-stress"]]
    assert desk_ids(c, "tet=before") == [seeded.alerts["spike-alert"]]
    assert seeded.alerts["spike-alert"] not in desk_ids(c, "tet=none")
    since = format_date(seeded.today - dt.timedelta(days=7))
    assert set(desk_ids(c, f"since={since}")) == {
        seeded.alerts["spike-crisis"],
        seeded.alerts["stale-stress"],
    }
    filtered = soup(c.get("/canh-bao?kind=spike").text).find("ul", class_="counts").get_text(" ", strip=True)
    assert "Tất cả 2" in filtered
    assert c.get("/canh-bao?severity=bogus&page=-3&since=xx").status_code == 200


def test_alert_page_chart_and_review_with_audit(as_officer: tuple[TestClient, str], seeded: Seed) -> None:
    c, token = as_officer
    alert_id = seeded.alerts["spike-crisis"]
    page = soup(c.get(f"/canh-bao/{alert_id}").text)
    assert "Thịt lợn nạc" in page.h1.text
    facts = page.find("dl", class_="facts").get_text(" ", strip=True)
    assert "160.000 ₫" in facts and "tăng 33,3%" in facts and "3,20" in facts
    chart = c.get(f"/canh-bao/{alert_id}/bieu-do.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in chart.content and "Giá kỳ vọng".encode() in chart.content
    tet_chart = c.get(f"/canh-bao/{seeded.alerts['spike-alert']}/bieu-do.svg")
    assert "Mùng 1 Tết".encode() in tet_chart.content
    ceiling_chart = c.get(f"/canh-bao/{seeded.alerts['ceiling_breach-alert']}/bieu-do.svg")
    assert "Giá trần".encode() in ceiling_chart.content
    area_chart = c.get(f"/canh-bao/{seeded.alerts['stale-stress']}/bieu-do.svg")
    assert area_chart.status_code == 200

    r = c.post(
        f"/canh-bao/{alert_id}/xu-ly",
        data={"csrf_token": token, "action": "acknowledge"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    missing = c.post(
        f"/canh-bao/{alert_id}/xu-ly",
        data={"csrf_token": token, "action": "escalate", "escalated_to": "QLTT", "note": ""},
    )
    assert missing.status_code == 422 and "nội dung" in missing.text
    r = c.post(
        f"/canh-bao/{alert_id}/xu-ly",
        follow_redirects=True,
        data={
            "csrf_token": token,
            "action": "escalate",
            "escalated_to": "QLTT",
            "note": "Đề nghị kiểm tra Cửa hàng A",
        },
    )
    page = soup(r.text)
    reviews = page.find("table", id="reviews").get_text(" ", strip=True)
    assert "Đã tiếp nhận" in reviews and "Đã chuyển xử lý" in reviews and "Quản lý thị trường" in reviews
    assert "web:canbo.gia" in reviews
    audit = soup(c.get(f"/nhat-ky?entity=alert&entity_id={alert_id}").text).find("table", id="audit")
    text = audit.get_text(" ", strip=True)
    assert "tiếp nhận cảnh báo" in text and "chuyển xử lý cảnh báo" in text and "Đề nghị kiểm tra" in text
    wrong = c.post(f"/canh-bao/{alert_id}/xu-ly", data={"csrf_token": token, "action": "acknowledge"})
    assert wrong.status_code == 422
    assert c.get("/canh-bao/999999").status_code == 404


def test_retailers_cannot_use_officer_pages(as_retailer: tuple[TestClient, str], seeded: Seed) -> None:
    c, token = as_retailer
    for path in (
        "/canh-bao",
        f"/canh-bao/{seeded.alerts['spike-crisis']}",
        "/mat-hang",
        "/khao-sat",
        "/cap-nhat",
        "/nhat-ky",
        "/quan-tri/nguoi-dung",
    ):
        assert c.get(path).status_code == 403, path
    r = c.post(
        f"/canh-bao/{seeded.alerts['spike-crisis']}/xu-ly",
        data={"csrf_token": token, "action": "acknowledge"},
    )
    assert r.status_code == 403


def test_commodity_page(as_officer: tuple[TestClient, str]) -> None:
    c, _ = as_officer
    index = soup(c.get("/mat-hang").text)
    assert index.find("a", href="/mat-hang/gao-te-thuong") is not None
    page = soup(c.get("/mat-hang/gao-te-thuong?days=90").text)
    latest = page.find("table", id="latest").get_text(" ", strip=True)
    assert "Cửa hàng A" in latest and "Cửa hàng B" in latest and "Chợ X" in latest and "₫" in latest
    svg = c.get("/mat-hang/gao-te-thuong/bieu-do.svg?days=90")
    assert svg.status_code == 200 and b"<svg" in svg.content and "Toàn tỉnh".encode() in svg.content
    fuel = c.get("/mat-hang/xang-e5-ron92/bieu-do.svg?days=365")
    assert "Giá trần".encode() in fuel.content
    assert c.get("/mat-hang/khong-co").status_code == 404


def test_market_survey(as_officer: tuple[TestClient, str], seeded: Seed, engine: Engine) -> None:
    c, token = as_officer
    form = soup(c.get("/khao-sat").text)
    assert form.find("input", {"name": "q__gao-te-thuong__2"}) is not None
    data = {
        "csrf_token": token,
        "outlet": "CHO-X",
        "date": format_date(seeded.today),
        "q__gao-te-thuong__0": "18.000",
        "q__gao-te-thuong__1": "18.400",
        "q__gao-te-thuong__2": "19.000",
        "q__trung-ga__0": "32.000",
        "q__trung-ga__1": "33.000",
        "note": "Sức mua ổn định",
    }
    r = c.post("/khao-sat", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    done = soup(c.get(r.headers["location"]).text).get_text(" ", strip=True)
    assert "18.400 ₫" in done and "32.500 ₫" in done and "18.000 ₫; 18.400 ₫; 19.000 ₫" in done
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(Observation.price_vnd, Observation.source)
                .join(IngestBatch, IngestBatch.id == Observation.batch_id)
                .where(IngestBatch.actor == "web:canbo.gia")
            ).all()
        )
    assert stored == {18_400: "khảo sát chợ", 32_500: "khảo sát chợ"}
    bad = c.post("/khao-sat", data={**data, "q__trung-ga__1": "abc", "outlet": ""})
    assert bad.status_code == 422 and "chọn chợ" in bad.text


def test_freshness(as_officer: tuple[TestClient, str]) -> None:
    c, _ = as_officer
    page = soup(c.get("/cap-nhat?all=1").text)
    text = page.find("table", id="freshness").get_text(" ", strip=True)
    assert "Cửa hàng A" in text and "ret.a" in text and "Cây xăng 1" in text
    stale = soup(c.get("/cap-nhat").text).find("table", id="freshness").get_text(" ", strip=True)
    assert "Cây xăng 1" in stale and "Cửa hàng A" not in stale  # the petrol station last reported 7 days ago


def test_officer_corrects_a_price_with_a_reason(as_officer: tuple[TestClient, str], seeded: Seed) -> None:
    c, token = as_officer
    r = c.get(
        "/api/v1/observations?outlet=CH-B&commodity=gao-te-thuong&limit=1",
        headers={"Authorization": f"Bearer {seeded.tokens['officer']}"},
    )
    obs = r.json()[0]
    page = c.get(f"/gia/{obs['id']}")
    assert page.status_code == 200
    missing = c.post(f"/gia/{obs['id']}/sua", data={"csrf_token": token, "price": "18.800", "reason": ""})
    assert missing.status_code == 422 and "lý do" in missing.text
    done = c.post(
        f"/gia/{obs['id']}/sua",
        data={"csrf_token": token, "price": "18.800", "reason": "Gõ nhầm"},
        follow_redirects=True,
    )
    versions = soup(done.text).find("table", id="versions").get_text(" ", strip=True)
    assert "18.800 ₫" in versions and "Gõ nhầm" in versions and "Đã thay thế" in versions
