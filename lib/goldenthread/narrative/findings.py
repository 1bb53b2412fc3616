"""Find the stories in the data: what a performance team would call an area of success or concern.

Each finding is one record: indicator, ``kind``, ``direction`` (success or concern), a strength
``score``, the figures behind it and a drafted sentence (see :mod:`goldenthread.narrative.wording`). Every
kind is worked out for all indicators at once over the history sorted by indicator and period,
so thousands of indicators take about a second. Polarity ``none`` never gives a claim: without a
better direction there is no success or concern.

Kinds, as at each indicator's latest current figure:

* ``improving_run`` / ``worsening_run``: the current run of periods each better (worse) than
  the one before. Periods are counted as seed reports count them: improvement from December to
  July is "8 months". A gap in the data or an unchanged figure ends the run.

Everything that compares one period with the one before it (runs, missed targets, status changes,
milestone runs) stays within a *segment*: consecutive periods of the indicator's frequency with no
gap, and for a cumulative (year-to-date) measure within one financial year, since April's total
starts again from zero and joining it to March's would compare two different years. Across years a
cumulative measure is only compared like with like: the same month a year earlier.

Whether a figure met its target is judged on the computed status (a fact about the figure); status
changes are judged on the status the report shows, which may be a senior override, and the finding
carries ``overridden`` and ``override_reason`` so that the drafted sentence says so.
* ``record_best`` / ``record_worst``: best (worst) since records began; failing that, within
  the last :data:`RECORD_YEARS` years. Ties are not records.
* ``target_missed``: off target for the last N periods after being on target before them.
* ``status_improved`` / ``status_worsened``: status changed since the previous period;
  ``first_on_target``: on target for the first time.
* ``milestone_complete``, ``milestone_slipped`` (to at risk or off track), ``milestone_off_track``.
* ``large_change`` / ``large_change_year``: a movement against the previous period (or the same
  period last year) bigger than 3.27 times the indicator's own average movement, the upper limit
  of a moving-range chart in statistical process control, so noisy measures do not dominate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldenthread.inputs.contract import STATUS_KEYS
from goldenthread.inputs.periods import financial_year
from goldenthread.measures.direction_of_travel import FREQUENCY_STEP
from goldenthread.measures.rounding import half_up_units

MIN_RUN = 4  # periods, i.e. three improvements in a row
MIN_HISTORY_FOR_RECORD = 6
RECORD_YEARS = 3
MR_LIMIT = 3.27  # upper range limit of an XmR chart's moving range, in units of the mean moving range
MIN_MOVES = 5  # movements of history needed before "larger than usual" means anything

COLUMNS = [
    "indicator",
    "kind",
    "direction",
    "score",
    "period",
    "value",
    "target",
    "polarity",
    "status",
    "milestone_status",
    "start_period",
    "start_value",
    "length",
    "previous_status",
    "values",
    "periods",
    "targets",
    "aggregation",
    "computed_status",
    "overridden",
    "override_reason",
    "previous_overridden",
]


def _streak(flag: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """Length of the run of ``True`` ending at each row, not reaching back past the group's start."""
    idx = np.arange(len(flag))
    last_break = np.maximum.accumulate(np.maximum(np.where(~flag, idx, -1), group_start - 1)) if len(flag) else idx
    return np.where(flag, idx - last_break, 0)


def _shift(values: np.ndarray, first: np.ndarray, fill: object = np.nan) -> np.ndarray:
    """Each row's previous row within its group (``fill`` on a group's first row)."""
    out = np.empty_like(values)
    out[1:] = values[:-1]
    out[first] = fill
    return out


