"""The `binhon` command line: messages in Vietnamese, errors without tracebacks."""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from binhon.db.engine import get_engine, session_scope
from binhon.errors import BinhonError, ImportRejected
from binhon.formatting import format_date, format_number, parse_date_vn
from binhon.settings import get_settings

app = typer.Typer(
    name="binhon",
    help="binhon: theo dõi giá cả, bình ổn thị trường (Sở Công Thương).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Cơ sở dữ liệu.", no_args_is_help=True)
import_app = typer.Typer(help="Nhập dữ liệu.", no_args_is_help=True)
export_app = typer.Typer(help="Xuất dữ liệu.", no_args_is_help=True)
config_app = typer.Typer(help="Cấu hình và danh mục.", no_args_is_help=True)
outlets_app = typer.Typer(help="Điểm bán (chợ, siêu thị, cửa hàng, cây xăng…).", no_args_is_help=True)
obs_app = typer.Typer(help="Quan sát giá: sửa giá có lý do, xem lịch sử.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(config_app, name="config")
app.add_typer(outlets_app, name="outlets")
app.add_typer(obs_app, name="observations")

log = logging.getLogger("binhon")


def say(message: str) -> None:
    """Print a line for the user on stdout."""
    typer.echo(message)


def warn(message: str) -> None:
    """Print a line for the user on stderr."""
    typer.echo(message, err=True)


def actor() -> str:
    """Who is acting, for provenance and the audit log."""
    configured = get_settings().actor
    if configured:
        return configured
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def ready_engine():  # type: ignore[no-untyped-def]
    """The configured engine, with schema and catalogues up to date."""
    from binhon.sync import ensure_ready

    engine = get_engine()
    ensure_ready(engine, actor=actor())
    return engine


def n(value: int) -> str:
    """A count written the Vietnamese way."""
    return format_number(value)


# --- db -----------------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Tạo hoặc nâng cấp lược đồ CSDL (Alembic) và nạp danh mục từ config/. Chạy lại không sao."""
    from binhon.db.migrate import upgrade
    from binhon.sync import sync_config

    engine = get_engine()
    upgrade(engine)
    with session_scope(engine) as session:
        reports = sync_config(session=session, actor=actor())
    com = reports["commodities"]
    say(f"CSDL đã ở phiên bản mới nhất: {engine.url.render_as_string(hide_password=True)}")
    say(
        f"Danh mục hàng hóa: thêm {n(com.added)}, cập nhật {n(com.changed)}, ngừng {n(com.retired)}"  # type: ignore[union-attr]
    )
    areas = reports["areas"]
    if isinstance(areas, dict):
        say("Địa bàn: " + ", ".join(f"{k} {n(v)}" for k, v in areas.items()))


# --- config ---------------------------------------------------------------------------------------------


@config_app.command("check")
def config_check() -> None:
    """Kiểm tra mọi tệp cấu hình; báo tệp, khóa và lỗi."""
    from binhon.catalog import load_areas, load_commodities, load_ingest_rules
    from binhon.tet import load_calendar_config

    cfg = get_settings().config_dir
    catalog = load_commodities(cfg)
    load_ingest_rules(cfg)
    areas = load_areas(cfg)
    load_calendar_config(cfg / "calendar.yaml")
    say(
        f"Cấu hình hợp lệ ({cfg}): {n(len(catalog.commodities))} mặt hàng, "
        f"{n(len(areas.communes))} xã/phường."
    )


@config_app.command("load")
def config_load() -> None:
    """Nạp danh mục hàng hóa và địa bàn từ config/ vào CSDL."""
    ready_engine()
    say("Đã nạp danh mục từ config/.")


# --- outlets ----------------------------------------------------------------------------------------------


@outlets_app.command("load")
def outlets_load(file: Annotated[Path, typer.Argument(help="Tệp YAML sổ điểm bán")]) -> None:
    """Đăng ký hoặc cập nhật điểm bán từ tệp YAML (xem config/outlets.example.yaml)."""
    from binhon.catalog import load_outlets
    from binhon.sync import sync_outlets

    registry = load_outlets(file)
    with session_scope(ready_engine()) as session:
        report = sync_outlets(session=session, registry=registry, actor=actor())
    say(f"Điểm bán: thêm {n(report.added)}, cập nhật {n(report.changed)}.")


# --- import / export ----------------------------------------------------------------------------------------


@import_app.command("observations")
def import_observations(
    file: Annotated[Path, typer.Argument(help="Tệp CSV (UTF-8) theo các cột trong CONTRACT")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Lưu các dòng hợp lệ; ghi các dòng bị từ chối ra tệp")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Tệp ghi các dòng bị từ chối (với --skip-invalid)")
    ] = None,
    source: Annotated[
        str, typer.Option("--source", help="Nguồn mặc định cho dòng không ghi nguồn")
    ] = "import",
) -> None:
    """Nhập giá từ tệp CSV: mặc định tất cả hoặc không gì cả; chạy lại không nhân đôi dữ liệu."""
    from binhon.catalog import load_ingest_rules
    from binhon.ingest import import_csv
    from binhon.ingest.csvfile import CONTRACT_COLUMNS, EXTRA_COLUMNS, write_problems_csv

    engine = ready_engine()
    rules = load_ingest_rules()
    try:
        with session_scope(engine) as session:
            result = import_csv(
                session, file, actor=actor(), skip_invalid=skip_invalid, source_default=source, rules=rules
            )
    except ImportRejected as exc:
        _report_problems(exc, file)
        raise typer.Exit(1) from None
    say(
        f"Đã nhập {file.name} (lô số {result.batch_id}): đọc {n(result.rows_read)} dòng; "
        f"lưu mới {n(result.stored)}; sửa giá {n(result.revised)}; đã có sẵn {n(result.unchanged)}; "
        f"trùng trong tệp {n(result.duplicates)}; "
        f"từ chối {n(result.rejected)}."
    )
    if result.new_outlets:
        say(
            f"Đăng ký {n(len(result.new_outlets))} điểm bán mới: {', '.join(result.new_outlets[:20])}"
            + (" …" if len(result.new_outlets) > 20 else "")
        )
    if result.ignored_columns:
        warn(f"Bỏ qua các cột không dùng: {', '.join(result.ignored_columns)}")
    if result.problems:
        target = rejects or file.with_name(file.name + rules.reject_report_suffix)
        write_problems_csv(result.problems, target, columns=list(CONTRACT_COLUMNS + EXTRA_COLUMNS))
        warn(f"{n(result.rejected)} dòng bị từ chối, đã ghi kèm lý do vào: {target}")


