"""The demo database: deterministic, realistic and clearly labelled price data (DỮ LIỆU MẪU).

:func:`build_demo` fills an empty, migrated database with about three years of invented prices for
the former Trà Vinh province (since 1 July 2025 part of the new Vĩnh Long province):

* the outlets of ``config/outlets.example.yaml`` (markets of all 9 former districts, supermarkets,
  convenience stores, petrol stations in fuel zones 1 and 2, LPG dealers, the sale points of a bình
  ổn participant, the two official sources of the Ministry's fuel ceilings), loaded by
  :func:`binhon.sync.sync_outlets`;
* daily market prices, store prices several times a week, bình ổn sale points with their
  ``committed`` prices, LPG dealers, petrol stations, and the fuel ``ceiling`` prices adjusted every
  Thursday at 15:00 (with the Tết rule), zone 2 = zone 1 × 1,02;
* the usual patterns: a slow trend per commodity, weekly noise, a normal pre-Tết rise that differs
  by commodity and year and falls back after Tết, markets closed from 30 Tết to mùng 3, supermarket
  promotions, the back-to-school season (milk, sugar), the monthly LPG price;
* a few labelled abnormal episodes (:class:`DemoEpisode`) that the detectors should find; they are
  returned in the summary and written to the ``details`` of the demo's ingest batch.

Every price enters through the validated ingest path (:class:`binhon.ingest.Ingestor`, channel and
source ``demo``), in one batch. The same seed and dates give exactly the same observations; nothing
depends on the clock (the default end is fixed) or on files outside the project.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from binhon.catalog import OutletRegistry, OutletSpec, config_path, load_commodities, load_outlets
from binhon.db.engine import session_scope
from binhon.db.models import Commodity, IngestBatch, Observation, Outlet, OutletSuspension
from binhon.errors import BinhonError
from binhon.formatting import format_date, format_number, format_percent, format_vnd
from binhon.ingest.csvfile import KNOWN_COLUMNS, LINE, CsvChunk
from binhon.ingest.pipeline import Ingestor
from binhon.settings import get_settings
from binhon.sync import ensure_ready, sync_outlets
from binhon.tet import lunar_year_name, tet_date

__all__ = [
    "DEFAULT_END",
    "DEFAULT_SEED",
    "DEMO_LABEL",
    "DEMO_SOURCE",
    "DemoEpisode",
    "DemoError",
    "DemoSummary",
    "TetSeason",
    "build_demo",
    "default_start",
    "demo_episodes",
    "observations_digest",
]

#: The label every demo output carries.
DEMO_LABEL = "DỮ LIỆU MẪU (demo) – không phải số liệu thật"
#: ``source`` of every demo observation, and the ingest channel/actor of the demo batch.
DEMO_SOURCE = "demo"
DEFAULT_SEED = 2027
#: A fixed end date, so that the default demo never depends on the day it is built.
DEFAULT_END = dt.date(2026, 11, 15)
DEFAULT_YEARS = 3
OUTLETS_FILE = "outlets.example.yaml"
#: Rows per ingest chunk (the ingest path takes at most 200 000 at a time).
CHUNK_ROWS = 200_000
#: Outlets of this chain are the sale points of the bình ổn participant (committed prices).
BINH_ON_CHAIN = "Cửu Long Xanh"
ZONE2_MARKUP = 1.02
ADJUSTMENT_TIME = "15:00"
#: Markets close from 30 Tết (the last day of the lunar year) to mùng 3: offsets -1..2 from mùng 1.
MARKET_CLOSED = (-1, 2)
#: Stores and sale points report every day in these last weeks before Tết (closer monitoring).
DAILY_BEFORE_TET = (-21, -2)
#: The suspended petrol station of the example registry: from when, and why.
SUSPENDED_STATION = "XD-DNTN-PHUVINH"
SUSPENSION_START = dt.date(2026, 9, 1)
SUSPENSION_REASON = "Tạm ngừng kinh doanh để cải tạo, sửa chữa cửa hàng (dữ liệu mẫu)"

_ROUND_FUEL = 10


class DemoError(BinhonError):
    """The demo cannot be built here (e.g. the database already holds prices)."""


# --- result ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoEpisode:
    """An abnormal episode injected into the demo data, for the detectors to find.

    ``kind`` is the alert kind a detector should raise (CONTRACT kinds); ``also`` lists other kinds
    that are a fair answer too. ``magnitude`` is the injected relative change (+0,45 = 45 % above
    the usual level; for a ceiling breach, relative to the ceiling; for ``stale``, 0).
    """

    code: str
    kind: str
    commodities: tuple[str, ...]
    outlets: tuple[str, ...]
    start: dt.date
    end: dt.date
    magnitude: float
    description: str
    also: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as YYYY-MM-DD)."""
        return {
            "code": self.code,
            "kind": self.kind,
            "also": list(self.also),
            "commodities": list(self.commodities),
            "outlets": list(self.outlets),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "magnitude": self.magnitude,
            "description": self.description,
        }


@dataclass(frozen=True)
class TetSeason:
    """A Tết inside the demo period."""

    year: int
    date: dt.date
    name: str

    @property
    def label(self) -> str:
        """'Tết Bính Ngọ (17/02/2026)'."""
        return f"Tết {self.name} ({format_date(self.date)})"


@dataclass
class DemoSummary:
    """What :func:`build_demo` built."""

    seed: int
    start: dt.date
    end: dt.date
    outlets: int
    outlets_by_type: dict[str, int]
    districts: list[str]
    commodities: int
    observations: int
    observations_by_type: dict[str, int]
    ceiling_adjustments: int
    tet_seasons: list[TetSeason]
    episodes: list[DemoEpisode]
    batch_id: int
    content_sha256: str
    seconds: float = 0.0
    label: str = DEMO_LABEL
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "label": self.label,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "outlets": self.outlets,
            "outlets_by_type": dict(self.outlets_by_type),
            "districts": list(self.districts),
            "commodities": self.commodities,
            "observations": self.observations,
            "observations_by_type": dict(self.observations_by_type),
            "ceiling_adjustments": self.ceiling_adjustments,
            "tet_seasons": [
                {"year": t.year, "date": t.date.isoformat(), "name": t.name} for t in self.tet_seasons
            ],
            "episodes": [e.to_dict() for e in self.episodes],
            "content_sha256": self.content_sha256,
        }

    def describe(self) -> list[str]:
        """Vietnamese lines describing the demo database, starting with the demo label."""
        types = ", ".join(
            f"{format_number(n)} {_TYPE_LABELS.get(t, t)}"
            for t, n in sorted(self.outlets_by_type.items(), key=_type_order)
        )
        kinds = ", ".join(
            f"{format_number(n)} {_PRICE_TYPE_LABELS.get(t, t)}"
            for t, n in sorted(self.observations_by_type.items())
        )
        days = (self.end - self.start).days + 1
        lines = [
            f"{self.label}.",
            "Cơ sở dữ liệu mẫu về giá cả thị trường của tỉnh Trà Vinh cũ (từ 01/07/2025 thuộc tỉnh"
            " Vĩnh Long),"
            ' dựng tự động để trình diễn và thử nghiệm; mọi giá đều là giá bịa, ghi nguồn "demo".',
            f"Thời gian: {format_date(self.start)} – {format_date(self.end)} ({format_number(days)} ngày);"
            f" hạt giống ngẫu nhiên {self.seed} (cùng hạt giống, cùng kết quả).",
            f"Điểm bán: {format_number(self.outlets)} ({types}), ở đủ"
            f" {format_number(len(self.districts))} huyện,"
            " thị xã, thành phố cũ.",
            f"Mặt hàng: {format_number(self.commodities)}; quan sát giá đã lưu:"
            f" {format_number(self.observations)}"
            f" ({kinds}).",
            "Các mùa Tết: " + "; ".join(t.label for t in self.tet_seasons) + "."
            if self.tet_seasons
            else "Các mùa Tết: không có Tết nào trong khoảng thời gian này.",
            f"Giá bán lẻ tối đa xăng dầu: {format_number(self.ceiling_adjustments)} kỳ điều chỉnh (thứ"
            " Năm, 15:00;"
            " Tết và ngày lễ theo quy tắc lùi/dời ngày), vùng 2 = vùng 1 × 1,02.",
            "Chợ nghỉ Tết từ 30 Tết đến hết mùng 3 (không có số liệu); siêu thị, cửa hàng tiện lợi có các đợt"
            " khuyến mại ngắn (gạo, trứng, đường, dầu ăn, sữa: giảm 5–15% trong 3–7 ngày);"
            " sữa, đường tăng nhẹ mùa khai giảng.",
        ]
        lines.extend(self.notes)
        if self.episodes:
            lines.append(
                f"Các tình huống bất thường được cài sẵn để kiểm tra cảnh báo ({len(self.episodes)}):"
            )
            for i, ep in enumerate(self.episodes, 1):
                span = (
                    format_date(ep.start)
                    if ep.start == ep.end
                    else f"{format_date(ep.start)} – {format_date(ep.end)}"
                )
                lines.append(f"  {i}. [{_KIND_LABELS.get(ep.kind, ep.kind)}] {span}: {ep.description}")
        else:
            lines.append("Không có tình huống bất thường nào được cài trong khoảng thời gian này.")
        if self.seconds:
            lines.append(f"Thời gian dựng: {format_number(self.seconds, 1)} giây.")
        return lines


