"""Administration pages: accounts and catalogues."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.web.conftest import bearer, login
from tests.web.seed import Seed


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _user_id(c: TestClient, username: str) -> int:
    page = soup(c.get("/quan-tri/nguoi-dung").text)
    for tr in page.find("table", id="users").tbody.find_all("tr"):
        if tr.find("td").text == username:
            action = tr.find("form", action=lambda a: a and a.endswith("/khoa"))["action"]
            return int(action.split("/")[3])
    raise AssertionError(username)


def test_admin_manages_accounts(app, as_admin: tuple[TestClient, str], seeded: Seed) -> None:  # type: ignore[no-untyped-def]
    c, token = as_admin
    bad = c.post(
        "/quan-tri/nguoi-dung",
        data={
            "csrf_token": token,
            "username": "ret.c",
            "password": "ngan",
            "role": "retailer",
            "outlets": ["CH-B"],
        },
    )
    assert bad.status_code == 422 and "mật khẩu" in bad.text
    r = c.post(
        "/quan-tri/nguoi-dung",
        data={
            "csrf_token": token,
            "username": "ret.c",
            "password": "mat-khau-ret-c-1",
            "role": "retailer",
            "outlets": ["CH-B", "CHO-X"],
            "full_name": "C",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200 and "ret.c" in r.text
    uid = _user_id(c, "ret.c")
    r = c.post(
        f"/quan-tri/nguoi-dung/{uid}/diem-ban",
        data={"csrf_token": token, "outlets": ["CH-B"]},
        follow_redirects=True,
    )
    row = [
        tr
        for tr in soup(r.text).find("table", id="users").tbody.find_all("tr")
        if tr.find("td").text == "ret.c"
    ][0]
    assert "CH-B" in row.get_text() and "CHO-X, " not in row.get_text()
    tok = c.post(f"/quan-tri/nguoi-dung/{uid}/ma-truy-cap", data={"csrf_token": token})
    new_token = soup(tok.text).find("code", class_="token").text
    assert c.get("/api/v1/me", headers=bearer(new_token)).json()["outlets"] == ["CH-B"]
    c.post(
        f"/quan-tri/nguoi-dung/{uid}/mat-khau", data={"csrf_token": token, "password": "mat-khau-moi-ret-c"}
    )
    with TestClient(app, base_url="http://127.0.0.1") as other:
        login(other, "ret.c", "mat-khau-moi-ret-c")
    c.post(f"/quan-tri/nguoi-dung/{uid}/khoa", data={"csrf_token": token, "active": "0"})
    assert c.get("/api/v1/me", headers=bearer(new_token)).status_code == 401  # locking revokes tokens
    own = _user_id(c, "quantri")
    assert (
        c.post(f"/quan-tri/nguoi-dung/{own}/khoa", data={"csrf_token": token, "active": "0"}).status_code
        == 422
    )


def test_admin_registers_outlets(as_admin: tuple[TestClient, str]) -> None:
    c, token = as_admin
    page = soup(c.get("/quan-tri/danh-muc").text)
    assert "gao-te-thuong" in page.find("table", id="commodities").get_text()
    bad = c.post(
        "/quan-tri/diem-ban",
        data={
            "csrf_token": token,
            "code": "CH-A",
            "name": "",
            "outlet_type": "xx",
            "area": "Xã Không Có",
            "zone": "3",
        },
    )
    assert bad.status_code == 422
    errors = {e["id"] for e in soup(bad.text).find_all(class_="error") if e.get("id")}
    assert {"err-code", "err-name", "err-outlet_type", "err-area", "err-zone"} <= errors
    ok = c.post(
        "/quan-tri/diem-ban",
        data={
            "csrf_token": token,
            "code": "CH-MOI",
            "name": "Cửa hàng mới",
            "outlet_type": "convenience",
            "area": "Phường Trà Vinh",
        },
        follow_redirects=True,
    )
    assert ok.status_code == 200
    assert "Cửa hàng mới" in soup(ok.text).find("table", id="outlets").get_text()


def test_officer_is_not_admin(as_officer: tuple[TestClient, str]) -> None:
    c, token = as_officer
    assert c.get("/quan-tri/nguoi-dung").status_code == 403
    assert c.get("/quan-tri/danh-muc").status_code == 403
    r = c.post(
        "/quan-tri/nguoi-dung",
        data={"csrf_token": token, "username": "x.x", "password": "mat-khau-dai-1", "role": "admin"},
    )
    assert r.status_code == 403
