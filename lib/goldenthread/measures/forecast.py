"""Year-end forecasts: where each measure is heading by the end of the financial year, as a range.

A forecast answers one question a Cabinet asks of a measure with an annual target: *will we meet it
by the year end?* So it is made only where there is a target to meet, and given as a range (what the
year so far says could happen), with a likelihood read from where the target falls in that range:

* year-to-date (cumulative) measures continue at the pace they have kept against the year's target
  profile (a straight line when targets.csv gives none): projected = year-to-date figure / profiled
  target to date x year-end target. The range is what the slowest and the fastest step of the year
  so far would give over the rest of the year;
* snapshot measures continue the straight-line trend (least squares) of their last 12 monthly or 8
  quarterly figures to the year's last month; the range is an 80% prediction interval from how far
  the figures have strayed from that line. With 3 to 5 monthly figures (3 quarterly) the latest
  figure is held, with the lowest and highest of them as the range.

Not forecast (``projected`` NaN and a ``reason``): milestones, annual measures, measures without a
target or not rated (polarity none), the year's last month (the outturn is the figure itself),
measures whose latest figure is too old to be current (as the scorecard judges it) and measures with
too few figures. See ``docs/forecasts.md``.

Figures are rounded as a reader sees them: at the indicator's decimals, or more coarsely when the
range is wide (two significant figures of its width, ``places``), the range outward so that "between
X and Y" never claims more than it knows. The likelihood is decided on those shown figures against
the target with :func:`goldenthread.measures.rounding.compare`, as status is: exactly on target meets it.

Vectorised: the per-indicator sums are ``np.bincount``s over the history's rows, so 5,000 indicators
x 120 months take well under a second (``benchmarks/forecast.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldenthread.inputs.contract import UNIT_MINIMUMS
from goldenthread.inputs.periods import financial_year_start, month_name, month_of_year
from goldenthread.measures.rounding import compare, round_half_up
from goldenthread.measures.scorecard import MAX_AGE

COLUMNS = ["year_end", "projected", "low", "high", "target", "likelihood", "method", "reason", "places"]

LIKELY, UNLIKELY, UNCERTAIN = "likely", "unlikely", "uncertain"

#: A projection never goes above this for the unit, unless the indicator's own ``maximum`` is set: a share
#: of premises or people cannot pass 100% however steep its trend. (The contract itself allows a percentage
#: over 100 where the measure is not a share, such as spend against budget: give such a measure a maximum.)
FORECAST_MAXIMUMS = {"percent": 100.0}

#: How a report says each likelihood.
LIKELIHOOD_TEXT = {
    LIKELY: "Likely to meet its target",
    UNLIKELY: "Unlikely to meet its target",
    UNCERTAIN: "May or may not meet its target",
}

#: Figures a year-to-date measure needs in the year before a range means anything (one per step).
MIN_YEAR_TO_DATE = {"monthly": 3, "quarterly": 2}
#: Figures a snapshot measure's straight-line trend is fitted through (the most recent ones), and
#: the fewest it needs; with fewer (but at least :data:`MIN_HELD`) the latest figure is held.
TREND_POINTS = {"monthly": 12, "quarterly": 8}
MIN_TREND = {"monthly": 6, "quarterly": 4}
MIN_HELD = 3
#: A snapshot figure older than this many months is not used for the trend.
TREND_WINDOW = 24

#: One-sided 90% points of Student's t by degrees of freedom (n - 2): the range of a trend is an 80%
#: prediction interval. Large samples tend to 1.2816; a trend here has at most 12 points (10 df).
_T90 = {1: 3.0777, 2: 1.8856, 3: 1.6377, 4: 1.5332, 5: 1.4759, 6: 1.4398, 7: 1.4149, 8: 1.3968, 9: 1.3830, 10: 1.3722}

REASONS = {
    "milestone": "A milestone has a delivery state, not a figure to project.",
    "annual": "An annual measure has one figure a year, so there is nothing within the year to project from.",
    "not_rated": "The measure is monitored, not rated, so there is no target to forecast against.",
    "no_target": "The measure has no target, so there is nothing to forecast against.",
    "year_end": "This is the last month of the financial year: the year-end figure is the outturn, not a forecast.",
    "flat_profile": "The target profile does not rise over the year so far, so no pace can be read from it.",
}


def year_end_forecasts(
    history: pd.DataFrame,
    indicators: pd.DataFrame,
    period: int,
    fy_start_month: int = 4,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A year-end forecast for every indicator as at ``period``, indexed by indicator id.

    ``history`` is :func:`goldenthread.measures.scorecard.observations` (rows after ``period`` are
    ignored): its ``target`` column is each month's effective target, so a year-to-date measure's
    profile to date is the one its status was judged against. The year-end target is the
    ``targets`` row (targets.csv) for the year's last month when one is given, else the indicator's
    target. Columns: :data:`COLUMNS`; ``places`` is the decimal places the figures are shown at.
    """
    ind = indicators.reset_index(drop=True)
    ids = pd.Index(ind["id"])
    n = len(ind)
    year_start = financial_year_start(period, fy_start_month)
    year_end = year_start + 11
    frequency = ind["frequency"].astype(object).to_numpy()
    kind = ind["kind"].astype(object).to_numpy()
    polarity = ind["polarity"].astype(object).fillna("none").to_numpy()
    cumulative = ind["aggregation"].astype(object).to_numpy() == "cumulative"
    decimals = ind["decimals"].to_numpy(dtype=float, na_value=np.nan)
    decimals = np.where(np.isnan(decimals), 0.0, decimals)
    target = _year_end_targets(ind, ids, targets, year_end)

    reason = np.full(n, None, dtype=object)
    for key, where in (
        ("milestone", kind == "milestone"),
        ("annual", frequency == "annual"),
        ("not_rated", ~np.isin(polarity, ("higher", "lower"))),
        ("no_target", np.isnan(target)),
        ("year_end", np.full(n, month_of_year(period, fy_start_month) == 12)),
    ):
        reason[where & (reason == None)] = REASONS[key]  # noqa: E711 (element-wise)
    open_ = reason == None  # noqa: E711

    h = history[history["period"].to_numpy(dtype=np.int64) <= period]
    value = h["value"].to_numpy(dtype=float, na_value=np.nan)
    pos = ids.get_indexer(h["indicator"])
    keep = (pos >= 0) & ~np.isnan(value)
    pos, value = pos[keep], value[keep]
    at = h["period"].to_numpy(dtype=np.int64)[keep]
    row_target = h["target"].to_numpy(dtype=float, na_value=np.nan)[keep]
    order = np.lexsort((at, pos))
    pos, value, at, row_target = pos[order], value[order], at[order], row_target[order]

    projected, low, high = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, None, dtype=object)
    fig = _Figures(pos, value, at, row_target, n)
    _stale(fig, open_, period, frequency, reason)
    open_ &= reason == None  # noqa: E711
    found = (projected, low, high, method, reason)
    _year_to_date(fig, open_ & cumulative, year_start, target, frequency, fy_start_month, *found)
    _snapshot(fig, open_ & ~cumulative, period, year_end, frequency, *found)

    low, high, projected = _clip(ind, low, high, projected)
    places = _places(low, high, decimals)
    low, high, projected = _shown(low, high, projected, places)
    likelihood = _likelihood(low, high, target, polarity == "lower")
    return pd.DataFrame(
        {
            "year_end": np.full(n, year_end, dtype=np.int64),
            "projected": projected,
            "low": low,
            "high": high,
            "target": target,
            "likelihood": likelihood,
            "method": method,
            "reason": reason,
            "places": np.where(np.isnan(projected), decimals, places).astype(np.int64),
        },
        index=pd.Index(ids, name="id"),
    )[COLUMNS]


