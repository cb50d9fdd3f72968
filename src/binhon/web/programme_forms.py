"""Officer forms of the bình ổn programme register: reading posted fields and placing errors.

The pages only *read* the fields here (a year, dates ``dd/mm/yyyy``, money ``23.500`` or ``23500``,
numbers ``1.234,5``) and say beside each field what is wrong with it. The records themselves are
validated, stored and audited by :mod:`binhon.programme.service`, exactly as for the CLI and the
template imports; a :class:`~binhon.programme.service.ProgrammeError` is shown beside the field its
message is about (:meth:`FormState.place`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from binhon.formatting import parse_date_vn, parse_decimal_vn, parse_vnd
from binhon.programme.service import MAX_YEAR, MIN_YEAR, ProgrammeError
from binhon.web.labels import sentence

__all__ = ["FORM_ERROR", "PLACEMENT", "FieldError", "FormState", "split_codes"]

#: Key of an error about the whole form rather than one field.
FORM_ERROR = "_form"
#: Largest amount of money a form accepts (1 triệu tỷ đồng): beyond it a typo is certain.
MAX_VND = 10**15
#: Largest quantity a form accepts (the database keeps 13 integer digits).
MAX_QUANTITY = 10**12
_DATE_HINT = "ghi ngày dạng dd/mm/yyyy, ví dụ 01/07/2026"
_MONEY_HINT = "ghi số đồng nguyên, ví dụ 23.500 hoặc 23500"
_NUMBER_HINT = "ghi một số, ví dụ 200.000 hoặc 5,5"

#: Where a service message goes, per form: the first (fragment, field) whose fragment the message
#: contains (case-insensitive) names the field; otherwise the message is about the whole form.
PLACEMENT: dict[str, tuple[tuple[str, str], ...]] = {
    "year": (("ngày quyết định", "decision_date"), ("năm", "year")),
    "decision": (("ngày quyết định", "decision_date"),),
    "participant": (
        ("mã doanh nghiệp", "enterprise"),
        ("đã tham gia", "enterprise"),
        ("vốn đã giải ngân", "loan_disbursed_vnd"),
        ("vốn được duyệt", "loan_approved_vnd"),
        ("vốn đề xuất", "loan_proposed_vnd"),
        ("năm", FORM_ERROR),
    ),
    "sale_point": (("doanh nghiệp tham gia", "participant"), ("điểm bán", "outlet")),
    "loans": (
        ("doanh nghiệp tham gia", "participant"),
        ("vốn đã giải ngân", "loan_disbursed_vnd"),
        ("vốn được duyệt", "loan_approved_vnd"),
        ("vốn đề xuất", "loan_proposed_vnd"),
    ),
    "commitment": (
        ("doanh nghiệp tham gia", "participant"),
        ("mã hàng hóa", "commodity"),
        ("ngày kết thúc", "period_end"),
        ("thời gian", "period_start"),
        ("số lượng", "quantity"),
        ("giá trị cam kết", "value_vnd"),
        ("giá cam kết", "committed_price_vnd"),
        ("mức thấp hơn", "margin_below_market_pct"),
    ),
    "reserve": (
        ("doanh nghiệp tham gia", "participant"),
        ("mã hàng hóa", "commodity"),
        ("ngày báo cáo", "report_date"),
        ("giá trị dự trữ", "value_vnd"),
        ("lượng dự trữ", "quantity"),
    ),
    "visit": (
        ("doanh nghiệp tham gia", "participant"),
        ("ngày kiểm tra", "visit_date"),
        ("người/đoàn", "officer"),
        ("nội dung", "findings"),
        ("điểm bán", "outlet"),
    ),
    "delete": (("lý do", "reason"),),
}


class FieldError(ProgrammeError):
    """A service message known to be about one field of the form."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def split_codes(text: str) -> list[str]:
    """Codes typed in one field, separated by commas, semicolons or spaces (duplicates dropped)."""
    seen: list[str] = []
    for code in re.split(r"[\s,;]+", text):
        if code and code not in seen:
            seen.append(code)
    return seen


