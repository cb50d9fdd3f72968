"""The commodity catalogue (config/commodities.yaml), the ingest rules and the config documentation."""

from __future__ import annotations

import copy
import csv
import re
import types
import typing
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from binhon.catalog import (
    AreasConfig,
    CommodityCatalog,
    IngestRules,
    OutletRegistry,
    load_commodities,
    load_ingest_rules,
)
from binhon.errors import ConfigError
from binhon.units import parse_measure

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
README = CONFIG_DIR / "README.md"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
PVOIL_CSV = SHARED_DATA / "pvoil_retail_prices_2018_2026.csv"

# CONTRACT.md, "Required commodity codes": code -> unit.
CONTRACT_UNITS: dict[str, str] = {
    "gao-te-thuong": "kg",
    "gao-thom": "kg",
    "thit-lon-hoi": "kg",
    "thit-lon-nac": "kg",
    "thit-lon-ba-roi": "kg",
    "thit-bo": "kg",
    "ga-ta": "kg",
    "trung-ga": "10 quả",
    "ca-loc": "kg",
    "bap-cai": "kg",
    "duong-trang": "kg",
    "muoi-hat": "kg",
    "dau-an": "lít",
    "sua-bot-tre-em": "hộp 900 g",
    "gas-lpg-12kg": "bình 12 kg",
    "xang-e5-ron92": "lít",
    "xang-ron95-iii": "lít",
    "xang-e10-ron95-iii": "lít",
    "dau-do-005s": "lít",
    "dau-do-0001s": "lít",
    "dau-hoa": "lít",
}

# CONTRACT.md item names: a word that each catalogue name must contain (case-insensitive).
CONTRACT_NAME_WORDS: dict[str, str] = {
    "gao-te-thuong": "gạo tẻ",
    "gao-thom": "gạo thơm",
    "thit-lon-hoi": "hơi",
    "thit-lon-nac": "nạc",
    "thit-lon-ba-roi": "ba rọi",
    "thit-bo": "bò",
    "ga-ta": "gà ta",
    "trung-ga": "trứng gà",
    "ca-loc": "cá lóc",
    "bap-cai": "bắp cải",
    "duong-trang": "đường",
    "muoi-hat": "muối",
    "dau-an": "dầu",
    "sua-bot-tre-em": "sữa bột",
    "gas-lpg-12kg": "lpg",
    "xang-e5-ron92": "e5 ron 92",
    "xang-ron95-iii": "ron 95-iii",
    "xang-e10-ron95-iii": "e10 ron 95-iii",
    "dau-do-005s": "0,05s",
    "dau-do-0001s": "0,001s",
    "dau-hoa": "dầu hỏa",
}

REQUIRED_FUELS = (
    "xang-e5-ron92",
    "xang-ron95-iii",
    "xang-e10-ron95-iii",
    "dau-do-005s",
    "dau-do-0001s",
    "dau-hoa",
)

# PVOIL product names ("Mặt hàng") -> the required commodity they are.
PVOIL_PRODUCTS: dict[str, str] = {
    "Xăng E5 RON 92-II": "xang-e5-ron92",
    "Xăng RON 95-III": "xang-ron95-iii",
    "Xăng E10 RON 95-III": "xang-e10-ron95-iii",
    "Dầu DO 0,05S-II": "dau-do-005s",
    "Dầu DO 0,001S-V": "dau-do-0001s",
    "Dầu KO": "dau-hoa",
}
# PVOIL products that map to no required commodity and are deliberately left unmapped.
PVOIL_UNMAPPED = {"Dầu FO 3%S", "Dầu FO 3,5%S", "Xăng RON 95-IV", "Dầu DO 0,005S-IV"}

# Decree 85/2024 price-stabilised goods among the CONTRACT codes, and CONTRACT goods that are not.
STABILISED = {"gao-te-thuong", "sua-bot-tre-em", "gas-lpg-12kg", *REQUIRED_FUELS}
NOT_STABILISED = {
    "thit-lon-hoi",
    "thit-lon-nac",
    "thit-lon-ba-roi",
    "thit-bo",
    "ga-ta",
    "trung-ga",
    "ca-loc",
    "bap-cai",
    "duong-trang",
    "muoi-hat",
    "dau-an",
}