def find(history: pd.DataFrame, current: pd.Series, fy_start_month: int = 4) -> pd.DataFrame:
    """Findings for each indicator, judged at its current period.

    ``history`` is an observations frame (:func:`goldenthread.measures.scorecard.observations`) cut at the
    report period; ``current`` maps indicator id -> the period of its latest current figure (the
    scorecard's ``as_at``). Indicators with no current figure give no findings.
    ``fy_start_month`` places the financial year's boundary, across which a year-to-date measure's
    periods are never compared with each other.
    """
    has_data = history["value"].notna() | history["milestone_status"].notna()
    h = history[has_data].sort_values(["indicator", "period"], kind="stable").reset_index(drop=True)
    if h.empty:
        return pd.DataFrame(columns=COLUMNS)
    n = len(h)
    idx = np.arange(n)
    ind = h["indicator"].to_numpy()
    first = np.r_[True, ind[1:] != ind[:-1]]
    last = np.r_[ind[1:] != ind[:-1], True]
    group_start = np.maximum.accumulate(np.where(first, idx, 0))
    groups = np.cumsum(first) - 1  # integer group per indicator: cheaper to group by than the ids
    period = h["period"].to_numpy(dtype=np.int64)
    as_at = pd.Series(current).dropna().astype(np.int64)
    pos_current = np.flatnonzero(last & (period == as_at.reindex(ind).to_numpy(dtype=float, na_value=np.nan)))

    value = h["value"].to_numpy(dtype=float, na_value=np.nan)
    polarity = h["polarity"].astype(object).to_numpy()
    lower = polarity == "lower"
    kind = h["kind"].astype(object).to_numpy()
    milestone = kind == "milestone"
    measure = (kind == "measure") & (polarity != "none")
    aggregation = h["aggregation"].astype(object).to_numpy()
    snapshot = aggregation == "snapshot"
    status = h["status"].astype(object).to_numpy()
    computed = h["computed_status"].astype(object).to_numpy() if "computed_status" in h else status
    overridden = h["overridden"].to_numpy(dtype=bool) if "overridden" in h else np.zeros(n, dtype=bool)
    reason = h["override_reason"].to_numpy(dtype=object) if "override_reason" in h else np.full(n, None)
    dot = h["dot_previous"].astype(object).to_numpy()
    target = h["target"].to_numpy(dtype=float)
    state = h["milestone_status"].astype(object).to_numpy()
    # Records are judged on the figures as a reader sees them (rounded half up at the indicator's
    # decimals): 94.414 is not a new best after 94.411 when both read 94.41. Bigger is better,
    # whatever the polarity.
    decimals = h["decimals"].to_numpy(dtype=float, na_value=np.nan)
    shown = half_up_units(value, np.nan_to_num(decimals, nan=0.0))
    good = np.where(lower, -shown, shown)
    n_before = idx - group_start  # earlier figures for the same indicator
    # A row continues its segment when the row before is exactly one period of the indicator's
    # frequency earlier and, for a year-to-date measure, in the same financial year.
    step = h["frequency"].astype(object).map(FREQUENCY_STEP).to_numpy(dtype=np.int64)
    fy = financial_year(period, fy_start_month)
    continues = ~first & (period - _shift(period, first, 0) == step) & (snapshot | (fy == _shift(fy, first, 0)))
    segment_start = np.maximum.accumulate(np.where(continues, 0, idx))

    rows: list[dict] = []

    def add(kind: str, direction: str, score: np.ndarray | float, where: np.ndarray, **extra: np.ndarray) -> None:
        score = np.broadcast_to(np.asarray(score, dtype=float), (n,))
        for p in pos_current[where[pos_current]]:
            rec = {
                "indicator": ind[p],
                "kind": kind,
                "direction": direction,
                "score": float(score[p]),
                "period": int(period[p]),
                "value": value[p],
                "target": target[p],
                "polarity": polarity[p],
                "status": status[p],
                "milestone_status": state[p],
                "aggregation": aggregation[p],
                "computed_status": computed[p],
                "overridden": bool(overridden[p]),
                "override_reason": reason[p] if overridden[p] else None,
                "previous_overridden": bool(overridden[p - 1]) if continues[p] else False,
            }
            rec.update({k: v[p] for k, v in extra.items()})
            rows.append(rec)

    # Runs of improvement or decline (snapshot measures: a year-to-date total rises by construction).
    for word, direction, name in (("improving", "success", "improving_run"), ("worsening", "concern", "worsening_run")):
        run = _streak(dot == word, segment_start) + 1  # periods, counting the one the run started from
        start = idx - (run - 1)
        add(
            name,
            direction,
            30 + 6 * np.minimum(run, 12),
            measure & snapshot & (run >= MIN_RUN),
            length=run,
            start_period=period[start],
            start_value=value[start],
        )

    # Records: best or worst since records began, else within the last RECORD_YEARS years.
    best_before = _shift(pd.Series(good).groupby(groups).cummax().to_numpy(), first, -np.inf)
    worst_before = _shift(pd.Series(good).groupby(groups).cummin().to_numpy(), first, np.inf)
    recordable = measure & snapshot & (n_before >= MIN_HISTORY_FOR_RECORD)
    ever_best, ever_worst = recordable & (good > best_before), recordable & (good < worst_before)
    add("record_best", "success", 65, ever_best, length=n_before + 1)
    add("record_worst", "concern", 65, ever_worst, length=n_before + 1)
    recent_best, recent_worst = _recent_extremes(groups, period, good, pos_current, RECORD_YEARS * 12)
    span = period - period[group_start]
    years = np.full(n, RECORD_YEARS)
    long_enough = recordable & (span > RECORD_YEARS * 12)
    add("record_best_years", "success", 45, long_enough & ~ever_best & (good > recent_best), length=years)
    add("record_worst_years", "concern", 45, long_enough & ~ever_worst & (good < recent_worst), length=years)

    # Target missed for the last N periods after meeting it: a fact about the figures, so judged on
    # the computed status, within one segment (never March's total against April's).
    met = np.isin(computed, ["green", "blue"])
    missed = np.isin(computed, ["amber", "red"])
    miss_run = _streak(missed, segment_start)
    before = idx - miss_run
    was_met = (before >= segment_start) & met[np.clip(before, 0, None)]
    # the figures behind the slip, oldest first: the last three periods of the run at most
    shown = [np.where(miss_run > k, idx - k, -1) for k in (2, 1, 0)]
    value_list = np.empty(n, dtype=object)
    period_list = np.empty(n, dtype=object)
    target_list = np.empty(n, dtype=object)
    for p in pos_current:
        value_list[p] = tuple(value[i] for i in (s[p] for s in shown) if i >= 0)
        period_list[p] = tuple(int(period[i]) for i in (s[p] for s in shown) if i >= 0)
        target_list[p] = tuple(target[i] for i in (s[p] for s in shown) if i >= 0)
    add(
        "target_missed",
        "concern",
        50 + 6 * np.minimum(miss_run, 4) + np.where(status == "red", 10, 0),
        measure & (miss_run >= 2) & was_met,
        length=miss_run,
        start_period=period[np.clip(before + 1, 0, n - 1)],
        values=value_list,
        periods=period_list,
        targets=target_list,
    )

    # Status changes since the previous period (the status the report shows, override or not),
    # and first time on target (the figure itself).
    rank = np.array([{"red": 0, "amber": 1, "green": 2, "blue": 3}.get(k, -1) for k in STATUS_KEYS] + [-1])
    now_rank = rank[pd.Categorical(status, categories=STATUS_KEYS).codes]
    prev_rank = _shift(now_rank, first, -1)
    prev_status = _shift(status, first, None)
    both = measure & continues & (now_rank >= 0) & (prev_rank >= 0)
    shown_met = np.isin(status, ["green", "blue"])
    add(
        "status_improved",
        "success",
        40 + 8 * (now_rank - prev_rank),
        both & (now_rank > prev_rank) & shown_met,
        previous_status=prev_status,
    )
    add(
        "status_worsened",
        "concern",
        40 + 8 * (prev_rank - now_rank),
        both & (now_rank < prev_rank),
        previous_status=prev_status,
    )
    met_before = _shift(pd.Series(met).groupby(groups).cummax().to_numpy(), first, False).astype(bool)
    rated_before = _shift(pd.Series(met | missed).groupby(groups).cumsum().to_numpy(), first, 0)
    add("first_on_target", "success", 55, measure & met & ~met_before & (rated_before >= 3))

    # Milestones.
    prev_state = _shift(state, first, None)
    add(
        "milestone_complete",
        "success",
        60,
        milestone & (state == "complete") & (prev_state != "complete"),
        previous_status=prev_state,
    )
    add(
        "milestone_slipped",
        "concern",
        np.where(state == "off_track", 62, 48),
        milestone & np.isin(state, ["at_risk", "off_track"]) & (dot == "worsening"),
        previous_status=prev_state,
    )
    off_run = _streak(state == "off_track", segment_start)
    add(
        "milestone_off_track",
        "concern",
        35 + 3 * np.minimum(off_run, 6),
        milestone & (off_run >= 2),
        length=off_run,
        start_period=period[np.clip(idx - off_run + 1, 0, n - 1)],
    )

    # Large movements, judged against the indicator's own average movement (moving range).
    # A movement the direction of travel calls "no change" (equal as shown, or inside the no-change band)
    # is never drafted as a large one, so the text cannot contradict the appendix.
    dot_year = h["dot_year"].astype(object).to_numpy()
    for name, column, back, moved in (
        ("large_change", "previous_value", h["previous_period"].to_numpy(dtype=np.int64), dot != "no_change"),
        ("large_change_year", "year_ago_value", period - 12, dot_year != "no_change"),
    ):
        other = h[column].to_numpy(dtype=float)
        move = value - other
        size = np.abs(move)
        seen = ~np.isnan(size)
        total = pd.Series(np.where(seen, size, 0.0)).groupby(groups).cumsum().to_numpy() - np.where(seen, size, 0.0)
        count = pd.Series(seen).groupby(groups).cumsum().to_numpy() - seen
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = size / (total / count)
        big = measure & moved & (count >= MIN_MOVES) & np.isfinite(ratio) & (ratio > MR_LIMIT)
        if name == "large_change":
            big &= snapshot
        better = np.where(lower, move < 0, move > 0)
        score = 30 + 4 * np.minimum(np.nan_to_num(ratio), 10)
        add(name, "success", score, big & better, start_period=back, start_value=other)
        add(name, "concern", score, big & ~better, start_period=back, start_value=other)

    out = pd.DataFrame(rows, columns=COLUMNS)
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    return out.sort_values(["score", "indicator", "kind"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


def _recent_extremes(
    ind: np.ndarray, period: np.ndarray, good: np.ndarray, rows: np.ndarray, months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Best and worst ``good`` in the ``months`` before each of ``rows`` (same group ``ind``, row excluded).

    Only the given rows (each indicator's current one) are worked out; others get -inf / +inf.
    """
    n = len(period)
    best, worst = np.full(n, -np.inf), np.full(n, np.inf)
    if not len(rows):
        return best, worst
    until = pd.Series(period[rows], index=ind[rows])
    upto = until.reindex(ind).to_numpy(dtype=float)
    inside = (period >= upto - months) & (period < upto) & ~np.isnan(good)
    g = pd.Series(good[inside]).groupby(ind[inside])
    best[rows] = g.max().reindex(ind[rows]).fillna(-np.inf).to_numpy()
    worst[rows] = g.min().reindex(ind[rows]).fillna(np.inf).to_numpy()
    return best, worst