class _Figures:
    """The history's figures (blank ones dropped), sorted by indicator position then month."""

    def __init__(self, pos: np.ndarray, value: np.ndarray, at: np.ndarray, target: np.ndarray, n: int) -> None:
        self.pos, self.value, self.at, self.target, self.n = pos, value, at, target, n

    def select(self, rows: np.ndarray) -> _Figures:
        return _Figures(self.pos[rows], self.value[rows], self.at[rows], self.target[rows], self.n)

    def count(self) -> np.ndarray:
        counts: np.ndarray = np.bincount(self.pos, minlength=self.n)
        return counts

    def total(self, x: np.ndarray) -> np.ndarray:
        totals: np.ndarray = np.bincount(self.pos, weights=x, minlength=self.n)
        return totals

    def last(self) -> np.ndarray:
        """Row of each indicator's latest figure (-1 where it has none)."""
        rows = np.full(self.n, -1, dtype=np.int64)
        ends = np.flatnonzero(np.r_[self.pos[1:] != self.pos[:-1], True]) if len(self.pos) else np.zeros(0, int)
        rows[self.pos[ends]] = ends  # sorted by month within each indicator: a group's end is its latest
        return rows

    def first_of_group(self) -> np.ndarray:
        return np.r_[True, self.pos[1:] != self.pos[:-1]] if len(self.pos) else np.zeros(0, dtype=bool)

    def extreme(self, x: np.ndarray, ufunc: np.ufunc, fill: float) -> np.ndarray:
        out = np.full(self.n, fill)
        ufunc.at(out, self.pos, np.where(np.isnan(x), fill, x))
        return out


