"""Product → commodity mapping: configurable rules, pack sizes, conversion to the commodity's unit.

A web-shop product ("Ba rọi heo 1kg", "Gạo ST25 túi 5kg", "Trứng gà hộp 10 quả") is mapped to a
commodity code of config/commodities.yaml by the rules of config/product_mapping.yaml, and its pack
size is read so that its price converts to the commodity's unit (per kg, per lít, per 10 quả…).
Nothing is guessed: a product that no rule places, that several rules place, or whose pack size is
missing, variable ("từ 700g trở lên") or contradictory is returned as `Unmapped` with the reason,
and is kept for review with its raw name.

Matching works on a folded form of the name: NFC, case-folded, old/new tone placement equated,
punctuation as spaces, and letters split from digits ("E10RON95-III" → "e 10 ron 95 iii",
"ST25" → "st 25"), so composed/decomposed text, separators and spacing do not matter.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from binhon.catalog import CommodityCatalog, config_path, load_commodities, load_yaml_model
from binhon.formatting import fold_key, normalize_text
from binhon.units import UNIT_WORDS, Measure, UnitMismatch, conversion_factor, convert_price

Scope = Literal["grocery", "fuel", "any"]

# --- configuration ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    """One mapping rule: which product names are this commodity."""

    commodity: str
    scope: Scope = "grocery"
    head: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    bare_count: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _has_positive(self) -> RuleSpec:
        if not (self.head or self.any or self.all):
            raise ValueError("một quy tắc cần ít nhất một trong head, any, all")
        return self


class OverrideSpec(_Strict):
    """A reviewed decision for one exact product name (from the review of unmapped products)."""

    name: str = Field(min_length=1)
    spider: str | None = None
    commodity: str | None = None
    pack: str | None = None
    ignore: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> OverrideSpec:
        if self.ignore == bool(self.commodity):
            raise ValueError("ghi commodity (và pack nếu cần) hoặc ignore: true, không cả hai")
        return self


class MappingConfig(_Strict):
    """The whole config/product_mapping.yaml file."""

    brand_prefixes: tuple[str, ...] = ()
    pack_words: tuple[str, ...] = (
        "thùng",
        "lốc",
        "combo",
        "bộ",
        "set",
        "hộp",
        "túi",
        "gói",
        "vỉ",
        "khay",
        "bịch",
    )
    container_words: tuple[str, ...] = (
        "hộp",
        "chai",
        "gói",
        "lon",
        "túi",
        "bịch",
        "cây",
        "hũ",
        "lọ",
        "vỉ",
        "khay",
    )
    approx_before: tuple[str, ...] = ("khoảng", "từ", "tối thiểu", "ít nhất", "~", "±")
    approx_after: tuple[str, ...] = ("trở lên", "trở xuống", "±")
    rules: tuple[RuleSpec, ...]
    overrides: tuple[OverrideSpec, ...] = ()


def load_mapping_config(config_dir: Path | None = None) -> MappingConfig:
    """The mapping rules (config/product_mapping.yaml), checked against the commodity catalogue."""
    cfg = load_yaml_model(config_path("product_mapping.yaml", config_dir), MappingConfig)
    catalog = load_commodities(config_dir)
    codes = {c.code for c in catalog.commodities}
    from binhon.errors import ConfigError

    for i, rule in enumerate(cfg.rules):
        if rule.commodity not in codes:
            raise ConfigError(
                config_path("product_mapping.yaml", config_dir),
                f"rules[{i}].commodity",
                f"mã '{rule.commodity}' không có trong commodities.yaml",
            )
    for i, ov in enumerate(cfg.overrides):
        if ov.commodity and ov.commodity not in codes:
            raise ConfigError(
                config_path("product_mapping.yaml", config_dir),
                f"overrides[{i}].commodity",
                f"mã '{ov.commodity}' không có trong commodities.yaml",
            )
    return cfg


# --- text normalisation -------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")
_LETTER_DIGIT = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


def tokens(text: str) -> str:
    """The folded, space-separated token string used for matching.

    "Xăng E10RON95-III" → "xăng e 10 ron 95 iii".
    """
    folded = fold_key(text)
    folded = _NON_WORD.sub(" ", folded)
    folded = _LETTER_DIGIT.sub(" ", folded)
    return " ".join(folded.split())


def _has(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


def _starts(text: str, phrase: str) -> bool:
    return f"{text} ".startswith(f"{phrase} ")


# --- pack sizes ----------------------------------------------------------------------------------------

_UNIT_ALT = "|".join(sorted((re.escape(w) for w in (*UNIT_WORDS, "lit")), key=len, reverse=True))
_NUM = r"\d+(?:[.,]\d+)?"
# "6 x 330ml", "4*70g", "2x500 g"
_MULTI_BEFORE = re.compile(rf"(?<![\w.,])(\d+)\s*[x×*]\s*({_NUM})\s*({_UNIT_ALT})(?![^\W\d_])")
# "35gr x 5 cây", "15g*4"
_MULTI_AFTER = re.compile(rf"(?<![\w.,])({_NUM})\s*({_UNIT_ALT})\s*[x×*]\s*(\d+)(?!\d)")
_QTY = re.compile(rf"(?<![\w.,])({_NUM})\s*({_UNIT_ALT})(?![^\W\d_])")
# "180g-210g", "0,8-1.2kg", "600 - 700 g"
_RANGE = re.compile(rf"(?<![\w.,])({_NUM})\s*({_UNIT_ALT})?\s*[-–~]\s*({_NUM})\s*({_UNIT_ALT})(?![^\W\d_])")


def _number(text: str) -> Decimal:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return Decimal(text.replace(".", ""))
    return Decimal(text.replace(",", "."))


def _measure(qty: Decimal, word: str) -> Measure | None:
    word = "lít" if word == "lit" else word
    if word not in UNIT_WORDS:
        return None
    dim, per = UNIT_WORDS[word]
    value = qty * per
    return Measure(dim, value) if value > 0 else None


def _prepare(text: str) -> str:
    """NFC, case-folded, a space between a word and a following number ("chai750ml" → "chai 750ml")."""
    folded = unicodedata.normalize("NFC", normalize_text(text)).casefold()
    return re.sub(r"(?<=[^\W\d_])(?=\d)", " ", folded)


@dataclass(frozen=True)
class PackReading:
    """The pack size read from a product, or why none could be."""

    measure: Measure | None
    text: str = ""
    problem: str | None = None


def read_pack(
    name: str,
    *,
    dimension: str,
    cfg: MappingConfig,
    bare_count: bool = False,
    explicit: str = "",
    unit_hint: str = "",
) -> PackReading:
    """The pack size of a product in the given dimension (mass, volume, count), never guessed.

    ``explicit`` is a pack decided by review (overrides) or implied by the source (a litre of fuel);
    ``unit_hint`` is the site's selling unit: a bare measure ("Kg": sold by weight) wins over the
    name, a counted pack ("Gói 4", "Lốc 6") multiplies the single measure the name gives.
    """
    from binhon.units import parse_measure

    if explicit:
        m = parse_measure(explicit)
        if m is not None and m.dimension == dimension:
            return PackReading(m, explicit)
    hint = _prepare(unit_hint).strip()
    hint_count: int | None = None
    if hint:
        if re.fullmatch(rf"(?:{_NUM}\s*)?(?:{_UNIT_ALT})", hint):
            m = parse_measure(hint)
            if m is not None and m.dimension == dimension:
                return PackReading(m, unit_hint.strip())
        counted = re.fullmatch(r"[^\W\d_]+(?:[ ,]+[^\W\d_]+)*\s+(\d+)", hint)
        if counted and int(counted.group(1)) > 1:
            hint_count = int(counted.group(1))
    text = _prepare(name)
    found: list[tuple[Measure, str]] = []
    spans: list[tuple[int, int]] = []

    def overlaps(a: int, b: int) -> bool:
        return any(a < y and x < b for x, y in spans)

    for m in _RANGE.finditer(text):
        unit = m.group(4)
        lo = _measure(_number(m.group(1)), m.group(2) or unit)
        if lo is not None and lo.dimension == dimension:
            return PackReading(None, m.group(0), f"quy cách không cố định: '{m.group(0)}'")
        spans.append(m.span())
    for m in _MULTI_BEFORE.finditer(text):
        one = _measure(_number(m.group(2)), m.group(3))
        if one is not None:
            found.append((Measure(one.dimension, one.quantity * int(m.group(1))), m.group(0)))
            spans.append(m.span())
    for m in _MULTI_AFTER.finditer(text):
        if overlaps(*m.span()):
            continue
        one = _measure(_number(m.group(1)), m.group(2))
        if one is not None:
            found.append((Measure(one.dimension, one.quantity * int(m.group(3))), m.group(0)))
            spans.append(m.span())
    singles: list[tuple[Measure, str, int, int]] = []
    for m in _QTY.finditer(text):
        if overlaps(*m.span()):
            continue
        one = _measure(_number(m.group(1)), m.group(2))
        if one is not None:
            singles.append((one, m.group(0), *m.span()))
    if bare_count and dimension == "count":
        words = "|".join(re.escape(w) for w in cfg.container_words + ("giỏ",))
        for m in re.finditer(rf"(?<!\w)(?:{words})\s*(\d+)(?!\d)(?!\s*(?:{_UNIT_ALT})(?![^\W\d_]))", text):
            singles.append((Measure("count", Decimal(m.group(1))), m.group(0), *m.span()))
    relevant = [s for s in singles if s[0].dimension == dimension]
    for _m, shown, start, end in relevant:  # noqa: B007
        before = text[max(0, start - 14) : start]
        after = text[end : end + 12]
        vague = any(re.search(rf"(?<!\w){re.escape(w)}\s*$", before) for w in cfg.approx_before) or any(
            re.match(rf"\s*{re.escape(w)}(?!\w)", after) for w in cfg.approx_after
        )
        if vague:
            return PackReading(None, shown, f"quy cách không cố định: '{(before + shown + after).strip()}'")
    multiplier = _leading_count(text, cfg) or hint_count
    if multiplier and not any(f[0].dimension == dimension for f in found):
        relevant = [
            (Measure(m.dimension, m.quantity * multiplier), f"{multiplier} × {s}", a, b)
            for m, s, a, b in relevant
        ]
    candidates = [(m, s) for m, s in found if m.dimension == dimension] + [
        (m, s) for m, s, _a, _b in relevant
    ]
    distinct = {m.quantity for m, _s in candidates}
    if len(distinct) == 1:
        measure, shown = candidates[0]
        return PackReading(measure, shown)
    if len(distinct) > 1:
        shown = ", ".join(dict.fromkeys(s for _m, s in candidates))
        return PackReading(None, shown, f"nhiều quy cách khác nhau trong tên: {shown}")
    return PackReading(None, "", None)


def _leading_count(text: str, cfg: MappingConfig) -> int | None:
    """N of a multipack: "thùng 48 hộp …", "… lốc 4 hộp x 180ml", "combo 2 hộp …", "2 hộp …"."""
    packs = "|".join(re.escape(w) for w in cfg.pack_words)
    containers = "|".join(re.escape(w) for w in cfg.container_words)
    m = (
        re.match(rf"\s*(?:(?:{packs})\s+)?(\d+)\s+(?:{containers})(?!\w)", text)
        or re.search(rf"(?<!\w)(?:{packs})\s+(\d+)\s+(?:{containers})(?!\w)", text)
        or re.search(rf"(?<![\w.,])(\d+)\s+(?:{containers})\s*[x×*]", text)
    )
    if m and int(m.group(1)) > 1:
        return int(m.group(1))
    return None


def format_measure(m: Measure) -> str:
    """A measure as unit text the ingest path reads back: "5 kg", "850 g", "1,5 lít", "10 quả"."""
    q = m.quantity
    if m.dimension == "mass":
        return f"{_dec(q / 1000)} kg" if q >= 1000 else f"{_dec(q)} g"
    if m.dimension == "volume":
        return f"{_dec(q / 1000)} lít" if q >= 1000 else f"{_dec(q)} ml"
    return f"{_dec(q)} quả"


def _dec(q: Decimal) -> str:
    text = f"{q.normalize():f}"
    return text.replace(".", ",")


# --- mapping --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapped:
    """A product placed on a commodity, with the pack its price is for."""

    commodity: str
    measure: Measure
    pack_text: str
    unit_text: str
    price_vnd: int
    price_per_unit_vnd: int


@dataclass(frozen=True)
class Unmapped:
    """A product kept for review, never guessed."""

    reason: str
    candidates: tuple[str, ...] = ()


def _strip_prefixes(name: str, cfg: MappingConfig) -> str:
    """The product's core name: without leading brand words (ALL-CAPS or configured) and multipacks."""
    words = normalize_text(name).split()
    mixed = any(ch.islower() for ch in name)
    while mixed and len(words) > 1:
        letters = [c for c in words[0] if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            words = words[1:]
        else:
            break
    core = tokens(" ".join(words))
    for brand in (tokens(b) for b in cfg.brand_prefixes):
        if brand and _starts(core, brand):
            core = core[len(brand) :].strip()
            break
    packs = "|".join(re.escape(tokens(w)) for w in cfg.pack_words)
    containers = "|".join(re.escape(tokens(w)) for w in cfg.container_words)
    m = re.match(rf"(?:(?:{packs}) )?\d+ (?:{containers}) ", core)
    if m:
        return core[m.end() :]
    m = re.match(r"(?:combo|thùng|lốc|set|bộ) ", core)
    return core[m.end() :] if m else core


class Mapper:
    """Maps products to commodities with the configured rules; pure (no database)."""

    def __init__(self, cfg: MappingConfig, catalog: CommodityCatalog) -> None:
        self.cfg = cfg
        self.catalog = catalog
        self.by_code = catalog.by_code()
        self.rules = [
            (
                rule,
                tuple(tokens(p) for p in rule.head),
                tuple(tokens(p) for p in rule.any),
                tuple(tokens(p) for p in rule.all),
                tuple(tokens(p) for p in rule.none),
            )
            for rule in cfg.rules
        ]
        self.aliases: dict[str, str] = {}
        for c in catalog.commodities:
            for alias in (c.name, *c.aliases):
                self.aliases[tokens(alias)] = c.code
        self.overrides: dict[tuple[str | None, str], OverrideSpec] = {
            (o.spider, tokens(o.name)): o for o in cfg.overrides
        }

    @classmethod
    def load(cls, config_dir: Path | None = None) -> Mapper:
        """A mapper over the configured rules and catalogue."""
        return cls(load_mapping_config(config_dir), load_commodities(config_dir))

    def classify(self, name: str, *, scope: Scope = "grocery") -> list[str]:
        """Every commodity whose rule accepts the name (one = mapped, several = ambiguous)."""
        text = tokens(name)
        if scope == "fuel" and text in self.aliases and self.by_code[self.aliases[text]].fuel:
            return [self.aliases[text]]
        core = _strip_prefixes(name, self.cfg) if scope != "fuel" else text
        hits: list[str] = []
        for rule, head, any_, all_, none in self.rules:
            if rule.scope not in ("any", scope):
                continue
            if head and not any(_starts(core, h) for h in head):
                continue
            if any_ and not any(_has(text, p) for p in any_):
                continue
            if all_ and not all(_has(text, p) for p in all_):
                continue
            if any(_has(text, p) for p in none):
                continue
            if rule.commodity not in hits:
                hits.append(rule.commodity)
        return hits

    def map(
        self,
        name: str,
        price_vnd: int,
        *,
        spider: str | None = None,
        scope: Scope = "grocery",
        explicit_pack: str = "",
        unit_hint: str = "",
        commodity: str | None = None,
    ) -> Mapped | Unmapped:
        """Place one product on a commodity and convert its price, or say why it stays for review."""
        override = self.overrides.get((spider, tokens(name))) or self.overrides.get((None, tokens(name)))
        bare = False
        if commodity is None and override is not None:
            if override.ignore:
                return Unmapped("bỏ qua theo quyết định đã duyệt (overrides)")
            commodity = override.commodity
            explicit_pack = override.pack or explicit_pack
        if commodity is None:
            hits = self.classify(name, scope=scope)
            if not hits:
                return Unmapped("không khớp quy tắc ánh xạ nào")
            if len(hits) > 1:
                return Unmapped(f"khớp nhiều mặt hàng: {', '.join(hits)}", tuple(hits))
            commodity = hits[0]
            bare = any(r.bare_count for r, *_ in self.rules if r.commodity == commodity)
        spec = self.by_code.get(commodity)
        if spec is None:
            return Unmapped(f"mã hàng '{commodity}' không có trong danh mục")
        target = spec.measure
        if scope == "fuel" and not explicit_pack:
            explicit_pack = spec.unit
        pack = read_pack(
            name,
            dimension=target.dimension,
            cfg=self.cfg,
            bare_count=bare,
            explicit=explicit_pack,
            unit_hint=unit_hint,
        )
        if pack.problem:
            return Unmapped(f"{spec.code}: {pack.problem}", (spec.code,))
        if pack.measure is None:
            return Unmapped(
                f"{spec.code}: không rõ quy cách ({_DIM_WORD[target.dimension]}) trong tên hoặc đơn vị bán",
                (spec.code,),
            )
        try:
            conversion_factor(pack.measure, target)
        except UnitMismatch:
            return Unmapped(f"{spec.code}: không quy đổi được {pack.text} sang {spec.unit}", (spec.code,))
        per_unit = convert_price(price_vnd, pack.measure, target)
        return Mapped(
            commodity=spec.code,
            measure=pack.measure,
            pack_text=pack.text,
            unit_text=format_measure(pack.measure),
            price_vnd=price_vnd,
            price_per_unit_vnd=per_unit,
        )


_DIM_WORD = {"mass": "khối lượng", "volume": "thể tích", "count": "số quả"}


def median_index(values: list[int]) -> int:
    """Index of the (lower) median value: a real item, not an average of two."""
    ordered = sorted(range(len(values)), key=lambda i: (values[i], i))
    target = statistics.median_low(values)
    for i in ordered:
        if values[i] == target:
            return i
    return ordered[(len(ordered) - 1) // 2]
