"""`binhon report …` (monthly table, Tết report) and `binhon programme …` (the bình ổn register)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer

report_app = typer.Typer(
    help="Báo cáo theo mẫu của Sở: bảng giá tháng (Thông tư 29/2024), báo cáo Tết.", no_args_is_help=True
)
programme_app = typer.Typer(
    help="Chương trình bình ổn thị trường: doanh nghiệp, điểm bán, cam kết, dự trữ, kiểm tra.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the `report` and `programme` command groups to the main CLI."""
    app.add_typer(report_app, name="report")
    app.add_typer(programme_app, name="programme")


def _date(value: str | None, what: str) -> dt.date | None:
    from binhon.formatting import parse_date_vn

    if value is None:
        return None
    try:
        return parse_date_vn(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{what}: {exc}") from None


def _write(output: Path, data: bytes) -> None:
    from binhon.cli import say
    from binhon.formatting import format_number

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    say(f"Đã ghi {output} ({format_number(len(data) / 1024, 1)} KB).")


def _as_of_default(session: object) -> dt.date:
    from sqlalchemy import func, select

    from binhon.db.models import Observation

    latest = session.scalar(select(func.max(Observation.obs_date)).where(Observation.is_current.is_(True)))  # type: ignore[attr-defined]
    return latest or dt.date.today()


# --- report ------------------------------------------------------------------------------------------


@report_app.command("monthly")
def report_monthly(
    month: Annotated[str, typer.Option("--month", help="Tháng báo cáo, YYYY-MM (ví dụ 2027-01)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Tệp .xlsx sẽ ghi")],
    date: Annotated[
        str | None, typer.Option("--date", help="Ngày ký báo cáo (dd/mm/yyyy); mặc định để trống")
    ] = None,
) -> None:
    """Bảng giá thị trường tháng theo mẫu Thông tư 29/2024/TT-BTC (.xlsx)."""
    from binhon.cli import ready_engine
    from binhon.db.engine import session_scope
    from binhon.reports.monthly import build_monthly_xlsx

    if output.suffix.lower() != ".xlsx":
        raise typer.BadParameter("tệp ra phải có đuôi .xlsx", param_hint="--output")
    with session_scope(ready_engine()) as session:
        data = build_monthly_xlsx(session, month, report_date=_date(date, "--date"))
    _write(output, data)


@report_app.command("tet")
def report_tet(
    year: Annotated[int, typer.Option("--year", help="Năm dương lịch của Tết (ví dụ 2027: Tết Đinh Mùi)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Tệp .xlsx hoặc .docx sẽ ghi")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="xlsx hoặc docx (mặc định: theo đuôi tệp)")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Chỉ dùng số liệu đến ngày này (mặc định: ngày có giá mới nhất)"),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Ngày ký báo cáo (dd/mm/yyyy); mặc định để trống")
    ] = None,
) -> None:
    """Báo cáo tình hình thị trường trước, trong và sau Tết (.xlsx hoặc .docx)."""
    from binhon.cli import ready_engine
    from binhon.db.engine import session_scope
    from binhon.reports.tet import build_tet_report

    kind = (fmt or output.suffix.lstrip(".")).lower()
    if kind not in ("xlsx", "docx"):
        raise typer.BadParameter("định dạng phải là xlsx hoặc docx (đặt đuôi tệp .xlsx/.docx hoặc --format)")
    fmt_kind: Literal["xlsx", "docx"] = "xlsx" if kind == "xlsx" else "docx"
    with session_scope(ready_engine()) as session:
        data = build_tet_report(
            session, year, fmt_kind, as_of=_date(as_of, "--as-of"), report_date=_date(date, "--date")
        )
    _write(output, data)


# --- programme ---------------------------------------------------------------------------------------


@programme_app.command("import")
def programme_import(
    file: Annotated[
        Path, typer.Argument(help="Tệp mẫu .csv (một loại) hoặc .xlsx (mỗi loại một trang tính)")
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="Loại mẫu: programme, participants, sale_points, commitments, reserves, visits"
        ),
    ] = None,
) -> None:
    """Nhập sổ chương trình bình ổn từ tệp mẫu: tất cả hoặc không gì cả; chạy lại không nhân đôi."""
    from binhon.cli import actor, n, ready_engine, say, warn
    from binhon.db.engine import session_scope
    from binhon.errors import ImportRejected
    from binhon.programme.templates import KIND_LABELS, import_programme_file
    from binhon.settings import get_settings

    try:
        with session_scope(ready_engine()) as session:
            result = import_programme_file(session, file, actor=actor(), kind=kind)
    except ImportRejected as exc:
        limit = get_settings().max_reported_problems
        warn(f"Không lưu dòng nào từ {file.name}: {n(len(exc.problems))} dòng không hợp lệ.")
        for p in exc.problems[:limit]:
            warn(str(p))
        warn("Sửa các dòng trên rồi nhập lại (xem src/binhon/programme/TEMPLATES.md).")
        raise typer.Exit(1) from None
    for k, c in result.counts.items():
        say(
            f"{KIND_LABELS[k]}: đọc {n(c.rows)} dòng; thêm mới {n(c.created)}; cập nhật {n(c.updated)}; "
            f"đã có sẵn {n(c.unchanged)}."
        )
    if result.new_outlets:
        say(f"Đăng ký {n(len(result.new_outlets))} điểm bán mới: {', '.join(result.new_outlets)}")
    if result.ignored:
        warn(f"Bỏ qua: {', '.join(result.ignored)}")


