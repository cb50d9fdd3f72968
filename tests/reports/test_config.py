"""config/reports.yaml: valid, every key documented in config/README.md, bad values refused by key."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from binhon.errors import ConfigError
from binhon.reports.config import ReportsConfig, load_reports_config

CONFIG = Path(__file__).resolve().parents[2] / "config"


def yaml_paths(node: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from yaml_paths(value, path)


def model_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from model_paths(annotation, path)
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from model_paths(arg, path)


def documented() -> set[str]:
    text = (CONFIG / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## reports.yaml") :]
    return set(re.findall(r"`([^`\n]+)`", section))


def test_every_key_is_documented() -> None:
    data = yaml.safe_load((CONFIG / "reports.yaml").read_text(encoding="utf-8"))
    keys = set(yaml_paths(data)) | set(model_paths(ReportsConfig))
    assert not sorted(keys - documented())


def test_the_shipped_file_loads() -> None:
    cfg = load_reports_config(CONFIG / "reports.yaml")
    assert cfg.monthly.price_types[0] == "retail" and cfg.office.symbol == "BC-SCT"
    assert cfg.commitments.price_levels.of(0.07) == "alert" and cfg.commitments.price_levels.of(0.0) is None


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (("commitments", "price_levels", "alert"), 0.5, "commitments.price_levels"),
        (("monthly", "ceiling_zone"), 3, "monthly.ceiling_zone"),
        (("commitments", "market", "outlet_types"), ["cho"], "commitments.market.outlet_types"),
        (("forecast", "unknown"), 1, "forecast.unknown"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, path: tuple[str, ...], value: object, key: str) -> None:
    data = yaml.safe_load((CONFIG / "reports.yaml").read_text(encoding="utf-8"))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    bad = tmp_path / "reports.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_reports_config(bad)
    assert info.value.key.startswith(key)
