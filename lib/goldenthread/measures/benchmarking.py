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
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from goldenthread.inputs.contract import MIN_COMPARATORS
from goldenthread.inputs.periods import format_period, parse_period
from goldenthread.measures.direction_of_travel import DIRECTIONS
from goldenthread.measures.rounding import compare as compare_typed

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


def _membership(groups: Mapping[str, Iterable[str]], us: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The comparison groups' area codes, the council added to each; and the reference groups.

    A group of exactly one area other than the council (England) is a reference figure, not a group.
    """
    members: dict[str, list[str]] = {}
    references: dict[str, str] = {}
    for name, codes in groups.items():
        areas = list(dict.fromkeys(str(c) for c in codes))
        if len(areas) == 1 and areas[0] != us:
            references[str(name)] = areas[0]
            continue
        members[str(name)] = list(dict.fromkeys([*areas, us]))
    return members, references


class _Figures(NamedTuple):
    """The comparator figures as integer codes into their distinct values: a long table of millions of
    rows is hashed once, and everything after works on whole numpy arrays."""

    area: np.ndarray  # code of each row's area in ``areas``
    areas: np.ndarray
    indicator: np.ndarray
    indicators: np.ndarray
    period: np.ndarray
    periods: np.ndarray
    value: np.ndarray
    names: np.ndarray  # area_name as given


def _factorized(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values, as :func:`pandas.factorize`, but a missing value is a value of its own.

    Long data is usually sorted by indicator or period, so equal values sit side by side: then only the
    first of each run is hashed, which is many times faster than hashing every row.
    """
    n = len(values)
    probe = values[:4096]
    if n < 64 or np.count_nonzero(probe[1:] != probe[:-1]) > len(probe) // 4:  # no long runs: hash every row
        return factorize_all(values)
    starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    if len(starts) > n // 4:
        return factorize_all(values)
    codes, uniques = factorize_all(values[starts])
    return np.repeat(codes, np.diff(np.append(starts, n))), uniques


def factorize_all(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pandas.factorize`, but a missing value is coded as a value of its own (cheaper than asking pandas)."""
    codes, uniques = pd.factorize(values)  # NaN -> -1
    uniques = np.asarray(uniques, dtype=object)
    if len(codes) and codes.min() < 0:
        missing = codes < 0
        codes[missing] = len(uniques)
        uniques = np.append(uniques, values[np.argmax(missing)])
    return codes, uniques


def _checked(figures: pd.DataFrame, indicators: pd.DataFrame) -> tuple[_Figures, dict[str, str]]:
    missing = [c for c in FIGURE_COLUMNS if c not in figures.columns]
    if missing:
        raise ValueError(f"the comparator figures have no column {', '.join(missing)}")
    text = {c: figures[c].astype(str).to_numpy(dtype=object) for c in ("area_code", "indicator", "period")}
    value = pd.to_numeric(figures["value"], errors="raise").astype(float).to_numpy(dtype=float)
    area, areas = _factorized(text["area_code"])
    indicator, indicator_ids = _factorized(text["indicator"])
    period, periods = _factorized(text["period"])
    twice = _repeated(indicator, period, area, len(periods), len(areas))
    if twice.any():
        i = int(np.argmax(twice))
        raise ValueError(
            f"{int(twice.sum())} comparator figures repeat an area, indicator and period, for example "
            f"{text['area_code'][i]} {text['indicator'][i]} {text['period'][i]}"
        )
    polarity = dict(zip(indicators["id"].astype(str), indicators["polarity"].astype(str)))
    unknown = sorted(set(indicator_ids.tolist()) - set(polarity))
    if unknown:
        raise ValueError(f"comparator figures for indicators not in the indicator list: {', '.join(unknown)}")
    for p in set(polarity.values()):
        _better_sign(p)
    names = figures["area_name"].to_numpy(dtype=object)
    return _Figures(area, areas, indicator, indicator_ids, period, periods, value, names), polarity


def _repeated(indicator: np.ndarray, period: np.ndarray, area: np.ndarray, periods: int, areas: int) -> np.ndarray:
    """Whether each row's (indicator, period, area) occurs on another row too (``duplicated(keep=False)``)."""
    if not len(indicator):
        return np.zeros(0, dtype=bool)
    if (int(indicator.max()) + 1) * periods * areas >= 2**62:  # too many distinct values for one number
        frame = pd.DataFrame({"i": indicator, "p": period, "a": area})
        flags: np.ndarray = frame.duplicated(keep=False).to_numpy(dtype=bool)
        return flags
    key = (indicator.astype(np.int64) * periods + period) * areas + area
    if int(key.max()) <= 8 * len(key) + 1024:  # a dense key: count in place, no hashing or sorting
        repeated: np.ndarray = np.bincount(key)[key] > 1
        return repeated
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    same = ordered[1:] == ordered[:-1]
    flags = np.zeros(len(key), dtype=bool)
    flags[order[1:][same]] = True
    flags[order[:-1][same]] = True
    return flags


class _Dense:
    """The figures as an array [period, indicator, area] (NaN: no figure); each figure's row in the input
    only when asked for (rarely needed, see :func:`_mean_in_row_order`)."""

    def __init__(self, values: np.ndarray, at: np.ndarray, rows: np.ndarray | None) -> None:
        self.values, self._at, self._rows = values, at, rows

    @cached_property
    def rows(self) -> np.ndarray:
        rows = np.full(self.values.shape, -1, dtype=np.int64)
        rows.reshape(-1)[self._at] = np.arange(len(self._at)) if self._rows is None else self._rows
        return rows


def _dense(figs: _Figures, indicators: list[str], areas: list[str], periods: list[str]) -> _Dense:
    """The figures of ``indicators`` x ``areas`` x ``periods`` as a :class:`_Dense` array.

    When every row is wanted (the caller passed only the periods and areas compared) no row is copied.
    """

    def position(uniques: np.ndarray, wanted: list[str]) -> np.ndarray:
        at = {v: k for k, v in enumerate(wanted)}
        return np.array([at.get(u, -1) for u in uniques.tolist()], dtype=np.intp)

    shape = (len(periods), len(indicators), len(areas))
    p_at, i_at, a_at = (
        position(figs.periods, periods),
        position(figs.indicators, indicators),
        position(figs.areas, areas),
    )
    p, i, a, value = p_at[figs.period], i_at[figs.indicator], a_at[figs.area], figs.value
    rows: np.ndarray | None = None
    if (p_at < 0).any() or (i_at < 0).any() or (a_at < 0).any():
        rows = np.flatnonzero((p >= 0) & (i >= 0) & (a >= 0))
        p, i, a, value = p[rows], i[rows], a[rows], value[rows]
    at = (p * shape[1] + i) * shape[2] + a
    values = np.full(shape, np.nan)
    values.reshape(-1)[at] = value
    return _Dense(values, at, rows)


_STATISTICS = ["lower_quartile", "median", "upper_quartile", "n", "mad", "mean_deviation", "rank", "tied", "value"]


#: Figures worked on at once: bounds the memory of the temporary arrays (8 MB each) whatever the data's size.
_CHUNK = 1 << 20


def _statistics(dense: _Dense, columns: list[np.ndarray], us: int, sign: np.ndarray) -> dict[str, np.ndarray]:
    """Per (period, indicator, group): n, quartiles, MAD, the council's figure, rank and tie, all at once.

    ``dense`` comes from :func:`_dense`; ``columns`` holds each group's area positions (the
    council's, ``us``, included); ``sign`` is +1 or -1 per indicator. Every array has the shape
    (period, indicator, group). The sums, medians and type 7 quantiles are worked out as pandas' grouped
    ones are, to the last bit, so the figures match a spreadsheet's. Indicators are taken a slice at a
    time so that no temporary array holds more than :data:`_CHUNK` figures.
    """
    periods, indicators = dense.values.shape[:2]
    widest = max((len(c) for c in columns), default=1)
    step = max(1, _CHUNK // (periods * widest))
    if not indicators or not columns:  # no indicator, or no comparison group (references only)
        return {c: np.zeros((periods, indicators, len(columns))) for c in _STATISTICS}
    parts = [_slice_statistics(dense, slice(s, s + step), columns, us, sign) for s in range(0, indicators, step)]
    return {c: np.concatenate([p[c] for p in parts], axis=1) for c in _STATISTICS}


def _slice_statistics(
    dense: _Dense, at: slice, columns: list[np.ndarray], us: int, sign: np.ndarray
) -> dict[str, np.ndarray]:
    """:func:`_statistics` for the indicators ``at``."""
    per_group: dict[str, list[np.ndarray]] = {c: [] for c in _STATISTICS}
    values = dense.values[:, at]
    ours = values[:, :, us]
    for cols in columns:
        sub = values[:, :, cols]
        n = np.count_nonzero(~np.isnan(sub), axis=-1)
        ordered = np.sort(sub, axis=-1)  # NaN last
        q1, med, q3 = (_type7(ordered, n, q) for q in (0.25, 0.5, 0.75))
        del ordered
        deviation = np.abs(sub - med[..., None])
        mad = _middle(np.sort(deviation, axis=-1), n)
        order = compare_typed(sub.ravel(), np.repeat(ours.ravel(), len(cols))).reshape(sub.shape)
        better = np.count_nonzero(sign[at][None, :, None] * order > 0, axis=-1)
        level = np.any((order[..., cols != us] == 0), axis=-1)
        del order
        flat = np.where(~(mad > 0) & (n > 0))
        mean_dev = np.full(n.shape, np.nan)
        if len(flat[0]):
            mean_dev[flat] = _mean_in_row_order(deviation[flat], dense.rows[:, at][:, :, cols][flat])
        for c, a in zip(_STATISTICS, (q1, med, q3, n, mad, mean_dev, better + 1, level, ours)):
            per_group[c].append(a)
    return {c: np.stack(a, axis=-1) for c, a in per_group.items()}


def _type7(ordered: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """The q quantile of each row's first n sorted figures, interpolated as pandas' grouped quantile is."""
    h = np.maximum(n - 1, 0) * q
    lo = np.floor(h).astype(np.intp)
    frac = h - lo
    a = np.take_along_axis(ordered, lo[..., None], axis=-1)[..., 0]
    b = np.take_along_axis(ordered, np.minimum(lo + 1, np.maximum(n - 1, 0))[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore"):
        result: np.ndarray = np.where(frac == 0, a, a + (b - a) * frac)
    return result


def _middle(ordered: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The median of each row's first n sorted figures: the middle one, or the mean of the middle two."""
    lo = np.take_along_axis(ordered, (np.maximum(n - 1, 0) // 2)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(ordered, (n // 2)[..., None], axis=-1)[..., 0]
    middle: np.ndarray = (lo + hi) / 2
    return middle


def _mean_in_row_order(deviation: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each row's mean of its figures (NaN ignored), added up in the order they came in with Kahan's
    compensated sum, exactly as pandas' grouped mean does (so the result is the same to the last bit
    as it was when worked out with pandas). Only the few groups with a MAD of 0 need it.
    """
    present = (rows >= 0) & ~np.isnan(deviation)
    order = np.argsort(np.where(present, rows, np.iinfo(np.int64).max), axis=1, kind="stable")
    figures = np.take_along_axis(deviation, order, axis=1)
    live = np.take_along_axis(present, order, axis=1)
    total = np.zeros(len(figures))
    compensation = np.zeros(len(figures))
    for j in range(figures.shape[1]):
        if not live[:, j].any():
            break
        y = figures[:, j] - compensation
        t = total + y
        lost = t - total - y
        lost[np.isnan(lost)] = 0.0
        total = np.where(live[:, j], t, total)
        compensation = np.where(live[:, j], lost, compensation)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: np.ndarray = total / np.count_nonzero(live, axis=1)
    return mean


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
    whole columns at once (no loop per indicator or area): 5,000 indicators x 400 areas in a second or
    two (``benchmarks/variation.py``).
    """
    us, period = str(us), str(period)
    figs, polarity = _checked(figures, indicators)
    last = same_period_last_year(period)
    members, references = _membership(groups, us)
    present = set(figs.indicators.tolist())
    benchmarked = [i for i in dict.fromkeys(indicators["id"].astype(str)) if i in present]
    group_names = [str(g) for g in groups]
    grid = pd.DataFrame(
        {
            "indicator": np.repeat(np.array(benchmarked, dtype=object), len(group_names)),
            "group": np.tile(np.array(group_names, dtype=object), len(benchmarked)),
        },
        dtype=object,
    )
    grid["period"] = period
    grid["polarity"] = grid["indicator"].map(polarity)
    grid["judged"] = grid["polarity"] != "none"
    grid["kind"] = np.where(grid["group"].isin(list(references)), "reference", "comparison")

    areas = list(dict.fromkeys([us, *(a for m in members.values() for a in m), *references.values()]))
    at = {a: k for k, a in enumerate(areas)}
    dense = _dense(figs, benchmarked, areas, [period, last])
    grid["value"] = dense.values[0, :, 0].repeat(len(group_names))
    reference_values = dense.values[0][:, [at[references.get(g, us)] for g in group_names]].ravel()
    compared = [g for g in group_names if g in members]
    sign = np.array([_better_sign(polarity[i]) for i in benchmarked], dtype=float)
    stats = _statistics(dense, [np.array([at[a] for a in members[g]]) for g in compared], 0, sign)
    where = np.array([group_names.index(g) for g in compared], dtype=np.intp)
    now = _judged(_at_grid(stats, 0, where, len(group_names)), grid["indicator"], polarity, min_comparators, scale)
    then = _judged(_at_grid(stats, 1, where, len(group_names)), grid["indicator"], polarity, min_comparators, scale)
    then = then[then["reason"].isna()][["quarter", "rank", "n"]]
    then.columns = ["quarter_last_year", "rank_last_year", "n_last_year"]
    out = grid.join(now.drop(columns="value")).join(then)
    return _finished(out, references, figs, reference_values, last, min_comparators)


def _at_grid(stats: dict[str, np.ndarray], period: int, where: np.ndarray, groups: int) -> pd.DataFrame:
    """One period's statistics as rows of the (indicator x group) grid, numbered as the grid's; a group
    with no figure at all, and a reference group, has no row (as a left join leaves them)."""
    n = stats["n"][period]
    have = n > 0
    index = (np.arange(n.shape[0])[:, None] * groups + where[None, :])[have]
    return pd.DataFrame({c: a[period][have] for c, a in stats.items()}, index=index)


def _judged(
    stats: pd.DataFrame, indicator: pd.Series, polarity: dict[str, str], minimum: int, scale: float
) -> pd.DataFrame:
    """The statistics of every (indicator, group) with the council's quarter and distance, or a reason."""
    has_ours = stats["value"].notna()
    others = stats["n"] - has_ours.astype(int)
    stats["others"] = others
    stats["reason"] = pd.Series(np.where(~has_ours, "no_figure", "too_few"), index=stats.index).where(
        ~has_ours | (others < minimum), None
    )
    pol = indicator.to_numpy(dtype=object)[stats.index.to_numpy()]
    pol = np.array([polarity[i] for i in pol], dtype=object) if len(pol) else pol
    cuts = [stats[c].to_numpy(dtype=float) for c in ("value", "lower_quartile", "median", "upper_quartile")]
    stats["quarter"] = quartile_of(cuts[0], cuts[1], cuts[2], cuts[3], pol)
    d, basis = distances(stats["value"], stats["median"], stats["mad"], stats["mean_deviation"], scale)
    stats["distance"], stats["distance_basis"] = d, basis
    return stats


def _finished(
    out: pd.DataFrame,
    references: dict[str, str],
    figs: _Figures,
    reference_values: np.ndarray,
    last: str,
    minimum: int,
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
    out["rank_text"] = _rank_texts(out["rank"], out["n"], out["tied"], judged, compared)
    quarter = pd.to_numeric(out["quarter"]).to_numpy(dtype=float)
    before = pd.to_numeric(out["quarter_last_year"]).to_numpy(dtype=float)
    has_before = compared & ~np.isnan(before)
    out["position"] = _quarter_texts(quarter, judged, compared)
    out["position_last_year"] = _quarter_texts(before, judged, has_before)
    out["movement"] = _movements(before, quarter, judged, has_before, compared, comparison)
    out["quartile"] = out["quarter"].where(judged)
    out["quartile_last_year"] = out["quarter_last_year"].where(judged)
    out["period_last_year"] = pd.Series(last, index=out.index, dtype=object).where(comparison, None)
    others = out["others"].fillna(0).astype(int)
    sentences = {
        (r, k): reason_text(r, k, minimum) for r, k in set(zip(out["reason"], others)) if r
    }  # a handful of distinct reasons: each sentence written once
    out["reason_text"] = [sentences[r, k] if r else None for r, k in zip(out["reason"], others)]
    return _with_references(out, references, figs, reference_values)


def _rank_texts(rank: pd.Series, n: pd.Series, tied: pd.Series, judged: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """:func:`rank_phrase` for the ``rows`` (None elsewhere), each distinct phrase written once."""
    texts = np.full(len(rows), None, dtype=object)
    if not rows.any():
        return texts
    r = pd.to_numeric(rank[rows]).to_numpy(dtype=float).astype(np.int64)
    k = pd.to_numeric(n[rows]).to_numpy(dtype=float).astype(np.int64)
    t = tied[rows].astype(bool).to_numpy()
    j = judged[rows]
    key = ((r * (k.max() + 1) + k) * 2 + t) * 2 + j
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    words = np.array([rank_phrase(r[f], k[f], bool(t[f]), judged=bool(j[f])) for f in first.tolist()], dtype=object)
    texts[rows] = words[inverse.ravel()]
    return texts


_QUARTER_TEXTS = np.array([[*POSITION_WORDS[1:]], [*QUARTILE_WORDS[1:]]], dtype=object)


def _quarter_texts(quarter: np.ndarray, judged: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """:func:`quartile_phrase` for the ``rows`` (None elsewhere), by table look-up."""
    texts = np.full(len(rows), None, dtype=object)
    texts[rows] = _QUARTER_TEXTS[judged[rows].astype(np.intp), quarter[rows].astype(np.intp) - 1]
    return texts


def _movements(
    before: np.ndarray,
    now: np.ndarray,
    judged: np.ndarray,
    has_before: np.ndarray,
    compared: np.ndarray,
    comparison: np.ndarray,
) -> np.ndarray:
    """:func:`_movement` for whole columns: not comparable without last year's quarter, None for a reference."""
    with np.errstate(invalid="ignore"):
        moved = np.where(
            now == before,
            NO_CHANGE,
            np.where(judged, np.where(now < before, IMPROVING, WORSENING), np.where(now < before, UP, DOWN)),
        ).astype(object)
    result = np.where(has_before, moved, NOT_COMPARABLE).astype(object)
    result[~compared & ~comparison] = None
    return result


def reason_text(reason: str, others: int = 0, needed: int = MIN_COMPARATORS, name: str = "") -> str:
    """The plain sentence for a ``reason`` key: "Only 3 other areas in the group have a figure ..."."""
    if reason == "too_few":
        areas = {0: "No other area in the group has", 1: "Only 1 other area in the group has"}.get(
            others, f"Only {others} other areas in the group have"
        )
        return f"{areas} a figure for this period; at least {needed} are needed to compare."
    return REASONS[reason].format(name=name)


def _with_references(
    out: pd.DataFrame, references: dict[str, str], figs: _Figures, reference_values: np.ndarray
) -> pd.DataFrame:
    """The single-area groups' figures (England), shown beside the council's, never ranked."""
    ref = out["group"].map(references)
    out["reference_area"] = ref.astype(object).where(ref.notna(), None)
    out["reference_value"] = np.where(ref.notna().to_numpy(), reference_values, np.nan)
    missing = ref.notna() & out["reference_value"].isna()
    codes = {a: k for k, a in enumerate(figs.areas.tolist())}

    def name(code: str) -> Any:
        """The area's name on its first row, as written (its code if it has no row)."""
        k = codes.get(code)
        return code if k is None else figs.names[int(np.argmax(figs.area == k))]

    names = {c: name(c) for c in set(out.loc[missing, "reference_area"])}
    out.loc[missing, "reason"] = "no_reference_figure"
    out.loc[missing, "reason_text"] = [
        reason_text("no_reference_figure", name=names[c]) for c in out.loc[missing, "reference_area"]
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
