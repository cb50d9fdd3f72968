"""Password hashing with argon2id (RFC 9106), and the password policy.

Why argon2id: it is the first choice of OWASP's Password Storage Cheat Sheet and RFC 9106, memory-hard
(so GPU/ASIC guessing is expensive), and argon2-cffi stores the algorithm, version and parameters in
the hash itself, so the cost can be raised later and old hashes upgraded at the next sign-in
(:func:`needs_rehash`). hashlib.scrypt would avoid a dependency but leaves parameter encoding,
salt handling and constant-time comparison to us.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 256
# OWASP Password Storage Cheat Sheet, argon2id minimum configuration: m=19 MiB, t=2, p=1
# (about 0,17 s per hash on the project's 2-core machines; RFC 9106's 64 MiB profile takes 0,75 s
# there, too slow for a sign-in page under load). Raising them later upgrades hashes at sign-in.
TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    """The argon2id hasher with the parameters above."""
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)


def hash_password(password: str) -> str:
    """An argon2id hash of password (salted, parameters encoded in the string)."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether password matches password_hash; malformed hashes never match."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the account does not exist (same work, no user enumeration)."""
    return hash_password("binhon-no-such-user-placeholder")


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why password is not acceptable (Vietnamese), or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"mật khẩu phải có ít nhất {MIN_LENGTH} ký tự"
    if len(password) > MAX_LENGTH:
        return f"mật khẩu dài quá {MAX_LENGTH} ký tự"
    if username and password.casefold() == username.casefold():
        return "mật khẩu không được trùng tên đăng nhập"
    if len(set(password)) < 4:
        return "mật khẩu quá đơn giản (cần nhiều ký tự khác nhau)"
    return None
