"""Accounts: users and the outlets they may act for, API tokens, browser sessions, sign-in throttling.

Secrets are never stored: API tokens and session ids are random 256-bit values kept only as their
SHA-256 (a fast hash is right for high-entropy secrets; passwords use argon2id, see passwords.py).
Every change to an account is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from binhon.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from binhon.db.models import (
    ROLES,
    ApiToken,
    AuditEntry,
    Enterprise,
    LoginAttempt,
    Outlet,
    User,
    UserOutlet,
    WebSession,
    utcnow,
)
from binhon.errors import BinhonError

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
TOKEN_PREFIX = "bh_"
ROLE_LABELS = {
    "retailer": "Doanh nghiệp / cửa hàng",
    "officer": "Cán bộ quản lý",
    "admin": "Quản trị hệ thống",
}
# Write "last used/seen" at most this often, so that reads do not turn into writes.
TOUCH_INTERVAL = dt.timedelta(minutes=5)


class AccountError(BinhonError):
    """An account operation was refused (message in Vietnamese)."""


def as_utc(value: dt.datetime) -> dt.datetime:
    """An aware UTC datetime (SQLite returns naive UTC values)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def secret_hash(secret: str) -> str:
    """SHA-256 hex digest of a high-entropy secret (token or session id)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_username(username: str) -> str:
    """The stored form of a user name: trimmed, lower case."""
    return username.strip().lower()


def _audit(
    session: Session,
    *,
    actor: str,
    action: str,
    user: User,
    reason: str | None = None,
    details: dict[str, object] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor=actor, action=action, entity="user", entity_id=user.id, reason=reason, details=details
        )
    )


# --- users ------------------------------------------------------------------------------------------------


def get_user(*, session: Session, username: str) -> User | None:
    """The account with this user name, or None."""
    return session.scalars(select(User).where(User.username == normalize_username(username))).first()


def _outlets_by_code(session: Session, codes: Iterable[str]) -> list[Outlet]:
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    if not wanted:
        return []
    found = {o.code: o for o in session.scalars(select(Outlet).where(Outlet.code.in_(wanted)))}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise AccountError(f"không có điểm bán: {', '.join(missing)}")
    return [found[c] for c in wanted]


def _enterprise_by_code(session: Session, code: str | None) -> Enterprise | None:
    if not code:
        return None
    ent = session.scalars(select(Enterprise).where(Enterprise.code == code.strip())).first()
    if ent is None:
        raise AccountError(f"không có doanh nghiệp mã '{code}'")
    return ent


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: str,
    actor: str,
    outlets: Iterable[str] = (),
    enterprise: str | None = None,
    full_name: str | None = None,
) -> User:
    """Create an account; a retailer must be bound to at least one outlet or an enterprise."""
    name = normalize_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise AccountError(
            "tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới (3–80 ký tự)"
        )
    if role not in ROLES:
        raise AccountError(f"vai trò '{role}' không hợp lệ (dùng: {', '.join(ROLES)})")
    problem = password_problem(password, username=name)
    if problem:
        raise AccountError(problem)
    if get_user(session=session, username=name) is not None:
        raise AccountError(f"tên đăng nhập '{name}' đã có")
    bound = _outlets_by_code(session, outlets)
    ent = _enterprise_by_code(session, enterprise)
    if role == "retailer" and not bound and ent is None:
        raise AccountError(
            "tài khoản doanh nghiệp phải gắn với ít nhất một điểm bán (--outlet) hoặc doanh nghiệp"
        )
    if role != "retailer" and (bound or ent):
        raise AccountError("chỉ tài khoản doanh nghiệp (retailer) mới gắn với điểm bán")
    user = User(
        username=name,
        full_name=(full_name or "").strip() or None,
        password_hash=hash_password(password),
        role=role,
        enterprise_id=ent.id if ent else None,
        active=True,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    for outlet in bound:
        session.add(UserOutlet(user_id=user.id, outlet_id=outlet.id))
    _audit(
        session,
        actor=actor,
        action="create",
        user=user,
        details={
            "username": name,
            "role": role,
            "outlets": [o.code for o in bound],
            "enterprise": ent.code if ent else None,
        },
    )
    session.flush()
    return user


def set_password(*, session: Session, user: User, password: str, actor: str) -> None:
    """Replace the user's password and end all of the user's browser sessions."""
    problem = password_problem(password, username=user.username)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    _audit(session, actor=actor, action="set_password", user=user)
    session.flush()


def set_outlets(*, session: Session, user: User, outlets: Iterable[str], actor: str) -> None:
    """Bind a retailer account to exactly these outlets."""
    bound = _outlets_by_code(session, outlets)
    if user.role != "retailer" and bound:
        raise AccountError("chỉ tài khoản doanh nghiệp (retailer) mới gắn với điểm bán")
    if user.role == "retailer" and not bound and user.enterprise_id is None:
        raise AccountError("tài khoản doanh nghiệp phải gắn với ít nhất một điểm bán")
    session.execute(delete(UserOutlet).where(UserOutlet.user_id == user.id))
    for outlet in bound:
        session.add(UserOutlet(user_id=user.id, outlet_id=outlet.id))
    _audit(
        session, actor=actor, action="set_outlets", user=user, details={"outlets": [o.code for o in bound]}
    )
    session.flush()
    session.expire(user, ["outlets"])


def set_active(*, session: Session, user: User, active: bool, actor: str) -> None:
    """Enable or disable an account; disabling ends its sessions and revokes its tokens."""
    user.active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        for token in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ):
            token.revoked_at = utcnow()
    _audit(session, actor=actor, action="activate" if active else "deactivate", user=user)
    session.flush()


def list_users(*, session: Session) -> list[User]:
    """Every account, by role then name."""
    return list(session.scalars(select(User).order_by(User.role, User.username)))


# --- what a user may see ----------------------------------------------------------------------------------


def outlet_scope(*, session: Session, user: User) -> set[int] | None:
    """Ids of the outlets a retailer may see and submit for; None means every outlet (officer, admin)."""
    if user.role != "retailer":
        return None
    ids = set(session.scalars(select(UserOutlet.outlet_id).where(UserOutlet.user_id == user.id)))
    if user.enterprise_id is not None:
        ids |= set(session.scalars(select(Outlet.id).where(Outlet.enterprise_id == user.enterprise_id)))
    return ids


def outlets_of(*, session: Session, user: User) -> list[Outlet]:
    """The outlets the user may act for (all active outlets for officers and admins), by code."""
    stmt = select(Outlet).order_by(Outlet.code)
    scope = outlet_scope(session=session, user=user)
    if scope is not None:
        if not scope:
            return []
        stmt = stmt.where(Outlet.id.in_(scope))
    return list(session.scalars(stmt))


def may_access_outlet_codes(*, session: Session, user: User, codes: Iterable[str]) -> list[str]:
    """The codes among codes that the user may NOT act for (empty when all are allowed)."""
    wanted = sorted({str(c).strip() for c in codes})
    scope = outlet_scope(session=session, user=user)
    if scope is None:
        return []
    if not wanted:
        return []
    if not scope:
        return wanted
    allowed = set(session.scalars(select(Outlet.code).where(Outlet.id.in_(scope), Outlet.code.in_(wanted))))
    return [c for c in wanted if c not in allowed]


# --- API tokens -------------------------------------------------------------------------------------------


def create_token(*, session: Session, user: User, actor: str, name: str | None = None) -> str:
    """A new API token for user; the plain token is returned once and only its hash is stored."""
    if not user.active:
        raise AccountError(f"tài khoản '{user.username}' đã bị khóa")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=secret_hash(token), prefix=token[:10], name=name)
    session.add(row)
    session.flush()
    session.add(
        AuditEntry(
            actor=actor,
            action="create",
            entity="api_token",
            entity_id=row.id,
            details={"username": user.username, "prefix": row.prefix, "name": name},
        )
    )
    session.flush()
    return token


def user_for_token(*, session: Session, token: str) -> User | None:
    """The active user owning an unrevoked token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == secret_hash(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - as_utc(row.last_used_at) > TOUCH_INTERVAL:
        row.last_used_at = now
        session.flush()
    return row.user


def list_tokens(*, session: Session, user: User | None = None) -> list[ApiToken]:
    """API tokens (never their values), newest first."""
    stmt = select(ApiToken).order_by(ApiToken.id.desc())
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    return list(session.scalars(stmt))


def revoke_token(*, session: Session, token_id: int, actor: str) -> ApiToken:
    """Revoke a token by id."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise AccountError(f"không có mã truy cập số {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(
            AuditEntry(
                actor=actor,
                action="revoke",
                entity="api_token",
                entity_id=row.id,
                details={"prefix": row.prefix},
            )
        )
        session.flush()
    return row


# --- browser sessions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewSession:
    """A freshly started browser session: the cookie value and its CSRF token."""

    token: str
    csrf_token: str
    expires_at: dt.datetime


def start_session(*, session: Session, user: User, lifetime: dt.timedelta) -> NewSession:
    """Start a server-side session for user (only the hash of its id is stored)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + lifetime
    session.add(
        WebSession(
            id_hash=secret_hash(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
            last_seen_at=now,
        )
    )
    # Housekeeping: forget this user's expired sessions.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < now))
    session.flush()
    return NewSession(token, csrf, expires)


def load_session(*, session: Session, token: str, idle: dt.timedelta) -> WebSession | None:
    """The live session for a cookie value (not expired, not idle too long, user active), or None."""
    if not token or len(token) > 200:
        return None
    row = session.get(WebSession, secret_hash(token))
    if row is None:
        return None
    now = utcnow()
    last_seen = as_utc(row.last_seen_at)
    if as_utc(row.expires_at) <= now or now - last_seen > idle or not row.user.active:
        session.delete(row)
        session.flush()
        return None
    if now - last_seen > TOUCH_INTERVAL:
        row.last_seen_at = now
        session.flush()
    return row


def end_session(*, session: Session, token: str) -> None:
    """Forget a session (sign-out)."""
    session.execute(delete(WebSession).where(WebSession.id_hash == secret_hash(token)))
    session.flush()


# --- signing in -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """Sign-in throttling limits."""

    max_failures: int = 5
    max_failures_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in attempt."""

    user: User | None
    retry_after_minutes: int | None = None

    @property
    def locked(self) -> bool:
        """Whether the attempt was refused by throttling (the password was not even checked)."""
        return self.retry_after_minutes is not None


def _failures_since(session: Session, *, column: Any, value: str, since: dt.datetime) -> list[dt.datetime]:
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.success.is_(True))
    )
    start = max(since, as_utc(last_ok)) if last_ok is not None else since
    return [
        as_utc(t)
        for t in session.scalars(
            select(LoginAttempt.at)
            .where(column == value, LoginAttempt.success.is_(False), LoginAttempt.at > start)
            .order_by(LoginAttempt.at.desc())
        )
    ]


def _lock_minutes(
    failures: list[dt.datetime], limit: int, window: dt.timedelta, now: dt.datetime
) -> int | None:
    if len(failures) < limit:
        return None
    # Unlocked once the limit-th most recent failure leaves the window.
    until = failures[limit - 1] + window
    return max(1, math.ceil((until - now).total_seconds() / 60))


def authenticate(
    *, session: Session, username: str, password: str, address: str | None, throttle: Throttle = Throttle()
) -> LoginResult:
    """Check a user name and password, throttling repeated failures per account and per address."""
    name = normalize_username(username)[:80]
    now = utcnow()
    since = now - throttle.window
    locks = [
        _lock_minutes(
            _failures_since(session, column=LoginAttempt.username, value=name, since=since),
            throttle.max_failures,
            throttle.window,
            now,
        )
    ]
    if address:
        locks.append(
            _lock_minutes(
                _failures_since(session, column=LoginAttempt.address, value=address, since=since),
                throttle.max_failures_per_address,
                throttle.window,
                now,
            )
        )
    waits = [m for m in locks if m is not None]
    if waits:
        return LoginResult(None, retry_after_minutes=max(waits))
    user = get_user(session=session, username=name) if name else None
    if user is None or not user.active:
        verify_password(password, dummy_hash())  # same work as a real check
        ok = False
    else:
        ok = verify_password(password, user.password_hash)
    session.add(LoginAttempt(username=name, address=(address or "")[:64] or None, at=now, success=ok))
    if not ok:
        session.flush()
        return LoginResult(None)
    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return LoginResult(user)


def prune_login_attempts(*, session: Session, older_than: dt.timedelta = dt.timedelta(days=90)) -> int:
    """Delete sign-in attempts older than older_than; the number deleted."""
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - older_than))
    return int(getattr(result, "rowcount", 0) or 0)
