"""Detection of abnormal prices and the alert lifecycle (issue 4).

Public API (stable; used by the CLI, the web app and the benchmarks):

- :func:`run_detection` (``session, *, as_of=None, actor, config=None``) → :class:`DetectionRunResult`
- :class:`DetectionConfig`, :func:`load_detection_config`, :func:`with_overrides`
- :func:`acknowledge`, :func:`escalate`, :func:`resolve`, :func:`dismiss`, :func:`transition`
- :func:`alert_rows`, :func:`export_alerts`, :data:`ALERT_COLUMNS`
- :func:`price_indicators` (ALPS / IPA of a commodity at an outlet, a district or the province)
"""

from __future__ import annotations

from binhon.detection.config import DetectionConfig, load_detection_config, with_overrides
from binhon.detection.export import ALERT_COLUMNS, EXTRA_ALERT_COLUMNS, alert_rows, export_alerts
from binhon.detection.indicators import price_indicators
from binhon.detection.lifecycle import (
    AlertTransitionError,
    acknowledge,
    dismiss,
    dismissal_labels,
    escalate,
    resolve,
    transition,
)
from binhon.detection.run import DetectionRunResult, run_detection

__all__ = [
    "ALERT_COLUMNS",
    "EXTRA_ALERT_COLUMNS",
    "AlertTransitionError",
    "DetectionConfig",
    "DetectionRunResult",
    "acknowledge",
    "alert_rows",
    "dismiss",
    "dismissal_labels",
    "escalate",
    "export_alerts",
    "load_detection_config",
    "price_indicators",
    "resolve",
    "run_detection",
    "transition",
    "with_overrides",
]
