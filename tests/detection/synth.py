"""Synthetic price series with real Tết dates, for the detection tests (deterministic)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from binhon.tet import days_to_tet

DISTRICTS = ("Huyện Càng Long", "Thành phố Trà Vinh", "Huyện Cầu Kè", "Huyện Duyên Hải")


def tet_ramp(k: int, peak: float) -> float:
    """A normal Tết ramp: rises from 30 days before Tết to ``peak`` at −3, falls back by +20."""
    if -30 <= k <= -3:
        return peak * (k + 30) / 27
    if -3 < k <= 3:
        return peak
    if 3 < k <= 20:
        return peak * (20 - k) / 17
    return 0.0


def daterange(start: dt.date, end: dt.date, step: int = 1) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(0, (end - start).days + 1, step)]


def market_records(
    *,
    commodity: str = "thit-lon-nac",
    start: dt.date = dt.date(2022, 10, 1),
    end: dt.date = dt.date(2026, 3, 10),
    outlets_per_district: int = 3,
    base: float = 110_000,
    peak: float = 0.20,
    noise: float = 0.012,
    rounding: int = 500,
    seed: int = 7,
    step: int = 1,
    bump: Callable[[str, str, dt.date], float] | None = None,
    outlet_type: str = "market",
    prefix: str = "CHO",
    start_of: dict[str, dt.date] | None = None,
) -> list[dict[str, object]]:
    """Daily (or every ``step`` days) retail prices at markets of four districts with a Tết ramp.

    ``bump(outlet_code, district, date)`` returns an extra log-deviation (an injected anomaly).
    """
    rng = np.random.default_rng(seed)
    days = daterange(start, end, step)
    ks = [days_to_tet(d) for d in days]
    records: list[dict[str, object]] = []
    for di, district in enumerate(DISTRICTS):
        for j in range(outlets_per_district):
            code = f"{prefix}-{di}{j}"
            level = np.log(base) + rng.normal(0, 0.03)
            first = (start_of or {}).get(code, start)
            declared = False
            for d, k in zip(days, ks, strict=True):
                if d < first:
                    continue
                x = level + np.log1p(tet_ramp(k, peak)) + rng.normal(0, noise)
                if bump is not None:
                    x += bump(code, district, d)
                price = int(round(np.exp(x) / rounding) * rounding)
                rec: dict[str, object] = {
                    "date": d.isoformat(),
                    "commodity": commodity,
                    "outlet": code,
                    "price_vnd": price,
                }
                if not declared:
                    rec.update({"outlet_type": outlet_type, "area": district, "outlet_name": f"Chợ {code}"})
                    declared = True
                records.append(rec)
    return records


def ingest(session, records: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    """Store records through the ingest path and commit."""
    from binhon.ingest import ingest_records

    ingest_records(session, records, actor="test", channel="test", source_default="test", return_ids=False)
    session.commit()
