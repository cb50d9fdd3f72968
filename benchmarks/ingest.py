"""Benchmark: binhon's CSV import against the raw insert limit, on SQLite and PostgreSQL.

    python benchmarks/ingest.py [--rows 1000000] [--backend sqlite|postgresql|both] [--pg-url URL]
                                [--repeat N] [--no-bare] [--limit-detail] [--profile] [--workdir DIR]

1. Generates a realistic observation CSV (CONTRACT columns; deterministic seed): 300 outlets in
   real communes of the province (markets, supermarkets, convenience stores, petrol stations, gas
   enterprises), the 21 CONTRACT commodities, daily dates over seven years (2019–2025), prices that
   follow a per-commodity level (trend, Tết bump, random walk; fuel as a posted price changed every
   ~10 days) times a per-outlet factor and daily noise, rounded as shops do and kept inside each
   commodity's `bounds`; rows sorted by date. The outlets are registered beforehand (binhon.sync.
   sync_outlets), so the import measures validation and storage, not outlet registration.
2. For each backend, in fresh databases (SQLite: new files in a temporary directory; PostgreSQL: new
   databases created on the server of --pg-url and dropped at the end):
   (a) LIMIT, the raw limit the goal is measured against: the same rows inserted with no validation
       into binhon's own store, `observations` of a migrated database (its CHECK constraints,
       foreign keys and indexes, which every stored price needs: the unique current-key index is
       what makes re-imports idempotent), with sqlite3 `executemany` (and the page cache binhon's
       bulk insert uses) or PostgreSQL `COPY ... FROM STDIN`. The rows are converted beforehand,
       untimed (codes to ids, typed values, COPY text) and put in the series order binhon writes
       them in, so the limit is the fastest plain insert of these rows; timed from the first insert
       to the commit. binhon cannot be faster than this limit.
       --limit-detail also measures it without the foreign keys, without them and the unique index,
       and into a bare copy of the table (same columns and defaults, no constraint or index), on
       throwaway databases, to show what each part of the schema costs.
   (b) BARE, for reference (skip with --no-bare): the same rows inserted into a plain table with
       the CSV's nine columns as text, no key, no index: SQLite `executemany` of the rows read with
       csv.reader; PostgreSQL `COPY ... FROM STDIN (FORMAT csv)` of the file; timed from opening
       the file to the commit. It is what the database engine does with no store at all: no
       database holding prices by series can come near it, so it is shown, not used as the goal.
   (c) BINHON: `binhon.ingest.import_csv` of the same file into a database migrated with
       `binhon.db.migrate.upgrade` + `binhon.sync.sync_config`, outlets registered first. Timed from
       the call to the commit (all-or-nothing mode, every validation on).
   With --repeat N each is measured N times (fresh databases every time) and the best time kept.
3. Prints rows/s, the ratio binhon/limit (the goal: >= 50 %), binhon/bare and limit/bare, and
   binhon's peak memory (goal: < 1 GiB).

Memory: every measured run happens in its own child process (multiprocessing, "spawn" start method:
a fresh interpreter, nothing inherited from this process). After the run the child reports its peak
resident set size, VmHWM from /proc/self/status (Linux; elsewhere `resource.getrusage(RUSAGE_SELF)
.ru_maxrss`), and the RSS it had just before the timed part (interpreter + libraries + engine).
ru_maxrss is not used on Linux because it survives execve: a spawned child would report the RSS
its parent had when it forked (here the generator's arrays). No extra dependency is needed.
`--profile` also runs binhon's first import under cProfile and prints where the time goes (that
run is slower; with --repeat 2 or more the best time is normally an unprofiled run).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing as mp
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO / "src"))

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CSV_COLUMNS = [
    "date",
    "commodity",
    "outlet",
    "price_vnd",
    "price_type",
    "outlet_type",
    "area",
    "zone",
    "source",
]
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
SEED = 20261122

# A typical 2024 price of each CONTRACT commodity (đồng per catalogue unit) and how shops round it.
TYPICAL = {
    "gao-te-thuong": (15_000, 500),
    "gao-thom": (22_000, 500),
    "thit-lon-hoi": (60_000, 500),
    "thit-lon-nac": (130_000, 1_000),
    "thit-lon-ba-roi": (140_000, 1_000),
    "thit-bo": (300_000, 5_000),
    "ga-ta": (140_000, 1_000),
    "trung-ga": (30_000, 500),
    "ca-loc": (65_000, 1_000),
    "bap-cai": (12_000, 500),
    "duong-trang": (25_000, 500),
    "muoi-hat": (8_000, 500),
    "dau-an": (45_000, 500),
    "sua-bot-tre-em": (500_000, 1_000),
    "gas-lpg-12kg": (450_000, 1_000),
    "xang-e5-ron92": (21_000, 10),
    "xang-ron95-iii": (22_000, 10),
    "xang-e10-ron95-iii": (21_500, 10),
    "dau-do-005s": (19_500, 10),
    "dau-do-0001s": (20_500, 10),
    "dau-hoa": (20_000, 10),
}
FUELS = ["xang-e5-ron92", "xang-ron95-iii", "xang-e10-ron95-iii", "dau-do-005s", "dau-do-0001s", "dau-hoa"]
# When a commodity was first sold (E10 became general in 2025, DO 0,001S-V at PVOIL in late 2024).
SOLD_FROM = {"xang-e10-ron95-iii": dt.date(2025, 6, 1), "dau-do-0001s": dt.date(2024, 9, 26)}
FOOD_MARKET = [
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
]
# outlet type -> (how many, code prefix, Vietnamese label, commodities sold)
OUTLET_KINDS = {
    "market": (150, "CHO", "Chợ", FOOD_MARKET),
    "supermarket": (40, "ST", "Siêu thị", [*FOOD_MARKET, "sua-bot-tre-em"]),
    "convenience": (
        35,
        "CH",
        "Cửa hàng tiện lợi",
        ["gao-te-thuong", "trung-ga", "duong-trang", "muoi-hat", "dau-an", "sua-bot-tre-em"],
    ),
    "petrol": (60, "CX", "Cửa hàng xăng dầu", FUELS),
    "enterprise": (15, "DN", "Doanh nghiệp gas", ["gas-lpg-12kg"]),
}


# --- data -------------------------------------------------------------------------------------------


def _outlets(rng: np.random.Generator) -> list[dict[str, Any]]:
    from binhon.catalog import load_areas

    communes = [c.code for c in load_areas().communes]
    out = []
    for otype, (count, prefix, label, goods) in OUTLET_KINDS.items():
        for i in range(1, count + 1):
            out.append(
                {
                    "code": f"BM-{prefix}-{i:03d}",
                    "name": f"{label} số {i} (dữ liệu mô phỏng)",
                    "outlet_type": otype,
                    "area": communes[int(rng.integers(len(communes)))],
                    "zone": 1 if otype == "petrol" else None,
                    "goods": goods,
                }
            )
    return out


def _levels(code: str, days: np.ndarray, rng: np.random.Generator, bounds: tuple[int, int]) -> np.ndarray:
    """A commodity's daily price level (float đồng) over the whole period."""
    typical, _ = TYPICAL[code]
    n = len(days)
    years = (days - np.datetime64("2024-07-01")).astype(float) / 365.25
    trend = typical * 1.03**years
    if code in FUELS:  # a posted price: a step every ~10 days, moves of a few per cent
        steps = np.zeros(n)
        change_days = np.arange(0, n, 10) + rng.integers(0, 3, size=len(range(0, n, 10)))
        change_days = change_days[change_days < n]
        steps[change_days] = rng.normal(0, 0.035, size=len(change_days))
        walk = np.cumsum(steps)
    else:
        shocks = rng.normal(0, 0.006, size=n)
        walk = np.zeros(n)
        for i in range(1, n):  # mean-reverting random walk in log space
            walk[i] = 0.995 * walk[i - 1] + shocks[i]
    walk = np.clip(walk, -0.35, 0.35)
    month = (days.astype("datetime64[M]").astype(int) % 12) + 1
    tet = np.where((month == 1) | (month == 2), 1.08, 1.0) if code not in FUELS else 1.0
    level = trend * np.exp(walk) * tet
    low, high = bounds
    return np.clip(level, low * 1.05, high * 0.9)


