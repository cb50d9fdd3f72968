"""Domain configuration (config/*.yaml) validated at load: a bad file names the file, key and problem."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from binhon.db.models import LICENCE_STATUSES, MARKET_GRADES, OUTLET_TYPES
from binhon.errors import ConfigError
from binhon.formatting import fold_key
from binhon.settings import get_settings
from binhon.units import Measure, parse_measure

M = TypeVar("M", bound=BaseModel)

CODE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- commodities.yaml -------------------------------------------------------------------------------


class CommoditySpec(_Strict):
    """One commodity of the catalogue."""

    code: str = Field(pattern=CODE_PATTERN, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=40)
    group: str
    spec: str | None = None
    stabilised: bool = False
    report_code: str | None = None
    bounds: tuple[int, int]
    fuel: bool = False
    aliases: tuple[str, ...] = ()

    @field_validator("unit")
    @classmethod
    def _unit_is_a_measure(cls, value: str) -> str:
        if parse_measure(value) is None:
            raise ValueError(f"đơn vị '{value}' không phải là một đơn vị đo (kg, lít, 10 quả, hộp 900 g…)")
        return value

    @field_validator("bounds")
    @classmethod
    def _bounds_ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if low <= 0 or high <= low:
            raise ValueError("bounds must be [min, max] with 0 < min < max (đồng per unit)")
        return value

    @property
    def measure(self) -> Measure:
        """The commodity's unit as a measure."""
        measure = parse_measure(self.unit)
        assert measure is not None  # checked by the validator
        return measure


class CommodityCatalog(_Strict):
    """The whole commodities.yaml file."""

    groups: dict[str, str]
    commodities: tuple[CommoditySpec, ...]

    @model_validator(mode="after")
    def _consistent(self) -> CommodityCatalog:
        seen: set[str] = set()
        for i, item in enumerate(self.commodities):
            if item.code in seen:
                raise ValueError(f"commodities[{i}].code: mã '{item.code}' bị trùng")
            seen.add(item.code)
            if item.group not in self.groups:
                raise ValueError(f"commodities[{i}].group: nhóm '{item.group}' không có trong groups")
        owner: dict[str, str] = {}
        for i, item in enumerate(self.commodities):
            for alias in (item.name, *item.aliases):
                key = fold_key(alias)
                if owner.get(key, item.code) != item.code:
                    raise ValueError(
                        f"commodities[{i}].aliases: tên '{alias}' đã thuộc mặt hàng '{owner[key]}'"
                    )
                owner[key] = item.code
        for code, label in self.groups.items():
            if not re.fullmatch(CODE_PATTERN, code) or not label.strip():
                raise ValueError(
                    f"groups.{code}: mã nhóm phải là chữ thường không dấu, tên nhóm không được trống"
                )
        return self

    def by_code(self) -> dict[str, CommoditySpec]:
        """Commodities keyed by code."""
        return {c.code: c for c in self.commodities}


# --- outlets*.yaml ----------------------------------------------------------------------------------


class OutletSpec(_Strict):
    """One outlet to register (market, store, petrol station, enterprise, official source)."""

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)
    name: str = Field(min_length=1, max_length=200)
    outlet_type: Literal["market", "supermarket", "convenience", "petrol", "enterprise", "official"]
    area: str | None = None
    zone: Literal[1, 2] | None = None
    market_grade: Literal["I", "II", "III"] | None = None
    chain: str | None = None
    enterprise: str | None = None
    address: str | None = None
    licence_no: str | None = None
    licence_status: Literal["active", "suspended", "revoked"] | None = None
    active_from: dt.date | None = None

    @model_validator(mode="after")
    def _type_rules(self) -> OutletSpec:
        if self.market_grade and self.outlet_type != "market":
            raise ValueError("market_grade chỉ dùng cho chợ (outlet_type: market)")
        if self.outlet_type != "official" and not self.area:
            raise ValueError("area là bắt buộc (trừ nguồn chính thức)")
        return self


class OutletRegistry(_Strict):
    """An outlets YAML file."""

    outlets: tuple[OutletSpec, ...]

    @model_validator(mode="after")
    def _unique(self) -> OutletRegistry:
        seen: set[str] = set()
        for i, item in enumerate(self.outlets):
            if item.code in seen:
                raise ValueError(f"outlets[{i}].code: mã '{item.code}' bị trùng")
            seen.add(item.code)
        return self