@programme_app.command("template")
def programme_template(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Tệp .xlsx, tệp .csv (cần --kind) hoặc thư mục")
    ],
    kind: Annotated[str | None, typer.Option("--kind", help="Loại mẫu (với tệp .csv)")] = None,
    empty: Annotated[bool, typer.Option("--empty", help="Chỉ dòng tiêu đề, không có dòng ví dụ")] = False,
) -> None:
    """Ghi tệp mẫu nhập liệu (có dòng ví dụ, dữ liệu mẫu)."""
    from binhon.cli import say
    from binhon.programme.templates import KINDS, template_csv, template_workbook

    if output.suffix.lower() == ".xlsx":
        _write(output, template_workbook(examples=not empty))
        return
    if output.suffix.lower() == ".csv":
        if kind not in KINDS:
            raise typer.BadParameter(f"cần --kind ({', '.join(KINDS)}) cho tệp .csv")
        output.write_text(template_csv(kind, examples=not empty), encoding="utf-8")
        say(f"Đã ghi {output}")
        return
    output.mkdir(parents=True, exist_ok=True)
    for k in KINDS:
        (output / f"{k}.csv").write_text(template_csv(k, examples=not empty), encoding="utf-8")
    say(f"Đã ghi {len(KINDS)} tệp mẫu CSV vào {output}")


@programme_app.command("show")
def programme_show(
    year: Annotated[int | None, typer.Option("--year", help="Năm chương trình (mặc định: mọi năm)")] = None,
) -> None:
    """Tóm tắt chương trình bình ổn: quyết định, doanh nghiệp, vốn vay, cam kết, dự trữ, kiểm tra."""
    from binhon.cli import n, ready_engine, say, warn
    from binhon.db.engine import session_scope
    from binhon.formatting import format_date, format_number, format_percent, format_vnd
    from binhon.programme import service as svc

    with session_scope(ready_engine()) as session:
        years = [year] if year is not None else [p.year for p in svc.list_programme_years(session=session)]
        if not years:
            warn("Chưa có chương trình bình ổn nào (nhập bằng: binhon programme import TỆP).")
            raise typer.Exit(1)
        for y in years:
            try:
                s = svc.programme_summary(session=session, year=y)
            except svc.ProgrammeError as exc:
                warn(f"Lỗi: {exc}")
                raise typer.Exit(1) from None
            say(f"Chương trình bình ổn năm {y} — {s.decision_text()}")
            say(
                f"  {n(s.participants)} doanh nghiệp, {n(s.sale_points)} điểm bán, {n(s.commitments)} cam kết"
                f" (giá trị {format_vnd(s.committed_value_vnd)}); {n(s.reserve_reports)} báo cáo dự trữ; "
                f"{n(s.field_visits)} lượt kiểm tra ({n(s.non_compliant_visits)} chưa đạt)."
            )
            loan = (
                f"  Vốn vay: đề xuất {format_vnd(s.loan_proposed_vnd)}, "
                f"duyệt {format_vnd(s.loan_approved_vnd)}"
            )
            if s.approved_share is not None:
                loan += f" ({format_percent(s.approved_share, 2)})"
            loan += f", giải ngân {format_vnd(s.loan_disbursed_vnd)}"
            if s.disbursed_share is not None:
                loan += f" ({format_percent(s.disbursed_share, 2)} vốn được duyệt)"
            say(loan)
            for p in svc.list_participants(session=session, year=y):
                points = ", ".join(o.code for o in svc.list_sale_points(session=session, participant_id=p.id))
                say(f"  - {p.enterprise.name} [{p.enterprise.code}]: điểm bán {points or '(chưa có)'}")
                for c in svc.list_commitments(session=session, participant_id=p.id):
                    parts = []
                    if c.committed_price_vnd is not None:
                        parts.append(f"giá ≤ {format_vnd(c.committed_price_vnd)}/{c.commodity.unit}")
                    if c.margin_below_market_pct is not None:
                        parts.append(f"thấp hơn thị trường {format_number(c.margin_below_market_pct, 1)}%")
                    if c.quantity is not None:
                        parts.append(f"{format_number(c.quantity)} {c.commodity.unit}")
                    say(
                        f"      {c.commodity.name}: {'; '.join(parts)} "
                        f"({format_date(c.period_start)} – {format_date(c.period_end)})"
                    )


