"""Benchmark: `binhon detect` at province scale, full and incremental, on SQLite and PostgreSQL.

    python benchmarks/detect_scale.py [--backend sqlite|postgresql|both] [--pg-url URL]
                                      [--outlets 230] [--years 3] [--profile]

1. Generates, deterministically (fixed seed), a province's daily prices: ``--outlets`` markets and
   supermarkets in real communes, each selling 13 foods (≈ 3 000 series), plus 10 petrol stations
   selling 3 fuels under official ceilings (zone 1/2, adjusted every ~10 days at 15:00), over
   ``--years`` years ending 31/12/2025 (≈ 3,3 M prices). Prices follow a per-commodity level
   (trend, a Tết ramp of the commodity's size), a per-outlet factor and daily noise, rounded as shops
   do; 2 % of days are missing at random; a few anomalies are injected (gouging at single outlets,
   one district's abnormal Tết ramp) so that the run has alerts to write.
2. For each backend, in a fresh database, loads the CSV through the ingest path
   (``binhon.ingest.import_csv``), then measures in a child process each:
   (a) the full ``run_detection`` (every stored day judged),
   (b) after importing one more day of prices, the incremental ``run_detection``.
3. Prints wall time, the run's own timings, alerts raised and each child's peak RSS (its VmHWM, or
   its largest worker process's ru_maxrss if larger; ru_maxrss of the child itself would be the
   parent's, since it survives the spawn's exec).
Targets (issue 4): full ≤ 60 s, incremental ≤ 5 s, peak memory < 2 GiB on this 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SEED = 20260101
LAST_DAY = dt.date(2025, 12, 31)
FOODS = {  # code: (typical price, rounding step, Tết peak)
    "gao-te-thuong": (15_000, 500, 0.03),
    "gao-thom": (22_000, 500, 0.04),
    "thit-lon-hoi": (60_000, 500, 0.10),
    "thit-lon-nac": (130_000, 1_000, 0.20),
    "thit-lon-ba-roi": (140_000, 1_000, 0.20),
    "thit-bo": (300_000, 5_000, 0.15),
    "ga-ta": (140_000, 1_000, 0.22),
    "trung-ga": (30_000, 500, 0.08),
    "ca-loc": (65_000, 1_000, 0.15),
    "bap-cai": (12_000, 500, 0.30),
    "duong-trang": (25_000, 500, 0.02),
    "muoi-hat": (8_000, 500, 0.0),
    "dau-an": (45_000, 500, 0.03),
}
FUELS = {"xang-e5-ron92": 21_000, "xang-ron95-iii": 22_000, "dau-do-005s": 19_500}
COLUMNS = ["date", "commodity", "outlet", "price_vnd", "price_type", "outlet_type", "area", "zone", "time"]


def _ramp(k: np.ndarray, peak: float) -> np.ndarray:
    up = np.where((k >= -30) & (k <= -3), peak * (k + 30) / 27, 0.0)
    top = np.where((k > -3) & (k <= 3), peak, 0.0)
    down = np.where((k > 3) & (k <= 20), peak * (20 - k) / 17, 0.0)
    return up + top + down


def generate(path: Path, *, outlets: int, years: int, extra_day: bool = False) -> int:
    """Write the CSV (all days, or only the day after LAST_DAY with ``extra_day``); return rows."""
    from binhon.catalog import load_areas
    from binhon.detection.baseline import tet_offsets
    from binhon.detection.panel import day_of

    rng = np.random.default_rng(SEED)
    areas = load_areas()
    districts = [
        d for p in areas.former_provinces if p.code == areas.home_former_province for d in p.districts
    ]
    first = dt.date(LAST_DAY.year - years + 1, 1, 1)
    n_days = (LAST_DAY - first).days + 1 + 1  # + the extra day
    days = np.arange(day_of(first), day_of(first) + n_days)
    k, _ = tet_offsets(days)
    # outlets in communes of the home province's former districts
    shops = []
    for i in range(outlets):
        d = districts[i % len(districts)]
        commune = d.communes[int(rng.integers(len(d.communes)))]
        otype = "market" if i % 4 else "supermarket"
        shops.append(
            (f"SC-{'CHO' if otype == 'market' else 'ST'}-{i:03d}", otype, commune.code, i % len(districts))
        )
    rows = 0
    dates = [(dt.date(1970, 1, 1) + dt.timedelta(days=int(x))).isoformat() for x in days]
    lo = n_days - 1 if extra_day else 0
    hi = n_days if extra_day else n_days - 1
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        # food series: level * outlet factor * noise
        gouge = {
            (int(rng.integers(outlets)), code): int(rng.integers(60, n_days - 30))
            for code in FOODS
            for _ in range(2)
        }
        hot_district = 2
        per_day: list[list[list[Any]]] = [[] for _ in range(n_days)]
        years_f = (days - days[0]) / 365.25
        for code, (typical, step, peak) in FOODS.items():
            level = (
                np.log(typical)
                + 0.03 * years_f
                + np.cumsum(rng.normal(0, 0.002, n_days))
                + np.log1p(_ramp(k, peak))
            )
            for si, (ocode, otype, area, dist) in enumerate(shops):
                x = level + rng.normal(0, 0.05) + rng.normal(0, 0.015, n_days)
                if (si, code) in gouge:
                    g0 = gouge[(si, code)]
                    x[g0 : g0 + 10] += 0.25
                if dist == hot_district and code == "thit-lon-nac":
                    x += np.log1p(_ramp(k, 0.45)) - np.log1p(_ramp(k, peak)) * (days > days[-1] - 400)
                price = np.round(np.exp(x) / step) * step
                keep = rng.random(n_days) > 0.02
                for i in np.flatnonzero(keep[lo:hi]) + lo:
                    per_day[i].append([dates[i], code, ocode, int(price[i]), "", otype, area, "", ""])
        # fuels: ceilings (official, both zones) every ~10 days at 15:00, stations at the ceiling
        change = np.zeros(n_days, dtype=bool)
        change[::10] = True
        for code, typical in FUELS.items():
            ceil = np.round(
                typical * np.exp(np.cumsum(np.where(change, rng.normal(0, 0.03, n_days), 0.0))), -1
            )
            for i in np.flatnonzero(change[lo:hi]) + lo:
                for zone in (1, 2):
                    per_day[i].append(
                        [
                            dates[i],
                            code,
                            f"BM-BCT-V{zone}",
                            int(ceil[i] * (1 + 0.02 * (zone - 1))),
                            "ceiling",
                            "official",
                            "",
                            zone,
                            "15:00",
                        ]
                    )
            for j in range(10):
                ocode = f"SC-CX-{j:02d}"
                area = shops[j][2]
                for i in range(lo, hi):
                    in_force = ceil[i - 1] if change[i] and i > 0 else ceil[i]
                    price = int(in_force - 10 * int(rng.integers(0, 3)))
                    per_day[i].append([dates[i], code, ocode, price, "retail", "petrol", area, 1, "08:00"])
        for day_rows in per_day:
            w.writerows(day_rows)
            rows += len(day_rows)
    return rows


def _hwm_mib() -> float:
    """Peak resident set size of this process (VmHWM; unlike ru_maxrss it restarts at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_rss_mib() -> float:
    """Peak RSS of the largest finished child (the detection's worker processes)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _child(url: str, as_of: str | None, queue: Any, profile: bool) -> None:
    import os

    os.environ["BINHON_DATABASE_URL"] = url
    from binhon.db.engine import make_engine, session_factory
    from binhon.detection import run_detection

    engine = make_engine(url)
    rss_before = _hwm_mib()
    t = time.perf_counter()
    with session_factory(engine)() as session:
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
        result = run_detection(session, as_of=dt.date.fromisoformat(as_of) if as_of else None, actor="bench")
        session.commit()
        if profile:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    wall = time.perf_counter() - t
    queue.put(
        {
            "wall": wall,
            "raised": result.raised,
            "extended": result.extended,
            "by_kind": result.raised_by_kind,
            "observations": result.observations,
            "series": result.series,
            "timings": {k: round(v, 2) for k, v in result.timings.items()},
            "cpu_s": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_utime
                + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
                1,
            ),
            # this process's own peak (VmHWM) or its largest worker's, whichever is larger
            "rss_mib": round(max(_hwm_mib(), _children_rss_mib()), 1),
            "rss_before_mib": round(rss_before, 1),
        }
    )


def measure(url: str, as_of: str | None, profile: bool) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(url, as_of, q, profile))
    p.start()
    out = q.get()
    p.join()
    return out


def prepare(url: str, csv_path: Path) -> float:
    from binhon.db.engine import make_engine, session_scope
    from binhon.db.migrate import upgrade
    from binhon.ingest import import_csv
    from binhon.sync import sync_config

    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        sync_config(session=s, actor="bench")
    t = time.perf_counter()
    with session_scope(engine) as s:
        import_csv(s, csv_path, actor="bench")
    engine.dispose()
    return time.perf_counter() - t


def bench(backend: str, url: str, full_csv: Path | None, day_csv: Path, profile: bool) -> None:
    print(f"\n== {backend}")
    if full_csv is not None:
        secs = prepare(url, full_csv)
        print(f"import of the generated CSV: {secs:.1f} s")
    full = measure(url, LAST_DAY.isoformat(), profile)
    print(f"FULL detect: {full['wall']:.1f} s; {full}")
    from binhon.db.engine import make_engine, session_scope
    from binhon.ingest import import_csv

    engine = make_engine(url)
    with session_scope(engine) as s:
        import_csv(s, day_csv, actor="bench")
    engine.dispose()
    inc = measure(url, None, profile)
    print(f"INCREMENTAL detect (+1 day): {inc['wall']:.2f} s; {inc}")
    ok = full["wall"] <= 60 and inc["wall"] <= 5 and max(full["rss_mib"], inc["rss_mib"]) < 2048
    print(f"targets (full ≤ 60 s, incremental ≤ 5 s, peak RSS < 2 GiB): {'MET' if ok else 'NOT MET'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL)
    ap.add_argument("--outlets", type=int, default=230)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument(
        "--prepared-sqlite", type=Path, help="copy this already loaded SQLite file instead of importing"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        full_csv, day_csv = tmpd / "prices.csv", tmpd / "day.csv"
        t = time.perf_counter()
        generate(day_csv, outlets=args.outlets, years=args.years, extra_day=True)
        if args.prepared_sqlite and args.backend == "sqlite":
            import shutil

            shutil.copy(args.prepared_sqlite, tmpd / "bench.db")
            bench("sqlite", f"sqlite:///{tmpd / 'bench.db'}", None, day_csv, args.profile)
            return
        n = generate(full_csv, outlets=args.outlets, years=args.years)
        print(f"generated {n:,} prices in {time.perf_counter() - t:.1f} s")
        if args.backend in ("sqlite", "both"):
            bench("sqlite", f"sqlite:///{tmpd / 'bench.db'}", full_csv, day_csv, args.profile)
        if args.backend in ("postgresql", "both"):
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            name = f"binhon_detect_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
                bench("postgresql", url, full_csv, day_csv, args.profile)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
