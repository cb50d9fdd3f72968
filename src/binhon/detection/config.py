"""The detection configuration (config/detection.yaml), validated: errors name the file and the key.

Every threshold and window of the detectors lives in the YAML file; the model below has no
defaults on purpose, so that the file is the single place where numbers are set. Tests and
benchmarks derive variants with :func:`with_overrides`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from binhon.catalog import config_path, load_yaml_model

__all__ = [
    "AlpsConfig",
    "CeilingConfig",
    "CommitmentConfig",
    "DetectionConfig",
    "HistoryConfig",
    "Level",
    "Levels",
    "PeersConfig",
    "PersistenceConfig",
    "PriceDetectorConfig",
    "PromotionConfig",
    "RuleLevels",
    "RunConfig",
    "StaleConfig",
    "TetConfig",
    "load_detection_config",
    "with_overrides",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Strict):
    """A severity level of a price detector: both the robust z and the relative deviation must reach it."""

    z: float = Field(gt=0)
    pct: float = Field(ge=0)


class Levels(_Strict):
    """The three severity levels, in rising order; ``stress`` is the level at which an alert is raised."""

    stress: Level
    alert: Level
    crisis: Level

    @model_validator(mode="after")
    def _rising(self) -> Levels:
        if not (
            self.stress.z <= self.alert.z <= self.crisis.z
            and self.stress.pct <= self.alert.pct <= self.crisis.pct
        ):
            raise ValueError("các mức stress ≤ alert ≤ crisis phải tăng dần (cả z và pct)")
        return self


class RuleLevels(_Strict):
    """Severity of a rule breach by how far the price is above the limit (fraction, 0.05 = 5 %)."""

    stress: float = Field(ge=0)
    alert: float = Field(ge=0)
    crisis: float = Field(ge=0)

    @model_validator(mode="after")
    def _rising(self) -> RuleLevels:
        if not self.stress <= self.alert <= self.crisis:
            raise ValueError("các mức stress ≤ alert ≤ crisis phải tăng dần")
        return self


class RunConfig(_Strict):
    """Which days a run judges."""

    first_run_days: int | None = Field(ge=1)
    late_data_days: int = Field(ge=0)
    workers: int = Field(ge=1)


class HistoryConfig(_Strict):
    """The series' own robust local level and spread (look-back windows in days)."""

    price_types: tuple[Literal["retail", "wholesale"], ...] = Field(min_length=1)
    level_window_days: int = Field(ge=3)
    level_gap_days: int = Field(ge=0)
    min_level_obs: int = Field(ge=1)
    spread_window_days: int = Field(ge=7)
    spread_gap_days: int = Field(ge=0)
    min_spread_obs: int = Field(ge=3)
    min_rel_spread: float = Field(gt=0)
    tick_factor: float = Field(ge=0)
    drift_days: int = Field(ge=1)


class TetConfig(_Strict):
    """The Tết-aware ramp profile learned from past seasons of the series and its peers."""

    reference_window: tuple[int, int]
    profile_end: int = Field(ge=0, le=170)
    end_window_days: int = Field(ge=1)
    past_seasons: int = Field(ge=1)
    smoothing_days: int = Field(ge=0)
    own_weight_prior: float = Field(gt=0)
    own_max_z: float = Field(ge=0)
    min_reference_obs: int = Field(ge=1)
    min_pool: int = Field(ge=1)
    min_spread: float = Field(gt=0)
    min_rel_spread: float = Field(ge=0)

    @model_validator(mode="after")
    def _window(self) -> TetConfig:
        start, end = self.reference_window
        if not -170 <= start <= end < 0:
            raise ValueError("reference_window: phải là [đầu, cuối] với -170 ≤ đầu ≤ cuối < 0")
        if self.end_window_days > self.profile_end + 1:
            raise ValueError("end_window_days: không được dài hơn đoạn từ mùng 1 đến profile_end")
        return self

    @property
    def ramp_start(self) -> int:
        """First offset (days to Tết) judged against the season's reference level plus the ramp."""
        return self.reference_window[1] + 1


class PeersConfig(_Strict):
    """Peers: the same commodity and price type at other outlets."""

    min_peers: int = Field(ge=1)
    max_age_days: int = Field(ge=0)
    exclude_own_district: bool
    same_class: bool
    classes: dict[str, str]


class PersistenceConfig(_Strict):
    """When a flagged observation raises an alert, and when a later one extends it."""

    confirm_observations: int = Field(ge=1)
    immediate_factor: float = Field(ge=1)
    continue_ratio: float = Field(gt=0, le=1)
    extend_gap_days: int = Field(ge=0)
    max_obs_gap_days: int = Field(ge=1)
    own_move: bool


class PriceDetectorConfig(_Strict):
    """A price detector (spike, drop, outlet outlier, district, province)."""

    enabled: bool
    skip_fuel: bool
    levels: Levels
    min_series: int = Field(ge=1)
    min_rel_spread: float = Field(gt=0)


class OutlierConfig(PriceDetectorConfig):
    """Outlet against its peers on the same day."""

    usual_window_days: int = Field(ge=7)
    usual_gap_days: int = Field(ge=0)
    min_usual_obs: int = Field(ge=1)


