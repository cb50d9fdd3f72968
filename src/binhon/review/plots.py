"""Charts of Tết seasons: the coming season against the previous ones, lunar-aligned, with the forecast."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from binhon.formatting import format_date, format_number

if TYPE_CHECKING:  # pragma: no cover
    from binhon.reports.tet import CommodityReview, TetReport

__all__ = ["season_chart"]


def season_chart(review: CommodityReview, report: TetReport, *, ax: Any = None) -> Any:
    """Daily province level against days to Tết for this season and the previous ones, with the forecast.

    Returns the matplotlib Figure (Agg-safe). The x axis is days from mùng 1 Tết (negative before),
    so that seasons line up; the phases are shaded; the forecast band is drawn where available.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.2))
    else:
        fig = ax.figure
    shades = {"before": "#fdf2e9", "during": "#fadbd8", "after": "#eaf2f8"}
    for phase, colour in shades.items():
        a, b = getattr(report.windows, phase)
        ax.axvspan(a, b, color=colour, zorder=0)
    styles = ["-", "--", ":", "-."]
    for i, year in enumerate(review.curves.columns):
        s = review.curves[year].dropna()
        if s.empty:
            continue
        ax.plot(s.index, s.to_numpy(), styles[i % len(styles)], lw=2 if i == 0 else 1.3, label=f"Tết {year}")
    fr = review.forecast
    if fr is not None and fr.forecast is not None:
        bins = fr.forecast.bins
        level = format_number((1 - fr.forecast.alpha) * 100)
        ax.fill_between(
            bins["days_to_tet"],
            bins["lower"],
            bins["upper"],
            alpha=0.25,
            color="tab:blue",
            label=f"khoảng dự báo {level}%",
        )
        ax.plot(
            bins["days_to_tet"],
            bins["point"],
            "o-",
            ms=3,
            color="tab:blue",
            label=f"dự báo (từ {format_date(fr.forecast.origin)})",
        )
    ax.axvline(0, color="grey", lw=0.8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_number(float(v))))
    ax.set_xlabel("Số ngày so với mùng 1 Tết")
    ax.set_ylabel(f"đồng/{review.unit}")
    ax.set_title(f"{review.name}: Tết {report.lunar_name} {report.year} so với các mùa Tết trước")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig
