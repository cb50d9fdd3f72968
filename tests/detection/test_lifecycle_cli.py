"""Alert lifecycle (validated, audited) and the CLI: detect, export with CONTRACT columns, reviews."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from binhon.cli import app
from binhon.db.models import Alert, AlertReview, AuditEntry
from binhon.detection import (
    ALERT_COLUMNS,
    AlertTransitionError,
    acknowledge,
    dismiss,
    escalate,
    resolve,
    run_detection,
)
from binhon.detection.lifecycle import dismissal_labels
from tests.detection.synth import ingest

CONTRACT = ",".join(
    ["id", "kind", "severity", "commodity", "outlet", "area", "first_date", "last_date"]
    + ["observed_vnd", "expected_vnd", "score", "status", "explanation"]
)


def _ceiling_data(session: Session) -> None:
    records: list[dict[str, object]] = [
        {
            "date": "2026-01-01",
            "commodity": "xang-e5-ron92",
            "outlet": "BCT-V1",
            "price_vnd": 20_000,
            "price_type": "ceiling",
            "outlet_type": "official",
            "zone": 1,
            "time": "15:00",
        },
    ]
    for i, outlet in enumerate(("CX-1", "CX-2", "CX-3")):
        records.append(
            {
                "date": "2026-01-05",
                "commodity": "xang-e5-ron92",
                "outlet": outlet,
                "price_vnd": 20_100 + 100 * i,
                "outlet_type": "petrol",
                "area": "Huyện Cầu Kè",
                "zone": 1,
            }
        )
    ingest(session, records)


def test_lifecycle_transitions_are_validated_and_audited(session: Session) -> None:
    _ceiling_data(session)
    run_detection(session, actor="test")
    session.commit()
    a1, a2, a3 = session.scalars(select(Alert).order_by(Alert.id)).all()
    acknowledge(session, a1.id, actor="cb1", note="đã xem")
    escalate(session, a1.id, actor="cb1", note="đề nghị kiểm tra", target="QLTT")
    resolve(session, a1.id, actor="cb2", note="đã xử phạt")
    assert a1.status == "resolved"
    with pytest.raises(AlertTransitionError, match="không thể|Không thể"):
        acknowledge(session, a1.id, actor="cb1")
    with pytest.raises(AlertTransitionError, match="lý do"):
        dismiss(session, a2.id, actor="cb1", reason="  ")
    with pytest.raises(AlertTransitionError, match="Nơi chuyển xử lý"):
        escalate(session, a2.id, actor="cb1", note="x", target="công an")
    with pytest.raises(AlertTransitionError, match="ghi chú"):
        escalate(session, a2.id, actor="cb1", note="", target="BCĐ 389")
    with pytest.raises(AlertTransitionError, match="Không thể đóng"):
        resolve(session, a3.id, actor="cb1")
    escalate(session, a2.id, actor="cb1", note="chuyển BCĐ", target="BCĐ 389")
    dismiss(session, a3.id, actor="cb1", reason="giá nhập sai đơn vị")
    session.commit()
    reviews = session.scalars(select(AlertReview).order_by(AlertReview.id)).all()
    assert [(r.alert_id, r.from_status, r.to_status) for r in reviews] == [
        (a1.id, "new", "acknowledged"),
        (a1.id, "acknowledged", "escalated"),
        (a1.id, "escalated", "resolved"),
        (a2.id, "new", "escalated"),
        (a3.id, "new", "dismissed"),
    ]
    assert (
        reviews[1].escalated_to == "Quản lý thị trường" and reviews[3].escalated_to == "Ban Chỉ đạo 389 tỉnh"
    )
    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "alert").order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in audit] == [
        "alert_acknowledge",
        "alert_escalate",
        "alert_resolve",
        "alert_escalate",
        "alert_dismiss",
    ]
    assert audit[-1].details["label"] == "false_alarm" and audit[-1].reason == "giá nhập sai đơn vị"
    assert dismissal_labels(session) == [(a3.id, "ceiling_breach", "giá nhập sai đơn vị")]
    # a later run keeps the review status
    run_detection(session, actor="test")
    session.commit()
    session.expire_all()
    assert session.get(Alert, a3.id).status == "dismissed"


def test_cli_detect_export_and_review(db_url: str, session: Session, tmp_path: Path) -> None:
    _ceiling_data(session)
    runner = CliRunner()
    out = runner.invoke(app, ["detect", "--as-of", "2026-01-05"])
    assert out.exit_code == 0, out.output
    assert "3 cảnh báo mới" in out.output and "vượt giá trần: 3" in out.output
    again = runner.invoke(app, ["detect", "--as-of", "2026-01-05"])
    assert again.exit_code == 0 and "Không có ngày mới" in again.output
    target = tmp_path / "alerts.csv"
    res = runner.invoke(app, ["alerts", "export", "--format", "csv", "--output", str(target)])
    assert res.exit_code == 0, res.output
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith(CONTRACT + ",")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 3
    row = rows[0]
    assert (row["kind"], row["severity"], row["commodity"], row["outlet"]) == (
        "ceiling_breach",
        "stress",
        "xang-e5-ron92",
        "CX-1",
    )
    assert (
        row["first_date"] == "2026-01-05"
        and row["observed_vnd"] == "20100"
        and row["expected_vnd"] == "20000"
    )
    assert row["area"] and row["status"] == "new" and "20.100 ₫/lít" in row["explanation"]
    assert list(rows[0])[: len(ALERT_COLUMNS)] == list(ALERT_COLUMNS)
    js = tmp_path / "alerts.json"
    res = runner.invoke(
        app, ["alerts", "export", "--format", "json", "--output", str(js), "--kind", "ceiling_breach"]
    )
    assert res.exit_code == 0 and len(json.loads(js.read_text(encoding="utf-8"))) == 3
    alert_id = rows[0]["id"]
    bad = runner.invoke(app, ["alerts", "resolve", alert_id])
    assert bad.exit_code == 1 and "Không thể" in bad.output
    ok = runner.invoke(app, ["alerts", "ack", alert_id, "--note", "đã xem"])
    assert ok.exit_code == 0 and "đã tiếp nhận" in ok.output
    ok = runner.invoke(app, ["alerts", "escalate", alert_id, "--to", "QLTT", "--note", "kiểm tra cửa hàng"])
    assert ok.exit_code == 0, ok.output
    shown = runner.invoke(app, ["alerts", "show", alert_id])
    assert shown.exit_code == 0 and "Quản lý thị trường" in shown.output
    listed = runner.invoke(app, ["alerts", "list", "--status", "escalated"])
    assert listed.exit_code == 0 and f"#{alert_id}" in listed.output
    missing = runner.invoke(app, ["alerts", "dismiss", rows[1]["id"]])
    assert missing.exit_code != 0
    res = runner.invoke(app, ["alerts", "export", "--output", str(target), "--status", "escalated"])
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [r["id"] for r in rows] == [alert_id] and rows[0]["reviewed_by"] and rows[0]["escalated_to"]
    assert dt.date.fromisoformat(rows[0]["last_date"]) == dt.date(2026, 1, 5)
