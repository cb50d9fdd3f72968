"""Realistic labelled price series for evaluating binhon's detectors (deterministic for a seed).

``generate(seed, params)`` returns a :class:`Scenario`: observations in the CONTRACT CSV columns
(``date, commodity, outlet, price_vnd, price_type, outlet_type, area, zone, time``), the injected
anomalies (``labels``, one row per EVENT) and the genuine market-wide moves (``context``), plus the
outlet/series tables the scorer needs.

The world
---------
* Outlets in the former districts of Trà Vinh (now in Vĩnh Long province): markets (chợ; daily,
  closed from 30 Tết to mùng 3, some reopen a day or two later, random missing days, occasional
  reporting gaps of one to three weeks), supermarkets (posted prices changed weekly, reported on a
  few fixed weekdays, closed mùng 1–2, promotions of −10…−25 % for 3–7 days that are NOT anomalies),
  petrol stations (zone 1 or 2, daily, an observation time of day, selling at or just under the
  ceiling in force), gas (LPG) enterprises (a monthly list price), and two ``official`` sources
  publishing the fuel ceilings (price_type ``ceiling``, time ``15:00``) for zone 1 and zone 2.
* The fuel ceiling of zone 1 is the real PVOIL retail price history
  (../shared/data/pvoil_retail_prices_2018_2026.csv: "Xăng E5 RON 92-II" → xang-e5-ron92,
  "Xăng RON 95-III" → xang-ron95-iii, "Dầu DO 0,05S-II" → dau-do-005s), effective from 15:00 of the
  adjustment day; zone 2 = zone 1 × 1.02 rounded to 10 đ. Without ../shared a synthetic weekly
  random walk is used and the scenario says so (``fuel_source``).
* A commodity's price level = typical 2024 price × inflation trend × a slow mean-reverting random
  walk × the normal Tết ramp × the back-to-school bump (milk, sugar: +3…+6 % in August–September)
  × genuine market-wide moves; each area adds a small local random walk, each series a fixed outlet
  factor and a small AR(1); markets add weekday effects and daily noise; prices are rounded to the
  commodity's usual step (500 đ, 1 000 đ, ...).
* The normal Tết ramp varies by commodity and by year (e.g. pork +8…+25 %, cabbage +15…+40 %,
  rice +0…+5 %), starts 15–25 days before mùng 1, peaks between −2 and 0, recedes over 5–15 days;
  each area's ramp differs by ±15 % of it, supermarkets ramp 30–60 % as much (bình ổn commitments).
  Tết dates are the real Vietnamese ones (``binhon.tet.tet_date``).

Genuine market-wide moves (``context``, NOT anomalies)
------------------------------------------------------
An ASF-like pork surge (all pork items, +25…+50 % over one to three months, easing months later), a
storm-driven cabbage surge (+20…+40 % within a week, for two to four weeks) and every real fuel price
rise of 5 % or more. They hit every outlet of the province alike. Labelling rule (applied by
:mod:`benchmarks.evaluation.scoring`): an alert about the whole province or an area (no outlet) on
such a move is *neutral* (neither true nor false); an outlet-level alert on it is a false positive,
because the outlet did nothing abnormal relative to its market.

Injected anomalies (``labels``)
-------------------------------
``kind`` (expected binhon alert kinds in brackets):

* ``spike`` [spike, or an upward outlet_outlier]: one outlet, +15…+60 % for 1–5 days;
* ``outlet_gouging`` [outlet_outlier or spike]: one outlet, +15…+45 % above its market, reached within
  0–5 days, for 1–6 weeks;
* ``level_shift`` [spike]: an area's markets (or one outlet), +12…+30 % reached within 0–3 days and
  never going back (it lasts to the end of the data);
* ``drop`` [drop, or a downward outlet_outlier]: an area's markets (or one market), −20…−45 % for
  5–30 days (a local glut, dumping);
* ``tet_abnormal`` [spike or upward outlet_outlier]: in one Tết season, the markets of one area (or
  one market) ramp up +15…+40 % MORE than the province's normal ramp, the excess building over the
  last 5–20 days before Tết and receding with the normal ramp;
* ``ceiling_breach`` [ceiling_breach]: a petrol station selling above the ceiling in force for its
  zone: either it keeps the old price for 1–4 days after a cut, or it adds 100…1 500 đ for 1–7 days.
  These labels are derived from the generated data itself (every observed retail price above the
  ceiling in force at its date and time), grouped into runs.

Non-Tết anomalies are placed outside the Tết windows (mùng 1 −35 … +20 days) and outside market-wide
moves of their commodity; no two events touch the same series within 45 days of each other; nothing
is injected during the warm-up (``params.warmup_days``). ``start``/``end`` of a food event are the
first/last OBSERVED day on which the injected deviation reaches its materiality threshold
(min(8 %, half the event's size)), so a label never points at a day without data; an event whose
deviation was never observed is dropped.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from binhon.tet import tet_date

REPO = Path(__file__).resolve().parents[2]
PVOIL_CSV = REPO.parent / "shared" / "data" / "pvoil_retail_prices_2018_2026.csv"

OBS_COLUMNS = [
    "date",
    "commodity",
    "outlet",
    "price_vnd",
    "price_type",
    "outlet_type",
    "area",
    "zone",
    "time",
]
LABEL_COLUMNS = [
    "event_id",
    "kind",
    "commodity",
    "outlet",
    "area",
    "start",
    "end",
    "magnitude",
    "level",
    "outlets",
    "expected",
]
CONTEXT_COLUMNS = ["move_id", "kind", "commodity", "start", "peak", "end", "magnitude"]
KINDS = ("spike", "tet_abnormal", "outlet_gouging", "level_shift", "drop", "ceiling_breach")
EXPECTED_ALERTS = {
    "spike": "spike|outlet_outlier+",
    "tet_abnormal": "spike|outlet_outlier+",
    "outlet_gouging": "outlet_outlier+|spike",
    "level_shift": "spike|outlet_outlier+",
    "drop": "drop|outlet_outlier-",
    "ceiling_breach": "ceiling_breach",
}

# Former districts of Trà Vinh, written as binhon's resolver accepts them ("Huyện Châu Thành" alone is
# ambiguous: Bến Tre had one too).
AREAS = (
    "Thành phố Trà Vinh",
    "Huyện Càng Long",
    "Huyện Cầu Kè",
    "Huyện Tiểu Cần",
    "Huyện Châu Thành, Tỉnh Trà Vinh",
    "Huyện Cầu Ngang",
    "Huyện Trà Cú",
    "Huyện Duyên Hải",
    "Thị xã Duyên Hải",
)
# Where supermarkets are (weights): mostly the city and the towns.
SUPERMARKET_WEIGHT = {
    "Thành phố Trà Vinh": 5.0,
    "Thị xã Duyên Hải": 1.5,
    "Huyện Càng Long": 1.0,
    "Huyện Tiểu Cần": 1.0,
}

FUELS = ("xang-e5-ron92", "xang-ron95-iii", "dau-do-005s")
PVOIL_NAMES = {
    "Xăng E5 RON 92-II": "xang-e5-ron92",
    "Xăng RON 95-III": "xang-ron95-iii",
    "Dầu DO 0,05S-II": "dau-do-005s",
}
GAS = "gas-lpg-12kg"
PORK = ("thit-lon-hoi", "thit-lon-nac", "thit-lon-ba-roi")
OFFICIAL = {1: "BM-GIA-VUNG1", 2: "BM-GIA-VUNG2"}
ZONE2_FACTOR = 1.02
CEILING_TIME = "15:00"
REF_DAY = dt.date(2024, 7, 1)


@dataclass(frozen=True)
class Profile:
    """How a commodity's price behaves."""

    typical: int  # a typical 2024 retail price, đồng per catalogue unit
    step: int  # how shops round it
    noise: float  # daily log-noise at a market
    walk: float  # daily shock of the commodity's mean-reverting random walk (log)
    phi: float  # AR(1) coefficient of that walk
    tet: tuple[float, float]  # normal Tết ramp range (relative)
    weekend: float  # weekend premium at markets (relative)
    school: bool = False  # back-to-school bump