_TYPE_LABELS = {
    "market": "chợ",
    "supermarket": "siêu thị",
    "convenience": "cửa hàng tiện lợi",
    "petrol": "cửa hàng xăng dầu",
    "enterprise": "doanh nghiệp/điểm bán",
    "official": "nguồn chính thức",
}
_TYPE_ORDER = list(_TYPE_LABELS)
_PRICE_TYPE_LABELS = {
    "retail": "giá bán lẻ",
    "ceiling": "giá trần",
    "committed": "giá cam kết bình ổn",
    "wholesale": "giá bán buôn",
}
_KIND_LABELS = {
    "spike": "tăng bất thường",
    "drop": "giảm bất thường",
    "outlet_outlier": "giá lệch hẳn các điểm bán khác",
    "ceiling_breach": "vượt giá trần",
    "commitment_breach": "vượt giá cam kết bình ổn",
    "stale": "ngừng báo giá",
}


def _type_order(item: tuple[str, int]) -> int:
    return _TYPE_ORDER.index(item[0]) if item[0] in _TYPE_ORDER else len(_TYPE_ORDER)


# --- the price model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Good:
    """How one commodity's price behaves (levels in đồng per the commodity's unit)."""

    base: float  # province-wide market level where its trend is 1
    trend: str  # key of _TRENDS: slow movement shared by related goods
    beta: float = 1.0  # how strongly the good follows its trend (on the log scale)
    weekly_sd: float = 0.01  # weekly common noise (log), AR(1)
    daily_sd: float = 0.0  # day-to-day noise at one outlet (log)
    outlet_sd: float = 0.03  # lasting price difference between outlets (log)
    tet: tuple[float, float] = (0.0, 0.0)  # the normal pre-Tết rise, drawn for each Tết in this range
    lead: tuple[int, int] = (14, 21)  # the rise starts this many days before mùng 1
    school: float = 0.0  # rise in the back-to-school season
    season: float = 0.0  # amplitude of an annual cycle (log)
    season_peak: int = 280  # day of the year of its peak


# Slow trends: (date, multiplier), log-linear in between, flat outside.
# fmt: off
_TRENDS: dict[str, tuple[tuple[str, float], ...]] = {
    "rice": (("2023-01-01", 0.97), ("2023-11-01", 1.0), ("2024-03-01", 1.05), ("2024-08-15", 1.12),
             ("2025-02-01", 0.98), ("2025-08-01", 0.92), ("2026-04-01", 0.95), ("2027-12-31", 0.98)),
    "pork": (("2023-01-01", 0.95), ("2023-11-01", 1.0), ("2024-03-01", 1.08), ("2024-07-15", 1.25),
             ("2025-01-15", 1.2), ("2025-06-15", 1.3), ("2025-10-15", 1.07), ("2026-03-01", 1.1),
             ("2026-08-01", 1.15), ("2027-12-31", 1.12)),
    "beef": (("2023-01-01", 0.97), ("2023-11-01", 1.0), ("2025-01-01", 1.05), ("2026-06-01", 1.09),
             ("2027-12-31", 1.1)),
    "poultry": (("2023-01-01", 1.0), ("2024-06-01", 0.95), ("2025-03-01", 1.06), ("2026-01-01", 1.02),
                ("2027-12-31", 1.05)),
    "eggs": (("2023-01-01", 1.02), ("2023-11-01", 1.0), ("2024-05-01", 0.88), ("2024-11-01", 1.02),
             ("2025-06-01", 1.1), ("2026-02-01", 0.97), ("2026-09-01", 1.03), ("2027-12-31", 1.02)),
    "fish": (("2023-01-01", 1.0), ("2024-09-01", 1.06), ("2025-04-01", 1.0), ("2026-05-01", 1.08),
             ("2027-12-31", 1.08)),
    "veg": (("2023-01-01", 1.0), ("2027-12-31", 1.08)),
    "sugar": (("2023-01-01", 0.97), ("2023-11-01", 1.0), ("2024-06-01", 1.04), ("2025-06-01", 0.9),
              ("2026-11-01", 0.88), ("2027-12-31", 0.9)),
    "salt": (("2023-01-01", 1.0), ("2027-12-31", 1.08)),
    "oil": (("2023-01-01", 1.0), ("2024-06-01", 0.97), ("2025-03-01", 1.06), ("2026-11-01", 1.08),
            ("2027-12-31", 1.08)),
    "milk": (("2023-01-01", 0.99), ("2025-01-01", 1.03), ("2026-11-01", 1.06), ("2027-12-31", 1.07)),
}