# A typical 2024 retail price per unit for each commodity: it must lie within the bounds, and the
# same price with one digit too many or too few must not.
TYPICAL_PRICES: dict[str, int] = {
    "gao-te-thuong": 15000,
    "gao-thom": 22000,
    "gao-nep": 25000,
    "thit-lon-hoi": 60000,
    "thit-lon-nac": 130000,
    "thit-lon-ba-roi": 140000,
    "thit-lon-dui": 120000,
    "thit-bo": 300000,
    "thit-bo-bap": 260000,
    "ga-ta": 140000,
    "ga-ta-hoi": 100000,
    "ga-cong-nghiep": 60000,
    "vit-hoi": 50000,
    "vit-lam-san": 80000,
    "trung-ga": 30000,
    "trung-vit": 35000,
    "ca-loc": 65000,
    "ca-chep": 60000,
    "tom-nuoi": 200000,
    "bap-cai": 12000,
    "cai-xanh": 15000,
    "bi-xanh": 12000,
    "ca-chua": 18000,
    "gio-lua": 180000,
    "dau-an": 45000,
    "duong-trang": 25000,
    "muoi-hat": 8000,
    "nuoc-mam": 60000,
    "sua-bot-tre-em": 500000,
    "sua-tuoi-tiet-trung": 35000,
    "sua-dac": 25000,
    "xang-e5-ron92": 21000,
    "xang-ron95-iii": 22000,
    "xang-e10-ron95-iii": 21500,
    "dau-do-005s": 19500,
    "dau-do-0001s": 20500,
    "dau-hoa": 20000,
    "gas-lpg-12kg": 450000,
    "phan-ure": 12000,
    "phan-dap": 20000,
    "phan-npk": 15000,
    "thuc-an-chan-nuoi-lon": 13000,
    "thuc-an-thuy-san": 35000,
    "xi-mang": 90000,
    "thep-xay-dung": 15000,
}

# Realistic extremes that must stay inside the bounds.
EXTREME_PRICES: list[tuple[str, int, str]] = [
    ("xang-ron95-iii", 32870, "đỉnh 06/2022"),
    ("xang-ron95-iii", 33840, "đỉnh 03/2026"),
    ("xang-ron95-iii", 11630, "đáy 04/2020"),
    ("dau-do-005s", 44780, "đỉnh 04/2026"),
    ("dau-hoa", 7880, "đáy 05/2020"),
    ("thit-lon-hoi", 100000, "dịch tả lợn châu Phi 2020"),
    ("thit-lon-nac", 200000, "dịch tả lợn châu Phi 2020"),
    ("gas-lpg-12kg", 560000, "đỉnh 2022"),
    ("gas-lpg-12kg", 290000, "đáy 2020"),
    ("trung-ga", 45000, "Tết"),
    ("bap-cai", 35000, "sau bão"),
    ("gao-te-thuong", 9000, "2018"),
]

# Keys whose mapping/list holds data, not named keys: documented by the parent key only.
DATA_KEYS = {"groups", "aliases"}


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@pytest.fixture(scope="module")
def catalog() -> CommodityCatalog:
    return load_commodities(CONFIG_DIR)


# --- the real catalogue ------------------------------------------------------------------------------


def test_real_catalogue_loads(catalog: CommodityCatalog) -> None:
    assert 35 <= len(catalog.commodities) <= 60
    assert {"luong-thuc", "thuc-pham-tuoi-song", "xang-dau", "khi-dot"} <= set(catalog.groups)
    assert all(name.strip() for name in catalog.groups.values())


@pytest.mark.parametrize("code", sorted(CONTRACT_UNITS))
def test_contract_code_present_with_contract_unit(catalog: CommodityCatalog, code: str) -> None:
    by_code = catalog.by_code()
    assert code in by_code, f"mã bắt buộc '{code}' (CONTRACT.md) thiếu trong commodities.yaml"
    spec = by_code[code]
    assert spec.unit == CONTRACT_UNITS[code]
    assert CONTRACT_NAME_WORDS[code] in _fold(spec.name), spec.name


def test_every_unit_parses_and_matches_its_measure(catalog: CommodityCatalog) -> None:
    for spec in catalog.commodities:
        measure = parse_measure(spec.unit)
        assert measure is not None, f"{spec.code}: đơn vị '{spec.unit}' không đọc được"
        assert spec.measure == measure
    by_code = catalog.by_code()
    assert str(by_code["trung-ga"].measure) == "10 quả"
    assert str(by_code["sua-bot-tre-em"].measure) == "900 g"
    assert str(by_code["gas-lpg-12kg"].measure) == "12000 g"
    assert str(by_code["xang-e5-ron92"].measure) == "1000 ml"


