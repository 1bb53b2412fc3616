"""From validated data to the numbers in a report: observations, the scorecard and its summary.

``observations`` is the long history (indicator x month) with target, status and direction of
travel; ``scorecard`` is one row per indicator as at the report period; ``indicator_summary``
counts them the way the report's summary does (continued, new, insufficient information).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from goldenthread.inputs.config import StatusScheme
from goldenthread.inputs.contract import STATUS_KEYS
from goldenthread.inputs.load import Dataset
from goldenthread.inputs.periods import financial_year_start, month_of_year
from goldenthread.measures.direction_of_travel import FREQUENCY_STEP, as_direction, compare_codes, milestone_rank
from goldenthread.measures.status import apply_overrides, as_status, override_codes, status_code, status_codes

#: How old (in months) the latest figure may be and still count as current at a report period.
#: Monthly figures often arrive a month or two in arrears; a quarterly figure lasts until the next.
MAX_AGE = {"monthly": 2, "quarterly": 5, "annual": 14}

#: Keys combine an indicator's position and a month ordinal into one integer for fast lookups.
_KEY = 1_000_000


def _categorical(column: pd.Series, positions: np.ndarray) -> pd.Categorical:
    """A per-indicator text column spread over observation rows, without copying strings."""
    cat = pd.Categorical(column)
    return pd.Categorical.from_codes(cat.codes[positions], categories=cat.categories)


def observations(
    indicators: pd.DataFrame,
    values: pd.DataFrame,
    targets: pd.DataFrame,
    commentary: pd.DataFrame,
    scheme: StatusScheme,
    fy_start_month: int = 4,
) -> pd.DataFrame:
    """Every reported figure with its effective target, status and direction of travel.

    Targets: a row in ``targets`` for the month wins; otherwise the indicator's target, which for
    a cumulative (year-to-date) measure is profiled in a straight line over the financial year
    (month 3 of 12 is compared with a quarter of the annual target).
    Direction of travel is against the previous period of the indicator's frequency and the same
    month last year; cumulative measures compare only with the same month last year, because a
    year-to-date total rises every month by construction.

    Vectorised: per-indicator attributes are taken by position and every lookup (targets,
    overrides, previous figures) goes through one integer key index, so 5,000 indicators x 120
    months take a fraction of a second (``benchmarks/status.py``).
    """
    ind = indicators.reset_index(drop=True)
    ids = pd.Index(ind["id"])
    pos = ids.get_indexer(values["indicator"])
    if (pos < 0).any():
        raise ValueError("values refer to indicators that are not in the indicators table; validate first")
    rows = _Rows(ind, ids, pos, values["period"].to_numpy(dtype=np.int64))
    target, amber = _effective_targets(rows, targets, fy_start_month)
    obs = _observation_frame(rows, values, target, amber)
    computed = status_codes(obs, scheme, rows.lower_is_better, rows.rated, rows.is_milestone)
    _add_status(obs, computed, rows, commentary)
    _add_directions(obs, rows, scheme.no_change_band)
    return obs


class _Rows:
    """Where each observation row's indicator sits, and the per-indicator facts spread over the rows."""

    def __init__(self, ind: pd.DataFrame, ids: pd.Index, pos: np.ndarray, period: np.ndarray) -> None:
        self.ind, self.ids, self.pos, self.period = ind, ids, pos, period
        self.key = pos.astype(np.int64) * _KEY + period
        self.keys = pd.Index(self.key)
        self.is_milestone = (ind["kind"].to_numpy() == "milestone")[pos]
        polarity = pd.Categorical(ind["polarity"], categories=["higher", "lower", "none"]).codes[pos]
        self.lower_is_better, self.rated = polarity == 1, polarity != 2
        self.cumulative = (ind["aggregation"].to_numpy() == "cumulative")[pos]
        self.step = ind["frequency"].map(FREQUENCY_STEP).to_numpy(dtype=np.int64)[pos]

    def per_row(self, column: str) -> np.ndarray:
        """A numeric indicator column, one entry per observation row (NaN where blank)."""
        values: np.ndarray = self.ind[column].to_numpy(dtype=float, na_value=np.nan)[self.pos]
        return values

    def row_of(self, frame: pd.DataFrame) -> np.ndarray:
        """The observation row of each (indicator, period) row of ``frame``; -1 where there is none."""
        key = self.ids.get_indexer(frame["indicator"]).astype(np.int64) * _KEY + frame["period"].to_numpy(np.int64)
        rows: np.ndarray = self.keys.get_indexer(key)
        return rows


