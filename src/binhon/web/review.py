"""Reviewing an alert: acknowledge, escalate with a note, resolve, dismiss as false with a reason.

The state machine and its records belong to ``binhon.detection.lifecycle`` (an ``alert_reviews`` row
and an audit entry per step); this module checks the request first so that the web can answer
404 / 409 / 422 precisely, then calls it. Without the detection package the same rules apply here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from sqlalchemy.orm import Session

from binhon.db.models import Alert, AlertReview, AuditEntry, utcnow
from binhon.errors import BinhonError

ACTIONS = ("acknowledge", "escalate", "resolve", "dismiss")
# action -> (statuses it may start from, status it leads to); the same as binhon.detection.lifecycle.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({"new"}), "acknowledged"),
    "escalate": (frozenset({"new", "acknowledged"}), "escalated"),
    "resolve": (frozenset({"acknowledged", "escalated"}), "resolved"),
    "dismiss": (frozenset({"new", "acknowledged", "escalated"}), "dismissed"),
}
NOTE_REQUIRED = {"escalate": "cần ghi nội dung chuyển xử lý", "dismiss": "cần ghi lý do bác bỏ"}
_FALLBACK_TARGETS = {"QLTT": "Quản lý thị trường", "BCD389": "Ban Chỉ đạo 389 tỉnh", "khac": "đơn vị khác"}
_STATUS_VI = {
    "new": "mới",
    "acknowledged": "đã tiếp nhận",
    "escalated": "đã chuyển xử lý",
    "resolved": "đã xử lý xong",
    "dismissed": "đã bác bỏ",
}
_VERBS = {
    "acknowledge": "tiếp nhận",
    "escalate": "chuyển xử lý",
    "resolve": "đóng (đã xử lý)",
    "dismiss": "bác bỏ",
}


class ReviewRefused(BinhonError):
    """The review step lacks its note or target (message in Vietnamese)."""


class AlertNotFound(ReviewRefused):
    """No such alert."""


class WrongState(ReviewRefused):
    """The alert's current status does not allow the step."""


def _lifecycle() -> ModuleType | None:
    try:
        return importlib.import_module("binhon.detection.lifecycle")
    except ModuleNotFoundError as exc:
        if exc.name in ("binhon.detection", "binhon.detection.lifecycle"):
            return None
        raise


def escalation_targets() -> dict[str, str]:
    """Where an alert can be escalated: code -> name."""
    lifecycle = _lifecycle()
    targets = getattr(lifecycle, "ESCALATION_TARGETS", None) if lifecycle else None
    return dict(targets) if isinstance(targets, dict) else dict(_FALLBACK_TARGETS)


def allowed_actions(status: str) -> list[str]:
    """The actions possible from a status."""
    return [a for a in ACTIONS if status in TRANSITIONS[a][0]]


def review_alert(
    *,
    session: Session,
    alert_id: int,
    action: str,
    actor: str,
    note: str | None = None,
    escalated_to: str | None = None,
) -> Alert:
    """Apply one review step to an alert; the caller commits."""
    if action not in TRANSITIONS:
        raise ReviewRefused(f"thao tác '{action}' không hợp lệ (dùng: {', '.join(ACTIONS)})")
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound(f"không có cảnh báo số {alert_id}")
    sources, target_status = TRANSITIONS[action]
    if alert.status not in sources:
        raise WrongState(
            f"không thể {_VERBS[action]} cảnh báo số {alert_id}: cảnh báo đang ở trạng thái "
            f"'{_STATUS_VI.get(alert.status, alert.status)}'"
        )
    note = (note or "").strip() or None
    target = (escalated_to or "").strip() or None
    if action in NOTE_REQUIRED and not note:
        raise ReviewRefused(NOTE_REQUIRED[action])
    if action == "escalate" and not target:
        raise ReviewRefused("cần chọn nơi chuyển xử lý")
    lifecycle = _lifecycle()
    if lifecycle is not None and hasattr(lifecycle, "transition"):
        error = getattr(lifecycle, "AlertTransitionError", ValueError)
        try:
            return lifecycle.transition(session, alert_id, action, actor=actor, note=note, target=target)  # type: ignore[no-any-return]
        except error as exc:
            raise ReviewRefused(str(exc)) from None
    return _transition(session, alert, action, target_status, actor=actor, note=note, target=target)


def _transition(
    session: Session,
    alert: Alert,
    action: str,
    to_status: str,
    *,
    actor: str,
    note: str | None,
    target: str | None,
) -> Alert:
    """The same step as binhon.detection.lifecycle.transition, for a tree without it."""
    escalated_to = None
    if action == "escalate":
        targets = escalation_targets()
        code = next((k for k in targets if k.lower() == (target or "").lower()), None)
        if code is None:
            raise ReviewRefused(f"nơi chuyển xử lý không hợp lệ: {target!r} (chọn: {', '.join(targets)})")
        escalated_to = targets[code]
    before = alert.status
    alert.status = to_status
    alert.updated_at = utcnow()
    session.add(
        AlertReview(
            alert_id=alert.id,
            actor=actor,
            from_status=before,
            to_status=to_status,
            note=note,
            escalated_to=escalated_to,
        )
    )
    session.add(
        AuditEntry(
            actor=actor,
            action=f"alert_{action}",
            entity="alert",
            entity_id=alert.id,
            reason=note,
            details={"from": before, "to": to_status, "escalated_to": escalated_to},
        )
    )
    session.flush()
    return alert
