"""The analyst's indicator explorer: pick indicators, see their whole history, status and findings.

The Corporate Performance Report shows each indicator as at one month. Before signing a report
off, an analyst wants the story behind that single row: every month's figure against its target,
which status each month earned and why, whether the figure is moving the right way, and which
findings (runs, records, missed targets) made it an area of success or concern. These functions
work on the frames a :class:`goldenthread.report.Report` already holds (``history``, ``card``,
the candidate areas), so the explorer cannot disagree with the report it explains.

Everything here is a plain function over DataFrames, testable without a kernel.
``notebooks/indicator_explorer.ipynb`` only calls them. The interactive parts degrade gracefully:
:func:`interactive_table` falls back to the DataFrame without itables, and :func:`picker`
returns ``None`` without ipywidgets. Neither needs the network or a live front end, so the
notebook still runs headless under Papermill and nbval.
"""
from __future__ import annotations

import difflib
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from goldenthread.areas import FAMILY
from goldenthread.charts import (LINE, TARGET, ChartFigure, draw_runs, line_runs, month_ticks, new_figure,
                                 use_value_axis, value_range)
from goldenthread.config import DEFAULT_STATUSES, StatusScheme, StatusStyle
from goldenthread.direction_of_travel import FREQUENCY_STEP
from goldenthread.findings import find
from goldenthread.formatting import (DIRECTION_LABELS, MILESTONE_LABELS, format_period_name, format_target,
                                     format_value)
from goldenthread.periods import MONTH_NAMES, quarter_label
from goldenthread.wording import draft

if TYPE_CHECKING:  # the report module imports the whole rendering stack; only its type is needed here
    from goldenthread.report import Report

__all__ = ["select_indicators", "indicator_table", "status_history", "history_chart", "HistoryFigure",
           "findings_for", "interactive_table", "OfflineTable", "picker"]

#: Marker per status, so a chart never relies on colour alone (WCAG 1.4.1).
STATUS_MARKERS = {"blue": "*", "green": "o", "amber": "D", "red": "X", "data_only": "s", "not_available": "."}
#: Milestone delivery states from worst to best, for the milestone chart's y axis.
MILESTONE_ORDER = ("not_started", "off_track", "at_risk", "on_track", "complete")
BAND_ALPHA = 0.13  # light enough that the markers (in the same colours) stay readable on top


# --- choosing indicators ----------------------------------------------------------------------

def _match(card: pd.DataFrame, column: str, parameter: str, wanted: str) -> pd.Series:
    """Rows of ``card`` whose ``column`` equals ``wanted`` (ignoring case and spaces), or a clear error.

    The value usually comes from a notebook's parameters cell, typed by hand; the error names
    the parameter, the value and what would have been accepted, so the fix is obvious.
    """
    allowed = [str(v) for v in pd.unique(card[column].dropna())]
    key = str(wanted).strip().casefold()
    hit = card[column].astype(str).str.strip().str.casefold() == key
    if not hit.any():
        close = difflib.get_close_matches(str(wanted).strip(), allowed, n=3, cutoff=0.5) or \
            [a for a in allowed if key in a.casefold()][:3]
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"{parameter} = {wanted!r} is not in the data.{hint} "
                         f"Allowed values of {parameter}: {', '.join(allowed)}.")
    return hit


def select_indicators(card: pd.DataFrame, outcome: str | None = None, directorate: str | None = None,
                      indicator: str | None = None) -> pd.DataFrame:
    """The scorecard rows that match every filter given (``None`` means any).

    Matching ignores case and surrounding spaces, because these values are typed into a
    parameters cell. An unknown value raises ``ValueError`` naming the parameter, the value,
    a "Did you mean" suggestion and the allowed values; a combination that matches nothing
    (an indicator outside the chosen outcome) raises too, since an empty explorer explains nothing.
    Restricted indicators are only in the card of an ``audience="internal"`` report.
    """
    keep = pd.Series(True, index=card.index)
    given = {}
    for parameter, column, wanted in (("outcome", "outcome", outcome), ("directorate", "directorate", directorate),
                                      ("indicator", "id", indicator)):
        if wanted is None or (isinstance(wanted, str) and not wanted.strip()):
            continue
        keep &= _match(card, column, parameter, wanted)
        given[parameter] = wanted
    selected = card[keep]
    if selected.empty:
        filters = ", ".join(f"{k} = {v!r}" for k, v in given.items())
        where = ""
        if indicator is not None:
            row = card[_match(card, "id", "indicator", indicator)].iloc[0]
            where = f" {row['id']} is in outcome {row['outcome']!r}, directorate {row['directorate']!r}."
        raise ValueError(f"No indicator matches all of {filters}.{where} Set the others to None to widen the choice.")
    return selected


