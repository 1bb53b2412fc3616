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
from goldenthread.measures.status import apply_overrides, as_status, status_codes

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
    period = values["period"].to_numpy(dtype=np.int64)
    key = pos.astype(np.int64) * _KEY + period
    keys = pd.Index(key)

    def per_row(column: str, dtype: type = float) -> np.ndarray:
        return ind[column].to_numpy(dtype=dtype, na_value=np.nan)[pos]

    is_milestone = (ind["kind"].to_numpy() == "milestone")[pos]
    polarity = pd.Categorical(ind["polarity"], categories=["higher", "lower", "none"]).codes[pos]
    cumulative = (ind["aggregation"].to_numpy() == "cumulative")[pos]
    step = ind["frequency"].map(FREQUENCY_STEP).to_numpy(dtype=np.int64)[pos]

    profile = np.where(cumulative, month_of_year(period, fy_start_month) / 12.0, 1.0)
    target = per_row("target") * profile
    amber = per_row("amber_threshold") * profile
    if not targets.empty:
        tkey = ids.get_indexer(targets["indicator"]).astype(np.int64) * _KEY + targets["period"].to_numpy(np.int64)
        at = keys.get_indexer(tkey)
        hit = at >= 0
        target[at[hit]] = targets["target"].to_numpy(dtype=float)[hit]
        amber[at[hit]] = targets["amber_threshold"].to_numpy(dtype=float, na_value=np.nan)[hit]

    value = values["value"].to_numpy(dtype=float, na_value=np.nan)
    obs = pd.DataFrame(
        {
            "indicator": values["indicator"].to_numpy(),
            "period": period,
            "value": value,
            "milestone_status": values["milestone_status"].to_numpy(),
            "note": values["note"].to_numpy(),
            "kind": _categorical(ind["kind"], pos),
            "polarity": _categorical(ind["polarity"], pos),
            "decimals": per_row("decimals"),
            "frequency": _categorical(ind["frequency"], pos),
            "aggregation": _categorical(ind["aggregation"], pos),
            "tolerance": per_row("tolerance"),
            "target": target,
            "amber_threshold": amber,
        }
    )

    lower_is_better, rated = polarity == 1, polarity != 2
    status = status_codes(obs, scheme, lower_is_better, rated, is_milestone)
    override = np.full(len(obs), -1, dtype=np.int8)
    reason = np.full(len(obs), None, dtype=object)
    over = commentary[commentary["status_override"].notna()] if not commentary.empty else commentary
    if len(over):
        ckey = ids.get_indexer(over["indicator"]).astype(np.int64) * _KEY + over["period"].to_numpy(np.int64)
        at = keys.get_indexer(ckey)
        codes = np.array([STATUS_KEYS.index(s) for s in over["status_override"]], dtype=np.int8)
        override[at[at >= 0]] = codes[at >= 0]
        reason[at[at >= 0]] = over["override_reason"].to_numpy(dtype=object)[at >= 0]
    # Both are kept: whether a figure met its target is a fact about the figure (computed_status);
    # what the report shows is the senior judgement (status), and a drafted sentence must say which.
    obs["computed_status"] = as_status(status, obs.index)
    obs["status"] = as_status(np.where(override >= 0, override, status), obs.index)
    obs["overridden"] = (override >= 0) & (override != status)
    obs["override_reason"] = np.where(obs["overridden"].to_numpy(), reason, None)

    # Direction of travel: look up the figure one step back and twelve months back.
    level = np.where(is_milestone, milestone_rank(obs["milestone_status"]), value)
    lower_is_better = lower_is_better & ~is_milestone
    rated = rated | is_milestone
    decimals = np.where(is_milestone, 0.0, obs["decimals"].to_numpy())
    band = scheme.no_change_band

    def back(months: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        at = keys.get_indexer(key - months)
        found = at >= 0
        take = np.where(found, at, 0)
        return np.where(found, value[take], np.nan), np.where(found, level[take], np.nan)

    previous_value, previous_level = back(step)
    previous_level[cumulative] = np.nan
    year_value, year_level = back(12)
    obs["previous_period"] = period - step
    obs["previous_value"] = previous_value
    obs["dot_previous"] = as_direction(
        compare_codes(level, previous_level, lower_is_better, rated, decimals, band), obs.index
    )
    obs["year_ago_value"] = year_value
    obs["dot_year"] = as_direction(compare_codes(level, year_level, lower_is_better, rated, decimals, band), obs.index)
    return obs


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
        by_status={k: int(counts.get(k, 0)) for k in ("blue", "green", "amber", "red", "data_only", "not_available")},
    )
