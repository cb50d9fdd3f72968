"""The detection benchmark's own machinery: generator, baselines, scoring (benchmarks/evaluation)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from benchmarks.evaluation import baselines as B
from benchmarks.evaluation.generator import (
    AREAS,
    FUELS,
    OBS_COLUMNS,
    OFFICIAL,
    QUICK_PARAMS,
    ZONE2_FACTOR,
    Scenario,
    ceiling_at,
    generate,
)
from benchmarks.evaluation.scoring import score

TINY = QUICK_PARAMS.with_(
    years=1.6,
    areas=AREAS[:4],
    market_food=("thit-lon-nac", "bap-cai", "gao-te-thuong"),
    supermarkets=1,
    supermarket_goods=("thit-lon-nac", "sua-bot-tre-em"),
    stations=2,
    n_spike=5,
    n_tet_abnormal=2,
    n_outlet_gouging=2,
    n_level_shift=1,
    n_drop=2,
    n_ceiling_breach=3,
)


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return generate(11, TINY)


# ----------------------------------------------------------------------------------------------
# Generator
# ----------------------------------------------------------------------------------------------


def test_generator_is_deterministic(tiny: Scenario) -> None:
    again = generate(11, TINY)
    pd.testing.assert_frame_equal(tiny.observations, again.observations)
    pd.testing.assert_frame_equal(tiny.labels, again.labels)
    pd.testing.assert_frame_equal(tiny.context, again.context)
    other = generate(12, TINY)
    assert not tiny.observations["price_vnd"].equals(other.observations["price_vnd"])


def test_synthetic_fuel_ceilings_without_shared_data() -> None:
    scenario = generate(11, TINY.with_(pvoil_csv=None, years=1.2, n_ceiling_breach=2))
    assert scenario.fuel_source == "synthetic"
    assert any("synthetic fuel ceilings" in note for note in scenario.notes)
    ceilings = scenario.observations[scenario.observations["price_type"] == "ceiling"]
    assert set(ceilings["commodity"]) == set(FUELS)


def test_observations_have_the_contract_columns(tiny: Scenario) -> None:
    obs = tiny.observations
    assert list(obs.columns) == OBS_COLUMNS
    assert set(obs["price_type"]) == {"retail", "ceiling"}
    assert obs.duplicated(["date", "commodity", "outlet", "price_type", "time"]).sum() == 0
    ceilings = obs[obs["price_type"] == "ceiling"]
    assert set(ceilings["outlet"]) == set(OFFICIAL.values())
    assert (ceilings["time"] == "15:00").all()
    # markets are closed from 30 Tết to mùng 3
    markets = obs[obs["outlet_type"] == "market"]
    for t in tiny.tet_dates:
        closed = {t + dt.timedelta(days=k) for k in (-1, 0, 1, 2)}
        assert not markets["date"].isin(closed).any()


def test_labels_line_up_with_the_data(tiny: Scenario) -> None:
    obs = tiny.observations
    labels = tiny.labels
    assert set(labels["kind"]) >= {"spike", "ceiling_breach"}
    assert (labels["start"] <= labels["end"]).all()
    assert (labels["start"] >= tiny.eval_start).all()
    retail = obs[obs["price_type"] == "retail"]
    for e in labels.itertuples():
        outlets = e.outlets.split(";")
        rows = retail[(retail["commodity"] == e.commodity) & retail["outlet"].isin(outlets)]
        at_start = rows[rows["date"] == e.start]
        assert len(at_start), f"{e.event_id}: no observation on its start day"
        if e.kind in ("spike", "drop"):
            before = rows[(rows["date"] < e.start) & (rows["date"] >= e.start - dt.timedelta(days=30))]
            ratio = at_start["price_vnd"].mean() / before["price_vnd"].median()
            if e.kind == "spike":  # a labelled spike is visible in the prices
                assert ratio >= 1 + 0.5 * e.magnitude, (e.event_id, ratio)
            else:
                assert ratio <= 1 + 0.25 * e.magnitude, (e.event_id, ratio)
    # every labelled ceiling breach is a price above the ceiling in force, and only those
    history: dict[str, list[tuple[dt.date, int]]] = {}
    ceil = obs[(obs["price_type"] == "ceiling") & (obs["outlet"] == OFFICIAL[1])]
    for c in FUELS:
        history[c] = sorted(
            zip(
                ceil.loc[ceil["commodity"] == c, "date"],
                ceil.loc[ceil["commodity"] == c, "price_vnd"],
                strict=True,
            )
        )
    stations = retail[retail["outlet_type"] == "petrol"]
    above = set()
    for r in stations.itertuples():
        limit = ceiling_at(history[r.commodity], r.date, r.time)
        if r.zone == 2:
            limit = int(round(limit * ZONE2_FACTOR / 10) * 10)
        if r.price_vnd > limit and r.date >= tiny.eval_start:
            above.add((r.outlet, r.commodity, r.date))
    breaches = labels[labels["kind"] == "ceiling_breach"]
    assert len(breaches) >= 1
    for outlet, commodity, day in above:
        assert (
            (breaches["outlet"] == outlet)
            & (breaches["commodity"] == commodity)
            & (breaches["start"] <= day)
            & (breaches["end"] >= day)
        ).any()
    for e in breaches.itertuples():
        assert (e.outlet, e.commodity, e.start) in above


# ----------------------------------------------------------------------------------------------
# Scoring on a hand-made case
# ----------------------------------------------------------------------------------------------


def _obs(outlet: str, commodity: str, days: list[dt.date]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": days,
            "commodity": commodity,
            "outlet": outlet,
            "price_vnd": 100_000,
            "price_type": "retail",
            "outlet_type": "market",
            "area": "Huyện Cầu Kè",
            "zone": pd.array([pd.NA] * len(days), dtype="Int64"),
            "time": "",
        }
    )


def _det(
    kind: str,
    outlet: str,
    first: dt.date,
    *,
    commodity: str = "thit-lon-nac",
    level: str = "outlet",
    observed: int | None = None,
    expected: int | None = None,
) -> dict[str, object]:
    return {
        "detector": "x",
        "kind": kind,
        "commodity": commodity,
        "outlet": outlet,
        "area": "",
        "level": level,
        "first_date": first,
        "last_date": first,
        "observed_vnd": observed,
        "expected_vnd": expected,
        "covered": frozenset([outlet]) if outlet else frozenset(),
    }


def test_scoring_on_a_hand_made_case() -> None:
    d = dt.date
    tet = d(2025, 1, 29)  # real Tết: the window is 30/12/2024 … 18/02/2025
    labels = pd.DataFrame(
        [
            {
                "event_id": "E1",
                "kind": "spike",
                "commodity": "thit-lon-nac",
                "outlet": "O1",
                "area": "A",
                "start": d(2024, 3, 10),
                "end": d(2024, 3, 12),
                "magnitude": 0.3,
                "level": "outlet",
                "outlets": "O1",
                "expected": "",
            },
            {
                "event_id": "E2",
                "kind": "drop",
                "commodity": "thit-lon-nac",
                "outlet": "O2",
                "area": "A",
                "start": d(2024, 5, 20),
                "end": d(2024, 5, 25),
                "magnitude": -0.3,
                "level": "outlet",
                "outlets": "O2",
                "expected": "",
            },
        ]
    )
    context = pd.DataFrame(
        [
            {
                "move_id": "M1",
                "kind": "pork_surge",
                "commodity": "thit-lon-nac",
                "start": d(2024, 8, 1),
                "peak": d(2024, 9, 1),
                "end": d(2024, 10, 1),
                "magnitude": 0.3,
            }
        ]
    )
    window_day = [d(2025, 1, 20)]
    obs = pd.concat(
        [_obs("O1", "thit-lon-nac", window_day), _obs("O3", "thit-lon-nac", window_day)], ignore_index=True
    )
    series = pd.DataFrame(
        {
            "outlet": ["O1", "O2", "O3"],
            "commodity": "thit-lon-nac",
            "outlet_type": "market",
            "area": "A",
            "zone": pd.array([pd.NA] * 3, dtype="Int64"),
        }
    )
    scenario = Scenario(
        seed=0,
        params=TINY,
        start=d(2024, 1, 1),
        end=d(2025, 3, 31),
        eval_start=d(2024, 2, 1),
        observations=obs,
        labels=labels,
        context=context,
        outlets=pd.DataFrame(),
        series=series,
        tet_dates=[tet],
        fuel_source="synthetic",
    )
    dets = pd.DataFrame(
        [
            _det("spike", "O1", d(2024, 3, 11)),  # matches E1, delay 1
            _det("spike", "O1", d(2024, 3, 8)),  # within the 3-day tolerance: matches E1 too (delay 0)
            _det("drop", "O2", d(2024, 5, 30)),  # after E2's end: false (drop)
            _det("drop", "O1", d(2024, 3, 13)),  # the spike going back to normal: neutral
            _det("spike", "", d(2024, 8, 5), level="province"),  # province-wide on a market move: neutral
            _det("spike", "O3", d(2024, 8, 5)),  # outlet-level on a market move: false (other_up)
            _det("spike", "O3", d(2025, 1, 24)),  # normal Tết window of O3: false (tet), window alerted
            _det("stale", "O3", d(2024, 6, 1)),  # not scored
            _det("spike", "O1", d(2024, 1, 10)),  # warm-up: ignored
        ],
        columns=B.DETECTION_COLUMNS,
    )
    s = score(scenario, dets, detector="x")
    assert (s.tp, s.fp, s.neutral, s.ignored) == (2, 3, 2, 1)
    assert s.fp_by_scope == {"drop": 1, "other_up": 1, "tet_abnormal": 1}
    spike, drop = s.kinds["spike"], s.kinds["drop"]
    assert (spike.events, spike.detected, spike.delays) == (1, 1, [0])
    assert spike.recall == 1.0 and spike.precision == pytest.approx(2 / 3) and spike.f1 == pytest.approx(0.8)
    assert (drop.events, drop.detected, drop.recall, drop.precision, drop.f1) == (1, 0, 0.0, 0.0, 0.0)
    o = s.overall
    assert o.recall == 0.5 and o.precision == pytest.approx(2 / 5)
    assert o.f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    assert o.median_delay == 0.0
    assert (s.tet_alerted, s.tet_windows) == (1, 2) and s.tet_share == 0.5
    assert math.isnan(s.kinds["tet_abnormal"].recall)

    # delays: a later first match gives the delay; p90 interpolates linearly
    later = pd.DataFrame([_det("spike", "O1", d(2024, 3, 12))], columns=B.DETECTION_COLUMNS)
    s2 = score(scenario, later, detector="x")
    assert s2.kinds["spike"].delays == [2] and s2.overall.p90_delay == 2.0


def test_area_level_and_outlier_matching() -> None:
    d = dt.date
    labels = pd.DataFrame(
        [
            {
                "event_id": "E1",
                "kind": "tet_abnormal",
                "commodity": "ga-ta",
                "outlet": "",
                "area": "A",
                "start": d(2025, 1, 15),
                "end": d(2025, 2, 5),
                "magnitude": 0.3,
                "level": "area",
                "outlets": "O1;O2",
                "expected": "",
            },
            {
                "event_id": "E2",
                "kind": "drop",
                "commodity": "ga-ta",
                "outlet": "O3",
                "area": "B",
                "start": d(2024, 6, 1),
                "end": d(2024, 6, 20),
                "magnitude": -0.3,
                "level": "outlet",
                "outlets": "O3",
                "expected": "",
            },
        ]
    )
    scenario = Scenario(
        seed=0,
        params=TINY,
        start=d(2024, 1, 1),
        end=d(2025, 3, 31),
        eval_start=d(2024, 2, 1),
        observations=_obs("O1", "ga-ta", []),
        labels=labels,
        context=pd.DataFrame(columns=["move_id", "kind", "commodity", "start", "peak", "end", "magnitude"]),
        outlets=pd.DataFrame(),
        series=pd.DataFrame(columns=["outlet", "commodity", "outlet_type", "area", "zone"]),
        tet_dates=[],
        fuel_source="synthetic",
    )
    area_alert = {
        **_det("spike", "", d(2025, 1, 20), commodity="ga-ta", level="area"),
        "covered": frozenset({"O2", "O9"}),
    }
    outlier_down = _det(
        "outlet_outlier", "O3", d(2024, 6, 3), commodity="ga-ta", observed=60_000, expected=90_000
    )
    s = score(scenario, pd.DataFrame([area_alert, outlier_down], columns=B.DETECTION_COLUMNS), detector="x")
    assert s.kinds["tet_abnormal"].detected == 1 and s.kinds["tet_abnormal"].delays == [5]
    assert s.kinds["drop"].detected == 1 and s.fp == 0
    # an upward outlier does not detect a drop
    outlier_up = _det(
        "outlet_outlier", "O3", d(2024, 6, 3), commodity="ga-ta", observed=99_000, expected=90_000
    )
    s = score(scenario, pd.DataFrame([outlier_up], columns=B.DETECTION_COLUMNS), detector="x")
    assert s.kinds["drop"].detected == 0 and s.neutral == 1  # opposite direction during the event


# ----------------------------------------------------------------------------------------------
# Baselines
# ----------------------------------------------------------------------------------------------


def _series_frame(prices: np.ndarray, first: dt.date) -> pd.DataFrame:
    days = [first + dt.timedelta(days=k) for k in range(len(prices))]
    frame = _obs("O1", "thit-lon-nac", days)
    frame["price_vnd"] = prices.astype(np.int64)
    return frame


@pytest.mark.parametrize("name", list(B.BASELINES))
def test_baseline_fires_on_an_obvious_spike(name: str) -> None:
    first = dt.date(2023, 1, 1)
    n = (dt.date(2025, 3, 31) - first).days + 1
    rng = np.random.default_rng(0)
    prices = np.round(100_000 * (1 + rng.normal(0, 0.01, size=n)) / 100) * 100
    spike_day = (dt.date(2025, 3, 1) - first).days
    prices[spike_day : spike_day + 3] *= 1.4
    dets, _ = B.run_baseline(name, _series_frame(prices, first))
    spikes = dets[(dets["kind"] == "spike") & (dets["first_date"] == dt.date(2025, 3, 1))]
    assert len(spikes) == 1, dets.tail()


@pytest.mark.parametrize("name", list(B.BASELINES))
def test_baseline_is_quiet_on_a_flat_series(name: str) -> None:
    first = dt.date(2023, 1, 1)
    n = (dt.date(2025, 3, 31) - first).days + 1
    dets, _ = B.run_baseline(name, _series_frame(np.full(n, 100_000.0), first))
    assert dets.empty


def test_group_flags_joins_consecutive_flags() -> None:
    days = np.array([1, 2, 3, 5, 20, 21, 22, 23])
    flags = np.array([1, 1, 0, 1, 1, -1, -1, 0])
    assert B.group_flags(days, flags) == [(1, 0, 1), (1, 3, 3), (1, 4, 4), (-1, 5, 6)]


def test_cli_runs_quick_without_binhon(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "detection.py"
    spec = importlib.util.spec_from_file_location("bench_detection", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--quick", "--no-binhon", "--years", "1.6", "--baselines", "median30,alps"]) == 0
    out = capsys.readouterr().out
    assert "== overall" in out and "median30" in out and "alps" in out