def _year_end_targets(ind: pd.DataFrame, ids: pd.Index, targets: pd.DataFrame | None, year_end: int) -> np.ndarray:
    """The target for the year's last month: a targets.csv row for it wins, else the indicator's."""
    target: np.ndarray = ind["target"].to_numpy(dtype=float, na_value=np.nan).copy()
    if targets is not None and len(targets):
        rows = targets[targets["period"].to_numpy(dtype=float, na_value=np.nan) == year_end]
        at = ids.get_indexer(rows["indicator"])
        hit = at >= 0
        target[at[hit]] = rows["target"].to_numpy(dtype=float, na_value=np.nan)[hit]
    return target


def _stale(fig: _Figures, todo: np.ndarray, period: int, frequency: np.ndarray, reason: np.ndarray) -> None:
    """No forecast from a figure the scorecard no longer counts as current (older than ``MAX_AGE``)."""
    last = fig.last()
    max_age = np.array([MAX_AGE.get(q, 2) for q in frequency])
    latest = np.where(last >= 0, fig.at[np.where(last >= 0, last, 0)] if len(fig.at) else 0, period)
    for i in np.flatnonzero(todo & (last >= 0) & (latest < period - max_age)):
        reason[i] = (
            f"The latest figure ({month_name(int(latest[i]))}) is too old to project from: "
            "the scorecard shows insufficient information."
        )


def _too_few(reason: np.ndarray, short: np.ndarray, need: np.ndarray, have: np.ndarray, where: str) -> None:
    for i in np.flatnonzero(short):
        figures = "figure" if have[i] == 1 else "figures"
        reason[i] = (
            f"Too few figures to project from: it needs at least {need[i]} {where}, and has {have[i]} {figures}."
        )


def _year_to_date(
    fig: _Figures,
    todo: np.ndarray,
    year_start: int,
    target: np.ndarray,
    frequency: np.ndarray,
    fy_start_month: int,
    projected: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    method: np.ndarray,
    reason: np.ndarray,
) -> None:
    """Year-to-date measures: the pace against the profile so far, continued to the year end.

    Each step between consecutive figures this year (the first from zero at the year's start) has a
    pace: the figure's rise over the profiled target's rise. The central projection keeps the pace of
    the year so far (latest figure / profile to date), the range the slowest and fastest step's.
    """
    f = fig.select(todo[fig.pos] & (fig.at >= year_start))
    k = month_of_year(f.at, fy_start_month).astype(float)
    # The profile is the month's effective target; where a month has none, a straight line to the
    # year-end target (which is what observations() profiles without a targets.csv row).
    straight = target[f.pos] * k / 12.0
    profile = np.where(np.isnan(f.target), straight, f.target)
    first = f.first_of_group()
    prev_value = np.where(first, 0.0, np.r_[0.0, f.value[:-1]])
    prev_profile = np.where(first, 0.0, np.r_[0.0, profile[:-1]])
    rise = profile - prev_profile
    with np.errstate(divide="ignore", invalid="ignore"):
        pace = np.where(rise > 0, (f.value - prev_value) / rise, np.nan)
    slowest = f.extreme(pace, np.minimum, np.inf)
    fastest = f.extreme(pace, np.maximum, -np.inf)
    count = f.count()
    last = f.last()

    need = np.array([MIN_YEAR_TO_DATE.get(q, 3) for q in frequency])
    short = todo & (count < need)
    _too_few(reason, short, need, count, "this year")
    ok = todo & ~short
    latest = np.where(last >= 0, last, 0)
    now_value = _value_at(f, last)
    now_profile = _value_at(_Figures(f.pos, profile, f.at, f.target, f.n), last)
    flat = ok & (~(now_profile > 0) | ~np.isfinite(slowest))
    reason[flat] = REASONS["flat_profile"]
    ok &= ~flat
    with np.errstate(divide="ignore", invalid="ignore"):
        keep_pace = now_value / now_profile * target
    ahead = target - now_profile
    with np.errstate(invalid="ignore"):
        ends = np.stack([now_value + ahead * slowest, now_value + ahead * fastest])
    projected[ok] = keep_pace[ok]
    low[ok] = ends.min(axis=0)[ok]
    high[ok] = ends.max(axis=0)[ok]

    months = month_of_year(f.at[latest], fy_start_month) if len(f.at) else np.zeros(fig.n, dtype=np.int64)
    # Said to follow a profile when any month so far differs from the straight line (targets.csv rows).
    profiled = f.total((compare(profile, straight) != 0).astype(float)) > 0
    for i in np.flatnonzero(ok):
        upto = month_name(int(f.at[latest[i]]))
        m = int(months[i])
        rest = "the remaining month" if m == 11 else f"the remaining {12 - m} months"
        span = f"the first {m} months, to {upto}," if m > 1 else f"the first month, {upto},"
        if profiled[i]:
            method[i] = (
                f"Projected from {span} at the pace kept so far against the year's target profile; "
                f"the range is what the slowest and the fastest {_step(frequency[i])} so far would give "
                f"over {rest}."
            )
        else:
            method[i] = (
                f"Projected from {span} at the same average monthly rate for the rest of the year; "
                f"the range is what the slowest and the fastest {_step(frequency[i])} so far would give "
                f"over {rest}."
            )


