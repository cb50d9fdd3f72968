"""Server-side charts (matplotlib, SVG): an alert's price series and a commodity across areas.

No JavaScript and nothing fetched from outside: the SVG is drawn here and served as an image.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from binhon.db.models import Alert, Commodity, Outlet
from binhon.formatting import format_number
from binhon.tet import tet_date
from binhon.web import queries

_LOCK = threading.Lock()
COLORS = ("#1f5f99", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b")


def _figure(width: float = 9.0, height: float = 4.8) -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    return fig


def _finish(fig: Any, ax: Any) -> bytes:
    from matplotlib.dates import DateFormatter
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(int(round(v)))))
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m/%Y"))
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, frameon=False, ncol=4)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _empty(message: str) -> bytes:
    with _LOCK:
        fig = _figure(9, 1.2)
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color="#555555")
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        return buf.getvalue()


def _tet_markers(ax: Any, start: dt.date, end: dt.date) -> None:
    first = True
    for year in range(start.year, end.year + 2):
        try:
            t = tet_date(year)
        except ValueError:
            continue
        if start <= t <= end:
            ax.axvline(
                pd.Timestamp(t),
                color="#b03a2e",
                linestyle=":",
                linewidth=1.2,
                label="Mùng 1 Tết" if first else None,
            )
            ax.annotate(
                "Tết",
                (pd.Timestamp(t), 1.0),
                xycoords=("data", "axes fraction"),
                fontsize=8,
                color="#b03a2e",
                ha="center",
                va="bottom",
            )
            first = False


def _daily(
    rows: list[tuple[dt.date, int, int, str]],
    *,
    outlet_ids: set[int] | None = None,
    exclude: set[int] | None = None,
    price_type: str = "retail",
) -> pd.Series:
    data = [
        (d, p)
        for d, o, p, t in rows
        if t == price_type
        and (outlet_ids is None or o in outlet_ids)
        and (exclude is None or o not in exclude)
    ]
    if not data:
        return pd.Series(dtype=float)
    frame = pd.DataFrame(data, columns=["date", "price"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.groupby("date")["price"].median()


def _band_from_details(details: dict[str, Any] | None) -> tuple[float, float] | None:
    if not isinstance(details, dict):
        return None
    for low_key, high_key in (
        ("expected_low", "expected_high"),
        ("band_low", "band_high"),
        ("expected_low_vnd", "expected_high_vnd"),
        ("lower", "upper"),
    ):
        low, high = details.get(low_key), details.get(high_key)
        if isinstance(low, int | float) and isinstance(high, int | float):
            return float(low), float(high)
    band = details.get("band") or details.get("expected_band")
    if isinstance(band, list | tuple) and len(band) == 2 and all(isinstance(v, int | float) for v in band):
        return float(band[0]), float(band[1])
    return None


def _band_from_score(alert: Alert) -> tuple[float, float] | None:
    """Expected ± 2 robust standard deviations, the scale implied by the detector's z-score."""
    details = alert.details if isinstance(alert.details, dict) else {}
    z = details.get("z_hist")
    if not isinstance(z, int | float) or not z or alert.observed_vnd is None or not alert.expected_vnd:
        return None
    sigma = abs(alert.observed_vnd - alert.expected_vnd) / abs(float(z))
    return alert.expected_vnd - 2 * sigma, alert.expected_vnd + 2 * sigma


