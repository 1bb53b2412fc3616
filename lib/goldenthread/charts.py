"""Small trend charts for the scorecard: the figure over time against its target.

Charts are PNG bytes with alt text, made with matplotlib's object API (no global pyplot state,
so a notebook can draw dozens quickly) and seaborn's plain style. PNG metadata is fixed so
the same data gives the same bytes.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from goldenthread.formatting import format_period_name, format_value  # noqa: E402
from goldenthread.periods import MONTH_NAMES  # noqa: E402

LINE = "#1d70b8"
TARGET = "#505a5f"


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt: str


def trend_chart(history: pd.DataFrame, title: str, unit: str | None, decimals: int,
                width: float = 3.4, height: float = 1.5) -> Chart | None:
    """Chart of ``history`` (columns ``period``, ``value``, ``target``), or ``None`` with under two points."""
    h = history.dropna(subset=["value"]).sort_values("period")
    if len(h) < 2:
        return None
    x = h["period"].to_numpy(dtype=np.int64)
    y = h["value"].to_numpy(dtype=float)
    t = h["target"].to_numpy(dtype=float)
    with sns.axes_style("whitegrid"), matplotlib.rc_context({"font.size": 7, "svg.hashsalt": "goldenthread"}):
        fig = Figure(figsize=(width, height), dpi=150)
        ax = fig.add_subplot()
        if not np.all(np.isnan(t)):
            ax.step(x, t, where="mid", color=TARGET, linestyle="--", linewidth=1, label="Target")
        ax.plot(x, y, color=LINE, marker="o", markersize=2.5, linewidth=1.5, label="Value")
        ax.plot(x[-1:], y[-1:], color=LINE, marker="o", markersize=5)
        ticks = [p for p in x if p % 3 == 0] or list(x[:: max(1, len(x) // 4)])
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{MONTH_NAMES[p % 12][:3]}\n{p // 12 % 100:02d}" for p in ticks])
        ax.tick_params(length=0, pad=2)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: format_value(v, unit, max(0, decimals - 1))))
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.subplots_adjust(left=0.2, right=0.98, top=0.95, bottom=0.22)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return Chart(buf.getvalue(), _alt_text(h, title, unit, decimals))


def _alt_text(h: pd.DataFrame, title: str, unit: str | None, decimals: int) -> str:
    first, last = h.iloc[0], h.iloc[-1]
    text = (f"Line chart of {title}, {format_period_name(first['period'])} to {format_period_name(last['period'])}: "
            f"from {format_value(first['value'], unit, decimals)} to {format_value(last['value'], unit, decimals)}")
    if not np.isnan(last["target"]):
        text += f", against a target of {format_value(last['target'], unit, decimals)}"
    return text + "."
