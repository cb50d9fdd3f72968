"""ALPS and IPA against hand computations on small examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from binhon.detection import load_detection_config, with_overrides
from binhon.detection.alps import alps, indicators, ipa, tet_regressors


def _cfg(**kw: object):  # type: ignore[no-untyped-def]
    base = load_detection_config()
    return with_overrides(base, {f"alps.{k}": v for k, v in kw.items()}).alps


def test_alps_equals_hand_computed_ols() -> None:
    cfg = _cfg(min_months=24)
    months = pd.period_range("2023-01", periods=30, freq="M")
    rng = np.random.default_rng(3)
    y = 100 + 0.5 * np.arange(1, 31) + 3 * np.sin(np.arange(30) * 2 * np.pi / 12) + rng.normal(0, 1, 30)
    y[-1] += 6  # a spike in the last month
    res = alps(pd.Series(y, index=months), config=cfg)
    # by hand: trend + 12 month dummies, no constant
    X = np.column_stack([np.arange(1, 31)] + [(months.month == m).astype(float) for m in range(1, 13)])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    sigma = np.sqrt(resid @ resid / (30 - 13))
    assert res is not None
    assert res.value == pytest.approx(resid[-1] / sigma, abs=1e-3)
    assert res.expected == pytest.approx((X @ beta)[-1], abs=0.01)
    assert res.cls == (
        "crisis" if resid[-1] / sigma >= 2 else "alert" if resid[-1] / sigma >= 1 else "stress"
    )
    assert alps(pd.Series(y[:20], index=months[:20]), config=cfg) is None  # too short


def test_tet_regressors_are_window_shares() -> None:
    cfg = _cfg(tet_pre_days=20, tet_post_days=10)
    months = pd.period_range("2024-01", "2025-12", freq="M")
    reg = tet_regressors(months, config=cfg)
    # Tết 10/02/2024: pre window 21/01..09/02 -> 11 days in January, 9 in February; post 10/02..19/02
    # Tết 29/01/2025: pre window 09/01..28/01 -> 20 days in January; post 29/01..07/02 -> 3 Jan, 7 Feb
    raw_pre = {"2024-01": 11 / 20, "2024-02": 9 / 20, "2025-01": 1.0, "2025-02": 0.0}
    raw_post = {"2024-01": 0.0, "2024-02": 1.0, "2025-01": 0.3, "2025-02": 0.7}
    for m in ("2024-01", "2024-02"):
        other = m.replace("2024", "2025")
        assert reg.loc[pd.Period(m), "tet_pre"] == pytest.approx((raw_pre[m] - raw_pre[other]) / 2)
        assert reg.loc[pd.Period(m), "tet_post"] == pytest.approx((raw_post[m] - raw_post[other]) / 2)
    assert (reg.loc[[p for p in months if p.month > 2]] == 0).all().all()


def test_ipa_hand_computed() -> None:
    cfg = _cfg(ipa_min_years=2)
    months = pd.period_range("2022-01", "2025-03", freq="M")
    n = len(months)
    rng = np.random.default_rng(11)
    p = pd.Series(100 * 1.01 ** np.arange(n) * np.exp(rng.normal(0, 0.01, n)), index=months)
    p.iloc[-1] *= 1.10
    res = ipa(p, config=cfg)
    assert res is not None
    # quarterly score by hand for the last month (March 2025) against Marches 2022..2024 (2022: no growth yet)
    v = p.to_numpy()

    def vcgr(i: int, k: int) -> float:
        g = (v[i] / v[i - k]) ** (1 / k) - 1
        vol = np.std(np.diff(np.log(v[i - k : i + 1]))[:k], ddof=1)
        return g * (1 - vol)

    idx = [i for i in range(n) if months[i].month == 3]
    past = [vcgr(i, 3) for i in idx[:-1] if i >= 3]
    w = np.arange(1, len(past) + 1)
    mean = np.sum(w * past) / w.sum()
    g = len(past)
    sd = np.sqrt(np.sum(w * (np.array(past) - mean) ** 2) / (w.sum() * (g - 1) / g))
    assert res.quarterly == pytest.approx((vcgr(n - 1, 3) - mean) / sd, rel=1e-3)
    assert res.cls == "abnormally_high"


def test_indicators_bundle() -> None:
    cfg = _cfg()
    months = pd.period_range("2022-01", "2025-02", freq="M")
    rng = np.random.default_rng(5)
    s = pd.Series(100 + rng.normal(0, 1, len(months)), index=months)
    res = indicators(s, config=cfg)
    assert res is not None and res.month == "2025-02"
    assert res.alps is not None and res.alps_tet is not None
    assert set(res.as_dict()) == {"month", "alps", "alps_tet", "ipa", "ipa_tet"}


def test_rank_deficient_history_fits_without_a_warning_for_users() -> None:
    """Two years from March 2023 hold two Tết seasons whose windows fall in months that also have
    dummies: the design is rank-deficient, the fit still works (pseudo-inverse), and statsmodels'
    SingularMatrixWarning, which it forces to always show, does not reach the CLI's users."""
    import warnings

    import statsmodels.api  # noqa: F401  (its import adds an "always" filter for its warnings)

    cfg = load_detection_config().alps
    months = pd.period_range("2023-03", periods=cfg.min_months, freq="M")
    rng = np.random.default_rng(8)
    s = pd.Series(100 + rng.normal(0, 1, len(months)), index=months)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = indicators(s, config=cfg)
    assert res is not None and res.alps is not None
    assert not [w for w in caught if "rank-deficient" in str(w.message)]
