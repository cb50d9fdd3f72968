"""Load test of the web app on loopback: concurrent clients mixing alert-desk reads and price submissions.

    python benchmarks/web_load.py                       # SQLite, and PostgreSQL if BINHON_TEST_PG_URL is set
    python benchmarks/web_load.py --backend sqlite --clients 50 --duration 60 --workers 2
    python benchmarks/web_load.py --think 0 --duration 20   # saturation (closed loop, no think time)

For each backend it builds a fresh database (migrated, catalogues loaded, 50 retailer outlets with ~90
days of prices, 2 000 alerts, one account and API token per client), starts the server as
`python -m binhon.web.server --workers W` (uvicorn, as `binhon serve` runs it) on 127.0.0.1 and a free
port, and runs N clients for D seconds. Each client
is a person or a till: it waits a random think time, then either reads the alert desk (the HTML page
with a signed-in officer's session, or GET /api/v1/alerts with an officer's token) or submits 1–4 prices
for its own outlet (POST /api/v1/observations with its retailer token). Every request is timed.

Afterwards every accepted submission is checked in the database: each item's key holds the submitted
price and the id the API returned. Criteria (exit status 1 if any fails): zero errors, p95 < 100 ms for
reads, p95 < 200 ms for submissions, nothing lost.

Bounded: loopback only, at most 500 clients and 600 seconds; the server and the database are removed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

HOST = "127.0.0.1"
COMMODITIES = {
    "gao-te-thuong": 18_000,
    "thit-lon-nac": 120_000,
    "trung-ga": 32_000,
    "duong-trang": 22_000,
    "dau-an": 45_000,
}
AREA = "Phường Trà Vinh"
PASSWORD = "mat-khau-tai-thu-123"
READ_SHARE = 0.7
MAX_CLIENTS = 500
MAX_SECONDS = 600


# --- database --------------------------------------------------------------------------------------------


def _pg_admin_url() -> str | None:
    return os.environ.get("BINHON_TEST_PG_URL") or os.environ.get("BINHON_LOAD_PG_URL")


def create_database(backend: str, workdir: Path) -> tuple[str, str | None]:
    """A fresh database URL for the backend, and the PostgreSQL database name to drop afterwards."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'load.db'}", None
    admin_url = _pg_admin_url()
    if not admin_url:
        raise SystemExit(
            "PostgreSQL: đặt BINHON_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    name = f"binhon_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), name


