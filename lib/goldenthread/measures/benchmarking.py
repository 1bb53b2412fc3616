"""Benchmarking: how the council compares with groups of comparable areas, as LG Inform and Oflog show it.

For each indicator, comparison group (nearest neighbours, region, council type) and period:

* **n**: the areas of the group with a figure, the council itself always included (a nearest-neighbour
  list of 15 councils is a group of 16: "3rd of 16");
* **median and quartiles** of those n figures. The quartiles are Hyndman and Fan's type 7 (linear
  interpolation between the two nearest ranks: Excel's ``QUARTILE.INC``, R's and numpy's default), so an
  analyst can reproduce them in a spreadsheet. LG Inform does not publish which definition it uses;
* **rank**, 1 = best by polarity (higher is better: the largest figure is 1st). Ties share the better
  rank and the next rank is skipped (standard competition ranking, "1224"): two councils level in
  3rd place are both "joint 3rd of 16", the next is 5th. Polarity ``none`` is ranked by value, largest
  first, and is never a judgement ("3rd highest of 16": compared, never judged);
* **distance from the median** in median absolute deviations, signed by value (above the median is
  positive) as Oflog's ``MADs_from_median`` is. The MAD is **not** scaled by 1.4826: Oflog's published
  figures use the plain MAD (checked against its data in ``tests/test_benchmarking.py``), so a council's
  distance reads the same here as there. When more than half the group share the median figure the MAD
  is 0: the council is then 0 from the median if it has that figure, and otherwise its distance is
  measured in mean absolute deviations from the median instead (``distance_basis`` says which), so the
  result is always a finite number;
* **quartile**, 1 = the best quarter by polarity. A figure exactly on a cut point belongs to the better
  side (at or above the upper quartile is the top quarter when higher is better), as a figure exactly
  on target is green. Polarity ``none`` has no quartile, only a position by value ("highest quarter");
* **movement** since the same period last year: the quarter then and now, worded as direction of
  travel is (improving, worsening, no_change; up or down for polarity ``none``; not_comparable).

A group with a single area (England) is a reference figure, never ranked. The council without a figure,
or a group with fewer than :data:`MIN_COMPARATORS` other areas with one, gets a plain reason and no
statistics. Cut points, ties and the median are decided on the figures as typed
(:func:`goldenthread.measures.rounding.compare`), so binary noise never moves a council across one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from goldenthread.inputs.periods import format_period, parse_period
from goldenthread.measures.direction_of_travel import DIRECTIONS
from goldenthread.measures.rounding import compare as compare_typed

#: Fewer other areas with a figure than this, and a group is not compared (a rank of 2 areas says little).
MIN_COMPARATORS = 5

#: The MAD is used as it is (Oflog's practice); 1.4826 would make it estimate a standard deviation.
MAD_SCALE = 1.0

IMPROVING, WORSENING, NO_CHANGE, UP, DOWN, NOT_COMPARABLE = DIRECTIONS

#: Where the council stands, by quarter (index 1 to 4): judged by polarity, or by value for polarity none.
QUARTILE_WORDS = ("", "top quartile", "second quartile", "third quartile", "bottom quartile")
POSITION_WORDS = ("", "highest quarter", "upper middle quarter", "lower middle quarter", "lowest quarter")

#: Why a row has no statistics (``reason`` holds the key, ``reason_text`` the sentence).
REASONS = {
    "no_figure": "The council has no figure for this period, so it is not compared.",
    "too_few": "Only {others} other areas in the group have a figure for this period; at least {needed} are needed "
    "to compare.",
    "no_reference_figure": "There is no figure for {name} for this period.",
}

_FINANCIAL_YEAR = re.compile(r"^\s*(\d{4})/(\d{2})\s*$")
FIGURE_COLUMNS = ("area_code", "area_name", "indicator", "period", "value")


class Distance(NamedTuple):
    """A figure's distance from a group's median (see :func:`mad_distance`)."""

    distance: float
    median: float
    mad: float
    basis: str  # "mad" or "mean_absolute_deviation"


# --- small pure helpers ----------------------------------------------------------------------------


def ordinal(k: int) -> str:
    """1 -> "1st", 2 -> "2nd", 3 -> "3rd", 11 -> "11th", 22 -> "22nd", 113 -> "113th"."""
    suffix = "th" if k % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def rank_phrase(rank: int, n: int, tied: bool = False, judged: bool = True) -> str:
    """ "3rd of 16", "joint 3rd of 16"; not judged (polarity none): "3rd highest of 16"."""
    words = f"{ordinal(int(rank))}{'' if judged else ' highest'} of {int(n)}"
    return f"joint {words}" if tied else words


def quartile_phrase(quarter: int, judged: bool = True) -> str:
    """Quarter 1 to 4 in words: "top quartile" ... "bottom quartile", or by value "highest quarter" ..."""
    return (QUARTILE_WORDS if judged else POSITION_WORDS)[int(quarter)]


def _better_sign(polarity: str) -> float:
    """+1 where a larger figure ranks first (higher, and none: by value), -1 where lower is better."""
    if polarity not in ("higher", "lower", "none"):
        raise ValueError(f"polarity {polarity!r} is not one of higher, lower, none")
    return -1.0 if polarity == "lower" else 1.0


def rank_with_ties(values: Iterable[float], polarity: str = "higher") -> tuple[np.ndarray, np.ndarray]:
    """Competition rank of every figure (1 = best by polarity) and whether it shares its rank.

    NaN is an area without a figure: its rank is NaN and it is not counted. Figures equal as typed
    (see :func:`goldenthread.measures.rounding.compare`) share the better rank and the next rank is
    skipped: 85, 80, 80, 78 rank 1, 2, 2, 4. Polarity ``none`` ranks by value, largest first.
    """
    v = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    ranks = np.full(v.shape, np.nan)
    tied = np.zeros(v.shape, dtype=bool)
    have = np.flatnonzero(~np.isnan(v))
    if not len(have):
        return ranks, tied
    key = v[have] * _better_sign(polarity)  # larger key is better
    order = np.argsort(-key, kind="stable")
    ordered = key[order]
    starts = np.ones(len(ordered), dtype=bool)
    starts[1:] = compare_typed(ordered[1:], ordered[:-1]) != 0
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)  # position of each tie group's first member
    sizes = np.bincount(group)
    ranks[have[order]] = first[group] + 1
    tied[have[order]] = sizes[group] > 1
    return ranks, tied


def quartiles(values: Iterable[float]) -> tuple[float, float, float]:
    """Lower quartile, median and upper quartile (type 7, as ``QUARTILE.INC``), ignoring NaN."""
    v = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return (np.nan, np.nan, np.nan)
    q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75], method="linear")
    return float(q1), float(med), float(q3)


def quartile_of(value: Any, lower_quartile: Any, median: Any, upper_quartile: Any, polarity: Any) -> np.ndarray:
    """The quarter each figure is in: 1 = best by polarity (by value, highest, for ``none``); 0 = no figure.

    Arguments are aligned arrays or single values. A figure exactly on a cut point (as typed) is in the
    better quarter: on the upper quartile is top when higher is better, on the lower quartile is top
    when lower is better, on the median is second. Polarity ``none`` puts it in the higher quarter.
    """
    shape = np.broadcast_shapes(*(np.shape(a) for a in (value, lower_quartile, median, upper_quartile, polarity)))
    x, q1, med, q3 = (
        np.broadcast_to(np.asarray(a, dtype=float), shape).ravel()
        for a in (value, lower_quartile, median, upper_quartile)
    )
    pol = np.broadcast_to(np.asarray(polarity, dtype=object), shape).ravel()
    for p in set(pol.tolist()):
        _better_sign(p)
    lower = pol == "lower"
    c1, c2, c3 = compare_typed(x, q1), compare_typed(x, med), compare_typed(x, q3)
    from_top = np.where(c3 >= 0, 1, np.where(c2 >= 0, 2, np.where(c1 >= 0, 3, 4)))
    from_bottom = np.where(c1 <= 0, 1, np.where(c2 <= 0, 2, np.where(c3 <= 0, 3, 4)))
    quarter = np.where(lower, from_bottom, from_top).astype(np.int8)
    quarter[np.isnan(x) | np.isnan(q1) | np.isnan(med) | np.isnan(q3)] = 0
    result: np.ndarray = quarter.reshape(shape)
    return result


def distances(value: Any, median: Any, mad: Any, mean_deviation: Any, scale: float = MAD_SCALE) -> tuple[Any, Any]:
    """(value - median) / (scale x MAD), with the rules for a zero MAD; aligned arrays.

    Returns the distances and their basis ("mad" or "mean_absolute_deviation"). A figure equal to the
    median as typed is 0 whatever the spread. Where the MAD is 0 and the figure is off the median, the
    mean absolute deviation from the median is the unit instead (it is above 0 whenever any figure
    differs from the median). NaN only where the figure or the median is missing.
    """
    x, med, m, mean_dev = (np.asarray(a, dtype=float) for a in (value, median, mad, mean_deviation))
    at_median = compare_typed(np.atleast_1d(x), np.atleast_1d(med)).reshape(np.shape(x)) == 0
    zero_mad = ~(m > 0)
    unit = np.where(zero_mad, mean_dev, m) * np.where(zero_mad, 1.0, scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(at_median, 0.0, np.where(unit > 0, (x - med) / unit, np.nan))
    basis = np.where(zero_mad & ~at_median, "mean_absolute_deviation", "mad").astype(object)
    return d + 0.0, basis


def mad_distance(value: float, values: Iterable[float], scale: float = MAD_SCALE) -> Distance:
    """How far ``value`` is from the median of ``values`` (the group's figures, the council's own
    included; NaN ignored), in median absolute deviations. See :func:`distances` for a zero MAD.
    """
    v = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v) or np.isnan(value):
        return Distance(np.nan, np.nan, np.nan, "mad")
    if not (compare_typed(v, np.full(len(v), float(value))) == 0).any():
        raise ValueError("values must include the council's own figure (the group always includes the council)")
    med = float(np.median(v))
    dev = np.abs(v - med)
    mad = float(np.median(dev))
    d, basis = distances(value, med, mad, float(dev.mean()), scale)
    return Distance(float(d), med, mad, str(basis))


def same_period_last_year(period: str) -> str:
    """The period a year before: ``"2019-07"`` -> ``"2018-07"``; a financial year ``"2019/20"`` -> ``"2018/19"``.

    Months (``YYYY-MM``) are the project's periods for every frequency (an annual figure sits in the
    same month each year), so a year back is 12 months back. A financial year is accepted only as
    ``YYYY/YY`` (``2011-12`` would read as December 2011).
    """
    m = _FINANCIAL_YEAR.match(str(period))
    if m:
        start = int(m.group(1))
        if (start + 1) % 100 != int(m.group(2)):
            raise ValueError(f"{period!r} is not a financial year; write it as 2019/20")
        return f"{start - 1}/{start % 100:02d}"
    try:
        return format_period(parse_period(period) - 12)
    except ValueError:
        raise ValueError(
            f"{period!r} is not a period; write a month as 2019-07 or a financial year as 2019/20"
        ) from None


# --- the comparison --------------------------------------------------------------------------------


def _membership(groups: Mapping[str, Iterable[str]], us: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """(group, area_code) rows of the comparison groups, the council added to each; and the reference groups.

    A group of exactly one area other than the council (England) is a reference figure, not a group.
    """
    rows: list[tuple[str, str]] = []
    references: dict[str, str] = {}
    for name, codes in groups.items():
        members = list(dict.fromkeys(str(c) for c in codes))
        if len(members) == 1 and members[0] != us:
            references[str(name)] = members[0]
            continue
        rows += [(str(name), c) for c in dict.fromkeys([*members, us])]
    return pd.DataFrame(rows, columns=["group", "area_code"]), references


def _checked(figures: pd.DataFrame, indicators: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    missing = [c for c in FIGURE_COLUMNS if c not in figures.columns]
    if missing:
        raise ValueError(f"the comparator figures have no column {', '.join(missing)}")
    figs = figures.loc[:, list(FIGURE_COLUMNS)].copy()
    for c in ("area_code", "indicator", "period"):
        figs[c] = figs[c].astype(str)
    figs["value"] = pd.to_numeric(figs["value"], errors="raise").astype(float)
    twice = figs.duplicated(["area_code", "indicator", "period"], keep=False)
    if twice.any():
        first = figs[twice].iloc[0]
        raise ValueError(
            f"{int(twice.sum())} comparator figures repeat an area, indicator and period, for example "
            f"{first['area_code']} {first['indicator']} {first['period']}"
        )
    polarity = dict(zip(indicators["id"].astype(str), indicators["polarity"].astype(str)))
    unknown = sorted(set(figs["indicator"].unique().tolist()) - set(polarity))
    if unknown:
        raise ValueError(f"comparator figures for indicators not in the indicator list: {', '.join(unknown)}")
    for p in set(polarity.values()):
        _better_sign(p)
    return figs, polarity


def _statistics(figs: pd.DataFrame, members: pd.DataFrame, us: str, polarity: dict[str, str]) -> pd.DataFrame:
    """Per (indicator, group, period): n, quartiles, MAD, the council's figure, rank and tie, all at once."""
    keys = ["indicator", "group", "period"]
    rows = figs[figs["value"].notna()].merge(members, on="area_code")
    ours = figs.loc[figs["area_code"] == us, ["indicator", "period", "value"]].rename(columns={"value": "ours"})
    rows = rows.merge(ours, on=["indicator", "period"], how="left")
    if rows.empty:  # no area of any comparison group has a figure
        columns = ["lower_quartile", "median", "upper_quartile", "n", "mad", "mean_deviation", "rank", "tied", "value"]
        return pd.DataFrame(
            {c: pd.Series(dtype=float) for c in columns}, index=pd.MultiIndex.from_arrays([[], [], []], names=keys)
        )
    grouped = rows.groupby(keys, sort=False)["value"]
    stats = grouped.quantile([0.25, 0.5, 0.75]).unstack()
    stats.columns = ["lower_quartile", "median", "upper_quartile"]
    stats["n"] = grouped.size()
    rows = rows.merge(stats["median"].reset_index(), on=keys, how="left")
    rows["deviation"] = np.abs(rows["value"] - rows["median"])
    deviation = rows.groupby(keys, sort=False)["deviation"]
    stats["mad"] = deviation.median()
    stats["mean_deviation"] = deviation.mean()
    # Rank = 1 + the areas strictly better; tied = another area level with the council (as typed).
    sign = rows["indicator"].map({i: _better_sign(p) for i, p in polarity.items()}).to_numpy(dtype=float)
    order = compare_typed(rows["value"].to_numpy(dtype=float), rows["ours"].to_numpy(dtype=float))
    rows["better"] = sign * order > 0
    rows["level"] = (order == 0) & (rows["area_code"] != us)
    counted = rows.groupby(keys, sort=False)[["better", "level"]].sum()
    stats["rank"] = counted["better"] + 1
    stats["tied"] = counted["level"] > 0
    stats["value"] = rows.groupby(keys, sort=False)["ours"].first()
    return stats


