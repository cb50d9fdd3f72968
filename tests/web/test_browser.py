"""End to end in a real headless Chromium (Playwright driving Debian's /usr/bin/chromium).

The app runs in uvicorn in a background thread on 127.0.0.1 and a free port, on the test's database
(SQLite and PostgreSQL). Screenshots go to test-artifacts/web/. Without Chromium (or Playwright) the
tests are skipped with a loud message: install it with `apt-get install -y chromium`.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, select

from binhon.db.models import AuditEntry
from binhon.formatting import format_date
from binhon.web.app import create_app
from binhon.web.settings import WebSettings
from tests.web.conftest import ARTIFACTS
from tests.web.seed import Seed

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("BINHON_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=vi-VN",
]


def _skip_loudly(why: str) -> None:
    message = (
        f"\n!!!!!!!! BROWSER TESTS SKIPPED: {why}. Install Chromium with `apt-get install -y chromium` "
        "(and `pip install playwright`; never `playwright install`). !!!!!!!!"
    )
    print(message, flush=True)  # noqa: T201
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, once per module."""
    if not Path(CHROMIUM).is_file():
        _skip_loudly(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_loudly("the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_url(engine: Engine, seeded: Seed, tmp_path: Path) -> Iterator[str]:
    """The app served by uvicorn in a background thread."""
    settings = WebSettings(cookie_secure="auto", upload_dir=tmp_path / "uploads")
    app = create_app(settings=settings, engine=engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


def _shot(page: Any, name: str, request: pytest.FixtureRequest) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    backend = (
        request.node.callspec.params.get("_backend_seed", "db") if hasattr(request.node, "callspec") else "db"
    )
    page.screenshot(path=str(ARTIFACTS / f"{backend}-{name}.png"), full_page=True)


def _login(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/dang-nhap")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_retailer_submits_and_sees_history_other_retailer_is_refused(
    browser: Any, live_url: str, seeded: Seed, request: pytest.FixtureRequest
) -> None:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_url, *seeded.retailer_a)
    assert page.url.endswith("/khai-gia")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("#date", format_date(seeded.today))
    page.fill("input[name='price__gao-te-thuong']", "18.770")
    page.fill("input[name='price__trung-ga']", "32500")
    page.fill("#reason", "Giá gạo đầu vào tăng")
    _shot(page, "01-retailer-form", request)
    page.click("text=Xem trước")
    assert "Xem trước phiếu khai giá" in page.inner_text("h1")
    preview = page.inner_text("table.preview")
    assert "18.770 ₫" in preview and "32.500 ₫" in preview
    _shot(page, "02-retailer-preview", request)
    page.click("text=Xác nhận gửi")
    assert "/khai-gia/da-gui/" in page.url
    assert "lưu mới 2 giá" in page.inner_text("main")
    _shot(page, "03-retailer-confirmation", request)
    page.click("text=Xem lịch sử khai giá")
    history = page.inner_text("#history")
    assert "18.770 ₫" in history and "Giá gạo đầu vào tăng" in history
    _shot(page, "04-retailer-history", request)
    context.close()

    other = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = other.new_page()
    _login(page, live_url, *seeded.retailer_b)
    response = page.goto(f"{live_url}/khai-gia?outlet=CH-A")
    assert response is not None and response.status == 403
    assert "Không có quyền" in page.inner_text("h1")
    _shot(page, "05-other-retailer-403", request)
    response = page.goto(f"{live_url}/khai-gia/lich-su?outlet=CH-A")
    assert response is not None and response.status == 403
    page.goto(f"{live_url}/khai-gia/lich-su")
    assert "18.770" not in page.inner_text("main")
    page.goto(f"{live_url}/khai-gia")
    csrf = page.get_attribute("input[name=csrf_token]", "value")
    forged = page.request.post(
        f"{live_url}/khai-gia/gui",
        form={
            "csrf_token": csrf or "",
            "outlet": "CH-A",
            "date": format_date(seeded.today),
            "price__gao-te-thuong": "1.000",
        },
        headers={"Origin": live_url},
    )
    assert forged.status == 403
    other.close()


def test_officer_acknowledges_and_escalates_and_the_audit_shows_it(
    browser: Any, live_url: str, seeded: Seed, engine: Engine, request: pytest.FixtureRequest
) -> None:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_url, *seeded.officer)
    assert page.url.endswith("/canh-bao")
    assert "Nghiêm trọng" in page.inner_text("#alerts tbody tr:first-child")
    _shot(page, "10-alert-desk", request)
    alert_id = seeded.alerts["spike-crisis"]
    page.click(f"#alerts a[href='/canh-bao/{alert_id}'] >> nth=0")
    page.wait_for_function(
        "() => { const i = document.querySelector('figure.chart img');"
        " return i && i.complete && i.naturalWidth > 0 }",
        timeout=30_000,
    )
    _shot(page, "11-alert-page", request)
    page.click("form.action-acknowledge button")
    assert "Đã ghi nhận" in page.inner_text("main")
    page.select_option("#escalated_to", "QLTT")
    page.fill("#note-escalate", "Đề nghị Quản lý thị trường kiểm tra Cửa hàng A")
    page.click("form.action-escalate button")
    reviews = page.inner_text("#reviews")
    assert "Đã tiếp nhận" in reviews and "Đã chuyển xử lý" in reviews and "Quản lý thị trường" in reviews
    _shot(page, "12-alert-reviewed", request)
    page.click("text=Nhật ký của cảnh báo này")
    audit = page.inner_text("#audit")
    assert "tiếp nhận cảnh báo" in audit and "chuyển xử lý cảnh báo" in audit
    assert "web:canbo.gia" in audit and "Đề nghị Quản lý thị trường kiểm tra" in audit
    _shot(page, "13-audit", request)
    context.close()
    with engine.connect() as conn:
        actions = (
            conn.execute(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "alert", AuditEntry.entity_id == alert_id)
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
    assert actions == ["alert_acknowledge", "alert_escalate"]