# --- ingest.yaml ------------------------------------------------------------------------------------


class Plausibility(_Strict):
    """How implausible prices are recognised."""

    digit_error_ratio: float = Field(gt=1.5)
    history_days: int = Field(gt=0)
    min_history: int = Field(ge=1)


class IngestRules(_Strict):
    """The whole ingest.yaml file."""

    plausibility: Plausibility
    max_file_mb: int = Field(gt=0)
    reject_report_suffix: str = Field(min_length=1)


# --- areas.yaml ---------------------------------------------------------------------------------------


class AreaUnit(_Strict):
    """A commune-level unit in the gazetteer."""

    code: str
    name: str
    kind: str


class FormerCommune(AreaUnit):
    """A commune before 1 July 2025 and the new commune(s) it went into."""

    becomes: tuple[str, ...] = Field(min_length=1)
    partial: tuple[str, ...] = ()


class FormerDistrict(AreaUnit):
    """A district before 1 July 2025 (the district tier was abolished)."""

    communes: tuple[FormerCommune, ...]


class FormerProvince(AreaUnit):
    """A province merged into the new one."""

    districts: tuple[FormerDistrict, ...]


class AreasConfig(_Strict):
    """The whole areas.yaml file: the province since the merger, its former units, aliases."""

    province: AreaUnit
    merger_date: dt.date
    home_former_province: str
    aliases: dict[str, str] = {}
    communes: tuple[AreaUnit, ...]
    former_provinces: tuple[FormerProvince, ...]

    @model_validator(mode="after")
    def _references(self) -> AreasConfig:
        new_codes = {c.code for c in self.communes}
        if len(new_codes) != len(self.communes):
            raise ValueError("communes: mã bị trùng")
        for p in self.former_provinces:
            for d in p.districts:
                for c in d.communes:
                    for code in (*c.becomes, *c.partial):
                        if code not in new_codes:
                            raise ValueError(
                                f"former_provinces: {c.name} ({c.code}) trỏ tới mã mới '{code}' không có"
                            )
        if self.home_former_province not in {p.code for p in self.former_provinces}:
            raise ValueError("home_former_province: không phải là mã của một tỉnh cũ")
        return self


# --- loading -----------------------------------------------------------------------------------------


# libyaml's loader when present (the gazetteer is large), the pure-Python one otherwise.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(gốc)"


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Read path as YAML and validate it as model; errors name the file, the key and the problem."""
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError as exc:
        raise ConfigError(path, "(tệp)", "không tìm thấy tệp cấu hình") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "(tệp)", f"không đọc được YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(path, "(gốc)", "tệp phải là một bảng khóa: giá trị")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = _key_path(tuple(first["loc"]))
        message = str(first["msg"]).removeprefix("Value error, ")
        if key == "(gốc)" and ": " in message:
            key, message = message.split(": ", 1)
        raise ConfigError(path, key, message) from exc


def config_path(name: str, config_dir: Path | None = None) -> Path:
    """The path of a config file by name."""
    return (config_dir or get_settings().config_dir) / name


def load_commodities(config_dir: Path | None = None) -> CommodityCatalog:
    """The commodity catalogue (config/commodities.yaml)."""
    return load_yaml_model(config_path("commodities.yaml", config_dir), CommodityCatalog)


def load_ingest_rules(config_dir: Path | None = None) -> IngestRules:
    """The ingest rules (config/ingest.yaml)."""
    return load_yaml_model(config_path("ingest.yaml", config_dir), IngestRules)


def load_areas(config_dir: Path | None = None) -> AreasConfig:
    """The province's geography (config/areas.yaml)."""
    return load_yaml_model(config_path("areas.yaml", config_dir), AreasConfig)


def load_outlets(path: Path) -> OutletRegistry:
    """An outlet registry file (e.g. config/outlets.example.yaml)."""
    return load_yaml_model(path, OutletRegistry)


__all__ = [
    "LICENCE_STATUSES",
    "MARKET_GRADES",
    "OUTLET_TYPES",
    "AreasConfig",
    "CommodityCatalog",
    "CommoditySpec",
    "IngestRules",
    "OutletRegistry",
    "OutletSpec",
    "load_areas",
    "load_commodities",
    "load_ingest_rules",
    "load_outlets",
    "load_yaml_model",
]