def compare(
    figures: pd.DataFrame,
    groups: Mapping[str, Iterable[str]],
    us: str,
    indicators: pd.DataFrame,
    period: str,
    *,
    min_comparators: int = MIN_COMPARATORS,
    scale: float = MAD_SCALE,
) -> pd.DataFrame:
    """How the council ``us`` compares with each group, for every benchmarked indicator, in ``period``.

    ``figures`` is long: ``area_code``, ``area_name``, ``indicator``, ``period``, ``value`` (NaN or no
    row: no figure). ``groups`` maps a group's name to its area codes (the council is added to each);
    a group of one other area is a reference (England). ``indicators`` has ``id`` and ``polarity``.
    One row per indicator with comparator figures x group, in the order of ``indicators`` and ``groups``.
    Columns: :data:`COLUMNS`, described in ``docs/benchmarking.md``. Every statistic is worked out for
    whole columns at once (no loop per indicator or area).
    """
    us, period = str(us), str(period)
    figs, polarity = _checked(figures, indicators)
    last = same_period_last_year(period)
    members, references = _membership(groups, us)
    present = set(figs["indicator"].unique().tolist())
    benchmarked = [i for i in dict.fromkeys(indicators["id"].astype(str)) if i in present]
    group_names = [str(g) for g in groups]
    grid = pd.DataFrame(
        [(i, g) for i in benchmarked for g in group_names], columns=["indicator", "group"], dtype=object
    )
    grid["period"] = period
    grid["polarity"] = grid["indicator"].map(polarity)
    grid["judged"] = grid["polarity"] != "none"
    grid["kind"] = np.where(grid["group"].isin(list(references)), "reference", "comparison")
    ours = figs[(figs["area_code"] == us) & (figs["period"] == period)].set_index("indicator")["value"]
    grid["value"] = grid["indicator"].map(ours).astype(float)

    figs_now = figs[figs["period"].isin([period, last])]
    stats = _judged(_statistics(figs_now, members, us, polarity), polarity, min_comparators, scale)
    now = stats[stats["period"] == period].drop(columns=["period", "value"])
    then = stats[stats["period"] == last].drop(columns=["period", "value"])
    then = then[then["reason"].isna()][["indicator", "group", "quarter", "rank", "n"]]
    then.columns = ["indicator", "group", "quarter_last_year", "rank_last_year", "n_last_year"]
    out = grid.merge(now, on=["indicator", "group"], how="left").merge(then, on=["indicator", "group"], how="left")
    return _finished(out, references, figs, last, min_comparators)


