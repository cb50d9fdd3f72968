"""The JSON API with TestClient, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from binhon.db.models import AuditEntry, Observation
from tests.web.conftest import bearer
from tests.web.seed import Seed

ALERT_FIELDS = {
    "id",
    "kind",
    "severity",
    "commodity",
    "outlet",
    "area",
    "first_date",
    "last_date",
    "observed_vnd",
    "expected_vnd",
    "score",
    "status",
    "explanation",
}


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Observation)).scalar_one())


def test_submit_stores_and_returns_ids(client: TestClient, seeded: Seed, engine: Engine) -> None:
    day = (seeded.today - dt.timedelta(days=0)).isoformat()
    items = [
        {"date": day, "commodity": "gao-te-thuong", "outlet": "CH-A", "price_vnd": "18.300"},
        {"date": day, "commodity": "thit-lon-nac", "outlet": "CH-A", "price_vnd": 121000},
    ]
    r = client.post("/api/v1/observations", json=items, headers=bearer(seeded.tokens["ret.a"]))
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["stored_ids"]) == 2 and body["stored"] == 2 and body["ids"] == body["stored_ids"]
    got = client.get(f"/api/v1/observations/{body['ids'][0]}", headers=bearer(seeded.tokens["ret.a"])).json()
    assert got["price_vnd"] == 18_300 and got["submitted_by"] == "api:ret.a"
    # A resubmission stores nothing new and returns the same current ids.
    before = _count(engine)
    again = client.post("/api/v1/observations", json=items, headers=bearer(seeded.tokens["ret.a"]))
    assert again.status_code == 201
    assert (
        again.json()["stored"] == 0 and again.json()["unchanged"] == 2 and again.json()["ids"] == body["ids"]
    )
    assert _count(engine) == before


def test_every_accepted_item_gets_its_current_id(client: TestClient, seeded: Seed) -> None:
    """Whatever date format the ingest path accepts, and for repeats and revised prices too."""
    day = seeded.today - dt.timedelta(days=1)
    short = f"{day.year}-{day.month}-{day.day}"  # YYYY-M-D, accepted by the ingest path
    items = [
        {"date": short, "commodity": "gao-te-thuong", "outlet": "CH-A", "price_vnd": 18_400, "time": "7h05"},
        {
            "date": day.strftime("%d/%m/%Y"),
            "commodity": "gao-te-thuong",
            "outlet": "CH-A",
            "price_vnd": "18.400",
            "time": "07:05",
        },
    ]
    r = client.post("/api/v1/observations", json=items, headers=bearer(seeded.tokens["ret.a"]))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["stored"] == 1 and first["unchanged"] == 1 and first["ids"] == first["stored_ids"] * 2
    # A new price for the same key supersedes the stored one: the items get the new id.
    items = [{**items[0], "price_vnd": 18_500}]
    r = client.post("/api/v1/observations", json=items, headers=bearer(seeded.tokens["ret.a"]))
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["revised"] == 1 and second["ids"] == second["stored_ids"] != first["ids"][:1]


def test_submit_for_another_outlet_is_403_and_stores_nothing(
    client: TestClient, seeded: Seed, engine: Engine
) -> None:
    day = seeded.today.isoformat()
    before = _count(engine)
    items = [
        {"date": day, "commodity": "gao-te-thuong", "outlet": "CH-A", "price_vnd": "18.300"},
        {"date": day, "commodity": "gao-te-thuong", "outlet": "CH-B", "price_vnd": "18.300"},
    ]
    r = client.post("/api/v1/observations", json=items, headers=bearer(seeded.tokens["ret.a"]))
    assert r.status_code == 403
    assert "CH-B" in r.json()["detail"]
    unknown = [
        {
            "date": day,
            "commodity": "gao-te-thuong",
            "outlet": "NO-SUCH",
            "price_vnd": 1,
            "outlet_type": "convenience",
            "area": "Phường Trà Vinh",
        }
    ]
    assert (
        client.post("/api/v1/observations", json=unknown, headers=bearer(seeded.tokens["ret.a"])).status_code
        == 403
    )
    assert _count(engine) == before


def test_invalid_items_are_422_with_a_reason_each(client: TestClient, seeded: Seed, engine: Engine) -> None:
    day = seeded.today.isoformat()
    before = _count(engine)
    items = [
        {"date": day, "commodity": "gao-te-thuong", "outlet": "CH-A", "price_vnd": "18.300"},
        {"date": "31/02/2026", "commodity": "gao-te-thuong", "outlet": "CH-A", "price_vnd": "18.300"},
        {"date": day, "commodity": "khong-co", "outlet": "CH-A", "price_vnd": "abc"},
        {"date": day, "commodity": "thit-lon-nac", "outlet": "CH-A", "price_vnd": "1.200.000"},
    ]
    r = client.post("/api/v1/observations", json=items, headers=bearer(seeded.tokens["ret.a"]))
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert [p["item"] for p in problems] == [2, 3, 4]
    assert "ngày" in problems[0]["reason"] and "danh mục" in problems[1]["reason"]
    assert "khoảng hợp lý" in problems[2]["reason"] or "chữ số" in problems[2]["reason"]
    assert _count(engine) == before


def test_malformed_bodies_are_422_not_500(client: TestClient, seeded: Seed) -> None:
    h = bearer(seeded.tokens["ret.a"])
    for body in ({"not": "a list"}, [1, 2], [{"price_vnd": 1.5}], [], [{"date": "x\u0000"}]):
        r = client.post("/api/v1/observations", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"]
    r = client.post(
        "/api/v1/observations", content=b"{not json", headers={**h, "Content-Type": "application/json"}
    )
    assert r.status_code == 422
    big = [
        {
            "date": seeded.today.isoformat(),
            "commodity": "gao-te-thuong",
            "outlet": "CH-A",
            "price_vnd": "9" * 30,
        }
    ]
    assert client.post("/api/v1/observations", json=big, headers=h).status_code == 422


def test_retailer_cannot_declare_a_ceiling(client: TestClient, seeded: Seed) -> None:
    items = [
        {
            "date": seeded.today.isoformat(),
            "commodity": "gao-te-thuong",
            "outlet": "CH-A",
            "price_vnd": "18.300",
            "price_type": "ceiling",
        }
    ]
    r = client.post("/api/v1/observations", json=items, headers=bearer(seeded.tokens["ret.a"]))
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "price_type"


def test_officer_may_register_a_new_outlet_through_the_api(client: TestClient, seeded: Seed) -> None:
    items = [
        {
            "date": seeded.today.isoformat(),
            "commodity": "gao-te-thuong",
            "outlet": "CHO-MOI",
            "price_vnd": 18_000,
            "outlet_type": "market",
            "area": "Phường Trà Vinh",
        }
    ]
    r = client.post("/api/v1/observations", json=items, headers=bearer(seeded.tokens["officer"]))
    assert r.status_code == 201, r.text


def test_authentication_is_required(client: TestClient, seeded: Seed) -> None:
    assert client.get("/api/v1/observations").status_code == 401
    r = client.get("/api/v1/alerts", headers=bearer("bh_not-a-real-token"))
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert (
        client.post("/api/v1/observations", json=[], headers={"Authorization": "Basic abc"}).status_code
        == 401
    )


def test_retailer_sees_only_its_outlets(client: TestClient, seeded: Seed) -> None:
    h = bearer(seeded.tokens["ret.a"])
    rows = client.get("/api/v1/observations?limit=1000", headers=h).json()
    assert rows and {r["outlet"] for r in rows} == {"CH-A"}
    assert client.get("/api/v1/observations?outlet=CH-B", headers=h).status_code == 403
    other = client.get(
        "/api/v1/observations?outlet=CH-B&limit=1", headers=bearer(seeded.tokens["ret.b"])
    ).json()[0]
    assert client.get(f"/api/v1/observations/{other['id']}", headers=h).status_code == 404
    assert [o["code"] for o in client.get("/api/v1/outlets", headers=h).json()] == ["CH-A"]
    me = client.get("/api/v1/me", headers=h).json()
    assert me == {"username": "ret.a", "full_name": "Cửa hàng A", "role": "retailer", "outlets": ["CH-A"]}


def test_alerts_need_an_officer_or_admin(client: TestClient, seeded: Seed) -> None:
    assert client.get("/api/v1/alerts", headers=bearer(seeded.tokens["ret.a"])).status_code == 403
    for who in ("officer", "admin"):
        r = client.get("/api/v1/alerts", headers=bearer(seeded.tokens[who]))
        assert r.status_code == 200 and len(r.json()) == 5


def test_alerts_fields_filters_and_order(client: TestClient, seeded: Seed) -> None:
    h = bearer(seeded.tokens["officer"])
    rows = client.get("/api/v1/alerts", headers=h).json()
    assert ALERT_FIELDS <= set(rows[0])
    assert [r["severity"] for r in rows][:1] == ["crisis"]
    ranks = {"crisis": 3, "alert": 2, "stress": 1}
    assert [ranks[r["severity"]] for r in rows] == sorted((ranks[r["severity"]] for r in rows), reverse=True)
    crisis = rows[0]
    assert crisis["commodity"] == "thit-lon-nac" and crisis["outlet"] == "CH-A" and crisis["area"]
    assert crisis["observed_vnd"] == 160_000 and crisis["status"] == "new"

    def ids(query: str) -> set[int]:
        r = client.get(f"/api/v1/alerts?{query}", headers=h)
        assert r.status_code == 200, r.text
        return {a["id"] for a in r.json()}

    assert ids("kind=spike") == {seeded.alerts["spike-crisis"], seeded.alerts["spike-alert"]}
    assert ids("severity=stress") == {seeded.alerts["outlet_outlier-stress"], seeded.alerts["stale-stress"]}
    assert ids("commodity=trung-ga") == {seeded.alerts["stale-stress"], seeded.alerts["spike-alert"]}
    assert ids("status=acknowledged") == {seeded.alerts["ceiling_breach-alert"]}
    assert ids(f"since={(seeded.today - dt.timedelta(days=7)).isoformat()}") == {
        seeded.alerts["spike-crisis"],
        seeded.alerts["stale-stress"],
    }
    area = crisis["area"]
    assert seeded.alerts["stale-stress"] in ids(f"area={area}")
    assert ids("tet_phase=before") == {seeded.alerts["spike-alert"]}
    assert client.get("/api/v1/alerts?severity=huge", headers=h).status_code == 422


def test_review_steps_are_recorded_and_audited(client: TestClient, seeded: Seed, engine: Engine) -> None:
    h = bearer(seeded.tokens["officer"])
    alert_id = seeded.alerts["spike-crisis"]
    r = client.post(f"/api/v1/alerts/{alert_id}/review", json={"action": "acknowledge"}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    missing_note = client.post(
        f"/api/v1/alerts/{alert_id}/review", json={"action": "escalate", "escalated_to": "QLTT"}, headers=h
    )
    assert missing_note.status_code == 422
    r = client.post(
        f"/api/v1/alerts/{alert_id}/review",
        headers=h,
        json={"action": "escalate", "note": "Đề nghị kiểm tra", "escalated_to": "QLTT"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "escalated"
    assert [(s["from_status"], s["to_status"]) for s in body["reviews"]] == [
        ("new", "acknowledged"),
        ("acknowledged", "escalated"),
    ]
    assert body["reviews"][1]["escalated_to"] == "Quản lý thị trường"
    again = client.post(f"/api/v1/alerts/{alert_id}/review", json={"action": "acknowledge"}, headers=h)
    assert again.status_code == 409
    assert (
        client.post("/api/v1/alerts/999999/review", json={"action": "resolve"}, headers=h).status_code == 404
    )
    with engine.connect() as conn:
        actions = conn.execute(
            select(AuditEntry.action, AuditEntry.actor)
            .where(AuditEntry.entity == "alert", AuditEntry.entity_id == alert_id)
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("alert_acknowledge", "api:canbo.gia"),
        ("alert_escalate", "api:canbo.gia"),
    ]
    dismissed = client.post(
        f"/api/v1/alerts/{seeded.alerts['spike-alert']}/review",
        headers=h,
        json={"action": "dismiss", "note": "Giá Tết bình thường"},
    )
    assert dismissed.json()["status"] == "dismissed"
    assert (
        client.post(
            f"/api/v1/alerts/{alert_id}/review",
            json={"action": "resolve"},
            headers=bearer(seeded.tokens["ret.a"]),
        ).status_code
        == 403
    )
    bad_target = client.post(
        f"/api/v1/alerts/{seeded.alerts['stale-stress']}/review",
        headers=h,
        json={"action": "escalate", "note": "x", "escalated_to": "Bộ Quốc phòng"},
    )
    assert bad_target.status_code == 422


def test_correction_keeps_history(client: TestClient, seeded: Seed) -> None:
    h = bearer(seeded.tokens["officer"])
    row = client.get("/api/v1/observations?outlet=CH-A&commodity=gao-te-thuong&limit=1", headers=h).json()[0]
    r = client.post(
        f"/api/v1/observations/{row['id']}/correction",
        json={"price_vnd": "18.900", "reason": "Nhập nhầm"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["price_vnd"] == 18_900 and new["is_current"]
    history = client.get(f"/api/v1/observations/{new['id']}/history", headers=h).json()
    assert [v["id"] for v in history] == [row["id"], new["id"]] and history[0]["superseded_by"] == new["id"]
    assert (
        client.post(
            f"/api/v1/observations/{row['id']}/correction", json={"price_vnd": 1, "reason": "x"}, headers=h
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/v1/observations/{new['id']}/correction",
            json={"price_vnd": 1, "reason": "x"},
            headers=bearer(seeded.tokens["ret.a"]),
        ).status_code
        == 403
    )


def test_catalogues(client: TestClient, seeded: Seed) -> None:
    h = bearer(seeded.tokens["ret.a"])
    codes = {c["code"] for c in client.get("/api/v1/commodities", headers=h).json()}
    assert {"gao-te-thuong", "xang-e5-ron92", "dau-do-0001s"} <= codes
    communes = client.get("/api/v1/areas?level=commune", headers=h).json()
    assert len(communes) >= 100 and all(a["level"] == "commune" for a in communes)
    staff_outlets = client.get("/api/v1/outlets", headers=bearer(seeded.tokens["officer"])).json()
    assert {"CH-A", "CH-B", "CHO-X", "XD-1"} <= {o["code"] for o in staff_outlets}


def test_exports(client: TestClient, seeded: Seed) -> None:
    h = bearer(seeded.tokens["ret.a"])
    x = client.get("/api/v1/exports/prices.xlsx", headers=h)
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "bao-cao-gia-" in x.headers["content-disposition"]
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(x.content))
    sheet = book.active
    assert sheet.cell(1, 1).value == "Ngày" and sheet.cell(1, 10).value == "Giá (đồng)"
    assert isinstance(sheet.cell(2, 10).value, int) and sheet.cell(2, 10).number_format == "#,##0"
    assert sheet.cell(2, 1).number_format == "dd/mm/yyyy"
    assert {sheet.cell(i, 5).value for i in range(2, sheet.max_row + 1)} == {"CH-A"}
    c = client.get("/api/v1/exports/observations.csv", headers=h)
    rows = list(csv.DictReader(io.StringIO(c.text)))
    assert rows and {r["outlet"] for r in rows} == {"CH-A"}
    assert list(rows[0])[:4] == ["date", "commodity", "outlet", "price_vnd"]
    assert client.get("/api/v1/exports/alerts.csv", headers=h).status_code == 403
    a = client.get("/api/v1/exports/alerts.csv", headers=bearer(seeded.tokens["officer"]))
    header = next(csv.reader(io.StringIO(a.text)))
    assert header[:13] == [
        "id",
        "kind",
        "severity",
        "commodity",
        "outlet",
        "area",
        "first_date",
        "last_date",
        "observed_vnd",
        "expected_vnd",
        "score",
        "status",
        "explanation",
    ]


def test_openapi_and_offline_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/observations",
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}/review",
        "/api/v1/exports/prices.xlsx",
    } <= paths
    assert all(p.startswith("/api/v1/") for p in paths), "HTML pages must stay out of the schema"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
    assert "cdn" not in client.get("/redoc").text.lower()
