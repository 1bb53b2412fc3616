"""One indicator over time: every month's figure, target and status as a table and as a chart."""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Mapping
from typing import Any, TypeAlias

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from goldenthread.documents.charts import (
    LINE,
    TARGET,
    ChartFigure,
    draw_runs,
    line_runs,
    month_ticks,
    new_figure,
    target_label,
    use_value_axis,
    value_range,
)
from goldenthread.documents.rows import (
    decimals_of,
    direction_text,
    latest_text,
    status_styles,
    status_text,
    target_text,
)
from goldenthread.inputs.config import StatusScheme, StatusStyle
from goldenthread.inputs.contract import STATUS_KEYS
from goldenthread.inputs.periods import MONTH_NAMES, quarter_label
from goldenthread.measures.direction_of_travel import FREQUENCY_STEP
from goldenthread.measures.formatting import (
    MILESTONE_LABELS,
    format_period_name,
    format_target,
    format_value,
    is_missing,
)
from goldenthread.measures.status import amber_edge, exceeding_edge

#: Marker per status, so a chart never relies on colour alone (WCAG 1.4.1).
STATUS_MARKERS = {"blue": "*", "green": "o", "amber": "D", "red": "X", "data_only": "s", "not_available": "."}
#: Milestone delivery states from worst to best, for the milestone chart's y axis.
MILESTONE_ORDER = ("not_started", "off_track", "at_risk", "on_track", "complete")
BAND_ALPHA = 0.13  # light enough that the markers (in the same colours) stay readable on top


# --- one indicator over time ------------------------------------------------------------------

#: An indicator as an id ("ASC-01") or as its scorecard row (``report.card`` row, or a dict with ``id``).
IndicatorRef: TypeAlias = str | Mapping[str, Any] | pd.Series

STATUS_HISTORY_COLUMNS = [
    "month",
    "quarter",
    "value",
    "target",
    "status",
    "vs previous period",
    "vs same month last year",
    "note",
]


def _info(indicator: IndicatorRef) -> Mapping[str, Any]:
    """An indicator given as an id, or as a scorecard row (a Series or a dict with ``id``)."""
    return {"id": indicator} if isinstance(indicator, str) else indicator


def _indicator_history(history: pd.DataFrame, indicator: IndicatorRef) -> pd.DataFrame:
    """One indicator's rows, oldest first.

    A bare id that is not in the history is most likely a typo, so it raises with suggestions.
    A scorecard row is a known indicator: no rows then just means no figures yet (a new
    annual measure, say), and the caller shows that instead of failing.
    """
    ind_id = str(_info(indicator)["id"])
    h = history[history["indicator"] == ind_id].sort_values("period")
    if h.empty and isinstance(indicator, str):
        known = sorted(pd.unique(history["indicator"]))
        close = difflib.get_close_matches(str(indicator), known, n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"indicator = {indicator!r} has no history.{hint} Indicators with history: {', '.join(known)}."
        )
    return h


def status_history(
    history: pd.DataFrame,
    indicator: IndicatorRef,
    *,
    unit: str | None = None,
    scheme: StatusScheme | None = None,
    fy_start_month: int = 4,
    newest_first: bool = True,
) -> pd.DataFrame:
    """Every reported period of one indicator: figure, target, status and direction, as words.

    ``history`` is :attr:`Report.history` (observations up to the report month). ``indicator``
    is an id or a scorecard row; the row also gives the unit, which the history does not carry
    (or pass ``unit``). ``scheme`` gives the council's own status labels. Newest first, because
    the question is usually "since when?". The quarter column uses the report's own labels
    ("Q1+1 2019/20"), so a month can be matched with the report that quoted it. A known
    indicator with no figures yet gives an empty table.
    """
    h = _indicator_history(history, indicator)
    info = _info(indicator)
    if unit is None and not is_missing(info.get("unit")):
        unit = str(info["unit"])
    styles = status_styles(scheme)
    rows = []
    for r in h.itertuples(index=False):
        dec = decimals_of(r.decimals)
        rows.append(
            {
                "month": f"{MONTH_NAMES[r.period % 12][:3]} {r.period // 12}",
                "quarter": quarter_label(int(r.period), fy_start_month),
                "value": latest_text(r.kind, r.value, r.milestone_status, unit, dec),
                "target": target_text(r.kind, r.target, unit, dec, none="–", milestone=""),
                "status": status_text(r.status, styles, bool(r.overridden)),
                "vs previous period": direction_text(r.dot_previous),
                "vs same month last year": direction_text(r.dot_year),
                "note": "" if is_missing(r.note) else str(r.note),
                "period": int(r.period),
            }
        )
    table = pd.DataFrame(rows, columns=[*STATUS_HISTORY_COLUMNS, "period"])
    if newest_first:
        table = table.iloc[::-1]
    return table.set_index("period").rename_axis(None)


class HistoryFigure(ChartFigure):
    """The explorer's chart: a :class:`goldenthread.documents.charts.ChartFigure` (a matplotlib Figure on its
    own Agg canvas that carries its alt text and shows itself with it in a notebook)."""


def _bounds(h: pd.DataFrame, scheme: StatusScheme | None) -> tuple[np.ndarray, np.ndarray]:
    """Per period: the target and the edge of amber (the floor / ceiling beyond which it is red),
    by :func:`goldenthread.measures.status.amber_edge` with the indicator's tolerance, else the scheme's."""
    target = h["target"].to_numpy(dtype=float)
    lower = h["polarity"].astype(str).to_numpy() == "lower"
    default_tol = (scheme if scheme is not None else StatusScheme.model_validate({})).tolerance
    tol = h["tolerance"].to_numpy(dtype=float)
    tol = np.where(np.isnan(tol), default_tol, tol)
    return target, amber_edge(target, lower, h["amber_threshold"].to_numpy(dtype=float), tol)


def history_chart(
    history: pd.DataFrame,
    indicator: IndicatorRef,
    *,
    title: str | None = None,
    unit: str | None = None,
    scheme: StatusScheme | None = None,
    fy_start_month: int = 4,
    width: float = 9.0,
    height: float = 4.0,
) -> HistoryFigure:
    """The whole history of one indicator: figure, target, status bands and status per period.

    ``indicator`` is an id or a scorecard row (``report.card`` row: its ``id``, ``title`` and
    ``unit`` are used). Shown:

    * the figure, with a marker per period in the status colour and a distinct shape per status,
      so status never depends on colour alone; the line breaks where periods are missing and,
      for a year-to-date measure, at the financial-year end (:func:`goldenthread.documents.charts.line_runs`);
    * the target as a stepped dashed line (profiled or changed targets show as steps), broken
      where the figure's line is;
    * a value axis whose labels state their gridlines exactly (:func:`goldenthread.documents.charts.value_axis`);
    * shaded bands where a figure would be on, near or off target (and exceeding, if the scheme
      rates it), following polarity and the same amber rule as :mod:`goldenthread.measures.status`, so
      the analyst sees how close each month was to changing status. No bands where there is
      nothing to rate: polarity ``none``, no target, or a milestone;
    * milestones as their delivery state per month (complete ... not started) on the y axis.

    Returns a :class:`HistoryFigure` (a matplotlib Figure with ``alt_text``). No pyplot, no
    network, so it works headless.
    """
    info = _info(indicator)
    ind_id = str(info["id"])
    title = title or str(info.get("title") or ind_id)
    if unit is None and not is_missing(info.get("unit")):
        unit = str(info["unit"])
    h = _indicator_history(history, indicator)
    if h.empty:
        return _no_figures_chart(ind_id, title, width, height)
    styles = status_styles(scheme)
    x = h["period"].to_numpy(dtype=np.int64)
    status = h["status"].astype(str).to_numpy()
    milestone = str(h["kind"].iloc[0]) == "milestone"
    dec = decimals_of(h["decimals"].iloc[0])

    with sns.axes_style("whitegrid"), matplotlib.rc_context({"font.size": 9, "svg.hashsalt": "goldenthread"}):
        fig = new_figure(HistoryFigure, width, height, 110)
        ax = fig.add_subplot()
        legend: list[Any]
        if milestone:
            y = _milestone_axis(ax, h)
            target = edge = np.full(len(h), np.nan)
            has_bands, legend = False, []
        else:
            y, target, edge, has_bands, legend = _value_axis(ax, h, unit, dec, styles, scheme)
        # one run per stretch of consecutive periods; a year-to-date measure also starts again each year
        runs = line_runs(x, str(h["frequency"].iloc[0]), str(h["aggregation"].iloc[0]) == "cumulative", fy_start_month)
        legend += _draw_target(ax, x, target, runs, target_label(target, unit, dec), has_bands)
        draw_runs(
            ax,
            x,
            y,
            runs,
            gid="value-line",
            color=LINE,
            linewidth=1.6,
            zorder=4,
            drawstyle="steps-mid" if milestone else "default",
        )
        legend += _draw_statuses(ax, x, y, status, styles)
        if not milestone:
            _label_latest(ax, x, y, unit, dec)
        _time_axis(ax, x, FREQUENCY_STEP.get(str(h["frequency"].iloc[0]), 1), fy_start_month)
        _frame(fig, ax, f"{ind_id}: {title}", legend, milestone)
    fig.alt_text = _chart_alt(h, ind_id, title, unit, dec, status, styles, target, edge, has_bands, milestone)
    return fig


