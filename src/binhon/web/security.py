"""HTTP security: cookies, security headers, request size limit, CSRF and same-origin checks."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from binhon.web.settings import WebSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "binhon_session"
SECURE_SESSION_COOKIE = "__Host-binhon_session"
LOGIN_CSRF_COOKIE = "binhon_login_csrf"
SECURE_LOGIN_CSRF_COOKIE = "__Host-binhon_login_csrf"
CSRF_FIELD = "csrf_token"

# Pages: no scripts at all, styles and images from this server only, no framing, forms post here.
PAGE_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# Swagger UI / ReDoc (vendored, served from this server) need inline bootstrapping and workers.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
# Uploaded files are shown as images only, never as documents that could run anything.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
DOCS_PATHS = ("/docs", "/redoc", "/static/docs/")


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookies_secure(request: Request, settings: WebSettings) -> bool:
    """Whether cookies get the Secure flag: forced by settings, else all but plain http to loopback."""
    forced = settings.secure_mode
    if forced is not None:
        return forced
    return request.url.scheme == "https" or not _is_loopback(request.url.hostname)


def session_cookie_name(secure: bool) -> str:
    """The session cookie's name (__Host- prefixed when Secure: no Domain, Path=/, HTTPS only)."""
    return SECURE_SESSION_COOKIE if secure else SESSION_COOKIE


def read_session_cookie(request: Request) -> str | None:
    """The session id sent by the browser, if any."""
    return request.cookies.get(SECURE_SESSION_COOKIE) or request.cookies.get(SESSION_COOKIE)


def set_session_cookie(
    response: Response, request: Request, settings: WebSettings, value: str, max_age: int
) -> None:
    """Set the session cookie: HttpOnly, SameSite=Lax, Secure per settings, Path=/."""
    secure = cookies_secure(request, settings)
    response.set_cookie(
        session_cookie_name(secure),
        value,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request, settings: WebSettings) -> None:
    """Remove the session cookie (both names)."""
    for name, secure in ((SECURE_SESSION_COOKIE, True), (SESSION_COOKIE, False)):
        if name in request.cookies:
            response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")


def login_csrf_token(request: Request) -> tuple[str, bool]:
    """The pre-session CSRF token of the sign-in form (double-submit cookie) and whether it is new."""
    current = request.cookies.get(SECURE_LOGIN_CSRF_COOKIE) or request.cookies.get(LOGIN_CSRF_COOKIE)
    if current and 20 <= len(current) <= 100:
        return current, False
    return secrets.token_urlsafe(32), True


def read_login_csrf(request: Request) -> str | None:
    """The sign-in form's CSRF cookie as sent by the browser."""
    return request.cookies.get(SECURE_LOGIN_CSRF_COOKIE) or request.cookies.get(LOGIN_CSRF_COOKIE)


def set_login_csrf_cookie(response: Response, request: Request, settings: WebSettings, value: str) -> None:
    """Set the sign-in form's CSRF cookie (HttpOnly, SameSite=Strict)."""
    secure = cookies_secure(request, settings)
    name = SECURE_LOGIN_CSRF_COOKIE if secure else LOGIN_CSRF_COOKIE
    response.set_cookie(name, value, max_age=3600, path="/", secure=secure, httponly=True, samesite="strict")


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two tokens; missing ones never match."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site (Origin or Referer)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin != "null"
    from urllib.parse import urlsplit

    parts = urlsplit(origin)
    host = request.headers.get("host", "")
    return parts.netloc.lower() == host.lower()


def sign_reference(key: str, value: str) -> str:
    """value plus an HMAC of it under key (a per-session secret), to carry it safely in a form."""
    mac = hmac.new(key.encode("utf-8"), value.encode("utf-8"), "sha256").hexdigest()[:32]
    return f"{value}.{mac}"


def check_reference(key: str, signed: str) -> str | None:
    """The value of a signed reference made by sign_reference under key, or None when forged."""
    value, _, mac = signed.rpartition(".")
    if not value:
        return None
    return value if tokens_match(sign_reference(key, value), signed) else None


class SecurityHeadersMiddleware:
    """Adds security headers to every response (pure ASGI, cheap)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in security_headers(path, https=https).items():
                    key = name.lower().encode("latin-1")
                    if key not in present:
                        headers.append((key, value.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(path: str, *, https: bool) -> dict[str, str]:
    """The security headers for a response to path."""
    if path.startswith(DOCS_PATHS):
        csp = DOCS_CSP
    elif path.startswith("/tep/"):
        csp = FILE_CSP
    else:
        csp = PAGE_CSP
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if not path.startswith(("/static/",)):
        headers["Cache-Control"] = "no-store"
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


class BodySizeLimitMiddleware:
    """Refuses request bodies over max_bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await _too_large(scope, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except RequestTooLarge:
            await _too_large(scope, send)


class RequestTooLarge(Exception):
    """The request body exceeded the limit."""


async def _too_large(scope: Scope, send: Send) -> None:
    api = str(scope.get("path", "")).startswith("/api/")
    if api:
        body = '{"detail":"Dữ liệu gửi lên quá lớn"}'.encode()
        ctype = b"application/json"
    else:
        body = (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Tệp quá lớn</title>'
            "<h1>Dữ liệu gửi lên quá lớn</h1><p>Hãy chọn ảnh nhỏ hơn rồi gửi lại.</p></html>"
        ).encode()
        ctype = b"text/html; charset=utf-8"
    headers = [
        (b"content-type", ctype),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
