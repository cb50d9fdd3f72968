"""Robustness of the baseline and the decisions (pure functions): promotions, past seasons disturbed
by anomalies, drift, peers of the same class, prices that did not move."""

from __future__ import annotations

import numpy as np
import pytest

from binhon.detection import load_detection_config
from binhon.detection.baseline import nanmedian, nanquantile, past_dips, promotion_dips, season_profile
from binhon.detection.config import with_overrides
from binhon.detection.decide import own_move
from binhon.detection.peers import peer_deviation, recent

CUT = float(np.log1p(-0.05))


def test_nanquantile_matches_numpy_and_nanmedian() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=(6, 9, 4))
    a[a > 1.1] = np.nan
    assert np.allclose(nanquantile(a, 0.75, axis=1), np.nanquantile(a, 0.75, axis=1), equal_nan=True)
    assert np.allclose(nanquantile(a, 0.5, axis=0), nanmedian(a, axis=0), equal_nan=True)
    q = np.array([0.5, 0.75, 0.75, 0.5])  # one quantile per column
    got = nanquantile(a[0], q, axis=0)
    want = [np.nanquantile(a[0][:, j], q[j]) for j in range(4)]
    assert np.allclose(got, want, equal_nan=True)


def test_promotion_is_a_sudden_dip_that_comes_back_not_a_slow_drift() -> None:
    n = 40
    days = np.arange(n)
    regular = np.full((n, 2), np.log(100.0))
    Z = np.full((n, 2), np.log(100.0))
    Z[10:15, 0] = np.log(80.0)  # a promotion: sudden −20 % for five days, then back
    Z[:, 1] = np.log(100.0) - np.linspace(0.0, 0.10, n)  # a slow drift 10 % below the regular level
    dip = promotion_dips(Z, days, regular, cut=CUT, max_days=14, max_gap=14)
    assert dip[10:15, 0].all() and not dip[:10, 0].any() and not dip[15:, 0].any()
    assert not dip[:, 1].any()


def test_promotion_after_a_reporting_gap_and_a_lasting_fall() -> None:
    n = 60
    days = np.arange(n)
    regular = np.full((n, 2), np.log(100.0))
    Z = np.full((n, 2), np.nan)
    Z[:10, 0] = np.log(100.0)
    Z[30:34, 0] = np.log(80.0)  # back after a 20-day gap with promotion prices: still a promotion
    Z[34:, 0] = np.log(100.0)
    Z[:, 1] = np.log(100.0)
    Z[20:, 1] = np.log(80.0)  # a lasting fall: a promotion for max_days, then judged as usual
    dip = promotion_dips(Z, days, regular, cut=CUT, max_days=14, max_gap=14)
    assert dip[30:34, 0].all() and not dip[34:, 0].any()
    assert dip[20:35, 1].all() and not dip[35:, 1].any()


def test_past_dips_are_the_dips_that_came_back() -> None:
    y = np.log(np.array([100, 100, 80, np.nan, 80, 100, 100, 90, 90, 90, np.nan, np.nan, 90.0]))
    dip = past_dips(y, cut=CUT, max_days=14)
    assert dip.tolist() == [False, False, True, False, True] + [False] * 8  # the last fall stays


def _ramp_blocks(cfg, n_series: int = 6, seasons: int = 3):  # type: ignore[no-untyped-def]
    k0, k1 = cfg.tet.reference_window[0], cfg.tet.profile_end
    ks = np.arange(k0, k1 + 1)
    ramp = np.where((ks >= -25) & (ks <= 0), 0.15 * np.clip((ks + 25) / 25, 0, 1), 0.0)
    ramp = np.where((ks > 0) & (ks <= 10), 0.15 * (1 - ks / 11), ramp)
    rng = np.random.default_rng(5)
    blocks = [
        np.log(100.0) + ramp[:, None] + rng.normal(0, 0.004, (ks.size, n_series)) for _ in range(seasons)
    ]
    return ks, ramp, blocks


def test_a_past_season_disturbed_by_an_anomaly_does_not_set_the_ramp() -> None:
    cfg = load_detection_config()
    ks, ramp, blocks = _ramp_blocks(cfg, seasons=1)
    # Series 0 fell by 30 % (an anomaly of its own) from 40 days before Tết in its only past season.
    blocks[0][ks >= -40, 0] += np.log(0.7)
    prof = season_profile(blocks, classes=np.zeros(6, dtype=int), config=cfg)
    i = int(np.flatnonzero(ks == -30)[0])
    assert abs(prof.P[i, 0] - ramp[i]) < 0.05  # without the limit it would be about −0.18
    assert prof.P[i, 1] == pytest.approx(ramp[i], abs=0.02)