def _styles(scheme: StatusScheme | None) -> dict[str, StatusStyle]:
    return dict(scheme.statuses) if scheme is not None else dict(DEFAULT_STATUSES)


def _status_text(key: Any, styles: Mapping[str, StatusStyle], overridden: bool = False) -> str:
    """"✓ On target": a word and a symbol, never a colour alone."""
    style = styles.get(str(key), styles["not_available"])
    return f"{style.symbol} {style.label}" + (" (overridden)" if overridden else "")


def _direction_text(key: Any) -> str:
    symbol, label = DIRECTION_LABELS.get(str(key), DIRECTION_LABELS["not_comparable"])
    return f"{symbol} {label}"


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def indicator_table(card: pd.DataFrame, scheme: StatusScheme | None = None) -> pd.DataFrame:
    """The indicator set as a readable table for sorting and filtering: one row per indicator.

    Unlike :meth:`Report.scorecard_table` (raw numbers for checking), figures are shown as the
    report prints them, and status and direction are words with symbols, so filtering on
    "Off target" or "Worsening" in the table's search box works.
    """
    styles = _styles(scheme)
    rows = []
    for r in card.itertuples(index=False):
        milestone = r.kind == "milestone"
        dec = 0 if _missing(r.decimals) else int(r.decimals)
        target = r.target if _missing(r.period_target) else r.period_target
        rows.append({
            "id": r.id, "title": r.title, "outcome": r.outcome, "directorate": r.directorate, "owner": r.owner,
            "kind": "Milestone" if milestone else "Measure", "frequency": str(r.frequency).capitalize(),
            "polarity": {"higher": "Higher is better", "lower": "Lower is better"}.get(r.polarity, ""),
            "new": "New" if bool(r.is_new) else "",
            "as at": format_period_name(r.as_at) if not _missing(r.as_at) else "No data yet",
            "latest": (MILESTONE_LABELS.get(r.milestone_status, "–") if milestone
                       else format_value(r.value, r.unit, dec)),
            "target": "" if milestone else (format_target(target, r.unit, dec) if not _missing(target)
                                            else "No target"),
            "status": _status_text(r.status, styles, bool(r.overridden)),
            "vs previous": _direction_text(r.dot_previous), "vs last year": _direction_text(r.dot_year),
            "highlight": "" if _missing(r.highlight) else str(r.highlight),
            "classification": r.classification,
        })
    return pd.DataFrame(rows)


# --- one indicator over time ------------------------------------------------------------------

#: An indicator as an id ("ASC-01") or as its scorecard row (``report.card`` row, or a dict with ``id``).
IndicatorRef = str | Mapping[str, Any] | pd.Series

STATUS_HISTORY_COLUMNS = ["month", "quarter", "value", "target", "status", "vs previous period",
                          "vs same month last year", "note"]


def _info(indicator: IndicatorRef) -> Mapping[str, Any]:
    """An indicator given as an id, or as a scorecard row (a Series or a dict with ``id``)."""
    return {"id": indicator} if isinstance(indicator, str) else indicator


def _one(history: pd.DataFrame, indicator: IndicatorRef) -> pd.DataFrame:
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
        raise ValueError(f"indicator = {indicator!r} has no history.{hint} Indicators with history: "
                         f"{', '.join(known)}.")
    return h


