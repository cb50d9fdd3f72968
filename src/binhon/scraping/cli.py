"""`binhon scrape …`: run spiders (Scrapy in a subprocess), replay saved pages, measure the mapping."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

scrape_app = typer.Typer(
    help="Thu thập giá từ trang web (Bộ Công Thương, Petrolimex, PVOIL, siêu thị).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the `scrape` command group to the main CLI."""
    app.add_typer(scrape_app, name="scrape")


def _repo_root() -> Path:
    from binhon.settings import PROJECT_ROOT

    return PROJECT_ROOT


@scrape_app.command("list")
def scrape_list() -> None:
    """Các bộ thu thập (spider), nhóm và cửa hàng theo dõi."""
    from binhon.cli import say
    from binhon.scraping.config import load_scrapers_config

    cfg = load_scrapers_config()
    for name, spec in cfg.spiders.items():
        stores = ", ".join(
            f"{s.outlet} ({s.store_id}{'' if s.verified else ', chưa xác minh'})" for s in spec.stores
        )
        state = "" if spec.enabled else " [tắt]"
        say(f"{name}\t{spec.group}{state}" + (f"\tcửa hàng: {stores}" if stores else ""))


@scrape_app.command("replay")
def scrape_replay(
    spider: Annotated[str, typer.Argument(help="Tên spider, ví dụ moit_fuel_bulletin")],
    file: Annotated[Path, typer.Argument(help="Trang hoặc phản hồi API đã lưu (nguyên như trang trả về)")],
    store: Annotated[
        bool, typer.Option("--store", help="Lưu các giá vào CSDL (qua đường nhập chung) và ghi lần chạy")
    ] = False,
    products: Annotated[
        bool,
        typer.Option("--products", help="In mọi sản phẩm đọc được (kể cả chưa ánh xạ) thay cho giá sẽ lưu"),
    ] = False,
    url: Annotated[
        str | None, typer.Option("--url", help="Địa chỉ gốc của trang (mặc định: đường dẫn tệp)")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Ngày lấy trang (YYYY-MM-DD); mặc định: ngày sửa tệp")
    ] = None,
    outlet: Annotated[
        str | None, typer.Option("--outlet", help="Mã điểm bán (mặc định: cửa hàng đầu tiên trong cấu hình)")
    ] = None,
) -> None:
    """Đọc một trang đã lưu bằng bộ phân tích của spider; in giá ra CSV (cột CONTRACT và name_raw)."""
    from binhon.cli import actor, ready_engine, say, warn
    from binhon.db.engine import session_scope
    from binhon.formatting import format_vnd, parse_date_vn
    from binhon.scraping.config import load_scrapers_config
    from binhon.scraping.parsers import PARSERS
    from binhon.scraping.replay import products_csv, records_csv, replay
    from binhon.scraping.runs import finish_run, start_run

    if spider not in PARSERS:
        warn(f"Không có spider '{spider}' (có: {', '.join(PARSERS)})")
        raise typer.Exit(2)
    if not file.is_file():
        warn(f"Không tìm thấy tệp: {file}")
        raise typer.Exit(2)
    fetched = None
    if date:
        day = parse_date_vn(date)
        fetched = dt.datetime(day.year, day.month, day.day, 5, 0, tzinfo=dt.UTC)
    cfg = load_scrapers_config()
    result = replay(spider, file, url=url, fetched_at=fetched, outlet=outlet, cfg=cfg)
    out = result.outcome
    sys.stdout.write(products_csv(result) if products else records_csv(out.records))
    for note in out.notes:
        warn(f"Ghi chú: {note}")
    for u in out.unmapped:
        price = format_vnd(u.price_vnd) if u.price_vnd else "?"
        warn(f"Chưa ánh xạ (giữ lại để xem xét): '{u.product.name_raw}' {price} — {u.reason}")
    for e in out.errors:
        warn(f"Lỗi phân tích: {e.url}: {e.reason}")
    warn(
        f"{spider}: đọc {out.items} mục, {len(out.records)} giá để lưu, "
        f"{len(out.unmapped)} chưa ánh xạ, {len(out.errors)} lỗi."
    )
    if store:
        with session_scope(ready_engine()) as session:
            run = start_run(session, spider=spider, source="replay")
            finish_run(session, run, out, cfg=cfg, actor=actor())
            details = run.details or {}
            say_line = (
                f"Đã ghi lần chạy số {run.id} ({run.status}): lưu mới {details.get('stored', 0)}, "
                f"sửa {details.get('revised', 0)}, đã có {details.get('unchanged', 0)}, lỗi {run.errors}."
            )
        warn(say_line)
        if run.status != "ok":
            warn("Đã báo 'scraper_broken' lên bàn cảnh báo.")
    if out.items == 0 and out.errors:
        raise typer.Exit(1)
    _ = say