PROFILES: dict[str, Profile] = {
    "gao-te-thuong": Profile(15_000, 500, 0.006, 0.0015, 0.997, (0.00, 0.05), 0.0),
    "gao-thom": Profile(22_000, 500, 0.006, 0.0015, 0.997, (0.00, 0.05), 0.0),
    "thit-lon-hoi": Profile(60_000, 500, 0.012, 0.006, 0.995, (0.05, 0.15), 0.0),
    "thit-lon-nac": Profile(130_000, 1_000, 0.015, 0.005, 0.995, (0.08, 0.25), 0.005),
    "thit-lon-ba-roi": Profile(140_000, 1_000, 0.015, 0.005, 0.995, (0.08, 0.25), 0.005),
    "thit-bo": Profile(300_000, 5_000, 0.010, 0.003, 0.996, (0.05, 0.15), 0.003),
    "ga-ta": Profile(140_000, 1_000, 0.015, 0.004, 0.995, (0.10, 0.30), 0.005),
    "trung-ga": Profile(30_000, 500, 0.012, 0.004, 0.99, (0.03, 0.12), 0.0),
    "ca-loc": Profile(65_000, 1_000, 0.020, 0.005, 0.99, (0.05, 0.20), 0.008),
    "bap-cai": Profile(12_000, 500, 0.030, 0.010, 0.98, (0.15, 0.40), 0.015),
    "duong-trang": Profile(25_000, 500, 0.005, 0.001, 0.998, (0.00, 0.05), 0.0, school=True),
    "muoi-hat": Profile(8_000, 500, 0.005, 0.0005, 0.998, (0.00, 0.02), 0.0),
    "dau-an": Profile(45_000, 500, 0.006, 0.0015, 0.997, (0.02, 0.06), 0.0),
    "sua-bot-tre-em": Profile(500_000, 1_000, 0.004, 0.001, 0.998, (0.00, 0.02), 0.0, school=True),
    GAS: Profile(450_000, 1_000, 0.0, 0.004, 0.995, (0.0, 0.0), 0.0),
}
MARKET_FOOD = (
    "gao-te-thuong",
    "gao-thom",
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
)
SUPERMARKET_GOODS = (
    "gao-te-thuong",
    "gao-thom",
    "thit-lon-nac",
    "thit-lon-ba-roi",
    "ga-ta",
    "trung-ga",
    "bap-cai",
    "duong-trang",
    "dau-an",
    "sua-bot-tre-em",
)
# Commodities with a material Tết ramp: where abnormal Tết ramps are injected.
TET_SENSITIVE = (
    "thit-lon-nac",
    "thit-lon-ba-roi",
    "thit-lon-hoi",
    "ga-ta",
    "bap-cai",
    "ca-loc",
    "thit-bo",
    "trung-ga",
)


