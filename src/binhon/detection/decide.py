"""From scores to flags: severity levels, confirmation by consecutive prices, continuation.

A judged price is *flagged* at a level when both its robust z and its relative deviation reach the
level (``stress`` raises). An alert is *raised* on a flagged price when the previous
``persistence.confirm_observations − 1`` judged prices of the same series were flagged too (each
within ``max_obs_gap_days`` of the next), or at once when z and deviation reach
``immediate_factor`` × the stress level. An open alert *continues* on prices whose z and deviation
stay above ``continue_ratio`` × the stress level. With ``persistence.own_move`` an outlet's alert
is raised only when the outlet's own price moved in the alert's direction since its last price
that was not flagged (:func:`own_move`): a price that stood still while its peers or its expected
level moved is no rise or fall of that outlet. Everything is computed per series with vector
operations over the daily grid; only past rows are looked at (causal).
"""

from __future__ import annotations

import numpy as np

from binhon.detection.config import Levels, PersistenceConfig

__all__ = ["Decision", "decide", "own_move", "previous_judged", "severity_of"]

SEVERITY_NAMES = ("", "stress", "alert", "crisis")


def severity_of(z: np.ndarray, pct: np.ndarray, levels: Levels) -> np.ndarray:
    """0 (none) .. 3 (crisis) for upward deviations: both z and pct must reach a level."""
    z = np.nan_to_num(z, nan=-np.inf)
    pct = np.nan_to_num(pct, nan=-np.inf)
    sev = np.zeros(z.shape, dtype=np.int8)
    for i, lv in enumerate((levels.stress, levels.alert, levels.crisis), start=1):
        sev = np.where((z >= lv.z) & (pct >= lv.pct), np.int8(i), sev)
    return sev


def previous_judged(judged: np.ndarray) -> np.ndarray:
    """For each row and column, the row index of the previous judged row (-1 when none)."""
    n, S = judged.shape
    idx = np.where(judged, np.arange(n)[:, None], -1)
    last = np.maximum.accumulate(idx, axis=0)
    prev = np.full((n, S), -1, dtype=np.int64)
    prev[1:] = last[:-1]
    return prev


class Decision:
    """Flags of one detector on one grid, one direction (scores already signed upwards)."""

    def __init__(
        self, severity: np.ndarray, raise_ok: np.ndarray, cont: np.ndarray, prev: np.ndarray
    ) -> None:
        self.severity = severity
        self.raise_ok = raise_ok
        self.cont = cont
        self.prev = prev


def decide(
    z: np.ndarray,
    pct: np.ndarray,
    judged: np.ndarray,
    *,
    levels: Levels,
    persistence: PersistenceConfig,
) -> Decision:
    """Severity, raise and continue flags of judged cells (z and pct signed so that up is abnormal)."""
    judged = judged & ~np.isnan(z) & ~np.isnan(pct)
    sev = np.where(judged, severity_of(z, pct, levels), 0).astype(np.int8)
    flagged = sev >= 1
    st = levels.stress
    f = persistence.immediate_factor
    immediate = flagged & (z >= f * st.z) & (pct >= f * st.pct)
    r = persistence.continue_ratio
    cont = (
        judged & (np.nan_to_num(z, nan=-np.inf) >= r * st.z) & (np.nan_to_num(pct, nan=-np.inf) >= r * st.pct)
    )
    prev = previous_judged(judged)
    n, S = z.shape
    cols = np.arange(S)[None, :].repeat(n, axis=0)
    rows = np.arange(n)[:, None].repeat(S, axis=1)
    chain = flagged.copy()
    cur = rows
    for _ in range(persistence.confirm_observations - 1):
        p = prev[np.clip(cur, 0, None), cols]
        p = np.where(cur >= 0, p, -1)
        ok = (p >= 0) & (cur - p <= persistence.max_obs_gap_days)
        chain &= ok & flagged[np.clip(p, 0, None), cols]
        cur = np.where(ok, p, -1)
    raise_ok = flagged & (chain | immediate)
    return Decision(sev, raise_ok, cont | flagged, prev)


def own_move(Y: np.ndarray, flagged: np.ndarray) -> np.ndarray:
    """Change of each series' log price since its last observed price that was not flagged.

    ``Y`` (n_days, S) log prices (NaN: no price), ``flagged`` (n_days, S) the flagged prices. On a
    flagged price this is the move since the price just before the current run of flagged prices
    (NaN when there is none in the grid).
    """
    n, S = Y.shape
    rows = np.arange(n)[:, None]
    calm = ~np.isnan(Y) & ~flagged
    last_calm = np.maximum.accumulate(np.where(calm, rows, -1), axis=0)
    before = np.full((n, S), -1, dtype=np.int64)
    before[1:] = last_calm[:-1]
    cols = np.arange(S)[None, :]
    base = np.where(before >= 0, Y[np.clip(before, 0, None), cols], np.nan)
    return Y - base