def status_history(history: pd.DataFrame, indicator: IndicatorRef, *, unit: str | None = None,
                   scheme: StatusScheme | None = None, fy_start_month: int = 4,
                   newest_first: bool = True) -> pd.DataFrame:
    """Every reported period of one indicator: figure, target, status and direction, as words.

    ``history`` is :attr:`Report.history` (observations up to the report month). ``indicator``
    is an id or a scorecard row; the row also gives the unit, which the history does not carry
    (or pass ``unit``). ``scheme`` gives the council's own status labels. Newest first, because
    the question is usually "since when?". The quarter column uses the report's own labels
    ("Q1+1 2019/20"), so a month can be matched with the report that quoted it. A known
    indicator with no figures yet gives an empty table.
    """
    h = _one(history, indicator)
    info = _info(indicator)
    if unit is None and not _missing(info.get("unit")):
        unit = str(info["unit"])
    styles = _styles(scheme)
    rows = []
    for r in h.itertuples(index=False):
        milestone = r.kind == "milestone"
        dec = 0 if _missing(r.decimals) else int(r.decimals)
        rows.append({
            "month": f"{MONTH_NAMES[r.period % 12][:3]} {r.period // 12}",
            "quarter": quarter_label(int(r.period), fy_start_month),
            "value": (MILESTONE_LABELS.get(r.milestone_status, "–") if milestone
                      else format_value(r.value, unit, dec)),
            "target": "" if milestone else format_target(r.target, unit, dec),
            "status": _status_text(r.status, styles, bool(r.overridden)),
            "vs previous period": _direction_text(r.dot_previous),
            "vs same month last year": _direction_text(r.dot_year),
            "note": "" if _missing(r.note) else str(r.note),
            "period": int(r.period),
        })
    table = pd.DataFrame(rows, columns=[*STATUS_HISTORY_COLUMNS, "period"])
    if newest_first:
        table = table.iloc[::-1]
    return table.set_index("period").rename_axis(None)


class HistoryFigure(ChartFigure):
    """The explorer's chart: a :class:`goldenthread.charts.ChartFigure` (a matplotlib Figure on its
    own Agg canvas that carries its alt text and shows itself with it in a notebook)."""


def _bounds(h: pd.DataFrame, scheme: StatusScheme | None) -> tuple[np.ndarray, np.ndarray]:
    """Per period: the target and the edge of amber (the floor / ceiling beyond which it is red).

    The same rules as status.py: an absolute ``amber_threshold`` if one is set for the period,
    otherwise ``tolerance`` x |target| from the target (indicator's tolerance, else the scheme's).
    """
    target = h["target"].to_numpy(dtype=float)
    lower = h["polarity"].astype(str).to_numpy() == "lower"
    default_tol = scheme.tolerance if scheme is not None else StatusScheme().tolerance
    tol = h["tolerance"].to_numpy(dtype=float)
    tol = np.where(np.isnan(tol), default_tol, tol)
    sign = np.where(lower, -1.0, 1.0)
    edge = np.where(np.isnan(h["amber_threshold"].to_numpy(dtype=float)), target - sign * tol * np.abs(target),
                    h["amber_threshold"].to_numpy(dtype=float))
    return target, edge


