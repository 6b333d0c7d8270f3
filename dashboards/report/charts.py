"""The report's trend charts: small SVG line charts drawn with matplotlib (no browser, nothing
downloaded), in the dashboard's Okabe–Ito colours, with Danish number and month labels."""

from __future__ import annotations

import io
import threading

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from dashboards.report import fmt

BLUE, ORANGE, GREY = "#0072B2", "#E69F00", "#999999"  # Okabe–Ito
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

_STYLE = {
    "font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "path", "svg.hashsalt": "kpi-rapport",
    "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": GREY,
    "xtick.color": "#333333", "ytick.color": "#333333",
}
# matplotlib's settings are global to the process: one chart at a time, in the report's own style
_lock = threading.Lock()


def trend_svg(points: list[dict], unit: str, target: float | None, quarter_start=None) -> str | None:
    """An SVG line of the values by month end (suppressed ones leave a gap), the target as a dashed
    line, and the report's quarter shaded. None when there is nothing to draw."""
    if sum(p["value"] is not None for p in points) < 2:
        return None
    with _lock, matplotlib.rc_context(_STYLE):
        return _draw(points, unit, target, quarter_start)


def _draw(points, unit, target, quarter_start) -> str:
    x = list(range(len(points)))
    y = [float("nan") if p["value"] is None else p["value"] for p in points]
    # a Figure of its own, not pyplot's global state
    fig = Figure(figsize=(3.4, 1.45), dpi=100)
    FigureCanvasSVG(fig)
    ax = fig.subplots()
    if quarter_start is not None:
        inside = [i for i, p in enumerate(points) if p["reference_date"] >= quarter_start]
        if inside:
            ax.axvspan(inside[0] - 0.5, inside[-1] + 0.4, color="#F0F0F0", zorder=0)
    ax.plot(x, y, color=BLUE, marker="o", markersize=2.5, linewidth=1.5, zorder=3)
    if target is not None:
        ax.axhline(target, color=ORANGE, linestyle="--", linewidth=1.2, zorder=2)
    scale = 100 if unit == "andel" else 1
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _: fmt.number(v * scale, 0 if unit == "andel" or abs(v) >= 10 else 1)
        + (" %" if unit == "andel" else "")))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    step = max(1, len(points) // 6)
    ax.set_xticks(x[::-1][::step][::-1])
    ax.set_xticklabels([f"{MONTHS[points[i]['reference_date'].month - 1]} {points[i]['reference_date']:%y}"
                        for i in x[::-1][::step][::-1]])
    ax.tick_params(length=2, pad=2)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    ax.set_xlim(-0.6, len(points) - 0.4)
    fig.tight_layout(pad=0.3)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
