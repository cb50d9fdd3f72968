"""Parse and format numbers, money, dates and text the way Vietnamese users write them.

Conventions (all output is exact and covered by tests/unit/test_formatting.py):

* Numbers: dot groups thousands, comma marks decimals: ``1.234,5``; minus is ASCII ``-``.
* Money: whole đồng only, one ordinary space (U+0020) before the sign: ``23.500 ₫``.
* Rounding: ROUND_HALF_UP on the decimal value as written (``2,25`` -> ``2,3``), as in
  Vietnamese statistical reports and spreadsheets; floats are taken by their shortest repr.
* Dates: ``dd/mm/yyyy``; times ``dd/mm/yyyy HH:MM`` in Asia/Ho_Chi_Minh.

Parse errors are ``ValueError`` with a Vietnamese message naming the value; wrong argument
types (a programming error, not bad data) are ``TypeError``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext
from numbers import Integral

from babel.numbers import format_decimal as _babel_format_decimal

__all__ = [
    "CURRENCY_SIGN",
    "CURRENCY_SPACE",
    "VN_TZ",
    "fold_key",
    "format_change",
    "format_change_vnd",
    "format_count2",
    "format_date",
    "format_datetime",
    "format_number",
    "format_percent",
    "format_vnd",
    "normalize_text",
    "parse_date_vn",
    "parse_decimal_vn",
    "parse_vnd",
]

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    VN_TZ: dt.tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # pragma: no cover - tzdata is a dependency
    # Vietnam has kept UTC+7 without daylight saving since 1975.
    VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

_LOCALE = "vi_VN"
CURRENCY_SIGN = "₫"
# One ordinary space between amount and currency sign (not NBSP, which Babel would use).
CURRENCY_SPACE = " "

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_MINUS_SIGNS = ("-", "\u2212")  # ASCII hyphen-minus and U+2212 MINUS SIGN
# Currency words accepted before or after a price, compared casefolded; longest first.
_CURRENCY_WORDS = ("vnđ", "vnd", "đồng", "₫", "đ")
_SHORTHAND_RE = re.compile(
    r"[0-9][0-9., ]*\s*(?:k|nghìn|nghin|ngàn|ngan|tr|triệu|trieu|tỷ|tỉ|ty|ti)\.?",
)
_NUMBER_CHARS_RE = re.compile(r"[0-9., ]+")
_DIGITS_RE = re.compile(r"[0-9]+")

_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_VN_DATE_RE = re.compile(r"([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]{4})")

# Vietnamese tone marks as combining characters (NFD).
_TONES = "\u0300\u0301\u0303\u0309\u0323"
# Old-style tone placement: the tone sits on the second vowel of oa/oe/uy when that vowel
# ends the syllable ("hoà", "khoẻ", "thuỷ"); canonical form puts it on the first vowel.
# "qu" + y is excluded: there u belongs to the consonant ("quý" is right in both styles).
_OLD_TONE_RE = re.compile(
    rf"(?:(o)([ae])|(?<!q)(u)(y))([{_TONES}])(?![^\W\d_])(?![\u0300-\u036f])",
)


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------


def normalize_text(s: str) -> str:
    """Return ``s`` in NFC with zero-width characters removed and whitespace runs collapsed."""
    if not isinstance(s, str):
        raise TypeError(f"normalize_text expects str, got {type(s).__name__}")
    s = unicodedata.normalize("NFC", s).translate(_ZERO_WIDTH)
    # str.split() splits on every Unicode whitespace, including NBSP, U+202F and thin spaces.
    return unicodedata.normalize("NFC", " ".join(s.split()))


def _move_tone(match: re.Match[str]) -> str:
    """Rewrite one old-style oa/oe/uy match with the tone on the first vowel."""
    first, second = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return first + match.group(5) + second


def fold_key(s: str) -> str:
    """Return a caseless comparison key that also equates old- and new-style tone placement."""
    text = unicodedata.normalize("NFD", normalize_text(s))
    text = unicodedata.normalize("NFD", text.casefold())
    text = _OLD_TONE_RE.sub(_move_tone, text)
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _is_thousands_grouped(part: str, sep: str) -> bool:
    """Tell whether ``part`` is digits grouped by ``sep`` in threes, e.g. ``1.234.567``."""
    return re.fullmatch(rf"[1-9][0-9]{{0,2}}(?:{re.escape(sep)}[0-9]{{3}})+", part) is not None


def _split_sign(body: str) -> tuple[bool, str]:
    """Split a leading minus sign off ``body``."""
    if body.startswith(_MINUS_SIGNS):
        return True, body[1:]
    return False, body


def _strip_currency(key: str) -> str:
    """Remove one currency word before or after the amount in a casefolded price."""
    for word in _CURRENCY_WORDS:
        if key.endswith(word):
            return key[: -len(word)].strip()
        if key.startswith(word):
            return key[len(word) :].strip()
    return key


def _vnd_from_number(value: object) -> int:
    """Convert a numeric (non-text) price to whole đồng."""
    if isinstance(value, bool):
        raise ValueError(f"giá không phải là số: {value!r}")
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"giá không phải là số hữu hạn: {value!r}")
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"giá không phải là số hữu hạn: {value!r}")
        if value != int(value):
            raise ValueError(f"giá có phần lẻ đồng: {value!r}")
        return int(value)
    raise TypeError(f"parse_vnd expects str, int or float, got {type(value).__name__}")


def parse_vnd(text: str | int | float) -> int:
    """Parse a price in đồng (``23.500 ₫``, ``23500``, ``23,500``...) to an int."""
    if text is None:
        raise ValueError("giá trống")
    if not isinstance(text, str):
        return _vnd_from_number(text)

    shown = text.strip()
    s = normalize_text(text)
    if not s:
        raise ValueError("giá trống")
    key = _strip_currency(s.casefold())
    if not key:
        raise ValueError(f"giá không phải là số: {shown!r}")
    negative, body = _split_sign(key)
    if _SHORTHAND_RE.fullmatch(body):
        raise ValueError(f"giá không được viết tắt: {shown!r} (hãy ghi đầy đủ, ví dụ 23.000)")
    if any(sign in body for sign in _MINUS_SIGNS):
        raise ValueError(f"dấu trừ chỉ được đặt ở đầu giá: {shown!r}")
    if not _NUMBER_CHARS_RE.fullmatch(body) or not body[0].isdigit():
        raise ValueError(f"giá không phải là số: {shown!r}")

    ambiguous = ValueError(f"giá có dấu phân cách không rõ ràng: {shown!r} (hãy viết 23.500 hoặc 23500)")
    seps = set(body) & {".", ",", " "}
    fraction: str | None = None
    if not seps:
        whole = body
    elif seps == {","}:
        if _is_thousands_grouped(body, ","):
            whole = body.replace(",", "")
        elif body.count(",") == 1:
            whole, fraction = body.split(",")
        else:
            raise ambiguous
    else:
        # Dots or spaces group thousands; a comma after them can only be the decimal mark.
        whole = body
        if "," in body:
            whole, fraction = body.rsplit(",", 1)
        group_seps = set(whole) & {".", ",", " "}
        if len(group_seps) != 1:
            raise ambiguous
        sep = group_seps.pop()
        if sep == "," or not _is_thousands_grouped(whole, sep):
            raise ambiguous
        whole = whole.replace(sep, "")
    if not _DIGITS_RE.fullmatch(whole) or (fraction is not None and not _DIGITS_RE.fullmatch(fraction)):
        raise ambiguous
    if fraction is not None and fraction.strip("0"):
        raise ValueError(f"giá có phần lẻ đồng: {shown!r}")
    value = int(whole)
    return -value if negative else value


def parse_decimal_vn(text: str) -> Decimal:
    """Parse a Vietnamese-style decimal (``1.234,5``, ``12,5``, ``1.234``, ``12.5``) to a Decimal."""
    if not isinstance(text, str):
        raise TypeError(f"parse_decimal_vn expects str, got {type(text).__name__}")
    shown = text.strip()
    s = normalize_text(text)
    if not s:
        raise ValueError("số trống")
    negative, body = _split_sign(s)
    if not _NUMBER_CHARS_RE.fullmatch(body) or not body[0].isdigit() or not body[-1].isdigit():
        raise ValueError(f"không phải là số: {shown!r}")

    ambiguous = ValueError(f"số có dấu phân cách không rõ ràng: {shown!r} (ví dụ đúng: 1.234,5)")
    if "," in body:
        whole, fraction = body.split(",", 1)
        if not _DIGITS_RE.fullmatch(fraction):
            raise ambiguous
        group_seps = set(whole) & {".", " "}
        if len(group_seps) > 1:
            raise ambiguous
        if group_seps:
            sep = group_seps.pop()
            if not _is_thousands_grouped(whole, sep):
                raise ambiguous
            whole = whole.replace(sep, "")
    elif " " in body:
        if "." in body or not _is_thousands_grouped(body, " "):
            raise ambiguous
        whole, fraction = body.replace(" ", ""), ""
    elif body.count(".") > 1 or _is_thousands_grouped(body, "."):
        # A dot followed by exactly three digits in valid groups is a thousands separator.
        if not _is_thousands_grouped(body, "."):
            raise ambiguous
        whole, fraction = body.replace(".", ""), ""
    elif "." in body:
        whole, fraction = body.split(".")
    else:
        whole, fraction = body, ""
    if not _DIGITS_RE.fullmatch(whole) or (fraction and not _DIGITS_RE.fullmatch(fraction)):
        raise ambiguous
    value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    return -value if negative else value


def parse_date_vn(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` or ``dd/mm/yyyy`` (also ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``)."""
    if not isinstance(text, str):
        raise TypeError(f"parse_date_vn expects str, got {type(text).__name__}")
    s = normalize_text(text)
    error = ValueError(f"ngày không hợp lệ: {text.strip()!r} (dùng YYYY-MM-DD hoặc dd/mm/yyyy)")
    if not s:
        raise ValueError("ngày trống (dùng YYYY-MM-DD hoặc dd/mm/yyyy)")
    if m := _ISO_DATE_RE.fullmatch(s):
        year, month, day = (int(g) for g in m.groups())
    elif m := _VN_DATE_RE.fullmatch(s):
        day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    else:
        raise error
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise error from None


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def _to_decimal(x: object, what: str) -> Decimal:
    """Convert a finite int, float or Decimal to Decimal (floats by their shortest repr)."""
    if isinstance(x, bool) or not isinstance(x, Integral | float | Decimal):
        raise TypeError(f"{what} expects a number, got {type(x).__name__}")
    d = Decimal(repr(x)) if isinstance(x, float) else Decimal(int(x)) if isinstance(x, Integral) else x
    if not d.is_finite():
        raise ValueError(f"không định dạng được số không hữu hạn: {x!r}")
    return d