# Parameters per commodity (see _Good).
_GOODS: dict[str, _Good] = {
    "gao-te-thuong": _Good(15000, "rice", weekly_sd=0.006, daily_sd=0.004, outlet_sd=0.04, tet=(0.02, 0.05)),
    "gao-thom": _Good(20000, "rice", beta=0.8, weekly_sd=0.006, daily_sd=0.004, outlet_sd=0.05,
                      tet=(0.02, 0.06)),
    "thit-lon-hoi": _Good(52000, "pork", weekly_sd=0.02, daily_sd=0.008, outlet_sd=0.025, tet=(0.06, 0.12),
                          lead=(10, 18)),
    "thit-lon-nac": _Good(110000, "pork", beta=0.6, weekly_sd=0.012, daily_sd=0.012, outlet_sd=0.04,
                          tet=(0.12, 0.25)),
    "thit-lon-ba-roi": _Good(125000, "pork", beta=0.6, weekly_sd=0.012, daily_sd=0.012, outlet_sd=0.04,
                             tet=(0.12, 0.25)),
    "thit-bo": _Good(270000, "beef", weekly_sd=0.006, daily_sd=0.008, outlet_sd=0.05, tet=(0.08, 0.15)),
    "ga-ta": _Good(115000, "poultry", weekly_sd=0.012, daily_sd=0.015, outlet_sd=0.05, tet=(0.15, 0.28)),
    "trung-ga": _Good(30000, "eggs", weekly_sd=0.015, daily_sd=0.01, outlet_sd=0.04, tet=(0.1, 0.2)),
    "ca-loc": _Good(58000, "fish", weekly_sd=0.02, daily_sd=0.02, outlet_sd=0.05, tet=(0.08, 0.18)),
    "bap-cai": _Good(14000, "veg", weekly_sd=0.04, daily_sd=0.03, outlet_sd=0.06, tet=(0.15, 0.3),
                     season=0.15, season_peak=290),
    "duong-trang": _Good(24000, "sugar", weekly_sd=0.004, outlet_sd=0.03, school=0.04, tet=(0.02, 0.04)),
    "muoi-hat": _Good(8000, "salt", weekly_sd=0.003, outlet_sd=0.05),
    "dau-an": _Good(48000, "oil", weekly_sd=0.005, outlet_sd=0.04, tet=(0.01, 0.03)),
    "sua-bot-tre-em": _Good(460000, "milk", weekly_sd=0.004, outlet_sd=0.03, school=0.03),
}

# What each kind of outlet sells (food at markets and stores, milk at stores only).
MARKET_GOODS = (
    "gao-te-thuong", "gao-thom", "thit-lon-hoi", "thit-lon-nac", "thit-lon-ba-roi", "thit-bo", "ga-ta",
    "trung-ga", "ca-loc", "bap-cai", "duong-trang", "muoi-hat", "dau-an",
)
STORE_GOODS = (
    "gao-te-thuong", "gao-thom", "thit-lon-nac", "thit-lon-ba-roi", "thit-bo", "ga-ta", "trung-ga", "ca-loc",
    "bap-cai", "duong-trang", "muoi-hat", "dau-an", "sua-bot-tre-em",
)
SALE_POINT_GOODS = (
    "gao-te-thuong", "gao-thom", "thit-lon-nac", "thit-lon-ba-roi", "ga-ta", "trung-ga", "ca-loc",
    "duong-trang", "muoi-hat", "dau-an",
)
LPG = "gas-lpg-12kg"
# Supermarket/convenience promotions (short price dips): which goods, how often on average per
# store and good, how long (days, inclusive range) and how deep (fraction off, range).
PROMO_GOODS = ("gao-te-thuong", "gao-thom", "trung-ga", "duong-trang", "dau-an", "sua-bot-tre-em")
PROMO_EVERY_DAYS = 100
PROMO_DAYS = (3, 7)
PROMO_DISCOUNT = (0.05, 0.15)

# Fuel products: (code, walk, factor, spread in đồng, first day with a ceiling or None).
_FUELS: tuple[tuple[str, str, float, float, dt.date | None], ...] = (
    ("xang-e5-ron92", "gasoline", 1.0, 0.0, None),
    ("xang-ron95-iii", "gasoline", 1.045, 0.0, None),
    ("xang-e10-ron95-iii", "gasoline", 1.045, -350.0, dt.date(2025, 8, 1)),
    ("dau-do-005s", "diesel", 1.0, 0.0, None),
    ("dau-do-0001s", "diesel", 1.0, 550.0, dt.date(2024, 7, 1)),
    ("dau-hoa", "diesel", 1.005, 100.0, None),
)
_FUEL_BASE = {"gasoline": 21800.0, "diesel": 19500.0}
_FUEL_TRENDS: dict[str, tuple[tuple[str, float], ...]] = {
    "gasoline": (("2023-01-01", 1.06), ("2023-11-01", 1.05), ("2024-04-15", 1.07), ("2024-09-15", 0.92),
                 ("2025-04-15", 0.88), ("2025-10-15", 0.9), ("2026-03-15", 1.08), ("2026-07-15", 1.02),
                 ("2026-11-15", 0.97), ("2027-12-31", 0.97)),
    "diesel": (("2023-01-01", 1.12), ("2023-11-01", 1.1), ("2024-04-15", 1.04), ("2024-09-15", 0.93),
               ("2025-04-15", 0.9), ("2025-10-15", 0.93), ("2026-03-15", 1.15), ("2026-07-15", 1.05),
               ("2026-11-15", 1.0), ("2027-12-31", 1.0)),
}
# fmt: on

#: Products every petrol station sells; brand stations sell all fuels.
_BASIC_FUELS = ("xang-e5-ron92", "xang-ron95-iii", "dau-do-005s")
_BRANDS = ("Petrolimex", "PVOIL")


# --- calendar ----------------------------------------------------------------------------------


class _Calendar:
    """The demo's days with their offset from the nearest Tết and the Tết they belong to."""

    def __init__(self, first: dt.date, start: dt.date, end: dt.date) -> None:
        self.first = first
        self.start = start
        self.end = end
        self.days = pd.date_range(first, end, freq="D")
        self.n = len(self.days)
        self.start_idx = (start - first).days
        self.ordinal = np.array([d.toordinal() for d in self.days.date], dtype=np.int64)
        self.weekday = self.days.day_of_week.to_numpy()
        self.doy = self.days.day_of_year.to_numpy()
        self.iso = np.array([d.isoformat() for d in self.days.date], dtype=object)
        years = range(first.year - 1, end.year + 2)
        self.tets = [tet_date(y) for y in years]
        tet_ord = np.array([t.toordinal() for t in self.tets], dtype=np.int64)
        diff = self.ordinal[:, None] - tet_ord[None, :]
        nearest = np.argmin(np.abs(diff), axis=1)
        self.k = diff[np.arange(self.n), nearest]
        self.tet_index = nearest  # index into self.tets

    def index(self, d: dt.date) -> int:
        return (d - self.first).days

    def span(self, a: dt.date, b: dt.date) -> np.ndarray:
        """Boolean mask of the days a..b (inclusive)."""
        o = self.ordinal
        return (o >= a.toordinal()) & (o <= b.toordinal())

    def weekly_walk(self, rng: np.random.Generator, sd: float, phi: float = 0.85) -> np.ndarray:
        """A stationary weekly AR(1) with standard deviation sd, interpolated to days."""
        weeks = self.n // 7 + 2
        e = rng.standard_normal(weeks) * sd * math.sqrt(1 - phi * phi)
        w = np.empty(weeks)
        w[0] = rng.standard_normal() * sd
        for i in range(1, weeks):
            w[i] = phi * w[i - 1] + e[i]
        x = np.arange(self.n) / 7.0
        return np.interp(x, np.arange(weeks), w)


def _knots(cal: _Calendar, knots: Sequence[tuple[str, float]]) -> np.ndarray:
    """A log-linear trend through the knots, as multipliers per day."""
    xs = np.array([dt.date.fromisoformat(d).toordinal() for d, _ in knots], dtype=float)
    ys = np.log(np.array([m for _, m in knots], dtype=float))
    return np.exp(np.interp(cal.ordinal.astype(float), xs, ys))


def _school_profile(cal: _Calendar) -> np.ndarray:
    """0 outside the back-to-school season; rising through August to 1, back to 0 by the end of September."""
    out = np.zeros(cal.n)
    for year in range(cal.first.year, cal.end.year + 1):
        a = dt.date(year, 8, 1).toordinal()
        top = a + 20
        hold = dt.date(year, 9, 15).toordinal()
        stop = hold + 15
        o = cal.ordinal
        out += np.clip((o - a) / (top - a), 0, 1) * (o <= hold)
        out += np.clip((stop - o) / (stop - hold), 0, 1) * (o > hold)
    return out


