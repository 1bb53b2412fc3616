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

from typing import Any, Protocol

import numpy as np
import pandas as pd

from goldenthread.inputs.contract import JUDGED_STATUSES, STATUS_KEYS
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
    # SPC (variation_findings) and benchmarking (comparison_findings)
    "rule",
    "side",
    "group",
    "rank",
    "n",
    "tied",
    "quartile",
    "quartile_last_year",
    "period_label",
    "period_last_year",
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


class Finding(Protocol):
    """One finding, as a row of :func:`findings_for_history` reads (``itertuples``): what
    :func:`goldenthread.narrative.wording.draft_sentence` drafts a sentence from. Fields a kind
    does not use are blank (None or NaN); see :data:`COLUMNS`."""

    @property
    def indicator(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def period(self) -> int: ...
    @property
    def value(self) -> float: ...
    @property
    def target(self) -> float: ...
    @property
    def polarity(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def milestone_status(self) -> str | None: ...
    @property
    def start_period(self) -> int: ...
    @property
    def start_value(self) -> float: ...
    @property
    def length(self) -> int: ...
    @property
    def previous_status(self) -> str | None: ...
    @property
    def values(self) -> tuple[float, ...]: ...
    @property
    def periods(self) -> tuple[int, ...]: ...
    @property
    def targets(self) -> tuple[float, ...]: ...
    @property
    def aggregation(self) -> str: ...
    @property
    def computed_status(self) -> str: ...
    @property
    def overridden(self) -> bool: ...
    @property
    def override_reason(self) -> str | None: ...
    @property
    def previous_overridden(self) -> bool: ...
    @property
    def rule(self) -> str | None: ...
    @property
    def side(self) -> str | None: ...
    @property
    def group(self) -> str | None: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def n(self) -> int | None: ...
    @property
    def tied(self) -> bool | None: ...
    @property
    def quartile(self) -> int | None: ...
    @property
    def quartile_last_year(self) -> int | None: ...
    @property
    def period_label(self) -> str | None: ...
    @property
    def period_last_year(self) -> str | None: ...


def findings_for_history(history: pd.DataFrame, current: pd.Series, fy_start_month: int = 4) -> pd.DataFrame:
    """Findings for each indicator, judged at its current period, strongest first.

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
    rows = _Rows(h, current, fy_start_month)
    found = _Found(rows)
    _runs(rows, found)
    _records(rows, found)
    _missed_targets(rows, found)
    _status_changes(rows, found)
    _milestones(rows, found)
    _large_changes(rows, found)
    out = pd.DataFrame(found.records, columns=COLUMNS)
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    return out.sort_values(["score", "indicator", "kind"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


class _Rows:
    """The history as aligned arrays, sorted by indicator and period, with what every kind needs:
    where each indicator's rows start, its current row, and the segments periods are compared within."""

    def __init__(self, h: pd.DataFrame, current: pd.Series, fy_start_month: int) -> None:
        self.h = h
        n = self.n = len(h)
        idx = self.idx = np.arange(n)
        ind = self.ind = h["indicator"].to_numpy()
        first = self.first = np.r_[True, ind[1:] != ind[:-1]]
        last = np.r_[ind[1:] != ind[:-1], True]
        self.group_start = np.maximum.accumulate(np.where(first, idx, 0))
        self.groups = np.cumsum(first) - 1  # integer group per indicator: cheaper to group by than the ids
        period = self.period = h["period"].to_numpy(dtype=np.int64)
        as_at = pd.Series(current).dropna().astype(np.int64)
        self.pos_current = np.flatnonzero(last & (period == as_at.reindex(ind).to_numpy(dtype=float, na_value=np.nan)))

        self.value = h["value"].to_numpy(dtype=float, na_value=np.nan)
        self.polarity = h["polarity"].astype(object).to_numpy()
        self.lower = self.polarity == "lower"
        kind = h["kind"].astype(object).to_numpy()
        self.milestone = kind == "milestone"
        self.measure = (kind == "measure") & (self.polarity != "none")
        self.aggregation = h["aggregation"].astype(object).to_numpy()
        self.snapshot = self.aggregation == "snapshot"
        self.status = h["status"].astype(object).to_numpy()
        self.computed = h["computed_status"].astype(object).to_numpy() if "computed_status" in h else self.status
        self.overridden = h["overridden"].to_numpy(dtype=bool) if "overridden" in h else np.zeros(n, dtype=bool)
        self.reason = h["override_reason"].to_numpy(dtype=object) if "override_reason" in h else np.full(n, None)
        self.dot = h["dot_previous"].astype(object).to_numpy()
        self.target = h["target"].to_numpy(dtype=float)
        self.state = h["milestone_status"].astype(object).to_numpy()
        # Whether a figure met its target is a fact about the figure: the computed status.
        self.met = np.isin(self.computed, ["green", "blue"])
        self.missed = np.isin(self.computed, ["amber", "red"])
        # Records are judged on the figures as a reader sees them (rounded half up at the indicator's
        # decimals): 94.414 is not a new best after 94.411 when both read 94.41. Bigger is better,
        # whatever the polarity.
        decimals = h["decimals"].to_numpy(dtype=float, na_value=np.nan)
        shown = half_up_units(self.value, np.nan_to_num(decimals, nan=0.0))
        self.good = np.where(self.lower, -shown, shown)
        self.n_before = idx - self.group_start  # earlier figures for the same indicator
        # A row continues its segment when the row before is exactly one period of the indicator's
        # frequency earlier and, for a year-to-date measure, in the same financial year.
        step = h["frequency"].astype(object).map(FREQUENCY_STEP).to_numpy(dtype=np.int64)
        fy = np.asarray(financial_year(period, fy_start_month))
        self.continues = (
            ~first & (period - _shift(period, first, 0) == step) & (self.snapshot | (fy == _shift(fy, first, 0)))
        )
        self.segment_start = np.maximum.accumulate(np.where(self.continues, 0, idx))


class _Found:
    """The findings so far: one record per indicator whose current row meets a kind's condition."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows
        self.records: list[dict[str, Any]] = []

    def add(self, kind: str, direction: str, score: np.ndarray | float, where: np.ndarray, **extra: np.ndarray) -> None:
        r = self.rows
        scores = np.broadcast_to(np.asarray(score, dtype=float), (r.n,))
        for p in r.pos_current[where[r.pos_current]]:
            rec = {
                "indicator": r.ind[p],
                "kind": kind,
                "direction": direction,
                "score": float(scores[p]),
                "period": int(r.period[p]),
                "value": r.value[p],
                "target": r.target[p],
                "polarity": r.polarity[p],
                "status": r.status[p],
                "milestone_status": r.state[p],
                "aggregation": r.aggregation[p],
                "computed_status": r.computed[p],
                "overridden": bool(r.overridden[p]),
                "override_reason": r.reason[p] if r.overridden[p] else None,
                "previous_overridden": bool(r.overridden[p - 1]) if r.continues[p] else False,
            }
            rec.update({k: v[p] for k, v in extra.items()})
            self.records.append(rec)


def _runs(r: _Rows, found: _Found) -> None:
    """Runs of improvement or decline (snapshot measures: a year-to-date total rises by construction)."""
    for word, direction, name in (("improving", "success", "improving_run"), ("worsening", "concern", "worsening_run")):
        run = _streak(r.dot == word, r.segment_start) + 1  # periods, counting the one the run started from
        start = r.idx - (run - 1)
        found.add(
            name,
            direction,
            30 + 6 * np.minimum(run, 12),
            r.measure & r.snapshot & (run >= MIN_RUN),
            length=run,
            start_period=r.period[start],
            start_value=r.value[start],
        )


def _records(r: _Rows, found: _Found) -> None:
    """Records: best or worst since records began, else within the last RECORD_YEARS years."""
    good, first, groups = r.good, r.first, r.groups
    best_before = _shift(pd.Series(good).groupby(groups).cummax().to_numpy(), first, -np.inf)
    worst_before = _shift(pd.Series(good).groupby(groups).cummin().to_numpy(), first, np.inf)
    recordable = r.measure & r.snapshot & (r.n_before >= MIN_HISTORY_FOR_RECORD)
    ever_best, ever_worst = recordable & (good > best_before), recordable & (good < worst_before)
    found.add("record_best", "success", 65, ever_best, length=r.n_before + 1)
    found.add("record_worst", "concern", 65, ever_worst, length=r.n_before + 1)
    recent_best, recent_worst = _recent_extremes(groups, r.period, good, r.pos_current, RECORD_YEARS * 12)
    span = r.period - r.period[r.group_start]
    years = np.full(r.n, RECORD_YEARS)
    long_enough = recordable & (span > RECORD_YEARS * 12)
    found.add("record_best_years", "success", 45, long_enough & ~ever_best & (good > recent_best), length=years)
    found.add("record_worst_years", "concern", 45, long_enough & ~ever_worst & (good < recent_worst), length=years)


def _missed_targets(r: _Rows, found: _Found) -> None:
    """Target missed for the last N periods after meeting it: a fact about the figures, so judged on
    the computed status, within one segment (never March's total against April's)."""
    idx, n = r.idx, r.n
    miss_run = _streak(r.missed, r.segment_start)
    before = idx - miss_run
    was_met = (before >= r.segment_start) & r.met[np.clip(before, 0, None)]
    # the figures behind the slip, oldest first: the last three periods of the run at most
    shown = [np.where(miss_run > k, idx - k, -1) for k in (2, 1, 0)]
    value_list = np.empty(n, dtype=object)
    period_list = np.empty(n, dtype=object)
    target_list = np.empty(n, dtype=object)
    for p in r.pos_current:
        value_list[p] = tuple(r.value[i] for i in (s[p] for s in shown) if i >= 0)
        period_list[p] = tuple(int(r.period[i]) for i in (s[p] for s in shown) if i >= 0)
        target_list[p] = tuple(r.target[i] for i in (s[p] for s in shown) if i >= 0)
    found.add(
        "target_missed",
        "concern",
        50 + 6 * np.minimum(miss_run, 4) + np.where(r.status == "red", 10, 0),
        r.measure & (miss_run >= 2) & was_met,
        length=miss_run,
        start_period=r.period[np.clip(before + 1, 0, n - 1)],
        values=value_list,
        periods=period_list,
        targets=target_list,
    )


def _status_changes(r: _Rows, found: _Found) -> None:
    """Status changes since the previous period (the status the report shows, override or not),
    and first time on target (the figure itself)."""
    first, groups = r.first, r.groups
    severity = {k: i for i, k in enumerate(reversed(JUDGED_STATUSES))}  # red 0 ... blue 3
    rank = np.array([severity.get(k, -1) for k in STATUS_KEYS] + [-1])
    now_rank = rank[pd.Categorical(r.status, categories=STATUS_KEYS).codes]
    prev_rank = _shift(now_rank, first, -1)
    prev_status = _shift(r.status, first, None)
    both = r.measure & r.continues & (now_rank >= 0) & (prev_rank >= 0)
    shown_met = np.isin(r.status, ["green", "blue"])
    found.add(
        "status_improved",
        "success",
        40 + 8 * (now_rank - prev_rank),
        both & (now_rank > prev_rank) & shown_met,
        previous_status=prev_status,
    )
    found.add(
        "status_worsened",
        "concern",
        40 + 8 * (prev_rank - now_rank),
        both & (now_rank < prev_rank),
        previous_status=prev_status,
    )
    met_before = _shift(pd.Series(r.met).groupby(groups).cummax().to_numpy(), first, False).astype(bool)
    rated_before = _shift(pd.Series(r.met | r.missed).groupby(groups).cumsum().to_numpy(), first, 0)
    found.add("first_on_target", "success", 55, r.measure & r.met & ~met_before & (rated_before >= 3))


def _milestones(r: _Rows, found: _Found) -> None:
    """Milestones completed, slipped (to at risk or off track) or off track for a while."""
    state = r.state
    prev_state = _shift(state, r.first, None)
    found.add(
        "milestone_complete",
        "success",
        60,
        r.milestone & (state == "complete") & (prev_state != "complete"),
        previous_status=prev_state,
    )
    found.add(
        "milestone_slipped",
        "concern",
        np.where(state == "off_track", 62, 48),
        r.milestone & np.isin(state, ["at_risk", "off_track"]) & (r.dot == "worsening"),
        previous_status=prev_state,
    )
    off_run = _streak(state == "off_track", r.segment_start)
    found.add(
        "milestone_off_track",
        "concern",
        35 + 3 * np.minimum(off_run, 6),
        r.milestone & (off_run >= 2),
        length=off_run,
        start_period=r.period[np.clip(r.idx - off_run + 1, 0, r.n - 1)],
    )


def _large_changes(r: _Rows, found: _Found) -> None:
    """Large movements, judged against the indicator's own average movement (moving range).

    A movement the direction of travel calls "no change" (equal as shown, or inside the no-change band)
    is never drafted as a large one, so the text cannot contradict the appendix.
    """
    h, groups = r.h, r.groups
    dot_year = h["dot_year"].astype(object).to_numpy()
    for name, column, back, moved in (
        ("large_change", "previous_value", h["previous_period"].to_numpy(dtype=np.int64), r.dot != "no_change"),
        ("large_change_year", "year_ago_value", r.period - 12, dot_year != "no_change"),
    ):
        other = h[column].to_numpy(dtype=float)
        move = r.value - other
        size = np.abs(move)
        seen = ~np.isnan(size)
        total = pd.Series(np.where(seen, size, 0.0)).groupby(groups).cumsum().to_numpy() - np.where(seen, size, 0.0)
        count = pd.Series(seen).groupby(groups).cumsum().to_numpy() - seen
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = size / (total / count)
        big = r.measure & moved & (count >= MIN_MOVES) & np.isfinite(ratio) & (ratio > MR_LIMIT)
        if name == "large_change":
            big &= r.snapshot
        better = np.where(r.lower, move < 0, move > 0)
        score = 30 + 4 * np.minimum(np.nan_to_num(ratio), 10)
        found.add(name, "success", score, big & better, start_period=back, start_value=other)
        found.add(name, "concern", score, big & ~better, start_period=back, start_value=other)


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


# --- SPC and benchmarking ---------------------------------------------------------------------------

#: Strength of a special cause at the latest point: as strong as a target missed for two periods (62),
#: more for a point outside the process limits, and a little more for each point of a run or trend beyond 7.
SPECIAL_CAUSE_SCORE = 62.0
OUTSIDE_LIMITS_BONUS = 6.0
LONGER_SIGNAL_BONUS = 2.0  # per point beyond the 7 a run or trend needs, up to 5 points
CONSISTENTLY_FAILING_SCORE = 56.0
BEST_IN_GROUP_SCORE = 60.0
QUARTILE_MOVE_SCORE = 52.0


def _frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Findings of several kinds as one frame in :data:`COLUMNS`, strongest first (as findings_for_history)."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True).reindex(columns=COLUMNS)
    return out.sort_values(["score", "indicator", "kind"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


def _kind(base: pd.DataFrame, where: pd.Series | np.ndarray, kind: str, direction: str, score: Any) -> pd.DataFrame:
    """The rows of ``base`` where a kind holds, labelled with it."""
    rows = base[np.asarray(where, dtype=bool)].copy()
    scores = np.broadcast_to(np.asarray(score, dtype=float), (len(base),))[np.asarray(where, dtype=bool)]
    return rows.assign(kind=kind, direction=direction, score=scores)


def _facts(frame: pd.DataFrame, status: pd.Series) -> pd.DataFrame:
    """The scorecard's facts every finding carries: the status shown, and no override or milestone."""
    return frame.assign(
        status=status.to_numpy(),
        computed_status=status.to_numpy(),
        milestone_status=None,
        overridden=False,
        override_reason=None,
        previous_overridden=False,
    )


def variation_findings(spc_summary: pd.DataFrame, card: pd.DataFrame, period: int) -> pd.DataFrame:
    """Findings from SPC (:func:`goldenthread.measures.variation.variation_table`'s summary), strongest first.

    At an indicator's latest point, when that point is the scorecard's current figure (``as_at``) and
    the chart has enough points: ``special_cause_improvement`` / ``special_cause_concern`` (the point
    is a special cause by one of the four rules; ``rule`` and ``length`` say which and how many points
    show it) and ``consistently_failing`` (the target is beyond the process limits on the wrong side:
    the process will not meet it without a change). Polarity ``none`` gives nothing (its variation is
    neutral, and it has no assurance). ``period`` is the report month: no finding is about a later figure.
    """
    if spc_summary is None or spc_summary.empty or card.empty:
        return pd.DataFrame(columns=COLUMNS)
    c = card.set_index("id")
    c = c[c["as_at"].notna() & (c["kind"] == "measure") & (c["polarity"] != "none")]
    c = c[c["as_at"].astype(float) <= period]
    s = spc_summary.drop(columns=["polarity", "status"], errors="ignore").add_prefix("spc_")
    j = c[["as_at", "polarity", "status", "aggregation"]].join(s, how="inner")
    as_at = j["as_at"].astype(np.int64)
    shown = pd.Series([f"{p // 12:04d}-{p % 12 + 1:02d}" for p in as_at], index=j.index, dtype=object)
    ok = (spc_summary["status"].reindex(j.index) == "ok") & (j["spc_latest_period"] == shown)
    j = j[ok.to_numpy(dtype=bool)]  # the chart's latest point is the figure the report shows
    base = _facts(
        pd.DataFrame(
            {
                "indicator": j.index.to_numpy(),
                "period": j["as_at"].astype(np.int64).to_numpy(),
                "value": j["spc_latest_value"].to_numpy(dtype=float),
                "target": j["spc_target_used"].to_numpy(dtype=float),
                "polarity": j["polarity"].astype(object).to_numpy(),
                "aggregation": j["aggregation"].astype(object).to_numpy(),
                "rule": j["spc_rule"].astype(object).to_numpy(),
                "side": j["spc_side"].astype(object).to_numpy(),
                "length": j["spc_rule_length"].to_numpy(dtype=np.int64),
            }
        ),
        j["status"],
    )
    variation = j["spc_variation"].to_numpy(dtype=object)
    rule, length = base["rule"].to_numpy(dtype=object), base["length"].to_numpy()
    longer = np.where(np.isin(rule, ["run", "trend"]), LONGER_SIGNAL_BONUS * np.clip(length - 7, 0, 5), 0.0)
    score = SPECIAL_CAUSE_SCORE + np.where(rule == "outside_limits", OUTSIDE_LIMITS_BONUS, 0.0) + longer
    failing = (j["spc_assurance"].to_numpy(dtype=object) == "consistently_failing") & ~np.isnan(base["target"])
    no_signal = dict.fromkeys(["rule", "side", "length"], None)
    return _frame(
        [
            _kind(base, variation == "improvement", "special_cause_improvement", "success", score),
            _kind(base, variation == "concern", "special_cause_concern", "concern", score),
            _kind(base, failing, "consistently_failing", "concern", CONSISTENTLY_FAILING_SCORE).assign(**no_signal),
        ]
    )


def comparison_findings(comparison: pd.DataFrame, card: pd.DataFrame, period: int) -> pd.DataFrame:
    """Findings from benchmarking (:func:`goldenthread.measures.comparison.comparison_table`), main group only.

    ``benchmark_best`` / ``benchmark_worst``: the council's figure is the best (rank 1) or the worst (no
    area worse) of the group, "joint" when level with another (``tied``); a group where every area is
    level gives neither. ``benchmark_top_quartile`` / ``benchmark_bottom_quartile``: moved into the top
    (bottom) quartile since the same period last year. Polarity ``none`` is never judged: no finding.
    Comparator figures are published months after the period they describe, so a comparison finding is
    about the latest comparison at the report month: its ``period`` is the report month ``period`` (so
    the news window does not drop it), ``start_period`` the month the compared period ends and
    ``period_label`` the period as the comparator data names it ('2018/19').
    """
    if comparison is None or comparison.empty or card.empty:
        return pd.DataFrame(columns=COLUMNS)
    c = card.set_index("id")
    c = c[c["polarity"] != "none"]
    rows = comparison[
        comparison["main"].astype(bool).to_numpy()
        & (comparison["kind"] == "comparison").to_numpy()
        & comparison["reason"].isna().to_numpy()
        & comparison["judged"].astype(bool).to_numpy()
        & comparison["rank"].notna().to_numpy()
        & comparison["indicator"].isin(c.index).to_numpy()
    ]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    ind = rows["indicator"].to_numpy(dtype=object)
    rank = rows["rank"].to_numpy(dtype=float)
    worse = rows["worse_areas"].to_numpy(dtype=float, na_value=np.nan)
    quartile = rows["quartile"].to_numpy(dtype=float, na_value=np.nan)
    before = rows["quartile_last_year"].to_numpy(dtype=float, na_value=np.nan)
    base = _facts(
        pd.DataFrame(
            {
                "indicator": ind,
                "period": int(period),
                "start_period": rows["period"].to_numpy(dtype=np.int64),
                "value": rows["value"].to_numpy(dtype=float),
                "target": np.nan,
                "polarity": c["polarity"].reindex(ind).astype(object).to_numpy(),
                "aggregation": c["aggregation"].reindex(ind).astype(object).to_numpy(),
                "group": rows["group"].to_numpy(dtype=object),
                "rank": rank.astype(np.int64),
                "n": rows["n"].to_numpy(dtype=np.int64),
                "tied": rows["tied"].fillna(False).to_numpy(dtype=bool),
                "quartile": quartile.astype(np.int64),
                "quartile_last_year": pd.array(rows["quartile_last_year"], dtype="Int64"),
                "period_label": rows["period_label"].to_numpy(dtype=object),
                "period_last_year": rows["period_last_year"].to_numpy(dtype=object),
            }
        ),
        c["status"].reindex(ind),
    )
    everyone_level = (rank == 1) & (worse == 0)
    moved = ~np.isnan(before) & (quartile != before) & ~everyone_level
    return _frame(
        [
            _kind(base, (rank == 1) & ~everyone_level, "benchmark_best", "success", BEST_IN_GROUP_SCORE),
            _kind(base, (worse == 0) & (rank > 1), "benchmark_worst", "concern", BEST_IN_GROUP_SCORE),
            _kind(base, moved & (quartile == 1), "benchmark_top_quartile", "success", QUARTILE_MOVE_SCORE),
            _kind(base, moved & (quartile == 4), "benchmark_bottom_quartile", "concern", QUARTILE_MOVE_SCORE),
        ]
    )