def alert_chart(*, session: Session, alert_id: int) -> bytes:
    """The alert's series: observed prices, expected band, peers, Tết, the ceiling or commitment."""
    alert = session.get(Alert, alert_id)
    if alert is None or alert.commodity_id is None:
        return _empty("Không có chuỗi giá để vẽ cho cảnh báo này")
    first, last = alert.first_date, alert.last_date
    start = first - dt.timedelta(days=120)
    end = last + dt.timedelta(days=30)
    rows = queries.commodity_series(
        session=session,
        commodity_id=alert.commodity_id,
        since=start,
        until=end,
        price_types=("retail", "ceiling", "committed"),
    )
    outlet = session.get(Outlet, alert.outlet_id) if alert.outlet_id else None
    area_id = alert.area_id or (outlet.commune_id or outlet.district_id or outlet.area_id if outlet else None)
    peer_ids: set[int] | None = None
    if area_id is not None:
        peer_ids = set(
            session.scalars(
                select(Outlet.id).where(
                    (Outlet.commune_id == area_id)
                    | (Outlet.district_id == area_id)
                    | (Outlet.area_id == area_id)
                )
            )
        )
        if len(peer_ids) < 3:
            peer_ids = None
    details = alert.details if isinstance(alert.details, dict) else {}
    ptype = details.get("price_type") if details.get("price_type") in ("retail", "wholesale") else "retail"
    if ptype != "retail":
        rows += queries.commodity_series(
            session=session, commodity_id=alert.commodity_id, since=start, until=end, price_types=(ptype,)
        )
    if outlet is not None:
        observed = _daily(rows, outlet_ids={outlet.id}, price_type=ptype)
        peers = _daily(rows, outlet_ids=peer_ids, exclude={outlet.id}, price_type=ptype)
        observed_label = f"Giá tại {outlet.name}"
    else:
        observed = _daily(rows, outlet_ids=peer_ids, price_type=ptype)
        peers = _daily(rows, price_type=ptype) if peer_ids is not None else pd.Series(dtype=float)
        observed_label = "Giá (trung vị các điểm bán)"
    if observed.empty:
        return _empty("Chưa có giá quan sát trong khoảng thời gian của cảnh báo")
    with _LOCK:
        fig = _figure()
        ax = fig.add_subplot()
        ax.axvspan(
            pd.Timestamp(first),
            pd.Timestamp(last) + pd.Timedelta(days=1),
            color="#f5b7b1",
            alpha=0.35,
            label="Thời gian cảnh báo",
        )
        band = _band_from_details(alert.details) or _band_from_score(alert)
        if band is None and alert.expected_vnd:
            before = observed[observed.index < pd.Timestamp(first)].tail(60)
            spread = float((before - before.median()).abs().median() * 1.4826) if len(before) >= 5 else 0.0
            spread = max(spread, 0.03 * alert.expected_vnd)
            band = (alert.expected_vnd - 2 * spread, alert.expected_vnd + 2 * spread)
        if band is not None:
            ax.fill_between(
                [pd.Timestamp(first - dt.timedelta(days=30)), pd.Timestamp(last) + pd.Timedelta(days=1)],
                band[0],
                band[1],
                color="#aed6f1",
                alpha=0.5,
                label="Khoảng giá kỳ vọng",
            )
        if alert.expected_vnd:
            ax.hlines(
                alert.expected_vnd,
                pd.Timestamp(first - dt.timedelta(days=30)),
                pd.Timestamp(last) + pd.Timedelta(days=1),
                colors="#1f5f99",
                linestyles="--",
                linewidth=1,
                label="Giá kỳ vọng",
            )
        if not peers.empty:
            ax.plot(
                peers.index,
                peers.values,
                color="#7f8c8d",
                linewidth=1,
                linestyle="-.",
                label="Các điểm bán khác (trung vị)",
            )
        ax.plot(
            observed.index,
            observed.values,
            color="#c0392b",
            linewidth=1.6,
            marker="." if len(observed) < 60 else None,
            label=observed_label,
        )
        if alert.observed_vnd:
            ax.scatter(
                [pd.Timestamp(first)],
                [alert.observed_vnd],
                color="#78281f",
                marker="D",
                s=30,
                zorder=5,
                label="Giá lúc phát sinh cảnh báo",
            )
        zone = outlet.zone if outlet is not None else None
        ceiling_rows = [r for r in rows if r[3] == "ceiling"]
        if ceiling_rows:
            zone_rows = session.execute(
                select(Outlet.id, Outlet.zone).where(Outlet.id.in_({r[1] for r in ceiling_rows}))
            ).all()
            zones = {int(oid): z for oid, z in zone_rows}
            chosen = [r for r in ceiling_rows if zone is None or zones.get(r[1]) in (zone, None)]
            ceiling = _daily(chosen, price_type="ceiling")
            if not ceiling.empty:
                ax.step(
                    ceiling.index,
                    ceiling.values,
                    where="post",
                    color="#000000",
                    linewidth=1.2,
                    label="Giá trần",
                )
        if outlet is not None:
            committed = _daily(rows, outlet_ids={outlet.id}, price_type="committed")
            if not committed.empty:
                ax.step(
                    committed.index,
                    committed.values,
                    where="post",
                    color="#2e8b57",
                    linewidth=1.2,
                    label="Giá cam kết bình ổn",
                )
        _tet_markers(ax, start, end)
        commodity = session.get(Commodity, alert.commodity_id)
        ax.set_ylabel(f"đồng/{commodity.unit}" if commodity else "đồng")
        return _finish(fig, ax)


