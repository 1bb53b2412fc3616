"""One indicator's SPC chart and its points, and how it compares with its comparator groups.

The report's appendix shows the latest reading (a variation and an assurance icon, one XmR or strip
chart); an analyst checking it wants every point behind it: which rule made a point special cause, where
the limits were in each phase, and every area's figure in the group. These views take the frames the
:class:`goldenthread.documents.report.Report` already holds (:attr:`~Report.variation`,
:attr:`~Report.comparison`) and draw with the report's own chart code, so they cannot disagree with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from goldenthread.documents.charts import ChartFigure, benchmark_figure, spc_figure
from goldenthread.documents.rows import decimals_of
from goldenthread.explorer.tables import select_indicators
from goldenthread.inputs.periods import parse_period
from goldenthread.measures.benchmarking import rank_with_ties
from goldenthread.measures.comparison import group_figures
from goldenthread.measures.formatting import format_period_name, format_value, is_missing
from goldenthread.measures.spc import RULES, icon_texts

if TYPE_CHECKING:
    from goldenthread.documents.report import Report

#: The special-cause rules in words, as the points table names them.
RULE_WORDS = {
    "outside_limits": "outside the limits",
    "trend": "trend of 7 rising or falling",
    "two_of_three": "2 of 3 close to a limit",
    "run": "run of 7 on one side of the mean",
}
#: A point's variation in words.
VARIATION_WORDS = {
    "common_cause": "common cause",
    "improvement": "special cause: improvement",
    "concern": "special cause: concern",
    "neutral": "special cause: neutral",
}
SPC_POINT_COLUMNS = [
    "month",
    "phase",
    "value",
    "mean",
    "lower limit",
    "upper limit",
    "rules met",
    "decided by",
    "variation",
]
BENCHMARK_COLUMNS = ["rank", "area", "value", "us"]


def _row(report: Report, indicator: str) -> pd.Series:
    """The indicator's scorecard row (an unknown id raises ``ValueError`` with suggestions)."""
    return select_indicators(report.card, indicator=indicator).iloc[0]


def spc_points(report: Report, indicator: str, newest_first: bool = True) -> pd.DataFrame:
    """Every point of the indicator's XmR chart: its figure, the phase's mean and limits, each rule it meets,
    the rule that decides it and its variation, in words. Empty for a measure SPC does not chart."""
    row = _row(report, indicator)
    unit, dec = row["unit"], decimals_of(row["decimals"])
    p = report.variation.points
    mine = p[p["indicator"].astype(str) == str(row["id"])]

    def fig(v: object) -> str:
        return format_value(None if is_missing(v) else float(v), unit, dec)  # type: ignore[arg-type]

    table = pd.DataFrame(
        {
            "month": [format_period_name(parse_period(str(x))) for x in mine["period"]],
            "phase": mine["phase"].astype(int).to_numpy(),
            "value": [fig(v) for v in mine["value"]],
            "mean": [fig(v) for v in mine["mean"]],
            "lower limit": [fig(v) for v in mine["lower"]],
            "upper limit": [fig(v) for v in mine["upper"]],
            "rules met": [
                ", ".join(RULE_WORDS[r] for r in RULES if bool(getattr(x, r))) for x in mine.itertuples(index=False)
            ],
            "decided by": [RULE_WORDS.get(str(r), "") for r in mine["special_cause"]],
            "variation": [
                "too few points" if is_missing(v) else VARIATION_WORDS.get(str(v), str(v)) for v in mine["variation"]
            ],
        },
        columns=SPC_POINT_COLUMNS,
    )
    return table.iloc[::-1].reset_index(drop=True) if newest_first else table.reset_index(drop=True)


def spc_reading(report: Report, indicator: str) -> str:
    """What the latest point says, in words: the variation and assurance texts, or why there is no chart."""
    row = _row(report, indicator)
    summary = report.variation.summary
    if row["id"] not in summary.index:
        return "No SPC reading: the indicator is not in the report's history."
    s = summary.loc[row["id"]]
    if s["status"] != "ok":
        return str(s["note"])
    variation, assurance = icon_texts(
        s["variation"], str(s["side"] or ""), None if is_missing(s["assurance"]) else s["assurance"]
    )
    return variation + (f". {assurance}." if assurance else ". No assurance: no target, or no better direction.")