def generate(path: Path, rows: int, seed: int = SEED) -> dict[str, Any]:
    """Write the benchmark CSV (sorted by date); return the outlet registry and a summary."""
    from binhon.catalog import load_commodities

    rng = np.random.default_rng(seed)
    bounds = {c.code: c.bounds for c in load_commodities().commodities}
    missing = [c for c in TYPICAL if c not in bounds]
    if missing:
        raise SystemExit(f"commodities missing from config/commodities.yaml: {missing}")
    outlets = _outlets(rng)
    days = np.arange(np.datetime64(FIRST_DAY), np.datetime64(LAST_DAY) + 1)
    codes = list(TYPICAL)
    levels = {c: _levels(c, days, rng, bounds[c]) for c in codes}
    # series = (outlet, commodity); each outlet has its own price factor per commodity
    s_outlet: list[int] = []
    s_comm: list[int] = []
    for oi, o in enumerate(outlets):
        for c in o["goods"]:
            s_outlet.append(oi)
            s_comm.append(codes.index(c))
    so = np.array(s_outlet)
    sc = np.array(s_comm)
    is_fuel = np.array([codes[c] in FUELS for c in sc])
    factor = np.where(is_fuel, 1.0, rng.lognormal(0, 0.06, size=len(sc)))
    start_day = np.array([(SOLD_FROM.get(codes[c], FIRST_DAY) - FIRST_DAY).days for c in sc])
    n_days = len(days)
    per_day = np.full(n_days, rows // n_days)
    per_day[: rows % n_days] += 1
    chosen_day: list[np.ndarray] = []
    chosen_series: list[np.ndarray] = []
    for d in range(n_days):
        available = np.flatnonzero(start_day <= d)
        k = int(per_day[d])
        if k > len(available):
            raise SystemExit(f"--rows too large: at most {len(available)} observations per day")
        pick = np.sort(rng.choice(available, size=k, replace=False))
        chosen_day.append(np.full(k, d))
        chosen_series.append(pick)
    day_idx = np.concatenate(chosen_day)
    series = np.concatenate(chosen_series)
    comm = sc[series]
    level = np.empty(len(series))
    for ci, c in enumerate(codes):
        m = comm == ci
        level[m] = levels[c][day_idx[m]]
    noise = np.where(is_fuel[series], 1.0, rng.normal(1.0, 0.015, size=len(series)))
    raw_price = level * factor[series] * noise
    step = np.array([TYPICAL[c][1] for c in codes])[comm]
    price = (np.round(raw_price / step) * step).astype(np.int64)
    low = np.array([bounds[c][0] for c in codes])[comm]
    high = np.array([bounds[c][1] for c in codes])[comm]
    price = np.clip(price, low, high)

    date_text = np.datetime_as_string(days, unit="D")
    o_code = [o["code"] for o in outlets]
    o_type = [o["outlet_type"] for o in outlets]
    o_area = [o["area"] for o in outlets]
    o_zone = ["1" if o["zone"] else "" for o in outlets]
    oi_all = so[series]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        w.writerows(
            (date_text[d], codes[c], o_code[o], p, "retail", o_type[o], o_area[o], o_zone[o], "khao-sat")
            for d, c, o, p in zip(
                day_idx.tolist(), comm.tolist(), oi_all.tolist(), price.tolist(), strict=True
            )
        )
    return {
        "outlets": outlets,
        "series": len(sc),
        "rows": len(series),
        "days": n_days,
        "bytes": path.stat().st_size,
    }


# --- databases --------------------------------------------------------------------------------------


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def pg_answers(url: str) -> bool:
    """Whether a PostgreSQL server answers at url."""
    try:
        import psycopg

        with psycopg.connect(_psycopg_url(url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "no server"
        return False


class PgDatabase:
    """A fresh database on the server of url, dropped on exit."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.admin_url = url
        self.name = f"binhon_bench_{uuid.uuid4().hex[:10]}"
        self.url = make_url(url).set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> PgDatabase:
        import psycopg

        with psycopg.connect(_psycopg_url(self.admin_url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        import psycopg

        with psycopg.connect(_psycopg_url(self.admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def prepare_binhon(url: str, outlets: list[dict[str, Any]]) -> None:
    """Migrate, load the catalogues and register the outlets (not timed)."""
    from binhon.catalog import OutletRegistry, OutletSpec
    from binhon.db.engine import make_engine, session_scope
    from binhon.db.migrate import upgrade
    from binhon.sync import sync_config, sync_outlets

    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        sync_config(session=session, actor="benchmark")
    registry = OutletRegistry(
        outlets=tuple(
            OutletSpec(
                code=o["code"],
                name=o["name"],
                outlet_type=o["outlet_type"],
                area=o["area"],
                zone=o["zone"],
            )
            for o in outlets
        )
    )
    with session_scope(engine) as session:
        sync_outlets(session=session, registry=registry, actor="benchmark")
    engine.dispose()


# --- measured runs (each in a child process) --------------------------------------------------------


def _proc_status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _rss_now_kib() -> int:
    return _proc_status_kib("VmRSS") or 0


def _peak_kib() -> int:
    """This process's peak RSS: VmHWM of /proc/self/status (Linux), else getrusage's ru_maxrss.

    On Linux ru_maxrss survives execve, so a spawned child would report the RSS its parent had when
    it forked; VmHWM belongs to the process's own address space and starts afresh at exec.
    """
    hwm = _proc_status_kib("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB elsewhere


def _raw_sqlite(db_path: str, csv_path: str) -> dict[str, Any]:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")  # the same settings binhon's engine uses
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE raw_observations ({', '.join(f'{c} TEXT' for c in CSV_COLUMNS)})")
    conn.commit()
    base = _rss_now_kib()
    t0 = time.perf_counter()
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        marks = ", ".join("?" * len(header))
        conn.executemany(f"INSERT INTO raw_observations ({', '.join(header)}) VALUES ({marks})", reader)
    conn.commit()
    seconds = time.perf_counter() - t0
    stored = conn.execute("SELECT count(*) FROM raw_observations").fetchone()[0]
    conn.close()
    return {"seconds": seconds, "stored": stored, "base_kib": base}


def _raw_pg(url: str, csv_path: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(_psycopg_url(url)) as conn:
        conn.execute(f"CREATE TABLE raw_observations ({', '.join(f'{c} text' for c in CSV_COLUMNS)})")
        conn.commit()
        base = _rss_now_kib()
        t0 = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(
                f"COPY raw_observations ({', '.join(CSV_COLUMNS)}) FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy,
            open(csv_path, "rb") as fh,
        ):
            while block := fh.read(1 << 20):
                copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - t0
        stored = conn.execute("SELECT count(*) FROM raw_observations").fetchone()[0]
    return {"seconds": seconds, "stored": stored, "base_kib": base}


# What the limit's table keeps (--limit-detail measures levels 1-3 too, on throwaway databases).
LIMIT_LEVELS = {
    0: "observations as migrated",
    1: "  without its foreign keys",
    2: "  without foreign keys, unique index",
    3: "  bare copy: no constraint, no index",
}


def _limit(url: str, csv_path: str, level: int = 0) -> dict[str, Any]:
    """binhon's table without binhon: the rows converted beforehand, then only inserted (timed).

    The rows are inserted in the order binhon's bulk insert writes them (by outlet, commodity and
    date), which fills the table's indexes page by page. level > 0 first removes parts of the schema
    (see LIMIT_LEVELS) to show what each costs.
    """
    import datetime as _dt

    from sqlalchemy import insert, text

    from binhon.db.engine import make_engine
    from binhon.db.models import IngestBatch
    from binhon.ingest.store import _SQLITE_BULK_CACHE_KIB, INSERT_COLUMNS

    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    now = _dt.datetime.now(_dt.UTC)
    with engine.begin() as conn:
        com = dict(conn.execute(text("SELECT code, id FROM commodities")).all())
        out = dict(conn.execute(text("SELECT code, id FROM outlets")).all())
        batch = conn.execute(
            insert(IngestBatch).values(channel="bench", source="bench", actor="benchmark")
        ).inserted_primary_key[0]
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now.isoformat()
    records = []
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        pos = {c: i for i, c in enumerate(next(reader))}
        d, c, o, p, t, z, s = (
            pos[k] for k in ("date", "commodity", "outlet", "price_vnd", "price_type", "zone", "source")
        )
        for r in reader:
            records.append(
                (
                    r[d],
                    "",
                    com[r[c]],
                    out[r[o]],
                    int(r[p]),
                    r[t],
                    int(r[z]) if r[z] else None,
                    r[s],
                    0 if sqlite else False,
                    None,
                    None,
                    None,
                    None,
                    batch,
                    "benchmark",
                    stamp,
                    1 if sqlite else True,
                )
            )
    records.sort(key=lambda rec: (rec[3], rec[2], rec[0]))  # outlet, commodity, ISO date
    cols = ", ".join(INSERT_COLUMNS)
    raw = engine.raw_connection()
    table = "observations"
    cur = raw.cursor()
    if level >= 1:
        if sqlite:
            cur.execute("PRAGMA foreign_keys = OFF")
        else:
            cur.execute(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = 'observations'::regclass AND contype = 'f'"
            )
            for (name,) in cur.fetchall():
                cur.execute(f'ALTER TABLE observations DROP CONSTRAINT "{name}"')
    if level >= 2:
        cur.execute("DROP INDEX uq_observations_current_key")
    if level >= 3:
        table = "observations_bare"
        if sqlite:  # CREATE TABLE AS keeps the columns' types, nothing else
            cur.execute(f"CREATE TABLE {table} AS SELECT * FROM observations WHERE 0")
        else:
            cur.execute(f"CREATE TABLE {table} (LIKE observations INCLUDING DEFAULTS)")
    raw.commit()
    base = _rss_now_kib()
    if sqlite:
        cur.execute(f"PRAGMA cache_size = {-_SQLITE_BULK_CACHE_KIB}")  # as binhon's bulk insert does
        t0 = time.perf_counter()
        cur.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(INSERT_COLUMNS))})", records
        )
        raw.commit()
        seconds = time.perf_counter() - t0
    else:

        def field(v: Any) -> str:
            return "\\N" if v is None else ("t" if v is True else "f" if v is False else str(v))

        text_rows = "".join("\t".join(map(field, rec)) + "\n" for rec in records)
        del records
        blocks = [text_rows[i : i + (1 << 22)] for i in range(0, len(text_rows), 1 << 22)]
        del text_rows
        driver = raw.driver_connection
        t0 = time.perf_counter()
        with driver.cursor() as pg, pg.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for block in blocks:
                copy.write(block)
        driver.commit()
        seconds = time.perf_counter() - t0
    cur = raw.cursor()
    cur.execute(f"SELECT count(*) FROM {table}")
    stored = cur.fetchone()[0]
    raw.close()
    engine.dispose()
    return {"seconds": seconds, "stored": stored, "base_kib": base}


def _binhon(url: str, csv_path: str, profile: str | None) -> dict[str, Any]:
    from sqlalchemy import func, select

    from binhon.db.engine import make_engine, session_factory
    from binhon.db.models import Observation
    from binhon.ingest import import_csv

    engine = make_engine(url)
    with engine.connect():  # connect (and set the pragmas) before timing
        pass
    session = session_factory(engine)()
    base = _rss_now_kib()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.perf_counter()
    result = import_csv(session, Path(csv_path), actor="benchmark")
    session.commit()
    seconds = time.perf_counter() - t0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    stored = session.scalar(select(func.count()).select_from(Observation))
    session.close()
    engine.dispose()
    return {
        "seconds": seconds,
        "stored": stored,
        "base_kib": base,
        "result": {"stored": result.stored, "unchanged": result.unchanged, "rejected": result.rejected},
    }


def _child(kind: str, args: tuple[Any, ...], queue: Any) -> None:
    try:
        out = {"raw-sqlite": _raw_sqlite, "raw-pg": _raw_pg, "limit": _limit, "binhon": _binhon}[kind](*args)
        out["peak_kib"] = _peak_kib()
        queue.put(out)
    except BaseException as exc:  # report, do not hang the parent
        import traceback

        queue.put({"error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"})


def measure(kind: str, *args: Any) -> dict[str, Any]:
    """Run one measured import in a fresh (spawned) child process."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(kind, args, queue))
    proc.start()
    out = queue.get()
    proc.join()
    if "error" in out:
        raise SystemExit(f"{kind} failed:\n{out['error']}")
    return out


# --- report -----------------------------------------------------------------------------------------


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s"


def _best(results: list[dict[str, Any]]) -> dict[str, Any]:
    best = min(results, key=lambda r: r["seconds"])
    return {
        **best,
        "all_seconds": [r["seconds"] for r in results],
        "peak_kib": max(r["peak_kib"] for r in results),
    }


def _times(res: dict[str, Any]) -> str:
    runs = res["all_seconds"]
    return "" if len(runs) < 2 else "  (runs: " + ", ".join(f"{s:.2f}" for s in runs) + " s)"


def run_backend(
    backend: str,
    csv_path: Path,
    info: dict[str, Any],
    pg_url: str,
    workdir: Path,
    profile: bool,
    bare: bool,
    repeat: int,
    limit_detail: bool = False,
) -> dict[str, Any]:
    """The raw limit, binhon and (optionally) the bare table, each in fresh databases, best of repeat."""
    rows = info["rows"]
    print(f"\n== {backend} ==", flush=True)
    bares: list[dict[str, Any]] = []
    limits: list[dict[str, Any]] = []
    ours: list[dict[str, Any]] = []

    def fresh_binhon(tag: str) -> Any:
        if backend == "sqlite":
            path = workdir / f"{tag}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"

            class _Url:
                def __enter__(self) -> str:
                    prepare_binhon(url, info["outlets"])
                    return url

                def __exit__(self, *exc: object) -> None:
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{path}{suffix}").unlink(missing_ok=True)

            return _Url()
        db = PgDatabase(pg_url)

        class _Pg:
            def __enter__(self) -> str:
                db.__enter__()
                prepare_binhon(db.url, info["outlets"])
                return db.url

            def __exit__(self, *exc: object) -> None:
                db.__exit__()

        return _Pg()

    for i in range(repeat):
        with fresh_binhon("limit") as url:
            limits.append(measure("limit", url, str(csv_path)))
        prof_path = str(workdir / f"binhon-{backend}.prof") if profile and i == 0 else None
        with fresh_binhon("binhon") as url:
            ours.append(measure("binhon", url, str(csv_path), prof_path))
        if bare:
            if backend == "sqlite":
                bare_db = workdir / "bare.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{bare_db}{suffix}").unlink(missing_ok=True)
                bares.append(measure("raw-sqlite", str(bare_db), str(csv_path)))
            else:
                with PgDatabase(pg_url) as db:
                    bares.append(measure("raw-pg", db.url, str(csv_path)))
        print(
            f"  run {i + 1}/{repeat}: limit {limits[-1]['seconds']:.2f} s, binhon {ours[-1]['seconds']:.2f} s"
            + (f", bare {bares[-1]['seconds']:.2f} s" if bare else ""),
            flush=True,
        )
    for label, results in (("limit", limits), ("binhon", ours), ("bare", bares)):
        for res in results:
            if res["stored"] != rows:
                raise SystemExit(f"{backend} {label}: stored {res['stored']} of {rows} rows")
    limit, mine = _best(limits), _best(ours)
    ratio = limit["seconds"] / mine["seconds"]
    how = "executemany" if backend == "sqlite" else "COPY (text)"
    print(
        f"  limit  {how + ' into observations':31s} {limit['seconds']:8.2f} s "
        f"{_rate(rows, limit['seconds']):>18s}{_times(limit)}"
    )
    print(
        f"  binhon {'import_csv + commit':31s} {mine['seconds']:8.2f} s {_rate(rows, mine['seconds']):>18s}"
        f"{_times(mine)}"
    )
    print(f"  binhon peak RSS {_mib(mine['peak_kib'])} (before the import: {_mib(mine['base_kib'])})")
    print(
        f"  ratio binhon/limit: {ratio:.1%}   (goal >= 50 %: {'met' if ratio >= 0.5 else 'NOT met'}; "
        f"peak memory < 1 GiB: {'met' if mine['peak_kib'] < 1024 * 1024 else 'NOT met'})",
        flush=True,
    )
    bare_best = _best(bares) if bares else None
    if bare_best:
        method = "executemany (csv.reader)" if backend == "sqlite" else "COPY FROM STDIN (csv)"
        print(
            f"  bare   {method + ', text table':31s} {bare_best['seconds']:8.2f} s "
            f"{_rate(rows, bare_best['seconds']):>18s}{_times(bare_best)}"
        )
        print(
            f"  for reference: binhon/bare {bare_best['seconds'] / mine['seconds']:.1%}, "
            f"limit/bare {bare_best['seconds'] / limit['seconds']:.1%} (a table with no key and no index)",
            flush=True,
        )
    if limit_detail:
        print("  limit detail (throwaway databases; parts of the schema removed before inserting):")
        for level in (1, 2, 3):
            runs = []
            for _ in range(repeat):
                with fresh_binhon("limit-detail") as url:
                    runs.append(measure("limit", url, str(csv_path), level))
            best = _best(runs)
            if best["stored"] != rows:
                raise SystemExit(f"{backend} limit level {level}: stored {best['stored']} of {rows} rows")
            saved = 1 - best["seconds"] / limit["seconds"]
            print(
                f"  {LIMIT_LEVELS[level]:38s} {best['seconds']:8.2f} s {_rate(rows, best['seconds']):>18s}"
                f"  ({saved:.0%} less than the limit){_times(best)}",
                flush=True,
            )
    if profile:
        import pstats

        prof_path = str(workdir / f"binhon-{backend}.prof")
        print(f"  profile of binhon's first import (cProfile, {prof_path}):")
        stats = pstats.Stats(prof_path)
        stats.sort_stats("cumulative").print_stats(r"binhon|pandas/io|psycopg|sqlite3", 30)
        stats.sort_stats("tottime").print_stats(20)
    return {"backend": backend, "limit": limit, "binhon": mine, "ratio": ratio, "bare": bare_best}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate (default 1000000)")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgresql", "both"],
        default=None,
        help="default: both when PostgreSQL answers at --pg-url, else sqlite",
    )
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help=f"PostgreSQL server (default {DEFAULT_PG_URL})"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the CSV and SQLite files here")
    parser.add_argument("--profile", action="store_true", help="also profile binhon's import with cProfile")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure each import this many times; best kept"
    )
    parser.add_argument(
        "--limit-detail",
        action="store_true",
        help="also measure the limit without foreign keys, without the unique index, on a bare table",
    )
    parser.add_argument(
        "--no-bare",
        dest="bare",
        action="store_false",
        help="skip the bare reference (the CSV's columns into a plain text table)",
    )
    args = parser.parse_args(argv)

    pg_ok = pg_answers(args.pg_url)
    backend = args.backend or ("both" if pg_ok else "sqlite")
    backends = ["sqlite", "postgresql"] if backend == "both" else [backend]
    if "postgresql" in backends and not pg_ok:
        raise SystemExit(f"PostgreSQL does not answer at {args.pg_url}")

    import pandas as pd

    print(f"binhon ingest benchmark: {args.rows:,} rows; backends: {', '.join(backends)}")
    print(
        f"  Python {platform.python_version()}, pandas {pd.__version__}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPU, {platform.machine()}"
    )
    if "postgresql" in backends:
        import psycopg

        with psycopg.connect(_psycopg_url(args.pg_url)) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"  PostgreSQL {version} at {args.pg_url}")

    with tempfile.TemporaryDirectory(prefix="binhon-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        csv_path = workdir / "observations.csv"
        t0 = time.perf_counter()
        info = generate(csv_path, args.rows, args.seed)
        print(
            f"  generated {csv_path.name}: {info['rows']:,} rows, {info['bytes'] / 1024 / 1024:,.1f} MiB, "
            f"{len(info['outlets'])} outlets, {info['series']:,} series, {info['days']:,} days "
            f"({FIRST_DAY} – {LAST_DAY}), {len(TYPICAL)} commodities, in {time.perf_counter() - t0:.1f} s"
        )
        results = [
            run_backend(
                b,
                csv_path,
                info,
                args.pg_url,
                workdir,
                args.profile,
                args.bare,
                max(1, args.repeat),
                args.limit_detail,
            )
            for b in backends
        ]

    print("\nsummary")
    for r in results:
        rows = info["rows"]
        bare = f"   (bare text table {_rate(rows, r['bare']['seconds'])})" if r["bare"] else ""
        print(
            f"  {r['backend']:10s} limit {_rate(rows, r['limit']['seconds']):>18s}   "
            f"binhon {_rate(rows, r['binhon']['seconds']):>18s}   ratio binhon/limit {r['ratio']:.1%}   "
            f"binhon peak RSS {_mib(r['binhon']['peak_kib'])}{bare}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
