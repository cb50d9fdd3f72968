"""Accounts: password hashing, tokens, sessions, throttling, the CLI commands and the demo accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from binhon.accounts import (
    AccountError,
    Throttle,
    authenticate,
    create_demo_accounts,
    create_token,
    create_user,
    get_user,
    load_session,
    outlets_of,
    passwords,
    set_active,
    start_session,
    user_for_token,
)
from binhon.db.models import ApiToken, AuditEntry, Outlet, WebSession
from tests.web.conftest import bearer
from tests.web.seed import Seed


def test_real_password_parameters_are_argon2id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the production hasher, not the tests' cheap one
    h = passwords.hash_password("mot-mat-khau-dai")
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password("mot-mat-khau-dai", h) and not passwords.needs_rehash(h)
    assert passwords.needs_rehash(h.replace("t=2", "t=1"))


def test_hash_and_verify() -> None:
    h = passwords.hash_password("mat-khau-rat-dai")
    assert h.startswith("$argon2id$") and "mat-khau" not in h
    assert passwords.verify_password("mat-khau-rat-dai", h)
    assert not passwords.verify_password("mat-khau-sai-1", h)
    assert not passwords.verify_password("x", "not-a-hash")
    assert passwords.password_problem("ngan") and passwords.password_problem("aaaaaaaaaaaa")
    assert passwords.password_problem("nguoidung01", username="nguoidung01")
    assert passwords.password_problem("mot-mat-khau-tot") is None


def test_user_rules(session: Session, seeded: Seed) -> None:
    with pytest.raises(AccountError, match="điểm bán"):
        create_user(session=session, username="ret.c", password="mat-khau-dai-1", role="retailer", actor="t")
    with pytest.raises(AccountError, match="không có điểm bán"):
        create_user(
            session=session,
            username="ret.c",
            password="mat-khau-dai-1",
            role="retailer",
            actor="t",
            outlets=["KHONG-CO"],
        )
    with pytest.raises(AccountError, match="đã có"):
        create_user(session=session, username="RET.A", password="mat-khau-dai-1", role="officer", actor="t")
    with pytest.raises(AccountError, match="vai trò"):
        create_user(session=session, username="ai.do", password="mat-khau-dai-1", role="boss", actor="t")
    with pytest.raises(AccountError, match="tên đăng nhập"):
        create_user(
            session=session, username="Tên Có Dấu", password="mat-khau-dai-1", role="officer", actor="t"
        )
    user = create_user(
        session=session,
        username="Ret.C",
        password="mat-khau-dai-1",
        role="retailer",
        actor="t",
        outlets=["CH-B", "CH-A"],
    )
    assert user.username == "ret.c" and [o.code for o in outlets_of(session=session, user=user)] == [
        "CH-A",
        "CH-B",
    ]
    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == user.id)
    ).one()
    assert "mat-khau" not in str(audit.details) and audit.details["outlets"] == ["CH-A", "CH-B"]


def test_tokens_are_stored_hashed_and_revocable(session: Session, seeded: Seed) -> None:
    user = get_user(session=session, username="ret.a")
    assert user is not None
    token = create_token(session=session, user=user, actor="t", name="POS")
    stored = session.scalars(select(ApiToken).where(ApiToken.name == "POS")).one()
    assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert user_for_token(session=session, token=token) is user
    assert user_for_token(session=session, token=token + "x") is None
    set_active(session=session, user=user, active=False, actor="t")
    assert user_for_token(session=session, token=token) is None


def test_sessions_expire_and_idle_out(session: Session, seeded: Seed) -> None:
    user = get_user(session=session, username="canbo.gia")
    assert user is not None
    new = start_session(session=session, user=user, lifetime=dt.timedelta(hours=1))
    row = session.get(
        WebSession, __import__("binhon.accounts.service", fromlist=["x"]).secret_hash(new.token)
    )
    assert row is not None and row.csrf_token == new.csrf_token
    assert load_session(session=session, token=new.token, idle=dt.timedelta(minutes=30)) is not None
    row.last_seen_at = row.last_seen_at - dt.timedelta(hours=2)
    session.flush()
    assert load_session(session=session, token=new.token, idle=dt.timedelta(minutes=30)) is None
    expired = start_session(session=session, user=user, lifetime=dt.timedelta(seconds=-1))
    assert load_session(session=session, token=expired.token, idle=dt.timedelta(hours=1)) is None


def test_throttling_per_account_and_address(session: Session, seeded: Seed) -> None:
    rule = Throttle(max_failures=3, max_failures_per_address=5, window=dt.timedelta(minutes=15))
    for _ in range(3):
        assert (
            authenticate(
                session=session, username="ret.a", password="sai", address="10.0.0.1", throttle=rule
            ).user
            is None
        )
    locked = authenticate(
        session=session, username="ret.a", password=seeded.retailer_a[1], address="10.0.0.2", throttle=rule
    )
    assert locked.locked and locked.retry_after_minutes and locked.retry_after_minutes <= 15
    for name in ("x1", "x2"):
        authenticate(session=session, username=name, password="sai", address="10.0.0.1", throttle=rule)
    by_address = authenticate(
        session=session, username="ret.b", password=seeded.retailer_b[1], address="10.0.0.1", throttle=rule
    )
    assert by_address.locked
    ok = authenticate(
        session=session, username="ret.b", password=seeded.retailer_b[1], address="10.0.0.9", throttle=rule
    )
    assert ok.user is not None and ok.user.username == "ret.b"
    unknown = authenticate(
        session=session, username="khong.co", password="x", address="10.0.0.9", throttle=rule
    )
    assert unknown.user is None and not unknown.locked


def test_cli_users_and_tokens(db_url: str, app, seeded: Seed) -> None:  # type: ignore[no-untyped-def]
    from binhon.cli import app as cli

    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "users",
            "create",
            "--username",
            "cuahang.moi",
            "--password",
            "mat-khau-moi-99",
            "--role",
            "retailer",
            "--outlet",
            "CH-B",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "cuahang.moi" in r.output and "CH-B" in r.output
    bad = runner.invoke(
        cli, ["users", "create", "--username", "x.y", "--password", "ngan", "--role", "officer"]
    )
    assert bad.exit_code == 1 and "mật khẩu" in bad.output
    t = runner.invoke(cli, ["tokens", "create", "--username", "cuahang.moi"])
    assert t.exit_code == 0
    token = t.output.strip()
    assert token.startswith("bh_") and "\n" not in token
    with TestClient(app, base_url="http://127.0.0.1") as c:
        me = c.get("/api/v1/me", headers=bearer(token)).json()
        assert me["username"] == "cuahang.moi" and me["outlets"] == ["CH-B"]
    listing = runner.invoke(cli, ["tokens", "list", "--username", "cuahang.moi"])
    assert token not in listing.output and token[:10] in listing.output
    missing = runner.invoke(cli, ["tokens", "create", "--username", "khong.co"])
    assert missing.exit_code == 1


def test_demo_accounts(engine: Engine, seeded: Seed) -> None:
    from binhon.db.engine import session_scope

    with session_scope(engine) as s:
        s.add(Outlet(code="ST-DEMO", name="Siêu thị demo", outlet_type="supermarket"))
        s.add(Outlet(code="BO-DEMO", name="Điểm bán bình ổn", outlet_type="enterprise"))
    with session_scope(engine) as s:
        made = create_demo_accounts(s)
    roles = [r for _, _, r in made]
    assert roles[:3] == ["admin", "officer", "officer"] and roles.count("retailer") >= 3
    with session_scope(engine) as s:
        again = create_demo_accounts(s)  # idempotent: same accounts, same passwords
        assert again == made
        for username, password, _role in made:
            user = get_user(session=s, username=username)
            assert user is not None and passwords.verify_password(password, user.password_hash)
        petrol = get_user(session=s, username="xangdau.demo")
        assert petrol is not None and [o.code for o in outlets_of(session=s, user=petrol)] == ["XD-1"]