def test_every_commodity_is_fully_described(catalog: CommodityCatalog) -> None:
    for spec in catalog.commodities:
        assert spec.spec, f"{spec.code}: thiếu spec (quy cách)"
        assert spec.aliases, f"{spec.code}: thiếu aliases"
        assert spec.report_code is None, f"{spec.code}: report_code chưa được xác minh (TT29 Phụ lục I)"


def test_every_commodity_has_a_source_comment() -> None:
    """Each list entry is preceded by a comment saying why the commodity is in the catalogue."""
    lines = (CONFIG_DIR / "commodities.yaml").read_text(encoding="utf-8").splitlines()
    entries = [i for i, line in enumerate(lines) if line.startswith("  - code: ")]
    assert entries
    for i in entries:
        assert lines[i - 1].lstrip().startswith("#"), f"no source comment above: {lines[i]}"


def test_stabilised_follows_decree_85(catalog: CommodityCatalog) -> None:
    by_code = catalog.by_code()
    for code in STABILISED:
        assert by_code[code].stabilised, f"{code} là hàng bình ổn giá (NĐ 85/2024)"
    for code in NOT_STABILISED:
        assert not by_code[code].stabilised, f"{code} không thuộc danh mục bình ổn giá (NĐ 85/2024)"


def test_fuel_flags(catalog: CommodityCatalog) -> None:
    by_code = catalog.by_code()
    for code in REQUIRED_FUELS:
        assert by_code[code].fuel, code
        assert by_code[code].group == "xang-dau"
    assert not by_code["gas-lpg-12kg"].fuel
    for spec in catalog.commodities:
        if spec.fuel:
            assert spec.unit == "lít", spec.code


def test_aliases_are_unambiguous(catalog: CommodityCatalog) -> None:
    owner: dict[str, str] = {}
    for spec in catalog.commodities:
        for alias in spec.aliases:
            key = _fold(alias)
            assert owner.setdefault(key, spec.code) == spec.code, (
                f"alias '{alias}' thuộc cả {owner[key]} và {spec.code}"
            )


def test_contract_fuel_aliases(catalog: CommodityCatalog) -> None:
    by_code = catalog.by_code()
    expected = {
        "xang-e5-ron92": ["Xăng E5 RON 92-II", "E5 RON 92", "Xăng E5RON92"],
        "dau-do-005s": ["Dầu DO 0,05S-II", "DO 0,05S", "Dầu diesel 0,05S"],
        "dau-hoa": ["Dầu hỏa 2-K", "Dầu KO", "Dầu hỏa"],
        "xang-ron95-iii": ["Xăng RON 95-III", "RON 95-III"],
        "xang-e10-ron95-iii": ["Xăng E10 RON 95-III"],
        "dau-do-0001s": ["Dầu DO 0,001S-V"],
    }
    for code, aliases in expected.items():
        for alias in aliases:
            assert alias in by_code[code].aliases, f"{code}: thiếu alias '{alias}'"


@pytest.mark.parametrize("code", sorted(TYPICAL_PRICES))
def test_bounds_accept_typical_price_and_reject_digit_typos(catalog: CommodityCatalog, code: str) -> None:
    by_code = catalog.by_code()
    assert code in by_code
    low, high = by_code[code].bounds
    price = TYPICAL_PRICES[code]
    assert low <= price <= high
    assert not low <= price * 10 <= high, f"{code}: {price * 10} (thừa một chữ số) lọt qua bounds"
    assert not low <= price // 10 <= high, f"{code}: {price // 10} (thiếu một chữ số) lọt qua bounds"


def test_every_commodity_has_a_typical_price(catalog: CommodityCatalog) -> None:
    assert set(catalog.by_code()) <= set(TYPICAL_PRICES), "add a typical price for each new commodity"


@pytest.mark.parametrize(("code", "price", "why"), EXTREME_PRICES)
def test_bounds_accept_realistic_extremes(catalog: CommodityCatalog, code: str, price: int, why: str) -> None:
    low, high = catalog.by_code()[code].bounds
    assert low <= price <= high, f"{code}: {price} ({why}) ngoài bounds [{low}, {high}]"


# --- PVOIL product names -----------------------------------------------------------------------------


def _pvoil_rows() -> list[dict[str, str]]:
    if not PVOIL_CSV.is_file():
        pytest.skip(f"PVOIL price history not found at {PVOIL_CSV} (../shared/data is not available)")
    with PVOIL_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.shared
