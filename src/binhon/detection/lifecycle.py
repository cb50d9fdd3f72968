"""Alert review: new → acknowledged → escalated (QLTT / BCĐ 389) → resolved, or dismissed as a false alarm.

Every change writes an :class:`~binhon.db.models.AlertReview` (from, to, note, escalated to) and an
:class:`~binhon.db.models.AuditEntry`. A dismissal needs a reason and is kept as a label
(``details['label'] = 'false_alarm'`` in the audit entry) for tuning the detectors later.
Invalid transitions are refused with a Vietnamese message (:class:`AlertTransitionError`).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import Alert, AlertReview, AuditEntry, utcnow
from binhon.errors import BinhonError

__all__ = [
    "ESCALATION_TARGETS",
    "STATUS_LABELS",
    "AlertTransitionError",
    "acknowledge",
    "dismiss",
    "escalate",
    "get_alert",
    "resolve",
    "transition",
]

Action = Literal["acknowledge", "escalate", "resolve", "dismiss"]

STATUS_LABELS = {
    "new": "mới",
    "acknowledged": "đã tiếp nhận",
    "escalated": "đã chuyển xử lý",
    "resolved": "đã xử lý xong",
    "dismissed": "đã bác bỏ (báo động nhầm)",
}
#: Escalation targets: code -> name shown to users.
ESCALATION_TARGETS = {
    "QLTT": "Quản lý thị trường",
    "BCD389": "Ban Chỉ đạo 389 tỉnh",
    "khac": "đơn vị khác",
}
_TARGET_ALIASES = {
    "qltt": "QLTT",
    "bcd389": "BCD389",
    "bcđ389": "BCD389",
    "bcd 389": "BCD389",
    "bcđ 389": "BCD389",
    "khac": "khac",
    "khác": "khac",
    "other": "khac",
}

_ALLOWED: dict[Action, tuple[tuple[str, ...], str]] = {
    "acknowledge": (("new",), "acknowledged"),
    "escalate": (("new", "acknowledged"), "escalated"),
    "resolve": (("acknowledged", "escalated"), "resolved"),
    "dismiss": (("new", "acknowledged", "escalated"), "dismissed"),
}
_VERBS = {
    "acknowledge": "tiếp nhận",
    "escalate": "chuyển xử lý",
    "resolve": "đóng (đã xử lý)",
    "dismiss": "bác bỏ",
}


class AlertTransitionError(BinhonError, ValueError):
    """A review step that is not allowed, or lacks its note, reason or target."""


def get_alert(session: Session, alert_id: int) -> Alert:
    """The alert with this id, or AlertTransitionError."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertTransitionError(f"Không có cảnh báo số {alert_id}")
    return alert


def _target(value: str | None) -> str:
    text = (value or "").strip()
    code = _TARGET_ALIASES.get(text.lower(), text if text in ESCALATION_TARGETS else "")
    if not code:
        choices = ", ".join(f"{k} ({v})" for k, v in ESCALATION_TARGETS.items())
        raise AlertTransitionError(f"Nơi chuyển xử lý không hợp lệ: {text!r}; chọn một trong: {choices}")
    return code


def transition(
    session: Session,
    alert_id: int,
    action: Action,
    *,
    actor: str,
    note: str | None = None,
    target: str | None = None,
) -> Alert:
    """Apply one review step to an alert; the caller commits."""
    alert = get_alert(session, alert_id)
    allowed_from, to_status = _ALLOWED[action]
    if alert.status not in allowed_from:
        raise AlertTransitionError(
            f"Không thể {_VERBS[action]} cảnh báo số {alert_id}: cảnh báo đang ở trạng thái "
            f"'{STATUS_LABELS[alert.status]}' (chỉ {_VERBS[action]} được khi "
            + " hoặc ".join(f"'{STATUS_LABELS[s]}'" for s in allowed_from)
            + ")"
        )
    note = (note or "").strip() or None
    escalated_to = None
    if action == "dismiss" and not note:
        raise AlertTransitionError("Bác bỏ cảnh báo cần ghi lý do (vì sao đây là báo động nhầm)")
    if action == "escalate":
        escalated_to = _target(target)
        if not note:
            raise AlertTransitionError("Chuyển xử lý cần ghi nội dung đề nghị (ghi chú)")
    from_status = alert.status
    alert.status = to_status
    alert.updated_at = utcnow()
    session.add(
        AlertReview(
            alert_id=alert.id,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=note,
            escalated_to=ESCALATION_TARGETS[escalated_to] if escalated_to else None,
        )
    )
    details: dict[str, object] = {"from": from_status, "to": to_status, "kind": alert.kind}
    if escalated_to:
        details["escalated_to"] = escalated_to
    if action == "dismiss":
        details["label"] = "false_alarm"
    session.add(
        AuditEntry(
            actor=actor,
            action=f"alert_{action}",
            entity="alert",
            entity_id=alert.id,
            reason=note,
            details=details,
        )
    )
    session.flush()
    return alert


def acknowledge(session: Session, alert_id: int, *, actor: str, note: str | None = None) -> Alert:
    """new → acknowledged."""
    return transition(session, alert_id, "acknowledge", actor=actor, note=note)


def escalate(session: Session, alert_id: int, *, actor: str, note: str, target: str) -> Alert:
    """new/acknowledged → escalated to QLTT, BCĐ 389 or another body, with a note."""
    return transition(session, alert_id, "escalate", actor=actor, note=note, target=target)


def resolve(session: Session, alert_id: int, *, actor: str, note: str | None = None) -> Alert:
    """acknowledged/escalated → resolved."""
    return transition(session, alert_id, "resolve", actor=actor, note=note)


def dismiss(session: Session, alert_id: int, *, actor: str, reason: str) -> Alert:
    """new/acknowledged/escalated → dismissed as a false alarm, with a reason (kept as a label)."""
    return transition(session, alert_id, "dismiss", actor=actor, note=reason)


def dismissal_labels(session: Session) -> list[tuple[int, str, str]]:
    """(alert id, kind, reason) of every dismissed alert: the false-alarm labels for tuning."""
    rows = session.execute(
        select(AlertReview.alert_id, Alert.kind, AlertReview.note)
        .join(Alert, Alert.id == AlertReview.alert_id)
        .where(AlertReview.to_status == "dismissed")
        .order_by(AlertReview.id)
    ).all()
    return [(int(a), str(k), str(n or "")) for a, k, n in rows]