def _milestone_axis(ax: Any, h: pd.DataFrame) -> np.ndarray:
    """A milestone's y axis: its delivery states, worst at the bottom; returns each month's level."""
    levels = {s: i for i, s in enumerate(MILESTONE_ORDER)}
    y = np.array([levels.get(s, np.nan) for s in h["milestone_status"].astype(object)], dtype=float)
    ax.set_yticks(range(len(MILESTONE_ORDER)))
    ax.set_yticklabels([MILESTONE_LABELS[s] for s in MILESTONE_ORDER])
    ax.set_ylim(-0.5, len(MILESTONE_ORDER) - 0.5)
    return y


def _value_axis(
    ax: Any,
    h: pd.DataFrame,
    unit: str | None,
    dec: int,
    styles: Mapping[str, StatusStyle],
    scheme: StatusScheme | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, list[Any]]:
    """A measure's value axis, and its status bands where there is something to rate.

    Returns the figures, targets, amber edges, whether bands were drawn, and the bands' legend handles.
    """
    y = h["value"].to_numpy(dtype=float)
    target, edge = _bounds(h, scheme)
    has_bands = str(h["polarity"].iloc[0]) in ("higher", "lower") and not np.all(np.isnan(target))
    lo, hi = value_range(np.concatenate([y, target, edge if has_bands else []]), unit)
    use_value_axis(ax, lo, hi, unit, dec)
    legend: list[Any] = []
    if has_bands:
        x = h["period"].to_numpy(dtype=np.int64)
        legend += _draw_bands(ax, x, target, edge, str(h["polarity"].iloc[0]), lo, hi, styles, scheme)
    return y, target, edge, has_bands, legend


def _draw_target(
    ax: Any, x: np.ndarray, target: np.ndarray, runs: list[np.ndarray], label: str | None, rated: bool
) -> list[Any]:
    """The target as a stepped dashed line (profiled or changed targets show as steps); its legend handle,
    named with the target's figure (``label``, from :func:`goldenthread.documents.charts.target_label`), as in
    the report's charts, so the line is explained in words and not by its dashes alone."""
    if label is None:
        return []
    lines = draw_runs(
        ax,
        x,
        target,
        runs,
        label=label if rated else f"{label} (not rated)",
        gid="target",
        lone_marker="_",
        color=TARGET,
        linestyle="--",
        linewidth=1.3,
        zorder=3,
        drawstyle="steps-mid",
    )
    return [lines[0]]


def _draw_statuses(
    ax: Any, x: np.ndarray, y: np.ndarray, status: np.ndarray, styles: Mapping[str, StatusStyle]
) -> list[Any]:
    """A marker per period in its status's colour and shape (never colour alone); a legend handle per status shown."""
    handles = []
    for key in STATUS_KEYS:
        at = (status == key) & ~np.isnan(y)
        if not at.any():
            continue
        style = styles[key]
        pts = ax.scatter(
            x[at],
            y[at],
            s=70 if key == "blue" else 38,
            marker=STATUS_MARKERS[key],
            color=style.colour,
            edgecolor="white",
            linewidth=0.7,
            zorder=5,
            label=f"{style.label} ({int(at.sum())})",
            gid=f"status-{key}",
        )
        handles.append(pts)
    return handles


def _label_latest(ax: Any, x: np.ndarray, y: np.ndarray, unit: str | None, dec: int) -> None:
    """The latest figure written beside its marker, so the chart answers "where are we now?"."""
    seen = np.flatnonzero(~np.isnan(y))
    if not len(seen):
        return
    i = seen[-1]
    ax.annotate(
        format_value(y[i], unit, dec),
        (x[i], y[i]),
        xytext=(-7, 7),
        textcoords="offset points",
        ha="right",
        fontsize=9,
        fontweight="bold",
        color=LINE,
        zorder=6,
    )