def _effective_targets(rows: _Rows, targets: pd.DataFrame, fy_start_month: int) -> tuple[np.ndarray, np.ndarray]:
    """Target and amber threshold per row: the month's own from ``targets``, else the indicator's
    (profiled over the financial year for a year-to-date measure)."""
    profile = np.where(rows.cumulative, month_of_year(rows.period, fy_start_month) / 12.0, 1.0)
    target = rows.per_row("target") * profile
    amber = rows.per_row("amber_threshold") * profile
    if not targets.empty:
        at = rows.row_of(targets)
        hit = at >= 0
        target[at[hit]] = targets["target"].to_numpy(dtype=float)[hit]
        amber[at[hit]] = targets["amber_threshold"].to_numpy(dtype=float, na_value=np.nan)[hit]
    return target, amber


def _observation_frame(rows: _Rows, values: pd.DataFrame, target: np.ndarray, amber: np.ndarray) -> pd.DataFrame:
    """The figures with the indicator attributes status and direction are worked out from."""
    ind, pos = rows.ind, rows.pos
    return pd.DataFrame(
        {
            "indicator": values["indicator"].to_numpy(),
            "period": rows.period,
            "value": values["value"].to_numpy(dtype=float, na_value=np.nan),
            "milestone_status": values["milestone_status"].to_numpy(),
            "note": values["note"].to_numpy(),
            "kind": _categorical(ind["kind"], pos),
            "polarity": _categorical(ind["polarity"], pos),
            "decimals": rows.per_row("decimals"),
            "frequency": _categorical(ind["frequency"], pos),
            "aggregation": _categorical(ind["aggregation"], pos),
            "tolerance": rows.per_row("tolerance"),
            "target": target,
            "amber_threshold": amber,
        }
    )


def _add_status(obs: pd.DataFrame, computed: np.ndarray, rows: _Rows, commentary: pd.DataFrame) -> None:
    """``computed_status``, the ``status`` shown (a senior override from commentary.csv wins, by
    :func:`goldenthread.measures.status.override_codes`), ``overridden`` and ``override_reason``."""
    override = np.full(len(obs), -1, dtype=np.int8)
    reason = np.full(len(obs), None, dtype=object)
    over = commentary[commentary["status_override"].notna()] if not commentary.empty else commentary
    if len(over):
        at = rows.row_of(over)
        found = at >= 0
        override[at[found]] = status_code(over["status_override"])[found]
        reason[at[found]] = over["override_reason"].to_numpy(dtype=object)[found]
    shown, overridden = override_codes(computed, override)
    # Both are kept: whether a figure met its target is a fact about the figure (computed_status);
    # what the report shows is the senior judgement (status), and a drafted sentence must say which.
    obs["computed_status"] = as_status(computed, obs.index)
    obs["status"] = as_status(shown, obs.index)
    obs["overridden"] = overridden
    obs["override_reason"] = np.where(overridden, reason, np.array(None, dtype=object))


