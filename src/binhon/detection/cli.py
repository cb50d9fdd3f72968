"""`binhon detect` and `binhon alerts …`: registered by binhon.cli (messages in Vietnamese)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]

alerts_app = typer.Typer(
    help="Cảnh báo giá bất thường: xem, xuất, tiếp nhận, chuyển xử lý, đóng, bác bỏ.", no_args_is_help=True
)

KIND_LABELS = {
    "spike": "tăng bất thường",
    "drop": "giảm bất thường",
    "outlet_outlier": "lệch so với điểm bán khác",
    "ceiling_breach": "vượt giá trần",
    "commitment_breach": "vượt giá cam kết bình ổn",
    "stale": "ngừng báo giá",
    "scraper_broken": "lỗi thu thập",
}
SEVERITY_LABELS = {"stress": "chú ý", "alert": "cảnh báo", "crisis": "khẩn cấp"}


def _date(text: str | None):  # type: ignore[no-untyped-def]
    from binhon.formatting import parse_date_vn

    return parse_date_vn(text) if text else None


def detect(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Xét đến ngày này (YYYY-MM-DD); mặc định: ngày có giá mới nhất"),
    ] = None,
) -> None:
    """Chạy mọi bộ phát hiện giá bất thường trên dữ liệu đã lưu; chạy lại không tạo cảnh báo trùng."""
    from binhon.cli import actor, n, ready_engine, say
    from binhon.db.engine import session_scope
    from binhon.detection.run import run_detection
    from binhon.formatting import format_date, format_number

    with session_scope(ready_engine()) as session:
        result = run_detection(session, as_of=_date(as_of), actor=actor())
    if result.judged_from is None:
        say(f"Không có ngày mới cần xét (đến ngày {format_date(result.as_of) if result.as_of else '-'}).")
        return
    say(
        f"Đã xét {n(result.series)} chuỗi giá từ {format_date(result.judged_from)} "
        f"đến {format_date(result.judged_to)} "  # type: ignore[arg-type]
        f"({n(result.observations)} giá, {format_number(result.seconds, 1)} giây): "
        f"{n(result.raised)} cảnh báo mới, {n(result.extended)} cảnh báo kéo dài."
    )
    for kind, count in sorted(result.raised_by_kind.items()):
        say(f"  {KIND_LABELS.get(kind, kind)}: {n(count)}")


@alerts_app.command("export")
def alerts_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Tệp sẽ ghi")],
    fmt: Annotated[str, typer.Option("--format", help="csv hoặc json")] = "csv",
    kind: Annotated[str | None, typer.Option("--kind", help="Chỉ loại này (spike, drop, …)")] = None,
    severity: Annotated[str | None, typer.Option("--severity", help="stress, alert hoặc crisis")] = None,
    commodity: Annotated[str | None, typer.Option("--commodity", help="Mã hàng hóa")] = None,
    area: Annotated[str | None, typer.Option("--area", help="Mã địa bàn (xã/phường hoặc huyện cũ)")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="new, acknowledged, escalated, resolved, dismissed")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="Còn hiệu lực từ ngày (YYYY-MM-DD)")] = None,
) -> None:
    """Xuất cảnh báo ra CSV (các cột theo CONTRACT) hoặc JSON."""
    from binhon.cli import n, ready_engine, say, warn
    from binhon.db.engine import session_scope
    from binhon.detection.export import export_alerts

    if fmt not in ("csv", "json"):
        warn(f"Lỗi: định dạng '{fmt}' không hỗ trợ (dùng csv hoặc json)")
        raise typer.Exit(2)
    with session_scope(ready_engine()) as session:
        count = export_alerts(
            session,
            output,
            fmt=fmt,
            kind=kind,
            severity=severity,
            commodity=commodity,
            area=area,
            status=status,
            since=_date(since),
        )
    say(f"Đã xuất {n(count)} cảnh báo ra {output}")


@alerts_app.command("list")
def alerts_list(
    status: Annotated[str | None, typer.Option("--status", help="Lọc theo trạng thái")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Lọc theo loại")] = None,
    commodity: Annotated[str | None, typer.Option("--commodity", help="Mã hàng hóa")] = None,
    area: Annotated[str | None, typer.Option("--area", help="Mã địa bàn")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Còn hiệu lực từ ngày")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Số dòng tối đa (mới nhất)")] = 50,
) -> None:
    """Liệt kê cảnh báo, mới nhất trước."""
    from binhon.cli import ready_engine, say
    from binhon.db.engine import session_scope
    from binhon.detection.export import alert_rows
    from binhon.detection.lifecycle import STATUS_LABELS
    from binhon.formatting import format_date

    with session_scope(ready_engine()) as session:
        rows = alert_rows(
            session, status=status, kind=kind, commodity=commodity, area=area, since=_date(since)
        )
    if not rows:
        say("Không có cảnh báo nào.")
        return
    for r in reversed(rows[-limit:]):
        import datetime as dt

        first = format_date(dt.date.fromisoformat(r["first_date"]))
        last = format_date(dt.date.fromisoformat(r["last_date"]))
        say(
            f"#{r['id']} [{SEVERITY_LABELS.get(r['severity'], r['severity'])}] "
            f"{KIND_LABELS.get(r['kind'], r['kind'])} "
            f"{first}–{last} ({STATUS_LABELS.get(r['status'], r['status'])}): {r['explanation']}"
        )


@alerts_app.command("show")
def alerts_show(alert_id: Annotated[int, typer.Argument(help="Số cảnh báo")]) -> None:
    """Chi tiết một cảnh báo và lịch sử xử lý."""
    from binhon.cli import ready_engine, say, warn
    from binhon.db.engine import session_scope
    from binhon.detection.lifecycle import STATUS_LABELS, AlertTransitionError, get_alert
    from binhon.formatting import format_date, format_datetime, format_number, format_vnd

    with session_scope(ready_engine()) as session:
        try:
            a = get_alert(session, alert_id)
        except AlertTransitionError as exc:
            warn(f"Lỗi: {exc}")
            raise typer.Exit(1) from None
        say(
            f"Cảnh báo số {a.id}: {KIND_LABELS.get(a.kind, a.kind)} — "
            f"mức {SEVERITY_LABELS.get(a.severity, a.severity)}"
        )
        say(f"  {a.explanation}")
        say(
            f"  Từ {format_date(a.first_date)} đến {format_date(a.last_date)}; "
            f"trạng thái: {STATUS_LABELS[a.status]}"
        )
        if a.observed_vnd is not None:
            exp = format_vnd(a.expected_vnd) if a.expected_vnd is not None else "-"
            say(
                f"  Giá ghi nhận {format_vnd(a.observed_vnd)}; mức bình thường/giới hạn {exp}; "
                f"điểm số {format_number(a.score or 0, 2)}; bộ phát hiện {a.detector}"
            )
        ind = (a.details or {}).get("indicators")
        if ind:
            for name, label in (
                ("alps", "ALPS (WFP)"),
                ("alps_tet", "ALPS có biến Tết"),
                ("ipa", "IPA (FAO)"),
                ("ipa_tet", "IPA sau khi khử Tết"),
            ):
                v = ind.get(name)
                if v:
                    month = f"{ind['month'][5:7]}/{ind['month'][:4]}"
                    say(f"  {label} tháng {month}: {format_number(v['value'], 2)} ({v['cls']})")
        latest = (a.details or {}).get("latest")
        if latest:
            say(
                f"  Gần nhất ({format_date(__import__('datetime').date.fromisoformat(latest['date']))}): "
                f"{format_vnd(int(latest['observed_vnd']))}"
            )
        for rv in a.reviews:
            extra = f" → {rv.escalated_to}" if rv.escalated_to else ""
            say(
                f"  {format_datetime(rv.at)} {rv.actor}: {STATUS_LABELS[rv.from_status]} → "
                f"{STATUS_LABELS[rv.to_status]}{extra}" + (f" — {rv.note}" if rv.note else "")
            )


def _review(alert_id: int, action: str, *, note: str | None = None, target: str | None = None) -> None:
    from binhon.cli import actor, ready_engine, say, warn
    from binhon.db.engine import session_scope
    from binhon.detection.lifecycle import STATUS_LABELS, AlertTransitionError, transition

    try:
        with session_scope(ready_engine()) as session:
            alert = transition(session, alert_id, action, actor=actor(), note=note, target=target)  # type: ignore[arg-type]
            status = alert.status
    except AlertTransitionError as exc:
        warn(f"Lỗi: {exc}")
        raise typer.Exit(1) from None
    say(f"Cảnh báo số {alert_id}: {STATUS_LABELS[status]}.")


@alerts_app.command("ack")
def alerts_ack(
    alert_id: Annotated[int, typer.Argument(help="Số cảnh báo")],
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú")] = None,
) -> None:
    """Tiếp nhận cảnh báo (mới → đã tiếp nhận)."""
    _review(alert_id, "acknowledge", note=note)


@alerts_app.command("escalate")
def alerts_escalate(
    alert_id: Annotated[int, typer.Argument(help="Số cảnh báo")],
    to: Annotated[str, typer.Option("--to", help="QLTT, BCD389 hoặc khac")],
    note: Annotated[str, typer.Option("--note", help="Nội dung đề nghị (bắt buộc)")],
) -> None:
    """Chuyển cảnh báo cho Quản lý thị trường / BCĐ 389 (kèm ghi chú)."""
    _review(alert_id, "escalate", note=note, target=to)


@alerts_app.command("resolve")
def alerts_resolve(
    alert_id: Annotated[int, typer.Argument(help="Số cảnh báo")],
    note: Annotated[str | None, typer.Option("--note", help="Kết quả xử lý")] = None,
) -> None:
    """Đóng cảnh báo đã xử lý xong."""
    _review(alert_id, "resolve", note=note)


@alerts_app.command("dismiss")
def alerts_dismiss(
    alert_id: Annotated[int, typer.Argument(help="Số cảnh báo")],
    reason: Annotated[str, typer.Option("--reason", help="Vì sao là báo động nhầm (bắt buộc)")],
) -> None:
    """Bác bỏ cảnh báo (báo động nhầm); lý do được giữ để tinh chỉnh bộ phát hiện."""
    _review(alert_id, "dismiss", note=reason)


def register(app: typer.Typer) -> None:
    """Add `detect` and `alerts` to the main CLI."""
    app.command("detect")(detect)
    app.add_typer(alerts_app, name="alerts")
