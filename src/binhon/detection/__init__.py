"""Detection of abnormal prices and the alert lifecycle (issue 4).

Public API (stable; used by the CLI, the web app and the benchmarks):

- :func:`run_detection` (``session, *, as_of=None, actor, config=None``) → :class:`DetectionRunResult`
- :class:`DetectionConfig`, :func:`load_detection_config`, :func:`with_overrides`
- :func:`acknowledge`, :func:`escalate`, :func:`resolve`, :func:`dismiss`, :func:`transition`
- :func:`alert_rows`, :func:`export_alerts`, :data:`ALERT_COLUMNS`
- :func:`price_indicators` (ALPS / IPA of a commodity at an outlet, a district or the province)
"""

from __future__ import annotations

import importlib
from typing import Any

# Public names and the module that defines each. Imported on first use (PEP 562), so that
# `binhon --help` and modules needing one small piece do not pay for statsmodels.
_EXPORTS = {
    "DetectionConfig": "config",
    "load_detection_config": "config",
    "with_overrides": "config",
    "ALERT_COLUMNS": "export",
    "EXTRA_ALERT_COLUMNS": "export",
    "alert_rows": "export",
    "export_alerts": "export",
    "price_indicators": "indicators",
    "AlertTransitionError": "lifecycle",
    "acknowledge": "lifecycle",
    "dismiss": "lifecycle",
    "dismissal_labels": "lifecycle",
    "escalate": "lifecycle",
    "resolve": "lifecycle",
    "transition": "lifecycle",
    "DetectionRunResult": "run",
    "run_detection": "run",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