def _round(d: Decimal, decimals: int) -> Decimal:
    """Round half-up to ``decimals`` places, without a negative zero."""
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"số chữ số thập phân không hợp lệ: {decimals!r}")
    with localcontext() as ctx:
        ctx.prec = max(28, d.adjusted() + decimals + 3)
        q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q.is_zero() else q


def _format_rounded(q: Decimal, decimals: int) -> str:
    """Format an already rounded Decimal with vi_VN separators."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with localcontext() as ctx:
        ctx.prec = max(28, q.adjusted() + decimals + 3)
        text: str = _babel_format_decimal(q, format=pattern, locale=_LOCALE)
    return text


def format_number(x: int | float | Decimal, decimals: int = 0) -> str:
    """Format ``x`` with dot thousands and comma decimals: ``1234.5, 1`` -> ``1.234,5``."""
    return _format_rounded(_round(_to_decimal(x, "format_number"), decimals), decimals)


def format_vnd(n: int) -> str:
    """Format whole đồng as ``23.500 ₫`` (ordinary space U+0020 before ₫)."""
    if isinstance(n, bool) or not isinstance(n, Integral):
        raise TypeError(f"format_vnd expects int, got {type(n).__name__}")
    return f"{format_number(int(n))}{CURRENCY_SPACE}{CURRENCY_SIGN}"


def _percent_points(x: float | Decimal, decimals: int, what: str) -> Decimal:
    """Turn a fraction into rounded percentage points."""
    return _round(_to_decimal(x, what) * 100, decimals)


def format_percent(x: float | Decimal, decimals: int = 1) -> str:
    """Format a fraction as a percentage: ``0.125`` -> ``12,5%``."""
    return _format_rounded(_percent_points(x, decimals, "format_percent"), decimals) + "%"


def format_change(x: float | Decimal, decimals: int = 1) -> str:
    """Describe a relative change in words: ``tăng 12,5%``, ``giảm 3,0%``, ``không đổi``.

    A change that rounds to zero at ``decimals`` places is ``không đổi``.
    """
    points = _percent_points(x, decimals, "format_change")
    if points.is_zero():
        return "không đổi"
    word = "tăng" if points > 0 else "giảm"
    return f"{word} {_format_rounded(points.copy_abs(), decimals)}%"


def format_change_vnd(delta: int) -> str:
    """Describe a price change in words: ``tăng 1.500 ₫``, ``giảm 2.000 ₫``, ``không đổi``."""
    if isinstance(delta, bool) or not isinstance(delta, Integral):
        raise TypeError(f"format_change_vnd expects int, got {type(delta).__name__}")
    if delta == 0:
        return "không đổi"
    return f"{'tăng' if delta > 0 else 'giảm'} {format_vnd(abs(int(delta)))}"


def format_count2(n: int) -> str:
    """Zero-pad a count to at least two digits, as in official reports: ``9`` -> ``09``."""
    if isinstance(n, bool) or not isinstance(n, Integral):
        raise TypeError(f"format_count2 expects int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"số đếm không được âm: {n}")
    return f"{int(n):02d}"


def _to_local(value: dt.datetime) -> dt.datetime:
    """Convert an aware datetime to Vietnam time; a naive one is taken as already local."""
    return value.astimezone(VN_TZ) if value.tzinfo is not None and value.utcoffset() is not None else value


def format_date(d: dt.date) -> str:
    """Format a date as ``dd/mm/yyyy`` (an aware datetime is first converted to Vietnam time)."""
    if isinstance(d, dt.datetime):
        d = _to_local(d)
    elif not isinstance(d, dt.date):
        raise TypeError(f"format_date expects date, got {type(d).__name__}")
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_datetime(value: dt.datetime) -> str:
    """Format as ``dd/mm/yyyy HH:MM`` in Asia/Ho_Chi_Minh; naive values are taken as already local."""
    if not isinstance(value, dt.datetime):
        raise TypeError(f"format_datetime expects datetime, got {type(value).__name__}")
    local = _to_local(value)
    return f"{format_date(local.date())} {local.hour:02d}:{local.minute:02d}"