def _judged(stats: pd.DataFrame, polarity: dict[str, str], minimum: int, scale: float) -> pd.DataFrame:
    """The statistics of every (indicator, group, period) with the council's quarter and distance, or a reason."""
    stats = stats.reset_index()
    has_ours = stats["value"].notna()
    others = stats["n"] - has_ours.astype(int)
    stats["others"] = others
    stats["reason"] = pd.Series(np.where(~has_ours, "no_figure", "too_few"), index=stats.index).where(
        ~has_ours | (others < minimum), None
    )
    pol = stats["indicator"].map(polarity).to_numpy(dtype=object)
    cuts = [stats[c].to_numpy(dtype=float) for c in ("value", "lower_quartile", "median", "upper_quartile")]
    stats["quarter"] = quartile_of(cuts[0], cuts[1], cuts[2], cuts[3], pol)
    d, basis = distances(stats["value"], stats["median"], stats["mad"], stats["mean_deviation"], scale)
    stats["distance"], stats["distance_basis"] = d, basis
    return stats


def _finished(
    out: pd.DataFrame, references: dict[str, str], figs: pd.DataFrame, last: str, minimum: int
) -> pd.DataFrame:
    """Reasons, wording and reference figures on the merged rows; statistics blanked where not compared."""
    comparison = (out["kind"] == "comparison").to_numpy()
    reason = out["reason"].astype(object).where(out["reason"].notna(), None)
    reason[comparison & out["n"].isna().to_numpy()] = "no_figure"  # no area in the group has a figure
    out["reason"] = reason
    out.loc[~comparison, "reason"] = None
    out["n"] = out["n"].where(comparison)
    blank = out["reason"].notna().to_numpy()
    stat_columns = ["median", "lower_quartile", "upper_quartile", "mad", "distance", "rank", "tied", "quarter"]
    for c in stat_columns:
        out[c] = out[c].astype(object).where(~blank)
    out["distance_basis"] = out["distance_basis"].astype(object).where(~blank, None)
    for c in ("quarter_last_year", "rank_last_year", "n_last_year"):
        out[c] = out[c].astype(object).where(~blank & comparison)
    judged = out["judged"].to_numpy(dtype=bool)
    compared = comparison & ~blank
    rank_text: list[str | None] = []
    position: list[str | None] = []
    position_then: list[str | None] = []
    movement: list[str | None] = []
    for i, row in enumerate(out[["rank", "n", "tied", "quarter", "quarter_last_year"]].itertuples(index=False)):
        if not compared[i]:
            rank_text.append(None)
            position.append(None)
            position_then.append(None)
            movement.append(NOT_COMPARABLE if comparison[i] else None)
            continue
        rank_text.append(rank_phrase(int(row.rank), int(row.n), bool(row.tied), judged=bool(judged[i])))
        position.append(quartile_phrase(int(row.quarter), bool(judged[i])))
        before = row.quarter_last_year
        has_before = not pd.isna(before)
        position_then.append(quartile_phrase(int(before), bool(judged[i])) if has_before else None)
        movement.append(_movement(int(before), int(row.quarter), bool(judged[i])) if has_before else NOT_COMPARABLE)
    out["rank_text"], out["position"], out["position_last_year"], out["movement"] = (
        rank_text,
        position,
        position_then,
        movement,
    )
    out["quartile"] = out["quarter"].where(judged)
    out["quartile_last_year"] = out["quarter_last_year"].where(judged)
    out["period_last_year"] = pd.Series(last, index=out.index, dtype=object).where(comparison, None)
    others = out["others"].fillna(0).astype(int)
    out["reason_text"] = [reason_text(r, k, minimum) if r else None for r, k in zip(out["reason"], others)]
    return _with_references(out, references, figs)


