"""Error responses that leak nothing: JSON for the API, Vietnamese pages for people."""

from __future__ import annotations

import logging
import secrets
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from binhon.web.deps import LoginRequired
from binhon.web.security import security_headers

log = logging.getLogger("binhon.web")

PAGE_MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không đúng. Hãy quay lại và thử lại."),
    401: ("Cần đăng nhập", "Hãy đăng nhập để tiếp tục."),
    403: ("Không có quyền", "Tài khoản của bạn không được xem hoặc thực hiện thao tác này."),
    404: ("Không tìm thấy", "Trang hoặc dữ liệu bạn tìm không có."),
    405: ("Thao tác không được hỗ trợ", "Thao tác này không dùng được ở địa chỉ này."),
    413: ("Dữ liệu quá lớn", "Tệp hoặc dữ liệu gửi lên quá lớn."),
    422: ("Dữ liệu không hợp lệ", "Dữ liệu gửi lên không đúng. Hãy quay lại và thử lại."),
    429: ("Quá nhiều yêu cầu", "Hãy đợi một lát rồi thử lại."),
    500: (
        "Lỗi hệ thống",
        "Đã có lỗi ngoài ý muốn. Hãy thử lại sau; nếu vẫn lỗi, báo cho quản trị kèm mã sự cố.",
    ),
}
API_MESSAGES = {
    400: "Yêu cầu không hợp lệ",
    401: "Cần mã truy cập hợp lệ",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    406: "Định dạng yêu cầu không được hỗ trợ",
    413: "Dữ liệu gửi lên quá lớn",
    415: "Kiểu dữ liệu gửi lên không được hỗ trợ",
    422: "Dữ liệu không hợp lệ",
    500: "Lỗi hệ thống",
}


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API (or the OpenAPI schema)."""
    return request.url.path.startswith(("/api/", "/openapi.json"))


def api_error(
    status: int,
    detail: str,
    problems: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The API's error body: {"detail": ..., "problems": [...]}."""
    return JSONResponse({"detail": detail, "problems": problems or []}, status_code=status, headers=headers)


def error_page(
    request: Request, status: int, message: str | None = None, incident: str | None = None
) -> Response:
    """A Vietnamese error page."""
    title, default = PAGE_MESSAGES.get(status, PAGE_MESSAGES[400] if status < 500 else PAGE_MESSAGES[500])
    templates = request.app.state.templates
    principal = getattr(request.state, "principal", None)
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "error.html",
        {
            "status": status,
            "title": title,
            "message": message or default,
            "incident": incident,
            "me": principal,
        },
        status_code=status,
    )


def _field_name(loc: tuple[Any, ...]) -> tuple[int | None, str | None]:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        where = parts.pop(0)
    else:
        where = None
    item: int | None = None
    if where == "body" and parts and isinstance(parts[0], int):
        item = parts.pop(0) + 1
    name = ".".join(str(p) for p in parts if not isinstance(p, int)) or where
    return item, name


_PYDANTIC_VI = {
    "missing": "thiếu",
    "list_type": "phải là một danh sách",
    "model_type": "phải là một đối tượng",
    "dict_type": "phải là một đối tượng",
    "string_type": "phải là chuỗi",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "string_too_long": "quá dài",
    "string_too_short": "không được trống",
    "literal_error": "giá trị không hợp lệ",
    "json_invalid": "JSON không hợp lệ",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
    "date_from_datetime_parsing": "ngày không hợp lệ",
    "date_parsing": "ngày không hợp lệ",
    "bool_parsing": "phải là đúng/sai",
}


def _reason(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    if kind in _PYDANTIC_VI:
        return _PYDANTIC_VI[kind]
    if kind.startswith("union") or kind.endswith("_type"):
        return "kiểu dữ liệu không hợp lệ"
    if kind == "value_error":
        msg = str(err.get("msg", ""))
        return msg.removeprefix("Value error, ") or "giá trị không hợp lệ"
    return "giá trị không hợp lệ"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def install(app: FastAPI) -> None:
    """Register the error handlers on app."""

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/dang-nhap?next={quote(exc.next_url, safe='/')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if detail == _phrase(exc.status_code):
            detail = ""  # Starlette's English default
        if is_api(request):
            return api_error(
                exc.status_code, detail or API_MESSAGES.get(exc.status_code, "Lỗi"), headers=headers or None
            )
        response = error_page(request, exc.status_code, detail or None)
        for k, v in headers.items():
            if k.lower() != "www-authenticate":
                response.headers[k] = v
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            problems = []
            for err in exc.errors()[:200]:
                item, name = _field_name(tuple(err.get("loc", ())))
                problems.append({"item": item, "field": name, "reason": _reason(err)})
            return api_error(422, "Dữ liệu không hợp lệ: không lưu gì cả", problems)
        return error_page(request, 400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        incident = secrets.token_hex(4)
        log.exception("unexpected error %s on %s %s", incident, request.method, request.url.path)
        if is_api(request):
            response: Response = api_error(500, f"Lỗi hệ thống (mã sự cố {incident})")
        else:
            try:
                response = error_page(request, 500, incident=incident)
            except Exception:  # noqa: BLE001 - the error page itself must never fail
                response = Response(
                    f"Lỗi hệ thống (mã sự cố {incident})",
                    status_code=500,
                    media_type="text/plain; charset=utf-8",
                )
        # ServerErrorMiddleware sits outside the other middleware: add the headers here.
        for k, v in security_headers(request.url.path, https=request.url.scheme == "https").items():
            response.headers.setdefault(k, v)
        return response
