"""Geography that survives the 1 July 2025 merger: gazetteer, crosswalk and area-name resolution.

Since 1 July 2025 the former Bến Tre (83), Trà Vinh (84) and Vĩnh Long (86) provinces form the new
Vĩnh Long province (86) with 124 communes/wards and no district tier. An outlet's area may be written
as a new commune/ward, as a former district or commune, by code or by name, or as an alias.

* :func:`build_areas_config` / :func:`write_areas_config` turn the reference CSVs of
  ``../shared/data/admin`` into ``config/areas.yaml`` (``python -m binhon.geo ADMIN_DIR OUT``).
* :func:`sync_areas` loads that configuration into the ``areas`` and ``area_crosswalk`` tables
  (idempotent; flushes, never commits).
* :class:`AreaResolver` resolves what users write to an :class:`AreaRecord` (an immutable,
  session-independent copy of an ``areas`` row; ``record.id`` is the ``areas.id`` to store).

Validity periods in ``areas``: the new province has no dates; the 124 new communes are valid from the
merger date; former provinces, districts and communes end the day before the merger (their start is
unknown, ``valid_from`` is NULL). New codes reuse old ones (29242 was Phường 3, now Phường Trà Vinh),
so a code alone is resolved by the observation date.

``areas.yaml`` semantics of a former commune: ``becomes`` lists every new commune the unit went into
(at least one); ``partial`` lists those of them that received only a part of it (the unit was split).
An old unit that is in ``becomes`` but not in ``partial`` went wholly into that new unit.

Alias values (``aliases`` in areas.yaml, key = text as users write it):

* ``commune:CODE`` — a new commune/ward (since the merger);
* ``former-commune:CODE`` — a commune before the merger;
* ``district:CODE`` (or ``former-district:CODE``) — a former district, town or city;
* ``province:CODE`` — the province since the merger; ``former-province:CODE`` — a former province;
* anything else — resolved like user input (a bare code is then chosen by the observation date).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import difflib
import hashlib
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.catalog import AreasConfig
from binhon.db.models import Area, AreaCrosswalk
from binhon.errors import BinhonError, ConfigError
from binhon.formatting import fold_key, format_date, normalize_text

__all__ = [
    "COMMUNES_CSV",
    "CROSSWALK_ANNOTATED_CSV",
    "CROSSWALK_CSV",
    "DEFAULT_ALIASES",
    "OLD_UNITS_CSV",
    "AmbiguousArea",
    "AreaNotFound",
    "AreaRecord",
    "AreaResolver",
    "build_areas_config",
    "sync_areas",
    "write_areas_config",
]

COMMUNES_CSV = "vinh_long_2025_communes.csv"
OLD_UNITS_CSV = "old_units_2025-03-01_83_84_86.csv"
CROSSWALK_CSV = "crosswalk_83_84_86_to_86.csv"
CROSSWALK_ANNOTATED_CSV = "crosswalk_83_84_86_to_86_annotated.csv"

MERGER_DATE = dt.date(2025, 7, 1)
HOME_FORMER_PROVINCE = "84"
PROVINCE_KIND = "Tỉnh"

# Aliases written into areas.yaml: alias text -> (level prefix, former-province code, unit name).
# The code is looked up in the source data by name, so a wrong name fails loudly when generating.
DEFAULT_ALIASES: dict[str, tuple[str, str, str]] = {
    "TP Trà Vinh": ("district", "84", "Thành phố Trà Vinh"),
    "TPTV": ("district", "84", "Thành phố Trà Vinh"),
    "TX Duyên Hải": ("district", "84", "Thị xã Duyên Hải"),
    "TXDH": ("district", "84", "Thị xã Duyên Hải"),
    "Trà Vinh cũ": ("former-province", "84", "Tỉnh Trà Vinh"),
    "Bến Tre cũ": ("former-province", "83", "Tỉnh Bến Tre"),
    "Vĩnh Long mới": ("province", "86", "Tỉnh Vĩnh Long"),
}

ALIAS_LEVELS = ("commune", "former-commune", "district", "former-district", "province", "former-province")

_HEADER = """\
# Geography of the new Vĩnh Long province (86, since {merger}) and of the former Bến Tre (83),
# Trà Vinh (84) and Vĩnh Long (86) provinces with their districts and communes before the merger.
#
# GENERATED FILE - do not edit by hand. Regenerate from the reference data with:
#   python -m binhon.geo /path/to/shared/data/admin config/areas.yaml
# Sources (Statistics Office code lists and the Nghị quyết 1687/NQ-UBTVQH15 crosswalk; caveats in
# shared/data/PROVENANCE.md), sha256 prefix:
{sources}
#
# communes: the 124 communes/wards (xã/phường) of the province since the merger.
# former_provinces -> districts -> communes: units before the merger. `becomes` lists every new
#   commune the old commune went into; `partial` lists those of them that received only a part of it
#   (the old unit was split); a code in `becomes` but not in `partial` took the whole old unit.
# aliases: text users write -> unit. Values: `commune:CODE` (new commune/ward),
#   `former-commune:CODE`, `district:CODE` (former district/town/city), `province:CODE` (the
#   province since the merger), `former-province:CODE`, or any text binhon resolves (a bare code is
#   then chosen by the observation date). Add aliases in binhon.geo.DEFAULT_ALIASES and regenerate.
"""


# --- building config/areas.yaml -------------------------------------------------------------------


def _clean(value: str) -> str:
    """A name from the source files: NFC, whitespace runs collapsed, trimmed."""
    return normalize_text(value)


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ValueError(f"không tìm thấy tệp dữ liệu địa bàn: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _merge_pairs(admin_dir: Path) -> dict[tuple[str, str], str]:
    """(old commune code, new commune code) -> 'full' | 'partial', from the crosswalk files."""
    pairs = [(r["old_ward_code"], r["new_ward_code"]) for r in _read_csv(admin_dir / CROSSWALK_CSV)]
    if len(set(pairs)) != len(pairs):
        raise ValueError(f"{CROSSWALK_CSV}: có cặp mã cũ → mới bị trùng")
    annotated_path = admin_dir / CROSSWALK_ANNOTATED_CSV
    if annotated_path.is_file():
        types = {
            (r["old_ward_code"], r["new_ward_code"]): r["merge_type"]
            for r in _read_csv(annotated_path)
            if r.get("kept_in_crosswalk", "yes") == "yes"
        }
        if set(types) != set(pairs):
            raise ValueError(
                f"{CROSSWALK_ANNOTATED_CSV} và {CROSSWALK_CSV} không khớp nhau về các cặp mã cũ → mới"
            )
        bad = sorted({t for t in types.values() if t not in ("full", "partial")})
        if bad:
            raise ValueError(f"{CROSSWALK_ANNOTATED_CSV}: merge_type không hợp lệ: {', '.join(bad)}")
        return {pair: types[pair] for pair in pairs}
    # Without the annotated file: an old unit with several targets was split.
    targets: dict[str, int] = defaultdict(int)
    for old, _new in pairs:
        targets[old] += 1
    return {(old, new): ("partial" if targets[old] > 1 else "full") for old, new in pairs}


def _alias_values(old_rows: list[dict[str, str]], province_code: str) -> dict[str, str]:
    """DEFAULT_ALIASES with the codes looked up in the source data."""
    districts = {
        (r["old_province_code"], _clean(r["old_district"])): r["old_district_code"] for r in old_rows
    }
    provinces = {
        (r["old_province_code"], _clean(r["old_province"])): r["old_province_code"] for r in old_rows
    }
    out: dict[str, str] = {}
    for alias, (level, province, name) in DEFAULT_ALIASES.items():
        if level == "district":
            code = districts.get((province, name))
        elif level == "former-province":
            code = provinces.get((province, name))
        else:
            code = province_code if province == province_code else None
        if code is None:
            raise ValueError(f"bí danh '{alias}': không tìm thấy '{name}' trong dữ liệu nguồn")
        out[_clean(alias)] = f"{level}:{code}"
    return out


def build_areas_config(admin_dir: Path) -> dict[str, Any]:
    """The content of config/areas.yaml (the dict AreasConfig validates) built from the admin CSVs."""
    admin_dir = Path(admin_dir)
    new_rows = _read_csv(admin_dir / COMMUNES_CSV)
    old_rows = _read_csv(admin_dir / OLD_UNITS_CSV)
    pairs = _merge_pairs(admin_dir)

    provinces = {(r["new_province_code"], _clean(r["new_province"])) for r in new_rows}
    if len(provinces) != 1:
        raise ValueError(f"{COMMUNES_CSV}: phải có đúng một tỉnh mới, có {len(provinces)}")
    province_code, province_name = provinces.pop()

    communes: dict[str, dict[str, str]] = {}
    for r in new_rows:
        code = r["new_ward_code"]
        if code in communes:
            raise ValueError(f"{COMMUNES_CSV}: mã xã/phường mới '{code}' bị trùng")
        communes[code] = {"code": code, "name": _clean(r["new_ward"]), "kind": _clean(r["new_ward_type"])}

    targets: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (old, new), merge_type in pairs.items():
        if new not in communes:
            raise ValueError(f"{CROSSWALK_CSV}: mã mới '{new}' không có trong {COMMUNES_CSV}")
        targets[old].append((new, merge_type))

    tree: dict[str, dict[str, Any]] = {}
    seen_old: set[str] = set()
    for r in old_rows:
        p_code, d_code, c_code = r["old_province_code"], r["old_district_code"], r["old_ward_code"]
        if c_code in seen_old:
            raise ValueError(f"{OLD_UNITS_CSV}: mã xã cũ '{c_code}' bị trùng")
        seen_old.add(c_code)
        if c_code not in targets:
            raise ValueError(
                f"{CROSSWALK_CSV}: xã cũ {_clean(r['old_ward'])} ({c_code}) không có xã/phường mới"
            )
        province = tree.setdefault(
            p_code,
            {"code": p_code, "name": _clean(r["old_province"]), "kind": PROVINCE_KIND, "districts": {}},
        )
        district = province["districts"].setdefault(
            d_code,
            {
                "code": d_code,
                "name": _clean(r["old_district"]),
                "kind": _clean(r["old_district_type"]),
                "communes": [],
            },
        )
        ordered = sorted(targets[c_code], key=lambda t: (t[1] != "full", int(t[0])))
        commune: dict[str, Any] = {
            "code": c_code,
            "name": _clean(r["old_ward"]),
            "kind": _clean(r["old_ward_type"]),
            "becomes": [new for new, _ in ordered],
        }
        partial = [new for new, merge_type in ordered if merge_type == "partial"]
        if partial:
            commune["partial"] = partial
        district["communes"].append(commune)
    unknown = sorted(set(targets) - seen_old)
    if unknown:
        raise ValueError(f"{CROSSWALK_CSV}: mã xã cũ không có trong {OLD_UNITS_CSV}: {', '.join(unknown)}")

    former_provinces = []
    for p_code in sorted(tree, key=int):
        province = tree[p_code]
        districts = []
        for d_code in sorted(province["districts"], key=int):
            district = province["districts"][d_code]
            district["communes"].sort(key=lambda c: int(c["code"]))
            districts.append(district)
        former_provinces.append({**province, "districts": districts})

    return {
        "province": {"code": province_code, "name": province_name, "kind": PROVINCE_KIND},
        "merger_date": MERGER_DATE,
        "home_former_province": HOME_FORMER_PROVINCE,
        "aliases": _alias_values(old_rows, province_code),
        "communes": [communes[code] for code in sorted(communes, key=int)],
        "former_provinces": former_provinces,
    }


class _FlowDict(dict[str, Any]):
    """A mapping written on one line (one unit per line keeps the file readable and greppable)."""


# A private SafeDumper subclass, so the representer below does not change yaml.SafeDumper itself.
_Dumper: Any = type("_Dumper", (yaml.SafeDumper,), {})


def _represent_flow(dumper: Any, data: _FlowDict) -> Any:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


_Dumper.add_representer(_FlowDict, _represent_flow)


def _sha256_prefix(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "(không có)"


def write_areas_config(admin_dir: Path, out: Path) -> None:
    """Write build_areas_config(admin_dir) to out as YAML with a generated-file header."""
    admin_dir, out = Path(admin_dir), Path(out)
    data = build_areas_config(admin_dir)
    data["communes"] = [_FlowDict(c) for c in data["communes"]]
    for province in data["former_provinces"]:
        for district in province["districts"]:
            district["communes"] = [_FlowDict(c) for c in district["communes"]]
    sources = "\n".join(
        f"#   {name}  {_sha256_prefix(admin_dir / name)}"
        for name in (COMMUNES_CSV, OLD_UNITS_CSV, CROSSWALK_CSV, CROSSWALK_ANNOTATED_CSV)
    )
    body = yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=4096
    )
    header = _HEADER.format(merger=MERGER_DATE.isoformat(), sources=sources)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + "\n" + body, encoding="utf-8")


# --- loading the gazetteer into the database ------------------------------------------------------


def sync_areas(*, session: Session, config: AreasConfig) -> dict[str, int]:
    """Load the gazetteer of config into ``areas`` and ``area_crosswalk``; idempotent, flush only.

    Units are matched on (level, code, whether current), so reused codes stay distinct. Existing rows
    are updated in place (name, kind, parent, validity); areas are never deleted (outlets may point at
    them). Crosswalk rows of the configured old communes that are no longer in config are removed.
    Returns the counts ``areas_added``, ``areas_updated``, ``areas_unchanged``, ``crosswalk_added``,
    ``crosswalk_updated``, ``crosswalk_removed``, ``crosswalk_unchanged``.
    """
    merger = config.merger_date
    last_old_day = merger - dt.timedelta(days=1)
    counts = dict.fromkeys(
        (
            "areas_added",
            "areas_updated",
            "areas_unchanged",
            "crosswalk_added",
            "crosswalk_updated",
            "crosswalk_removed",
            "crosswalk_unchanged",
        ),
        0,
    )
    existing: dict[tuple[str, str, bool], Area] = {}
    for row in session.scalars(select(Area).order_by(Area.id)):
        existing.setdefault((row.level, row.code, row.valid_to is None), row)

    def upsert(
        level: str,
        code: str,
        name: str,
        kind: str,
        parent: Area | None,
        valid_from: dt.date | None,
        valid_to: dt.date | None,
    ) -> Area:
        key = (level, code, valid_to is None)
        values = {
            "name": name,
            "kind": kind,
            "parent_id": parent.id if parent is not None else None,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        row = existing.get(key)
        if row is None:
            row = Area(code=code, level=level, **values)
            session.add(row)
            existing[key] = row
            counts["areas_added"] += 1
            return row
        changed = False
        for attr, value in values.items():
            if getattr(row, attr) != value:
                setattr(row, attr, value)
                changed = True
        counts["areas_updated" if changed else "areas_unchanged"] += 1
        return row

    p = config.province
    province = upsert("province", p.code, p.name, p.kind, None, None, None)
    session.flush()
    new_by_code = {
        c.code: upsert("commune", c.code, c.name, c.kind, province, merger, None) for c in config.communes
    }

    wanted: dict[tuple[Area, Area], str] = {}
    for fp in config.former_provinces:
        old_province = upsert("province", fp.code, fp.name, fp.kind, None, None, last_old_day)
        session.flush()
        for fd in fp.districts:
            district = upsert("district", fd.code, fd.name, fd.kind, old_province, None, last_old_day)
            session.flush()
            for fc in fd.communes:
                commune = upsert("commune", fc.code, fc.name, fc.kind, district, None, last_old_day)
                for code in dict.fromkeys((*fc.becomes, *fc.partial)):
                    wanted[(commune, new_by_code[code])] = "partial" if code in fc.partial else "full"
    session.flush()

    managed_old = {old.id for old, _new in wanted}
    want_ids = {(old.id, new.id): merge_type for (old, new), merge_type in wanted.items()}
    have: dict[tuple[int, int], AreaCrosswalk] = {
        (link.old_area_id, link.new_area_id): link for link in session.scalars(select(AreaCrosswalk))
    }
    for pair, merge_type in want_ids.items():
        link = have.get(pair)
        if link is None:
            session.add(AreaCrosswalk(old_area_id=pair[0], new_area_id=pair[1], merge_type=merge_type))
            counts["crosswalk_added"] += 1
        elif link.merge_type != merge_type:
            link.merge_type = merge_type
            counts["crosswalk_updated"] += 1
        else:
            counts["crosswalk_unchanged"] += 1
    for pair, link in have.items():
        if pair[0] in managed_old and pair not in want_ids:
            session.delete(link)
            counts["crosswalk_removed"] += 1
    session.flush()
    return counts


# --- resolving what users write -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaRecord:
    """An immutable copy of an ``areas`` row; ``id`` is the ``areas.id`` to store (e.g. Outlet.area_id)."""

    id: int
    code: str
    name: str
    level: str
    kind: str
    parent_id: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None

    @property
    def is_current(self) -> bool:
        """Whether the unit exists today (the new province and its communes)."""
        return self.valid_to is None


class AreaNotFound(BinhonError, ValueError):
    """No area (or not exactly one) matches what was written; the message is for users."""

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        candidates: Sequence[AreaRecord] = (),
        suggestions: Sequence[AreaRecord] = (),
    ) -> None:
        self.text = text
        self.candidates = tuple(candidates)
        self.suggestions = tuple(suggestions)
        super().__init__(message)


class AmbiguousArea(AreaNotFound):
    """Several areas match the text; ``candidates`` lists them."""


# Type words and their abbreviations (matched on fold_key text), for the kind of unit they name.
_KIND_WORDS: dict[str, str] = {
    "thành phố": "Thành phố",
    "tp": "Thành phố",
    "t.p": "Thành phố",
    "thị xã": "Thị xã",
    "tx": "Thị xã",
    "t.x": "Thị xã",
    "thị trấn": "Thị trấn",
    "tt": "Thị trấn",
    "t.t": "Thị trấn",
    "huyện": "Huyện",
    "h": "Huyện",
    "phường": "Phường",
    "p": "Phường",
    "xã": "Xã",
    "x": "Xã",
    "tỉnh": "Tỉnh",
    "quận": "Quận",
    "q": "Quận",
}
_PREFIX_RE = re.compile(
    r"^(?P<kw>"
    + "|".join(re.escape(k) for k in sorted(_KIND_WORDS, key=len, reverse=True))
    + r")(?:\.\s*|\s+)(?P<rest>\S.*)$"
)
# Parts of an address below the commune (hamlet, quarter, street), dropped before matching.
_SUBCOMMUNE_RE = re.compile(r"^(?:ấp|khóm|khu phố|kp\.?|tổ|số|số nhà|đường|thôn|xóm|khu vực)(?:\s|\.|$)")
_SEPARATORS_RE = re.compile(r"[,;()\[\]/\-–—]+")
_ERA_WORDS = {"cũ": "old", "trước sáp nhập": "old", "mới": "new", "sau sáp nhập": "new"}
_ERA_SUFFIX_RE = re.compile(r"^(?P<rest>.*\S)\s+(?P<era>cũ|mới)$", re.IGNORECASE)
_ALIAS_SPEC_RE = re.compile(r"^(?P<level>[a-z-]+):(?P<code>[0-9]+)$")


def _key(text: str) -> str:
    """Comparison key of a name: fold_key, and numbers without leading zeros ('Phường 01' = 'Phường 1')."""
    key = fold_key(text).strip(" .")
    return re.sub(r"\b0+(?=\d)", "", key)


def _split_kind(key: str) -> tuple[str | None, str]:
    """(kind named by a leading type word or abbreviation, the rest) of a folded name."""
    match = _PREFIX_RE.match(key)
    if match is None:
        return None, key
    return _KIND_WORDS[match.group("kw")], match.group("rest").strip(" .")


class AreaResolver:
    """Resolves area codes, names and aliases to units of the gazetteer, held in memory.

    Build it with :meth:`from_session` after :func:`sync_areas`. ``resolve`` returns an
    :class:`AreaRecord`; the other methods accept an AreaRecord or an ``Area`` row (only ``.id`` is used).
    """

    def __init__(
        self,
        areas: Iterable[AreaRecord],
        crosswalk: Iterable[tuple[int, int, str]],
        *,
        merger_date: dt.date,
        aliases: dict[str, str] | None = None,
        province_name: str = "Tỉnh Vĩnh Long",
    ) -> None:
        self.merger_date = merger_date
        self.province_name = province_name
        self._by_id: dict[int, AreaRecord] = {a.id: a for a in areas}
        self._by_code: dict[str, list[AreaRecord]] = defaultdict(list)
        self._by_full: dict[str, list[AreaRecord]] = defaultdict(list)
        self._by_bare: dict[str, list[AreaRecord]] = defaultdict(list)
        self._by_level_code: dict[tuple[str, str, bool], AreaRecord] = {}
        for a in sorted(self._by_id.values(), key=lambda r: r.id):
            self._by_code[a.code].append(a)
            self._by_full[_key(a.name)].append(a)
            kind, bare = _split_kind(_key(a.name))
            if kind is not None and kind == a.kind:
                self._by_bare[bare].append(a)
            self._by_level_code.setdefault((a.level, a.code, a.is_current), a)
        self._successors: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self._predecessors: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for old_id, new_id, merge_type in crosswalk:
            self._successors[old_id].append((new_id, merge_type))
            self._predecessors[new_id].append((old_id, merge_type))
        self._aliases: dict[str, list[AreaRecord] | str] = {}
        for alias, value in (aliases or {}).items():
            self._aliases[_key(alias)] = self._alias_target(alias, value)

    @classmethod
    def from_session(cls, session: Session, config: AreasConfig) -> AreaResolver:
        """A resolver over the ``areas``/``area_crosswalk`` rows (loaded once) and config's aliases."""
        areas = [
            AreaRecord(
                id=a.id,
                code=a.code,
                name=a.name,
                level=a.level,
                kind=a.kind,
                parent_id=a.parent_id,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
            )
            for a in session.scalars(select(Area))
        ]
        if not areas:
            raise BinhonError(
                "chưa có danh mục địa bàn trong cơ sở dữ liệu (bảng areas trống) — hãy nạp config/areas.yaml "
                "bằng sync_areas trước"
            )
        crosswalk = [
            (row.old_area_id, row.new_area_id, row.merge_type)
            for row in session.scalars(select(AreaCrosswalk))
        ]
        return cls(
            areas,
            crosswalk,
            merger_date=config.merger_date,
            aliases=dict(config.aliases),
            province_name=config.province.name,
        )

    # --- aliases -----------------------------------------------------------------------------------

    def _alias_target(self, alias: str, value: str) -> list[AreaRecord] | str:
        """The unit an alias names (level:code), or the text to resolve at use time."""
        match = _ALIAS_SPEC_RE.match(value.strip())
        if match is None:
            text = normalize_text(value)
            try:
                self._resolve_text(text, on=None, use_aliases=False)
            except AreaNotFound as exc:
                raise ConfigError("areas.yaml", f"aliases.{alias}", str(exc)) from exc
            return text
        level, code = match.group("level"), match.group("code")
        if level not in ALIAS_LEVELS:
            raise ConfigError(
                "areas.yaml",
                f"aliases.{alias}",
                f"cấp '{level}' không hợp lệ; dùng một trong: {', '.join(ALIAS_LEVELS)}",
            )
        current = not level.startswith("former-") and level != "district"
        found = self._by_level_code.get((level.removeprefix("former-"), code, current))
        if found is None:
            raise ConfigError(
                "areas.yaml", f"aliases.{alias}", f"không có đơn vị '{value}' trong danh mục địa bàn"
            )
        return [found]

    # --- resolving ---------------------------------------------------------------------------------

    def resolve(self, text: str, *, on: dt.date | None = None) -> AreaRecord:
        """The unit text names, as of observation date on (None: today's units win over old ones).

        Accepts a code (new commune; old commune, district or province), a name with its type word or
        an abbreviation (Xã, Phường, Thị trấn, Huyện, Thị xã, Thành phố, Tỉnh; X., P., TT, H., TX, TP),
        a name followed by its district/province ("Phường 1, Thành phố Trà Vinh",
        "Xã Long Hòa - Huyện Châu Thành"), an era word ("Xã Tân An (cũ)"), or a configured alias.
        A code or name that existed both before and after the merger is chosen by ``on``.
        Raises AreaNotFound (AmbiguousArea when several units match) with a Vietnamese message.
        """
        if not isinstance(text, str):
            raise TypeError(f"resolve expects str, got {type(text).__name__}")
        return self._resolve_text(normalize_text(text), on=on, use_aliases=True)

    def _resolve_text(self, text: str, *, on: dt.date | None, use_aliases: bool) -> AreaRecord:
        if not text:
            raise AreaNotFound("tên địa bàn trống", text=text)
        parts = [p.strip(" .") for p in _SEPARATORS_RE.split(text)]
        parts = [p for p in parts if p]
        era: str | None = None
        kept: list[str] = []
        for part in parts:
            word = _key(part)
            if word in _ERA_WORDS:
                era = _ERA_WORDS[word]
                continue
            if word in ("việt nam", "vn"):
                continue
            suffix = _ERA_SUFFIX_RE.match(part)
            if suffix is not None and word not in self._by_full and word not in self._by_bare:
                # "Thị trấn Càng Long cũ", "Xã Tân An mới"
                era = _ERA_WORDS[_key(suffix.group("era"))]
                part = suffix.group("rest")
            kept.append(part)
        while len(kept) > 1 and _SUBCOMMUNE_RE.match(_key(kept[0])):
            kept.pop(0)
        whole = _key(text)
        if use_aliases and whole in self._aliases:
            return self._choose(self._alias_records(whole, on), on=on, text=text, era=None)
        if not kept:
            raise AreaNotFound(f"không tìm thấy địa bàn '{text}'", text=text)
        unit, qualifiers = kept[0], kept[1:]
        candidates = self._match(unit, on=on, use_aliases=use_aliases)
        if not candidates:
            raise self._not_found(text, unit)
        if qualifiers:
            ancestor_sets = [
                self._match_qualifier(q, text, on=on, use_aliases=use_aliases) for q in qualifiers
            ]
            for lenient in (False, True):
                narrowed = [
                    c
                    for c in candidates
                    if all(self._ancestors(c, lenient=lenient) & s for s in ancestor_sets)
                ]
                if narrowed:
                    break
            if not narrowed:
                labels = "; ".join(self._label(c) for c in candidates[:8])
                raise AreaNotFound(
                    f"không tìm thấy địa bàn '{text}': '{unit}' không thuộc {', '.join(qualifiers)}"
                    f" (các đơn vị tên '{unit}': {labels})",
                    text=text,
                    suggestions=candidates,
                )
            candidates = narrowed
        return self._choose(candidates, on=on, text=text, era=era)

    def _alias_records(self, key: str, on: dt.date | None) -> list[AreaRecord]:
        target = self._aliases[key]
        if isinstance(target, str):
            return [self._resolve_text(target, on=on, use_aliases=False)]
        return target

    def _match(self, part: str, *, on: dt.date | None, use_aliases: bool) -> list[AreaRecord]:
        """Every unit a single name, code or alias may mean (any era)."""
        key = _key(part)
        if use_aliases and key in self._aliases:
            return list(self._alias_records(key, on))
        if key.isdigit():
            return list(self._by_code.get(part.strip(" ."), ()) or self._by_code.get(key, ()))
        kind, bare = _split_kind(key)
        if kind is not None:
            found = [a for a in self._by_bare.get(bare, ()) if a.kind == kind]
            if found:
                return found
        seen: dict[int, AreaRecord] = {a.id: a for a in self._by_full.get(key, ())}
        if kind is None:
            seen.update((a.id, a) for a in self._by_bare.get(key, ()))
        return list(seen.values())

    def _match_qualifier(self, part: str, text: str, *, on: dt.date | None, use_aliases: bool) -> set[int]:
        """Ids of the districts/provinces a qualifier part names."""
        found = {
            a.id
            for a in self._match(part, on=on, use_aliases=use_aliases)
            if a.level in ("district", "province")
        }
        if not found:
            raise AreaNotFound(
                f"không tìm thấy địa bàn '{text}': không có huyện/thị xã/thành phố/tỉnh nào tên '{part}'",
                text=text,
            )
        return found

    def _ancestors(self, area: AreaRecord, *, lenient: bool) -> set[int]:
        """Ids a qualifier may name for area: its parents; leniently also former/current ones."""
        out: set[int] = set()
        parent = self._by_id.get(area.parent_id) if area.parent_id is not None else None
        while parent is not None:
            out.add(parent.id)
            parent = self._by_id.get(parent.parent_id) if parent.parent_id is not None else None
        if lenient:
            if area.is_current and area.level == "commune":
                for old_id, _ in self._predecessors.get(area.id, ()):
                    out |= self._ancestors(self._by_id[old_id], lenient=False)
            elif not area.is_current:
                out |= {a.id for a in self._by_id.values() if a.level == "province" and a.is_current}
        return out

    def _choose(
        self, candidates: Sequence[AreaRecord], *, on: dt.date | None, text: str, era: str | None
    ) -> AreaRecord:
        unique = list({a.id: a for a in candidates}.values())
        if era is not None:
            in_era = [a for a in unique if a.is_current == (era == "new")]
            unique = in_era or unique
        if len(unique) == 1:
            return unique[0]
        if not unique:
            raise AreaNotFound(f"không tìm thấy địa bàn '{text}'", text=text)
        # The same code or the same name before and after the merger: the observation date decides.
        same = len({a.code for a in unique}) == 1 or len({_key(a.name) for a in unique}) == 1
        if same:
            want_current = on is None or on >= self.merger_date
            in_force = [a for a in unique if a.is_current == want_current]
            if len(in_force) == 1:
                return in_force[0]
            unique = in_force or unique
        unique.sort(
            key=lambda a: (not a.is_current, a.level != "commune", int(a.code) if a.code.isdigit() else 0)
        )
        labels = "; ".join(self._label(a) for a in unique)
        raise AmbiguousArea(
            f"tên địa bàn '{text}' không rõ ràng: khớp {len(unique)} đơn vị: {labels} — hãy ghi kèm "
            "huyện/thành phố hoặc dùng mã",
            text=text,
            candidates=unique,
        )

    def _not_found(self, text: str, unit: str) -> AreaNotFound:
        key = _key(unit)
        scope = f"{self.province_name} (kể cả các đơn vị cũ trước {format_date(self.merger_date)})"
        if key.isdigit():
            return AreaNotFound(f"không tìm thấy địa bàn có mã '{unit}' trong {scope}", text=text)
        names = list(self._by_full) + list(self._by_bare)
        close = difflib.get_close_matches(key, names, n=6, cutoff=0.6)
        suggestions: dict[int, AreaRecord] = {}
        for name in close:
            for a in self._by_full.get(name, []) + self._by_bare.get(name, []):
                suggestions.setdefault(a.id, a)
        picked = list(suggestions.values())[:6]
        if picked:
            hint = "; có phải: " + "; ".join(self._label(a) for a in picked) + "?"
        else:
            hint = " — không có tên nào gần giống; hãy kiểm tra lại hoặc dùng mã đơn vị"
        return AreaNotFound(
            f"không tìm thấy địa bàn '{text}' trong {scope}{hint}", text=text, suggestions=picked
        )

    def _label(self, area: AreaRecord) -> str:
        """'Phường 1, Thành phố Trà Vinh, Tỉnh Trà Vinh (mã 29239, trước 01/07/2025)'."""
        names = [area.name]
        parent = self._by_id.get(area.parent_id) if area.parent_id is not None else None
        while parent is not None:
            names.append(parent.name)
            parent = self._by_id.get(parent.parent_id) if parent.parent_id is not None else None
        if not area.is_current:
            when = f"đến {format_date(area.valid_to)}" if area.valid_to else "đơn vị cũ"
        elif area.valid_from is not None:
            when = f"từ {format_date(area.valid_from)}"
        else:
            when = "hiện nay"
        return f"{', '.join(names)} (mã {area.code}, {when})"

    # --- navigation --------------------------------------------------------------------------------

    def get(self, area_id: int) -> AreaRecord:
        """The unit with id area_id (KeyError if none)."""
        return self._by_id[area_id]

    def label(self, area: AreaRecord | Area) -> str:
        """A human-readable description of area with its parents, code and validity (Vietnamese)."""
        return self._label(self._by_id[area.id])

    def successors(self, area: AreaRecord | Area) -> list[tuple[AreaRecord, str]]:
        """The new communes an old commune went into, with merge type ('full' or 'partial')."""
        return [(self._by_id[i], t) for i, t in self._successors.get(area.id, ())]

    def predecessors(self, area: AreaRecord | Area) -> list[tuple[AreaRecord, str]]:
        """The old communes a new commune was formed from, with merge type ('full' or 'partial')."""
        return [(self._by_id[i], t) for i, t in self._predecessors.get(area.id, ())]

    def current_commune(self, area: AreaRecord | Area) -> AreaRecord | None:
        """The commune/ward area belongs to since the merger.

        A new commune is itself; an old commune maps to the new commune it went into wholly; an old
        commune split between several new communes gives None (the crosswalk has no area shares);
        districts and provinces give None.
        """
        rec = self._by_id[area.id]
        if rec.level != "commune":
            return None
        if rec.is_current:
            return rec
        full = [self._by_id[i] for i, t in self._successors.get(rec.id, ()) if t == "full"]
        return full[0] if len(full) == 1 else None

    def former_district(self, area: AreaRecord | Area) -> AreaRecord | None:
        """The district area lay in before the merger.

        An old commune gives its district, an old district itself; a new commune gives the single
        former district all its old communes came from, else None; provinces give None.
        """
        rec = self._by_id[area.id]
        if rec.level == "district":
            return rec
        if rec.level != "commune":
            return None
        if not rec.is_current:
            return self._by_id.get(rec.parent_id) if rec.parent_id is not None else None
        districts = {self._by_id[old_id].parent_id for old_id, _ in self._predecessors.get(rec.id, ())} - {
            None
        }
        if len(districts) == 1:
            (district_id,) = districts
            assert district_id is not None
            return self._by_id.get(district_id)
        return None

    def former_province(self, area: AreaRecord | Area) -> AreaRecord | None:
        """The former province (83/84/86 before the merger) area lay in, or None if not a single one."""
        rec = self._by_id[area.id]
        if rec.level == "province":
            return None if rec.is_current else rec
        if rec.is_current:
            provinces = {self.former_province(old) for old, _ in self.predecessors(rec)} - {None}
            return provinces.pop() if len(provinces) == 1 else None
        parent = self._by_id.get(rec.parent_id) if rec.parent_id is not None else None
        return self.former_province(parent) if parent is not None else None


# --- command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """python -m binhon.geo ADMIN_DIR OUT: generate config/areas.yaml from the reference CSVs."""
    parser = argparse.ArgumentParser(
        prog="python -m binhon.geo",
        description="Sinh tệp cấu hình địa bàn (config/areas.yaml) từ dữ liệu hành chính gốc.",
    )
    parser.add_argument("admin_dir", type=Path, help="thư mục dữ liệu hành chính (shared/data/admin)")
    parser.add_argument("out", type=Path, help="tệp YAML cần ghi, ví dụ config/areas.yaml")
    args = parser.parse_args(argv)
    try:
        write_areas_config(args.admin_dir, args.out)
        AreasConfig.model_validate(yaml.safe_load(args.out.read_text(encoding="utf-8")))
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"lỗi: {exc}\n")
        return 1
    sys.stderr.write(f"đã ghi {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