def _add_directions(obs: pd.DataFrame, rows: _Rows, band: float) -> None:
    """Direction of travel against the figure one step back (``dot_previous``; never for a
    year-to-date measure) and twelve months back (``dot_year``), with the figures compared."""
    value = obs["value"].to_numpy()
    is_milestone = rows.is_milestone
    level = np.where(is_milestone, milestone_rank(obs["milestone_status"]), value)
    lower_is_better = rows.lower_is_better & ~is_milestone
    rated = rows.rated | is_milestone
    decimals = np.where(is_milestone, 0.0, obs["decimals"].to_numpy())

    def back(months: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        at = rows.keys.get_indexer(rows.key - months)
        found = at >= 0
        take = np.where(found, at, 0)
        return np.where(found, value[take], np.nan), np.where(found, level[take], np.nan)

    previous_value, previous_level = back(rows.step)
    previous_level[rows.cumulative] = np.nan
    year_value, year_level = back(12)
    obs["previous_period"] = rows.period - rows.step
    obs["previous_value"] = previous_value
    obs["dot_previous"] = as_direction(
        compare_codes(level, previous_level, lower_is_better, rated, decimals, band), obs.index
    )
    obs["year_ago_value"] = year_value
    obs["dot_year"] = as_direction(compare_codes(level, year_level, lower_is_better, rated, decimals, band), obs.index)


@dataclass(frozen=True)
class IndicatorSummary:
    """The counts a report's summary quotes."""

    total: int
    continued: int
    new: int
    new_titles: tuple[str, ...]
    insufficient: int
    insufficient_new: int
    by_status: dict[str, int]


def scorecard(dataset: Dataset, period: int, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator as at ``period``: its latest current figure, status and trend.

    The latest figure at or before ``period`` counts if it is no older than :data:`MAX_AGE`
    allows for the indicator's frequency; otherwise the indicator is "insufficient
    information". Commentary, overrides and highlights are those filed for ``period`` itself.
    Indicators whose ``first_reported`` month is after ``period`` are left out.
    """
    scheme = dataset.organisation.status_scheme
    fy_start = dataset.organisation.financial_year_start_month
    obs = (
        history
        if history is not None
        else observations(dataset.indicators, dataset.values, dataset.targets, dataset.commentary, scheme, fy_start)
    )
    # An indicator first reported after the report month is not yet part of the set: a Q4 report does
    # not list next year's new indicators as "insufficient information".
    ind = dataset.indicators[~(dataset.indicators["first_reported"] > period)]

    max_age = obs["frequency"].astype(object).map(MAX_AGE).to_numpy(dtype=np.int64)
    has_data = obs["value"].notna() | obs["milestone_status"].notna()
    current = obs[has_data & (obs["period"] <= period) & (obs["period"] >= period - max_age)]
    latest = current.sort_values("period").groupby("indicator", sort=False).tail(1).set_index("indicator")
    keep = [
        "period",
        "value",
        "milestone_status",
        "note",
        "target",
        "amber_threshold",
        "status",
        "overridden",
        "previous_value",
        "dot_previous",
        "year_ago_value",
        "dot_year",
    ]
    card = ind.join(
        latest[keep].rename(columns={"period": "as_at", "target": "period_target", "amber_threshold": "period_amber"}),
        on="id",
    )
    card["status"] = card["status"].fillna("not_available")
    card["overridden"] = card["overridden"].astype("boolean").fillna(False).astype(bool)
    for col in ("dot_previous", "dot_year"):
        card[col] = card[col].fillna("not_comparable")
    # The headline direction: the previous period, or last year for year-to-date measures.
    card["direction"] = np.where(card["aggregation"] == "cumulative", card["dot_year"], card["dot_previous"])

    comm = dataset.commentary[dataset.commentary["period"] == period].set_index("indicator")
    card = card.join(
        comm[["commentary", "actions", "status_override", "override_reason", "highlight", "page_title"]], on="id"
    )
    # The history already carries every override filed for a month with a figure. This covers the one
    # filed for the report month when the latest figure is older (a monthly figure in arrears), by the
    # same rule (status.override_codes); for a figure of the report month it changes nothing.
    card["status"], over = apply_overrides(card["status"], card["status_override"])
    card["overridden"] = card["overridden"] | over
    card["is_new"] = card["first_reported"] >= financial_year_start(period, fy_start)
    outcome_order = {o.id: i for i, o in enumerate(dataset.plan.outcomes)}
    card["_outcome_order"] = card["outcome"].map(outcome_order)
    card = card.sort_values(["_outcome_order", "source_row"], kind="stable").drop(
        columns=["_outcome_order", "source_row"]
    )
    return card.reset_index(drop=True)


def indicator_summary(card: pd.DataFrame) -> IndicatorSummary:
    """Counts for the report's summary section, from a :func:`scorecard`."""
    insufficient = card["status"] == "not_available"
    counts = card["status"].value_counts()
    return IndicatorSummary(
        total=len(card),
        continued=int((~card["is_new"]).sum()),
        new=int(card["is_new"].sum()),
        new_titles=tuple(card.loc[card["is_new"], "title"]),
        insufficient=int(insufficient.sum()),
        insufficient_new=int((insufficient & card["is_new"]).sum()),
        by_status={k: int(counts.get(k, 0)) for k in STATUS_KEYS},
    )