def _crawl(spider: str, extra: list[str]) -> int:
    """Run one spider in a Scrapy subprocess from the repository root (scrapy.cfg)."""
    root = _repo_root()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(root), str(root / "src"), env.get("PYTHONPATH", "")) if p
    )
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *extra]
    return subprocess.call(cmd, cwd=root, env=env)


@scrape_app.command("run")
def scrape_run(
    spider: Annotated[
        str | None, typer.Argument(help="Tên spider (bỏ trống khi dùng --all hoặc --group)")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Chạy mọi spider đang bật")] = False,
    group: Annotated[str | None, typer.Option("--group", help="Chỉ nhóm này: fuel hoặc supermarket")] = None,
    if_adjustment_day: Annotated[
        bool,
        typer.Option("--if-adjustment-day", help="Với nhóm fuel: chỉ chạy vào ngày điều hành giá xăng dầu"),
    ] = False,
) -> None:
    """Thu thập trực tiếp từ trang web và lưu qua đường nhập chung; mỗi lần chạy được ghi lại."""
    from binhon.cli import ready_engine, say, warn
    from binhon.scraping.config import load_scrapers_config
    from binhon.scraping.runs import today_local
    from binhon.scraping.schedule import is_adjustment_day

    cfg = load_scrapers_config()
    if spider:
        if spider not in cfg.spiders:
            warn(f"Không có spider '{spider}' (có: {', '.join(cfg.spiders)})")
            raise typer.Exit(2)
        names = [spider]
    elif all_ or group:
        names = [n for n, s in cfg.spiders.items() if s.enabled and (group is None or s.group == group)]
    else:
        warn("Ghi tên spider, hoặc --all, hoặc --group fuel|supermarket.")
        raise typer.Exit(2)
    if if_adjustment_day and not is_adjustment_day(today_local(), schedule=cfg.fuel_schedule):
        names = [n for n in names if cfg.spiders[n].group != "fuel"]
        say("Hôm nay không phải ngày điều hành giá xăng dầu: bỏ qua các spider nhóm fuel.")
    ready_engine()
    failed: list[str] = []
    for name in names:
        for store in cfg.spiders[name].stores:
            if not store.verified:
                warn(
                    f"{name}: mã cửa hàng {store.store_id} ({store.outlet}) "
                    "chưa được xác minh là cửa hàng trong tỉnh."
                )
        say(f"== {name}")
        code = _crawl(name, [])
        if code != 0:
            failed.append(name)
            warn(f"{name}: Scrapy kết thúc với mã {code}")
    say(
        f"Xong {len(names) - len(failed)}/{len(names)} spider."
        + (f" Lỗi: {', '.join(failed)}" if failed else "")
    )
    if failed:
        raise typer.Exit(1)


@scrape_app.command("mapping-report")
def scrape_mapping_report(
    labels: Annotated[Path, typer.Option("--labels", help="Tệp nhãn thủ công")] = Path(
        "tests/data/product_labels.csv"
    ),
    data: Annotated[Path, typer.Option("--data", help="Thư mục dữ liệu dùng chung")] = Path("../shared/data"),
) -> None:
    """Đo độ chính xác ánh xạ sản phẩm → mặt hàng trên nhãn thủ công và độ phủ trên danh mục thật."""
    from binhon.cli import say
    from binhon.scraping.evaluate import catalogue_coverage, report_lines, score_labels
    from binhon.scraping.mapping import Mapper

    mapper = Mapper.load()
    score = score_labels(mapper, labels)
    coverage = catalogue_coverage(mapper, data) if data.is_dir() else []
    for line in report_lines(score, coverage):
        say(line)


@scrape_app.command("calendar")
def scrape_calendar(
    year: Annotated[int | None, typer.Argument(help="Năm (mặc định: năm nay)")] = None,
) -> None:
    """Các ngày điều hành giá xăng dầu trong năm (thứ Năm, dời theo quy tắc Tết)."""
    from binhon.cli import say
    from binhon.formatting import format_date
    from binhon.scraping.config import load_scrapers_config
    from binhon.scraping.schedule import adjustment_days

    cfg = load_scrapers_config()
    y = year or dt.date.today().year
    weekdays = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
    for d in adjustment_days(y, schedule=cfg.fuel_schedule):
        moved = "" if d.weekday() == cfg.fuel_schedule.weekday else " (dời lịch)"
        say(f"{format_date(d)} {weekdays[d.weekday()]} {cfg.fuel_schedule.time}{moved}")