def test_drift_across_a_past_season_is_not_learned_as_ramp() -> None:
    cfg = load_detection_config()
    ks, ramp, blocks = _ramp_blocks(cfg)
    drift = 0.12 * (ks - ks[0]) / (ks[-1] - ks[0])  # prices rose 12 % across every past season
    blocks = [b + drift[:, None] for b in blocks]
    prof = season_profile(blocks, classes=np.zeros(6, dtype=int), config=cfg)
    end = int(np.flatnonzero(ks == cfg.tet.profile_end)[0])
    peak = int(np.flatnonzero(ks == 0)[0])
    assert abs(prof.P[end, 0]) < 0.02  # the ramp is over by the profile's end
    assert prof.P[peak, 0] == pytest.approx(0.15, abs=0.04)


def test_store_promotions_in_past_seasons_are_left_out_of_its_ramp() -> None:
    cfg = load_detection_config()
    ks, ramp, blocks = _ramp_blocks(cfg)
    promo = np.array([True, False, False, False, False, False])
    for b in blocks:  # the same 6-day promotion (−20 %) in every past season, mid-ramp
        b[(ks >= -14) & (ks <= -9), 0] += np.log(0.8)
    prof = season_profile(blocks, classes=np.zeros(6, dtype=int), config=cfg, promo=promo)
    i = int(np.flatnonzero(ks == -12)[0])
    assert prof.P[i, 0] == pytest.approx(ramp[i], abs=0.03)


def test_ramp_spread_grows_with_the_ramp() -> None:
    from binhon.detection.baseline import baseline, tet_offsets
    from binhon.detection.panel import day_of
    from binhon.tet import tet_date

    cfg = load_detection_config()
    ks, ramp, blocks = _ramp_blocks(cfg)
    prof = season_profile(blocks, classes=np.zeros(6, dtype=int), config=cfg)
    T = day_of(tet_date(2026))
    days = np.arange(T - 200, T + 40)
    Y = np.full((days.size, 6), np.log(100.0))
    base = baseline(Y, days, profiles={T: prof}, classes=np.zeros(6, dtype=int), config=cfg)
    k, _ = tet_offsets(days)
    row = int(np.flatnonzero(k == -5)[0])
    peak = float(np.nanmax(prof.province[cfg.tet.ramp_start - prof.k0 :]))
    assert base.tau_province[row] >= cfg.tet.min_rel_spread * peak - 1e-9
    assert (base.tau[row] >= cfg.tet.min_rel_spread * 0.1).all()


def test_recent_does_not_carry_across_a_change_of_regime() -> None:
    a = np.array([[1.0], [np.nan], [np.nan], [np.nan]])
    assert recent(a, 3)[:, 0].tolist() == [1.0, 1.0, 1.0, 1.0]
    out = recent(a, 3, regime=np.array([False, False, True, True]))[:, 0]
    assert out[:2].tolist() == [1.0, 1.0] and np.isnan(out[2:]).all()


def test_peers_of_the_same_class_when_enough_report() -> None:
    cfg = with_overrides(load_detection_config(), {"peers.min_peers": 3})
    # Five markets (class 0) and four stores (class 1), all in different districts; on this day the
    # markets are 10 % up, the stores flat.
    e = np.array([[0.10, 0.10, 0.10, 0.10, 0.10, 0.0, 0.0, 0.0, 0.0]])
    district = np.arange(9)
    classes = np.array([0] * 5 + [1] * 4)
    pc = peer_deviation(e, district, config=cfg, classes=classes)
    assert pc.u[0, 0] == pytest.approx(0.0) and pc.u[0, 5] == pytest.approx(0.0)
    mixed = peer_deviation(e, district, config=with_overrides(cfg, {"peers.same_class": False}))
    assert mixed.u[0, 0] == pytest.approx(0.05) and mixed.u[0, 5] == pytest.approx(-0.10)


def test_own_move_since_the_last_price_not_flagged() -> None:
    Y = np.log(np.array([[100.0], [100.0], [110.0], [110.0], [np.nan], [120.0], [100.0]]))
    flagged = np.array([[False], [False], [True], [True], [False], [True], [False]])
    move = own_move(Y, flagged)[:, 0]
    assert move[2] == pytest.approx(np.log(1.1)) and move[3] == pytest.approx(np.log(1.1))
    assert move[5] == pytest.approx(np.log(1.2))
    still = own_move(np.full((3, 1), np.log(100.0)), np.array([[False], [True], [True]]))[:, 0]
    assert still[1] == 0 and still[2] == 0  # a price that stood still did not move