def reason_text(reason: str, others: int = 0, needed: int = MIN_COMPARATORS, name: str = "") -> str:
    """The plain sentence for a ``reason`` key: "Only 3 other areas in the group have a figure ..."."""
    if reason == "too_few":
        areas = {0: "No other area in the group has", 1: "Only 1 other area in the group has"}.get(
            others, f"Only {others} other areas in the group have"
        )
        return f"{areas} a figure for this period; at least {needed} are needed to compare."
    return REASONS[reason].format(name=name)


def _with_references(out: pd.DataFrame, references: dict[str, str], figs: pd.DataFrame) -> pd.DataFrame:
    """The single-area groups' figures (England), shown beside the council's, never ranked."""
    ref = out["group"].map(references)
    out["reference_area"] = ref.astype(object).where(ref.notna(), None)
    period_figs = figs[figs["period"] == out["period"].iloc[0]] if len(out) else figs.iloc[:0]
    value_of = period_figs.set_index(["area_code", "indicator"])["value"]
    keys = pd.MultiIndex.from_arrays([ref.astype(object).where(ref.notna(), ""), out["indicator"]])
    out["reference_value"] = value_of.reindex(keys).to_numpy(dtype=float)
    missing = ref.notna() & out["reference_value"].isna()
    names = figs.drop_duplicates("area_code").set_index("area_code")["area_name"]
    out.loc[missing, "reason"] = "no_reference_figure"
    out.loc[missing, "reason_text"] = [
        reason_text("no_reference_figure", name=names.get(c, c)) for c in out.loc[missing, "reference_area"]
    ]
    return _frame(out)