def commodity_chart(
    *,
    session: Session,
    commodity: Commodity,
    since: dt.date,
    until: dt.date,
    area_code: str | None = None,
    max_areas: int = 6,
) -> bytes:
    """Median retail price per area per week, the province's median, the ceiling, Tết."""
    rows = queries.commodity_series(
        session=session,
        commodity_id=commodity.id,
        since=since,
        until=until,
        price_types=("retail", "ceiling"),
    )
    retail = [r for r in rows if r[3] == "retail"]
    if not retail:
        return _empty("Chưa có giá của mặt hàng này trong khoảng thời gian đã chọn")
    outlets = {o.id: o for o in session.scalars(select(Outlet).where(Outlet.id.in_({r[1] for r in retail})))}
    frame = pd.DataFrame(retail, columns=["date", "outlet", "price", "type"])
    frame["date"] = pd.to_datetime(frame["date"])

    def area_of(oid: int) -> str:
        a = queries.outlet_area(outlets[oid]) if oid in outlets else None
        return a.name if a else "Khác"

    def code_of(oid: int) -> str:
        a = queries.outlet_area(outlets[oid]) if oid in outlets else None
        return a.code if a else ""

    frame["area"] = frame["outlet"].map(area_of)
    if area_code:
        frame = frame[frame["outlet"].map(code_of) == area_code]
        if frame.empty:
            return _empty("Không có giá ở địa bàn đã chọn")
    # One area (chosen, or the only one): a line per outlet; otherwise a line per area.
    if frame["area"].nunique() == 1:
        frame["series"] = frame["outlet"].map(lambda o: outlets[o].name if o in outlets else str(o))
        total_label = "Trung vị các điểm bán" if area_code else "Toàn tỉnh (trung vị)"
    else:
        frame["series"] = frame["area"]
        total_label = "Toàn tỉnh (trung vị)"
    top = frame["series"].value_counts().head(max_areas).index.tolist()
    weekly = frame.set_index("date").groupby("series")["price"].resample("W").median().dropna()
    total = frame.set_index("date")["price"].resample("W").median().dropna()
    with _LOCK:
        fig = _figure(9.5, 4.8)
        ax = fig.add_subplot()
        for i, name in enumerate(top):
            if name in weekly.index.get_level_values(0):
                s = weekly.loc[name]
                ax.plot(s.index, s.values, color=COLORS[i % len(COLORS)], linewidth=1.1, label=name)
        ax.plot(total.index, total.values, color="#000000", linewidth=2.2, label=total_label)
        ceiling = _daily(rows, price_type="ceiling")
        if not ceiling.empty:
            ax.step(
                ceiling.index,
                ceiling.values,
                where="post",
                color="#7b241c",
                linestyle="--",
                linewidth=1.2,
                label="Giá trần",
            )
        _tet_markers(ax, since, until)
        ax.set_ylabel(f"đồng/{commodity.unit}")
        return _finish(fig, ax)