@programme_app.command("check")
def programme_check(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Kiểm tra đến ngày này (mặc định: ngày có giá mới nhất)")
    ] = None,
) -> None:
    """Kiểm tra cam kết bình ổn (giá cam kết, mức thấp hơn thị trường, dự trữ trước Tết); ghi cảnh báo."""
    from binhon.cli import actor, n, ready_engine, say
    from binhon.db.engine import session_scope
    from binhon.formatting import format_date
    from binhon.programme.alerts import run_commitment_checks

    with session_scope(ready_engine()) as session:
        day = _date(as_of, "--as-of") or _as_of_default(session)
        result = run_commitment_checks(session, as_of=day, actor=actor())
    say(
        f"Kiểm tra cam kết bình ổn đến ngày {format_date(day)}: {n(result.raised)} cảnh báo mới, "
        f"{n(result.extended)} cảnh báo kéo dài hoặc nâng mức, {n(result.unchanged)} không đổi."
    )


@programme_app.command("risk")
def programme_risk(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Đến ngày (mặc định: ngày có giá mới nhất)")
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Năm chương trình (mặc định: cam kết chưa hết hạn)")
    ] = None,
    forecast: Annotated[
        bool, typer.Option("--forecast/--no-forecast", help="Dùng dự báo giá trước Tết")
    ] = True,
) -> None:
    """Các cam kết đang vi phạm hoặc có nguy cơ vi phạm (trước Tết)."""
    from binhon.cli import ready_engine, say
    from binhon.db.engine import session_scope
    from binhon.formatting import format_date
    from binhon.programme.risk import commitments_at_risk

    with session_scope(ready_engine()) as session:
        day = _date(as_of, "--as-of") or _as_of_default(session)
        forecasts = _before_tet_forecasts(session, day) if forecast else None
        rows = commitments_at_risk(session, as_of=day, year=year, forecasts=forecasts)
    if not rows:
        say(f"Đến ngày {format_date(day)}: không có cam kết nào vi phạm hoặc có nguy cơ.")
        return
    say(f"Đến ngày {format_date(day)}: {len(rows)} cam kết cần chú ý.")
    for r in rows:
        say(f"- [{r.status_label}] {r.enterprise} — {r.commodity_name} ({r.commitment_text})")
        for reason in r.reasons:
            say(f"    {reason}")


def _before_tet_forecasts(session: object, day: dt.date) -> dict[int, float]:
    """The "before Tết" market forecast per commodity for the coming Tết (when it has not started)."""
    from binhon.reports.config import load_reports_config
    from binhon.reports.tet import _windows
    from binhon.review.forecast import forecast_with_backtest
    from binhon.review.series import load_levels
    from binhon.tet import tet_date

    windows = _windows()
    start = tet_date(day.year) + dt.timedelta(days=windows.before[0])
    if start <= day <= tet_date(day.year) + dt.timedelta(days=windows.after[1]):
        return {}  # the season is running: what happens is measured, not forecast
    year = day.year if day < start else day.year + 1
    config = load_reports_config()
    levels = load_levels(session, start=day - dt.timedelta(days=3 * 366), end=day)  # type: ignore[arg-type]
    out = {}
    for cid, g in levels.groupby("commodity_id"):
        result = forecast_with_backtest(
            g.set_index("date")["level"],
            year=year,
            windows=windows,
            config=config.forecast.model_copy(update={"backtest_seasons": 0}),
            as_of=day,
        )
        if result.forecast is not None:
            out[int(cid)] = result.forecast.phase("before").point
    return out


@programme_app.command("demo")
def programme_demo(
    year: Annotated[int, typer.Option("--year", help="Năm chương trình (Tết của năm đó)")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Ngày hiện tại của dữ liệu mẫu")] = None,
) -> None:
    """Dựng sổ chương trình bình ổn MẪU trên CSDL mẫu (binhon demo), để trình diễn."""
    from binhon.cli import ready_engine, say
    from binhon.db.engine import session_scope
    from binhon.programme.demo import DEMO_NOTE, build_demo_programme

    with session_scope(ready_engine()) as session:
        summary = build_demo_programme(session, year=year, as_of=_date(as_of, "--as-of"))
    say(
        f"{DEMO_NOTE}: chương trình năm {year} với {len(summary.participants)} doanh nghiệp "
        f"({', '.join(summary.participants)}), {summary.commitments} cam kết, {summary.reserves} báo cáo "
        "dự trữ, "
        f"{summary.visits} lượt kiểm tra."
    )
