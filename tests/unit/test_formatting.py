"""Tests for binhon.formatting: Vietnamese number, money, date and text handling."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from binhon.formatting import (
    fold_key,
    format_change,
    format_change_vnd,
    format_count2,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_vnd,
    normalize_text,
    parse_date_vn,
    parse_decimal_vn,
    parse_vnd,
)

NBSP = "\u00a0"
NNBSP = "\u202f"
THIN = "\u2009"

# ---------------------------------------------------------------------------
# parse_vnd
# ---------------------------------------------------------------------------

VND_ACCEPTED = [
    ("23500", 23500),
    ("23.500", 23500),
    ("23.500 ₫", 23500),
    ("23.500₫", 23500),
    ("23.500đ", 23500),
    ("23.500 đ", 23500),
    ("23.500 Đ", 23500),
    ("23.500 VND", 23500),
    ("23.500 vnd", 23500),
    ("23.500 vnđ", 23500),
    ("23.500 VNĐ", 23500),
    ("23.500 đồng", 23500),
    ("VND 23.500", 23500),
    ("₫23.500", 23500),
    ("23,500", 23500),
    ("1,000,000", 1_000_000),
    ("1.234.567", 1_234_567),
    ("1.000", 1000),
    (" 23500 ", 23500),
    ("\t23500\n", 23500),
    (f"{NBSP}23.500{NBSP}₫{NBSP}", 23500),
    (f"23.500{NNBSP}₫", 23500),
    (f"{THIN}23.500{THIN}₫", 23500),
    ("\u200b23.500", 23500),
    ("23 500", 23500),
    (f"23{NBSP}500", 23500),
    (f"23{NNBSP}500", 23500),
    (f"23{THIN}500", 23500),
    ("1 234 567", 1_234_567),
    ("23.500,00", 23500),
    ("23.500,0 ₫", 23500),
    ("23 500,00", 23500),
    ("23500,0", 23500),
    ("23500,000", 23500),
    ("1,0", 1),
    ("0", 0),
    ("-0", 0),
    ("-5000", -5000),
    ("-5.000", -5000),
    ("-23.500 ₫", -23500),
    ("\u221223.500", -23500),
    ("1.234.567.890.123", 1_234_567_890_123),
    (23500, 23500),
    (-5000, -5000),
    (0, 0),
    (23500.0, 23500),
    (-23500.0, -23500),
    (Decimal("23500.00"), 23500),
]


@pytest.mark.parametrize(("text", "expected"), VND_ACCEPTED)
def test_parse_vnd_accepts(text: str | int | float, expected: int) -> None:
    result = parse_vnd(text)
    assert result == expected
    assert type(result) is int


VND_REJECTED = [
    ("", "giá trống"),
    ("   ", "giá trống"),
    (NBSP, "giá trống"),
    (None, "giá trống"),
    ("abc", "giá không phải là số: 'abc'"),
    ("₫", "giá không phải là số"),
    ("VND", "giá không phải là số"),
    ("23.500 USD", "giá không phải là số"),
    ("$23.500", "giá không phải là số"),
    ("2.35e4", "giá không phải là số"),
    ("２３５００", "giá không phải là số"),
    (".500", "giá không phải là số"),
    ("- 5", "giá không phải là số"),
    ("23.500,5", "giá có phần lẻ đồng: '23.500,5'"),
    ("23500,5", "giá có phần lẻ đồng"),
    ("23,50", "giá có phần lẻ đồng"),
    ("1,5", "giá có phần lẻ đồng"),
    ("23 500,05", "giá có phần lẻ đồng"),
    ("23.50", "giá có dấu phân cách không rõ ràng: '23.50'"),
    ("2.35.00", "giá có dấu phân cách không rõ ràng"),
    ("1.5", "giá có dấu phân cách không rõ ràng"),
    ("23500.0", "giá có dấu phân cách không rõ ràng"),
    ("1234.567", "giá có dấu phân cách không rõ ràng"),
    ("0.500", "giá có dấu phân cách không rõ ràng"),
    ("23..500", "giá có dấu phân cách không rõ ràng"),
    ("23.", "giá có dấu phân cách không rõ ràng"),
    ("23,", "giá có dấu phân cách không rõ ràng"),
    ("23,500.00", "giá có dấu phân cách không rõ ràng"),
    ("23.500,000,0", "giá có dấu phân cách không rõ ràng"),
    ("1,500,0", "giá có dấu phân cách không rõ ràng"),
    ("1 234.567", "giá có dấu phân cách không rõ ràng"),
    ("2 35 00", "giá có dấu phân cách không rõ ràng"),
    ("23k", "giá không được viết tắt: '23k'"),
    ("23K", "giá không được viết tắt"),
    ("23.5k", "giá không được viết tắt"),
    ("23 k", "giá không được viết tắt"),
    ("23 nghìn", "giá không được viết tắt"),
    ("23 ngàn đồng", "giá không được viết tắt"),
    ("1,2 tr", "giá không được viết tắt"),
    ("2 triệu", "giá không được viết tắt"),
    ("23-500", "dấu trừ chỉ được đặt ở đầu giá"),
    ("23.500-", "dấu trừ chỉ được đặt ở đầu giá"),
    ("--5", "dấu trừ chỉ được đặt ở đầu giá"),
    (float("nan"), "giá không phải là số hữu hạn"),
    (float("inf"), "giá không phải là số hữu hạn"),
    (float("-inf"), "giá không phải là số hữu hạn"),
    (Decimal("NaN"), "giá không phải là số hữu hạn"),
    (23500.5, "giá có phần lẻ đồng"),
    (Decimal("0.5"), "giá có phần lẻ đồng"),
    (True, "giá không phải là số: True"),
    (False, "giá không phải là số: False"),
]


@pytest.mark.parametrize(("text", "message"), VND_REJECTED)
def test_parse_vnd_rejects(text: object, message: str) -> None:
    with pytest.raises(ValueError, match="^" + _escape(message)):
        parse_vnd(text)  # type: ignore[arg-type]


def test_parse_vnd_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        parse_vnd([23500])  # type: ignore[arg-type]


def _escape(message: str) -> str:
    """Escape a message prefix for pytest.raises(match=...)."""
    import re

    return re.escape(message)


# ---------------------------------------------------------------------------
# parse_decimal_vn
# ---------------------------------------------------------------------------

DECIMAL_ACCEPTED = [
    ("1.234,5", Decimal("1234.5")),
    ("1234,5", Decimal("1234.5")),
    ("1,5", Decimal("1.5")),
    ("0,125", Decimal("0.125")),
    ("1,234", Decimal("1.234")),  # comma is always the decimal mark
    ("1.234", Decimal("1234")),  # a single dot before exactly 3 digits groups thousands
    ("12.345", Decimal("12345")),
    ("1.234.567", Decimal("1234567")),
    ("1.234.567,89", Decimal("1234567.89")),
    ("12.5", Decimal("12.5")),
    ("1234.5", Decimal("1234.5")),
    ("1.2345", Decimal("1.2345")),
    ("1234.567", Decimal("1234.567")),  # 4 digits before the dot: cannot be a thousands group
    ("0.125", Decimal("0.125")),
    ("0.5", Decimal("0.5")),
    ("1 234,5", Decimal("1234.5")),
    (f"1{NBSP}234,5", Decimal("1234.5")),
    ("1 234", Decimal("1234")),
    ("42", Decimal("42")),
    ("0", Decimal("0")),
    ("-1.234,5", Decimal("-1234.5")),
    ("-0,5", Decimal("-0.5")),
    ("\u22123,5", Decimal("-3.5")),
    ("  12,50 ", Decimal("12.50")),
]


@pytest.mark.parametrize(("text", "expected"), DECIMAL_ACCEPTED)
def test_parse_decimal_vn_accepts(text: str, expected: Decimal) -> None:
    result = parse_decimal_vn(text)
    assert isinstance(result, Decimal)
    assert result == expected


DECIMAL_REJECTED = [
    ("", "số trống"),
    ("  ", "số trống"),
    ("abc", "không phải là số: 'abc'"),
    ("1,5%", "không phải là số"),
    ("nan", "không phải là số"),
    ("inf", "không phải là số"),
    ("1e5", "không phải là số"),
    (",5", "không phải là số"),
    ("5,", "không phải là số"),
    ("5.", "không phải là số"),
    ("1-2", "không phải là số"),
    ("+5", "không phải là số"),
    ("1,2,3", "số có dấu phân cách không rõ ràng: '1,2,3'"),
    ("1.2.3", "số có dấu phân cách không rõ ràng"),
    ("1.23,5", "số có dấu phân cách không rõ ràng"),
    ("1,234.5", "số có dấu phân cách không rõ ràng"),
    ("1.234 567", "số có dấu phân cách không rõ ràng"),
    ("1 234.5", "số có dấu phân cách không rõ ràng"),
    ("12 34", "số có dấu phân cách không rõ ràng"),
    ("1..5", "số có dấu phân cách không rõ ràng"),
]


@pytest.mark.parametrize(("text", "message"), DECIMAL_REJECTED)
def test_parse_decimal_vn_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + _escape(message)):
        parse_decimal_vn(text)


# ---------------------------------------------------------------------------
# parse_date_vn
# ---------------------------------------------------------------------------

DATE_ACCEPTED = [
    ("2026-03-05", dt.date(2026, 3, 5)),
    ("05/03/2026", dt.date(2026, 3, 5)),
    ("5/3/2026", dt.date(2026, 3, 5)),
    ("5/03/2026", dt.date(2026, 3, 5)),
    ("05-03-2026", dt.date(2026, 3, 5)),
    ("05.03.2026", dt.date(2026, 3, 5)),
    (" 31/12/2025 ", dt.date(2025, 12, 31)),
    ("29/02/2024", dt.date(2024, 2, 29)),
]


@pytest.mark.parametrize(("text", "expected"), DATE_ACCEPTED)
def test_parse_date_vn_accepts(text: str, expected: dt.date) -> None:
    assert parse_date_vn(text) == expected


DATE_REJECTED = [
    "31/02/2026",
    "29/02/2025",
    "2026-02-30",
    "00/01/2026",
    "01/13/2026",
    "05/03/26",
    "5/3/26",
    "26-03-05",
    "2026/03/05",
    "2026-3-5",
    "05/03-2026",
    "05 03 2026",
    "05/03/2026 10:00",
    "2026-03-05T10:00",
    "hôm nay",
    "20260305",
    "005/03/2026",
]


@pytest.mark.parametrize("text", DATE_REJECTED)
def test_parse_date_vn_rejects(text: str) -> None:
    expected = f"ngày không hợp lệ: {text!r} (dùng YYYY-MM-DD hoặc dd/mm/yyyy)"
    with pytest.raises(ValueError) as info:
        parse_date_vn(text)
    assert str(info.value) == expected


def test_parse_date_vn_empty() -> None:
    with pytest.raises(ValueError, match="^ngày trống"):
        parse_date_vn("  ")


def test_parse_date_vn_message_example() -> None:
    with pytest.raises(ValueError) as info:
        parse_date_vn("31/02/2026")
    assert str(info.value) == "ngày không hợp lệ: '31/02/2026' (dùng YYYY-MM-DD hoặc dd/mm/yyyy)"


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------

NUMBER_FORMATS = [
    ((1234.5, 1), "1.234,5"),
    ((-1234, 0), "-1.234"),
    ((1234, 0), "1.234"),
    ((999, 0), "999"),
    ((0, 0), "0"),
    ((0, 2), "0,00"),
    ((1234567.891, 2), "1.234.567,89"),
    ((Decimal("1234.5"), 0), "1.235"),  # half-up
    ((Decimal("2.25"), 1), "2,3"),  # half-up, not banker's rounding
    ((Decimal("-2.25"), 1), "-2,3"),
    ((2.675, 2), "2,68"),  # floats are taken by their shortest repr
    ((-0.04, 1), "0,0"),  # no negative zero
    ((10**15, 0), "1.000.000.000.000.000"),
    ((Decimal("12345678901234567890123456789.5"), 1), "12.345.678.901.234.567.890.123.456.789,5"),
    ((0.5, 0), "1"),
]


@pytest.mark.parametrize(("args", "expected"), NUMBER_FORMATS)
def test_format_number(args: tuple[float | int | Decimal, int], expected: str) -> None:
    assert format_number(*args) == expected


def test_format_number_default_decimals() -> None:
    assert format_number(1234.4) == "1.234"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN")])
def test_format_number_rejects_non_finite(value: float | Decimal) -> None:
    with pytest.raises(ValueError, match="không hữu hạn"):
        format_number(value)


@pytest.mark.parametrize("value", ["1", None, True])
def test_format_number_rejects_non_numbers(value: object) -> None:
    with pytest.raises(TypeError):
        format_number(value)  # type: ignore[arg-type]


def test_format_number_rejects_negative_decimals() -> None:
    with pytest.raises(ValueError):
        format_number(1, -1)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (23500, "23.500 ₫"),
        (-23500, "-23.500 ₫"),
        (0, "0 ₫"),
        (500, "500 ₫"),
        (1_234_567, "1.234.567 ₫"),
    ],
)
def test_format_vnd(n: int, expected: str) -> None:
    assert format_vnd(n) == expected


def test_format_vnd_uses_ordinary_space() -> None:
    text = format_vnd(23500)
    assert text[-2] == " "
    assert NBSP not in text and NNBSP not in text


@pytest.mark.parametrize("value", [23500.0, "23500", True])
def test_format_vnd_rejects_non_int(value: object) -> None:
    with pytest.raises(TypeError):
        format_vnd(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0.125,), "12,5%"),
        ((0.125, 0), "13%"),
        ((0.03,), "3,0%"),
        ((-0.03,), "-3,0%"),
        ((1.0,), "100,0%"),
        ((12.5,), "1.250,0%"),
        ((0,), "0,0%"),
        ((0.145,), "14,5%"),  # not 14,4% from float error in 0.145 * 100
        ((0.0125,), "1,3%"),
        ((Decimal("0.12345"), 2), "12,35%"),
    ],
)
def test_format_percent(args: tuple[float, ...], expected: str) -> None:
    assert format_percent(*args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0.125,), "tăng 12,5%"),
        ((-0.03,), "giảm 3,0%"),
        ((0,), "không đổi"),
        ((0.0,), "không đổi"),
        ((-0.0,), "không đổi"),
        ((0.0004,), "không đổi"),  # rounds to 0,0%
        ((-0.0004,), "không đổi"),
        ((0.0005,), "tăng 0,1%"),
        ((0.5, 0), "tăng 50%"),
        ((-1.0, 2), "giảm 100,00%"),
        ((2.0,), "tăng 200,0%"),
    ],
)
def test_format_change(args: tuple[float, ...], expected: str) -> None:
    assert format_change(*args) == expected


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (1500, "tăng 1.500 ₫"),
        (-2000, "giảm 2.000 ₫"),
        (0, "không đổi"),
        (1, "tăng 1 ₫"),
        (-1_234_567, "giảm 1.234.567 ₫"),
    ],
)
def test_format_change_vnd(delta: int, expected: str) -> None:
    assert format_change_vnd(delta) == expected


@pytest.mark.parametrize(("n", "expected"), [(0, "00"), (9, "09"), (12, "12"), (123, "123")])
def test_format_count2(n: int, expected: str) -> None:
    assert format_count2(n) == expected


def test_format_count2_rejects_negative() -> None:
    with pytest.raises(ValueError, match="âm"):
        format_count2(-1)


def test_format_date() -> None:
    assert format_date(dt.date(2026, 3, 5)) == "05/03/2026"
    assert format_date(dt.date(987, 1, 2)) == "02/01/0987"


def test_format_date_converts_aware_datetime() -> None:
    late_utc = dt.datetime(2026, 3, 5, 20, 0, tzinfo=dt.UTC)
    assert format_date(late_utc) == "06/03/2026"
    assert format_date(dt.datetime(2026, 3, 5, 20, 0)) == "05/03/2026"


def test_format_datetime_converts_to_vietnam_time() -> None:
    assert format_datetime(dt.datetime(2026, 3, 5, 1, 7, tzinfo=dt.UTC)) == "05/03/2026 08:07"
    assert format_datetime(dt.datetime(2026, 3, 5, 20, 30, tzinfo=dt.UTC)) == "06/03/2026 03:30"
    plus9 = dt.timezone(dt.timedelta(hours=9))
    assert format_datetime(dt.datetime(2026, 1, 1, 0, 0, tzinfo=plus9)) == "31/12/2025 22:00"


def test_format_datetime_naive_is_local() -> None:
    assert format_datetime(dt.datetime(2026, 3, 5, 9, 5, 59)) == "05/03/2026 09:05"


def test_format_datetime_rejects_date() -> None:
    with pytest.raises(TypeError):
        format_datetime(dt.date(2026, 3, 5))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Thịt   lợn  ", "Thịt lợn"),
        (f"Thịt{NBSP}lợn", "Thịt lợn"),
        (f"Thịt{NNBSP}{THIN}\t\nlợn", "Thịt lợn"),
        ("Thịt\u200blợn", "Thịtlợn"),
        (unicodedata.normalize("NFD", "Gạo tẻ"), "Gạo tẻ"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    result = normalize_text(text)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hoà", "Hòa"),
        ("Thuỷ", "Thủy"),
        ("hoá", "hóa"),
        ("Khoẻ", "Khỏe"),
        ("HOÀ", "hòa"),
        ("Thanh Hoá", "thanh hóa"),
        ("Khánh Hoà,", "khánh hòa,"),
        ("hoạ sĩ", "họa sĩ"),
        ("loã", "lõa"),
        ("Thuý", "Thúy"),
        ("huỵ", "hụy"),
        ("toả sáng", "tỏa sáng"),
        ("  Hoà  Bình ", "hòa bình"),
        (unicodedata.normalize("NFD", "Hoà"), "Hòa"),
        (unicodedata.normalize("NFD", "Thuỷ"), unicodedata.normalize("NFD", "Thủy")),
    ],
)
def test_fold_key_equal(a: str, b: str) -> None:
    assert fold_key(a) == fold_key(b)


@pytest.mark.parametrize(
    "word",
    ["Hoàng", "Thuyền", "Quyết", "quý", "Quỳnh", "ngoài", "xoáy", "khuỷu", "khuya", "toán", "hoàn"],
)
def test_fold_key_keeps_tone_inside_syllable(word: str) -> None:
    assert fold_key(word) == word.casefold()


@pytest.mark.parametrize(
    ("a", "b"),
    [("Hòa", "Hoa"), ("Hoàng", "Hòang"), ("quý", "qúy"), ("Thủy", "Thuy"), ("đường", "duong")],
)
def test_fold_key_different(a: str, b: str) -> None:
    assert fold_key(a) != fold_key(b)


def test_fold_key_canonical_form() -> None:
    assert fold_key("Thanh Hoá") == "thanh hóa"
    assert fold_key("Thuỷ") == "thủy"
    assert unicodedata.is_normalized("NFC", fold_key(unicodedata.normalize("NFD", "Khoẻ")))


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

VIETNAMESE_ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠÒÓỎÕỌÙÚỦŨỤỲÝỶỸỴ"
    " \u00a0\u202f\u2009\t,.-"
)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_parse_vnd_round_trips_format_vnd(n: int) -> None:
    assert parse_vnd(format_vnd(n)) == n


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_parse_vnd_reads_plain_and_space_grouped(n: int) -> None:
    assert parse_vnd(str(n)) == n
    assert parse_vnd(format_number(n).replace(".", NBSP)) == n
    assert parse_vnd(format_number(n, 2)) == n


@given(
    st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=3
    )
)
def test_parse_decimal_vn_round_trips_format_number(x: Decimal) -> None:
    with localcontext(rounding=ROUND_HALF_UP):
        expected = round(x, 1)
    assert parse_decimal_vn(format_number(x, 1)) == expected


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_parse_decimal_vn_round_trips_float(x: float) -> None:
    expected = Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert parse_decimal_vn(format_number(x, 2)) == expected


@given(st.text())
def test_fold_key_idempotent(s: str) -> None:
    assert fold_key(fold_key(s)) == fold_key(s)


@given(st.text(alphabet=VIETNAMESE_ALPHABET))
def test_fold_key_idempotent_vietnamese(s: str) -> None:
    assert fold_key(fold_key(s)) == fold_key(s)


@given(st.text())
def test_fold_key_ignores_normalization_form(s: str) -> None:
    assert fold_key(unicodedata.normalize("NFD", s)) == fold_key(s)


@given(st.text(alphabet=VIETNAMESE_ALPHABET))
def test_fold_key_ignores_normalization_form_vietnamese(s: str) -> None:
    assert fold_key(unicodedata.normalize("NFD", s)) == fold_key(s)
    assert fold_key(s.upper()) == fold_key(s.lower())


@given(st.text())
def test_normalize_text_idempotent(s: str) -> None:
    assert normalize_text(normalize_text(s)) == normalize_text(s)
