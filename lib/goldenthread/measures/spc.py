"""Statistical process control (XmR charts) as NHS England's "Making Data Count" uses it.

RAG against a target says whether a figure is good enough; SPC says whether a change is real or
noise. The method follows the NHS-R community's reference implementation, NHSRplotthedots
(``ptd_spc``), rule for rule, so a council's chart reads as an NHS board's would; where that
package leaves room, the choice made here is stated (and in ``docs/spc.md``):

* **limits**: mean ± 2.66 × the mean moving range (MR-bar). Moving ranges of at least 3.267 ×
  their own mean are screened out before MR-bar is taken (``screen_outliers``, as the reference);
  if every moving range is zero nothing is screened and the limits sit on the mean.
* **baseline**: the mean and limits of each phase are fixed on its first ``baseline`` points
  (at least 12); **rebasing** starts a new phase, with its own mean and limits, at each stated
  period (at the first observed period on or after it).
* **rules**, per phase, each point marked once, the first that applies winning:
  outside the limits > a trend of 7 > 2 of 3 close to a limit > a run of 7 on one side.
  A point *on* a limit is inside; a point on the mean breaks a run; a tie breaks a trend;
  "close" is beyond two-thirds of the way to a limit but not outside it, and the three points
  of a 2-of-3 window must all be on the same side of the mean.
* **variation** of a point: ``common_cause``, ``improvement``, ``concern`` (by polarity) or
  ``neutral`` (polarity ``none``), with the ``side`` of the signal (``high`` or ``low``).
* **assurance** against a target, on the latest phase's limits: ``consistently_passing``,
  ``consistently_failing`` or ``hit_and_miss`` (a target on a limit is hit and miss).
* **too few points**: a phase with fewer than ``min_points`` observed points gets no limits and
  no variation; the result says "too few points for SPC".
* **gaps**: missing values are dropped; the points are the observed ones in period order.
* a trend point takes the direction of the trend it belongs to (the reference, when one trend ends
  where another begins, gives the last point the next trend's direction).

Every comparison with a limit, a two-thirds line, the mean, the screening edge or a neighbour is
decided on the figures as typed (see :mod:`goldenthread.measures.rounding`): the mean's and
MR-bar's divisions are multiplied out and the few rows float noise could tip are worked out again
in Decimal, so a value typed on a limit is on it, whatever binary noise the arithmetic left.
Everything is computed for a whole long frame of indicators at once (no Python loop per point or
per indicator).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from goldenthread.inputs.periods import month_name, parse_period
from goldenthread.measures.rounding import SIGNIFICANT_DIGITS, Figures, compare, decide, typed

#: A float margin within this fraction of the size of its terms may be binary noise: decided in Decimal.
NEAR_ZERO = 1e-12

#: Process limits are this many MR-bars from the mean (3 sigma for individuals: 3 / 1.128).
LIMIT = 2.66
#: "Close to a limit": beyond two-thirds of the way from the mean to a limit (two sigma).
NEAR = 2 * LIMIT / 3
#: Moving ranges at or above this many times their mean are screened out (the upper MR limit).
SCREEN = 3.267
#: Points in a run on one side of the mean, and in a trend, that make a special cause.
RUN = 7
TREND = 7
#: The fewest points limits may be fixed on (Making Data Count: at least 12).
MIN_BASELINE = 12
#: Fewer observed points than this in a phase: no limits, "too few points for SPC".
MIN_POINTS = 15

VARIATIONS = ("common_cause", "improvement", "concern", "neutral")
ASSURANCES = ("consistently_passing", "consistently_failing", "hit_and_miss")
RULES = ("outside_limits", "trend", "two_of_three", "run")
STATUSES = ("ok", "too_few_points")
TOO_FEW = "too few points for SPC"

#: Text equivalents of the variation icons, by (variation, side of the signal).
VARIATION_TEXT: dict[tuple[str, str], str] = {
    ("common_cause", ""): "Common cause variation",
    ("improvement", "high"): "Special cause improving variation - higher",
    ("improvement", "low"): "Special cause improving variation - lower",
    ("concern", "high"): "Special cause concerning variation - higher",
    ("concern", "low"): "Special cause concerning variation - lower",
    ("neutral", "high"): "Special cause neutral variation - higher",
    ("neutral", "low"): "Special cause neutral variation - lower",
}
#: Text equivalents of the assurance icons.
ASSURANCE_TEXT: dict[str, str] = {
    "consistently_passing": "Variation indicates consistently passing the target",
    "consistently_failing": "Variation indicates consistently failing the target",
    "hit_and_miss": "Variation indicates inconsistently passing and failing the target (hit and miss)",
}
#: Which icon each variation or assurance is drawn with (names as NHSRplotthedots' icon files).
VARIATION_ICON: dict[tuple[str, str], str] = {
    ("common_cause", ""): "common_cause",
    **{(v, s): f"{v}_{s}" for v in ("improvement", "concern", "neutral") for s in ("high", "low")},
}
ASSURANCE_ICON: dict[str, str] = {
    "consistently_passing": "pass",
    "consistently_failing": "fail",
    "hit_and_miss": "inconsistent",
}

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_RULE_LABELS = np.array(("",) + RULES, dtype=object)
_VARIATION_LABELS = np.array(VARIATIONS + (None,), dtype=object)
_SIDE_LABELS = np.array(("low", "", "high"), dtype=object)


def icon_texts(variation: str | None, side: str = "", assurance: str | None = None) -> tuple[str, str | None]:
    """The words a reader gets for the two icons: the variation's, and the assurance's (None without one).

    A result with too few points has no variation: its text is "too few points for SPC".
    """
    text = TOO_FEW if variation is None else VARIATION_TEXT[(variation, side if variation != "common_cause" else "")]
    return text, None if assurance is None else ASSURANCE_TEXT[assurance]


@dataclass(frozen=True)
class SpcResult:
    """One indicator's XmR chart: every point, every phase, and what the latest point says.

    ``points`` has one row per observed period (see :func:`xmr_all` for the columns);
    ``phases`` one row per phase (``phase``, ``start``, ``end``, ``points``, ``baseline_points``,
    ``mean``, ``mr_bar``, ``lower``, ``upper``, ``status``). ``variation`` and ``side`` are the
    latest point's (as the reference's variation icon); ``assurance`` is None without a target,
    for polarity ``none``, or when the latest phase has too few points.
    """

    points: pd.DataFrame
    phases: pd.DataFrame
    status: str
    note: str
    variation: str | None
    side: str
    assurance: str | None
    missing: int

    @property
    def reliable(self) -> bool:
        """Whether the latest phase has enough points for its limits to be charted and read."""
        return self.status == "ok"


@dataclass(frozen=True)
class SpcTable:
    """SPC for a set of indicators: ``points`` and ``phases`` (long, with an ``indicator`` column)
    and ``summary`` (one row per indicator: status, note, variation, side, assurance, the latest
    phase's mean and limits, counts of improvement and concern points)."""

    points: pd.DataFrame
    phases: pd.DataFrame
    summary: pd.DataFrame


def xmr(
    values: pd.Series,
    *,
    polarity: str,
    target: float | None = None,
    baseline: int | None = None,
    rebase_at: Iterable[str] = (),
    min_points: int = MIN_POINTS,
    screen_outliers: bool = True,
) -> SpcResult:
    """The XmR chart of one indicator: ``values`` indexed by period ('YYYY-MM'), NaN where missing.

    ``polarity`` is ``"higher"``, ``"lower"`` or ``"none"`` (as in ``indicators.csv``);
    ``baseline`` fixes each phase's mean and limits on its first N points (N >= 12);
    ``rebase_at`` lists the periods from which a new phase starts.
    """
    frame = pd.DataFrame({"indicator": "", "period": values.index.astype(str), "value": values.to_numpy()})
    indicators = pd.DataFrame({"polarity": [polarity], "target": [np.nan if target is None else target]}, index=[""])
    rebase = pd.DataFrame({"indicator": "", "period": [str(p) for p in rebase_at]})
    table = xmr_all(
        frame, indicators, baseline=baseline, rebase=rebase, min_points=min_points, screen_outliers=screen_outliers
    )
    row = table.summary.iloc[0]
    return SpcResult(
        points=table.points.drop(columns="indicator"),
        phases=table.phases.drop(columns="indicator"),
        status=row["status"],
        note=row["note"],
        variation=row["variation"],
        side=row["side"],
        assurance=row["assurance"],
        missing=int(row["missing"]),
    )


def xmr_all(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    baseline: int | None = None,
    rebase: pd.DataFrame | None = None,
    min_points: int = MIN_POINTS,
    screen_outliers: bool = True,
) -> SpcTable:
    """XmR charts for many indicators in one vectorised pass.

    ``values``: long frame with ``indicator``, ``period`` ('YYYY-MM') and ``value`` (NaN = missing).
    ``indicators``: indexed by indicator id, with ``polarity`` and optionally ``target`` (NaN = none)
    and ``baseline`` (points to fix limits on, NaN = none; overrides the ``baseline`` argument).
    ``rebase``: optional frame of ``indicator`` and ``period``: a new phase from each.

    ``points`` columns: indicator, period, value, phase, mean, lower, upper, near_lower, near_upper
    (the two-thirds lines), moving_range (NaN at a phase's first point), screened (left out of
    MR-bar), in_baseline, the four rule flags ``outside_limits``, ``trend``, ``two_of_three``, ``run``
    (each rule on its own), ``special_cause`` (the rule that decides the point, "" for none),
    ``variation`` (None where the phase has too few points) and ``side`` ("high", "low" or "").
    """
    _check_numbers(baseline, min_points)
    if not indicators.index.is_unique:
        raise ValueError("indicators: an indicator id appears more than once")
    polarity = indicators["polarity"].astype(object)
    bad = sorted(str(p) for p in set(polarity) - {"higher", "lower", "none"})
    if bad:
        raise ValueError(f"polarity must be 'higher', 'lower' or 'none' (found {', '.join(map(str, bad))})")
    ids = indicators.index
    data = values.loc[:, ["indicator", "period", "value"]]
    unknown = pd.Index(data["indicator"].unique()).difference(ids)
    if len(unknown):
        raise ValueError(f"values for indicators not in the indicators frame: {', '.join(map(str, unknown[:5]))}")
    code = ids.get_indexer(data["indicator"])
    month = _months(data["period"])
    y = data["value"].to_numpy(dtype=float, na_value=np.nan)
    order = np.lexsort((month, code))
    code, month, y = code[order], month[order], y[order]
    dupe = (np.diff(code) == 0) & (np.diff(month) == 0)
    if dupe.any():
        i = int(np.flatnonzero(dupe)[0])
        raise ValueError(f"a period appears twice for one indicator: {ids[code[i]]} {_period_text(month[i])}")
    missing = np.bincount(code[np.isnan(y)], minlength=len(ids))
    keep = ~np.isnan(y)
    code, month, y = code[keep], month[keep], y[keep]

    phase_key = _phase_keys(code, month, ids, rebase)
    base_n = np.full(len(ids), np.inf if baseline is None else float(baseline))
    if "baseline" in indicators.columns:
        own = indicators["baseline"].to_numpy(dtype=float, na_value=np.nan)
        _check_numbers(own[~np.isnan(own)], min_points)
        base_n = np.where(np.isnan(own), base_n, own)
    lower_is_better = (polarity == "lower").to_numpy()
    rated = (polarity != "none").to_numpy()

    core = _xmr_core(y, code, phase_key, base_n[code], min_points, screen_outliers)
    direction = core["direction"]
    good = np.where(lower_is_better[code], -direction, direction)
    variation = np.where(direction == 0, 0, np.where(rated[code], np.where(good > 0, 1, 2), 3))
    variation = np.where(core["reliable"], variation, 4)

    n = len(y)
    starts = core["starts"]
    group_code = code[starts] if n else code
    phase_no = np.arange(len(starts)) - np.searchsorted(group_code, group_code) + 1  # phases count from 1
    points = pd.DataFrame(
        {
            "indicator": pd.Categorical.from_codes(code, categories=ids),
            "period": _period_text(month),
            "value": y,
            "phase": phase_no[core["group"]] if n else np.zeros(0, int),
            "mean": core["mean"],
            "lower": core["lower"],
            "upper": core["upper"],
            "near_lower": core["near_lower"],
            "near_upper": core["near_upper"],
            "moving_range": core["moving_range"],
            "screened": core["screened"],
            "in_baseline": core["in_baseline"],
            "outside_limits": core["outside"],
            "trend": core["trend"],
            "two_of_three": core["two_of_three"],
            "run": core["run"],
            "special_cause": _RULE_LABELS[core["rule"]],
            "variation": _VARIATION_LABELS[variation],
            "side": _SIDE_LABELS[np.where(variation == 4, 0, direction) + 1],
        }
    )
    phases = _phases(points, core, ids, code)
    summary = _summary(points, phases, core, indicators, code, variation, missing, min_points)
    return SpcTable(points=points, phases=phases, summary=summary)


def _month_words(period: str) -> str:
    """'2021-07' -> 'July 2021': the note is read by councillors, not parsed."""
    return month_name(parse_period(period)) if _PERIOD.match(str(period)) else str(period)


def _check_numbers(baseline: object, min_points: int) -> None:
    """Refuse a baseline under 12 points and a minimum that could not make a chart."""
    if min_points < 2:
        raise ValueError(f"min_points must be at least 2 (a chart needs a moving range); got {min_points}")
    values = np.atleast_1d(np.asarray([] if baseline is None else baseline, dtype=float))
    if len(values) and (values.min() < MIN_BASELINE or (values != np.floor(values)).any()):
        raise ValueError(
            f"baseline must be a whole number of at least {MIN_BASELINE} points "
            f"(Making Data Count fixes limits on 12 or more); got {baseline}"
        )


def _months(periods: pd.Series) -> np.ndarray:
    """'YYYY-MM' strings as month numbers (year × 12 + month - 1); a malformed period is refused."""
    codes, found = pd.factorize(periods, use_na_sentinel=False)  # hashing: a few distinct months
    uniques = [str(p) for p in found]
    wrong = [p for p in uniques if not _PERIOD.match(p)]
    if wrong:
        raise ValueError(f"periods must be 'YYYY-MM' (found {', '.join(wrong[:5])})")
    parsed = np.array([int(p[:4]) * 12 + int(p[5:7]) - 1 for p in uniques], dtype=np.int64)
    months: np.ndarray = parsed[codes.reshape(-1)]
    return months


def _period_text(month: np.ndarray | np.integer) -> np.ndarray:
    """Month numbers back to 'YYYY-MM'."""
    m = np.atleast_1d(np.asarray(month, dtype=np.int64))
    inverse, uniques = pd.factorize(m)
    text = np.array([f"{u // 12:04d}-{u % 12 + 1:02d}" for u in uniques], dtype=object)
    out: np.ndarray = text[inverse]
    return out


def _phase_keys(code: np.ndarray, month: np.ndarray, ids: pd.Index, rebase: pd.DataFrame | None) -> np.ndarray:
    """For each observed point, how many of its indicator's rebase periods are on or before it."""
    if rebase is None or rebase.empty:
        return np.zeros(len(code), dtype=np.int64)
    r_code = ids.get_indexer(rebase["indicator"])
    unknown = r_code < 0
    if unknown.any():
        raise ValueError(f"rebase for indicators not in the indicators frame: {set(rebase['indicator'][unknown])}")
    r_month = _months(rebase["period"])
    r = np.unique(np.stack([r_code, r_month]), axis=1)
    # one key per (indicator, month): rebase periods sort before a point of the same month
    r_key = r[0] * (1 << 32) + r[1] * 2
    p_key = code.astype(np.int64) * (1 << 32) + month * 2 + 1
    before = np.searchsorted(r_key, p_key)  # rebase periods of any indicator up to this point
    first = np.searchsorted(r_key, code.astype(np.int64) * (1 << 32))  # ... of earlier indicators
    keys: np.ndarray = before - first
    return keys


def _group_sum(g: np.ndarray, x: np.ndarray, groups: int) -> np.ndarray:
    sums: np.ndarray = np.bincount(g, weights=x, minlength=groups)
    return sums


def _xmr_core(
    y: np.ndarray,
    code: np.ndarray,
    phase_key: np.ndarray,
    base_n: np.ndarray,
    min_points: int,
    screen_outliers: bool,
) -> dict[str, Any]:
    """Limits and rules for points sorted by indicator then period (no NaN); one group per phase."""
    n = len(y)
    new = np.ones(n, dtype=bool)
    new[1:] = (code[1:] != code[:-1]) | (phase_key[1:] != phase_key[:-1])
    starts = np.flatnonzero(new)
    g = np.cumsum(new) - 1
    groups = len(starts)
    size = np.diff(np.append(starts, n))
    pos = np.arange(n) - starts[g] if n else np.zeros(0, dtype=np.int64)
    same_prev = ~new  # the point before is in the same phase
    same_next = np.append(same_prev[1:], False)

    # mean and MR-bar from the baseline points (all of the phase without a baseline), kept as the
    # sums and counts they are made of, so every comparison can be decided on the typed figures
    in_base = pos < base_n
    sum_g = _group_sum(g, np.where(in_base, y, 0.0), groups)
    count_g = _group_sum(g, in_base.astype(float), groups)
    mr = np.full(n, np.nan)
    mr[1:] = _typed_distance(y[1:], y[:-1])
    mr[~same_prev] = np.nan
    counted = same_prev & in_base  # a moving range whose both points are in the baseline
    mr0 = np.where(counted, mr, 0.0)
    mr_sum0_g = _group_sum(g, mr0, groups)
    mr_count0_g = _group_sum(g, counted.astype(float), groups)
    kept = counted.copy()
    if screen_outliers and n:
        # keep a moving range only strictly below 3.267 x their mean (as the reference):
        # 3.267 x sum - range x count > 0; all-zero moving ranges are all kept (limits on the mean)
        below_screen = decide(
            _screen_margin,
            (mr0, mr_sum0_g[g], mr_count0_g[g], SCREEN),
            _screen_scale,
            strict=True,
            where=counted & (mr_sum0_g[g] > 0),
        )
        kept &= below_screen | (mr_sum0_g[g] == 0)
    mr_sum_g = _group_sum(g, np.where(kept, mr, 0.0), groups)
    mr_count_g = _group_sum(g, kept.astype(float), groups)
    reliable_g = size >= min_points
    sum_g = np.where(reliable_g, sum_g, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_g = sum_g / count_g
        amr_g = mr_sum_g / mr_count_g
    mean, amr = mean_g[g], amr_g[g]
    upper, lower = mean + LIMIT * amr, mean - LIMIT * amr
    near_upper, near_lower = mean + NEAR * amr, mean - NEAR * amr
    reliable = reliable_g[g]
    lines = _Lines(y, starts, size, in_base, kept, sum_g, count_g, mr_sum_g, mr_count_g)

    # rule 1: outside the limits (on a limit is inside)
    over_mean, under_mean = lines.beyond_both(y, g, 0)
    side = over_mean.astype(np.int8) - under_mean  # +1 above the mean, 0 on it
    above, below = lines.beyond_both(y, g, LIMIT)
    outside = above | below
    near_above, near_below = lines.beyond_both(y, g, NEAR)
    close = ~outside & (near_above | near_below)

    # rule 2: a run of 7 or more on one side of the mean (a point on the mean breaks it)
    run = _in_long_stretch(side, same_prev, RUN) & (side != 0)

    # rule 3: a trend of 7 points (6 steps) all rising or all falling (a tie breaks it)
    step = np.zeros(n, dtype=np.int8)
    if n:
        step[1:] = compare(y[1:], y[:-1])
    step[~same_prev] = 0
    trend_step = _in_long_stretch(step, same_prev, TREND - 1) & (step != 0)
    next_trend_step = np.append(trend_step[1:], False) & same_next
    trend = trend_step | next_trend_step
    trend_direction = np.where(next_trend_step, np.append(step[1:], 0), step)

    # rule 4: 2 of 3 points close to a limit, all three on the same side of the mean
    two_of_three = np.zeros(n, dtype=bool)
    if n >= 3:
        c = close.astype(np.int8)
        s = side.astype(np.int64)
        window = (
            (c[:-2] + c[1:-1] + c[2:] >= 2) & (np.abs(s[:-2] + s[1:-1] + s[2:]) == 3) & same_prev[1:-1] & same_prev[2:]
        )
        member = np.zeros(n, dtype=bool)
        member[:-2] |= window
        member[1:-1] |= window
        member[2:] |= window
        two_of_three = member & close

    outside &= reliable
    trend &= reliable
    two_of_three &= reliable
    run &= reliable
    rule = np.select([outside, trend, two_of_three, run], [1, 2, 3, 4], 0)
    direction = np.select([rule == 1, rule == 2, rule >= 3], [np.where(above, 1, -1), trend_direction, side], 0)
    return {
        "group": g,
        "lines": lines,
        "starts": starts,
        "size": size,
        "mean": mean,
        "mr_bar": amr,
        "upper": upper,
        "lower": lower,
        "near_upper": near_upper,
        "near_lower": near_lower,
        "moving_range": mr,
        "screened": counted & ~kept,
        "in_baseline": in_base,
        "base_points": _group_sum(g, in_base.astype(float), groups).astype(np.int64),
        "reliable": reliable,
        "reliable_g": reliable_g,
        "outside": outside,
        "trend": trend,
        "two_of_three": two_of_three,
        "run": run,
        "rule": rule,
        "direction": direction.astype(np.int8),
    }


def _typed_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| as the float nearest the difference of the typed figures.

    Two figures of 15 significant digits differ by a whole number of units of the larger one's 15th
    digit; the float subtraction is off by the binary error of each figure, which for close figures
    (2.51 and 2.49) is large beside their difference. Rounding to that unit removes it, so a moving
    range reads as the decimal it is (0.02), and sums of moving ranges can be decided exactly.
    """
    big = np.maximum(np.abs(a), np.abs(b))
    exponent = np.floor(np.log10(np.where(big > 0, big, 1.0)))
    unit = 10.0 ** (exponent - (SIGNIFICANT_DIGITS - 1))
    distance: np.ndarray = np.round(np.abs(a - b) / unit) * unit
    return distance


@dataclass(frozen=True)
class _Lines:
    """The sums each phase's mean and MR-bar are made of, to decide which side of a line a figure is on.

    The mean is ``total / count`` and MR-bar ``mr_total / mr_count``; a test multiplies both divisions
    out, works in floats for every row, and again in Decimal on the typed figures of the phase for the
    few rows whose float margin is too small to trust (a figure typed on a limit, such as 16.32 for
    11 + 2.66 x 2, is on it however the float sums cancelled).
    """

    y: np.ndarray
    starts: np.ndarray
    size: np.ndarray
    in_base: np.ndarray
    kept: np.ndarray
    total: np.ndarray
    count: np.ndarray
    mr_total: np.ndarray
    mr_count: np.ndarray
    _cache: dict[int, tuple[Decimal, Decimal, Decimal, Decimal]] = field(default_factory=dict)
    _whole_phases: list[np.ndarray] = field(default_factory=list)

    def beyond(self, x: np.ndarray, group: np.ndarray, times: float, sign: int) -> np.ndarray:
        """Whether each ``x`` is strictly beyond mean + ``sign`` x ``times`` x MR-bar of its ``group``.

        ``times`` is 0 (the mean itself), :data:`LIMIT` or :data:`NEAR` (kept exact as 5.32 / 3).
        """
        return self.beyond_both(x, group, times, (sign,))[0]

    def beyond_both(
        self, x: np.ndarray, group: np.ndarray, times: float, signs: tuple[int, ...] = (1, -1)
    ) -> list[np.ndarray]:
        """:meth:`beyond` for each of ``signs`` (above and below), sharing the work: the two margins
        differ only in the sign of one term (negating a float is exact, so each is as computed alone).
        """
        x = np.asarray(x, dtype=float)
        p, q = (2 * LIMIT, 3.0) if times == NEAR else (float(times), 1.0)
        total, count = self.total[group], self.count[group]
        mr_total, mr_count = (self.mr_total[group], self.mr_count[group]) if p else (0.0, 1.0)
        results = []
        with np.errstate(invalid="ignore"):
            away = q * (x * count - total) * mr_count  # sign x q x ... = +-(q x ...) exactly
            width = p * mr_total * count
            scale = np.abs(q * x * count * mr_count) + np.abs(q * total * mr_count) + np.abs(width)
            # whole figures (counts): the mean's test, and any test with a zero MR-bar, is exact in floats
            trusted = self._whole()[group] & ((p == 0) | (mr_total == 0))
            for sign in signs:
                margin = (away if sign > 0 else -away) - width
                result: np.ndarray = np.asarray(margin > 0)
                near = np.abs(margin) <= NEAR_ZERO * scale
                near &= ~trusted
                results.append(self._decided(result, np.flatnonzero(near), x, group, times, p, sign))
        return results

    def _decided(
        self, result: np.ndarray, near: np.ndarray, x: np.ndarray, group: np.ndarray, times: float, p: float, sign: int
    ) -> np.ndarray:
        """``result`` with the ``near`` rows decided again in Decimal on the typed figures."""
        if not len(near):
            return result
        result = result.copy()
        exact_p, exact_q = (Decimal("5.32"), Decimal(3)) if times == NEAR else (typed(p), Decimal(1))
        with decimal.localcontext(prec=80):
            for i in near:
                e_total, e_count, e_mr_total, e_mr_count = self._exact(int(group[i]))
                if not p:
                    e_mr_total, e_mr_count = Decimal(0), Decimal(1)
                exact = sign * exact_q * (typed(x[i]) * e_count - e_total) * e_mr_count
                result[i] = exact - exact_p * e_mr_total * e_count > 0
        return result

    def _whole(self) -> np.ndarray:
        """Per phase: every figure a whole number small enough for exact float sums and products."""
        if not self._whole_phases:
            small_whole = (self.y == np.round(self.y)) & (np.abs(self.y) < 2.0**20)
            group = np.repeat(np.arange(len(self.starts)), self.size)
            bad = np.bincount(group, weights=~small_whole, minlength=len(self.starts))
            self._whole_phases.append((bad == 0) & (self.size < 2**10))
        return self._whole_phases[0]

    def _exact(self, group: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """A phase's sums in Decimal, on the typed figures (worked out once per phase)."""
        if group in self._cache:
            return self._cache[group]
        rows = np.arange(self.starts[group], self.starts[group] + self.size[group])
        figures = [typed(v) for v in self.y[rows]]
        total = sum((f for f, b in zip(figures, self.in_base[rows]) if b), Decimal(0))
        ranges = [abs(figures[j] - figures[j - 1]) for j in range(1, len(rows)) if self.kept[rows[j]]]
        sums = (total, Decimal(int(self.in_base[rows].sum())), sum(ranges, Decimal(0)), Decimal(len(ranges)))
        self._cache[group] = sums
        return sums


def _screen_margin(mr: Figures, mr_total: Figures, mr_count: Figures, screen: Figures) -> Figures:
    """> 0 when a moving range is below ``screen`` (3.267) x the mean moving range."""
    return screen * mr_total - mr * mr_count


def _screen_scale(mr: Figures, mr_total: Figures, mr_count: Figures, screen: Figures) -> Figures:
    """How large the terms of :func:`_screen_margin` are."""
    return abs(screen * mr_total) + abs(mr * mr_count)


def _in_long_stretch(label: np.ndarray, continues: np.ndarray, length: int) -> np.ndarray:
    """Whether each element is in a stretch of at least ``length`` equal, consecutive labels.

    ``continues`` says where an element may extend the stretch before it (False starts a new one).
    """
    n = len(label)
    if n == 0:
        return np.zeros(0, dtype=bool)
    new = np.ones(n, dtype=bool)
    new[1:] = ~continues[1:] | (label[1:] != label[:-1])
    stretch = np.cumsum(new) - 1
    long: np.ndarray = np.bincount(stretch)[stretch] >= length
    return long


def _phases(points: pd.DataFrame, core: dict[str, Any], ids: pd.Index, code: np.ndarray) -> pd.DataFrame:
    """One row per phase of each indicator."""
    starts = core["starts"]
    ends = np.append(starts[1:], len(points)) - 1 if len(starts) else starts
    reliable = core["reliable_g"]
    return pd.DataFrame(
        {
            "indicator": pd.Categorical.from_codes(code[starts], categories=ids),
            "phase": points["phase"].to_numpy()[starts],
            "start": points["period"].to_numpy()[starts],
            "end": points["period"].to_numpy()[ends],
            "points": core["size"],
            "baseline_points": core["base_points"],
            "mean": core["mean"][starts],
            "mr_bar": core["mr_bar"][starts],
            "lower": core["lower"][starts],
            "upper": core["upper"][starts],
            "status": np.where(reliable, "ok", "too_few_points"),
        }
    )


def _summary(
    points: pd.DataFrame,
    phases: pd.DataFrame,
    core: dict[str, Any],
    indicators: pd.DataFrame,
    code: np.ndarray,
    variation: np.ndarray,
    missing: np.ndarray,
    min_points: int,
) -> pd.DataFrame:
    """One row per indicator: what its latest point and latest phase say (rows sorted by indicator)."""
    ids = indicators.index
    k = len(ids)
    observed = np.bincount(code, minlength=k)
    last = np.searchsorted(code, np.arange(k), side="right") - 1
    has = observed > 0
    last = np.where(has, last, 0)
    phase_code = phases["indicator"].cat.codes.to_numpy()
    n_phases = np.bincount(phase_code, minlength=k)
    last_phase = np.where(has, np.searchsorted(phase_code, np.arange(k), side="right") - 1, 0)

    def at(frame: pd.DataFrame, column: str, rows: np.ndarray, empty: object) -> np.ndarray:
        values = frame[column].to_numpy()
        picked: np.ndarray = values[rows] if len(values) else np.full(k, empty, dtype=object)
        out: np.ndarray = np.where(has, picked, np.array(empty, dtype=object))
        return out

    reliable = at(phases, "status", last_phase, "").astype(object) == "ok"
    in_phase = at(phases, "points", last_phase, 0).astype(int)
    start = at(phases, "start", last_phase, "")
    note = np.array(
        [
            ""
            if ok
            else f"{TOO_FEW}: {m} points"
            + (f" since the rebase in {_month_words(s)}" if p > 1 else "")
            + f", {min_points} needed"
            for ok, m, s, p in zip(reliable, in_phase, start, n_phases)
        ],
        dtype=object,
    )
    target = (
        indicators["target"].to_numpy(dtype=float, na_value=np.nan)
        if "target" in indicators.columns
        else np.full(k, np.nan)
    )
    polarity = indicators["polarity"].to_numpy(dtype=object)
    upper = np.where(reliable, at(phases, "upper", last_phase, np.nan).astype(float), np.nan)
    lower = np.where(reliable, at(phases, "lower", last_phase, np.nan).astype(float), np.nan)
    higher = polarity == "higher"
    lines: _Lines = core["lines"]
    if len(phases):
        # an indicator without points has no phase; its target is tested against NaN sums (never beyond)
        group = np.where(has, last_phase, 0)
        test = np.where(has, target, np.nan)
        beyond_upper = lines.beyond(test, group, LIMIT, 1)
        beyond_lower = lines.beyond(test, group, LIMIT, -1)
    else:
        beyond_upper = beyond_lower = np.zeros(k, dtype=bool)
    assurance = np.where(
        beyond_upper,
        np.where(higher, "consistently_failing", "consistently_passing"),
        np.where(beyond_lower, np.where(higher, "consistently_passing", "consistently_failing"), "hit_and_miss"),
    ).astype(object)
    assurance[np.isnan(target) | (polarity == "none") | ~reliable] = None
    return pd.DataFrame(
        {
            "polarity": polarity,
            "target": target,
            "points": observed,
            "missing": missing,
            "phases": n_phases,
            "latest_period": at(points, "period", last, None),
            "status": np.where(reliable, "ok", "too_few_points"),
            "note": note,
            "mean": np.where(reliable, at(phases, "mean", last_phase, np.nan).astype(float), np.nan),
            "lower": lower,
            "upper": upper,
            "variation": np.where(reliable, at(points, "variation", last, None), np.array(None, dtype=object)),
            "side": np.where(reliable, at(points, "side", last, ""), ""),
            "assurance": assurance,
            "improvement_points": np.bincount(code, weights=variation == 1, minlength=k).astype(int),
            "concern_points": np.bincount(code, weights=variation == 2, minlength=k).astype(int),
        },
        index=pd.Index(ids, name="indicator"),
    )
