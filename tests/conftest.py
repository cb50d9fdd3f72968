"""Shared fixtures: a fresh, migrated database per test, on SQLite and (when configured) PostgreSQL.

The PostgreSQL run is enabled by BINHON_TEST_PG_URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test). A template database is migrated once per run and
cloned for each test, so tests may commit freely and never see each other's data.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from binhon.db.engine import get_engine, make_engine, session_factory
from binhon.db.migrate import upgrade
from binhon.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("BINHON_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def shared_path(*parts: str) -> Path:
    """A path under ../shared; the test is skipped with a clear message when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is not here ({path} missing): real-data test skipped")
    return path


def _prepare(engine: Engine) -> None:
    from binhon.db.engine import session_scope
    from binhon.sync import sync_config

    upgrade(engine)
    with session_scope(engine) as session:
        sync_config(session=session, actor="test")


class _Templates:
    """One migrated template database per backend per run."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.made: dict[str, str] = {}
        self.pg_dbs: list[str] = []

    def sqlite_template(self) -> Path:
        path = self.tmp / "template.db"
        if "sqlite" not in self.made:
            engine = make_engine(f"sqlite:///{path}")
            _prepare(engine)
            engine.dispose()
            self.made["sqlite"] = str(path)
        return path

    def admin(self) -> Engine:
        assert PG_URL
        return create_engine(PG_URL, isolation_level="AUTOCOMMIT")

    def pg_template(self) -> str:
        if "postgresql" not in self.made:
            name = f"binhon_tmpl_{uuid.uuid4().hex[:10]}"
            admin = self.admin()
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            self.pg_dbs.append(name)
            url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
            engine = make_engine(url)
            _prepare(engine)
            engine.dispose()
            self.made["postgresql"] = name
        return self.made["postgresql"]

    def clone_pg(self) -> str:
        template = self.pg_template()
        name = f"binhon_t_{uuid.uuid4().hex[:12]}"
        admin = self.admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        self.pg_dbs.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.pg_dbs:
            return
        admin = self.admin()
        with admin.connect() as conn:
            for name in reversed(self.pg_dbs):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Templates]:
    templates = _Templates(tmp_path_factory.mktemp("db"))
    yield templates
    templates.drop_all()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, _templates: _Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh database (migrated, catalogues loaded), also set as BINHON_DATABASE_URL."""
    if request.param == "sqlite":
        path = tmp_path / "binhon.db"
        shutil.copy(_templates.sqlite_template(), path)
        url = f"sqlite:///{path}"
    else:
        url = _templates.clone_pg()
    monkeypatch.setenv("BINHON_DATABASE_URL", url)
    monkeypatch.setenv("BINHON_ACTOR", "test")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield url
    for engine_url in [url]:
        get_engine(engine_url).dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def engine(db_url: str) -> Engine:
    """The engine of the test's database."""
    return get_engine(db_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test's database; the test decides whether to commit."""
    with session_factory(engine)() as s:
        yield s
