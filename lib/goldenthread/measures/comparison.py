"""Benchmarking for a report: each indicator compared at its latest published period.

Comparator figures arrive late and on their own timetable (an annual return for 2018/19 is published in
the autumn of 2019), so a report compares each indicator at **its own latest benchmark period on or before
the report month where the council has a figure**, not at the report month itself. A financial year
('2018/19') is stored as its last month (March 2019) and counts as "on or before" from then. When the
council has no figure in any such period, the latest period with any comparator figure is used, so the
report can say plainly that the council has no figure. :func:`goldenthread.measures.benchmarking.compare`
does the statistics, once per distinct period.

Restricted indicators are left out by the caller (the indicator list is the audience's); comparator
figures for indicators not in the list are ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldenthread.inputs.config import Comparators
from goldenthread.measures.benchmarking import COLUMNS as COMPARE_COLUMNS
from goldenthread.measures.benchmarking import compare
from goldenthread.measures.rounding import compare as compare_typed

#: The columns of :func:`comparison_table`: benchmarking's, then the period as written, the group's kind
#: in comparators.yaml, whether it is the main group, and how many areas of the group have a worse figure
#: than the council (0 with rank > 1: the council is last, or joint last).
COLUMNS = [*COMPARE_COLUMNS, "period_label", "group_kind", "main", "worse_areas"]
FIGURE_COLUMNS = ["area_code", "area_name", "value", "is_us"]


def main_group(comparators: Comparators) -> str | None:
    """The group the summary and the findings use: ``main_group``, else the first comparison group."""
    if comparators.main_group:
        return comparators.main_group
    return next((g.name for g in comparators.groups if g.kind == "comparison"), None)


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame["period"] = frame["period"].astype("Int64")
    frame["main"] = frame["main"].astype(bool)
    return frame


def _latest_periods(figures: pd.DataFrame, us: str) -> pd.DataFrame:
    """indicator, period, period_label: the latest period with the council's figure, else with any figure."""
    have = figures[figures["value"].notna()]
    ours = have[have["area_code"] == us]
    order = ["indicator", "period", "period_label"]
    chosen = ours.sort_values(order, kind="stable").groupby("indicator", sort=False).tail(1)[order]
    rest = have[~have["indicator"].isin(chosen["indicator"])]
    fallback = rest.sort_values(order, kind="stable").groupby("indicator", sort=False).tail(1)[order]
    return pd.concat([chosen, fallback], ignore_index=True)


def comparison_table(
    benchmarks: pd.DataFrame,
    comparators: Comparators | None,
    indicators: pd.DataFrame,
    period: int,
) -> pd.DataFrame:
    """How the council compares, for each benchmarked indicator of ``indicators`` at its latest period.

    ``benchmarks``: indicator, area_code, area_name, period (month ordinal), period_label, value;
    ``indicators``: the report's indicator list (``id``, ``polarity``); ``period``: the report month.
    One row per indicator x group of ``comparators`` (in the order of ``indicators`` and the groups), with
    :data:`COLUMNS`: ``period`` is the month ordinal of the period compared, ``period_label`` as written
    ('2018/19' or '2019-03'); the other columns as :func:`goldenthread.measures.benchmarking.compare`
    (``period_last_year`` is a label too). Empty (with the columns) without comparators or figures.
    """
    if comparators is None or benchmarks is None or benchmarks.empty or indicators.empty:
        return _empty()
    us = str(comparators.us)
    ids = indicators["id"].astype(str)
    figures = benchmarks.assign(
        indicator=benchmarks["indicator"].astype(str),
        area_code=benchmarks["area_code"].astype(str),
        period_label=benchmarks["period_label"].astype(str),
    )
    figures = figures[figures["indicator"].isin(set(ids)) & (figures["period"] <= period)]
    chosen = _latest_periods(figures, us)
    if chosen.empty:
        return _empty()
    groups = {g.name: list(g.areas) for g in comparators.groups}
    kinds = {g.name: g.kind for g in comparators.groups}
    main = main_group(comparators)
    spec = indicators.loc[:, ["id", "polarity"]].assign(id=ids)
    parts = []
    for label, rows in chosen.groupby("period_label", sort=True):
        these = set(rows["indicator"])
        figs = figures[figures["indicator"].isin(these)].assign(period=lambda f: f["period_label"])
        out = compare(figs, groups, us, spec[spec["id"].isin(these)], str(label))
        out["period"] = out["indicator"].map(rows.set_index("indicator")["period"])
        out["period_label"] = str(label)
        out["worse_areas"] = _worse_areas(out, figs[figs["period_label"] == label], groups, us)
        parts.append(out)
    table = pd.concat(parts, ignore_index=True)
    table["group_kind"] = table["group"].map(kinds)
    table["main"] = (table["group"] == main).astype(bool)
    order = {i: k for k, i in enumerate(dict.fromkeys(ids))}
    group_order = {g: k for k, g in enumerate(groups)}
    table = table.assign(_i=table["indicator"].map(order), _g=table["group"].map(group_order))
    table = table.sort_values(["_i", "_g"], kind="stable").drop(columns=["_i", "_g"])
    table["period"] = table["period"].astype("Int64")
    return table.loc[:, COLUMNS].reset_index(drop=True)