def history_chart(history: pd.DataFrame, indicator: IndicatorRef, *, title: str | None = None,
                  unit: str | None = None, scheme: StatusScheme | None = None, fy_start_month: int = 4,
                  width: float = 9.0, height: float = 4.0) -> HistoryFigure:
    """The whole history of one indicator: figure, target, status bands and status per period.

    ``indicator`` is an id or a scorecard row (``report.card`` row: its ``id``, ``title`` and
    ``unit`` are used). Shown:

    * the figure, with a marker per period in the status colour and a distinct shape per status,
      so status never depends on colour alone; the line breaks where periods are missing and,
      for a year-to-date measure, at the financial-year end (:func:`goldenthread.charts.line_runs`);
    * the target as a stepped dashed line (profiled or changed targets show as steps), broken
      where the figure's line is;
    * a value axis whose labels state their gridlines exactly (:func:`goldenthread.charts.value_axis`);
    * shaded bands where a figure would be on, near or off target (and exceeding, if the scheme
      rates it), following polarity and the same amber rule as :mod:`goldenthread.status`, so
      the analyst sees how close each month was to changing status. No bands where there is
      nothing to rate: polarity ``none``, no target, or a milestone;
    * milestones as their delivery state per month (complete ... not started) on the y axis.

    Returns a :class:`HistoryFigure` (a matplotlib Figure with ``alt_text``). No pyplot, no
    network, so it works headless.
    """
    info = _info(indicator)
    ind_id = str(info["id"])
    title = title or str(info.get("title") or ind_id)
    if unit is None and not _missing(info.get("unit")):
        unit = str(info["unit"])
    h = _one(history, indicator)
    if h.empty:
        return _no_figures_chart(ind_id, title, width, height)
    styles = _styles(scheme)
    x = h["period"].to_numpy(dtype=np.int64)
    status = h["status"].astype(str).to_numpy()
    kind = str(h["kind"].iloc[0])
    polarity = str(h["polarity"].iloc[0])
    dec = 0 if _missing(h["decimals"].iloc[0]) else int(h["decimals"].iloc[0])
    step = FREQUENCY_STEP.get(str(h["frequency"].iloc[0]), 1)
    milestone = kind == "milestone"

    with sns.axes_style("whitegrid"), matplotlib.rc_context({"font.size": 9, "svg.hashsalt": "goldenthread"}):
        fig = new_figure(HistoryFigure, width, height, 110)
        ax = fig.add_subplot()
        legend: list[Any] = []
        if milestone:
            levels = {s: i for i, s in enumerate(MILESTONE_ORDER)}
            y = np.array([levels.get(s, np.nan) for s in h["milestone_status"].astype(object)], dtype=float)
            ax.set_yticks(range(len(MILESTONE_ORDER)))
            ax.set_yticklabels([MILESTONE_LABELS[s] for s in MILESTONE_ORDER])
            ax.set_ylim(-0.5, len(MILESTONE_ORDER) - 0.5)
            target = edge = np.full(len(h), np.nan)
            has_bands = False
        else:
            y = h["value"].to_numpy(dtype=float)
            target, edge = _bounds(h, scheme)
            has_bands = polarity in ("higher", "lower") and not np.all(np.isnan(target))
            lo, hi = value_range(np.concatenate([y, target, edge if has_bands else []]), unit)
            use_value_axis(ax, lo, hi, unit, dec)
            if has_bands:
                legend += _draw_bands(ax, x, target, edge, polarity, lo, hi, styles, scheme)

        # one run per stretch of consecutive periods; a year-to-date measure also starts again each year
        runs = line_runs(x, str(h["frequency"].iloc[0]), str(h["aggregation"].iloc[0]) == "cumulative",
                         fy_start_month)
        if not np.all(np.isnan(target)):
            label = "Target" if has_bands else "Target (not rated)"
            legend.append(draw_runs(ax, x, target, runs, label=label, gid="target", lone_marker="_", color=TARGET,
                                    linestyle="--", linewidth=1.3, zorder=3, drawstyle="steps-mid")[0])
        draw_runs(ax, x, y, runs, gid="value-line", color=LINE, linewidth=1.6, zorder=4,
                  drawstyle="steps-mid" if milestone else "default")
        for key in ("blue", "green", "amber", "red", "data_only", "not_available"):
            at = (status == key) & ~np.isnan(y)
            if not at.any():
                continue
            style = styles[key]
            pts = ax.scatter(x[at], y[at], s=70 if key == "blue" else 38, marker=STATUS_MARKERS[key],
                             color=style.colour, edgecolor="white", linewidth=0.7, zorder=5,
                             label=f"{style.label} ({int(at.sum())})", gid=f"status-{key}")
            legend.append(pts)

        last = np.flatnonzero(~np.isnan(y))
        if len(last) and not milestone:
            i = last[-1]
            ax.annotate(format_value(y[i], unit, dec), (x[i], y[i]), xytext=(-7, 7), textcoords="offset points",
                        ha="right", fontsize=9, fontweight="bold", color=LINE, zorder=6)
        # quarter starts (Jan, Apr, Jul, Oct) up to four years; beyond that, halves or financial years
        ticks = month_ticks(int(x.min()), int(x.max()), 17, fy_start_month) or list(x)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{MONTH_NAMES[p % 12][:3]}\n{p // 12}" for p in ticks])
        ax.set_xlim(x.min() - step * 0.6, x.max() + step * 0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title("\n".join(textwrap.wrap(f"{ind_id}: {title}", 100, max_lines=2, placeholder=" …")),
                     loc="left", fontsize=10)
        ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        fig.subplots_adjust(left=0.12 if milestone else 0.09, right=0.75, top=0.9, bottom=0.16)
    fig.alt_text = _chart_alt(h, ind_id, title, unit, dec, status, styles, target, edge, has_bands, milestone)
    return fig


def _no_figures_chart(ind_id: str, title: str, width: float, height: float) -> HistoryFigure:
    """A known indicator with nothing reported yet: say so rather than fail or draw empty axes."""
    fig = new_figure(HistoryFigure, width, height / 3, 110)
    fig.text(0.01, 0.5, _short(f"{ind_id}: {title}") + "\nNo figures reported yet.", va="center", fontsize=10)
    fig.alt_text = f"No chart for {ind_id}, {title}: no figures have been reported yet."
    return fig


def _draw_bands(ax: Any, x: np.ndarray, target: np.ndarray, edge: np.ndarray, polarity: str, lo: float,
                hi: float, styles: Mapping[str, StatusStyle], scheme: StatusScheme | None) -> list[Patch]:
    """Shade on / near / off target regions per period; returns legend handles for them."""
    lower = polarity == "lower"
    good_end = np.full(len(x), lo if lower else hi)
    bad_end = np.full(len(x), hi if lower else lo)
    # an amber edge on the better side of the target would give no amber zone, as in status.py
    edge = np.maximum(edge, target) if lower else np.minimum(edge, target)
    bands = [("green", target, good_end), ("amber", edge, target), ("red", bad_end, edge)]
    margin = scheme.exceeding_margin if scheme is not None else None
    if margin is not None:
        better = target - margin * np.abs(target) if lower else target + margin * np.abs(target)
        bands = [("blue", better, good_end), ("green", target, better)] + bands[1:]
    handles = []
    where = ~np.isnan(target)
    for key, a, b in bands:
        a = np.clip(a, lo, hi)
        b = np.clip(b, lo, hi)
        ax.fill_between(x, a, b, where=where, step="mid", color=styles[key].colour, alpha=BAND_ALPHA,
                        linewidth=0, zorder=1, gid=f"band-{key}", interpolate=False)
        handles.append(Patch(facecolor=styles[key].colour, alpha=BAND_ALPHA * 2.5, label=f"{styles[key].label} zone"))
    return handles


def _short(text: str, limit: int = 95) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chart_alt(h: pd.DataFrame, ind_id: str, title: str, unit: str | None, dec: int, status: np.ndarray,
               styles: Mapping[str, StatusStyle], target: np.ndarray, edge: np.ndarray, has_bands: bool,
               milestone: bool) -> str:
    """Alt text that carries the chart's message: range, latest against target, status counts."""
    first, last = int(h["period"].iloc[0]), int(h["period"].iloc[-1])
    counts = pd.Series(status).value_counts()
    tally = ", ".join(f"{int(counts[k])} {styles[k].label.lower()}" for k in styles if counts.get(k, 0))
    if milestone:
        states = h["milestone_status"].astype(object)
        text = (f"Chart of milestone {ind_id}, {title}, {format_period_name(first)} to {format_period_name(last)}: "
                f"delivery state now {MILESTONE_LABELS.get(states.iloc[-1], 'not reported').lower()}")
    else:
        values = h["value"].to_numpy(dtype=float)
        seen = np.flatnonzero(~np.isnan(values))
        text = f"Line chart of {ind_id}, {title}, {format_period_name(first)} to {format_period_name(last)}"
        if len(seen):
            i, j = seen[0], seen[-1]
            text += (f": from {format_value(values[i], unit, dec)} to {format_value(values[j], unit, dec)}")
            if not np.isnan(target[j]):
                text += f" against a target of {format_target(target[j], unit, dec)}"
        if has_bands and not np.isnan(target[-1]):
            side = "below" if str(h["polarity"].iloc[0]) == "lower" else "above"
            text += (f"; shaded bands show on target ({side} the target), near target (to "
                     f"{format_target(edge[-1], unit, dec)}) and off target beyond")
    return text + (f". Status by period: {tally}." if tally else ".")


# --- findings behind areas of success and concern --------------------------------------------

FINDING_COLUMNS = ["indicator", "title", "direction", "kind", "score", "role", "source", "in_report", "draft",
                   "report_text"]


def findings_for(report: Report, indicator: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Every finding behind the candidate areas of success and concern, one row per finding.

    :meth:`Report.area_candidates` keeps one candidate per indicator (its strongest finding,
    plus one supporting sentence); an analyst checking a draft also wants the findings that
    lost, to see why an indicator was or was not picked. Columns:

    * ``kind``, ``direction``, ``score`` and ``draft`` (the drafted sentence) of the finding;
    * ``role``: ``lead`` (the candidate's finding), ``supporting`` (its second sentence),
      ``other`` (found but not used) or ``chosen`` (picked by the leadership team with no
      finding in the data, e.g. a milestone story told in commentary);
    * ``source``: the candidate's fate in the selection (chosen, drafted, over cap, below threshold,
      excluded) and ``in_report``: the finding backs an area that is in the report;
    * ``report_text``: what the report says for that area (on the lead or chosen row).

    ``indicator`` narrows to one id or a list of ids; an unknown id raises ``ValueError``.
    """
    card, history, period = report.card, report.history, report.period
    styles = report.dataset.organisation.status_scheme.statuses
    labels = {k: v.label for k, v in styles.items()}
    wanted: list[str] | None = None
    if indicator is not None:
        ids = [indicator] if isinstance(indicator, str) else list(indicator)
        wanted = [str(select_indicators(card, indicator=i)["id"].iloc[0]) for i in ids]

    fy_start = report.dataset.organisation.financial_year_start_month
    found = find(history, card.set_index("id")["as_at"], fy_start)
    candidates = report.area_candidates().set_index("indicator")
    info = card.set_index("id")
    rows: list[dict[str, Any]] = []
    for ind_id, group in found.groupby("indicator", sort=False):
        lead = group.iloc[0]  # find() sorts strongest first, as areas.drafted relies on
        family = group["kind"].map(FAMILY)
        support = group[(group["direction"] == lead["direction"]) & (family != FAMILY[lead["kind"]])]
        support_kind = support["kind"].iloc[0] if len(support) else None
        cand = candidates.loc[ind_id] if ind_id in candidates.index else None
        i = info.loc[ind_id]
        for f in group.itertuples(index=False):
            role = "lead" if f.kind == lead["kind"] else "supporting" if f.kind == support_kind else "other"
            backs = cand is not None and role != "other" and cand["kind"] == lead["kind"] and \
                cand["direction"] == f.direction
            rows.append({"indicator": ind_id, "title": i["title"], "direction": f.direction, "kind": f.kind,
                         "score": round(float(f.score), 1), "role": role,
                         "source": cand["source"] if cand is not None else "",
                         "in_report": bool(backs and cand["in_report"]),
                         "draft": draft(f, i["unit"], int(i["decimals"]), i["frequency"], period, labels,
                                        fy_start_month=fy_start),
                         "report_text": (cand["text"] or "") if cand is not None and role == "lead" else ""})
    for ind_id, cand in candidates.iterrows():  # the leadership team's picks with no finding behind them
        if ind_id not in set(found["indicator"]):
            rows.append({"indicator": ind_id, "title": cand["title"], "direction": cand["direction"], "kind": "",
                         "score": float(cand["score"]), "role": "chosen", "source": cand["source"],
                         "in_report": bool(cand["in_report"]), "draft": "", "report_text": cand["text"] or ""})
    table = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    if wanted is not None:
        table = table[table["indicator"].isin(wanted)]
    rank = {k: r for k, r in zip(candidates.index, candidates["rank"])}
    role_order = {"lead": 0, "chosen": 0, "supporting": 1, "other": 2}
    table = table.assign(_rank=table["indicator"].map(rank).fillna(len(rank) + 1),
                         _role=table["role"].map(role_order))
    table = table.sort_values(["_rank", "_role", "score"], ascending=[True, True, False], kind="stable")
    return table.drop(columns=["_rank", "_role"]).reset_index(drop=True)


# --- interactive views -------------------------------------------------------------------------

@dataclass(frozen=True)
class OfflineTable:
    """An itables DataTable as self-contained HTML: the DataTables library is embedded, not fetched.

    Reports and explorers are opened on council laptops that may block CDNs, and an analyst's
    notebook should not send requests when it is opened; so nothing is loaded from the network.
    """

    html: str
    frame: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return repr(self.frame)


def interactive_table(df: pd.DataFrame, *, caption: str | None = None, page_length: int = 25,
                      include_library: bool = True) -> OfflineTable | pd.DataFrame:
    """``df`` as a sortable, searchable table with a filter box per column, rendered offline.

    The DataTables bundle shipped inside itables is embedded (base64) in the output, as
    ``itables.init_notebook_mode(connected=False)`` does, but in the same output as the table,
    so the table works even if another cell's output is cleared (the bundle loads once per page;
    pass ``include_library=False`` for further tables when size matters). It also carries a
    static HTML preview, so the table still reads where scripts do not run (GitHub, nbviewer).
    Without itables installed this returns ``df`` itself: a plain table is still a table.
    """
    try:
        from itables import options as itables_options
        from itables import to_html_datatable
        from itables.javascript import generate_init_offline_itables_html
    except ImportError:
        return df
    table = to_html_datatable(df.reset_index(drop=True), caption=caption, connected=False,
                              display_logo_when_loading=False, column_filters="footer",
                              pageLength=page_length, showIndex=False, classes="display compact")
    library = generate_init_offline_itables_html(itables_options.dt_bundle) if include_library else ""
    return OfflineTable(library + table, df)


def picker(card: pd.DataFrame, on_change: Callable[[str | None, str | None, str | None], Any] | None = None,
           outcome: str | None = None, directorate: str | None = None, indicator: str | None = None) -> Any:
    """Dropdowns for outcome, directorate and indicator, for exploring in JupyterLab.

    Choosing a value calls ``on_change(outcome, directorate, indicator)`` and shows what it
    displays below the dropdowns; the indicator list narrows to the chosen outcome and
    directorate. Nothing runs until a dropdown changes, so a headless run (Papermill, nbval)
    just records the widget and the parameters cell still decides what the notebook shows.
    Returns ``None`` when ipywidgets is not installed.
    """
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        return None

    def options(column: str) -> list[tuple[str, str | None]]:
        return [("Any", None)] + [(str(v), str(v)) for v in pd.unique(card[column].dropna())]

    def indicator_options(o: str | None, d: str | None) -> list[tuple[str, str | None]]:
        keep = pd.Series(True, index=card.index)
        if o:
            keep &= card["outcome"] == o
        if d:
            keep &= card["directorate"] == d
        rows = card[keep]
        return [("First in selection", None)] + [(_short(f"{r.id}: {r.title}", 80), r.id)
                                                 for r in rows.itertuples(index=False)]

    layout = {"description_width": "90px"}
    out_d = widgets.Dropdown(options=options("outcome"), value=outcome, description="Outcome", style=layout)
    dir_d = widgets.Dropdown(options=options("directorate"), value=directorate, description="Directorate",
                             style=layout)
    ind_opts = indicator_options(outcome, directorate)
    ind_d = widgets.Dropdown(options=ind_opts, value=indicator if indicator in [v for _, v in ind_opts] else None,
                             description="Indicator", style=layout, layout=widgets.Layout(width="95%"))
    output = widgets.Output()

    def changed(change: dict[str, Any]) -> None:
        if change.get("owner") in (out_d, dir_d):
            keep = ind_d.value
            opts = indicator_options(out_d.value, dir_d.value)
            ind_d.options = opts
            ind_d.value = keep if keep in [v for _, v in opts] else None
        if on_change is not None:
            with output:
                output.clear_output(wait=True)
                try:
                    result = on_change(out_d.value, dir_d.value, ind_d.value)
                    if result is not None:
                        display(result)
                except ValueError as err:
                    print(err)

    for d in (out_d, dir_d, ind_d):
        d.observe(changed, names="value")
    return widgets.VBox([widgets.HBox([out_d, dir_d]), ind_d, output])