class CeilingConfig(_Strict):
    """Retail price above the official ceiling in force for the outlet's fuel zone."""

    enabled: bool
    source_outlet_types: tuple[str, ...] = Field(min_length=1)
    change_time: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    ambiguous: Literal["skip", "higher"]
    tolerance_vnd: int = Field(ge=0)
    levels: RuleLevels


class CommitmentConfig(_Strict):
    """Bình ổn participant above its committed price."""

    enabled: bool
    tolerance_pct: float = Field(ge=0)
    max_age_days: int | None = Field(ge=1)
    levels: RuleLevels


class StaleLevels(_Strict):
    """Severity of a silence by how many times the stale threshold it has lasted."""

    stress: float = Field(ge=1)
    alert: float = Field(ge=1)
    crisis: float = Field(ge=1)

    @model_validator(mode="after")
    def _rising(self) -> StaleLevels:
        if not self.stress <= self.alert <= self.crisis:
            raise ValueError("các mức stress ≤ alert ≤ crisis phải tăng dần")
        return self


class PromotionConfig(_Strict):
    """Short price dips of outlet types that run promotions (supermarkets, convenience stores)."""

    enabled: bool
    outlet_types: tuple[str, ...]
    max_days: int = Field(ge=1)
    min_dip_pct: float = Field(gt=0, lt=1)
    level_quantile: float = Field(ge=0.5, le=1)
    regular_window_days: int = Field(ge=3)


class StaleConfig(_Strict):
    """A monitored series that has gone quiet."""

    enabled: bool
    lookback_days: int = Field(ge=7)
    min_observations: int = Field(ge=3)
    gap_quantile: float = Field(gt=0, le=1)
    factor: float = Field(ge=1)
    max_gap_factor: float = Field(ge=0)
    min_silent_days: int = Field(ge=1)
    tet_closure: tuple[int, int]
    levels: StaleLevels


class AlpsConfig(_Strict):
    """ALPS (WFP) and IPA (FAO) on monthly means, shown as extra figures."""

    enabled: bool
    min_months: int = Field(ge=13)
    tet_pre_days: int = Field(ge=1, le=60)
    tet_post_days: int = Field(ge=0, le=60)
    classes: tuple[float, float, float]
    ipa_min_years: int = Field(ge=1)
    ipa_classes: tuple[float, float]


class DetectionConfig(_Strict):
    """The whole config/detection.yaml."""

    run: RunConfig
    history: HistoryConfig
    tet: TetConfig
    peers: PeersConfig
    persistence: PersistenceConfig
    spike: PriceDetectorConfig
    drop: PriceDetectorConfig
    outlier: OutlierConfig
    district: PriceDetectorConfig
    province: PriceDetectorConfig
    promotion: PromotionConfig
    ceiling: CeilingConfig
    commitment: CommitmentConfig
    stale: StaleConfig
    alps: AlpsConfig

    @property
    def lookback_days(self) -> int:
        """How many days before a judged day its computations may reach (incremental runs load this)."""
        h, t, o = self.history, self.tet, self.outlier
        # Prices far from their peers (the outlier comparison, with the outlet's usual gap) are left
        # out of the levels.
        outlying = o.usual_window_days + o.usual_gap_days + 6 + self.peers.max_age_days
        level = max(h.level_window_days, self.promotion.regular_window_days) + h.level_gap_days + outlying
        # A judged day in a Tết ramp uses its season's reference window.
        season = t.profile_end - t.reference_window[0] + 1 + outlying
        # The spread uses deviations outside ramps (their level reaches back `level` days), evaluated
        # on weekly anchors (up to 6 days earlier).
        spread = h.spread_window_days + h.spread_gap_days + level + h.drift_days + 6
        district = spread
        usual = o.usual_window_days + o.usual_gap_days + 6 + self.peers.max_age_days
        stale = self.stale.lookback_days + 6 + self.stale.tet_closure[1] - self.stale.tet_closure[0] + 1
        return max(spread, district, usual, stale, season, level) + self.peers.max_age_days + 1

    @property
    def context_days(self) -> int:
        """Days before the first judged day recomputed for persistence and extension decisions."""
        p = self.persistence
        return p.max_obs_gap_days * max(p.confirm_observations, 2) + p.extend_gap_days + 1


def load_detection_config(path: Path | None = None) -> DetectionConfig:
    """The detection configuration (config/detection.yaml of the configured config dir)."""
    return load_yaml_model(path or config_path("detection.yaml"), DetectionConfig)


def with_overrides(config: DetectionConfig, overrides: dict[str, Any]) -> DetectionConfig:
    """A copy of ``config`` with dotted keys replaced, e.g. ``{"spike.levels.stress.z": 5.0}``; validated."""
    data = config.model_dump()
    for dotted, value in overrides.items():
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            if part not in node:
                raise KeyError(dotted)
            node = node[part]
        if last not in node:
            raise KeyError(dotted)
        node[last] = value
    return DetectionConfig.model_validate(data)
