"""The reports configuration (config/reports.yaml), validated: errors name the file and the key.

One file holds the settings of the monthly Thông tư 29/2024 table, the Tết market report and the
Tết review behind it (comparisons, forecast) and the bình ổn commitment checks, because they share
vocabulary and the department's header block. Every key is documented in config/README.md,
section "reports.yaml".
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from binhon.catalog import config_path, load_yaml_model
from binhon.db.models import OUTLET_TYPES

__all__ = [
    "CommitmentChecksConfig",
    "ForecastConfig",
    "MarketConfig",
    "MonthlyConfig",
    "OfficeConfig",
    "ReportsConfig",
    "ReserveConfig",
    "SeverityLevels",
    "TetReportConfig",
    "load_reports_config",
]

Severity = Literal["stress", "alert", "crisis"]
SEVERITIES: tuple[Severity, ...] = ("stress", "alert", "crisis")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficeConfig(_Strict):
    """Who issues the reports: header block, date line, signature, recipients."""

    authority: str = Field(min_length=1)
    department: str = Field(min_length=1)
    department_name: str = Field(min_length=1)
    place: str = Field(min_length=1)
    province: str = Field(min_length=1)
    symbol: str = Field(min_length=1)
    signature: tuple[str, ...] = ()
    signer: str = ""
    recipients: tuple[str, ...] = ()


class SourceLabels(_Strict):
    """How each outlet type is named in the column "Nguồn thông tin"."""

    market: str
    supermarket: str
    convenience: str
    petrol: str
    enterprise: str
    official: str

    def label(self, outlet_type: str) -> str:
        """The label of one outlet type."""
        return str(getattr(self, outlet_type, outlet_type))


class MonthlyConfig(_Strict):
    """The monthly market-price table (Thông tư 29/2024/TT-BTC)."""

    price_types: tuple[Literal["retail", "wholesale", "ceiling"], ...] = Field(min_length=1)
    include_empty: bool
    ceiling_zone: Literal[1, 2]
    rate_decimals: int = Field(ge=0, le=4)
    source_prefix: str = Field(min_length=1)
    ceiling_source: str = Field(min_length=1)
    source_labels: SourceLabels


class TetReportConfig(_Strict):
    """The Tết market report and the review behind it."""

    commodities: tuple[str, ...] = ()
    previous_seasons: int = Field(ge=1, le=5)
    month_before_days: int = Field(ge=7, le=60)
    change_decimals: int = Field(ge=0, le=3)
    top_drivers: int = Field(ge=1)
    max_alerts_listed: int = Field(ge=0)


class ForecastConfig(_Strict):
    """The Tết-window forecast and its backtest."""

    enabled: bool
    alpha: float = Field(gt=0, lt=1)
    bin_days: int = Field(ge=1, le=14)
    backtest_seasons: int = Field(ge=0, le=5)
    min_training_seasons: int = Field(ge=1)
    min_training_bins: int = Field(ge=5)
    naive_days: int = Field(ge=1)


class SeverityLevels(_Strict):
    """Severity by how far a value is past its limit (fraction); the first level strictly exceeded."""

    stress: float = Field(ge=0)
    alert: float = Field(ge=0)
    crisis: float = Field(ge=0)

    @model_validator(mode="after")
    def _rising(self) -> SeverityLevels:
        if not self.stress <= self.alert <= self.crisis:
            raise ValueError("các mức stress ≤ alert ≤ crisis phải tăng dần")
        return self

    def of(self, gap: float) -> Severity | None:
        """The severity of a gap (None below the stress level)."""
        found: Severity | None = None
        for name in SEVERITIES:
            level = getattr(self, name)
            if (gap > level) if name == "stress" else (gap >= level):
                found = name
        return found


class MarketConfig(_Strict):
    """The market price a margin commitment is measured against."""

    outlet_types: tuple[str, ...] = Field(min_length=1)
    window_days: int = Field(ge=1, le=60)
    min_outlets: int = Field(ge=1)

    @field_validator("outlet_types")
    @classmethod
    def _known_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if v not in OUTLET_TYPES]
        if bad:
            raise ValueError(
                f"loại điểm bán không hợp lệ: {', '.join(bad)} (dùng: {', '.join(OUTLET_TYPES)})"
            )
        return value


class ReserveConfig(_Strict):
    """Reserve stock checks ahead of Tết."""

    window: tuple[int, int]
    tolerance: float = Field(ge=0, lt=1)
    levels: SeverityLevels
    missing_after_days: int = Field(ge=0)
    missing_severity: Severity

    @field_validator("window")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] > value[1] or abs(value[0]) > 170 or abs(value[1]) > 170:
            raise ValueError("cửa sổ [đầu, cuối] phải có đầu ≤ cuối, trong khoảng ±170 ngày quanh Tết")
        return value


class CommitmentChecksConfig(_Strict):
    """Checks of the bình ổn commitments (alert kind ``commitment_breach``)."""

    tolerance: float = Field(ge=0, lt=1)
    price_levels: SeverityLevels
    market: MarketConfig
    reserve: ReserveConfig
    risk_headroom: float = Field(ge=0, lt=1)


class ReportsConfig(_Strict):
    """The whole config/reports.yaml."""

    office: OfficeConfig
    monthly: MonthlyConfig
    tet_report: TetReportConfig
    forecast: ForecastConfig
    commitments: CommitmentChecksConfig


def load_reports_config(path: Path | None = None) -> ReportsConfig:
    """The reports configuration (config/reports.yaml of the configured config dir)."""
    return load_yaml_model(path or config_path("reports.yaml"), ReportsConfig)