@dataclass(frozen=True)
class GeneratorParams:
    """Everything a scenario varies. Defaults: the full benchmark's first scenario."""

    years: float = 4.0
    end: dt.date = dt.date(2026, 4, 15)
    areas: tuple[str, ...] = AREAS
    markets_per_area: tuple[int, int] = (1, 3)  # drawn per area, inclusive
    market_food: tuple[str, ...] = MARKET_FOOD
    market_basket: int | None = 9  # commodities surveyed per market (None: all of market_food)
    supermarkets: int = 5
    supermarket_goods: tuple[str, ...] = SUPERMARKET_GOODS
    supermarket_basket: int | None = 8
    supermarket_days: tuple[int, int] = (2, 5)  # weekdays a supermarket is reported, inclusive range
    stations: int = 12
    zone2_share: float = 0.25
    gas_enterprises: int = 2
    noise_scale: float = 1.0  # multiplies every commodity's daily noise
    walk_scale: float = 1.0  # multiplies the random walks (market-wide drift)
    ramp_scale: float = 1.0  # multiplies the normal Tết ramps
    missing_rate: float = 0.08  # a market's chance of not being surveyed on a day
    long_gaps_per_year: float = 0.5  # an outlet's reporting gaps of 1–3 weeks, per year
    promo_per_year: float = 6.0  # promotions per supermarket and commodity per year
    event_scale: float = 1.0  # multiplies the size of injected anomalies
    market_move_prob: float = 0.6  # chance of an ASF-like pork surge and of a storm cabbage surge
    warmup_days: int = 120  # no event in the first days; the scorer ignores detections there
    n_spike: int = 24
    n_tet_abnormal: int = 10
    n_outlet_gouging: int = 10
    n_level_shift: int = 8
    n_drop: int = 12
    n_ceiling_breach: int = 12
    pvoil_csv: Path | None = PVOIL_CSV  # None: synthetic fuel ceilings

    def with_(self, **changes: object) -> GeneratorParams:
        """A copy with some parameters changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


QUICK_PARAMS = GeneratorParams(
    years=2.5,
    areas=AREAS[:5],
    markets_per_area=(1, 1),
    market_food=("thit-lon-nac", "ga-ta", "bap-cai", "gao-te-thuong", "trung-ga"),
    market_basket=None,
    supermarkets=2,
    supermarket_goods=("thit-lon-nac", "bap-cai", "duong-trang", "sua-bot-tre-em"),
    supermarket_basket=None,
    stations=3,
    gas_enterprises=0,
    n_spike=6,
    n_tet_abnormal=4,
    n_outlet_gouging=3,
    n_level_shift=3,
    n_drop=4,
    n_ceiling_breach=5,
)


@dataclass
class Scenario:
    """A generated world: data, labels, and what the scorer needs to interpret them."""

    seed: int
    params: GeneratorParams
    start: dt.date
    end: dt.date
    eval_start: dt.date  # detections and events before this date are ignored (warm-up)
    observations: pd.DataFrame  # OBS_COLUMNS; date as datetime.date, zone as Int64
    labels: pd.DataFrame  # LABEL_COLUMNS
    context: pd.DataFrame  # CONTEXT_COLUMNS: genuine market-wide moves (not anomalies)
    outlets: pd.DataFrame  # outlet, outlet_type, area, zone
    series: pd.DataFrame  # outlet, commodity, outlet_type, area, zone (retail series)
    tet_dates: list[dt.date]  # Tết dates whose evaluation window lies within [eval_start, end]
    fuel_source: str  # "pvoil" or "synthetic"
    notes: list[str] = field(default_factory=list)

    def write_csv(self, path: Path) -> None:
        """Write the observations as a CONTRACT CSV binhon imports."""
        frame = self.observations.copy()
        frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
        frame["zone"] = frame["zone"].astype("string").fillna("")
        frame.to_csv(path, index=False, columns=OBS_COLUMNS, encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# Fuel ceilings
# ----------------------------------------------------------------------------------------------


def load_pvoil(path: Path) -> dict[str, list[tuple[dt.date, int]]]:
    """Real PVOIL zone-1 prices per fuel code: sorted (adjustment date, price)."""
    out: dict[str, list[tuple[dt.date, int]]] = {c: [] for c in FUELS}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            code = PVOIL_NAMES.get(row["Mặt hàng"].strip())
            if code is None:
                continue
            day = dt.datetime.strptime(row["Ngày"].strip(), "%d/%m/%Y").date()
            out[code].append((day, int(row["Giá (VND)"])))
    for code in out:
        out[code].sort()
    return out


def synthetic_ceilings(
    rng: np.random.Generator, first: dt.date, last: dt.date
) -> dict[str, list[tuple[dt.date, int]]]:
    """Fallback fuel ceilings: a weekly (Thursday) log random walk per fuel."""
    start = first - dt.timedelta(days=(first.weekday() - 3) % 7)
    dates = [start + dt.timedelta(days=7 * k) for k in range((last - start).days // 7 + 1)]
    out = {}
    for code, base in zip(FUELS, (21_000, 22_000, 19_500), strict=True):
        steps = rng.normal(0.0, 0.025, size=len(dates))
        walk = np.clip(np.cumsum(steps), -0.3, 0.3)
        out[code] = [(d, int(round(base * math.exp(w) / 10) * 10)) for d, w in zip(dates, walk, strict=True)]
    return out


def ceiling_at(history: list[tuple[dt.date, int]], day: dt.date, time: str) -> int | None:
    """The zone-1 ceiling in force on ``day`` at ``time`` ("HH:MM"): a change applies from 15:00."""
    k = bisect.bisect_left(history, (day, -1))  # first adjustment on or after `day`
    if k < len(history) and history[k][0] == day and time >= CEILING_TIME:
        return history[k][1]
    return history[k - 1][1] if k > 0 else None


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


def _ar1(rng: np.random.Generator, n: int, sigma: float, phi: float) -> np.ndarray:
    """A stationary AR(1) path of length n."""
    shocks = rng.normal(0.0, sigma, size=n)
    out = np.empty(n)
    out[0] = rng.normal(0.0, sigma / math.sqrt(max(1e-9, 1 - phi * phi)))
    for i in range(1, n):
        out[i] = phi * out[i - 1] + shocks[i]
    return out


def _tet_shape(offsets: np.ndarray, start: int, peak: int, recede: int) -> np.ndarray:
    """Normal Tết ramp shape in [0, 1] over offsets (days from mùng 1)."""
    shape = np.zeros(len(offsets))
    rising = (offsets >= -start) & (offsets < peak)
    shape[rising] = ((offsets[rising] + start) / (peak + start)) ** 2
    shape[(offsets >= peak) & (offsets <= 0)] = 1.0
    falling = (offsets > 0) & (offsets <= recede)
    shape[falling] = 1.0 - offsets[falling] / (recede + 1)
    return shape


def _runs(idx: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """Group sorted day indices into runs whose consecutive members are at most max_gap apart."""
    if len(idx) == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > max_gap)
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, len(idx) - 1]
    return [(int(idx[a]), int(idx[b])) for a, b in zip(starts, ends, strict=True)]


@dataclass
class _Series:
    outlet: str
    commodity: str
    outlet_type: str
    area: str
    zone: int | None


# ----------------------------------------------------------------------------------------------
# The generator
# ----------------------------------------------------------------------------------------------


def generate(seed: int, params: GeneratorParams | None = None) -> Scenario:
    """Generate a labelled scenario; the same (seed, params) always gives identical frames."""
    params = params or GeneratorParams()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    r_outlets, r_levels, r_area, r_series, r_noise, r_mask, r_events, r_promo, r_fuel, r_moves, r_time = (
        streams[:11]
    )
    notes: list[str] = []

    end = params.end
    start = end - dt.timedelta(days=int(round(params.years * 365.25)) - 1)
    days = pd.date_range(start, end, freq="D")
    n = len(days)
    day_list = [d.date() for d in days]
    eval_start = start + dt.timedelta(days=params.warmup_days)
    i_eval = params.warmup_days
    weekday = days.day_of_week.to_numpy()
    years_from_ref = (days - pd.Timestamp(REF_DAY)).days.to_numpy() / 365.25

    # Tết seasons touching the span (ramps may start before it) and their day offsets.
    tets = [tet_date(y) for y in range(start.year - 1, end.year + 2)]
    tets = [t for t in tets if (t - end).days < 40 and (start - t).days < 40]
    tet_idx = [(t - start).days for t in tets]
    scored_tets = [
        t for t in tets if t - dt.timedelta(days=30) >= eval_start and t + dt.timedelta(days=20) <= end
    ]

    # ---- outlets and series -------------------------------------------------------------------
    outlets: list[dict[str, object]] = []
    series: list[_Series] = []
    market_count = 0
    market_baskets: list[list[str]] = []
    market_rows: list[dict[str, object]] = []
    for area in params.areas:
        lo, hi = params.markets_per_area
        for _ in range(int(r_outlets.integers(lo, hi + 1))):
            market_count += 1
            row = {
                "outlet": f"BM-CHO-{market_count:03d}",
                "outlet_type": "market",
                "area": area,
                "zone": None,
            }
            outlets.append(row)
            market_rows.append(row)
            goods = list(params.market_food)
            if params.market_basket is not None and params.market_basket < len(goods):
                goods = sorted(r_outlets.choice(goods, size=params.market_basket, replace=False).tolist())
            market_baskets.append(goods)
    # every surveyed commodity in at least three markets (peers), when there are three markets
    for c in params.market_food:
        while sum(c in b for b in market_baskets) < min(3, len(market_baskets)):
            j = int(r_outlets.integers(len(market_baskets)))
            if c not in market_baskets[j]:
                market_baskets[j] = sorted([*market_baskets[j], c])
    for row, goods in zip(market_rows, market_baskets, strict=True):
        for c in goods:
            series.append(_Series(str(row["outlet"]), c, "market", str(row["area"]), None))

    sm_areas = list(params.areas)
    weights = np.array([SUPERMARKET_WEIGHT.get(a, 0.3) for a in sm_areas])
    supermarket_days: dict[str, np.ndarray] = {}
    for k in range(params.supermarkets):
        area = sm_areas[int(r_outlets.choice(len(sm_areas), p=weights / weights.sum()))]
        code = f"BM-ST-{k + 1:03d}"
        outlets.append({"outlet": code, "outlet_type": "supermarket", "area": area, "zone": None})
        lo, hi = params.supermarket_days
        supermarket_days[code] = np.sort(
            r_outlets.choice(7, size=int(r_outlets.integers(lo, hi + 1)), replace=False)
        )
        goods = list(params.supermarket_goods)
        if params.supermarket_basket is not None and params.supermarket_basket < len(goods):
            goods = sorted(r_outlets.choice(goods, size=params.supermarket_basket, replace=False).tolist())
        for c in goods:
            series.append(_Series(code, c, "supermarket", area, None))

    for k in range(params.gas_enterprises):
        area = params.areas[k % len(params.areas)]
        code = f"BM-DN-{k + 1:03d}"
        outlets.append({"outlet": code, "outlet_type": "enterprise", "area": area, "zone": None})
        series.append(_Series(code, GAS, "enterprise", area, None))

    station_discount: dict[tuple[str, str], int] = {}
    for k in range(params.stations):
        area = params.areas[k % len(params.areas)]
        zone = 2 if r_outlets.random() < params.zone2_share else 1
        code = f"BM-CX-{k + 1:03d}"
        outlets.append({"outlet": code, "outlet_type": "petrol", "area": area, "zone": zone})
        for c in FUELS:
            station_discount[(code, c)] = int(r_outlets.choice([0, 0, 0, 0, 0, 10, 20, 50, 100, 200, 300]))
            series.append(_Series(code, c, "petrol", area, zone))
    for zone, code in OFFICIAL.items():
        outlets.append({"outlet": code, "outlet_type": "official", "area": "", "zone": zone})

    S = len(series)
    food_idx = [s for s, x in enumerate(series) if x.outlet_type != "petrol"]

    # ---- commodity levels (log), shared by all outlets -----------------------------------------
    commodities = sorted({x.commodity for x in series if x.outlet_type != "petrol"})
    level: dict[str, np.ndarray] = {}
    tet_params: dict[tuple[str, int], tuple[float, np.ndarray, int]] = {}  # (c, season) -> (A, shape, recede)
    for c in commodities:
        p = PROFILES[c]
        growth = r_levels.uniform(0.01, 0.05)
        walk = _ar1(r_levels, n, p.walk * params.walk_scale, p.phi)
        lv = math.log(p.typical) + growth * years_from_ref + walk
        if c == GAS:  # a monthly list price
            month = days.to_period("M")
            first = pd.Series(lv, index=days).groupby(month).transform("first").to_numpy()
            lv = first
        for k, ti in enumerate(tet_idx):
            lo_a, hi_a = p.tet
            amp = r_levels.uniform(lo_a, hi_a) * params.ramp_scale
            ramp_start = int(r_levels.integers(15, 26))
            peak = int(r_levels.integers(-2, 1))
            recede = int(r_levels.integers(5, 16))
            shape = _tet_shape(np.arange(n) - ti, ramp_start, peak, recede)
            tet_params[(c, k)] = (amp, shape, recede)
        if p.school:
            for y in range(start.year, end.year + 1):
                bump = r_levels.uniform(0.03, 0.06)
                d0 = (dt.date(y, 8, 1) - start).days
                t = np.arange(n) - d0
                shape = np.clip(np.minimum(t / 14.0, (60 - t) / 14.0), 0.0, 1.0)
                lv = lv + np.log1p(bump * shape)
        level[c] = lv

    # ---- genuine market-wide moves (context, not labelled anomalies) ---------------------------
    moves: list[dict[str, object]] = []
    move_factor = {c: np.zeros(n) for c in commodities}
    usable = n - i_eval
    if usable > 200 and any(c in commodities for c in PORK) and r_moves.random() < params.market_move_prob:
        s0 = i_eval + int(r_moves.integers(0, usable - 150))
        rise = int(r_moves.integers(30, 91))
        hold = int(r_moves.integers(60, 151))
        ease = int(r_moves.integers(60, 151))
        mag = r_moves.uniform(0.25, 0.50)
        rest = r_moves.uniform(0.0, 0.15)
        t = np.arange(n) - s0
        shape = np.where(
            t < 0,
            0.0,
            np.where(
                t < rise,
                t / rise,
                np.where(
                    t < rise + hold,
                    1.0,
                    np.where(
                        t < rise + hold + ease, 1 - (1 - rest / mag) * (t - rise - hold) / ease, rest / mag
                    ),
                ),
            ),
        )
        for c in PORK:
            if c in commodities:
                move_factor[c] += np.log1p(mag * shape)
        moves.append(
            {
                "kind": "pork_surge",
                "commodity": "|".join(c for c in PORK if c in commodities),
                "start": s0,
                "peak": s0 + rise,
                "end": min(n - 1, s0 + rise + hold + ease),
                "magnitude": mag,
            }
        )
    if usable > 100 and "bap-cai" in commodities and r_moves.random() < params.market_move_prob:
        s0 = i_eval + int(r_moves.integers(0, usable - 40))
        rise = int(r_moves.integers(3, 8))
        hold = int(r_moves.integers(5, 16))
        back = int(r_moves.integers(7, 15))
        mag = r_moves.uniform(0.20, 0.40)
        t = np.arange(n) - s0
        shape = np.clip(np.minimum((t + 1) / rise, (rise + hold + back - t) / back), 0.0, 1.0)
        move_factor["bap-cai"] += np.log1p(mag * shape)
        moves.append(
            {
                "kind": "storm_vegetables",
                "commodity": "bap-cai",
                "start": s0,
                "peak": s0 + rise,
                "end": min(n - 1, s0 + rise + hold + back),
                "magnitude": mag,
            }
        )

    # ---- per-area and per-series components ----------------------------------------------------
    area_walk: dict[tuple[str, str], np.ndarray] = {}
    area_ramp: dict[tuple[str, str, int], float] = {}
    for area in params.areas:
        for c in commodities:
            area_walk[(area, c)] = _ar1(r_area, n, 0.002 * params.walk_scale, 0.98)
            for k in range(len(tet_idx)):
                area_ramp[(area, c, k)] = 1.0 + r_area.uniform(-0.15, 0.15)

    logp = np.zeros((S, n))  # noise-free log price of every retail food series (fuel filled later)
    for s in food_idx:
        x = series[s]
        p = PROFILES[x.commodity]
        lv = level[x.commodity] + move_factor[x.commodity] + area_walk[(x.area, x.commodity)]
        factor = r_series.normal(0.0, 0.05) + (0.02 if x.outlet_type == "supermarket" else 0.0)
        own = _ar1(r_series, n, 0.002, 0.9) if x.outlet_type == "market" else 0.0
        type_ramp = r_series.uniform(0.3, 0.6) if x.outlet_type == "supermarket" else 1.0
        tet_log = np.zeros(n)
        for k in range(len(tet_idx)):
            amp, shape, _ = tet_params[(x.commodity, k)]
            mult = area_ramp[(x.area, x.commodity, k)] * type_ramp * (1.0 + r_series.uniform(-0.08, 0.08))
            tet_log += np.log1p(amp * mult * shape)
        weekend = np.where(weekday >= 5, p.weekend, 0.0) if x.outlet_type == "market" else 0.0
        logp[s] = lv + factor + own + tet_log + weekend

    # ---- observation masks (before events, so labels can use them) -----------------------------
    observed = np.zeros((S, n), dtype=bool)
    outlet_mask: dict[str, np.ndarray] = {}
    for o in outlets:
        code, otype = str(o["outlet"]), str(o["outlet_type"])
        if otype == "official":
            continue
        if otype == "market":
            m = r_mask.random(n) >= params.missing_rate
            for ti in tet_idx:
                reopen = 3 + int(r_mask.choice([0, 0, 0, 1, 2]))
                m[max(0, ti - 1) : max(0, min(n, ti + reopen))] = False
        elif otype == "supermarket":
            m = np.isin(weekday, supermarket_days[code]) & (r_mask.random(n) >= 0.03)
            for ti in tet_idx:
                m[max(0, ti) : max(0, min(n, ti + 2))] = False
        elif otype == "enterprise":
            m = np.isin(weekday, (0, 2, 4)) & (r_mask.random(n) >= 0.05)
        else:  # petrol
            m = r_mask.random(n) >= params.missing_rate / 2
        for _ in range(int(r_mask.poisson(params.long_gaps_per_year * params.years))):
            g0 = int(r_mask.integers(0, n))
            m[g0 : g0 + int(r_mask.integers(7, 22))] = False
        outlet_mask[code] = m
    for s, x in enumerate(series):
        observed[s] = outlet_mask[x.outlet] & (r_mask.random(n) >= 0.02)

    # ---- injected food anomalies ---------------------------------------------------------------
    event_log = np.zeros((S, n))
    occupied: list[list[tuple[int, int]]] = [[] for _ in range(S)]
    tet_block = np.zeros(n, dtype=bool)
    for ti in tet_idx:
        tet_block[max(0, ti - 35) : max(0, min(n, ti + 21))] = True
    move_block = {c: np.zeros(n, dtype=bool) for c in commodities}
    for mv in moves:
        for c in str(mv["commodity"]).split("|"):
            move_block[c][max(0, int(mv["start"]) - 10) : int(mv["end"]) + 10] = True
    by_area_comm: dict[tuple[str, str], list[int]] = {}
    for s in food_idx:
        x = series[s]
        if x.outlet_type == "market":
            by_area_comm.setdefault((x.area, x.commodity), []).append(s)

    def free(targets: Iterable[int], a: int, b: int, buffer: int = 45) -> bool:
        return all(not (a - buffer <= hi and lo <= b + buffer) for s in targets for lo, hi in occupied[s])

    raw_events: list[dict[str, object]] = []

    def place(
        kind: str, targets: list[int], profile: np.ndarray, a: int, b: int, mag: float, area: str, outlet: str
    ) -> None:
        contrib = {}
        for s in targets:
            jitter = 1.0 + (r_events.uniform(-0.1, 0.1) if len(targets) > 1 else 0.0)
            contrib[s] = np.log1p(mag * jitter * profile)
            event_log[s] += contrib[s]
            occupied[s].append((a, b))
        raw_events.append(
            {
                "kind": kind,
                "targets": targets,
                "contrib": contrib,
                "mag": mag,
                "area": area,
                "outlet": outlet,
                "commodity": series[targets[0]].commodity,
            }
        )

    def pick_outlet_series(types: tuple[str, ...]) -> int:
        pool = [s for s in food_idx if series[s].outlet_type in types]
        return pool[int(r_events.integers(len(pool)))]

    def ok_window(c: str, a: int, b: int, avoid_tet: bool = True) -> bool:
        if a < i_eval + 7 or b >= n:
            return False
        if avoid_tet and tet_block[a : b + 1].any():
            return False
        return not move_block[c][a : b + 1].any()

    scale = params.event_scale
    t_axis = np.arange(n)

    def simple_profile(a: int, rise: int, dur: int, fall: int) -> np.ndarray:
        """0 before a, linear rise over `rise` days, 1 for the rest of `dur`, linear fall over `fall`."""
        t = t_axis - a
        up = np.clip((t + 1) / (rise + 1), 0.0, 1.0)
        down = np.clip((dur + fall - t) / (fall + 1), 0.0, 1.0) if fall >= 0 else 1.0
        return np.where(t < 0, 0.0, np.minimum(up, down))

    def try_many(fn, count: int, kind: str) -> None:  # type: ignore[no-untyped-def]
        made = 0
        for _ in range(count * 60):
            if made >= count:
                break
            made += bool(fn())
        if made < count:
            notes.append(f"{kind}: placed {made} of {count} events (no free slot)")

    def make_spike() -> bool:
        s = pick_outlet_series(("market", "supermarket", "enterprise"))
        dur = int(r_events.integers(1, 6))
        a = int(r_events.integers(i_eval, n))
        b = a + dur - 1
        if not ok_window(series[s].commodity, a, b) or not free([s], a, b) or not observed[s, a]:
            return False
        mag = r_events.uniform(0.15, 0.60) * scale
        place("spike", [s], simple_profile(a, 0, dur, 0), a, b, mag, series[s].area, series[s].outlet)
        return True

    def make_gouging() -> bool:
        s = pick_outlet_series(("market", "supermarket", "enterprise"))
        rise = int(r_events.integers(0, 6))
        dur = int(r_events.integers(7, 43))
        a = int(r_events.integers(i_eval, n))
        b = a + dur + 2
        if not ok_window(series[s].commodity, a, b) or not free([s], a, b):
            return False
        mag = r_events.uniform(0.15, 0.45) * scale
        place(
            "outlet_gouging",
            [s],
            simple_profile(a, rise, dur, 2),
            a,
            b,
            mag,
            series[s].area,
            series[s].outlet,
        )
        return True

    def area_targets() -> tuple[str, str, list[int]] | None:
        keys = sorted(by_area_comm)
        area, c = keys[int(r_events.integers(len(keys)))]
        return area, c, by_area_comm[(area, c)]

    def make_level_shift() -> bool:
        first = i_eval + int(0.3 * (n - i_eval))
        a = int(r_events.integers(first, max(first + 1, n - 30)))
        rise = int(r_events.integers(0, 4))
        if r_events.random() < 0.5:
            area, c, targets = area_targets()  # type: ignore[misc]
            outlet = ""
        else:
            s = pick_outlet_series(("market", "supermarket"))
            area, c, targets, outlet = series[s].area, series[s].commodity, [s], series[s].outlet
        # sustained: to the end of the data (the Tết windows it crosses are simply not scored)
        if (
            a < i_eval + 7
            or tet_block[a : a + rise + 8].any()
            or move_block[c][a:].any()
            or not free(targets, a, n)
        ):
            return False
        mag = r_events.uniform(0.12, 0.30) * scale
        place("level_shift", targets, simple_profile(a, rise, n, -1), a, n - 1, mag, area, outlet)
        return True

    def make_drop() -> bool:
        rise = int(r_events.integers(0, 4))
        dur = int(r_events.integers(5, 31))
        a = int(r_events.integers(i_eval, n))
        b = a + dur + 2
        if r_events.random() < 0.5:
            area, c, targets = area_targets()  # type: ignore[misc]
            outlet = ""
        else:
            s = pick_outlet_series(("market",))
            area, c, targets, outlet = series[s].area, series[s].commodity, [s], series[s].outlet
        if not ok_window(c, a, b) or not free(targets, a, b):
            return False
        mag = -min(0.9, r_events.uniform(0.20, 0.45) * scale)
        place("drop", targets, simple_profile(a, rise, dur, 2), a, b, mag, area, outlet)
        return True

    season_cycle = [k for k, t in enumerate(tets) if tet_idx[k] - 30 >= i_eval and tet_idx[k] + 20 < n]
    counter = {"k": 0}

    def make_tet_abnormal() -> bool:
        if not season_cycle:
            return False
        k = season_cycle[counter["k"] % len(season_cycle)]
        ti = tet_idx[k]
        keys = [key for key in sorted(by_area_comm) if key[1] in TET_SENSITIVE]
        if not keys:
            return False
        area, c = keys[int(r_events.integers(len(keys)))]
        targets = by_area_comm[(area, c)]
        outlet = ""
        if r_events.random() < 0.4:
            s = targets[int(r_events.integers(len(targets)))]
            targets, outlet = [s], series[s].outlet
        lead = int(r_events.integers(5, 21))
        peak = int(r_events.integers(0, 4))
        a = ti - lead
        _, _, recede = tet_params[(c, k)]
        b = ti + recede + 1
        if move_block[c][a : b + 1].any() or not free(targets, a, b):
            return False
        t = t_axis - a
        up = np.clip((t + 1) / max(1, lead - peak), 0.0, 1.0)
        down = np.clip(1.0 - (t_axis - ti) / (recede + 1), 0.0, 1.0)
        profile = np.where(t < 0, 0.0, np.minimum(up, down))
        mag = r_events.uniform(0.15, 0.40) * scale
        place("tet_abnormal", targets, profile, a, b, mag, area, outlet)
        counter["k"] += 1
        return True

    try_many(make_level_shift, params.n_level_shift, "level_shift")  # the most constrained first
    try_many(make_tet_abnormal, params.n_tet_abnormal, "tet_abnormal")
    try_many(make_gouging, params.n_outlet_gouging, "outlet_gouging")
    try_many(make_drop, params.n_drop, "drop")
    try_many(make_spike, params.n_spike, "spike")

    # ---- supermarket promotions (not anomalies), weekly posted prices --------------------------
    promo_log = np.zeros((S, n))
    for s in food_idx:
        x = series[s]
        if x.outlet_type != "supermarket":
            continue
        for _ in range(int(r_promo.poisson(params.promo_per_year * params.years))):
            a = int(r_promo.integers(0, n))
            dur = int(r_promo.integers(3, 8))
            if not free([s], a, a + dur - 1, buffer=7):
                continue
            depth = math.log(1.0 - r_promo.uniform(0.10, 0.25))
            promo_log[s, a : a + dur] = np.minimum(promo_log[s, a : a + dur], depth)  # promotions never stack

    # ---- prices of food series -----------------------------------------------------------------
    from binhon.catalog import load_commodities

    bounds = {c.code: c.bounds for c in load_commodities().commodities}
    rows: list[pd.DataFrame] = []
    week_start = np.maximum.accumulate(np.where(weekday == 0, np.arange(n), 0))
    for s in food_idx:
        x = series[s]
        p = PROFILES[x.commodity]
        base = logp[s]
        if x.outlet_type == "supermarket":  # posted weekly price (Monday), small noise
            base = (
                base[week_start] + r_noise.normal(0.0, p.noise * 0.3 * params.noise_scale, size=n)[week_start]
            )
            noise = 0.0
        elif x.outlet_type == "enterprise":
            noise = r_noise.normal(0.0, 0.004, size=n)
        else:
            noise = r_noise.normal(0.0, p.noise * params.noise_scale, size=n)
        price = np.exp(base + noise + event_log[s] + promo_log[s])
        price = np.round(price / p.step) * p.step
        lo_b, hi_b = bounds[x.commodity]  # stay inside binhon's plausibility range
        price = np.clip(price, math.ceil(lo_b / p.step) * p.step, math.floor(hi_b / p.step) * p.step)
        idx = np.flatnonzero(observed[s])
        rows.append(
            pd.DataFrame(
                {
                    "day": idx,
                    "commodity": x.commodity,
                    "outlet": x.outlet,
                    "price_vnd": price[idx].astype(np.int64),
                    "price_type": "retail",
                    "outlet_type": x.outlet_type,
                    "area": x.area,
                    "zone": pd.NA,
                    "time": "",
                }
            )
        )

    # ---- fuel: ceilings and stations -----------------------------------------------------------
    fuel_source = "pvoil"
    history: dict[str, list[tuple[dt.date, int]]]
    if params.pvoil_csv is not None and Path(params.pvoil_csv).exists():
        history = load_pvoil(Path(params.pvoil_csv))
        if history[FUELS[0]][-1][0] < end or history[FUELS[0]][0][0] > start:
            notes.append(f"PVOIL history covers {history[FUELS[0]][0][0]}–{history[FUELS[0]][-1][0]} only")
    else:
        fuel_source = "synthetic"
        history = synthetic_ceilings(r_fuel, start - dt.timedelta(days=60), end)
        notes.append("../shared/data/pvoil_retail_prices_2018_2026.csv not found: synthetic fuel ceilings")
    ceiling_rows = []
    for c in FUELS:
        hist = history[c]
        first = max([k for k, (d, _) in enumerate(hist) if d <= start] or [0])
        for d, price in hist[first:]:
            if d > end:
                break
            for zone, code in OFFICIAL.items():
                value = price if zone == 1 else int(round(price * ZONE2_FACTOR / 10) * 10)
                ceiling_rows.append(
                    {
                        "date": d,
                        "commodity": c,
                        "outlet": code,
                        "price_vnd": value,
                        "price_type": "ceiling",
                        "outlet_type": "official",
                        "area": "",
                        "zone": zone,
                        "time": CEILING_TIME,
                    }
                )
        # fuel rises of 5 % or more are genuine market-wide moves (context)
        for (_, p0), (d1, p1) in zip(hist, hist[1:], strict=False):
            if start <= d1 <= end and p1 >= 1.05 * p0:
                i1 = (d1 - start).days
                moves.append(
                    {
                        "kind": "fuel_rise",
                        "commodity": c,
                        "start": i1,
                        "peak": i1,
                        "end": min(n - 1, i1 + 3),
                        "magnitude": p1 / p0 - 1,
                    }
                )

    def minutes(k: int) -> str:
        return f"{k // 60:02d}:{k % 60:02d}"

    station_rows: list[dict[str, object]] = []
    fuel_series = [s for s, x in enumerate(series) if x.outlet_type == "petrol"]
    # ceiling breaches: choose (series, kind, window) up front
    breach_plan: dict[int, list[tuple[str, int, int, int]]] = {}
    made = 0
    for _ in range(params.n_ceiling_breach * 60):
        if made >= params.n_ceiling_breach or not fuel_series:
            break
        s = fuel_series[int(r_fuel.integers(len(fuel_series)))]
        x = series[s]
        hist = history[x.commodity]
        if r_fuel.random() < 0.5:  # keeps the old price after a cut
            cuts = [
                k
                for k in range(1, len(hist))
                if hist[k][1] <= hist[k - 1][1] - 200 - station_discount[(x.outlet, x.commodity)]
                and (hist[k][0] - start).days >= i_eval + 7
                and (hist[k][0] - start).days < n - 5
            ]
            if not cuts:
                continue
            k = cuts[int(r_fuel.integers(len(cuts)))]
            a = (hist[k][0] - start).days
            dur = int(r_fuel.integers(1, 5))
            plan = ("stale", a, a + dur, hist[k - 1][1])
        else:
            a = int(r_fuel.integers(i_eval + 7, n - 2))
            dur = int(r_fuel.integers(1, 8))
            plan = ("markup", a, min(n - 1, a + dur - 1), int(r_fuel.integers(10, 151)) * 10)
        if not free([s], plan[1], plan[2], buffer=20):
            continue
        occupied[s].append((plan[1], plan[2]))
        breach_plan.setdefault(s, []).append(plan)
        made += 1
    if made < params.n_ceiling_breach:
        notes.append(f"ceiling_breach: planned {made} of {params.n_ceiling_breach}")

    breach_obs: dict[int, list[tuple[int, str]]] = {}
    for s in fuel_series:
        x = series[s]
        hist = history[x.commodity]
        disc = station_discount[(x.outlet, x.commodity)]
        for i in np.flatnonzero(observed[s]):
            day = day_list[i]
            tmin = int(r_time.integers(6 * 60 + 30, 19 * 60 + 1))
            tm = minutes(tmin)
            ceil1 = ceiling_at(hist, day, tm)
            if ceil1 is None:
                continue
            ceil = ceil1 if x.zone == 1 else int(round(ceil1 * ZONE2_FACTOR / 10) * 10)
            price = ceil - disc
            for kind, a, b, extra in breach_plan.get(s, []):
                if a <= i <= b:
                    if kind == "markup":
                        price = ceil + extra
                    else:  # the old (higher) price, once the cut is in force
                        old = extra if x.zone == 1 else int(round(extra * ZONE2_FACTOR / 10) * 10)
                        price = max(price, old - disc)
            if price > ceil:
                breach_obs.setdefault(s, []).append((int(i), tm))
            station_rows.append(
                {
                    "day": int(i),
                    "commodity": x.commodity,
                    "outlet": x.outlet,
                    "price_vnd": int(price),
                    "price_type": "retail",
                    "outlet_type": "petrol",
                    "area": x.area,
                    "zone": x.zone,
                    "time": tm,
                }
            )

    # ---- observations frame --------------------------------------------------------------------
    frame = (
        pd.concat([*rows, pd.DataFrame(station_rows)], ignore_index=True)
        if rows or station_rows
        else pd.DataFrame()
    )
    frame["date"] = [day_list[i] for i in frame["day"]]
    frame = frame.drop(columns="day")
    frame = pd.concat([frame, pd.DataFrame(ceiling_rows)], ignore_index=True)
    frame["zone"] = frame["zone"].astype("Int64")
    frame["price_vnd"] = frame["price_vnd"].astype(np.int64)
    frame = frame.sort_values(
        ["date", "outlet", "commodity", "price_type", "time"], kind="mergesort"
    ).reset_index(drop=True)
    frame = frame[OBS_COLUMNS]

    # ---- labels --------------------------------------------------------------------------------
    labels: list[dict[str, object]] = []
    for ev in raw_events:
        targets = list(ev["targets"])  # type: ignore[arg-type]
        mag = float(ev["mag"])  # type: ignore[arg-type]
        material = min(0.08, abs(mag) / 2)
        hits = np.zeros(n, dtype=bool)
        for s in targets:
            dev = np.abs(np.expm1(ev["contrib"][s]))  # type: ignore[index]
            hits |= observed[s] & (dev >= material * 0.999)
        idx = np.flatnonzero(hits)
        if len(idx) == 0:
            notes.append(
                f"{ev['kind']} on {ev['commodity']} at {ev['outlet'] or ev['area']} never observed: dropped"
            )
            continue
        labels.append(
            {
                "kind": ev["kind"],
                "commodity": ev["commodity"],
                "outlet": ev["outlet"],
                "area": ev["area"],
                "start": day_list[idx[0]],
                "end": day_list[idx[-1]],
                "magnitude": round(mag, 4),
                "level": "outlet" if ev["outlet"] else "area",
                "outlets": ";".join(sorted({series[s].outlet for s in targets})),
            }
        )
    for s, hits in breach_obs.items():
        x = series[s]
        idx = np.array(sorted({i for i, _ in hits}))
        for a, b in _runs(idx, 3):
            if a < i_eval:
                continue
            labels.append(
                {
                    "kind": "ceiling_breach",
                    "commodity": x.commodity,
                    "outlet": x.outlet,
                    "area": x.area,
                    "start": day_list[a],
                    "end": day_list[b],
                    "magnitude": 0.0,
                    "level": "outlet",
                    "outlets": x.outlet,
                }
            )
    label_frame = pd.DataFrame(
        labels, columns=[c for c in LABEL_COLUMNS if c not in ("event_id", "expected")]
    )
    label_frame = label_frame.sort_values(
        ["start", "kind", "commodity", "outlet", "area"], kind="mergesort"
    ).reset_index(drop=True)
    label_frame.insert(0, "event_id", [f"E{seed}-{k + 1:03d}" for k in range(len(label_frame))])
    label_frame["expected"] = label_frame["kind"].map(EXPECTED_ALERTS)
    label_frame = label_frame[LABEL_COLUMNS]

    context = pd.DataFrame(
        [
            {
                "move_id": f"M{seed}-{k + 1:02d}",
                "kind": m["kind"],
                "commodity": m["commodity"],
                "start": day_list[int(m["start"])],
                "peak": day_list[min(n - 1, int(m["peak"]))],
                "end": day_list[int(m["end"])],
                "magnitude": round(float(m["magnitude"]), 4),
            }
            for k, m in enumerate(moves)
        ],
        columns=CONTEXT_COLUMNS,
    )

    outlet_frame = pd.DataFrame(outlets, columns=["outlet", "outlet_type", "area", "zone"])
    outlet_frame["zone"] = outlet_frame["zone"].astype("Int64")
    series_frame = pd.DataFrame([vars(x) for x in series])
    series_frame["zone"] = series_frame["zone"].astype("Int64")
    return Scenario(
        seed=seed,
        params=params,
        start=start,
        end=end,
        eval_start=eval_start,
        observations=frame,
        labels=label_frame,
        context=context,
        outlets=outlet_frame,
        series=series_frame,
        tet_dates=scored_tets,
        fuel_source=fuel_source,
        notes=notes,
    )


def scenario_variants(base: GeneratorParams, count: int) -> list[tuple[str, GeneratorParams]]:
    """Parameter variations across scenarios: ramp size, noise, gaps, promotions, end date."""
    presets = [
        ("base", {}),
        (
            "noisy, big Tết ramps, many gaps",
            {
                "noise_scale": 1.4,
                "ramp_scale": 1.3,
                "missing_rate": 0.15,
                "long_gaps_per_year": 1.5,
                "promo_per_year": 10.0,
                "end": dt.date(2025, 9, 30),
            },
        ),
        (
            "calm, small ramps, small anomalies",
            {
                "noise_scale": 0.7,
                "ramp_scale": 0.8,
                "missing_rate": 0.04,
                "promo_per_year": 4.0,
                "event_scale": 0.85,
                "end": dt.date(2025, 4, 30),
            },
        ),
        (
            "volatile markets",
            {
                "noise_scale": 1.2,
                "walk_scale": 1.8,
                "ramp_scale": 1.1,
                "missing_rate": 0.1,
                "promo_per_year": 8.0,
                "end": dt.date(2026, 3, 1),
                "market_move_prob": 1.0,
            },
        ),
        (
            "sparse supermarkets",
            {
                "supermarket_days": (1, 2),
                "missing_rate": 0.2,
                "ramp_scale": 0.9,
                "end": dt.date(2024, 12, 31),
            },
        ),
    ]
    out = []
    for k in range(count):
        name, changes = presets[k % len(presets)]
        out.append((name, base.with_(**changes)))
    return out


def summary(scenario: Scenario) -> str:
    """One line describing a scenario."""
    obs = scenario.observations
    retail = obs[obs["price_type"] == "retail"]
    counts = scenario.labels["kind"].value_counts().to_dict()
    kinds = ", ".join(f"{k} {counts.get(k, 0)}" for k in KINDS)
    moves = ", ".join(scenario.context["kind"].value_counts().to_dict().keys()) or "none"
    return (
        f"{scenario.start}…{scenario.end}: {len(scenario.series)} series, {len(retail):,} retail rows, "
        f"{len(obs) - len(retail)} ceiling rows ({scenario.fuel_source}); Tết scored "
        f"{', '.join(t.isoformat() for t in scenario.tet_dates) or 'none'}; events: {kinds}; "
        f"market moves: {moves}"
    )