def _step(frequency: str) -> str:
    return "quarter" if frequency == "quarterly" else "month"


def _snapshot(
    fig: _Figures,
    todo: np.ndarray,
    period: int,
    year_end: int,
    frequency: np.ndarray,
    projected: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    method: np.ndarray,
    reason: np.ndarray,
) -> None:
    """Snapshot measures: the least-squares line through the latest figures, carried to the year end."""
    f = fig.select(todo[fig.pos] & (fig.at > period - TREND_WINDOW))
    points = np.array([TREND_POINTS.get(q, 12) for q in frequency])
    # Keep each indicator's most recent ``points`` figures: rank rows from the end of their group.
    last = f.last()
    from_end = last[f.pos] - np.arange(len(f.pos))
    f = f.select(from_end < points[f.pos])
    count = f.count()
    need_trend = np.array([MIN_TREND.get(q, 6) for q in frequency])
    short = todo & (count < MIN_HELD)
    _too_few(reason, short, np.full(fig.n, MIN_HELD), count, f"in the last {TREND_WINDOW} months")
    trend = todo & (count >= need_trend)
    held = todo & ~short & ~trend

    x = (f.at - period).astype(float)  # months from the report period: small numbers, exact sums
    nn = np.maximum(count, 1)
    x_mean = f.total(x) / nn
    y_mean = f.total(f.value) / nn
    dx, dy = x - x_mean[f.pos], f.value - y_mean[f.pos]
    sxx, sxy = f.total(dx * dx), f.total(dx * dy)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = sxy / sxx
        residual = f.value - (y_mean[f.pos] + slope[f.pos] * dx)
        spread = np.sqrt(f.total(residual * residual) / (count - 2))
        x0 = float(year_end - period)
        fitted = y_mean + slope * (x0 - x_mean)
        error = spread * np.sqrt(1.0 + 1.0 / nn + (x0 - x_mean) ** 2 / sxx)
    t = np.array([_T90.get(int(c) - 2, 1.2816) for c in count])
    projected[trend] = fitted[trend]
    low[trend] = (fitted - t * error)[trend]
    high[trend] = (fitted + t * error)[trend]

    projected[held] = _value_at(f, f.last())[held]
    low[held] = f.extreme(f.value, np.minimum, np.inf)[held]
    high[held] = f.extreme(f.value, np.maximum, -np.inf)[held]

    first_at = f.extreme(f.at.astype(float), np.minimum, np.inf)
    last_at = f.extreme(f.at.astype(float), np.maximum, -np.inf)
    to = month_name(year_end)
    for i in np.flatnonzero(trend):
        kind = "quarterly" if frequency[i] == "quarterly" else "monthly"
        span = f"{month_name(int(first_at[i]))} to {month_name(int(last_at[i]))}"
        method[i] = (
            f"Projected by continuing the straight-line trend of the last {count[i]} {kind} figures "
            f"({span}) to {to}; the range is where the figure would fall four times in five if it keeps "
            "straying from that trend as much as it has."
        )
    for i in np.flatnonzero(held):
        method[i] = (
            f"Held at the latest figure ({month_name(int(last_at[i]))}), because {count[i]} figures in the "
            f"last {TREND_WINDOW} months are too few for a trend (it needs {need_trend[i]}); "
            "the range is the lowest to the highest of them."
        )