@dataclass
class FormState:
    """One form of a page: what was typed (to show it again) and the error beside each field."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, name: str, form: FormData, fields: tuple[str, ...], *, limit: int = 20_000) -> FormState:
        """The named fields of a posted form, trimmed and bounded."""
        values = {}
        for key in fields:
            raw = form.get(key)
            values[key] = raw.strip()[:limit] if isinstance(raw, str) else ""
        return cls(name, values)

    @property
    def ok(self) -> bool:
        """Whether no field has an error."""
        return not self.errors

    def add(self, key: str, message: str) -> None:
        """Put a message beside a field (the first message of a field is kept)."""
        self.errors.setdefault(key, sentence(message))

    def place(self, exc: ProgrammeError) -> None:
        """Show a service message beside the field it is about (else above the form)."""
        message = str(exc)
        if isinstance(exc, FieldError):
            self.add(exc.key, message)
            return
        low = message.lower()
        for fragment, key in PLACEMENT.get(self.name, ()):
            if fragment in low:
                self.add(key, message)
                return
        self.add(FORM_ERROR, message)

    # --- typed readers: None when empty or invalid (the error is recorded) --------------------------

    def text(self, key: str, label: str, *, required: bool = False, max_len: int | None = None) -> str | None:
        """A text field."""
        value = self.values.get(key, "")
        if not value:
            if required:
                self.add(key, f"hãy nhập {label}")
            return None
        if max_len is not None and len(value) > max_len:
            self.add(key, f"{label} dài quá {max_len} ký tự")
            return None
        return value

    def year(self, key: str = "year") -> int | None:
        """A programme year."""
        value = self.values.get(key, "")
        if not value:
            self.add(key, "hãy nhập năm chương trình, ví dụ 2027")
            return None
        if not value.isdigit() or not MIN_YEAR <= int(value) <= MAX_YEAR:
            self.add(key, f"năm chương trình '{value}' không hợp lệ (từ {MIN_YEAR} đến {MAX_YEAR})")
            return None
        return int(value)

    def date(self, key: str, label: str, *, required: bool = False) -> dt.date | None:
        """A date typed dd/mm/yyyy (YYYY-MM-DD is accepted too)."""
        value = self.values.get(key, "")
        if not value:
            if required:
                self.add(key, f"hãy nhập {label} ({_DATE_HINT})")
            return None
        try:
            return parse_date_vn(value)
        except ValueError:
            self.add(key, f"{label} '{value}' không hợp lệ: {_DATE_HINT}")
            return None

    def money(self, key: str, label: str, *, required: bool = False) -> int | None:
        """An amount in whole đồng: ``23.500``, ``23500`` or ``23.500 ₫``."""
        value = self.values.get(key, "")
        if not value:
            if required:
                self.add(key, f"hãy nhập {label} ({_MONEY_HINT})")
            return None
        try:
            amount = parse_vnd(value)
        except ValueError as exc:
            if "viết tắt" in str(exc):
                self.add(key, f"{label} '{value}' không được viết tắt: {_MONEY_HINT}")
            elif "phần lẻ" in str(exc):
                self.add(key, f"{label} '{value}' có phần lẻ đồng: {_MONEY_HINT}")
            else:
                self.add(key, f"{label} '{value}' không hợp lệ: {_MONEY_HINT}")
            return None
        if amount < 0:
            self.add(key, f"{label} không được âm")
            return None
        if amount > MAX_VND:
            self.add(key, f"{label} quá lớn: hãy kiểm tra lại số chữ số")
            return None
        return amount

    def number(self, key: str, label: str, *, required: bool = False, percent: bool = False) -> float | None:
        """A quantity or a percentage: ``200.000``, ``5``, ``5,5`` (``%`` tolerated)."""
        value = self.values.get(key, "")
        if percent:
            value = value.removesuffix("%").strip()
        if not value:
            if required:
                self.add(key, f"hãy nhập {label} ({_NUMBER_HINT})")
            return None
        try:
            number = float(parse_decimal_vn(value))
        except ValueError:
            self.add(key, f"{label} '{value}' không phải là số ({_NUMBER_HINT})")
            return None
        if number < 0:
            self.add(key, f"{label} không được âm")
            return None
        if number >= MAX_QUANTITY:
            self.add(key, f"{label} quá lớn: hãy kiểm tra lại số chữ số")
            return None
        return number

    def choice(self, key: str, allowed: dict[str, object], label: str) -> str | None:
        """One of the allowed values of a select."""
        value = self.values.get(key, "")
        if not value:
            self.add(key, f"hãy chọn {label}")
            return None
        if value not in allowed:
            self.add(key, f"{label} đã chọn không có trong danh sách: hãy tải lại trang rồi chọn lại")
            return None
        return value

    def flag(self, key: str) -> bool | None:
        """A yes/no/not judged radio: "1", "0" or ""."""
        value = self.values.get(key, "")
        if value in ("1", "0"):
            return value == "1"
        if value:
            self.add(key, "hãy chọn đạt, không đạt hoặc chưa kết luận")
        return None
