"""Server-rendered pages: Vietnamese HTML, sign-in, CSRF, security headers, the retailer's declaration."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, func, select

from binhon.db.models import Attachment, Observation
from binhon.formatting import format_date
from tests.web.conftest import csrf_of, login
from tests.web.seed import Seed


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Observation)).scalar_one())


def test_login_page_is_vietnamese_and_secured(client: TestClient) -> None:
    r = client.get("/dang-nhap")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = soup(r.text)
    assert page.html["lang"] == "vi"
    assert page.h1.text == "Đăng nhập"
    h = r.headers
    assert (
        "default-src 'none'" in h["content-security-policy"]
        and "frame-ancestors 'none'" in h["content-security-policy"]
    )
    assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "same-origin" and h["cache-control"] == "no-store"
    assert "server" not in {k.lower() for k in h} or "uvicorn" not in h.get("server", "")
    assert not page.find_all("script"), "pages need no JavaScript"
    assert "http" not in " ".join(link.get("href", "") for link in page.find_all("link")), "no CDN"


def test_anonymous_pages_redirect_to_login(client: TestClient) -> None:
    for path in ("/", "/khai-gia", "/canh-bao", "/quan-tri/nguoi-dung"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap")


def test_login_wrong_password_and_throttling(client: TestClient, seeded: Seed) -> None:
    page = client.get("/dang-nhap")
    token = csrf_of(page.text)
    for _ in range(5):
        r = client.post(
            "/dang-nhap", data={"username": "ret.a", "password": "sai-mat-khau-x", "csrf_token": token}
        )
        assert r.status_code == 401 and "không đúng" in r.text
    r = client.post(
        "/dang-nhap", data={"username": "ret.a", "password": seeded.retailer_a[1], "csrf_token": token}
    )
    assert r.status_code == 429 and "thử lại sau" in r.text
    # Another account is not locked by the first one's failures.
    r = client.post(
        "/dang-nhap",
        data={"username": "ret.b", "password": seeded.retailer_b[1], "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_login_needs_the_form_token(client: TestClient, seeded: Seed) -> None:
    client.get("/dang-nhap")
    r = client.post(
        "/dang-nhap", data={"username": "ret.a", "password": seeded.retailer_a[1], "csrf_token": "forged"}
    )
    assert r.status_code == 403


def test_session_cookie_flags(app, seeded: Seed) -> None:  # type: ignore[no-untyped-def]
    from binhon.web.settings import WebSettings

    app.state.settings = WebSettings(cookie_secure="true")
    with TestClient(app, base_url="https://binhon.example") as c:
        page = c.get("/dang-nhap")
        r = c.post(
            "/dang-nhap",
            data={"username": "ret.a", "password": seeded.retailer_a[1], "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-binhon_session=")
        for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
            assert flag.lower() in cookie.lower()
        assert "strict-transport-security" in r.headers


def test_auto_secure_cookie_is_off_only_for_plain_http_on_loopback(app, seeded: Seed) -> None:  # type: ignore[no-untyped-def]
    from binhon.web.settings import WebSettings

    app.state.settings = WebSettings(cookie_secure="auto")
    with TestClient(app, base_url="http://127.0.0.1") as local:
        assert "Secure" not in local.get("/dang-nhap").headers["set-cookie"]
    with TestClient(app, base_url="http://binhon.so-cong-thuong.vn") as remote:
        assert "Secure" in remote.get("/dang-nhap").headers["set-cookie"]


def test_form_posts_need_the_csrf_token(as_retailer: tuple[TestClient, str]) -> None:
    c, token = as_retailer
    assert c.post("/dang-xuat", data={}).status_code == 403
    assert c.post("/khai-gia/xem-truoc", data={"outlet": "CH-A", "csrf_token": "x" * 43}).status_code == 403
    cross = c.post("/dang-xuat", data={"csrf_token": token}, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    ok = c.post("/dang-xuat", data={"csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
    assert c.get("/khai-gia", follow_redirects=False).status_code == 303  # the session is gone


def test_declaration_form_lists_items_with_last_prices(as_retailer: tuple[TestClient, str]) -> None:
    c, _ = as_retailer
    page = soup(c.get("/khai-gia").text)
    assert page.html["lang"] == "vi"
    rice = page.find("input", {"name": "price__gao-te-thuong"})
    assert rice is not None
    row = rice.find_parent("tr").get_text(" ", strip=True)
    assert "Gạo tẻ thường" in row and "kg" in row and "₫" in row
    assert page.find("input", {"name": "price__xang-e5-ron92"}) is None  # fuels are for petrol stations


def _declare(c: TestClient, token: str, day: dt.date, prices: dict[str, str], **extra: str) -> object:
    data = {"csrf_token": token, "outlet": "CH-A", "date": format_date(day), "price_type": "retail", **extra}
    data.update({f"price__{k}": v for k, v in prices.items()})
    return data


def test_declaration_preview_confirm_history_no_duplicates(
    as_retailer: tuple[TestClient, str], seeded: Seed, engine: Engine
) -> None:
    c, token = as_retailer
    day = seeded.today
    data = _declare(c, token, day, {"gao-te-thuong": "18.500", "trung-ga": "32500"}, reason="Giá nhập tăng")
    preview = c.post("/khai-gia/xem-truoc", data=data)
    assert preview.status_code == 200, preview.text
    page = soup(preview.text)
    table = page.find("table", class_="preview").get_text(" ", strip=True)
    assert "18.500 ₫" in table and "tăng" in table and "%" in table
    before = _count(engine)
    hidden = {i["name"]: i.get("value", "") for i in page.find_all("input", {"type": "hidden"})}
    done = c.post("/khai-gia/gui", data=hidden, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/khai-gia/da-gui/")
    confirm = c.get(done.headers["location"])
    assert "lưu mới 2 giá" in confirm.text
    assert _count(engine) == before + 2
    # Pressing confirm again (or resubmitting) stores nothing new.
    again = c.post("/khai-gia/gui", data=hidden, follow_redirects=True)
    assert "lưu mới 0 giá" in again.text and "không đổi) 2" in again.text
    assert _count(engine) == before + 2
    history = soup(c.get("/khai-gia/lich-su").text)
    text = history.find("table", id="history").get_text(" ", strip=True)
    assert "18.500 ₫" in text and "Giá nhập tăng" in text
    assert history.find("table", id="submissions") is not None


def test_declaration_errors_beside_each_field(
    as_retailer: tuple[TestClient, str], seeded: Seed, engine: Engine
) -> None:
    c, token = as_retailer
    future = seeded.today + dt.timedelta(days=3)
    data = _declare(c, token, future, {"gao-te-thuong": "18,5k", "thit-lon-nac": "1.200.000"})
    r = c.post("/khai-gia/xem-truoc", data=data)
    assert r.status_code == 422
    page = soup(r.text)
    assert "tương lai" in page.find(id="err-date").text
    assert "viết tắt" in page.find(id="err-price__gao-te-thuong").text
    data = _declare(c, token, seeded.today, {"thit-lon-nac": "1.200.000"})
    page = soup(c.post("/khai-gia/xem-truoc", data=data).text)
    assert page.find(id="err-price__thit-lon-nac") is not None
    assert "lý do" in page.find(id="err-reason").text.lower()  # the price changed: a reason is required
    empty = soup(c.post("/khai-gia/xem-truoc", data=_declare(c, token, seeded.today, {})).text)
    assert empty.find(id="err-prices") is not None
    before = _count(engine)
    assert c.post("/khai-gia/gui", data=data).status_code == 422
    assert _count(engine) == before


def test_unusual_jump_needs_confirmation(
    as_retailer: tuple[TestClient, str], seeded: Seed, engine: Engine
) -> None:
    c, token = as_retailer
    data = _declare(c, token, seeded.today, {"thit-lon-nac": "160.000"}, reason="Dịch bệnh, thiếu hàng")
    preview = c.post("/khai-gia/xem-truoc", data=data)
    assert preview.status_code == 200
    assert "Thay đổi bất thường" in preview.text
    before = _count(engine)
    refused = c.post("/khai-gia/gui", data=data)
    assert refused.status_code == 422 and "đánh dấu" in refused.text
    assert _count(engine) == before
    ok = c.post("/khai-gia/gui", data={**data, "confirm_jumps": "1"}, follow_redirects=False)
    assert ok.status_code == 303
    assert _count(engine) == before + 1


def test_photo_is_checked_and_stored(
    as_retailer: tuple[TestClient, str], seeded: Seed, engine: Engine, web_settings
) -> None:  # type: ignore[no-untyped-def]
    c, token = as_retailer
    data = _declare(c, token, seeded.today, {"gao-te-thuong": "18.100"})
    bad = c.post(
        "/khai-gia/xem-truoc",
        data=data,
        files={"photo": ("bang-gia.png", b"<script>alert(1)</script>", "image/png")},
    )
    assert bad.status_code == 422 and "JPEG, PNG" in soup(bad.text).find(id="err-photo").text
    big = c.post(
        "/khai-gia/xem-truoc",
        data=data,
        files={"photo": ("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 1_100_000, "image/png")},
    )
    assert big.status_code in (413, 422)
    good = c.post(
        "/khai-gia/xem-truoc", data=data, files={"photo": ("../../bảng giá.png", png_bytes(), "image/png")}
    )
    assert good.status_code == 200, good.text
    hidden = {i["name"]: i.get("value", "") for i in soup(good.text).find_all("input", {"type": "hidden"})}
    assert hidden["photo_ref"] and hidden["photo_name"] == "bảng giá.png"
    forged = {**hidden, "photo_ref": hidden["photo_ref"][:-4] + "0000"}
    assert "không còn hợp lệ" in c.post("/khai-gia/gui", data=forged).text
    done = c.post("/khai-gia/gui", data=hidden, follow_redirects=True)
    assert done.status_code == 200
    with engine.connect() as conn:
        att = conn.execute(select(Attachment)).one()
    assert att.content_type == "image/png" and att.filename == "bảng giá.png"
    stored = list(web_settings.upload_dir.rglob("*"))
    assert any(p.name == att.sha256 for p in stored)
    img = c.get(f"/tep/{att.id}")
    assert img.status_code == 200 and img.headers["content-type"] == "image/png"
    assert "sandbox" in img.headers["content-security-policy"]


def test_another_retailer_cannot_see_or_submit_for_the_outlet(app, seeded: Seed) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://127.0.0.1") as b:
        token = login(b, *seeded.retailer_b)
        assert b.get("/khai-gia?outlet=CH-A").status_code == 403
        assert b.get("/khai-gia/lich-su?outlet=CH-A").status_code == 403
        data = {
            "csrf_token": token,
            "outlet": "CH-A",
            "date": format_date(seeded.today),
            "price__gao-te-thuong": "1",
        }
        assert b.post("/khai-gia/xem-truoc", data=data).status_code == 403
        assert b.post("/khai-gia/gui", data=data).status_code == 403
        history = b.get("/khai-gia/lich-su").text
        assert "Cửa hàng A" not in history
        assert b.get("/canh-bao").status_code == 403


def test_error_pages_leak_nothing(app, seeded: Seed) -> None:  # type: ignore[no-untyped-def]
    @app.get("/_boom")
    def boom() -> None:
        raise RuntimeError("secret connection string postgresql://user:pw@db")

    @app.get("/api/v1/_boom")
    def api_boom() -> None:
        raise RuntimeError("secret")

    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        r = c.get("/_boom")
        assert r.status_code == 500 and "Lỗi hệ thống" in r.text
        assert "secret" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
        assert r.headers["x-content-type-options"] == "nosniff"
        j = c.get("/api/v1/_boom")
        assert (
            j.status_code == 500 and "secret" not in j.text and j.json()["detail"].startswith("Lỗi hệ thống")
        )
        nf = c.get("/khong-co-trang-nay")
        assert nf.status_code == 404 and soup(nf.text).html["lang"] == "vi" and "Không tìm thấy" in nf.text
        assert c.get("/api/v1/khong-co").json() == {"detail": "Không tìm thấy", "problems": []}


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_work_offline(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and "/static/docs/" in r.text
    assert "cdn.jsdelivr" not in r.text and "fonts.googleapis" not in r.text


def test_account_page_tokens_and_password(as_retailer: tuple[TestClient, str], seeded: Seed) -> None:
    c, token = as_retailer
    r = c.post("/tai-khoan/ma-truy-cap", data={"csrf_token": token, "name": "phần mềm bán hàng"})
    new = soup(r.text).find("code", class_="token").text
    assert new.startswith("bh_")
    api = c.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"})
    assert api.json()["username"] == "ret.a"
    wrong = c.post(
        "/tai-khoan/mat-khau",
        data={
            "csrf_token": token,
            "current_password": "sai",
            "new_password": "mat-khau-moi-123",
            "new_password2": "mat-khau-moi-123",
        },
    )
    assert wrong.status_code == 422 and "không đúng" in wrong.text
    ok = c.post(
        "/tai-khoan/mat-khau",
        data={
            "csrf_token": token,
            "current_password": seeded.retailer_a[1],
            "new_password": "mat-khau-moi-123",
            "new_password2": "mat-khau-moi-123",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert c.get("/tai-khoan").status_code == 200  # the new session cookie works