def _time_axis(ax: Any, x: np.ndarray, step: int, fy_start_month: int) -> None:
    """Quarter starts (Jan, Apr, Jul, Oct) up to four years; beyond that, halves or financial years."""
    ticks = month_ticks(int(x.min()), int(x.max()), 17, fy_start_month) or list(x)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{MONTH_NAMES[p % 12][:3]}\n{p // 12}" for p in ticks])
    ax.set_xlim(x.min() - step * 0.6, x.max() + step * 0.6)


def _frame(fig: Any, ax: Any, heading: str, legend: list[Any], milestone: bool) -> None:
    """No top or right frame, the indicator as the title (two lines at most), the legend to the right."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title("\n".join(textwrap.wrap(heading, 100, max_lines=2, placeholder=" …")), loc="left", fontsize=10)
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    fig.subplots_adjust(left=0.12 if milestone else 0.09, right=0.75, top=0.9, bottom=0.16)


def _no_figures_chart(ind_id: str, title: str, width: float, height: float) -> HistoryFigure:
    """A known indicator with nothing reported yet: say so rather than fail or draw empty axes."""
    fig = new_figure(HistoryFigure, width, height / 3, 110)
    fig.text(0.01, 0.5, _short(f"{ind_id}: {title}") + "\nNo figures reported yet.", va="center", fontsize=10)
    fig.alt_text = f"No chart for {ind_id}, {title}: no figures have been reported yet."
    return fig


def _draw_bands(
    ax: Any,
    x: np.ndarray,
    target: np.ndarray,
    edge: np.ndarray,
    polarity: str,
    lo: float,
    hi: float,
    styles: Mapping[str, StatusStyle],
    scheme: StatusScheme | None,
) -> list[Patch]:
    """Shade on / near / off target regions per period; returns legend handles for them."""
    lower = polarity == "lower"
    good_end = np.full(len(x), lo if lower else hi)
    bad_end = np.full(len(x), hi if lower else lo)
    # an amber edge on the better side of the target would give no amber zone, as in status.py
    edge = np.maximum(edge, target) if lower else np.minimum(edge, target)
    bands = [("green", target, good_end), ("amber", edge, target), ("red", bad_end, edge)]
    margin = scheme.exceeding_margin if scheme is not None else None
    if margin is not None:
        better = exceeding_edge(target, np.full(len(x), lower), margin)
        bands = [("blue", better, good_end), ("green", target, better)] + bands[1:]
    handles = []
    where = ~np.isnan(target)
    for key, a, b in bands:
        a = np.clip(a, lo, hi)
        b = np.clip(b, lo, hi)
        ax.fill_between(
            x,
            a,
            b,
            where=where,
            step="mid",
            color=styles[key].colour,
            alpha=BAND_ALPHA,
            linewidth=0,
            zorder=1,
            gid=f"band-{key}",
            interpolate=False,
        )
        handles.append(Patch(facecolor=styles[key].colour, alpha=BAND_ALPHA * 2.5, label=f"{styles[key].label} zone"))
    return handles


def _short(text: str, limit: int = 95) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chart_alt(
    h: pd.DataFrame,
    ind_id: str,
    title: str,
    unit: str | None,
    dec: int,
    status: np.ndarray,
    styles: Mapping[str, StatusStyle],
    target: np.ndarray,
    edge: np.ndarray,
    has_bands: bool,
    milestone: bool,
) -> str:
    """Alt text that carries the chart's message: range, latest against target, status counts."""
    first, last = int(h["period"].iloc[0]), int(h["period"].iloc[-1])
    counts = pd.Series(status).value_counts()
    tally = ", ".join(f"{int(counts[k])} {styles[k].label.lower()}" for k in styles if counts.get(k, 0))
    if milestone:
        states = h["milestone_status"].astype(object)
        text = (
            f"Chart of milestone {ind_id}, {title}, {format_period_name(first)} to {format_period_name(last)}: "
            f"delivery state now {MILESTONE_LABELS.get(states.iloc[-1], 'not reported').lower()}"
        )
    else:
        values = h["value"].to_numpy(dtype=float)
        seen = np.flatnonzero(~np.isnan(values))
        text = f"Line chart of {ind_id}, {title}, {format_period_name(first)} to {format_period_name(last)}"
        if len(seen):
            i, j = seen[0], seen[-1]
            text += f": from {format_value(values[i], unit, dec)} to {format_value(values[j], unit, dec)}"
            if not np.isnan(target[j]):
                text += f" against a target of {format_target(target[j], unit, dec)}"
        if has_bands and not np.isnan(target[-1]):
            side = "below" if str(h["polarity"].iloc[0]) == "lower" else "above"
            text += (
                f"; shaded bands show on target ({side} the target), near target (to "
                f"{format_target(edge[-1], unit, dec)}) and off target beyond"
            )
    return text + (f". Status by period: {tally}." if tally else ".")