def spc_view(report: Report, indicator: str, *, width: float = 9.0, height: float = 4.0) -> ChartFigure | str:
    """The indicator's XmR chart (as the appendix draws it, larger), or the reason there is none."""
    row = _row(report, indicator)
    summary = report.variation.summary
    s = summary.loc[row["id"]] if row["id"] in summary.index else None
    if s is None or s["status"] != "ok":
        return spc_reading(report, indicator)
    v = report.variation
    points = v.points[v.points["indicator"].astype(str) == str(row["id"])]
    phases = v.phases[v.phases["indicator"].astype(str) == str(row["id"])]
    target = s.get("target_used", s["target"])
    fig = spc_figure(
        points,
        phases,
        title=f"{row['id']}: {row['title']}",
        unit=row["unit"],
        decimals=decimals_of(row["decimals"]),
        polarity=str(row["polarity"]),
        target=None if is_missing(target) else float(target),
        fy_start_month=report.fy_start,
        width=width,
        height=height,
    )
    return fig if fig is not None else spc_reading(report, indicator)


def _comparison_row(report: Report, indicator: str, group: str | None) -> pd.Series | None:
    c = report.comparison
    mine = c[c["indicator"] == indicator]
    mine = mine[mine["group"] == group] if group is not None else mine[mine["main"].astype(bool)]
    return None if mine.empty else mine.iloc[0]


def benchmark_figures(report: Report, indicator: str, group: str | None = None) -> pd.DataFrame:
    """Every area's figure in the group (the main comparator group by default) for the indicator's latest
    benchmarked period, best first by polarity, with its competition rank (ties share a rank) and the council
    marked. Empty when the indicator is not benchmarked."""
    row = _row(report, indicator)
    main = _comparison_row(report, str(row["id"]), group)
    if main is None:
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    d = report.dataset
    figs = group_figures(d.benchmarks, d.comparators, str(row["id"]), str(main["period_label"]), str(main["group"]))
    polarity = str(row["polarity"]) if str(row["polarity"]) in ("higher", "lower") else "none"
    ranks, tied = rank_with_ties(figs["value"].to_numpy(dtype=float), polarity)  # ties as typed, as the report
    figs = figs.assign(_rank=ranks).sort_values("_rank", kind="stable").reset_index(drop=True)
    rank = [("joint " if t else "") + str(int(k)) for k, t in sorted(zip(ranks, tied), key=lambda kt: kt[0])]
    unit, dec = row["unit"], decimals_of(row["decimals"])
    return pd.DataFrame(
        {
            "rank": rank,
            "area": figs["area_name"].astype(str),
            "value": [format_value(float(v), unit, dec) for v in figs["value"]],
            "us": ["◀ us" if u else "" for u in figs["is_us"]],
        },
        columns=BENCHMARK_COLUMNS,
    )


def benchmark_view(
    report: Report, indicator: str, group: str | None = None, *, width: float = 9.0, height: float = 3.0
) -> ChartFigure | str:
    """The group's strip chart for the indicator (the appendix's, larger), or why there is none."""
    row = _row(report, indicator)
    main = _comparison_row(report, str(row["id"]), group)
    if main is None:
        return f"{row['id']} has no comparator figures up to {format_period_name(report.period)}."
    if not is_missing(main["reason"]):
        return str(main["reason_text"])
    d = report.dataset
    figs = group_figures(d.benchmarks, d.comparators, str(row["id"]), str(main["period_label"]), str(main["group"]))
    c = report.comparison
    refs = c[(c["indicator"] == row["id"]) & (c["group_kind"] == "reference") & c["reference_value"].notna()]
    reference = (str(refs["group"].iloc[0]), float(refs["reference_value"].iloc[0])) if len(refs) else None
    fig = benchmark_figure(
        figs,
        median=float(main["median"]),
        lower_quartile=float(main["lower_quartile"]),
        upper_quartile=float(main["upper_quartile"]),
        reference=reference,
        title=f"{row['id']}: {row['title']}: {main['group']}, {main['period_label']}",
        unit=row["unit"],
        decimals=decimals_of(row["decimals"]),
        polarity=str(row["polarity"]),
        width=width,
        height=height,
    )
    return fig if fig is not None else f"{row['id']} has no figures to chart for {main['period_label']}."