def test_pvoil_fuel_names_are_aliases_of_required_fuels(catalog: CommodityCatalog) -> None:
    rows = _pvoil_rows()
    products = {row["Mặt hàng"] for row in rows}
    assert set(PVOIL_PRODUCTS) <= products, "the test's product map does not match the file"
    assert products <= set(PVOIL_PRODUCTS) | PVOIL_UNMAPPED, (
        f"new PVOIL products to map or leave out: {sorted(products - set(PVOIL_PRODUCTS) - PVOIL_UNMAPPED)}"
    )
    by_code = catalog.by_code()
    for product, code in PVOIL_PRODUCTS.items():
        assert product in by_code[code].aliases, f"'{product}' phải có nguyên văn trong aliases của {code}"
        others = [c.code for c in catalog.commodities if c.code != code and product in c.aliases]
        assert not others, f"'{product}' cũng là alias của {others}"
    assert set(PVOIL_PRODUCTS.values()) == set(REQUIRED_FUELS)


@pytest.mark.shared
def test_pvoil_prices_within_fuel_bounds_and_typos_outside(catalog: CommodityCatalog) -> None:
    prices: dict[str, list[int]] = {}
    for row in _pvoil_rows():
        code = PVOIL_PRODUCTS.get(row["Mặt hàng"])
        price = int(row["Giá (VND)"])
        if code and price > 0:
            prices.setdefault(code, []).append(price)
    by_code = catalog.by_code()
    for code, values in prices.items():
        low, high = by_code[code].bounds
        assert low <= min(values) and max(values) <= high, (
            f"{code}: {min(values)}–{max(values)} vs {low}–{high}"
        )
        assert min(values) * 10 > high, f"{code}: ×10 typo of {min(values)} would pass"
        assert max(values) // 10 < low, f"{code}: ÷10 typo of {max(values)} would pass"


# --- the ingest rules --------------------------------------------------------------------------------


def test_real_ingest_rules_load() -> None:
    rules = load_ingest_rules(CONFIG_DIR)
    assert rules.plausibility.digit_error_ratio == 5.0
    assert rules.plausibility.history_days == 90
    assert rules.plausibility.min_history == 3
    assert rules.max_file_mb == 512
    assert rules.reject_report_suffix == ".rejected.csv"


def test_every_ingest_key_has_a_comment_above() -> None:
    lines = (CONFIG_DIR / "ingest.yaml").read_text(encoding="utf-8").splitlines()
    keys = [i for i, line in enumerate(lines) if re.match(r"^\s*[a-z_]+:", line)]
    assert len(keys) == 6
    for i in keys:
        assert lines[i - 1].lstrip().startswith("#"), f"no comment above: {lines[i]}"


# --- bad files ---------------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "groups": {"luong-thuc": "Lương thực", "xang-dau": "Xăng dầu"},
    "commodities": [
        {
            "code": "gao-te-thuong",
            "name": "Gạo tẻ thường",
            "unit": "kg",
            "group": "luong-thuc",
            "stabilised": True,
            "bounds": [8000, 60000],
        },
        {
            "code": "xang-e5-ron92",
            "name": "Xăng E5 RON 92-II",
            "unit": "lít",
            "group": "xang-dau",
            "bounds": [8000, 80000],
            "fuel": True,
            "aliases": ["E5 RON 92"],
        },
    ],
}


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "commodities.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_valid_fixture_loads(tmp_path: Path) -> None:
    _write(tmp_path, VALID)
    catalog = load_commodities(tmp_path)
    assert [c.code for c in catalog.commodities] == ["gao-te-thuong", "xang-e5-ron92"]


def _duplicate_code(d: dict[str, Any]) -> None:
    d["commodities"][1]["code"] = "gao-te-thuong"


def _unknown_group(d: dict[str, Any]) -> None:
    d["commodities"][1]["group"] = "khong-co"


def _bounds_reversed(d: dict[str, Any]) -> None:
    d["commodities"][1]["bounds"] = [80000, 8000]


def _bounds_not_positive(d: dict[str, Any]) -> None:
    d["commodities"][1]["bounds"] = [0, 8000]


def _unit_not_a_measure(d: dict[str, Any]) -> None:
    d["commodities"][1]["unit"] = "bó"


def _missing_key(d: dict[str, Any]) -> None:
    del d["commodities"][1]["bounds"]


def _extra_key(d: dict[str, Any]) -> None:
    d["commodities"][1]["mau_sac"] = "đỏ"