def _report_problems(exc: ImportRejected, file: Path) -> None:
    from binhon.ingest.csvfile import CONTRACT_COLUMNS, EXTRA_COLUMNS, write_problems_csv

    limit = get_settings().max_reported_problems
    warn(f"Không lưu dòng nào từ {file.name}: {n(len(exc.problems))} dòng không hợp lệ.")
    for p in exc.problems[:limit]:
        warn(f"dòng {p.line}: {p.reason}")
    if len(exc.problems) > limit:
        target = file.with_name(file.name + ".errors.csv")
        write_problems_csv(exc.problems, target, columns=list(CONTRACT_COLUMNS + EXTRA_COLUMNS))
        warn(f"… và {n(len(exc.problems) - limit)} dòng khác; danh sách đầy đủ: {target}")
    warn("Sửa các dòng trên rồi nhập lại, hoặc dùng --skip-invalid để lưu các dòng hợp lệ.")


@export_app.command("observations")
def export_observations(
    output: Annotated[Path, typer.Option("--output", "-o", help="Tệp CSV sẽ ghi")],
    date_from: Annotated[
        str | None, typer.Option("--from", help="Từ ngày (YYYY-MM-DD hoặc dd/mm/yyyy)")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Đến ngày")] = None,
    commodity: Annotated[
        list[str] | None, typer.Option("--commodity", help="Chỉ mã hàng này (lặp được)")
    ] = None,
    outlet: Annotated[list[str] | None, typer.Option("--outlet", help="Chỉ điểm bán này (lặp được)")] = None,
    extra: Annotated[
        bool, typer.Option("--extra", help="Thêm các cột mở rộng (giờ, ước tính, tên gốc…)")
    ] = False,
) -> None:
    """Xuất giá hiện hành ra CSV cùng các cột với tệp nhập."""
    from binhon.exports import export_observations_csv

    engine = ready_engine()
    start = parse_date_vn(date_from) if date_from else None
    end = parse_date_vn(date_to) if date_to else None
    with session_scope(engine) as session:
        count = export_observations_csv(
            session, output, start=start, end=end, commodities=commodity, outlets=outlet, extra=extra
        )
    say(f"Đã xuất {n(count)} dòng giá ra {output}")


# --- observations ------------------------------------------------------------------------------------------


@obs_app.command("correct")
def observations_correct(
    observation_id: Annotated[int, typer.Argument(help="Số của quan sát giá")],
    price: Annotated[str, typer.Option("--price", help="Giá đúng, ví dụ 23.500")],
    reason: Annotated[str, typer.Option("--reason", help="Lý do sửa (bắt buộc)")],
) -> None:
    """Sửa một giá đã lưu: giá cũ được giữ lại trong lịch sử, kèm lý do."""
    from binhon.formatting import format_vnd, parse_vnd
    from binhon.ingest import correct_observation

    try:
        value = parse_vnd(price)
        with session_scope(ready_engine()) as session:
            new = correct_observation(
                session, observation_id=observation_id, price_vnd=value, reason=reason, actor=actor()
            )
            new_id = new.id
    except (LookupError, ValueError) as exc:
        warn(f"Lỗi: {exc}")
        raise typer.Exit(1) from None
    say(f"Đã sửa: quan sát số {observation_id} được thay bằng số {new_id} ({format_vnd(value)}).")


@obs_app.command("history")
def observations_history(observation_id: Annotated[int, typer.Argument(help="Số của quan sát giá")]) -> None:
    """Lịch sử các lần sửa của một quan sát giá."""
    from sqlalchemy import select

    from binhon.db.models import AuditEntry
    from binhon.formatting import format_datetime, format_vnd
    from binhon.ingest import history_of

    with session_scope(ready_engine()) as session:
        chain = history_of(session, observation_id)
        if not chain:
            warn(f"Không có quan sát giá số {observation_id}")
            raise typer.Exit(1)
        for obs in chain:
            reason = session.scalars(
                select(AuditEntry.reason).where(
                    AuditEntry.entity == "observation", AuditEntry.entity_id == obs.id
                )
            ).first()
            state = "hiện hành" if obs.is_current else f"đã thay bằng số {obs.superseded_by_id}"
            say(
                f"số {obs.id}: {format_date(obs.obs_date)} {format_vnd(obs.price_vnd)} — {state}; "
                f"bởi {obs.submitted_by} lúc {format_datetime(obs.submitted_at)}"
                + (f"; lý do: {reason}" if reason else "")
            )


# --- Tết calendar ------------------------------------------------------------------------------------------


@app.command("tet")
def tet_info(
    year: Annotated[int | None, typer.Argument(help="Năm dương lịch (mặc định: năm nay)")] = None,
) -> None:
    """Ngày Tết (âm lịch Việt Nam, UTC+7) và các giai đoạn trước, trong, sau Tết."""
    from binhon.tet import PHASE_LABELS, load_calendar_config, lunar_year_name, tet_date, tet_window

    windows, season = load_calendar_config(get_settings().config_dir / "calendar.yaml")
    y = year or dt.date.today().year
    say(f"Tết {lunar_year_name(y)} {y}: mùng 1 là {format_date(tet_date(y))}")
    for name, (a, b) in tet_window(y, windows=windows).items():
        label = PHASE_LABELS.get(name, "mốc tham chiếu")  # type: ignore[call-overload]
        say(f"  {label}: {format_date(a)} – {format_date(b)}")
    start, end = season.dates(y)
    say(f"  mùa khai giảng: {format_date(start)} – {format_date(end)}")


# --- feature command groups -------------------------------------------------------------------------------

# Each feature keeps its commands in its own module with a `register(app)` function.
FEATURE_CLIS = (
    "binhon.detection.cli",
    "binhon.scraping.cli",
    "binhon.web.cli",
    "binhon.reports.cli",
    "binhon.demo_cli",
)


def _register_features() -> None:
    import importlib

    for name in FEATURE_CLIS:
        importlib.import_module(name).register(app)


_register_features()


# --- entry point ------------------------------------------------------------------------------------------


def main() -> None:
    """Run the CLI; user errors print a plain message and exit non-zero without a traceback."""
    logging.basicConfig(
        level=os.environ.get("BINHON_LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s: %(message)s"
    )
    debug = bool(os.environ.get("BINHON_DEBUG"))
    if not debug:  # library warnings (statsmodels, pandas) are for developers, not for the trade division
        import warnings

        warnings.filterwarnings("ignore")
    try:
        app()
    except BinhonError as exc:
        warn(f"Lỗi: {exc}")
        sys.exit(2)
    except (OperationalError, ProgrammingError) as exc:
        if debug:
            raise
        warn(f"Lỗi CSDL: {str(exc.orig).strip().splitlines()[0] if exc.orig else exc}")
        warn("Kiểm tra BINHON_DATABASE_URL và chạy `binhon db upgrade`.")
        sys.exit(3)
    except KeyboardInterrupt:
        warn("Đã dừng (không lưu phần dở dang).")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if debug:
            raise
        warn(f"Lỗi không mong đợi: {type(exc).__name__}: {exc}")
        warn("Đặt BINHON_DEBUG=1 để xem chi tiết kỹ thuật.")
        sys.exit(70)


if __name__ == "__main__":
    main()
