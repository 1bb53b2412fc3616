"""From validated data to the numbers in a report: observations, the scorecard and its summary.

``observations`` is the long history (indicator x month) with target, status and direction of
travel; ``scorecard`` is one row per indicator as at the report period; ``indicator_summary``
counts them the way the report's summary does (continued, new, insufficient information).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from goldenthread.config import StatusScheme
from goldenthread.direction_of_travel import FREQUENCY_STEP, compare, milestone_rank
from goldenthread.load import Dataset
from goldenthread.periods import financial_year_start, month_of_year
from goldenthread.status import apply_overrides, compute_status

#: How old (in months) the latest figure may be and still count as current at a report period.
#: Monthly figures often arrive a month or two in arrears; a quarterly figure lasts until the next.
MAX_AGE = {"monthly": 2, "quarterly": 5, "annual": 14}

_IND_COLS = ["kind", "polarity", "decimals", "frequency", "aggregation", "tolerance"]


def _lookup(keys_from: pd.Index, keys_to: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` at the rows whose key is ``keys_to`` (NaN where there is none)."""
    pos = keys_from.get_indexer(keys_to)
    out = np.where(pos >= 0, values[np.clip(pos, 0, None)], np.nan)
    return out


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
    """
    ind = indicators.set_index("id")
    obs = values[["indicator", "period", "value", "milestone_status", "note"]].copy()
    obs = obs.join(ind[_IND_COLS + ["target", "amber_threshold"]].rename(
        columns={"target": "_target", "amber_threshold": "_amber"}), on="indicator")
    period = obs["period"].to_numpy(dtype=np.int64)

    profile = np.where(obs["aggregation"].to_numpy() == "cumulative",
                       month_of_year(period, fy_start_month) / 12.0, 1.0)
    target = obs["_target"].to_numpy(dtype=float) * profile
    amber = obs["_amber"].to_numpy(dtype=float) * profile
    if not targets.empty:
        t = targets.set_index(["indicator", "period"])
        idx = pd.MultiIndex.from_arrays([obs["indicator"], obs["period"]])
        pos = t.index.get_indexer(idx)
        hit = pos >= 0
        target = np.where(hit, t["target"].to_numpy(dtype=float)[np.clip(pos, 0, None)], target)
        amber = np.where(hit, t["amber_threshold"].to_numpy(dtype=float)[np.clip(pos, 0, None)], amber)
    obs["target"] = target
    obs["amber_threshold"] = amber
    obs = obs.drop(columns=["_target", "_amber"])

    status = compute_status(obs, scheme)
    override = _commentary_for(obs, commentary)["status_override"]
    obs["status"], obs["overridden"] = apply_overrides(status, override)

    # Direction of travel: look up the figure one step back and twelve months back.
    codes = pd.Categorical(obs["indicator"]).codes.astype(np.int64)
    key = codes * 100_000 + period
    keys = pd.Index(key)
    is_milestone = obs["kind"].to_numpy() == "milestone"
    level = np.where(is_milestone, milestone_rank(obs["milestone_status"]), obs["value"].to_numpy(dtype=float))
    polarity = np.where(is_milestone, "higher", obs["polarity"].to_numpy(dtype=object))
    decimals = np.where(is_milestone, 0, obs["decimals"].to_numpy(dtype=float))
    step = obs["frequency"].map(FREQUENCY_STEP).to_numpy(dtype=np.int64)

    obs["previous_period"] = period - step
    obs["previous_value"] = _lookup(keys, key - step, obs["value"].to_numpy(dtype=float))
    prev_level = _lookup(keys, key - step, level)
    prev_level = np.where(obs["aggregation"].to_numpy() == "cumulative", np.nan, prev_level)
    obs["dot_previous"] = compare(level, prev_level, polarity, decimals, scheme.no_change_band)
    obs["year_ago_value"] = _lookup(keys, key - 12, obs["value"].to_numpy(dtype=float))
    obs["dot_year"] = compare(level, _lookup(keys, key - 12, level), polarity, decimals, scheme.no_change_band)
    return obs


def _commentary_for(obs: pd.DataFrame, commentary: pd.DataFrame) -> pd.DataFrame:
    """Commentary columns aligned to ``obs`` rows (by indicator and period)."""
    cols = ["commentary", "actions", "status_override", "override_reason", "highlight", "page_title"]
    if commentary.empty:
        return pd.DataFrame({c: pd.Series([None] * len(obs), index=obs.index, dtype=object) for c in cols})
    c = commentary.set_index(["indicator", "period"])[cols]
    return c.reindex(pd.MultiIndex.from_arrays([obs["indicator"], obs["period"]])).set_axis(obs.index)


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
    """
    scheme = dataset.organisation.status_scheme
    fy_start = dataset.organisation.financial_year_start_month
    obs = history if history is not None else observations(
        dataset.indicators, dataset.values, dataset.targets, dataset.commentary, scheme, fy_start)
    ind = dataset.indicators

    max_age = obs["frequency"].map(MAX_AGE).to_numpy()
    has_data = obs["value"].notna() | obs["milestone_status"].notna()
    current = obs[has_data & (obs["period"] <= period) & (obs["period"] >= period - max_age)]
    latest = current.sort_values("period").groupby("indicator", sort=False).tail(1).set_index("indicator")
    keep = ["period", "value", "milestone_status", "note", "target", "amber_threshold", "status", "overridden",
            "previous_value", "dot_previous", "year_ago_value", "dot_year"]
    card = ind.join(latest[keep].rename(columns={"period": "as_at", "target": "period_target",
                                                 "amber_threshold": "period_amber"}), on="id")
    card["status"] = card["status"].fillna("not_available")
    card["overridden"] = card["overridden"].astype("boolean").fillna(False).astype(bool)
    for col in ("dot_previous", "dot_year"):
        card[col] = card[col].fillna("not_comparable")
    # The headline direction: the previous period, or last year for year-to-date measures.
    card["direction"] = np.where(card["aggregation"] == "cumulative", card["dot_year"], card["dot_previous"])

    comm = dataset.commentary[dataset.commentary["period"] == period].set_index("indicator")
    card = card.join(comm[["commentary", "actions", "status_override", "override_reason", "highlight",
                           "page_title"]], on="id")
    card["status"], over = apply_overrides(card["status"], card["status_override"])
    card["overridden"] = card["overridden"] | over
    card["is_new"] = card["first_reported"] >= financial_year_start(period, fy_start)
    outcome_order = {o.id: i for i, o in enumerate(dataset.plan.outcomes)}
    card["_outcome_order"] = card["outcome"].map(outcome_order)
    card = card.sort_values(["_outcome_order", "source_row"], kind="stable").drop(columns=["_outcome_order", "source_row"])
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