def _movement(before: int, now: int, judged: bool) -> str:
    """A move between quarters (1 = best, or highest for polarity none), worded as direction of travel is."""
    if now == before:
        return NO_CHANGE
    if judged:
        return IMPROVING if now < before else WORSENING
    return UP if now < before else DOWN


#: The columns of :func:`compare`, in order.
COLUMNS = (
    "indicator",
    "group",
    "period",
    "polarity",
    "judged",
    "kind",
    "value",
    "n",
    "median",
    "lower_quartile",
    "upper_quartile",
    "mad",
    "distance",
    "distance_basis",
    "rank",
    "tied",
    "rank_text",
    "quartile",
    "position",
    "period_last_year",
    "quartile_last_year",
    "position_last_year",
    "rank_last_year",
    "n_last_year",
    "movement",
    "reference_area",
    "reference_value",
    "reason",
    "reason_text",
)
_INTEGERS = ("n", "rank", "quartile", "quartile_last_year", "rank_last_year", "n_last_year")
_FLOATS = ("value", "median", "lower_quartile", "upper_quartile", "mad", "distance", "reference_value")


def _frame(out: pd.DataFrame) -> pd.DataFrame:
    frame = out.reindex(columns=list(COLUMNS))
    for c in _INTEGERS:
        frame[c] = pd.array(frame[c].astype(object).where(frame[c].notna(), None), dtype="Int64")
    for c in _FLOATS:
        frame[c] = frame[c].astype(float)
    frame["tied"] = pd.array(frame["tied"].astype(object).where(frame["tied"].notna(), None), dtype="boolean")
    frame["judged"] = frame["judged"].astype(bool)
    texts = ("reason", "reason_text", "rank_text", "position", "position_last_year", "distance_basis", "movement")
    for c in (*texts, "period_last_year", "reference_area", "indicator", "group", "period", "polarity", "kind"):
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame.reset_index(drop=True)
