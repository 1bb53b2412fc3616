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

from typing import NamedTuple

import numpy as np
import pandas as pd

from goldenthread.inputs.config import Comparators
from goldenthread.measures.benchmarking import COLUMNS as COMPARE_COLUMNS
from goldenthread.measures.benchmarking import compare, factorize_all, same_period_last_year
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


class _Coded(NamedTuple):
    """A text column as integer codes into its distinct values, written as text (``astype(str)``)."""

    codes: np.ndarray
    texts: np.ndarray

    def code(self, text: str) -> int:
        """The code of ``text``, -1 when no row has it."""
        found = np.flatnonzero(self.texts == text)
        return int(found[0]) if len(found) else -1

    def among(self, wanted: set[str]) -> np.ndarray:
        """Per code: whether its text is one of ``wanted`` (index it with :attr:`codes` for the rows)."""
        return np.fromiter((t in wanted for t in self.texts.tolist()), dtype=bool, count=len(self.texts))


def _coded(column: pd.Series) -> _Coded:
    """Codes for a column of millions of rows, hashing only a few of them.

    Comparator figures are long data laid out regularly: sorted by indicator (equal values side by
    side) or in blocks that list the areas in the same order (each value as it was one block before).
    A row equal to the row one stride back takes that row's code, so only the others are hashed (see
    :func:`_stride`). Only the distinct values are turned into text, and two values with the same text
    share a code, as they would after ``astype(str)``.
    """
    values = column.to_numpy(dtype=object)
    n = len(values)
    stride = _stride(values)
    same = _same_as_before(values, stride) if stride else None
    if same is None or not stride:
        codes, uniques = factorize_all(values)
    elif same[stride:].all():  # one block repeated throughout
        first, uniques = factorize_all(values[:stride])
        codes = np.tile(first, -(-n // stride))[:n]
    else:
        hashed = np.flatnonzero(~same)
        first, uniques = factorize_all(values[hashed])
        # each row's code is that of the last hashed row at or before it in its column of the blocks
        source = np.full(-(-n // stride) * stride, -1, dtype=np.int64)
        source[hashed] = hashed
        source = np.maximum.accumulate(source.reshape(-1, stride), axis=0).reshape(-1)[:n]
        codes = np.zeros(n, dtype=np.int64)
        codes[hashed] = first
        codes = codes[source]
    texts = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(str).to_numpy(dtype=object)
    again, distinct = factorize_all(texts)
    return _Coded(again[codes], distinct)


def _same_as_before(values: np.ndarray, stride: int) -> np.ndarray | None:
    """Whether each row equals the row ``stride`` before it (None when a value has no truth: pd.NA)."""
    same = np.zeros(len(values), dtype=bool)
    try:
        same[stride:] = values[stride:] == values[:-stride]
    except TypeError:
        return None
    return same


def _stride(values: np.ndarray) -> int | None:
    """How far back a row usually has the same value: 1 when equal values sit side by side, the length
    of a block when blocks repeat one order; None when neither holds for three rows in four at the start."""
    n = len(values)
    if n < 64:
        return None
    probe = min(n, 4096)
    try:
        if np.count_nonzero(values[1:probe] != values[: probe - 1]) <= probe // 4:
            return 1
        again = np.flatnonzero(values[1 : min(n, 1 << 16)] == values[0])
        if not len(again):
            return None
        stride = int(again[0]) + 1
        ahead = min(probe, n - stride)
        if ahead >= 16 and np.count_nonzero(values[stride : stride + ahead] != values[:ahead]) <= ahead // 4:
            return stride
    except TypeError:  # a value with no truth (pd.NA): hash every row
        return None
    return None


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    """indicator, period, period_label: each indicator's latest period (then latest label) among ``frame``."""
    order = ["indicator", "period", "period_label"]
    return frame.sort_values(order, kind="stable").groupby("indicator", sort=False).tail(1)[order]


def _latest_periods(
    rows: np.ndarray, ours: np.ndarray, indicator: _Coded, label: _Coded, period: np.ndarray
) -> pd.DataFrame:
    """indicator, period, period_label: the latest period with the council's figure, else with any figure.

    ``rows``: the figures that count (a figure, an indicator of the list, on or before the report month);
    ``ours``: which of them are the council's. Only the council's rows, and the rows of indicators the
    council has no figure for, are sorted: a handful of the millions.
    """

    def frame(at: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "indicator": indicator.texts[indicator.codes[at]],
                "period": period[at],
                "period_label": label.texts[label.codes[at]],
            }
        )

    chosen = _latest(frame(rows[ours]))
    done = indicator.among(set(chosen["indicator"]))
    fallback = _latest(frame(rows[~done[indicator.codes[rows]]]))
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

    Text columns are coded once (:func:`_coded`) and only the figures a comparison reads (its period and
    the year before, in the groups' areas) are handed to ``compare``: 5,000 indicators x 400 areas take
    little more than ``compare`` itself (``benchmarks/variation.py``).
    """
    if comparators is None or benchmarks is None or benchmarks.empty or indicators.empty:
        return _empty()
    us = str(comparators.us)
    ids = indicators["id"].astype(str)
    indicator = _coded(benchmarks["indicator"])
    area = _coded(benchmarks["area_code"])
    label = _coded(benchmarks["period_label"])
    periods = benchmarks["period"].to_numpy()
    # the figures that count: indicators of the list, on or before the report month (NaN included)
    counted = (benchmarks["period"] <= period).to_numpy(dtype=bool) & indicator.among(set(ids))[indicator.codes]
    rows = np.flatnonzero(counted & benchmarks["value"].notna().to_numpy(dtype=bool))
    chosen = _latest_periods(rows, area.codes[rows] == area.code(us), indicator, label, periods)
    if chosen.empty:
        return _empty()
    groups = {g.name: list(g.areas) for g in comparators.groups}
    kinds = {g.name: g.kind for g in comparators.groups}
    main = main_group(comparators)
    spec = indicators.loc[:, ["id", "polarity"]].assign(id=ids)
    used = area.among({us, *(str(a) for areas in groups.values() for a in areas)})[area.codes]
    names = benchmarks["area_name"].to_numpy(dtype=object)
    parts = []
    for text, at in chosen.groupby("period_label", sort=True):
        these = set(at["indicator"])
        rows = _needed(counted & indicator.among(these)[indicator.codes] & used, counted, area, label, groups, us, text)
        figs = pd.DataFrame(
            {
                "indicator": pd.Series(indicator.texts[indicator.codes[rows]], dtype=object, copy=False),
                "area_code": pd.Series(area.texts[area.codes[rows]], dtype=object, copy=False),
                "area_name": pd.Series(names[rows], dtype=object, copy=False),
                "period": pd.Series(label.texts[label.codes[rows]], dtype=object, copy=False),
                "value": benchmarks["value"].iloc[rows].reset_index(drop=True),
            },
            copy=False,
        )
        out = compare(figs, groups, us, spec[spec["id"].isin(these)], str(text))
        out["period"] = out["indicator"].map(at.set_index("indicator")["period"])
        out["period_label"] = str(text)
        now = (label.codes[rows] == label.code(str(text))) & figs["value"].notna().to_numpy(dtype=bool)
        value = figs["value"].to_numpy(dtype=float)[now]
        out["worse_areas"] = _worse_areas(out, rows[now], value, indicator, area, groups, us)
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


def _references(groups: dict[str, list[str]], us: str) -> list[str]:
    """The areas of the single-area groups (England), as :func:`compare` finds them."""
    found = []
    for areas in groups.values():
        distinct = list(dict.fromkeys(str(a) for a in areas))
        if len(distinct) == 1 and distinct[0] != us:
            found.append(distinct[0])
    return found


def _needed(
    wanted: np.ndarray,
    counted: np.ndarray,
    area: _Coded,
    label: _Coded,
    groups: dict[str, list[str]],
    us: str,
    text: str,
) -> np.ndarray:
    """The rows :func:`compare` reads for a period: ``wanted`` (its indicators, the groups' areas) in the
    period and the same period a year before; and each reference area's first row among the ``counted``
    figures, where ``compare`` finds the area's name when it has no figure. All rows when the period is
    not one ``compare`` understands, so that it says why.
    """
    keep = wanted.copy()
    try:
        keep &= label.among({text, same_period_last_year(text)})[label.codes]
    except ValueError:
        pass
    for code in _references(groups, us):
        k = area.code(code)
        first = int(np.argmax(counted & wanted & (area.codes == k))) if k >= 0 else 0
        if k >= 0 and wanted[first] and area.codes[first] == k:
            keep[first] = True
    return np.flatnonzero(keep)


#: Figures compared at once in :func:`_worse_areas`: bounds its temporary arrays (8 MB each).
_CHUNK = 1 << 20


def _worse_areas(
    out: pd.DataFrame,
    rows: np.ndarray,
    value: np.ndarray,
    indicator: _Coded,
    area: _Coded,
    groups: dict[str, list[str]],
    us: str,
) -> pd.Series:
    """For each compared row, how many other areas of the group have a figure worse than the council's
    (by polarity, decided on the figures as typed); NA where the row is not compared or not judged.

    ``rows`` are the period's figures (``value``, none NaN) for the indicators of ``out``. They are laid
    out as an (indicator x area) array, and each group's areas are compared with the council's figure a
    slice of indicators at a time.
    """
    compared = (out["reason"].isna() & (out["kind"] == "comparison") & out["judged"]).to_numpy()
    counts = np.zeros(len(out), dtype=np.int64)
    area_at = {t: k for k, t in enumerate(area.texts.tolist())}
    members = {
        g: np.array([area_at[a] for a in dict.fromkeys(map(str, areas)) if a != us and a in area_at], dtype=np.intp)
        for g, areas in groups.items()
    }
    columns = np.unique(np.concatenate([np.zeros(0, dtype=np.intp), *members.values()]))
    column_of = np.full(len(area.texts), -1, dtype=np.intp)
    column_of[columns] = np.arange(len(columns))
    which = indicator.codes[rows]
    present = np.flatnonzero(np.bincount(which, minlength=len(indicator.texts)))
    row_of = np.full(len(indicator.texts), -1, dtype=np.intp)
    row_of[present] = np.arange(len(present))
    grid = np.full((len(present), len(columns)), np.nan)
    c = column_of[area.codes[rows]]
    member = c >= 0
    grid.reshape(-1)[(row_of[which] * len(columns) + c)[member]] = value[member]
    indicator_at = {t: k for k, t in enumerate(indicator.texts.tolist())}
    group = out["group"].to_numpy(dtype=object)
    for g, codes in members.items():
        at = np.flatnonzero(compared & (group == g))
        if not len(at) or not len(codes):
            continue
        where = row_of[[indicator_at[i] for i in out["indicator"].to_numpy(dtype=object)[at].tolist()]]
        ours = out["value"].to_numpy(dtype=float)[at]
        sign = np.where(out["polarity"].to_numpy(dtype=object)[at] == "lower", -1, 1)
        step = max(1, _CHUNK // len(codes))
        for s in range(0, len(at), step):
            theirs = grid[np.ix_(where[s : s + step], column_of[codes])]
            order = compare_typed(theirs.ravel(), np.repeat(ours[s : s + step], len(codes))).reshape(theirs.shape)
            counts[at[s : s + step]] = np.count_nonzero(sign[s : s + step, None] * order < 0, axis=1)
    result = pd.Series(pd.array(counts, dtype="Int64"), index=out.index)
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