def _worse_areas(out: pd.DataFrame, figs: pd.DataFrame, groups: dict[str, list[str]], us: str) -> pd.Series:
    """For each compared row, how many other areas of the group have a figure worse than the council's
    (by polarity, decided on the figures as typed); NA where the row is not compared or not judged."""
    members = pd.DataFrame(
        [(g, str(a)) for g, areas in groups.items() for a in dict.fromkeys(areas) if str(a) != us],
        columns=["group", "area_code"],
    )
    rows = out.loc[:, ["indicator", "group", "value", "polarity"]].reset_index()
    have = figs[figs["value"].notna()].loc[:, ["indicator", "area_code", "value"]].rename(columns={"value": "theirs"})
    pairs = rows.merge(members, on="group").merge(have, on=["indicator", "area_code"])
    sign = np.where(pairs["polarity"].to_numpy() == "lower", -1, 1)
    order = compare_typed(pairs["theirs"].to_numpy(dtype=float), pairs["value"].to_numpy(dtype=float))
    pairs["worse"] = (sign * order < 0) & pairs["value"].notna().to_numpy()
    counts = pairs.groupby("index")["worse"].sum().reindex(rows["index"], fill_value=0)
    compared = (out["reason"].isna() & (out["kind"] == "comparison") & out["judged"]).to_numpy()
    result = pd.Series(pd.array(counts.to_numpy(), dtype="Int64"), index=out.index)
    return result.where(compared, pd.NA)


def group_figures(
    benchmarks: pd.DataFrame,
    comparators: Comparators | None,
    indicator: str,
    period_label: str,
    group: str,
) -> pd.DataFrame:
    """The figures of one group (and the council) for one indicator and period, for the strip chart.

    Columns area_code, area_name, value, is_us; only areas with a figure, largest first (the council
    included when it has a figure). Empty without comparators or figures; an unknown group is an error.
    """
    if comparators is None or benchmarks is None or benchmarks.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FIGURE_COLUMNS})
    named = {g.name: g for g in comparators.groups}
    if group not in named:
        raise ValueError(f"no comparator group named {group!r} (groups: {', '.join(named)})")
    us = str(comparators.us)
    areas = set(map(str, named[group].areas)) | {us}
    b = benchmarks
    rows = b[
        (b["indicator"].astype(str) == str(indicator))
        & (b["period_label"].astype(str) == str(period_label))
        & b["area_code"].astype(str).isin(areas)
        & b["value"].notna()
    ]
    out = pd.DataFrame(
        {
            "area_code": rows["area_code"].astype(str).to_numpy(),
            "area_name": rows["area_name"].astype(object).to_numpy(),
            "value": rows["value"].to_numpy(dtype=float),
        }
    )
    out["is_us"] = out["area_code"] == us
    return out.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)