def drop_database(name: str | None) -> None:
    if not name:
        return
    admin = create_engine(_pg_admin_url() or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Fixture:
    """What the seed made: per client its outlet and token; officers' tokens."""

    outlets: list[str]
    retailer_tokens: list[str]
    officer_tokens: list[str]
    officers: list[str]
    today: dt.date


def seed(url: str, clients: int) -> Fixture:
    """Schema, catalogues, outlets with ~90 days of prices, 2 000 alerts, accounts and tokens."""
    from binhon.accounts import create_token, create_user
    from binhon.db.engine import make_engine, session_scope
    from binhon.db.models import Alert, Commodity, Outlet
    from binhon.formatting import VN_TZ
    from binhon.ingest import ingest_records
    from binhon.sync import ensure_ready

    engine = make_engine(url)
    ensure_ready(engine, actor="load")
    today = dt.datetime.now(VN_TZ).date()
    outlets = [f"LOAD-{i:03d}" for i in range(clients)]
    rnd = random.Random(7)
    records: list[dict[str, object]] = []
    for days in range(90, 0, -3):
        day = (today - dt.timedelta(days=days)).isoformat()
        for code in outlets:
            for com, base in COMMODITIES.items():
                records.append(
                    {
                        "date": day,
                        "commodity": com,
                        "outlet": code,
                        "outlet_type": "convenience",
                        "area": AREA,
                        "price_vnd": base + rnd.randrange(-5, 6) * 100,
                    }
                )
    with session_scope(engine) as s:
        ingest_records(s, records, actor="load-seed", channel="import", source_default="import")
    officers = [f"canbo{i}" for i in range(3)]
    with session_scope(engine) as s:
        retailer_tokens = []
        for i, code in enumerate(outlets):
            user = create_user(
                session=s,
                username=f"cuahang{i:03d}",
                password=PASSWORD,
                role="retailer",
                actor="load",
                outlets=[code],
            )
            retailer_tokens.append(create_token(session=s, user=user, actor="load"))
        officer_tokens = []
        for name in officers:
            user = create_user(session=s, username=name, password=PASSWORD, role="officer", actor="load")
            officer_tokens.append(create_token(session=s, user=user, actor="load"))
        com_ids = [c.id for c in s.scalars(select(Commodity).where(Commodity.code.in_(list(COMMODITIES))))]
        out_ids = list(s.scalars(select(Outlet.id).where(Outlet.code.in_(outlets))))
        kinds = ("spike", "drop", "outlet_outlier", "ceiling_breach", "commitment_breach", "stale")
        severities = ("stress", "alert", "crisis")
        statuses = ("new", "new", "acknowledged", "escalated", "resolved", "dismissed")
        for i in range(2000):
            first = today - dt.timedelta(days=rnd.randrange(0, 400))
            s.add(
                Alert(
                    kind=rnd.choice(kinds),
                    severity=rnd.choice(severities),
                    commodity_id=rnd.choice(com_ids),
                    outlet_id=rnd.choice(out_ids),
                    first_date=first,
                    last_date=first + dt.timedelta(days=2),
                    observed_vnd=30_000,
                    expected_vnd=25_000,
                    score=1.5,
                    explanation="Cảnh báo thử tải",
                    detector="load",
                    dedupe_key=f"load-{i}",
                    status=rnd.choice(statuses),
                )
            )
    engine.dispose()
    return Fixture(outlets, retailer_tokens, officer_tokens, officers, today)


# --- server ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int, workdir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BINHON_DATABASE_URL": url,
        "BINHON_COOKIE_SECURE": "false",
        "BINHON_UPLOAD_DIR": str(workdir / "uploads"),
        "BINHON_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000",
    }
    # binhon's own runner (uvicorn, with TCP_NODELAY on every connection: see binhon.web.server)
    cmd = [
        sys.executable,
        "-m",
        "binhon.web.server",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn đã dừng: xem {workdir / 'server.log'}")
        try:
            if httpx.get(f"http://{HOST}:{port}/dang-nhap", timeout=2).status_code == 200:
                # warm every worker a little
                for _ in range(workers * 4):
                    httpx.get(f"http://{HOST}:{port}/dang-nhap", timeout=10)
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("uvicorn không khởi động được trong 120 giây")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# --- clients ---------------------------------------------------------------------------------------------


@dataclass
class Stats:
    """Timings and outcomes."""

    reads: list[float] = field(default_factory=list)
    writes: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    accepted: list[tuple[list[dict[str, object]], list[int | None]]] = field(default_factory=list)


async def officer_session(client: httpx.AsyncClient, base: str, username: str) -> None:
    page = await client.get(f"{base}/dang-nhap")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    r = await client.post(
        f"{base}/dang-nhap", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    if r.status_code != 303:
        raise RuntimeError(f"officer sign-in failed: {r.status_code}")


async def run_client(
    i: int,
    fx: Fixture,
    base: str,
    start: asyncio.Event,
    clock: list[float],
    think: tuple[float, float],
    stats: Stats,
    ready: list[int],
) -> None:
    rnd = random.Random(1000 + i)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with (
        httpx.AsyncClient(timeout=30, limits=limits) as client,
        httpx.AsyncClient(timeout=30, limits=limits) as desk,
    ):
        # Sign in before the clock starts (argon2 is deliberately slow; sign-ins are not the load measured).
        await officer_session(desk, base, fx.officers[i % len(fx.officers)])
        ready.append(i)
        await start.wait()
        stop_at = clock[0]
        day_offset = 100 + i % 3  # dates before the seeded history: every submitted key is new
        com_cycle = list(COMMODITIES)
        n = 0
        while time.monotonic() < stop_at:
            if think[1] > 0:
                await asyncio.sleep(rnd.uniform(*think))
                if time.monotonic() >= stop_at:
                    break
            if rnd.random() < READ_SHARE:
                if rnd.random() < 0.5:
                    status = rnd.choice(["", "new", "acknowledged"])
                    sev = rnd.choice(["", "crisis", "alert"])
                    url = f"{base}/canh-bao?status={status}&severity={sev}"
                    t0 = time.perf_counter()
                    try:
                        r = await desk.get(url)
                    except httpx.HTTPError as exc:
                        stats.errors.append(f"read {type(exc).__name__}")
                        continue
                else:
                    url = f"{base}/api/v1/alerts?limit=50&status=new"
                    t0 = time.perf_counter()
                    try:
                        r = await client.get(
                            url, headers={"Authorization": f"Bearer {fx.officer_tokens[i % 3]}"}
                        )
                    except httpx.HTTPError as exc:
                        stats.errors.append(f"read {type(exc).__name__}")
                        continue
                stats.reads.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    stats.errors.append(f"read {r.status_code}")
            else:
                k = rnd.randint(1, 4)
                items = []
                for _ in range(k):
                    com = com_cycle[n % len(com_cycle)]
                    day = fx.today - dt.timedelta(days=day_offset + 3 * (n // len(com_cycle)))
                    n += 1
                    items.append(
                        {
                            "date": day.isoformat(),
                            "commodity": com,
                            "outlet": fx.outlets[i],
                            "price_vnd": COMMODITIES[com] + rnd.randrange(-5, 6) * 100,
                        }
                    )
                t0 = time.perf_counter()
                try:
                    r = await client.post(
                        f"{base}/api/v1/observations",
                        json=items,
                        headers={"Authorization": f"Bearer {fx.retailer_tokens[i]}"},
                    )
                except httpx.HTTPError as exc:
                    stats.errors.append(f"submit {type(exc).__name__}")
                    continue
                stats.writes.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    stats.errors.append(f"submit {r.status_code}: {r.text[:200]}")
                else:
                    stats.accepted.append((items, r.json()["ids"]))


def baseline(base: str, fx: Fixture, n: int = 20) -> tuple[list[float], list[float]]:
    """Service times with a single client and no concurrency (reads, then submissions)."""
    reads: list[float] = []
    writes: list[float] = []
    h = {"Authorization": f"Bearer {fx.officer_tokens[0]}"}
    with httpx.Client(timeout=30) as c:
        for _ in range(n):
            t0 = time.perf_counter()
            c.get(f"{base}/api/v1/alerts?limit=50&status=new", headers=h).raise_for_status()
            reads.append(time.perf_counter() - t0)
        for k in range(n):
            item = {
                "date": (fx.today - dt.timedelta(days=400 + k)).isoformat(),
                "commodity": "gao-te-thuong",
                "outlet": fx.outlets[0],
                "price_vnd": 18_000,
            }
            t0 = time.perf_counter()
            r = c.post(
                f"{base}/api/v1/observations",
                json=[item],
                headers={"Authorization": f"Bearer {fx.retailer_tokens[0]}"},
            )
            writes.append(time.perf_counter() - t0)
            r.raise_for_status()
    return reads[3:], writes[3:]


def verify(
    url: str, accepted: list[tuple[list[dict[str, object]], list[int | None]]]
) -> tuple[int, list[str]]:
    """Every accepted item is in the database with its price, under the id the API returned."""
    from binhon.db.engine import make_engine
    from binhon.db.models import Commodity, Observation, Outlet

    engine = make_engine(url)
    problems: list[str] = []
    checked = 0
    with engine.connect() as conn:
        rows = conn.execute(
            select(Observation.id, Commodity.code, Outlet.code, Observation.obs_date, Observation.price_vnd)
            .join(Commodity, Commodity.id == Observation.commodity_id)
            .join(Outlet, Outlet.id == Observation.outlet_id)
            .where(Observation.is_current, Outlet.code.like("LOAD-%"))
        ).all()
    engine.dispose()
    current = {(c, o, d if isinstance(d, str) else d.isoformat()): (oid, p) for oid, c, o, d, p in rows}
    for items, ids in accepted:
        for item, returned in zip(items, ids, strict=True):
            checked += 1
            key = (item["commodity"], item["outlet"], item["date"])
            found = current.get(key)  # type: ignore[arg-type]
            if found is None:
                problems.append(f"lost: {key}")
            elif found[1] != item["price_vnd"] or found[0] != returned:
                problems.append(f"mismatch: {key} stored {found} vs sent {item['price_vnd']} id {returned}")
    return checked, problems


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000


def run_backend(backend: str, args: argparse.Namespace) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix=f"binhon-load-{backend}-"))
    url, pg_name = create_database(backend, workdir)
    proc = None
    try:
        t0 = time.monotonic()
        fx = seed(url, args.clients)
        print(
            f"[{backend}] CSDL mẫu: {args.clients} điểm bán, 2.000 cảnh báo ({time.monotonic() - t0:.1f} s)"
        )
        port = free_port()
        proc = start_server(url, port, args.workers, workdir)
        base = f"http://{HOST}:{port}"
        stats = Stats()
        think = (0.0, 0.0) if args.think == 0 else (args.think * 0.5, args.think * 1.5)

        async def main() -> float:
            start, clock, ready = asyncio.Event(), [0.0], []
            tasks = [
                asyncio.create_task(run_client(i, fx, base, start, clock, think, stats, ready))
                for i in range(args.clients)
            ]
            while len(ready) < args.clients:
                await asyncio.sleep(0.1)
                if any(t.done() for t in tasks):
                    await asyncio.gather(*tasks)  # raises the client's error
            began = time.monotonic()
            clock[0] = began + args.duration
            start.set()
            await asyncio.gather(*tasks)
            return time.monotonic() - began

        base_read, base_write = baseline(base, fx)
        print(
            f"[{backend}] một máy khách, tuần tự (thời gian phục vụ): đọc p50 {pct(base_read, 50):.1f} ms, "
            f"gửi giá p50 {pct(base_write, 50):.1f} ms"
        )
        # The clients' own pauses would be timed as the server's: a full collection of this process's
        # objects (seed data, libraries) stops every client for tens of milliseconds. Freeze them.
        gc.collect()
        gc.freeze()
        try:
            elapsed = asyncio.run(main())
        finally:
            gc.unfreeze()
        checked, problems = verify(url, stats.accepted)
        total = len(stats.reads) + len(stats.writes)
        read_p95, write_p95 = pct(stats.reads, 95), pct(stats.writes, 95)
        ok = not stats.errors and not problems and read_p95 < 100 and write_p95 < 200
        print(
            f"[{backend}] {args.clients} máy khách, {elapsed:.0f} s, {args.workers} tiến trình uvicorn, "
            f"nghỉ {think[0]:.2f}–{think[1]:.2f} s: {total} yêu cầu ({total / elapsed:.1f}/s), "
            f"lỗi {len(stats.errors)}"
        )
        for name, values in (("đọc bàn cảnh báo", stats.reads), ("gửi giá", stats.writes)):
            if values:
                print(
                    f"  {name:18s} n={len(values):6d}  p50={pct(values, 50):6.1f} ms"
                    f"  p95={pct(values, 95):6.1f} ms"
                    f"  p99={pct(values, 99):6.1f} ms  max={max(values) * 1000:7.1f} ms"
                    f"  mean={statistics.fmean(values) * 1000:6.1f} ms"
                )
        print(
            f"  lần gửi được nhận: {len(stats.accepted)}; giá kiểm tra lại trong CSDL: {checked}; "
            f"mất hoặc sai: {len(problems)}"
        )
        for e in sorted(set(stats.errors))[:10]:
            print(f"  lỗi: {e}")
        if stats.errors:
            log = (workdir / "server.log").read_text(errors="replace").strip().splitlines()
            for line in log[-15:]:
                print(f"  server.log: {line}")
        for p in problems[:10]:
            print(f"  {p}")
        print(
            f"  => {'ĐẠT' if ok else 'KHÔNG ĐẠT'} (0 lỗi, p95 đọc < 100 ms: {read_p95:.1f}, "
            f"p95 gửi < 200 ms: {write_p95:.1f}, không mất dữ liệu)"
        )
        return ok
    finally:
        if proc is not None:
            stop_server(proc)
        drop_database(pg_name)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default=None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean think time between a client's requests, seconds (0 = none: saturation)",
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.duration <= MAX_SECONDS:
        parser.error(f"clients 1–{MAX_CLIENTS}, duration 1–{MAX_SECONDS} s")
    backend = args.backend or ("both" if _pg_admin_url() else "sqlite")
    backends = ["sqlite", "postgresql"] if backend == "both" else [backend]
    results = [run_backend(b, args) for b in backends]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
