"""Reports in the department's formats: the monthly Thông tư 29/2024 table and the Tết market report.

What the CLI (``binhon report monthly|tet``) and the web app's downloads call:

* ``build_monthly_xlsx(session, month, *, report_date=None) -> bytes`` — ``month`` is ``"YYYY-MM"``
  or a date in the month (:mod:`binhon.reports.monthly`);
* ``build_tet_report(session, year, fmt, *, as_of=None, report_date=None) -> bytes`` — ``fmt`` is
  ``"xlsx"`` or ``"docx"`` (:mod:`binhon.reports.tet`);
* ``media_type(fmt)``, ``monthly_filename(month)``, ``tet_filename(year, fmt)`` for the HTTP response;
* :class:`binhon.reports.monthly.ReportError` (a ``BinhonError``) for bad arguments, with a
  Vietnamese message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "ReportError",
    "build_monthly_xlsx",
    "build_tet_report",
    "media_type",
    "monthly_filename",
    "tet_filename",
]

if TYPE_CHECKING:  # pragma: no cover
    from binhon.reports.common import monthly_filename, tet_filename
    from binhon.reports.monthly import ReportError, build_monthly_xlsx
    from binhon.reports.tet import build_tet_report, media_type

_WHERE = {
    "ReportError": "binhon.reports.monthly",
    "build_monthly_xlsx": "binhon.reports.monthly",
    "build_tet_report": "binhon.reports.tet",
    "media_type": "binhon.reports.tet",
    "monthly_filename": "binhon.reports.common",
    "tet_filename": "binhon.reports.common",
}


def __getattr__(name: str) -> Any:
    """Import the report modules lazily (the CLI loads this package at start-up)."""
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)
