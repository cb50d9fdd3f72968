"""Units and pack sizes: "kg", "lít", "10 quả", "hộp 900 g", "túi 5kg", "6 x 330ml" as measures.

A measure is a dimension (mass in grams, volume in millilitres, or a count of pieces) and a quantity
in that dimension's base unit. A price per one measure converts to a price per another of the same
dimension by the ratio of their quantities.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Dimension = Literal["mass", "volume", "count"]

# Unit words (folded: lower case, NFC) -> (dimension, base units per one).
UNIT_WORDS: dict[str, tuple[Dimension, Decimal]] = {
    "g": ("mass", Decimal(1)),
    "gr": ("mass", Decimal(1)),
    "gam": ("mass", Decimal(1)),
    "gram": ("mass", Decimal(1)),
    "kg": ("mass", Decimal(1000)),
    "ký": ("mass", Decimal(1000)),
    "kí": ("mass", Decimal(1000)),
    "kilogram": ("mass", Decimal(1000)),
    "lạng": ("mass", Decimal(100)),
    "yến": ("mass", Decimal(10000)),
    "tạ": ("mass", Decimal(100000)),
    "tấn": ("mass", Decimal(1000000)),
    "ml": ("volume", Decimal(1)),
    "l": ("volume", Decimal(1000)),
    "lít": ("volume", Decimal(1000)),
    "lit": ("volume", Decimal(1000)),
    "lí": ("volume", Decimal(1000)),
    "m3": ("volume", Decimal(1000000)),
    "quả": ("count", Decimal(1)),
    "trái": ("count", Decimal(1)),
    "trứng": ("count", Decimal(1)),
    "chục": ("count", Decimal(10)),
    "cái": ("count", Decimal(1)),
    "chiếc": ("count", Decimal(1)),
    "cuốn": ("count", Decimal(1)),
    "quyển": ("count", Decimal(1)),
    "tờ": ("count", Decimal(1)),
    "ram": ("count", Decimal(1)),
}

# "1.000" is a thousand (Vietnamese grouping); "1,5" and "1.5" are one and a half.
_NUMBER = r"\d{1,3}(?:\.\d{3})+(?![\d.,])|\d+(?:[.,]\d+)?"
_UNIT_ALT = "|".join(sorted((re.escape(w) for w in UNIT_WORDS), key=len, reverse=True))
# "6 x 330ml", "2x500 g"
_MULTI = re.compile(rf"(?<![\w.,])(\d+)\s*[x×*]\s*({_NUMBER})\s*({_UNIT_ALT})(?!\w)")
# "900 g", "5kg", "1,5 lít", "10 quả"
_QTY_UNIT = re.compile(rf"(?<![\w.,])({_NUMBER})\s*({_UNIT_ALT})(?!\w)")
# a bare unit word: "kg", "lít", "quả"
_BARE_UNIT = re.compile(rf"(?<!\w)({_UNIT_ALT})(?!\w)")


@dataclass(frozen=True)
class Measure:
    """A quantity of one dimension, in base units (g, ml or pieces)."""

    dimension: Dimension
    quantity: Decimal

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} {_BASE_NAME[self.dimension]}"


_BASE_NAME: dict[str, str] = {"mass": "g", "volume": "ml", "count": "quả"}


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _number(text: str) -> Decimal:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return Decimal(text.replace(".", ""))
    return Decimal(text.replace(",", "."))


def parse_measure(text: str) -> Measure | None:
    """The measure a unit or pack text names ("hộp 900 g" -> 900 g), or None if it names none."""
    folded = _fold(text)
    if not folded:
        return None
    multi = _MULTI.search(folded)
    if multi:
        count, qty, word = multi.groups()
        dim, per = UNIT_WORDS[word]
        return Measure(dim, Decimal(count) * _number(qty) * per)
    found = _QTY_UNIT.search(folded)
    if found:
        qty, word = found.groups()
        dim, per = UNIT_WORDS[word]
        value = _number(qty) * per
        return Measure(dim, value) if value > 0 else None
    bare = _BARE_UNIT.search(folded)
    if bare:
        dim, per = UNIT_WORDS[bare.group(1)]
        return Measure(dim, per)
    return None


class UnitMismatch(ValueError):
    """The two measures cannot be converted into each other."""


def conversion_factor(from_measure: Measure, to_measure: Measure) -> Decimal:
    """Multiply a price per from_measure by this to get the price per to_measure."""
    if from_measure.dimension != to_measure.dimension:
        raise UnitMismatch(f"không quy đổi được {from_measure} sang {to_measure}")
    return to_measure.quantity / from_measure.quantity


def convert_price(price_vnd: int, from_measure: Measure, to_measure: Measure) -> int:
    """price_vnd per from_measure, as whole đồng per to_measure (rounded half up)."""
    value = Decimal(price_vnd) * conversion_factor(from_measure, to_measure)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