def _value_at(f: _Figures, rows: np.ndarray) -> np.ndarray:
    """Each indicator's figure at ``rows`` (a row per indicator, -1 for none: NaN)."""
    if not len(f.value):
        return np.full(len(rows), np.nan)
    return np.where(rows >= 0, f.value[np.where(rows >= 0, rows, 0)], np.nan)


def _clip(ind: pd.DataFrame, low: np.ndarray, high: np.ndarray, projected: np.ndarray) -> tuple[np.ndarray, ...]:
    """Keep projections inside the figures a measure can take: a percentage is never below 0, nor (unless the
    indicator's own ``maximum`` says otherwise) above 100, whatever a straight line says."""
    unit_floor = ind["unit"].astype(object).map(UNIT_MINIMUMS).to_numpy(dtype=float, na_value=np.nan)
    floor = ind["minimum"].to_numpy(dtype=float, na_value=np.nan) if "minimum" in ind else np.full(len(ind), np.nan)
    floor = np.where(np.isnan(floor), unit_floor, floor)
    unit_ceiling = ind["unit"].astype(object).map(FORECAST_MAXIMUMS).to_numpy(dtype=float, na_value=np.nan)
    ceiling = ind["maximum"].to_numpy(dtype=float, na_value=np.nan) if "maximum" in ind else np.full(len(ind), np.nan)
    ceiling = np.where(np.isnan(ceiling), unit_ceiling, ceiling)
    lo = np.where(np.isnan(floor), -np.inf, floor)
    hi = np.where(np.isnan(ceiling), np.inf, ceiling)
    return tuple(np.clip(v, lo, hi) for v in (low, high, projected))


def _places(low: np.ndarray, high: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Decimal places to show a range at: the indicator's, or fewer when the range is wide.

    Two significant figures of the range's width: a range 222 wide is shown to the ten
    ("between 1,230 and 1,460"), one 3.4 wide to one place; never more places than the indicator has.
    """
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        coarse = 1.0 - np.floor(np.log10(width))
    places: np.ndarray = np.where(width > 0, np.minimum(decimals, coarse), decimals)
    return np.where(np.isfinite(places), places, decimals)


def _shown(low: np.ndarray, high: np.ndarray, projected: np.ndarray, places: np.ndarray) -> tuple[np.ndarray, ...]:
    """The range rounded outward at ``places`` (it never shrinks), the projection half up inside it."""
    unit = np.where(places >= 0, 10.0 ** -np.abs(places), 10.0 ** np.abs(places))
    lo = round_half_up(low, places)
    hi = round_half_up(high, places)
    lo = np.where(compare(lo, low) > 0, round_half_up(lo - unit, places), lo)
    hi = np.where(compare(hi, high) < 0, round_half_up(hi + unit, places), hi)
    mid = np.clip(round_half_up(projected, places), lo, hi)
    return lo, hi, mid


def _likelihood(low: np.ndarray, high: np.ndarray, target: np.ndarray, lower_is_better: np.ndarray) -> np.ndarray:
    """'likely' when the whole range meets the target, 'unlikely' when none of it does, else 'uncertain'."""
    sign = np.where(lower_is_better, -1.0, 1.0)
    low_meets = sign * compare(low, target) >= 0  # exactly on target meets it, as in status
    high_meets = sign * compare(high, target) >= 0
    out = np.where(low_meets & high_meets, LIKELY, np.where(low_meets | high_meets, UNCERTAIN, UNLIKELY))
    result: np.ndarray = out.astype(object)
    result[np.isnan(low) | np.isnan(target)] = None
    return result
