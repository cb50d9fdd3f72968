"""Fixtures of the web tests: the app on the test's database (SQLite and PostgreSQL), seeded data,
signed-in clients and API tokens."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from binhon.accounts import passwords
from binhon.db.engine import get_engine, make_engine
from binhon.settings import get_settings
from binhon.web.app import create_app
from binhon.web.settings import WebSettings
from tests.conftest import BACKENDS, PG_URL
from tests.web.seed import Seed, seed_data

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: end-to-end tests in headless Chromium (Playwright)")


CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Cheap argon2id parameters in tests (the real ones are checked in test_accounts.py)."""
    monkeypatch.setattr(passwords, "_hasher", lambda: CHEAP_HASHER)
    passwords.dummy_hash.cache_clear()
    yield
    passwords.dummy_hash.cache_clear()


class _SeededTemplates:
    """One seeded database per backend per run; each test gets a copy (seeding takes seconds)."""

    def __init__(self, templates: Any, tmp: Path) -> None:
        self.templates = templates
        self.tmp = tmp
        self.made: dict[str, tuple[str, Seed]] = {}

    def _seed(self, url: str) -> Seed:
        engine = make_engine(url)
        try:
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(passwords, "_hasher", lambda: CHEAP_HASHER)
                return seed_data(engine)
        finally:
            engine.dispose()

    def get(self, backend: str) -> tuple[str, Seed]:
        if backend not in self.made:
            if backend == "sqlite":
                path = self.tmp / "seeded.db"
                shutil.copy(self.templates.sqlite_template(), path)
                self.made[backend] = (str(path), self._seed(f"sqlite:///{path}"))
            else:
                url = self.templates.clone_pg()
                seed = self._seed(url)
                self.made[backend] = (str(make_url(url).database), seed)
        return self.made[backend]

    def fresh_url(self, backend: str, target: Path) -> tuple[str, Seed]:
        source, seed = self.get(backend)
        if backend == "sqlite":
            shutil.copy(source, target)
            return f"sqlite:///{target}", seed
        name = f"binhon_w_{uuid.uuid4().hex[:12]}"
        admin = self.templates.admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        admin.dispose()
        self.templates.pg_dbs.append(name)
        assert PG_URL
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), seed


@pytest.fixture(scope="session")
def _seeded_templates(_templates: Any, tmp_path_factory: pytest.TempPathFactory) -> _SeededTemplates:
    return _SeededTemplates(_templates, tmp_path_factory.mktemp("web-db"))


@pytest.fixture(params=BACKENDS)
def _backend_seed(
    request: pytest.FixtureRequest,
    _seeded_templates: _SeededTemplates,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[str, Seed]]:
    url, seed = _seeded_templates.fresh_url(request.param, tmp_path / "binhon.db")
    monkeypatch.setenv("BINHON_DATABASE_URL", url)
    monkeypatch.setenv("BINHON_ACTOR", "test")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield url, seed
    get_engine(url).dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def db_url(_backend_seed: tuple[str, Seed]) -> str:
    """A fresh copy of the seeded database (overrides the root conftest's empty one)."""
    return _backend_seed[0]


@pytest.fixture
def web_settings(tmp_path: Path) -> WebSettings:
    """Settings for local http testing (Secure cookies off), uploads in a temporary folder."""
    return WebSettings(cookie_secure="false", upload_dir=tmp_path / "uploads", upload_max_mb=1.0)


@pytest.fixture
def seeded(_backend_seed: tuple[str, Seed]) -> Seed:
    """What the test's database was seeded with (outlets, prices, accounts, tokens, alerts)."""
    return _backend_seed[1]


@pytest.fixture
def app(engine: Engine, web_settings: WebSettings, seeded: Seed):  # type: ignore[no-untyped-def]
    """The web app on the test's database."""
    return create_app(settings=web_settings, engine=engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """An anonymous browser-like client (cookies kept between requests)."""
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def csrf_of(html: str) -> str:
    """The CSRF token in a page's form."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: TestClient, username: str, password: str) -> str:
    """Sign in through the login form; the session's CSRF token."""
    page = client.get("/dang-nhap")
    r = client.post(
        "/dang-nhap",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    home = client.get(r.headers["location"])
    return csrf_of(home.text)


@pytest.fixture
def as_retailer(app, seeded: Seed) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    """A client signed in as retailer A (outlet CH-A) and its CSRF token."""
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c, login(c, *seeded.retailer_a)


@pytest.fixture
def as_officer(app, seeded: Seed) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    """A client signed in as an officer and its CSRF token."""
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c, login(c, *seeded.officer)


@pytest.fixture
def as_admin(app, seeded: Seed) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    """A client signed in as the administrator and its CSRF token."""
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c, login(c, *seeded.admin)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}