def _bad_code(d: dict[str, Any]) -> None:
    d["commodities"][1]["code"] = "Xăng E5"


def _missing_groups(d: dict[str, Any]) -> None:
    del d["groups"]


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (_duplicate_code, "commodities[1].code"),
        (_unknown_group, "commodities[1].group"),
        (_bounds_reversed, "commodities[1].bounds"),
        (_bounds_not_positive, "commodities[1].bounds"),
        (_unit_not_a_measure, "commodities[1].unit"),
        (_missing_key, "commodities[1].bounds"),
        (_extra_key, "commodities[1].mau_sac"),
        (_bad_code, "commodities[1].code"),
        (_missing_groups, "groups"),
    ],
)
def test_bad_file_names_file_and_key(tmp_path: Path, mutate: Any, key: str) -> None:
    data = copy.deepcopy(VALID)
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_commodities(tmp_path)
    err = info.value
    assert err.file == str(path)
    assert err.key == key
    assert str(path) in str(err) and f": {key}: " in str(err)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "commodities.yaml"
    path.write_text("groups: {luong-thuc: Lương thực\ncommodities: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_commodities(tmp_path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value)
    assert "line" in str(info.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_commodities(tmp_path)
    assert "commodities.yaml" in str(info.value)


# --- documentation of every key ----------------------------------------------------------------------


# Mappings whose keys are names of entries of the same shape (documented as `parent.*.field`).
NAMED_ENTRY_KEYS = {"spiders"}


def yaml_key_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Full dotted paths of every key in a YAML document; list items as `[]`; data dicts as one key."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            if str(key) in NAMED_ENTRY_KEYS and isinstance(value, dict):
                # entries keyed by a name (e.g. one per spider) are documented once as `key.*.field`
                for entry in value.values():
                    yield from yaml_key_paths(entry, f"{path}.*")
            elif str(key) not in DATA_KEYS:
                yield from yaml_key_paths(value, path)
    elif isinstance(node, list):
        for item in node:
            yield from yaml_key_paths(item, prefix + "[]")


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model an annotation holds (directly, optionally, or as items of a tuple), and whether in a list."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            model, many = _model_of(arg)
            if model is not None:
                return model, many
        return None, False
    if origin in (tuple, list):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return args[0], True
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def model_key_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Full dotted paths of every key a config model accepts."""
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        if name in DATA_KEYS:
            continue
        sub, many = _model_of(field.annotation)
        if sub is not None:
            yield from model_key_paths(sub, path + "[]" if many else path)


def documented_keys() -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", README.read_text(encoding="utf-8")))


def test_key_path_walker() -> None:
    doc = {"groups": {"a": "A"}, "items": [{"code": "x", "aliases": ["y"], "sub": [{"k": 1}]}], "n": 1}
    assert sorted(yaml_key_paths(doc)) == sorted(
        ["groups", "items", "items[].code", "items[].aliases", "items[].sub", "items[].sub[].k", "n"]
    )
    paths = set(model_key_paths(AreasConfig))
    assert "former_provinces[].districts[].communes[].becomes" in paths
    assert "province.code" in paths and "aliases" in paths


def test_every_key_of_every_config_file_is_documented() -> None:
    documented = documented_keys()
    files = sorted(CONFIG_DIR.glob("*.yaml"))
    assert CONFIG_DIR / "commodities.yaml" in files and CONFIG_DIR / "ingest.yaml" in files
    missing: list[str] = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in sorted(set(yaml_key_paths(data))):
            if key not in documented:
                missing.append(f"{path.name}: `{key}`")
    assert not missing, "keys not documented in config/README.md:\n" + "\n".join(missing)


@pytest.mark.parametrize("model", [CommodityCatalog, IngestRules, AreasConfig, OutletRegistry])
def test_every_accepted_key_is_documented(model: type[BaseModel]) -> None:
    """Optional keys that no file uses yet (e.g. `commodities[].report_code`) are documented too."""
    missing = sorted(set(model_key_paths(model)) - documented_keys())
    assert not missing, f"{model.__name__} keys not documented in config/README.md: {missing}"


def test_readme_has_a_section_per_config_file() -> None:
    text = README.read_text(encoding="utf-8")
    for name in ("commodities.yaml", "ingest.yaml", "areas.yaml", "calendar.yaml", "outlets.example.yaml"):
        assert re.search(rf"^#+ {re.escape(name)}\b", text, flags=re.MULTILINE), f"no section for {name}"