def _tet_profile(k: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Share of the pre-Tết rise on each day: rising from -lead to 29 Tết, held, then falling back."""
    rise = np.clip((k + lead) / np.maximum(lead - 2, 1), 0, 1) ** 1.6
    after = 0.7 * np.exp(-(k - 3) / 6.0)
    return np.where(k <= 2, rise, np.where(k <= 30, after, 0.0))


def _adjustment_day(thursday: dt.date, vn_holidays: holidays.HolidayBase) -> dt.date:
    """The day the fuel ceiling is adjusted in the week of ``thursday`` (REFERENCE C.4).

    If Thursday is the last day of the lunar year, the Wednesday before; if it is mùng 1–3, mùng 4;
    if it is another public holiday, the first working day after.
    """
    tet = tet_date(thursday.year) if thursday.month < 6 else tet_date(thursday.year + 1)
    k = (thursday - tet).days
    if k == -1:
        return thursday - dt.timedelta(days=1)
    if 0 <= k <= 2:
        return tet + dt.timedelta(days=3)
    if abs(k) <= 10:
        return thursday
    day = thursday
    while day in vn_holidays or day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _adjustment_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Adjustment days from the last one on or before start up to end."""
    vn = holidays.country_holidays("VN", years=range(start.year - 1, end.year + 2))
    first_thursday = start - dt.timedelta(days=14)
    first_thursday += dt.timedelta(days=(3 - first_thursday.weekday()) % 7)
    days = []
    t = first_thursday
    while t <= end:
        days.append(_adjustment_day(t, vn))
        t += dt.timedelta(days=7)
    days = sorted(d for d in set(days) if d <= end)
    before = [d for d in days if d <= start]
    return ([before[-1]] if before else []) + [d for d in days if d > start]


# --- rounding ----------------------------------------------------------------------------------


def _round_market(p: np.ndarray) -> np.ndarray:
    step = np.where(p < 40_000, 500, np.where(p < 150_000, 1000, 5000))
    return (np.round(p / step) * step).astype(np.int64)


def _round_store(p: np.ndarray) -> np.ndarray:
    """Shelf prices ending in 900 (24.900 ₫)."""
    return (np.round(p / 1000) * 1000 - 100).astype(np.int64)


def _floor_500(p: np.ndarray) -> np.ndarray:
    return (np.floor(p / 500) * 500).astype(np.int64)


def _ceil_500(p: np.ndarray) -> np.ndarray:
    return (np.ceil(p / 500) * 500).astype(np.int64)


def _round10(p: np.ndarray | float) -> np.ndarray:
    return (np.round(np.asarray(p, dtype=float) / _ROUND_FUEL) * _ROUND_FUEL).astype(np.int64)


# --- episodes ----------------------------------------------------------------------------------


def _planned_episodes(cal: _Calendar, names: dict[str, str]) -> list[DemoEpisode]:
    """Every episode the demo knows, for the demo period (dates follow the Tết calendar)."""
    t25, t26 = tet_date(2025), tet_date(2026)
    d = dt.timedelta
    n = names.get
    return [
        DemoEpisode(
            code="cho-cau-ngang-thit-lon-tet-2026",
            kind="spike",
            also=("outlet_outlier",),
            commodities=("thit-lon-nac", "thit-lon-ba-roi"),
            outlets=("CHO-CN",),
            start=t26 - d(days=7),
            end=t26 - d(days=2),
            magnitude=0.45,
            description=(
                f"Thịt lợn nạc và thịt ba rọi ở {n('CHO-CN', 'CHO-CN')} (huyện Cầu Ngang cũ) tăng khoảng"
                f" {format_percent(0.45, 0)} so với mức giá thường ngày trong tuần trước Tết"
                f" {lunar_year_name(2026)}"
                f" – vượt xa mức tăng trước Tết thông thường (10–25%) của các chợ khác."
            ),
        ),
        DemoEpisode(
            code="minh-chau-trung-ga-tet-2026",
            kind="outlet_outlier",
            also=("spike",),
            commodities=("trung-ga",),
            outlets=("CH-MINHCHAU",),
            start=t26 - d(days=5),
            end=t26 - d(days=5),
            magnitude=0.6,
            description=(
                f"{n('CH-MINHCHAU', 'CH-MINHCHAU')} (Tiểu Cần) bán trứng gà cao hơn khoảng"
                f" {format_percent(0.6, 0)}"
                " so với các điểm bán khác trong cùng một ngày (nâng giá trước Tết)."
            ),
        ),
        DemoEpisode(
            code="phuoc-thinh-vuot-gia-tran-2026-03",
            kind="ceiling_breach",
            commodities=("xang-e5-ron92", "xang-ron95-iii"),
            outlets=("XD-DNTN-PHUOCTHINH",),
            start=dt.date(2026, 3, 2),
            end=dt.date(2026, 3, 5),
            magnitude=0.03,
            description=(
                f"{n('XD-DNTN-PHUOCTHINH', 'XD-DNTN-PHUOCTHINH')} (vùng 1) bán xăng E5 RON 92 và RON 95 cao"
                " hơn giá"
                f" bán lẻ tối đa vùng 1 từ {format_vnd(600)} đến {format_vnd(700)}/lít trong 4 ngày."
            ),
        ),
        DemoEpisode(
            code="hung-thinh-gas-tang-keo-dai-2025-10",
            kind="spike",
            also=("outlet_outlier",),
            commodities=(LPG,),
            outlets=("GAS-HUNGTHINH",),
            start=dt.date(2025, 10, 1),
            end=cal.end,
            magnitude=0.15,
            description=(
                f"{n('GAS-HUNGTHINH', 'GAS-HUNGTHINH')} (Trà Cú) nâng giá gas bình 12 kg thêm"
                f" {format_vnd(70000)}"
                " (khoảng 15%) và giữ nguyên mức cao đó đến cuối kỳ, trong khi giá chung chỉ theo các đợt"
                " điều"
                " chỉnh hằng tháng."
            ),
        ),
        DemoEpisode(
            code="ca-loc-giam-gia-cau-ke-tieu-can-2025-06",
            kind="drop",
            commodities=("ca-loc",),
            outlets=("CHO-CK", "CHO-CK-PHONGTHANH", "CHO-TC", "CHO-TC-CAUQUAN"),
            start=dt.date(2025, 6, 9),
            end=dt.date(2025, 6, 29),
            magnitude=-0.35,
            description=(
                "Giá cá lóc ở các chợ Cầu Kè, Phong Thạnh, Tiểu Cần, Cầu Quan giảm mạnh, sâu nhất khoảng 35%"
                " (nguồn cung cá nuôi dồn ra cùng lúc), rồi hồi lại sau 3 tuần."
            ),
        ),
        DemoEpisode(
            code="binh-on-cau-ngang-vuot-gia-cam-ket-tet-2025",
            kind="commitment_breach",
            commodities=("thit-lon-nac", "thit-lon-ba-roi"),
            outlets=("BO-CLX-CN",),
            start=t25 - d(days=16),
            end=t25 - d(days=5),
            magnitude=0.12,
            description=(
                f"{n('BO-CLX-CN', 'BO-CLX-CN')} (doanh nghiệp tham gia bình ổn) bán thịt lợn nạc và thịt ba"
                " rọi cao"
                f" hơn giá đã cam kết khoảng {format_percent(0.12, 0)} trong những ngày giáp Tết"
                f" {lunar_year_name(2025)}."
            ),
        ),
        DemoEpisode(
            code="cho-long-huu-ngung-bao-gia-2026-05",
            kind="stale",
            commodities=MARKET_GOODS,
            outlets=("CHO-TXDH-LONGHUU",),
            start=dt.date(2026, 5, 4),
            end=dt.date(2026, 5, 24),
            magnitude=0.0,
            description=(
                f"{n('CHO-TXDH-LONGHUU', 'CHO-TXDH-LONGHUU')} (thị xã Duyên Hải cũ) ngừng báo giá 3 tuần"
                " (không có số liệu), rồi báo giá lại bình thường."
            ),
        ),
    ]


def _select_episodes(
    planned: list[DemoEpisode], cal: _Calendar, specs: dict[str, OutletSpec]
) -> list[DemoEpisode]:
    """The episodes that start inside the period and concern outlets of the registry active by then."""
    out = []
    for ep in planned:
        if not (cal.start <= ep.start <= cal.end):
            continue
        outlets = tuple(
            o for o in ep.outlets if o in specs and (specs[o].active_from or cal.first) <= ep.start
        )
        if not outlets:
            continue
        end = min(ep.end, cal.end)
        out.append(
            DemoEpisode(
                code=ep.code,
                kind=ep.kind,
                also=ep.also,
                commodities=ep.commodities,
                outlets=outlets,
                start=ep.start,
                end=end,
                magnitude=ep.magnitude,
                description=ep.description,
            )
        )
    return out


# --- generation --------------------------------------------------------------------------------


@dataclass
class _Rows:
    """The generated observations, as parallel arrays (codes as indices into the name lists)."""

    commodities: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    day: list[np.ndarray] = field(default_factory=list)
    price: list[np.ndarray] = field(default_factory=list)
    commodity: list[np.ndarray] = field(default_factory=list)
    outlet: list[np.ndarray] = field(default_factory=list)
    ptype: list[np.ndarray] = field(default_factory=list)
    timed: list[np.ndarray] = field(default_factory=list)

    PTYPES = ("retail", "ceiling", "committed")

    def add(
        self,
        commodity: str,
        outlet: str,
        days: np.ndarray,
        prices: np.ndarray,
        *,
        ptype: str = "retail",
        timed: bool = False,
    ) -> None:
        if len(days) == 0:
            return
        if commodity not in self.commodities:
            self.commodities.append(commodity)
        if outlet not in self.outlets:
            self.outlets.append(outlet)
        n = len(days)
        self.day.append(np.asarray(days, dtype=np.int64))
        self.price.append(np.asarray(prices, dtype=np.int64))
        self.commodity.append(np.full(n, self.commodities.index(commodity), dtype=np.int64))
        self.outlet.append(np.full(n, self.outlets.index(outlet), dtype=np.int64))
        self.ptype.append(np.full(n, self.PTYPES.index(ptype), dtype=np.int64))
        self.timed.append(np.full(n, timed, dtype=bool))

    def arrays(self) -> dict[str, np.ndarray]:
        cols = {
            "day": np.concatenate(self.day),
            "price": np.concatenate(self.price),
            "commodity": np.concatenate(self.commodity),
            "outlet": np.concatenate(self.outlet),
            "ptype": np.concatenate(self.ptype),
            "timed": np.concatenate(self.timed),
        }
        order = np.lexsort((cols["ptype"], cols["commodity"], cols["outlet"], cols["day"]))
        return {k: v[order] for k, v in cols.items()}


class _Generator:
    """Draws every series of the demo from one seeded numpy Generator, in a fixed order."""

    def __init__(self, seed: int, cal: _Calendar, specs: list[OutletSpec], districts: dict[str, str]) -> None:
        self.rng = np.random.default_rng(seed)
        self.cal = cal
        self.specs = specs
        self.by_code = {s.code: s for s in specs}
        self.district = districts  # outlet code -> former district name ("" if none)
        self.rows = _Rows()
        self.ceiling_adjustments = 0
        self.episodes: list[DemoEpisode] = []

    # -- common levels --------------------------------------------------------------------------

    def levels(self) -> None:
        """Province-wide levels per good: without Tết (``base``) and the Tết share (``tet``)."""
        cal, rng = self.cal, self.rng
        factors = {key: cal.weekly_walk(rng, 1.0) for key in _TRENDS}
        school = _school_profile(cal)
        self.base: dict[str, np.ndarray] = {}
        self.tet: dict[str, np.ndarray] = {}
        for code, g in _GOODS.items():
            own = cal.weekly_walk(rng, 1.0)
            weekly = g.weekly_sd * (0.7 * factors[g.trend] + math.sqrt(1 - 0.49) * own)
            trend = _knots(cal, _TRENDS[g.trend]) ** g.beta
            season = np.exp(g.season * np.cos(2 * math.pi * (cal.doy - g.season_peak) / 365.25))
            self.base[code] = g.base * trend * np.exp(weekly) * season * (1 + g.school * school)
            amp = (
                rng.uniform(g.tet[0], g.tet[1], size=len(cal.tets))
                if g.tet[1] > 0
                else np.zeros(len(cal.tets))
            )
            lead = rng.integers(g.lead[0], g.lead[1] + 1, size=len(cal.tets))
            self.tet[code] = amp[cal.tet_index] * _tet_profile(cal.k, lead[cal.tet_index].astype(float))
        self.district_offset: dict[tuple[str, str], float] = {}
        for name in sorted(set(self.district.values())):
            for code in _GOODS:
                self.district_offset[(name, code)] = float(rng.normal(0, 0.015))

    # -- helpers --------------------------------------------------------------------------------

    def active(self, spec: OutletSpec) -> np.ndarray:
        first = max(self.cal.start, spec.active_from or self.cal.start)
        return self.cal.ordinal >= first.toordinal()

    def outlet_level(
        self, spec: OutletSpec, code: str, *, tet_scale: float, type_factor: float
    ) -> np.ndarray:
        """One outlet's unrounded price series of a good (before promotions and episodes)."""
        g, cal, rng = _GOODS[code], self.cal, self.rng
        offset = rng.normal(0, g.outlet_sd) + self.district_offset.get(
            (self.district.get(spec.code, ""), code), 0.0
        )
        weekly = cal.weekly_walk(rng, 0.01)
        daily = rng.normal(0, g.daily_sd, cal.n) if g.daily_sd else np.zeros(cal.n)
        return (
            self.base[code] * (1 + self.tet[code] * tet_scale) * type_factor * np.exp(offset + weekly + daily)
        )

    def episode_mask(
        self, code: str, outlet: str, kind: str | None = None
    ) -> list[tuple[DemoEpisode, np.ndarray]]:
        out = []
        for ep in self.episodes:
            if outlet in ep.outlets and code in ep.commodities and (kind is None or ep.kind == kind):
                out.append((ep, self.cal.span(ep.start, ep.end)))
        return out

    def stale_mask(self, outlet: str) -> np.ndarray:
        mask = np.zeros(self.cal.n, dtype=bool)
        for ep in self.episodes:
            if ep.kind == "stale" and outlet in ep.outlets:
                mask |= self.cal.span(ep.start, ep.end)
        return mask

    # -- markets --------------------------------------------------------------------------------

    def market(self, spec: OutletSpec) -> None:
        cal = self.cal
        open_days = self.active(spec) & ~((cal.k >= MARKET_CLOSED[0]) & (cal.k <= MARKET_CLOSED[1]))
        open_days &= ~self.stale_mask(spec.code)
        for code in MARKET_GOODS:
            p = self.outlet_level(spec, code, tet_scale=1.0, type_factor=1.0)
            for ep, mask in self.episode_mask(code, spec.code):
                if ep.kind == "spike":
                    calm = p / (1 + self.tet[code])
                    p = np.where(mask, calm * (1 + ep.magnitude), p)
                elif ep.kind == "drop":
                    days = np.flatnonzero(mask)
                    if len(days):
                        x = np.linspace(0, 1, len(days))
                        depth = np.clip(np.minimum(x / 0.3, (1 - x) / 0.35), 0, 1)
                        p[days] = p[days] * (1 + ep.magnitude * depth)
            idx = np.flatnonzero(open_days)
            self.rows.add(code, spec.code, idx, _round_market(p[idx]))

    # -- supermarkets and convenience stores ----------------------------------------------------

    def store(self, spec: OutletSpec, pattern: tuple[int, ...]) -> None:
        cal, rng = self.cal, self.rng
        factor = 1.05 if spec.outlet_type == "supermarket" else 1.03
        pre_tet = (cal.k >= DAILY_BEFORE_TET[0]) & (cal.k <= DAILY_BEFORE_TET[1])
        days = self.active(spec) & (np.isin(cal.weekday, pattern) | pre_tet) & (cal.k != 0)
        for code in STORE_GOODS:
            p = self.outlet_level(spec, code, tet_scale=0.5, type_factor=factor)
            if code in PROMO_GOODS:
                promo = np.ones(cal.n)
                for _ in range(int(rng.poisson(cal.n / PROMO_EVERY_DAYS))):
                    a = int(rng.integers(0, cal.n))
                    length = int(rng.integers(PROMO_DAYS[0], PROMO_DAYS[1] + 1))
                    promo[a : a + length] = 1 - rng.uniform(*PROMO_DISCOUNT)
                p = p * promo
            forced = np.zeros(cal.n, dtype=bool)
            for ep, mask in self.episode_mask(code, spec.code):
                if ep.kind == "outlet_outlier":
                    usual = self.base[code] * (1 + self.tet[code] * 0.5) * factor
                    p = np.where(mask, usual * (1 + ep.magnitude), p)
                    forced |= mask
            idx = np.flatnonzero(days | (forced & self.active(spec)))
            self.rows.add(code, spec.code, idx, _round_store(p[idx]))

    # -- bình ổn sale points --------------------------------------------------------------------

    def commitment_days(self) -> list[tuple[int, float]]:
        """(day index, margin) of each committed price list: start, each quarter, 35 days before Tết."""
        cal = self.cal
        out: dict[int, float] = {cal.start_idx: 1.02}
        y, m = cal.start.year, cal.start.month
        while True:
            m += 1
            if m > 12:
                y, m = y + 1, 1
            d = dt.date(y, m, 1)
            if d > cal.end:
                break
            if m in (1, 4, 7, 10):
                out[cal.index(d)] = 1.02
        for t in cal.tets:
            d = t - dt.timedelta(days=35)
            if cal.start < d <= cal.end:
                out[cal.index(d)] = 1.06
        return sorted(out.items())

    def sale_point(self, spec: OutletSpec) -> None:
        cal = self.cal
        closed = (cal.k >= MARKET_CLOSED[0]) & (cal.k <= MARKET_CLOSED[1])
        pre_tet = (cal.k >= DAILY_BEFORE_TET[0]) & (cal.k <= DAILY_BEFORE_TET[1])
        active = self.active(spec)
        days = active & (np.isin(cal.weekday, (1, 4)) | pre_tet) & ~closed
        commitments = [(i, margin) for i, margin in self.commitment_days() if active[i]]
        for code in SALE_POINT_GOODS:
            if not commitments:
                break
            committed_at = np.array([i for i, _ in commitments])
            committed = _ceil_500(np.array([self.base[code][i] * margin for i, margin in commitments]))
            in_force = committed[
                np.clip(np.searchsorted(committed_at, np.arange(cal.n), side="right") - 1, 0, None)
            ]
            has = np.arange(cal.n) >= committed_at[0]
            p = self.outlet_level(spec, code, tet_scale=0.5, type_factor=0.96)
            p = np.minimum(p, in_force)
            forced = np.zeros(cal.n, dtype=bool)
            for ep, mask in self.episode_mask(code, spec.code, "commitment_breach"):
                p = np.where(mask, in_force * (1 + ep.magnitude), p)
                forced |= mask & ~closed
            idx = np.flatnonzero((days | forced) & has)
            prices = np.where(forced[idx], _ceil_500(p[idx]), _floor_500(p[idx]))
            self.rows.add(code, spec.code, idx, prices)
            self.rows.add(code, spec.code, committed_at, committed, ptype="committed")

    # -- LPG ------------------------------------------------------------------------------------

    def lpg_months(self) -> np.ndarray:
        """The province-wide LPG price per day, changed on the 1st of each month."""
        rng = self.rng
        month_key = self.cal.days.year.to_numpy() * 12 + self.cal.days.month.to_numpy()
        months = np.unique(month_key)
        x = math.log(468_000)
        target = math.log(455_000)
        level = np.empty(len(months))
        for i in range(len(months)):
            if i:
                x += 0.3 * (target - x) + rng.normal(0, 0.035)
            level[i] = min(max(math.exp(x), 330_000), 600_000)
        level = np.round(level / 1000) * 1000
        return level[np.searchsorted(months, month_key)]

    def lpg_seller(self, spec: OutletSpec, national: np.ndarray, *, daily: bool) -> None:
        cal, rng = self.cal, self.rng
        offset = float(rng.choice([-10_000, -5_000, 0, 5_000, 10_000]))
        p = national + offset
        for ep, mask in self.episode_mask(LPG, spec.code):
            p = np.where(mask, p + round(455_000 * ep.magnitude, -4), p)
        closed = (cal.k >= MARKET_CLOSED[0]) & (cal.k <= MARKET_CLOSED[1])
        if daily:
            days = self.active(spec) & ~((cal.k >= 0) & (cal.k <= 2))
        else:
            days = self.active(spec) & np.isin(cal.weekday, (0, 3)) & ~closed
        days &= self.suspension_mask(spec)
        idx = np.flatnonzero(days)
        self.rows.add(LPG, spec.code, idx, (np.round(p[idx] / 1000) * 1000).astype(np.int64))

    def suspension_mask(self, spec: OutletSpec) -> np.ndarray:
        if spec.code == SUSPENDED_STATION:
            return self.cal.ordinal < SUSPENSION_START.toordinal()
        return np.ones(self.cal.n, dtype=bool)

    # -- fuel -----------------------------------------------------------------------------------

    def ceilings(self, officials: dict[int, str]) -> None:
        """Zone 1 and zone 2 ceilings per adjustment day, and the ceiling in force on each day."""
        cal, rng = self.cal, self.rng
        adj = _adjustment_days(cal.start, cal.end)
        self.adjustments = adj
        self.ceiling_adjustments = len([d for d in adj if d >= cal.start])
        adj_idx = np.array([cal.index(d) for d in adj])
        n = len(adj)
        shocks = rng.standard_normal((n, 2))
        walks: dict[str, np.ndarray] = {"gasoline": np.empty(n), "diesel": np.empty(n)}
        g = d = 0.0
        for i in range(n):
            g = 0.93 * g + 0.022 * shocks[i, 0]
            d = 0.93 * d + 0.025 * (0.6 * shocks[i, 0] + 0.8 * shocks[i, 1])
            walks["gasoline"][i], walks["diesel"][i] = g, d
        self.zone_ceiling: dict[tuple[str, int], np.ndarray] = {}  # per adjustment
        self.fuel_from: dict[str, int] = {}
        for code, walk, factor, spread, since in _FUELS:
            trend = _knots(cal, _FUEL_TRENDS[walk])[adj_idx]
            level = _FUEL_BASE[walk] * trend * np.exp(walks[walk]) * factor + spread
            z1 = _round10(level)
            for i in range(1, n):  # a change under 0,3 % is not made
                if abs(z1[i] / z1[i - 1] - 1) < 0.003:
                    z1[i] = z1[i - 1]
            z2 = _round10(z1 * ZONE2_MARKUP)
            first = 0
            if since is not None:
                later = [i for i, day in enumerate(adj) if day >= since]
                if not later:
                    continue
                first = later[0]
            self.fuel_from[code] = first
            self.zone_ceiling[(code, 1)] = z1
            self.zone_ceiling[(code, 2)] = z2
            for zone, outlet in sorted(officials.items()):
                self.rows.add(
                    code,
                    outlet,
                    adj_idx[first:],
                    (z1 if zone == 1 else z2)[first:],
                    ptype="ceiling",
                    timed=True,
                )
        pos = np.searchsorted(adj_idx, np.arange(cal.n), side="right") - 1
        self.adj_pos = pos  # per day: index of the adjustment in force (-1 before the first)
        self.adj_day = np.zeros(cal.n, dtype=bool)
        self.adj_day[adj_idx] = True

    def in_force(self, code: str, zone: int) -> tuple[np.ndarray, np.ndarray]:
        """Per day: the ceiling in force (new from the adjustment day) and the one before it."""
        z = self.zone_ceiling[(code, zone)]
        pos = self.adj_pos
        now = np.where(pos >= 0, z[np.clip(pos, 0, None)], 0)
        prev = np.where(pos >= 1, z[np.clip(pos - 1, 0, None)], now)
        return now, prev

    def petrol(self, spec: OutletSpec, number: int) -> None:
        cal, rng = self.cal, self.rng
        zone = spec.zone or 1
        brand = spec.chain in _BRANDS
        products = (
            [c for c, *_ in _FUELS]
            if brand
            else list(_BASIC_FUELS) + (["dau-do-0001s"] if number % 2 else [])
        )
        if spec.chain == "PVOIL":
            products = [c for c in products if c != "dau-hoa"]
        discount = 0 if brand else int(rng.choice([0, 0, 100, 200, 300]))
        days = self.active(spec) & ~((cal.k >= 0) & (cal.k <= 2)) & self.suspension_mask(spec)
        for code in products:
            if (code, zone) not in self.zone_ceiling:
                continue
            now, prev = self.in_force(code, zone)
            started = self.adj_pos >= self.fuel_from[code]
            price = np.where(self.adj_day, np.minimum(now, prev), now) - discount
            for _ep, mask in self.episode_mask(code, spec.code, "ceiling_breach"):
                over = 600 if code == "xang-e5-ron92" else 700
                price = np.where(mask, np.maximum(now, prev) + over, price)
            idx = np.flatnonzero(days & started)
            self.rows.add(code, spec.code, idx, price[idx])

    # -- all ------------------------------------------------------------------------------------

    def run(self, episodes: list[DemoEpisode]) -> _Rows:
        self.episodes = episodes
        self.levels()
        officials = {s.zone: s.code for s in self.specs if s.outlet_type == "official" and s.zone in (1, 2)}
        if officials:
            self.ceilings(officials)
        national_lpg = self.lpg_months()
        store_no = petrol_no = 0
        for spec in self.specs:
            if spec.outlet_type == "market":
                self.market(spec)
            elif spec.outlet_type in ("supermarket", "convenience"):
                self.store(spec, (0, 2, 4) if store_no % 2 == 0 else (1, 3, 5))
                store_no += 1
            elif spec.outlet_type == "enterprise" and spec.chain == BINH_ON_CHAIN:
                self.sale_point(spec)
            elif spec.outlet_type == "enterprise":
                self.lpg_seller(spec, national_lpg, daily=False)
            elif spec.outlet_type == "petrol" and officials:
                self.petrol(spec, petrol_no)
                if spec.chain == "Petrolimex":
                    self.lpg_seller(spec, national_lpg, daily=True)
                petrol_no += 1
        return self.rows


# --- building ----------------------------------------------------------------------------------


def default_start(end: dt.date) -> dt.date:
    """About three years before end (the same day of the month)."""
    try:
        return end.replace(year=end.year - DEFAULT_YEARS)
    except ValueError:  # 29 February
        return end.replace(year=end.year - DEFAULT_YEARS, day=28)


def _chunks(arrays: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Row positions per ingest chunk: first the (few) timed ceiling rows, then the rest by date.

    Keeping the rows with a time of day apart lets the ingest path skip parsing the ``time``
    column of the large chunks; dates stay in order within each series, as the plausibility check
    against recent history expects.
    """
    timed = np.flatnonzero(arrays["timed"])
    rest = np.flatnonzero(~arrays["timed"])
    parts = max(1, math.ceil(len(rest) / CHUNK_ROWS))
    out = [timed[i : i + CHUNK_ROWS] for i in range(0, len(timed), CHUNK_ROWS)]
    out += [p for p in np.array_split(rest, parts) if len(p)]
    return out


def _frames(
    arrays: dict[str, np.ndarray], cal: _Calendar, rows: _Rows, zones: dict[str, int | None]
) -> Iterator[pd.DataFrame]:
    """The observations as the ingest path's string frames (CONTRACT columns), in chunks."""
    commodity_names = np.array(rows.commodities, dtype=object)
    outlet_names = np.array(rows.outlets, dtype=object)
    zone_names = np.array(["" if zones.get(o) is None else str(zones[o]) for o in rows.outlets], dtype=object)
    ptypes = np.array(_Rows.PTYPES, dtype=object)
    line = 2
    for pos in _chunks(arrays):
        outlet_idx = arrays["outlet"][pos]
        timed = arrays["timed"][pos]
        frame = pd.DataFrame(
            {
                "date": cal.iso[arrays["day"][pos]],
                "commodity": commodity_names[arrays["commodity"][pos]],
                "outlet": outlet_names[outlet_idx],
                "price_vnd": arrays["price"][pos].astype(str).astype(object),
                "price_type": ptypes[arrays["ptype"][pos]],
                "zone": zone_names[outlet_idx],
                "source": DEMO_SOURCE,
                "time": np.where(timed, ADJUSTMENT_TIME, "").astype(object),
            }
        )
        for col in KNOWN_COLUMNS:
            if col not in frame.columns:
                frame[col] = ""
        frame[LINE] = np.arange(line, line + len(frame))
        line += len(frame)
        yield frame


def _digest(arrays: dict[str, np.ndarray], rows: _Rows, cal: _Calendar) -> str:
    h = hashlib.sha256()
    h.update(cal.first.isoformat().encode())
    h.update("\x1f".join(rows.commodities).encode())
    h.update("\x1e".join(rows.outlets).encode())
    for key in ("day", "price", "commodity", "outlet", "ptype", "timed"):
        h.update(np.ascontiguousarray(arrays[key]).tobytes())
    return h.hexdigest()


def observations_digest(engine: Engine) -> str:
    """SHA-256 of the current observations' content (dates, commodity and outlet codes, prices, types,
    times, zones, sources), independent of ids and timestamps: equal for equal demo builds."""
    stmt = (
        select(
            Observation.obs_date,
            Observation.obs_time,
            Commodity.code,
            Outlet.code,
            Observation.price_type,
            Observation.price_vnd,
            Observation.zone,
            Observation.source,
        )
        .join(Commodity, Commodity.id == Observation.commodity_id)
        .join(Outlet, Outlet.id == Observation.outlet_id)
        .where(Observation.is_current)
        .order_by(
            Observation.obs_date, Outlet.code, Commodity.code, Observation.price_type, Observation.obs_time
        )
    )
    h = hashlib.sha256()
    with session_scope(engine) as session:
        for row in session.execute(stmt).yield_per(50_000):
            h.update("|".join("" if v is None else str(v) for v in row).encode())
            h.update(b"\n")
    return h.hexdigest()


def demo_episodes(engine: Engine) -> list[DemoEpisode]:
    """The episodes injected by the demo build(s) stored in engine's database (read back from the
    ``details`` of the demo ingest batches), oldest batch first; empty if there was no demo build."""
    out: list[DemoEpisode] = []
    with session_scope(engine) as session:
        batches = session.scalars(
            select(IngestBatch).where(IngestBatch.channel == DEMO_SOURCE).order_by(IngestBatch.id)
        ).all()
        for batch in batches:
            details = batch.details or {}
            if not details.get("demo"):
                continue
            for item in details.get("episodes", []):
                out.append(
                    DemoEpisode(
                        code=item["code"],
                        kind=item["kind"],
                        also=tuple(item.get("also", ())),
                        commodities=tuple(item["commodities"]),
                        outlets=tuple(item["outlets"]),
                        start=dt.date.fromisoformat(item["start"]),
                        end=dt.date.fromisoformat(item["end"]),
                        magnitude=float(item["magnitude"]),
                        description=item["description"],
                    )
                )
    return out


def build_demo(
    engine: Engine,
    *,
    seed: int = DEFAULT_SEED,
    start: dt.date | None = None,
    end: dt.date | None = None,
    outlets_file: Path | None = None,
) -> DemoSummary:
    """Build the demo database in engine's (empty) database and describe it.

    The schema is migrated and the catalogues loaded first (idempotent). ``end`` defaults to
    :data:`DEFAULT_END` (a fixed date: the default build never depends on the clock), ``start`` to
    three years before ``end``. The outlets come from ``outlets_file`` (default
    ``config/outlets.example.yaml``). Raises :class:`DemoError` if the database already holds prices,
    and :class:`binhon.errors.ImportRejected` if the ingest path refuses a generated row (a bug).
    """
    t0 = time.perf_counter()
    end = end or DEFAULT_END
    start = start or default_start(end)
    if start > end:
        raise DemoError(f"ngày bắt đầu {format_date(start)} sau ngày kết thúc {format_date(end)}")
    today = dt.datetime.now(ZoneInfo(get_settings().timezone)).date()
    if end > today:
        raise DemoError(
            f"ngày kết thúc {format_date(end)} ở tương lai (hôm nay là {format_date(today)}): "
            "giá ở tương lai bị từ chối khi nhập — hãy chọn ngày kết thúc không muộn hơn hôm nay"
        )
    ensure_ready(engine, actor=DEMO_SOURCE)
    registry: OutletRegistry = load_outlets(outlets_file or config_path(OUTLETS_FILE))
    catalog = {c.code for c in load_commodities().commodities}
    missing = sorted(({*MARKET_GOODS, *STORE_GOODS, LPG} | {c for c, *_ in _FUELS}) - catalog)
    if missing:
        raise DemoError(f"danh mục hàng hóa thiếu các mã cần cho dữ liệu mẫu: {', '.join(missing)}")

    with session_scope(engine) as session:
        stored = session.scalar(select(func.count()).select_from(Observation)) or 0
        if stored:
            raise DemoError(
                f"cơ sở dữ liệu đã có {format_number(stored)} quan sát giá: dữ liệu mẫu chỉ dựng vào một cơ"
                " sở dữ liệu"
                " trống (ví dụ một tệp SQLite mới: BINHON_DATABASE_URL=sqlite:///binhon-demo.db)"
            )
        sync_outlets(session=session, registry=registry, actor=DEMO_SOURCE)
        outlets = {o.code: o for o in session.scalars(select(Outlet))}
        district_names = {
            o.code: (o.district.name if o.district is not None else "") for o in outlets.values()
        }
        specs = list(registry.outlets)
        names = {s.code: s.name for s in specs}

        adj = _adjustment_days(start, end)
        cal = _Calendar(min(start, adj[0]) if adj else start, start, end)
        episodes = _select_episodes(_planned_episodes(cal, names), cal, {s.code: s for s in specs})
        gen = _Generator(seed, cal, specs, district_names)
        rows = gen.run(episodes)
        arrays = rows.arrays()
        digest = _digest(arrays, rows, cal)

        ingestor = Ingestor(
            session,
            channel=DEMO_SOURCE,
            actor=DEMO_SOURCE,
            source_default=DEMO_SOURCE,
            filename=f"demo (seed {seed})",
            sha256=digest,
        )
        zones = {s.code: s.zone for s in specs}
        for frame in _frames(arrays, cal, rows, zones):
            ingestor.process(CsvChunk(frame, []), skip_invalid=False)
        result = ingestor.finish(skip_invalid=False)

        suspended = outlets.get(SUSPENDED_STATION)
        if suspended is not None and SUSPENSION_START <= end:
            session.add(
                OutletSuspension(outlet_id=suspended.id, start=SUSPENSION_START, reason=SUSPENSION_REASON)
            )

        tets = [TetSeason(t.year, t, lunar_year_name(t.year)) for t in cal.tets if start <= t <= end]
        batch = session.get(IngestBatch, result.batch_id)
        assert batch is not None
        batch.details = {
            **(batch.details or {}),
            "demo": True,
            "label": DEMO_LABEL,
            "seed": seed,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "tet": [t.date.isoformat() for t in tets],
            "episodes": [e.to_dict() for e in episodes],
        }
        session.flush()

        type_counts = Counter(s.outlet_type for s in specs)
        per_type = np.bincount(arrays["ptype"], minlength=len(_Rows.PTYPES))
        ptype_counts = {t: int(per_type[i]) for i, t in enumerate(_Rows.PTYPES)}
        summary = DemoSummary(
            seed=seed,
            start=start,
            end=end,
            outlets=len(specs),
            outlets_by_type=dict(type_counts),
            districts=sorted({n for n in district_names.values() if n}),
            commodities=len(rows.commodities),
            observations=result.stored,
            observations_by_type={k: ptype_counts[k] for k in _Rows.PTYPES if ptype_counts[k]},
            ceiling_adjustments=gen.ceiling_adjustments,
            tet_seasons=tets,
            episodes=episodes,
            batch_id=result.batch_id,
            content_sha256=digest,
        )
        if cal.first < start:
            summary.notes.append(
                f"Giá trần xăng dầu có từ kỳ điều chỉnh {format_date(cal.first)} (kỳ đang áp dụng vào ngày"
                " bắt đầu)."
            )
        if suspended is not None and SUSPENSION_START <= end:
            summary.notes.append(
                f"{suspended.name} tạm ngừng kinh doanh từ {format_date(SUSPENSION_START)}: không có giá từ"
                " ngày đó"
                " (không phải ngừng báo giá bất thường)."
            )
    summary.seconds = time.perf_counter() - t0
    return summary
